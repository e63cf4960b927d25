package reports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// The columns of the exports, in order. The CSV has one row per order line: the order's
// columns, then the line's.
var (
	orderColumns = []string{"number", "created", "status", "payment_status", "customer", "company", "rep", "source",
		"total", "deposit_due", "paid", "wanted", "promised", "method", "modified", "rating"}
	lineColumns = []string{"position", "sku", "name", "variant", "quantity", "unit", "unit_price", "amount", "complimentary"}
)

// labels are the translated words an export repeats on every row, looked up once.
type labels struct {
	lang    string
	status  map[orders.Status]string
	payment map[orders.PaymentStatus]string
	yes, no string
}

func newLabels(lang string) *labels {
	lb := &labels{lang: lang, status: map[orders.Status]string{}, payment: map[orders.PaymentStatus]string{},
		yes: i18n.T(lang, "yes"), no: i18n.T(lang, "no")}
	for _, st := range orders.Statuses {
		lb.status[st] = i18n.T(lang, "status."+string(st))
	}
	for _, ps := range orders.PaymentStatuses {
		lb.payment[ps] = i18n.T(lang, "payment."+string(ps))
	}
	return lb
}

func (lb *labels) statusOf(s orders.Status) string {
	if v, ok := lb.status[s]; ok {
		return v
	}
	return i18n.T(lb.lang, "status."+string(s))
}

func (lb *labels) paymentOf(p orders.PaymentStatus) string {
	if v, ok := lb.payment[p]; ok {
		return v
	}
	return i18n.T(lb.lang, "payment."+string(p))
}

func (lb *labels) yesNo(b bool) string {
	if b {
		return lb.yes
	}
	return lb.no
}

// moneyCell is an amount as decimal text, or as a number (xlsx).
func moneyCell(d decimal.Decimal, numbers bool) any {
	if numbers {
		// amounts with at most two decimals (what the database stores): cents ÷ 100 in
		// floating point is the double nearest the decimal, as parsing its text is
		if e := d.Exponent(); e >= -2 && e <= 0 {
			cents := d.CoefficientInt64()
			for ; e > -2; e-- {
				cents *= 10
			}
			if cents > -1<<53 && cents < 1<<53 {
				return float64(cents) / 100
			}
		}
	}
	s := d.StringFixed(2)
	if numbers {
		f, _ := strconv.ParseFloat(s, 64)
		return f
	}
	return s
}

// orderCells appends an order's values in orderColumns' order to dst; money as decimal
// text or numbers (xlsx).
func (r *Reports) orderCells(dst []any, o orders.Order, lb *labels, numbers bool) []any {
	rep := ""
	if o.Rep != 0 {
		rep = strconv.FormatInt(o.Rep, 10)
	}
	rating := any("")
	if o.Rating > 0 {
		rating = o.Rating
	}
	return append(dst,
		o.Number, o.CreatedAt.In(r.location()).Format("2006-01-02 15:04"),
		lb.statusOf(o.Status), lb.paymentOf(o.PaymentStatus),
		o.Customer.Name, o.Customer.Company, rep, o.Source,
		moneyCell(o.Total, numbers), moneyCell(o.DepositDue, numbers), moneyCell(o.Paid, numbers),
		o.WantedDate.String(), o.PromisedDate.String(), o.PaymentMethod, lb.yesNo(o.Modified), rating,
	)
}

// lineCells appends the values of an order's i-th line in lineColumns' order to dst.
func (r *Reports) lineCells(dst []any, i int, l orders.Line, lb *labels, numbers bool) []any {
	return append(dst, i+1, l.SKU, l.Name, string(l.Variant), l.Quantity, l.Unit,
		moneyCell(l.UnitPrice, numbers), moneyCell(l.Amount(), numbers), lb.yesNo(l.Complimentary))
}

// blanksNil turns the empty texts of an xlsx row into nil: excelize writes no cell for
// them, which reads back as the same empty value.
func blanksNil(row []any) []any {
	for i, v := range row {
		if s, ok := v.(string); ok && s == "" {
			row[i] = nil
		}
	}
	return row
}

func headers(lang string, cols ...[]string) []string {
	var out []string
	for _, cs := range cols {
		for _, c := range cs {
			out = append(out, i18n.T(lang, "col."+c))
		}
	}
	return out
}

// --- CSV ---

// utf8BOM starts the CSV so that Excel reads it as UTF-8 (Chinese names stay readable).
const utf8BOM = "\uFEFF"

type csvWriter struct {
	r      *Reports
	lang   string
	lb     *labels
	cells  []any
	bw     *bufio.Writer
	w      *csv.Writer
	header bool
	row    []string
}

