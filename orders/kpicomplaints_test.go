package orders

import (
	"testing"
	"time"
)

// Five complaints of November worked out by hand, plus one of October resolved in November
// and one opened in December; the report is made on 2 December at 12:00 UTC.
func TestComputeComplaintFigures(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var zero time.Time
	cs := []ComplaintTimes{
		// A: answered after 1 h (in time), resolved in time
		{OpenedAt: at("2026-11-02 09:00"), RespondBy: at("2026-11-02 13:00"), RespondedAt: at("2026-11-02 10:00"), ResolveBy: at("2026-11-05 09:00"), ResolvedAt: at("2026-11-04 09:00")},
		// B: answered after 6 h (late), resolved late
		{OpenedAt: at("2026-11-10 09:00"), RespondBy: at("2026-11-10 13:00"), RespondedAt: at("2026-11-10 15:00"), ResolveBy: at("2026-11-13 09:00"), ResolvedAt: at("2026-11-20 09:00")},
		// C: answered after 30 min, not resolved, past the deadline: due, not in time
		{OpenedAt: at("2026-11-20 09:00"), RespondBy: at("2026-11-20 13:00"), RespondedAt: at("2026-11-20 09:30"), ResolveBy: at("2026-11-25 09:00")},
		// D: never answered, past both deadlines
		{OpenedAt: at("2026-11-25 09:00"), RespondBy: at("2026-11-25 13:00"), ResolveBy: at("2026-11-28 09:00")},
		// E: opened at the last minute, nothing due yet (deadlines after now)
		{OpenedAt: at("2026-11-30 23:59"), RespondBy: at("2026-12-02 13:00"), ResolveBy: at("2026-12-04 09:00")},
		// F: October's, resolved in November in time: counts as resolved only
		{OpenedAt: at("2026-10-30 09:00"), RespondBy: at("2026-10-30 13:00"), RespondedAt: at("2026-10-30 10:00"), ResolveBy: at("2026-11-04 09:00"), ResolvedAt: at("2026-11-01 00:00")},
		// G: December's: not counted
		{OpenedAt: at("2026-12-01 00:00"), RespondBy: at("2026-12-01 13:00"), RespondedAt: at("2026-12-01 01:00"), ResolveBy: at("2026-12-04 09:00"), ResolvedAt: zero},
	}
	g := ComputeComplaintFigures(cs, at("2026-11-01 00:00"), at("2026-12-01 00:00"), at("2026-12-02 12:00"))
	want := ComplaintFigures{
		Opened:         5,                    // A B C D E
		Resolved:       3,                    // A B F
		ResolvedInTime: 2,                    // A F
		Response:       Rate{Num: 2, Den: 4}, // A C in time of A B C D (E not due)
		Answered:       3,                    // A B C
		ResponseMedian: time.Hour,            // 30 min, 1 h, 6 h
		ResponseP90:    6 * time.Hour,        // nearest rank 3 of 3
		Resolution:     Rate{Num: 1, Den: 4}, // A of A B C D
	}
	if g != want {
		t.Errorf("got  %+v\nwant %+v", g, want)
	}
	if g := ComputeComplaintFigures(nil, at("2026-11-01 00:00"), at("2026-12-01 00:00"), at("2026-12-02 12:00")); g != (ComplaintFigures{}) {
		t.Errorf("no complaints: %+v", g)
	}
}
