// Package documents renders the order desk's papers as PDF: the order confirmation (sales
// contract), the production schedule, the delivery note and the statement, A4, in Chinese
// or English, from an orders.Order. It knows nothing of Telegram or of storage: notify
// renders, archives and sends them; the command line writes archived ones to files.
//
// The PDFs are made with codeberg.org/go-pdf/fpdf and the embedded WenQuanYi Micro Hei
// font (internal/fonts), subset to the characters used. The same Input gives the same
// bytes: every date printed and the PDF's own dates come from the Input, never the clock.
package documents

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/internal/fonts"
	"github.com/orderbot/orderbot/orders"
)

// MaxSize is the largest document Telegram accepts (50 MB); Render refuses larger ones.
const MaxSize = 50 << 20

// Input is everything one document shows.
type Input struct {
	Kind  string // one of orders.DocumentKinds
	Lang  string // "zh" or "en"
	Order orders.Order
	// Version is the archive's version number; Amended marks a confirmation issued again
	// after a change, AmendedNote says which.
	Version     int
	Amended     bool
	AmendedNote string
	// Acceptance is the customer's Confirm, on the confirmation version that records it;
	// AcceptedSHA256 the SHA-256 of the version they accepted (empty when they accepted the
	// order in the chat, before any document).
	Acceptance     *orders.Acceptance
	AcceptedSHA256 string
	// Payments are the order's payments, for the statement.
	Payments []orders.Payment
	// Issued is the document's date and time (also the PDF's creation date).
	Issued time.Time
}

// Renderer renders documents with the seller's details and terms. It is safe for
// concurrent use.
type Renderer struct {
	settings orders.DocumentSettings
	rules    orders.Rules
	loc      *time.Location
	font     *sfntFont // the embedded font, read once; nil: fpdf reads the whole font
	common   []rune    // characters every document of a language may show, by language
	commonZH []rune
}

// NewRenderer returns a Renderer for the rules (seller, terms, currency, payment methods,
// deposit percentage) in the business time zone loc (nil: UTC).
func NewRenderer(rules orders.Rules, loc *time.Location) *Renderer {
	if loc == nil {
		loc = time.UTC
	}
	r := &Renderer{settings: rules.Documents, rules: rules, loc: loc}
	if f, err := parseSFNT(fonts.WQYMicroHei); err == nil {
		r.font = f
	}
	r.common, r.commonZH = r.commonRunes(i18n.EN), r.commonRunes(i18n.ZH)
	return r
}

// commonRunes are the characters of the texts, settings and numbers a document in lang
// may show.
func (r *Renderer) commonRunes(lang string) []rune {
	var b strings.Builder
	for c := rune(32); c < 127; c++ {
		b.WriteRune(c)
	}
	b.WriteString("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整负年月日（）：；，。、·—…¥" + r.rules.Currency)
	for _, k := range i18n.Keys() {
		if strings.HasPrefix(k, "doc.") || strings.HasPrefix(k, "notice.state.") {
			b.WriteString(i18n.T(lang, k))
		}
	}
	st := r.settings
	s := st.Seller
	for _, v := range []string{s.NameEN, s.NameZH, s.AddressEN, s.AddressZH, s.TaxID, s.BankEN, s.BankZH, s.Account, s.Contact, s.Phone, s.Email} {
		b.WriteString(v)
	}
	for _, t := range append(slices.Clone(st.TermsEN), st.TermsZH...) {
		b.WriteString(t)
	}
	for _, m := range r.rules.PaymentMethods {
		b.WriteString(m.Label(lang))
	}
	return []rune(b.String())
}