func newCSVWriter(w io.Writer, r *Reports, lang string) *csvWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &csvWriter{r: r, lang: lang, lb: newLabels(lang), bw: bw, w: csv.NewWriter(bw)}
}

func (c *csvWriter) start() error {
	if c.header {
		return nil
	}
	c.header = true
	if _, err := c.bw.WriteString(utf8BOM); err != nil {
		return err
	}
	return c.w.Write(headers(c.lang, orderColumns, lineColumns))
}

func (c *csvWriter) write(o orders.Order) error {
	if err := c.start(); err != nil {
		return err
	}
	oc := c.r.orderCells(c.cells[:0], o, c.lb, false)
	n := len(oc)
	for i, l := range o.Lines {
		c.row = c.row[:0]
		oc = c.r.lineCells(oc[:n], i, l, c.lb, false)
		for _, v := range oc {
			c.row = append(c.row, fmt.Sprint(v))
		}
		if err := c.w.Write(c.row); err != nil {
			return err
		}
	}
	c.cells = oc
	return nil
}

func (c *csvWriter) flush() error {
	if err := c.start(); err != nil {
		return err
	}
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// --- XLSX ---

// xlsxWriter streams the orders and lines sheets row by row (excelize's StreamWriter keeps
// finished rows in a temporary file, not in memory), then adds the KPI sheet.
type xlsxWriter struct {
	r      *Reports
	lang   string
	lb     *labels
	row    []any
	f      *excelize.File
	orders *excelize.StreamWriter
	lines  *excelize.StreamWriter
	oRow   int
	lRow   int
	err    error
}

func newXLSXWriter(r *Reports, lang string) *xlsxWriter {
	x := &xlsxWriter{r: r, lang: lang, lb: newLabels(lang), f: excelize.NewFile(), oRow: 1, lRow: 1}
	ordersSheet, linesSheet := i18n.T(lang, "sheet.orders"), i18n.T(lang, "sheet.lines")
	if x.err = x.f.SetSheetName("Sheet1", ordersSheet); x.err != nil {
		return x
	}
	if _, x.err = x.f.NewSheet(linesSheet); x.err != nil {
		return x
	}
	if x.orders, x.err = x.f.NewStreamWriter(ordersSheet); x.err != nil {
		return x
	}
	if x.lines, x.err = x.f.NewStreamWriter(linesSheet); x.err != nil {
		return x
	}
	_ = x.orders.SetColWidth(1, 1, 20)
	_ = x.lines.SetColWidth(1, 1, 20)
	x.err = x.header(x.orders, &x.oRow, headers(lang, orderColumns))
	if x.err == nil {
		x.err = x.header(x.lines, &x.lRow, headers(lang, []string{"number"}, lineColumns))
	}
	return x
}

func (x *xlsxWriter) header(sw *excelize.StreamWriter, row *int, names []string) error {
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = excelize.Cell{Value: n}
	}
	err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 18})
	*row = 2
	return err
}

func (x *xlsxWriter) write(o orders.Order) error {
	if x.err != nil {
		return x.err
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.oRow)
	x.row = blanksNil(x.r.orderCells(x.row[:0], o, x.lb, true))
	if err := x.orders.SetRow(cell, x.row); err != nil {
		return err
	}
	x.oRow++
	for i, l := range o.Lines {
		cell, _ := excelize.CoordinatesToCellName(1, x.lRow)
		x.row = blanksNil(x.r.lineCells(append(x.row[:0], o.Number), i, l, x.lb, true))
		if err := x.lines.SetRow(cell, x.row); err != nil {
			return err
		}
		x.lRow++
	}
	return nil
}

