package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

// Reports in chat through Telegram: a manager gets the whole desk's figures with the chart
// as a photo, switches the period and gets the export as two documents; a rep sees only
// their own orders; a customer is refused /report and /export with one polite line each.
// The clock is 2026-11-27 in Shanghai; the orders are the report fixture's.
func TestReportsThroughTelegram(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	pgstoretest.ReportFixture(t, bed.Store) // staff 7001 Wang and 7002 Zhao (reps), 9001 Boss (manager)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	srv := tg.Server
	boss, wang, cust := newChat(t, srv, 9001, "en"), newChat(t, srv, 7001, "zh"), newChat(t, srv, 1000, "en")

	boss.send("/report 2026-11")
	m := boss.expect("Report, whole desk: 2026-11-01 – 2026-11-30")
	if m.Method != "sendPhoto" || m.Photo == nil {
		t.Fatalf("the report is not a photo: %s", m)
	}
	if _, err := png.Decode(bytes.NewReader(m.Photo.Data)); err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	// SO-1 398 + SO-2 1250 + SO-5 597, SO-5 placed on the 30th.
	for _, want := range []string{"Sales ¥2,245.00", "Order accuracy 75.0%"} {
		if !strings.Contains(m.Caption, want) {
			t.Errorf("manager's report lacks %q:\n%s", want, m.Caption)
		}
	}
	boss.press("Last week")
	m = boss.expect("Report, whole desk: 2026-11-16 – 2026-11-22")
	if m.Photo == nil {
		t.Errorf("last week's report has no chart")
	}
	boss.press("Export")
	x := boss.expect("Orders placed 2026-11-16 – 2026-11-22 — orders: 1, lines: 1")
	c := boss.expect("CSV")
	if x.Document == nil || !strings.HasSuffix(x.Document.Name, ".xlsx") || c.Document == nil || !strings.HasSuffix(c.Document.Name, ".csv") {
		t.Fatalf("export documents: %s / %s", x, c)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Document.Data))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	rows, _ := f.GetRows("Orders")
	if len(rows) != 2 || rows[1][0] != "SO-20261120-0001" {
		t.Errorf("XLSX orders: %q", rows)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Document.Data, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "SO-20261120-0001" {
		t.Errorf("CSV: %v %q", err, recs)
	}

	// /export with a status filter, and a bad word.
	boss.send("/export 2026-11 delivered")
	boss.expect("Orders placed 2026-11-01 – 2026-11-30 — orders: 1, lines: 2")
	boss.send("/export 2026-11 nonsense")
	boss.expect(`I did not understand "nonsense"`)
	boss.send("/report 2026-13")
	boss.expect(`I did not understand the period "2026-13"`)

	// Rep Wang (reads Chinese) sees his own orders only: SO-1 (398) and SO-3 (cancelled).
	wang.send("/report 2026-11")
	m = wang.expect("Wang 的订单报表")
	if !strings.Contains(m.Caption, "销售额 ¥398.00") || strings.Contains(m.Caption, "2,245") || m.Photo == nil {
		t.Errorf("rep's report:\n%s", m.Caption)
	}
	wang.send("/export 2026-11 rep:7002")
	m = wang.expect("订单导出")
	if !strings.Contains(m.Caption, "2 张订单") || m.Document == nil {
		t.Errorf("rep's export (asked for another rep's orders): %s", m)
	}

	// A customer: one polite refusal each, and nothing else.
	cust.send("/report")
	m = cust.expect("Reports are for the sales team")
	cust.send("/export month")
	m2 := cust.expect("Reports are for the sales team")
	if m.Photo != nil || m2.Document != nil {
		t.Errorf("a customer got a file")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if extra, err := srv.WaitSent(ctx, cust.u.ID, nil); err == nil {
		t.Errorf("a customer's refusal came with more: %s", extra)
	}

	// /orders unpaid: SO-2 is delivered with only its deposit paid.
	boss.send("/orders unpaid")
	m = boss.expect("Delivered, not paid in full: 1")
	if _, ok := m.ButtonByText("SO-20261101-0001"); !ok {
		t.Errorf("unpaid queue: %s", m)
	}
}
