package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/reports"
)

// openReports opens the store (migrated) and returns the reports over it.
func (a *app) openReports(ctx context.Context) (*reports.Reports, error) {
	if _, err := a.openStore(ctx, true); err != nil {
		return nil, err
	}
	return a.reportsOf()
}

// reportsOf returns the reports over the open store.
func (a *app) reportsOf() (*reports.Reports, error) {
	return reports.New(orders.NewReports(a.store, a.cfg.Rules, orders.WithLocation(a.cfg.Location)))
}

// report: orderbot report [--period P] [--json] [--png FILE] [--lang en|zh] [--rep ID]
func (a *app) report(ctx context.Context, args []string) error {
	fs := a.flags("report", "orderbot report [--period P] [--json] [--png FILE] [--lang en|zh] [--rep ID]\n\n"+
		"The desk's KPIs for a period, beside the previous period's. Periods: today, yesterday, week,\n"+
		"last-week, month (the default), last-month, year, 2026-11, 2026-11-05, 2026-11-01..2026-11-15,\n"+
		"in ORDERBOT_TIMEZONE.")
	period := fs.String("period", orders.PeriodMonth, "the period")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	png := fs.String("png", "", "also write the chart (PNG) to this file")
	lang := fs.String("lang", i18n.EN, "language of the text and the chart: en or zh")
	rep := fs.Int64("rep", 0, "only the orders of this rep (Telegram id)")
	if done, err := parse(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("report: unexpected %q (use --period)", fs.Arg(0))
	}
	if *lang != i18n.EN && *lang != i18n.ZH {
		return errors.New("--lang: en or zh")
	}
	if _, err := a.openStore(ctx, true); err != nil {
		return err
	}
	src := orders.NewReports(a.store, a.cfg.Rules, orders.WithLocation(a.cfg.Location))
	rr, err := reports.New(src)
	if err != nil {
		return err
	}
	p, err := orders.ParsePeriod(*period, src.Today())
	if err != nil {
		return fmt.Errorf("--period: %w", err)
	}
	rp, err := src.ReportFor(ctx, p, *rep)
	if err != nil {
		return err
	}
	m, err := rr.Render(rp, *lang, "")
	if err != nil {
		return err
	}
	if *png != "" {
		if err := os.WriteFile(*png, m.Chart, 0o644); err != nil {
			return fmt.Errorf("--png: %w", err)
		}
	}
	if *asJSON {
		return writeJSON(a.stdout, rp)
	}
	_, err = fmt.Fprintln(a.stdout, m.Text)
	return err
}

