package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/orderbot/orderbot/orders"
)

// Reporter is what /report and /export need: the report of a period as a text and a chart
// (PNG), and the export of orders as files, in the reader's language, for what the actor
// may see (managers: the whole desk; reps: their own orders; customers: orders.ErrForbidden).
// reports.Reports implements it.
type Reporter interface {
	ReportChat(ctx context.Context, a orders.Actor, period, lang string) (text string, chart []byte, err error)
	// ExportChat returns the caption and the files (names and contents, XLSX first) of
	// the export; no files when no order matches.
	ExportChat(ctx context.Context, a orders.Actor, req orders.ExportRequest, lang string) (caption string, names []string, files [][]byte, err error)
}

// Callback data of the report's buttons: another period, or the export of the period.
const (
	dataReport = "rep:"
	dataExport = "exp:"
)

// reportMenu handles the report's buttons; done is false for other menu data.
func (st *step) reportMenu(a string) (done bool, err error) {
	if p, ok := strings.CutPrefix(a, dataReport); ok {
		return true, st.report(p)
	}
	if p, ok := strings.CutPrefix(a, dataExport); ok {
		return true, st.export(p)
	}
	return false, nil
}

// reportsAllowed refuses reports to anyone but staff, with one polite line.
func (st *step) reportsAllowed() bool {
	if st.u.Role.Staff() && st.actor().Kind == orders.ActorStaff && st.e.reports != nil {
		return true
	}
	st.e.log.WarnContext(st.ctx, "report refused", "user", st.u.ID, "role", string(st.u.Role))
	st.say(st.t("report.forbidden"))
	return false
}

// report sends the report of the period: the headline figures as the caption of the chart,
// with buttons for other periods and for the export.
func (st *step) report(period string) error {
	if !st.reportsAllowed() {
		return nil
	}
	period = strings.TrimSpace(period)
	text, chart, err := st.e.reports.ReportChat(st.ctx, st.actor(), period, st.s.Lang)
	if err != nil {
		return st.reportError(err, period)
	}
	if period == "" {
		period = orders.PeriodMonth
	}
	r := st.say(text, st.periodButtons(period)...)
	r.File = &File{Kind: FilePhoto, Name: "report.png", Data: chart}
	return nil
}

// periodButtons are the report's buttons: the usual periods but the one shown, and the
// export of the one shown.
func (st *step) periodButtons(shown string) [][]Button {
	var row1, row2 []Button
	for i, p := range []struct{ period, label string }{
		{orders.PeriodToday, "btn.report.today"}, {orders.PeriodWeek, "btn.report.week"},
		{orders.PeriodLastWeek, "btn.report.last_week"}, {orders.PeriodMonth, "btn.report.month"},
		{orders.PeriodLastMonth, "btn.report.last_month"},
	} {
		if p.period == shown {
			continue
		}
		b := Button{Text: st.t(p.label), Data: "m:" + dataReport + p.period}
		if i < 2 {
			row1 = append(row1, b)
		} else {
			row2 = append(row2, b)
		}
	}
	rows := [][]Button{}
	for _, r := range [][]Button{row1, row2} {
		if len(r) > 0 {
			rows = append(rows, r)
		}
	}
	return append(rows, []Button{{Text: st.t("btn.report.export"), Data: "m:" + dataExport + shown}})
}

// export sends the orders of the period as XLSX and CSV. args are a period, statuses and,
// for managers, "rep:ID"; in any order.
func (st *step) export(args string) error {
	if !st.reportsAllowed() {
		return nil
	}
	req, bad := parseExportArgs(args)
	if bad != "" {
		st.say(st.t("report.bad_filter", bad))
		return nil
	}
	caption, names, files, err := st.e.reports.ExportChat(st.ctx, st.actor(), req, st.s.Lang)
	if err != nil {
		return st.reportError(err, req.Period)
	}
	if len(files) == 0 {
		st.say(caption)
		return nil
	}
	for i, data := range files {
		text := caption
		if i > 0 {
			text = st.t("report.export.csv")
		}
		r := st.say(text)
		r.File = &File{Kind: FileDocument, Name: names[i], Data: data}
	}
	return nil
}

// parseExportArgs reads /export's words: statuses (like delivered), rep:ID (or rep=ID), and
// the period (any other word). bad is the first word that is none of these.
func parseExportArgs(args string) (req orders.ExportRequest, bad string) {
	for _, w := range strings.Fields(args) {
		lw := strings.ToLower(w)
		switch {
		case orders.Status(lw).Valid():
			req.Statuses = append(req.Statuses, orders.Status(lw))
		case strings.HasPrefix(lw, "rep:") || strings.HasPrefix(lw, "rep="):
			id, err := strconv.ParseInt(lw[4:], 10, 64)
			if err != nil || id <= 0 {
				return req, w
			}
			req.Rep = id
		case req.Period == "":
			req.Period = w
		default:
			return req, w
		}
	}
	return req, ""
}

// reportError explains a refused report or a bad period; other errors are returned.
func (st *step) reportError(err error, period string) error {
	var verr *orders.ValidationError
	switch {
	case errors.Is(err, orders.ErrForbidden):
		st.say(st.t("report.forbidden"))
	case errors.As(err, &verr) && verr.Field == "period":
		st.say(st.t("report.bad_period", period))
	case errors.As(err, &verr):
		st.say(st.t("err.invalid", verr.Reason))
	default:
		return err
	}
	return nil
}
