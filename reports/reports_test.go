package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-analyze/charts"
	"github.com/xuri/excelize/v2"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
	"github.com/orderbot/orderbot/reports"
)

var update = flag.Bool("update", false, "rewrite the golden chart images")

var manager = orders.Actor{Kind: orders.ActorStaff, TelegramID: 9001, Role: orders.RoleManager, Name: "Boss"}

// setup returns reports over a database holding the report fixture (see
// pgstoretest.ReportFixture), on 2026-12-02 in Asia/Shanghai.
func setup(t *testing.T) (*reports.Reports, *orders.Reports, context.Context) {
	t.Helper()
	s := pgstoretest.New(t)
	pgstoretest.ReportFixture(t, s)
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, loc)
	src := orders.NewReports(s, orders.DefaultRules(), orders.WithLocation(loc), orders.WithClock(func() time.Time { return now }))
	r, err := reports.New(src)
	if err != nil {
		t.Fatal(err)
	}
	return r, src, t.Context()
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// differing counts the pixels of the region (all when empty) where a and b differ by more
// than a little in some channel.
func differing(a, b image.Image, region image.Rectangle) int {
	if region.Empty() {
		region = a.Bounds()
	}
	n := 0
	for y := region.Min.Y; y < region.Max.Y; y++ {
		for x := region.Min.X; x < region.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if absDiff(r1, r2) > 0x2000 || absDiff(g1, g2) > 0x2000 || absDiff(b1, b2) > 0x2000 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// titleRegion holds the chart's title and subtitle (the period), top left.
var titleRegion = image.Rect(0, 0, 420, 70)

func TestChartMatchesGoldenPerLanguage(t *testing.T) {
	r, src, ctx := setup(t)
	rep, err := src.Report(ctx, manager, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	imgs := map[string]image.Image{}
	for _, lang := range []string{"en", "zh"} {
		b, err := r.Chart(rep, lang)
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, b)
		imgs[lang] = img
		if img.Bounds().Dx() != 960 || img.Bounds().Dy() != 540 {
			t.Errorf("%s: %v, want 960×540", lang, img.Bounds())
		}
		golden := filepath.Join("testdata", "chart-"+lang+".png")
		if *update {
			if err := os.WriteFile(golden, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./reports -update to make it)", err)
		}
		// A small tolerance: other versions of the rasterizer may move an edge pixel.
		if n, total := differing(decode(t, want), img, image.Rectangle{}), 960*540; n > total/500 {
			t.Errorf("%s chart differs from %s in %d pixels (more than 0.2%%)", lang, golden, n)
		}
	}
	if n := differing(imgs["en"], imgs["zh"], titleRegion); n < 200 {
		t.Errorf("the English and Chinese titles differ in only %d pixels", n)
	}
}

// A Chinese title drawn with a font without Chinese glyphs (empty boxes) must not pass for
// the golden one: the comparison above would fail on it.
func TestChartWithoutCJKFontFails(t *testing.T) {
	r, src, ctx := setup(t)
	rep, err := src.Report(ctx, manager, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	latin := charts.GetFont(charts.FontFamilyRoboto)
	boxes, err := r.ChartWithFont(rep, "zh", latin)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "chart-zh.png"))
	if err != nil {
		t.Skip("no golden image yet")
	}
	if n := differing(decode(t, want), decode(t, boxes), titleRegion); n < 200 {
		t.Errorf("a title in boxes differs from the golden Chinese title in only %d pixels: the golden test would not catch it", n)
	}
	good, err := r.Chart(rep, "zh")
	if err != nil {
		t.Fatal(err)
	}
	if n := differing(decode(t, want), decode(t, good), titleRegion); n > 20 {
		t.Errorf("the title in the embedded font differs from the golden in %d pixels", n)
	}
}

func TestXLSXReopened(t *testing.T) {
	r, _, ctx := setup(t)
	for _, lang := range []string{"en", "zh"} {
		var buf bytes.Buffer
		st, err := r.Export(ctx, manager, orders.ExportRequest{Period: "2026-11"}, reports.FormatXLSX, lang, &buf)
		if err != nil {
			t.Fatal(err)
		}
		if st.Orders != 5 || st.Lines != 6 {
			t.Errorf("%s: %d orders, %d lines; want 5 and 6", lang, st.Orders, st.Lines)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		sheets := map[string][]string{"en": {"Orders", "Lines", "KPIs"}, "zh": {"订单", "订单明细", "业绩指标"}}[lang]
		if got := f.GetSheetList(); !reflect.DeepEqual(got, sheets) {
			t.Fatalf("%s sheets %q, want %q", lang, got, sheets)
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6 {
			t.Fatalf("%s: %d order rows, want header + 5", lang, len(rows))
		}
		// Oldest first: SO-2 (placed 2026-11-01 00:30 local).
		first := rows[1]
		wantStatus := map[string]string{"en": "delivered", "zh": "已签收"}[lang]
		if first[0] != "SO-20261101-0001" || first[1] != "2026-11-01 00:30" || first[2] != wantStatus || first[4] != "Bob" || first[8] != "1250" || first[10] != "375" {
			t.Errorf("%s: first order row %q", lang, first)
		}
		lines, _ := f.GetRows(sheets[1])
		if len(lines) != 7 || lines[2][0] != "SO-20261101-0001" || lines[2][2] != "SPARE-SCREWS" || lines[2][5] != "10" || lines[2][8] != "0" {
			t.Errorf("%s: lines %q", lang, lines)
		}
		kpis, _ := f.GetRows(sheets[2])
		if len(kpis) < 2 || kpis[1][1] != "2245" || kpis[1][2] != "455" {
			t.Errorf("%s: KPI sheet %q", lang, kpis)
		}
		if lang == "zh" && kpis[1][0] != "销售额" {
			t.Errorf("zh KPI name %q", kpis[1][0])
		}
		_ = f.Close()
	}
}

func TestCSVParsedBack(t *testing.T) {
	r, _, ctx := setup(t)
	var buf bytes.Buffer
	st, err := r.Export(ctx, manager, orders.ExportRequest{Period: "2026-11", Statuses: []orders.Status{orders.StatusDelivered}}, reports.FormatCSV, "zh", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if st.Orders != 1 {
		t.Errorf("%d orders, want SO-2 alone", st.Orders)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 byte-order mark: %q", b[:min(len(b), 8)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want header + 2 lines", len(rows))
	}
	if rows[0][0] != "订单号" || rows[0][16] != "行号" {
		t.Errorf("header %q", rows[0])
	}
	want := []string{"SO-20261101-0001", "2026-11-01 00:30", "已签收", "已付订金", "Bob", "B Co", "", "rep:7002",
		"1250.00", "375.00", "375.00", "2026-11-01", "2026-11-13", "", "是", "3",
		"1", "DESK-1", "Oak desk", "", "1", "", "1250.00", "1250.00", "否"}
	if !reflect.DeepEqual(rows[1], want) {
		t.Errorf("first line\n got %q\nwant %q", rows[1], want)
	}
	if rows[2][17] != "SPARE-SCREWS" || rows[2][23] != "0.00" || rows[2][24] != "是" {
		t.Errorf("complimentary line %q", rows[2])
	}
}

func TestMessageText(t *testing.T) {
	r, _, ctx := setup(t)
	en, err := r.Report(ctx, manager, "2026-11", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Report, whole desk: 2026-11-01 – 2026-11-30", "compared with 2026-10-01 – 2026-10-31",
		"Sales ¥2,245.00 (+393.4%) · 6 units (-40.0%)", "Orders 3 (+2) · average ¥748.33",
		"Order accuracy 75.0% (-25.0 pts) (3 of 4", "On-time delivery 50.0% (-50.0 pts)", "1 late, on average 2.0 working days",
		"Review: median 1 h 30 min, 90% within 5 h 0 min; 1 took over 4 h 0 min",
		"Cancelled 2 of 5 placed (40.0%): Customer changed mind ×2",
		"Deposits collected ¥375.00 of ¥375.00 · balances ¥398.00 of ¥1,870.00",
		"Satisfaction 4.0 of 5 (2 ratings)", "Top products: Oak desk ¥1,250.00, Office chair ¥995.00",
		"1 overdue · 1 delivered, not paid in full",
	} {
		if !strings.Contains(en.Text, want) {
			t.Errorf("English text lacks %q:\n%s", want, en.Text)
		}
	}
	zh, err := r.Report(ctx, manager, "2026-11", "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"全部门报表：2026年11月1日至11月30日", "销售额 ¥2,245.00", "订单准确率 75.0%", "畅销产品：橡木桌"} {
		if !strings.Contains(zh.Text, want) {
			t.Errorf("Chinese text lacks %q:\n%s", want, zh.Text)
		}
	}
	if len([]rune(en.Text)) > 1024 || len([]rune(zh.Text)) > 1024 {
		t.Errorf("a caption holds at most 1024 characters: en %d, zh %d", len([]rune(en.Text)), len([]rune(zh.Text)))
	}
}

// Complaints appear in the text in both languages and in the KPI sheet.
func TestComplaintsInReport(t *testing.T) {
	s := pgstoretest.New(t)
	pgstoretest.ReportFixture(t, s)
	pgstoretest.ReportComplaintsFixture(t, s)
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, loc)
	r, err := reports.New(orders.NewReports(s, orders.DefaultRules(), orders.WithLocation(loc), orders.WithClock(func() time.Time { return now })))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for lang, want := range map[string]string{
		"en": "Complaints: 3 opened, 3 resolved (2 in time) · answered within 4 working hours: 33.3% (1 of 3), median first answer 1 h 0 min",
		"zh": "投诉：新增 3 件，解决 3 件（按时 2 件） · 4 个工作小时内首次答复 33.3%（1/3），首次答复中位数 1 小时 0 分钟",
	} {
		m, err := r.Report(ctx, manager, "2026-11", lang)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, want) {
			t.Errorf("%s text lacks %q:\n%s", lang, want, m.Text)
		}
	}
	for lang, names := range map[string][]string{
		"en": {"Complaints opened", "Complaints resolved", "Complaints resolved by their deadline", "Complaints answered in time (percent of those due)",
			"First answer to a complaint, median (minutes)", "First answer to a complaint, 90th percentile (minutes)", "Complaints resolved in time (percent of those due)"},
		"zh": {"新增投诉", "已解决投诉", "按时解决的投诉", "投诉按时首次答复率（百分比）", "投诉首次答复用时中位数（分钟）", "投诉首次答复用时第九十百分位（分钟）", "投诉按时解决率（百分比）"},
	} {
		var buf bytes.Buffer
		if _, err := r.Export(ctx, manager, orders.ExportRequest{Period: "2026-11"}, reports.FormatXLSX, lang, &buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		kpis, err := f.GetRows(f.GetSheetList()[2])
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, row := range kpis {
			if len(row) > 0 {
				got[row[0]] = row[1:]
			}
		}
		// this period, the previous one (October: 1 opened, answered in 30 min)
		for i, want := range [][]string{{"3", "1"}, {"3", "0"}, {"2", "0"}, {"33.3", "100"}, {"60", "30"}, {"360", "30"}, {"33.3", "100"}} {
			row := got[names[i]]
			if len(row) < 2 || !strings.HasPrefix(row[0], want[0]) || row[1] != want[1] {
				t.Errorf("%s KPI %q = %q, want %q", lang, names[i], row, want)
			}
		}
		_ = f.Close()
	}
}