// runesOf are the characters the document of in may show: the common ones and the order's.
func (r *Renderer) runesOf(in Input) map[rune]bool {
	set := map[rune]bool{}
	common := r.common
	if in.Lang == i18n.ZH {
		common = r.commonZH
	}
	for _, c := range common {
		set[c] = true
	}
	add := func(ss ...string) {
		for _, s := range ss {
			for _, c := range s {
				set[c] = true
			}
		}
	}
	o := in.Order
	add(o.Number, o.Customer.Name, o.Customer.Company, o.Customer.Phone, o.DeliveryAddress, o.Notes, o.Carrier,
		o.Tracking, o.PaymentMethod, in.AmendedNote, in.AcceptedSHA256)
	for _, l := range o.Lines {
		add(l.SKU, l.DisplayName(in.Lang), l.UnitName(in.Lang), options(l, in.Lang))
	}
	for _, pm := range in.Payments {
		add(pm.Method)
	}
	if a := in.Acceptance; a != nil {
		add(a.Name, a.Key)
	}
	return set
}

// Error says why a document was not made.
type Error struct{ Reason string }

func (e *Error) Error() string { return "document: " + e.Reason }

// Render returns the PDF of in.
func (r *Renderer) Render(in Input) ([]byte, error) {
	if !orders.ValidDocumentKind(in.Kind) {
		return nil, &Error{Reason: "unknown kind " + strconv.Quote(in.Kind)}
	}
	if in.Order.Number == "" {
		return nil, &Error{Reason: "the order has no number"}
	}
	in.Lang = i18n.Normalize(in.Lang)
	if in.Version <= 0 {
		in.Version = 1
	}
	if in.Issued.IsZero() {
		in.Issued = in.Order.CreatedAt
	}
	var runes map[rune]bool
	if r.font != nil {
		runes = r.runesOf(in)
	}
	p := r.draw(in, runes)
	if len(p.missing) > 0 {
		// A character the estimate missed: draw again with it (the result is the same as
		// when it had been there from the start).
		for c := range p.missing {
			runes[c] = true
		}
		p = r.draw(in, runes)
	}
	var buf bytes.Buffer
	if err := p.pdf.Output(&buf); err != nil {
		return nil, &Error{Reason: err.Error()}
	}
	if buf.Len() > MaxSize {
		return nil, &Error{Reason: fmt.Sprintf("%d bytes, more than Telegram's %d", buf.Len(), MaxSize)}
	}
	return buf.Bytes(), nil
}

// Page geometry, in millimetres.
const (
	margin   = 15.0
	pageW    = 210.0
	contentW = pageW - 2*margin
	lineH    = 5.0
	family   = "wqy"
)

// page is one document being drawn.
type page struct {
	r   *Renderer
	in  Input
	o   orders.Order
	pdf *fpdf.Fpdf
	// runes are the characters of the page's font (nil: all); missing those drawn that
	// it lacks.
	runes   map[rune]bool
	missing map[rune]bool
}

// check records the characters of s the page's font lacks.
func (p *page) check(s string) string {
	if p.runes == nil {
		return s
	}
	for _, c := range s {
		if !p.runes[c] && c != '\n' && c != '\r' && c != '\t' {
			if p.missing == nil {
				p.missing = map[rune]bool{}
			}
			p.missing[c] = true
		}
	}
	return s
}

func (p *page) cell(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	p.pdf.CellFormat(w, h, p.check(txt), border, ln, align, fill, link, linkStr)
}

func (p *page) multi(w, h float64, txt, border, align string, fill bool) {
	p.pdf.MultiCell(w, h, p.check(txt), border, align, fill)
}

func (p *page) split(txt string, w float64) []string { return p.pdf.SplitText(p.check(txt), w) }

// draw lays the document out with a font of the characters runes (nil: the whole font).
func (r *Renderer) draw(in Input, runes map[rune]bool) *page {
	p := r.newPage(in, runes)
	switch in.Kind {
	case orders.DocConfirmation:
		p.confirmation()
	case orders.DocProductionSchedule:
		p.productionSchedule()
	case orders.DocDeliveryNote:
		p.deliveryNote()
	case orders.DocStatement:
		p.statement()
	}
	return p
}

