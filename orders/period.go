package orders

import (
	"fmt"
	"strings"
	"time"
)

// Period is a span of whole days in the business time zone, From and To included.
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
	// Name is how it was asked for: "today", "last-week", "2026-11", "2026-11-01..2026-11-15".
	Name string `json:"name"`
	// month is set when the period is a calendar month (or this month so far): its
	// previous period is then the previous month.
	month bool
}

// Period names.
const (
	PeriodToday     = "today"
	PeriodYesterday = "yesterday"
	PeriodWeek      = "week"
	PeriodLastWeek  = "last-week"
	PeriodMonth     = "month"
	PeriodLastMonth = "last-month"
	PeriodYear      = "year"
)

// maxPeriodDays bounds a from..to period: a report covers at most about three years.
const maxPeriodDays = 3 * 366

// ParsePeriod reads a period as people ask for it, relative to today:
// "today", "yesterday", "week" (this week, Monday to today), "last-week", "month" (this
// calendar month to today), "last-month", "year" (this year to today), a month "2026-11",
// a day "2026-11-05", or "2026-11-01..2026-11-15". Chinese words work too (今天, 昨天,
// 本周, 上周, 本月, 上月, 今年). The empty string is this month.
func ParsePeriod(s string, today Date) (Period, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", PeriodMonth, "this-month", "本月":
		first := Date{today.Year, today.Month, 1}
		return Period{From: first, To: today, Name: PeriodMonth, month: true}, nil
	case PeriodToday, "今天", "今日":
		return Period{From: today, To: today, Name: PeriodToday}, nil
	case PeriodYesterday, "昨天", "昨日":
		d := today.AddDays(-1)
		return Period{From: d, To: d, Name: PeriodYesterday}, nil
	case PeriodWeek, "this-week", "本周":
		return Period{From: weekStart(today), To: today, Name: PeriodWeek}, nil
	case PeriodLastWeek, "上周":
		from := weekStart(today).AddDays(-7)
		return Period{From: from, To: from.AddDays(6), Name: PeriodLastWeek}, nil
	case PeriodLastMonth, "上月", "上个月":
		first := Date{today.Year, today.Month, 1}.AddDays(-1)
		return monthPeriod(first.Year, first.Month, PeriodLastMonth), nil
	case PeriodYear, "this-year", "今年":
		return Period{From: Date{today.Year, time.January, 1}, To: today, Name: PeriodYear}, nil
	}
	if from, to, ok := strings.Cut(s, ".."); ok {
		f, err1 := ParseISODate(strings.TrimSpace(from))
		t, err2 := ParseISODate(strings.TrimSpace(to))
		if err1 != nil || err2 != nil {
			return Period{}, periodError(s)
		}
		if t.Before(f) {
			return Period{}, &ValidationError{Field: "period", Reason: "the end " + t.String() + " is before the start " + f.String()}
		}
		if daysBetween(f, t) >= maxPeriodDays {
			return Period{}, &ValidationError{Field: "period", Reason: "at most three years"}
		}
		return Period{From: f, To: t, Name: f.String() + ".." + t.String()}, nil
	}
	if len(s) == len("2006-01") {
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return Period{}, periodError(s)
		}
		return monthPeriod(t.Year(), t.Month(), s), nil
	}
	if d, err := ParseISODate(s); err == nil {
		return Period{From: d, To: d, Name: d.String()}, nil
	}
	return Period{}, periodError(s)
}

func periodError(s string) error {
	return &ValidationError{Field: "period", Reason: fmt.Sprintf("%q is not a period: use today, week, last-week, month, last-month, year, 2026-11 or 2026-11-01..2026-11-15", s)}
}

func monthPeriod(y int, m time.Month, name string) Period {
	first := Date{y, m, 1}
	last := DateOf(first.Time(time.UTC).AddDate(0, 1, -1))
	return Period{From: first, To: last, Name: name, month: true}
}

// weekStart returns the Monday of d's week.
func weekStart(d Date) Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

func daysBetween(a, b Date) int {
	return int(b.Time(time.UTC).Sub(a.Time(time.UTC)).Hours() / 24)
}

// Days is how many days the period has.
func (p Period) Days() int { return daysBetween(p.From, p.To) + 1 }

// Previous is the period the report compares with: for a whole month the previous month,
// for this month so far the same days of the previous month, otherwise the same number of
// days just before.
func (p Period) Previous() Period {
	if p.month {
		first := Date{p.From.Year, p.From.Month, 1}.AddDays(-1)
		prev := monthPeriod(first.Year, first.Month, "")
		whole := p.To == monthPeriod(p.From.Year, p.From.Month, "").To
		if to := prev.From.AddDays(daysBetween(p.From, p.To)); !whole && to.Before(prev.To) {
			prev.To = to
		}
		prev.Name = prev.From.String() + ".." + prev.To.String()
		return prev
	}
	n := p.Days()
	from := p.From.AddDays(-n)
	return Period{From: from, To: from.AddDays(n - 1), Name: from.String() + ".." + from.AddDays(n-1).String()}
}

// Bounds returns the instants the period spans in loc: [start, end).
func (p Period) Bounds(loc *time.Location) (start, end time.Time) {
	return p.From.Time(loc), p.To.AddDays(1).Time(loc)
}

// Dates lists the period's days in order.
func (p Period) Dates() []Date {
	out := make([]Date, 0, p.Days())
	for d := p.From; !d.After(p.To); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// String is "2026-11-01..2026-11-30", or the day when the period is one day.
func (p Period) String() string {
	if p.From == p.To {
		return p.From.String()
	}
	return p.From.String() + ".." + p.To.String()
}
