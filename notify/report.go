package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/orderbot/orderbot/orders"
)

// Scheduled reports: every Monday the previous week's report, and on the 1st of every
// month the previous month's, to every active manager, in their language, from ReportHour
// (business time zone) on. A periodic job looks every ReportCheck; the notification's key
// holds the period, so each manager gets each report once however often it looks and
// however many instances run.
const (
	KindWeeklyReport  = "weekly_report"
	KindMonthlyReport = "monthly_report"
)

// Reporter renders the whole desk's report of a period as a chat shows it (the same
// message as /report); reports.Reports implements it. kind is "weekly" or "monthly".
type Reporter interface {
	ScheduledChat(ctx context.Context, p orders.Period, kind, lang string) (text string, chart []byte, err error)
}

// ReportArgs are the arguments of the periodic check for scheduled reports.
type ReportArgs struct{}

// Kind implements river.JobArgs.
func (ReportArgs) Kind() string { return "orderbot.notify_reports" }

type reportWorker struct {
	river.WorkerDefaults[ReportArgs]
	n *Notifier
}

func (w *reportWorker) Work(ctx context.Context, _ *river.Job[ReportArgs]) error {
	return w.n.QueueReports(ctx)
}

// reportJob is the periodic job of the scheduled reports.
func reportJob(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(
		river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return ReportArgs{}, &river.InsertOpts{Queue: Queue, MaxAttempts: 3,
				UniqueOpts: river.UniqueOpts{ByPeriod: max(every, time.Second)}}
		},
		&river.PeriodicJobOpts{ID: "notify.reports", RunOnStart: true},
	)
}

// QueueReports queues the scheduled reports due at the Notifier's clock: on a Monday from
// ReportHour the last week's, on the 1st from ReportHour the last month's, one to each
// active manager (once: the key holds the period).
func (n *Notifier) QueueReports(ctx context.Context) error {
	if n.cfg.Reports == nil {
		return nil
	}
	now := n.now().In(n.cfg.Location)
	if now.Hour() < n.cfg.ReportHour {
		return nil
	}
	today := orders.DateOf(now)
	type due struct{ kind, period string }
	var dues []due
	if today.Weekday() == time.Monday {
		p, _ := orders.ParsePeriod(orders.PeriodLastWeek, today)
		dues = append(dues, due{KindWeeklyReport, p.String()})
	}
	if today.Day == 1 {
		p, _ := orders.ParsePeriod(orders.PeriodLastMonth, today)
		dues = append(dues, due{KindMonthlyReport, p.From.String()[:7]})
	}
	if len(dues) == 0 {
		return nil
	}
	staff, _, err := n.staff.get(ctx)
	if err != nil {
		return err
	}
	var ns []orders.Notification
	for _, d := range dues {
		for _, st := range staff {
			if st.Role != orders.RoleManager {
				continue
			}
			key := d.kind + ":" + d.period + ":" + strconv.FormatInt(st.TelegramID, 10)
			ns = append(ns, orders.NewNotification(d.kind, st.TelegramID, key,
				orders.Notice{Lang: st.Language, Note: d.period}, time.Time{}))
		}
	}
	if len(ns) == 0 {
		return nil
	}
	if err := n.out.QueueNotices(ctx, "", ns); err != nil {
		return fmt.Errorf("queue scheduled reports: %w", err)
	}
	return nil
}

// reportPlan renders a scheduled report: the period is in the notice's note.
func (n *Notifier) reportPlan(ctx context.Context, kind string, nt orders.Notice) (plan, error) {
	if n.cfg.Reports == nil {
		return plan{drop: "no reports configured"}, nil
	}
	p, err := orders.ParsePeriod(nt.Note, orders.DateOf(n.now().In(n.cfg.Location)))
	if err != nil {
		return plan{fail: "scheduled report of a bad period " + strconv.Quote(nt.Note)}, nil
	}
	title := "weekly"
	if kind == KindMonthlyReport {
		title = "monthly"
	}
	text, chart, err := n.cfg.Reports.ScheduledChat(ctx, p, title, nt.Lang)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return plan{}, err
		}
		return plan{}, fmt.Errorf("scheduled report: %w", err)
	}
	return plan{msg: Message{Text: text, File: &File{Photo: true, Name: "report.png", Data: chart}}}, nil
}