func (r *Renderer) newPage(in Input, runes map[rune]bool) *page {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(in.Issued.UTC())
	pdf.SetModificationDate(in.Issued.UTC())
	pdf.SetProducer("orderbot", false)
	if runes != nil {
		list := make([]rune, 0, len(runes))
		for c := range runes {
			list = append(list, c)
		}
		slices.Sort(list)
		pdf.AddUTF8FontFromBytes(family, "", r.font.subset(list))
	} else {
		pdf.AddUTF8FontFromBytes(family, "", fonts.WQYMicroHei)
	}
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, 22)
	pdf.AliasNbPages("{nb}")
	p := &page{r: r, in: in, o: in.Order, pdf: pdf, runes: runes}
	pdf.SetTitle(p.title()+" "+in.Order.Number, true)
	pdf.SetAuthor(p.seller().NameEN, true)
	pdf.SetLang(map[string]string{"zh": "zh-CN", "en": "en"}[in.Lang])
	pdf.SetFooterFunc(p.footer)
	pdf.AddPage()
	return p
}

func (p *page) t(key string, args ...any) string { return i18n.T(p.in.Lang, key, args...) }

func (p *page) money(d decimal.Decimal) string { return i18n.Money(p.r.rules.Currency, d) }

func (p *page) zh() bool { return p.in.Lang == i18n.ZH }

// date writes d as 2026年12月1日 or 1 Dec 2026.
func (p *page) date(d orders.Date) string {
	if d.IsZero() {
		return "—"
	}
	if p.zh() {
		return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
	}
	return d.Time(time.UTC).Format("2 Jan 2006")
}

func (p *page) dateOf(t time.Time) string { return p.date(orders.DateOf(t.In(p.r.loc))) }

func (p *page) timeOf(t time.Time) string {
	lt := t.In(p.r.loc)
	return p.dateOf(t) + " " + lt.Format("15:04 MST")
}

func (p *page) seller() orders.Seller { return p.r.settings.Seller }

func (p *page) title() string { return p.t("doc.title." + p.in.Kind) }

func (p *page) font(size float64) { p.pdf.SetFont(family, "", size) }

// header draws the seller's letterhead, the title and the document's particulars.
func (p *page) header() {
	s := p.seller()
	pdf := p.pdf
	p.font(15)
	pdf.SetTextColor(20, 40, 90)
	p.cell(contentW, 8, orders.Pick(p.in.Lang, s.NameEN, s.NameZH), "", 1, "L", false, 0, "")
	p.font(8)
	pdf.SetTextColor(90, 90, 90)
	var parts []string
	for _, v := range []string{orders.Pick(p.in.Lang, s.AddressEN, s.AddressZH), s.Phone, s.Email} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	p.cell(contentW, 4, strings.Join(parts, "  ·  "), "", 1, "L", false, 0, "")
	pdf.SetDrawColor(20, 40, 90)
	pdf.SetLineWidth(0.5)
	y := pdf.GetY() + 1
	pdf.Line(margin, y, pageW-margin, y)
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetY(y + 3)
	title := p.title()
	if p.in.Amended {
		title += "  " + p.bracket(p.t("doc.amended"))
	}
	p.font(17)
	p.cell(contentW, 9, title, "", 1, "C", false, 0, "")
	pdf.Ln(2)
}

func (p *page) colon() string {
	if p.zh() {
		return "："
	}
	return ": "
}

func (p *page) bracket(s string) string {
	if p.zh() {
		return "（" + s + "）"
	}
	return "(" + s + ")"
}

// facts draws label–value pairs in two columns.
func (p *page) facts(pairs [][2]string) {
	pdf := p.pdf
	p.font(9)
	colW := contentW / 2
	labelW := 28.0
	for i := 0; i < len(pairs); i += 2 {
		y := pdf.GetY()
		h := lineH
		for j := 0; j < 2 && i+j < len(pairs); j++ {
			x := margin + float64(j)*colW
			pdf.SetXY(x, y)
			pdf.SetTextColor(90, 90, 90)
			p.cell(labelW, lineH, pairs[i+j][0], "", 0, "L", false, 0, "")
			pdf.SetTextColor(0, 0, 0)
			pdf.SetXY(x+labelW, y)
			p.multi(colW-labelW-2, lineH, pairs[i+j][1], "", "L", false)
			h = max(h, pdf.GetY()-y)
		}
		pdf.SetXY(margin, y+h)
	}
	pdf.Ln(2)
}

