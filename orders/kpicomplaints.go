package orders

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// ComplaintTimes are the times of one complaint a report counts.
type ComplaintTimes struct {
	OpenedAt    time.Time
	RespondBy   time.Time // the first-response deadline
	RespondedAt time.Time // zero until the desk's first answer
	ResolveBy   time.Time // the resolution deadline
	ResolvedAt  time.Time // zero unless resolved
}

// ComplaintReportStore reads the complaints of a report: those opened or resolved in
// [Start, End), of the rep's (the complaints they own) or the whole desk's (Rep 0).
type ComplaintReportStore interface {
	ReportComplaints(ctx context.Context, s ReportScope) ([]ComplaintTimes, error)
}

// ComplaintFigures are the complaints of a period against their service levels
// (ComplaintRules): the first answer due within FirstResponseHours working hours, the
// resolution within ResolutionDays working days.
type ComplaintFigures struct {
	// Opened is how many complaints were opened in the period; Resolved how many were
	// resolved in it (whenever they were opened), ResolvedInTime of those by their
	// resolution deadline.
	Opened         int `json:"opened"`
	Resolved       int `json:"resolved"`
	ResolvedInTime int `json:"resolved_in_time"`
	// Response: of the complaints opened in the period, those answered by their
	// first-response deadline ÷ those whose answer is due (answered, or unanswered past the
	// deadline at the report's time) — the same counting as Complaints.Stats.
	Response Rate `json:"response_rate"`
	// Answered is how many of the period's complaints were answered, ResponseMedian and
	// ResponseP90 the time from opening to the first answer (nearest rank, wall clock).
	Answered       int           `json:"answered"`
	ResponseMedian time.Duration `json:"response_median_ns"`
	ResponseP90    time.Duration `json:"response_p90_ns"`
	// Resolution: of the complaints opened in the period, those resolved by their
	// resolution deadline ÷ those resolved or past it unresolved (Complaints.Stats's
	// InTimeShare).
	Resolution Rate `json:"resolution_rate"`
}

// ComputeComplaintFigures counts the complaints of the instants [start, end) at now.
func ComputeComplaintFigures(cs []ComplaintTimes, start, end, now time.Time) ComplaintFigures {
	var g ComplaintFigures
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
	var waits []time.Duration
	for _, c := range cs {
		if in(c.ResolvedAt) {
			g.Resolved++
			if !c.ResolvedAt.After(c.ResolveBy) {
				g.ResolvedInTime++
			}
		}
		if !in(c.OpenedAt) {
			continue
		}
		g.Opened++
		if !c.RespondedAt.IsZero() {
			g.Answered++
			waits = append(waits, max(c.RespondedAt.Sub(c.OpenedAt), 0))
			g.Response.Den++
			if !c.RespondedAt.After(c.RespondBy) {
				g.Response.Num++
			}
		} else if now.After(c.RespondBy) {
			g.Response.Den++
		}
		if !c.ResolvedAt.IsZero() {
			g.Resolution.Den++
			if !c.ResolvedAt.After(c.ResolveBy) {
				g.Resolution.Num++
			}
		} else if now.After(c.ResolveBy) {
			g.Resolution.Den++
		}
	}
	if len(waits) > 0 {
		slices.SortFunc(waits, cmp.Compare)
		rank := func(q float64) time.Duration {
			k := max(int(q*float64(len(waits))+0.999999), 1)
			return waits[k-1]
		}
		g.ResponseMedian, g.ResponseP90 = rank(0.5), rank(0.9)
	}
	return g
}