// kpis adds the KPI sheet: each figure of the period beside the previous period's.
func (x *xlsxWriter) kpis(rep orders.Report) error {
	if x.err != nil {
		return x.err
	}
	name := i18n.T(x.lang, "sheet.kpis")
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	_ = sw.SetColWidth(1, 1, 40)
	_ = sw.SetColWidth(2, 4, 16)
	t := func(k string) string { return i18n.T(x.lang, k) }
	rows := [][]any{
		{t("col.kpi"), t("col.current") + " " + periodLabel(rep.Period, x.lang), t("col.previous") + " " + periodLabel(rep.Previous, x.lang), t("col.change")},
	}
	for _, k := range KPIRows(rep.Current, rep.Prior) {
		rows = append(rows, []any{t("kpi." + k.Key), cellValue(k.Current), cellValue(k.Previous), cellValue(k.Change)})
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func cellValue(v *float64) any {
	if v == nil {
		return ""
	}
	return *v
}

func (x *xlsxWriter) finish(w io.Writer) error {
	if x.err != nil {
		return x.err
	}
	if err := x.orders.Flush(); err != nil {
		return err
	}
	if err := x.lines.Flush(); err != nil {
		return err
	}
	// excelize assembles the archive in a buffer the size of the file unless it is given
	// the zip writer: this one writes the archive straight to w (the sheets come from
	// excelize's temporary files), so an export of any size holds no copy of the file.
	var zw *zip.Writer
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw = zip.NewWriter(w)
		// the fastest deflate: the sheets are most of an export's work, and XML packs well
		// at any level
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	var discard bytes.Buffer
	if _, err := x.f.WriteTo(&discard); err != nil {
		return err
	}
	if zw == nil || discard.Len() != 0 {
		return fmt.Errorf("xlsx: the workbook was not written through the zip writer")
	}
	return nil
}

func (x *xlsxWriter) close() { _ = x.f.Close() }

// KPIRow is one KPI of a period beside the previous period's, and the change (percent
// for amounts and counts, points for rates); nil where there is no value.
type KPIRow struct {
	Key      string // i18n "kpi.<Key>"
	Current  *float64
	Previous *float64
	Change   *float64
}

// KPIRows lists the KPIs of cur beside prev, in the order the KPI sheet shows them.
func KPIRows(cur, prev orders.Figures) []KPIRow {
	num := func(v float64) *float64 { return &v }
	dec := func(d interface{ Float64() (float64, bool) }) *float64 { f, _ := d.Float64(); return &f }
	rt := func(r orders.Rate) *float64 {
		if v, ok := r.Value(); ok {
			return num(v * 100)
		}
		return nil
	}
	change := func(c, p *float64, points bool) *float64 {
		if c == nil || p == nil {
			return nil
		}
		if points {
			return num(*c - *p)
		}
		if *p == 0 {
			return nil
		}
		return num((*c - *p) / *p * 100)
	}
	row := func(key string, c, p *float64, points bool) KPIRow {
		return KPIRow{Key: key, Current: c, Previous: p, Change: change(c, p, points)}
	}
	minutes := func(d interface{ Minutes() float64 }) *float64 { return num(d.Minutes()) }
	return []KPIRow{
		row("sales", dec(cur.Sales), dec(prev.Sales), false),
		row("units", num(float64(cur.Units)), num(float64(prev.Units)), false),
		row("orders", num(float64(cur.Orders)), num(float64(prev.Orders)), false),
		row("average", dec(cur.AverageOrder), dec(prev.AverageOrder), false),
		row("accuracy", rt(cur.Accuracy), rt(prev.Accuracy), true),
		row("ontime", rt(cur.OnTime), rt(prev.OnTime), true),
		row("delay", num(cur.AverageDelay), num(prev.AverageDelay), false),
		row("review_median", minutes(cur.ReviewMedian), minutes(prev.ReviewMedian), false),
		row("review_p90", minutes(cur.ReviewP90), minutes(prev.ReviewP90), false),
		row("review_over", num(float64(cur.ReviewOverSLA)), num(float64(prev.ReviewOverSLA)), false),
		row("cancel_rate", rt(cur.Cancellation), rt(prev.Cancellation), true),
		row("deposit_due", dec(cur.DepositDue), dec(prev.DepositDue), false),
		row("deposit_collected", dec(cur.DepositCollected), dec(prev.DepositCollected), false),
		row("balance_due", dec(cur.BalanceDue), dec(prev.BalanceDue), false),
		row("balance_collected", dec(cur.BalanceCollected), dec(prev.BalanceCollected), false),
		row("satisfaction", num(cur.Satisfaction), num(prev.Satisfaction), false),
		row("rated", num(float64(cur.Rated)), num(float64(prev.Rated)), false),
		row("complaints_opened", num(float64(cur.Complaints.Opened)), num(float64(prev.Complaints.Opened)), false),
		row("complaints_resolved", num(float64(cur.Complaints.Resolved)), num(float64(prev.Complaints.Resolved)), false),
		row("complaints_resolved_in_time", num(float64(cur.Complaints.ResolvedInTime)), num(float64(prev.Complaints.ResolvedInTime)), false),
		row("complaint_response_rate", rt(cur.Complaints.Response), rt(prev.Complaints.Response), true),
		row("complaint_response_median", minutes(cur.Complaints.ResponseMedian), minutes(prev.Complaints.ResponseMedian), false),
		row("complaint_response_p90", minutes(cur.Complaints.ResponseP90), minutes(prev.Complaints.ResponseP90), false),
		row("complaint_resolution_rate", rt(cur.Complaints.Resolution), rt(prev.Complaints.Resolution), true),
	}
}