// section draws a heading.
func (p *page) section(title string) {
	pdf := p.pdf
	pdf.Ln(1)
	p.font(10.5)
	pdf.SetFillColor(232, 237, 246)
	p.cell(contentW, 6.5, " "+title, "", 1, "L", true, 0, "")
	pdf.Ln(1.5)
}

// parties draws two boxes side by side: each a heading and label–value lines.
func (p *page) parties(left, right string, l, r [][2]string) {
	pdf := p.pdf
	y0 := pdf.GetY()
	colW := (contentW - 4) / 2
	bottom := y0
	for i, side := range []struct {
		title string
		rows  [][2]string
	}{{left, l}, {right, r}} {
		x := margin + float64(i)*(colW+4)
		pdf.SetXY(x, y0)
		p.font(10.5)
		pdf.SetFillColor(232, 237, 246)
		p.cell(colW, 6.5, " "+side.title, "", 1, "L", true, 0, "")
		p.font(8.5)
		for _, row := range side.rows {
			if row[1] == "" {
				continue
			}
			y := pdf.GetY()
			pdf.SetXY(x+1, y)
			pdf.SetTextColor(90, 90, 90)
			p.cell(24, 4.5, row[0], "", 0, "L", false, 0, "")
			pdf.SetTextColor(0, 0, 0)
			pdf.SetXY(x+25, y)
			p.multi(colW-26, 4.5, row[1], "", "L", false)
		}
		bottom = max(bottom, pdf.GetY())
	}
	pdf.SetXY(margin, bottom+3)
}

func (p *page) sellerRows() [][2]string {
	s := p.seller()
	contact := s.Contact
	if s.Phone != "" {
		contact = strings.TrimSpace(contact + "  " + s.Phone)
	}
	return [][2]string{
		{p.t("doc.company"), orders.Pick(p.in.Lang, s.NameEN, s.NameZH)},
		{p.t("doc.address"), orders.Pick(p.in.Lang, s.AddressEN, s.AddressZH)},
		{p.t("doc.tax_id"), s.TaxID},
		{p.t("doc.bank"), orders.Pick(p.in.Lang, s.BankEN, s.BankZH)},
		{p.t("doc.account"), s.Account},
		{p.t("doc.contact"), contact},
	}
}

func (p *page) buyerRows() [][2]string {
	c := p.o.Customer
	return [][2]string{
		{p.t("doc.customer"), c.Name},
		{p.t("doc.company"), c.Company},
		{p.t("doc.phone"), c.Phone},
		{p.t("doc.delivery_addr"), p.o.DeliveryAddress},
	}
}

// column is one column of a table.
type column struct {
	title string
	w     float64
	align string // "L", "R", "C"
}

