// Package reports renders the desk's KPIs (computed by package orders) for people: the
// report message with its chart (PNG), and exports of orders as XLSX and CSV. The bot, the
// scheduled reports and the command line all use it, so a report reads the same wherever
// it is asked for.
package reports

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/golang/freetype/truetype"
	"golang.org/x/sync/errgroup"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/internal/fonts"
	"github.com/orderbot/orderbot/orders"
)

// Source is what reports need of the order desk; *orders.Reports implements it.
type Source interface {
	Report(ctx context.Context, a orders.Actor, period string) (orders.Report, error)
	ReportFor(ctx context.Context, p orders.Period, rep int64) (orders.Report, error)
	Export(ctx context.Context, a orders.Actor, req orders.ExportRequest, fn func(orders.Order) error) (orders.Period, error)
	Rules() orders.Rules
	Location() *time.Location
}

// Reports renders reports and exports. It is safe for concurrent use.
type Reports struct {
	src      Source
	font     *truetype.Font
	currency string
}

// New returns Reports over src, drawing text with the embedded CJK font.
func New(src Source) (*Reports, error) {
	f, err := truetype.Parse(fonts.WQYMicroHei)
	if err != nil {
		return nil, fmt.Errorf("reports: font: %w", err)
	}
	return &Reports{src: src, font: f, currency: src.Rules().Currency}, nil
}

func (r *Reports) location() *time.Location { return r.src.Location() }

// Message is a report as a chat shows it: the text (a photo's caption) and the chart.
type Message struct {
	Text  string
	Chart []byte // PNG
}

// Report computes the report of the named period for the actor (managers: the whole desk,
// reps: their own orders) and renders it in lang.
func (r *Reports) Report(ctx context.Context, a orders.Actor, period, lang string) (Message, error) {
	rep, err := r.src.Report(ctx, a, period)
	if err != nil {
		return Message{}, err
	}
	return r.Render(rep, lang, "")
}

// Scheduled renders the whole desk's report of period p with the title of kind
// ("weekly" or "monthly"), as sent to every manager.
func (r *Reports) Scheduled(ctx context.Context, p orders.Period, kind, lang string) (Message, error) {
	rep, err := r.src.ReportFor(ctx, p, 0)
	if err != nil {
		return Message{}, err
	}
	return r.Render(rep, lang, kind)
}

// Render renders a computed report in lang; title is "", "weekly" or "monthly".
func (r *Reports) Render(rep orders.Report, lang, title string) (Message, error) {
	lang = i18n.Normalize(lang)
	png, err := r.Chart(rep, lang)
	if err != nil {
		return Message{}, err
	}
	return Message{Text: r.Text(rep, lang, title), Chart: png}, nil
}

// Formats of an export.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// ExportStats say what an export holds.
type ExportStats struct {
	Period orders.Period
	Orders int
	Lines  int
}

// Export writes the orders the actor may see of req to w in format (FormatXLSX: sheets of
// orders, lines and the period's KPIs; FormatCSV: one row per line), in lang.
func (r *Reports) Export(ctx context.Context, a orders.Actor, req orders.ExportRequest, format, lang string, w io.Writer) (ExportStats, error) {
	lang = i18n.Normalize(lang)
	switch format {
	case FormatCSV:
		cw := newCSVWriter(w, r, lang)
		var st ExportStats
		p, err := r.exportPiped(ctx, a, req, func(o orders.Order) error {
			st.Orders++
			st.Lines += len(o.Lines)
			return cw.write(o)
		})
		st.Period = p
		if err != nil {
			return st, err
		}
		return st, cw.flush()
	case FormatXLSX:
		x := newXLSXWriter(r, lang)
		defer x.close()
		var st ExportStats
		p, err := r.exportPiped(ctx, a, req, func(o orders.Order) error {
			st.Orders++
			st.Lines += len(o.Lines)
			return x.write(o)
		})
		st.Period = p
		if err != nil {
			return st, err
		}
		rep, err := r.src.Report(ctx, a, p.String())
		if err != nil {
			return st, err
		}
		if err := x.kpis(rep); err != nil {
			return st, err
		}
		return st, x.finish(w)
	}
	return ExportStats{}, fmt.Errorf("reports: unknown export format %q (csv or xlsx)", format)
}

// exportPiped reads the orders of req (the database's rows, scanned into orders) in one
// goroutine and hands them to write in another, through a small queue: reading and
// writing a file each take a core's time, and so take it at once rather than in turn.
// write sees the orders in their order, one at a time.
func (r *Reports) exportPiped(ctx context.Context, a orders.Actor, req orders.ExportRequest, write func(orders.Order) error) (orders.Period, error) {
	queue := make(chan orders.Order, 256)
	g, gctx := errgroup.WithContext(ctx)
	var p orders.Period
	g.Go(func() error {
		defer close(queue)
		var err error
		p, err = r.src.Export(gctx, a, req, func(o orders.Order) error {
			select {
			case queue <- o:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
		return err
	})
	g.Go(func() error {
		for o := range queue {
			if err := write(o); err != nil {
				return err
			}
		}
		return nil
	})
	return p, g.Wait()
}

// ExportFiles returns the export of req as XLSX and CSV files in memory, for a chat.
func (r *Reports) ExportFiles(ctx context.Context, a orders.Actor, req orders.ExportRequest, lang string) (xlsx, csv []byte, st ExportStats, err error) {
	var xb, cb bytes.Buffer
	if st, err = r.Export(ctx, a, req, FormatXLSX, lang, &xb); err != nil {
		return nil, nil, st, err
	}
	if _, err = r.Export(ctx, a, req, FormatCSV, lang, &cb); err != nil {
		return nil, nil, st, err
	}
	return xb.Bytes(), cb.Bytes(), st, nil
}

// FileName is the name of an export file: orders-2026-11-01..2026-11-30.xlsx.
func FileName(p orders.Period, format string) string {
	return "orders-" + strings.ReplaceAll(p.String(), "..", "_") + "." + format
}

// ReportChat is Report for a chat: the text and the chart.
func (r *Reports) ReportChat(ctx context.Context, a orders.Actor, period, lang string) (string, []byte, error) {
	m, err := r.Report(ctx, a, period, lang)
	return m.Text, m.Chart, err
}

// ExportChat is ExportFiles for a chat: the caption, and the XLSX and CSV files with
// their names; no files when no order matches.
func (r *Reports) ExportChat(ctx context.Context, a orders.Actor, req orders.ExportRequest, lang string) (string, []string, [][]byte, error) {
	lang = i18n.Normalize(lang)
	xlsx, csv, st, err := r.ExportFiles(ctx, a, req, lang)
	if err != nil {
		return "", nil, nil, err
	}
	label := periodLabel(st.Period, lang)
	if st.Orders == 0 {
		return i18n.T(lang, "report.export.none", label), nil, nil, nil
	}
	return i18n.T(lang, "report.export.caption", label, st.Orders, st.Lines),
		[]string{FileName(st.Period, FormatXLSX), FileName(st.Period, FormatCSV)}, [][]byte{xlsx, csv}, nil
}

// ScheduledChat is Scheduled for a chat: the text and the chart.
func (r *Reports) ScheduledChat(ctx context.Context, p orders.Period, kind, lang string) (string, []byte, error) {
	m, err := r.Scheduled(ctx, p, kind, lang)
	return m.Text, m.Chart, err
}
