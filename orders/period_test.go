package orders

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	today := Date{2026, time.November, 27} // a Friday
	for _, tc := range []struct{ in, from, to, prevFrom, prevTo string }{
		{"", "2026-11-01", "2026-11-27", "2026-10-01", "2026-10-27"},
		{"today", "2026-11-27", "2026-11-27", "2026-11-26", "2026-11-26"},
		{"week", "2026-11-23", "2026-11-27", "2026-11-18", "2026-11-22"},
		{"last-week", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"},
		{"上月", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"},
		{"2026-03", "2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28"},
		{"2026-11-01..2026-11-15", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"},
	} {
		p, err := ParsePeriod(tc.in, today)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		prev := p.Previous()
		if p.From.String() != tc.from || p.To.String() != tc.to || prev.From.String() != tc.prevFrom || prev.To.String() != tc.prevTo {
			t.Errorf("%q: %s (previous %s), want %s..%s (previous %s..%s)", tc.in, p, prev, tc.from, tc.to, tc.prevFrom, tc.prevTo)
		}
	}
	for _, bad := range []string{"soon", "2026-13", "2026-11-15..2026-11-01", "2020-01-01..2026-01-01", "2026-11-01.."} {
		if _, err := ParsePeriod(bad, today); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"today", "last-week", "2026-11", "2026-11-01..2026-11-15", "本周", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s, Date{2026, time.November, 27})
		if err != nil {
			return
		}
		if p.To.Before(p.From) || p.Days() > maxPeriodDays+31 {
			t.Fatalf("%q: %s", s, p)
		}
		if prev := p.Previous(); prev.To.Before(prev.From) || !prev.To.Before(p.From) {
			t.Fatalf("%q: previous %s of %s", s, prev, p)
		}
	})
}
