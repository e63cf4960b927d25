package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// maxCaption is the most characters of a photo's caption on Telegram.
const maxCaption = 1024

// Text is the report's short text in lang: the headline figures, each with its change from
// the previous period. title is "", "weekly" or "monthly".
func (r *Reports) Text(rep orders.Report, lang, title string) string {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	cur, prev := rep.Current, rep.Prior
	sep, semi := ", ", "; "
	if lang == i18n.ZH {
		sep, semi = "、", "；"
	}
	var lines []string
	period := periodLabel(rep.Period, lang)
	switch {
	case title == "weekly" || title == "monthly":
		lines = append(lines, t("report.title."+title, period))
	case rep.Rep != 0:
		name := rep.RepName
		if name == "" {
			name = strconv.FormatInt(rep.Rep, 10)
		}
		lines = append(lines, t("report.title.rep", name, period))
	default:
		lines = append(lines, t("report.title.desk", period))
	}
	lines = append(lines, t("report.vs", periodLabel(rep.Previous, lang)))
	if cur.Placed == 0 {
		lines = append(lines, t("report.empty"))
	} else {
		lines = append(lines,
			t("report.sales", r.money(cur.Sales), pct(lang, cur.Sales, prev.Sales), cur.Units,
				pct(lang, decimal.NewFromInt(int64(cur.Units)), decimal.NewFromInt(int64(prev.Units)))),
			t("report.orders", cur.Orders, count(lang, cur.Orders, prev.Orders), r.money(cur.AverageOrder),
				pct(lang, cur.AverageOrder, prev.AverageOrder)))
	}
	if cur.Accuracy.Den > 0 {
		lines = append(lines, t("report.accuracy", rate(cur.Accuracy), pts(lang, cur.Accuracy, prev.Accuracy), cur.Accuracy.Num, cur.Accuracy.Den))
	}
	if cur.OnTime.Den > 0 {
		l := t("report.ontime", rate(cur.OnTime), pts(lang, cur.OnTime, prev.OnTime), cur.OnTime.Num, cur.OnTime.Den)
		if cur.Late > 0 {
			l += semi + t("report.late", cur.Late, strconv.FormatFloat(cur.AverageDelay, 'f', 1, 64))
		}
		lines = append(lines, l)
	}
	if cur.Reviewed > 0 {
		lines = append(lines, t("report.review", duration(lang, cur.ReviewMedian), duration(lang, cur.ReviewP90),
			cur.ReviewOverSLA, duration(lang, orders.DefaultReviewSLA)))
	}
	if cur.Placed > 0 {
		reasons := ""
		if len(cur.CancelReasons) > 0 {
			var rs []string
			for i, c := range cur.CancelReasons {
				if i == 3 {
					break
				}
				rs = append(rs, fmt.Sprintf("%s ×%d", clip(c.Reason, 40), c.Count))
			}
			reasons = t("report.reasons", strings.Join(rs, sep))
		}
		lines = append(lines, t("report.cancelled", cur.Cancelled, cur.Placed, rate(cur.Cancellation), reasons))
		lines = append(lines, t("report.collections", r.money(cur.DepositCollected), r.money(cur.DepositDue),
			r.money(cur.BalanceCollected), r.money(cur.BalanceDue)))
	}
	if cur.Rated > 0 {
		lines = append(lines, t("report.satisfaction", strconv.FormatFloat(cur.Satisfaction, 'f', 1, 64), cur.Rated))
	}
	if c := cur.Complaints; c.Opened > 0 || c.Resolved > 0 {
		l := t("report.complaints", c.Opened, c.Resolved, c.ResolvedInTime)
		if c.Response.Den > 0 {
			hours := r.src.Rules().Complaints.WithDefaults().FirstResponseHours
			l += t("report.complaints.response", hours, rate(c.Response), c.Response.Num, c.Response.Den)
		}
		if c.Answered > 0 {
			l += t("report.complaints.median", duration(lang, c.ResponseMedian))
		}
		lines = append(lines, l)
	}
	if len(cur.TopProducts) > 0 {
		var ps []string
		for i, p := range cur.TopProducts {
			if i == 3 {
				break
			}
			ps = append(ps, fmt.Sprintf("%s %s", clip(p.Name(lang), 24), r.money(p.Amount)))
		}
		lines = append(lines, t("report.top", strings.Join(ps, sep)))
	}
	open := t("report.now.none")
	if len(rep.Now.Open) > 0 {
		var os []string
		for _, s := range rep.Now.Open {
			os = append(os, fmt.Sprintf("%s %d", i18n.T(lang, "status."+string(s.Status)), s.Count))
		}
		open = strings.Join(os, sep)
	}
	lines = append(lines, t("report.now", open, rep.Now.Overdue, rep.Now.Unpaid))
	out := strings.Join(lines, "\n")
	if n := []rune(out); len(n) > maxCaption {
		out = string(n[:maxCaption-1]) + "…"
	}
	return out
}

func (r *Reports) money(d decimal.Decimal) string { return i18n.Money(r.currency, d) }

// periodLabel writes a period as people read it: 2026-11-01 – 2026-11-30, or 2026年11月1日至11月30日.
func periodLabel(p orders.Period, lang string) string {
	if lang == i18n.ZH {
		from := fmt.Sprintf("%d年%d月%d日", p.From.Year, int(p.From.Month), p.From.Day)
		if p.From == p.To {
			return from
		}
		to := fmt.Sprintf("%d月%d日", int(p.To.Month), p.To.Day)
		if p.To.Year != p.From.Year {
			to = fmt.Sprintf("%d年%s", p.To.Year, to)
		}
		return from + "至" + to
	}
	if p.From == p.To {
		return p.From.String()
	}
	return p.From.String() + " – " + p.To.String()
}

// rate writes a rate as a percentage with one decimal, "–" when it has no value.
func rate(r orders.Rate) string {
	v, ok := r.Value()
	if !ok {
		return "–"
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

func signed(v float64, prec int) string {
	if math.Abs(v) < math.Pow(10, -float64(prec))/2 {
		v = 0
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if v > 0 {
		s = "+" + s
	}
	return s
}

// pct is the change from prev to cur in percent, or "" when prev is zero.
func pct(lang string, cur, prev decimal.Decimal) string {
	v, ok := orders.PercentChange(cur, prev)
	if !ok {
		return ""
	}
	return i18n.T(lang, "report.change.pct", signed(v, 1))
}

// pts is the change of a rate in percentage points, or "" when either has no value.
func pts(lang string, cur, prev orders.Rate) string {
	v, ok := orders.PointChange(cur, prev)
	if !ok {
		return ""
	}
	return i18n.T(lang, "report.change.pts", signed(v, 1))
}

// count is the change of a count, or "" when there was nothing before.
func count(lang string, cur, prev int) string {
	if prev == 0 {
		return ""
	}
	return i18n.T(lang, "report.change.count", signed(float64(cur-prev), 0))
}

// duration writes a review time in minutes, hours or days.
func duration(lang string, d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m < 60:
		return i18n.T(lang, "report.minutes", m)
	case m < 24*60:
		return i18n.T(lang, "report.hours", m/60, m%60)
	}
	return i18n.T(lang, "report.days", m/(24*60), (m%(24*60))/60)
}

func clip(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