// table draws a header row and rows whose cells wrap within their column.
func (p *page) table(cols []column, rows [][]string) {
	pdf := p.pdf
	const cellH = 4.6
	p.font(8.5)
	head := func() {
		pdf.SetFillColor(20, 40, 90)
		pdf.SetTextColor(255, 255, 255)
		for _, c := range cols {
			p.cell(c.w, 6.5, c.title, "1", 0, "C", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetTextColor(0, 0, 0)
	}
	head()
	_, pageH := pdf.GetPageSize()
	for i, row := range rows {
		lines := make([][]string, len(cols))
		n := 1
		for j, c := range cols {
			lines[j] = p.split(row[j], c.w-2)
			if len(lines[j]) == 0 {
				lines[j] = []string{""}
			}
			n = max(n, len(lines[j]))
		}
		h := float64(n)*cellH + 1.6
		if pdf.GetY()+h > pageH-24 {
			pdf.AddPage()
			head()
		}
		y := pdf.GetY()
		x := margin
		if i%2 == 1 {
			pdf.SetFillColor(246, 247, 250)
			pdf.Rect(margin, y, contentW, h, "F")
		}
		for j, c := range cols {
			pdf.Rect(x, y, c.w, h, "D")
			for k, l := range lines[j] {
				pdf.SetXY(x+1, y+0.8+float64(k)*cellH)
				p.cell(c.w-2, cellH, l, "", 0, c.align, false, 0, "")
			}
			x += c.w
		}
		pdf.SetXY(margin, y+h)
	}
	pdf.Ln(2)
}

// lineName is a line's product name in the document's language as the catalog named it
// when the order was placed, marked when complimentary.
func (p *page) lineName(l orders.Line) string {
	name := l.DisplayName(p.in.Lang)
	if l.Complimentary {
		return name + " " + p.bracket(p.t("doc.free"))
	}
	return name
}

// unit is the line's unit in the document's language, as the catalog named it then.
func (p *page) unit(l orders.Line) string { return l.UnitName(p.in.Lang) }

// options are the line's option values in lang, as the catalog named them when the order
// was placed (黑色 / M). A yes-or-no value reads with its option's name (写字板：要,
// writing board: yes), which alone would say nothing.
func options(l orders.Line, lang string) string {
	labels := l.VariantLabels(lang)
	for i, kv := range strings.Split(string(l.Variant), ";") {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || i >= len(labels) || (val != "yes" && val != "no") {
			continue
		}
		if _, found := i18n.Lookup("option." + name); found {
			sep := ": "
			if lang == i18n.ZH {
				sep = "："
			}
			labels[i] = i18n.T(lang, "option."+name) + sep + labels[i]
		}
	}
	return strings.Join(labels, " / ")
}

// pricedLines draws the order's lines with prices and amounts.
func (p *page) pricedLines() {
	cols := []column{
		{p.t("doc.col.no"), 9, "C"}, {p.t("doc.col.sku"), 29, "L"}, {p.t("doc.col.name"), 44, "L"},
		{p.t("doc.col.options"), 28, "L"}, {p.t("doc.col.qty"), 14, "R"}, {p.t("doc.col.unit"), 12, "C"},
		{p.t("doc.col.price"), 21, "R"}, {p.t("doc.col.amount"), 23, "R"},
	}
	rows := make([][]string, 0, len(p.o.Lines))
	for i, l := range p.o.Lines {
		amount := p.money(l.Amount())
		if l.Complimentary {
			amount = p.t("doc.free")
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), l.SKU, p.lineName(l), options(l, p.in.Lang), strconv.Itoa(l.Quantity),
			p.unit(l), p.money(l.UnitPrice), amount})
	}
	p.table(cols, rows)
}

// amountLine draws a right-aligned label and amount, and for Chinese the amount in
// capital numerals under it.
func (p *page) amountLine(label string, d decimal.Decimal, wordsKey string) {
	p.font(10.5)
	p.cell(contentW-45, 6, label, "", 0, "R", false, 0, "")
	p.cell(45, 6, p.money(d), "", 1, "R", false, 0, "")
	if p.zh() && wordsKey != "" {
		p.font(9.5)
		p.cell(contentW, 5.5, p.t(wordsKey)+p.colon()+ChineseCapital(d), "", 1, "R", false, 0, "")
	}
}

// paragraph draws wrapped text.
func (p *page) paragraph(size float64, text string) {
	p.font(size)
	p.multi(contentW, size*0.5, text, "", "L", false)
}