// ordersExport: orderbot orders export [--period P] [--status S] [--rep ID] --format csv|xlsx -o FILE
func (a *app) ordersExport(ctx context.Context, args []string) error {
	fs := a.flags("orders export", "orderbot orders export [--period P] [--status S[,S…]] [--rep ID] --format csv|xlsx -o FILE\n\n"+
		"Writes the orders placed in the period with their lines: XLSX with sheets of orders, lines\n"+
		"and the period's KPIs, or CSV (UTF-8 with a byte-order mark, one row per line). - is stdout.")
	period := fs.String("period", orders.PeriodMonth, "the period (see orderbot report --help)")
	status := fs.String("status", "", "only orders in this status (comma-separated for several)")
	rep := fs.Int64("rep", 0, "only the orders of this rep (Telegram id)")
	format := fs.String("format", "", "csv or xlsx")
	out := fs.String("o", "", "the file to write")
	lang := fs.String("lang", i18n.EN, "language of sheet names, headers and statuses: en or zh")
	if done, err := parse(fs, args); done {
		return err
	}
	if *format != reports.FormatCSV && *format != reports.FormatXLSX {
		return errors.New("--format: csv or xlsx")
	}
	if *out == "" {
		return errors.New("-o: the file to write (- for stdout)")
	}
	if *lang != i18n.EN && *lang != i18n.ZH {
		return errors.New("--lang: en or zh")
	}
	req := orders.ExportRequest{Period: *period, Rep: *rep}
	for _, s := range strings.Split(*status, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !orders.Status(s).Valid() {
			return fmt.Errorf("--status: unknown status %q (one of %s)", s, statusNames())
		}
		req.Statuses = append(req.Statuses, orders.Status(s))
	}
	rr, err := a.openReports(ctx)
	if err != nil {
		return err
	}
	var w io.Writer = a.stdout
	var f *os.File
	if *out != "-" {
		// Written next to the target and renamed at the end: a failed export leaves no
		// half-written file behind.
		if f, err = os.CreateTemp(dirOf(*out), ".export-*"); err != nil {
			return fmt.Errorf("-o: %w", err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w = f
	}
	st, err := rr.Export(ctx, orders.Operator, req, *format, *lang, w)
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d orders, %d lines (%s) written to %s\n", st.Orders, st.Lines, st.Period, *out)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// ordersPay: orderbot orders pay SO-… AMOUNT --method M, through the same use case as a
// payment recorded in chat.
func (a *app) ordersPay(ctx context.Context, args []string) error {
	fs := a.flags("orders pay", "orderbot orders pay SO-… AMOUNT --method M\n\n"+
		"Records money received for an order, by the same rules as a payment recorded in chat: a positive\n"+
		"amount with at most 2 decimals, never more than the balance; the payment status follows and the\n"+
		"customer is told.")
	method := fs.String("method", "", "the payment method (a code of the rules' payment_methods)")
	key := fs.String("key", "", "the payment's key: a repeat with the same key records nothing (default: a new key)")
	if done, err := parse(fs, reorder(args)); done {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: orderbot orders pay SO-… AMOUNT --method M")
	}
	amount, err := decimal.NewFromString(strings.ReplaceAll(fs.Arg(1), ",", ""))
	if err != nil {
		return fmt.Errorf("amount %q: expected a number like 1500 or 1500.50", fs.Arg(1))
	}
	if _, ok := a.cfg.Rules.PaymentMethod(*method); !ok {
		var codes []string
		for _, m := range a.cfg.Rules.PaymentMethods {
			codes = append(codes, m.Code)
		}
		return fmt.Errorf("--method: one of %s", strings.Join(codes, ", "))
	}
	svc, err := a.openStore(ctx, true)
	if err != nil {
		return err
	}
	if *key == "" {
		*key = commandKey()
	}
	o, err := svc.RecordPayment(ctx, "cli:"+*key, strings.ToUpper(fs.Arg(0)), amount, *method, orders.Operator)
	var verr *orders.ValidationError
	switch {
	case errors.Is(err, orders.ErrNotFound):
		return fmt.Errorf("no order %s", fs.Arg(0))
	case errors.As(err, &verr):
		if verr.Field == "amount" && o.Number != "" {
			// More than the balance: the order comes back with the error, as it stands.
			return fmt.Errorf("%s is more than the %s still owed for %s (paid %s of %s)", a.money(amount),
				a.money(o.Total.Sub(o.Paid)), o.Number, a.money(o.Paid), a.money(o.Total))
		}
		return fmt.Errorf("%s: %s", verr.Field, verr.Reason)
	case errors.Is(err, orders.ErrConflict):
		return fmt.Errorf("%s is %s: no payment can be recorded", o.Number, statusWord(o.Status))
	case err != nil:
		return err
	}
	fmt.Fprintf(a.stdout, "%s: paid %s of %s; payment status: %s\n", o.Number, a.money(o.Paid), a.money(o.Total), paymentWord(o.PaymentStatus))
	return nil
}

// scheduledReports returns the reports the notifier sends to managers; nil (none sent)
// when they cannot be made, which is logged.
func (a *app) scheduledReports() notify.Reporter {
	r, err := a.reportsOf()
	if err != nil {
		a.log.Error("scheduled reports disabled", "err", err)
		return nil
	}
	return r
}