// signatures draws signature boxes side by side: each a title and, inside, either text (an
// electronic acceptance) or blank lines for a signature and the date.
func (p *page) signatures(boxes ...[2]string) {
	pdf := p.pdf
	_, pageH := pdf.GetPageSize()
	const h = 30.0
	if pdf.GetY()+h+8 > pageH-24 {
		pdf.AddPage()
	}
	pdf.Ln(3)
	y := pdf.GetY()
	gap := 6.0
	w := (contentW - gap*float64(len(boxes)-1)) / float64(len(boxes))
	for i, b := range boxes {
		x := margin + float64(i)*(w+gap)
		pdf.Rect(x, y, w, h, "D")
		pdf.SetXY(x+2, y+1.5)
		p.font(9)
		p.cell(w-4, 5, b[0], "", 2, "L", false, 0, "")
		if b[1] != "" {
			pdf.SetXY(x+2, y+8)
			p.font(8)
			p.multi(w-4, 4, b[1], "", "L", false)
			continue
		}
		p.font(8.5)
		pdf.SetDrawColor(150, 150, 150)
		pdf.Line(x+4, y+20, x+w-4, y+20)
		pdf.SetXY(x+2, y+22.5)
		p.cell(w-4, 4.5, p.t("doc.sign.date")+p.colon(), "", 0, "L", false, 0, "")
		pdf.SetDrawColor(120, 120, 120)
	}
	pdf.SetXY(margin, y+h+3)
}

// footer draws the order number, document, version and page on every page, and on a
// confirmation that records the acceptance, the SHA-256 of the accepted version.
func (p *page) footer() {
	pdf := p.pdf
	pdf.SetY(-17)
	p.font(7.5)
	pdf.SetTextColor(110, 110, 110)
	if p.in.AcceptedSHA256 != "" {
		p.cell(contentW, 4, p.t("doc.footer_hash", p.in.AcceptedSHA256), "", 1, "C", false, 0, "")
	}
	p.cell(contentW, 4, p.t("doc.footer", p.o.Number, p.title(), p.t("doc.version_value", p.in.Version),
		pdf.PageNo(), "{nb}"), "", 1, "C", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
}

// particulars are the facts every document starts with.
func (p *page) particulars(extra ...[2]string) {
	ver := p.t("doc.version_value", p.in.Version)
	if p.in.Amended {
		ver += " " + p.bracket(p.t("doc.amended"))
	} else if p.in.Acceptance != nil {
		ver += " " + p.bracket(p.t("doc.accepted"))
	}
	pairs := [][2]string{
		{p.t("doc.order_no"), p.o.Number},
		{p.t("doc.issued"), p.dateOf(p.in.Issued)},
		{p.t("doc.order_date"), p.dateOf(p.o.CreatedAt)},
		{p.t("doc.version"), ver},
	}
	p.facts(append(pairs, extra...))
}

// deliveryDate is the promised date, or the estimate marked as such.
func (p *page) deliveryDate() string {
	switch {
	case !p.o.PromisedDate.IsZero():
		return p.date(p.o.PromisedDate)
	case !p.o.EstimatedDate.IsZero():
		return p.t("doc.delivery_est", p.date(p.o.EstimatedDate))
	}
	return p.t("doc.delivery_none")
}

func (p *page) paymentMethod(code string) string {
	if m, ok := p.r.rules.PaymentMethod(code); ok {
		return m.Label(p.in.Lang)
	}
	return code
}

func (p *page) confirmation() {
	p.header()
	p.particulars()
	if p.in.Amended && p.in.AmendedNote != "" {
		p.font(9)
		p.pdf.SetTextColor(160, 30, 30)
		p.paragraph(9, p.t("doc.amended_note", p.in.AmendedNote))
		p.pdf.SetTextColor(0, 0, 0)
		p.pdf.Ln(2)
	}
	p.parties(p.t("doc.seller"), p.t("doc.buyer"), p.sellerRows(), p.buyerRows())
	p.pricedLines()
	p.amountLine(p.t("doc.total"), p.o.Total, "doc.total_words")
	p.pdf.Ln(2)
	terms := p.t("doc.terms_full", p.money(p.o.Total))
	if p.o.DepositDue.IsPositive() && p.o.DepositDue.LessThan(p.o.Total) {
		terms = p.t("doc.terms_deposit", p.money(p.o.DepositDue), p.money(p.o.Total.Sub(p.o.DepositDue)))
	}
	pairs := [][2]string{
		{p.t("doc.delivery"), p.deliveryDate()},
		{p.t("doc.payment_method"), p.paymentMethod(p.o.PaymentMethod)},
		{p.t("doc.deposit"), p.money(p.o.DepositDue)},
		{p.t("doc.payment_terms"), terms},
	}
	if p.o.Notes != "" {
		pairs = append(pairs, [2]string{p.t("doc.notes"), p.o.Notes})
	}
	p.wideFacts(pairs)
	clauses := p.r.settings.TermsEN
	if p.zh() {
		clauses = p.r.settings.TermsZH
	}
	if len(clauses) > 0 {
		p.section(p.t("doc.terms"))
		for i, c := range clauses {
			p.paragraph(8.5, strconv.Itoa(i+1)+". "+c)
			p.pdf.Ln(0.8)
		}
	}
	buyer := ""
	if a := p.in.Acceptance; a != nil {
		buyer = p.t("doc.sign.accepted", a.Name, a.TelegramID, p.timeOf(a.At), a.Key)
		if p.in.AcceptedSHA256 != "" {
			buyer += "\n" + p.t("doc.sign.accepted_doc", p.in.AcceptedSHA256)
		}
	}
	p.signatures([2]string{p.t("doc.sign.seller"), ""}, [2]string{p.t("doc.sign.buyer"), buyer})
}

// wideFacts draws label–value pairs one per line, the value wrapping across the page.
func (p *page) wideFacts(pairs [][2]string) {
	pdf := p.pdf
	p.font(9)
	labelW := 30.0
	for _, kv := range pairs {
		labelW = max(labelW, p.pdf.GetStringWidth(kv[0])+4)
	}
	for _, kv := range pairs {
		y := pdf.GetY()
		pdf.SetTextColor(90, 90, 90)
		p.cell(labelW, lineH, kv[0], "", 0, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.SetXY(margin+labelW, y)
		p.multi(contentW-labelW, lineH, kv[1], "", "L", false)
	}
	pdf.Ln(1)
}

func (p *page) productionSchedule() {
	p.header()
	c := p.o.Customer
	customer := c.Name
	if c.Company != "" {
		customer += " · " + c.Company
	}
	p.particulars([2]string{p.t("doc.customer"), customer}, [2]string{p.t("doc.promised"), p.deliveryDate()})
	cols := []column{
		{p.t("doc.col.no"), 10, "C"}, {p.t("doc.col.sku"), 32, "L"}, {p.t("doc.col.name"), 56, "L"},
		{p.t("doc.col.options"), 42, "L"}, {p.t("doc.col.qty"), 20, "R"}, {p.t("doc.col.unit"), 20, "C"},
	}
	var produce, stock [][]string
	for _, l := range p.o.Lines {
		row := []string{"", l.SKU, p.lineName(l), options(l, p.in.Lang), strconv.Itoa(l.Quantity), p.unit(l)}
		if l.FromStock || l.Complimentary {
			row[0] = strconv.Itoa(len(stock) + 1)
			stock = append(stock, row)
		} else {
			row[0] = strconv.Itoa(len(produce) + 1)
			produce = append(produce, row)
		}
	}
	p.section(p.t("doc.prod.produce"))
	p.table(cols, produce)
	if len(stock) > 0 {
		p.section(p.t("doc.prod.stock"))
		p.table(cols, stock)
	}
	if p.o.Notes != "" {
		p.wideFacts([][2]string{{p.t("doc.notes"), p.o.Notes}})
	}
	p.signatures([2]string{p.t("doc.prod.sign"), ""}, [2]string{p.t("doc.prod.received"), ""})
}

func (p *page) deliveryNote() {
	p.header()
	shipped := p.in.Issued
	for _, h := range p.o.History {
		if h.To == orders.StatusShipped {
			shipped = h.At
		}
	}
	p.particulars(
		[2]string{p.t("doc.ship.date"), p.dateOf(shipped)},
		[2]string{p.t("doc.ship.carrier"), p.o.Carrier},
		[2]string{p.t("doc.ship.tracking"), p.o.Tracking},
	)
	p.parties(p.t("doc.seller"), p.t("doc.consignee"), p.sellerRows()[:1], p.buyerRows())
	cols := []column{
		{p.t("doc.col.no"), 10, "C"}, {p.t("doc.col.sku"), 32, "L"}, {p.t("doc.col.name"), 56, "L"},
		{p.t("doc.col.options"), 38, "L"}, {p.t("doc.col.qty"), 18, "R"}, {p.t("doc.col.unit"), 26, "C"},
	}
	rows := make([][]string, 0, len(p.o.Lines))
	units := 0
	for i, l := range p.o.Lines {
		rows = append(rows, []string{strconv.Itoa(i + 1), l.SKU, p.lineName(l), options(l, p.in.Lang), strconv.Itoa(l.Quantity), p.unit(l)})
		units += l.Quantity
	}
	p.table(cols, rows)
	p.font(10)
	p.cell(contentW, 6, p.t("doc.total_qty")+p.colon()+strconv.Itoa(units), "", 1, "R", false, 0, "")
	p.pdf.Ln(2)
	p.paragraph(9, p.t("doc.ship.receipt"))
	p.signatures([2]string{p.t("doc.ship.shipper"), ""}, [2]string{p.t("doc.ship.receiver"), ""})
}

func (p *page) statement() {
	p.header()
	p.particulars([2]string{p.t("doc.status"), i18n.T(p.in.Lang, "notice.state."+string(p.o.Status))})
	p.parties(p.t("doc.seller"), p.t("doc.buyer"), p.sellerRows(), p.buyerRows())
	p.pricedLines()
	p.amountLine(p.t("doc.total"), p.o.Total, "doc.total_words")
	p.section(p.t("doc.stmt.payments"))
	paid := decimal.Zero
	if len(p.in.Payments) == 0 {
		p.paragraph(9, p.t("doc.stmt.none"))
		p.pdf.Ln(2)
	} else {
		cols := []column{{p.t("doc.col.no"), 12, "C"}, {p.t("doc.col.date"), 50, "L"}, {p.t("doc.col.method"), 70, "L"}, {p.t("doc.col.amount"), 48, "R"}}
		rows := make([][]string, 0, len(p.in.Payments))
		for i, pm := range p.in.Payments {
			rows = append(rows, []string{strconv.Itoa(i + 1), p.dateOf(pm.At), p.paymentMethod(pm.Method), p.money(pm.Amount)})
			paid = paid.Add(pm.Amount)
		}
		p.table(cols, rows)
	}
	p.amountLine(p.t("doc.stmt.paid"), paid, "")
	balance := p.o.Total.Sub(paid)
	p.amountLine(p.t("doc.stmt.balance"), balance, "doc.stmt.balance_words")
	p.pdf.Ln(2)
	if balance.IsPositive() {
		s := p.seller()
		p.wideFacts([][2]string{{p.t("doc.stmt.pay_to"), strings.Join(nonEmpty(orders.Pick(p.in.Lang, s.NameEN, s.NameZH),
			orders.Pick(p.in.Lang, s.BankEN, s.BankZH), s.Account), " · ")}})
	}
	pdf := p.pdf
	pdf.Ln(2)
	pdf.SetDrawColor(160, 30, 30)
	pdf.SetTextColor(160, 30, 30)
	p.font(9.5)
	p.multi(contentW, 5.5, p.t("doc.stmt.not_invoice"), "1", "C", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetDrawColor(120, 120, 120)
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
