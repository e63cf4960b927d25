package conversation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

func (st *step) askSummary() error {
	return st.summary(st.e.desk.Quote)
}

// summary shows the draft's summary with the quote that quote makes.
func (st *step) summary(quote func(context.Context, orders.Draft) (orders.Quote, error)) error {
	d := st.s.Draft
	q, err := quote(st.ctx, *d)
	if err != nil {
		return st.quoteFailed(err)
	}
	d.Seen = q.Fingerprint()
	st.say(st.summaryText(q),
		[]Button{st.btn("btn.confirm", "confirm")},
		[]Button{st.btn("btn.edit", "edit"), st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) summaryText(q orders.Quote) string {
	d := st.s.Draft
	var b strings.Builder
	b.WriteString(st.t("summary.title") + "\n\n")
	b.WriteString(st.cartText(q))
	b.WriteString("\n\n")
	b.WriteString(st.field("field.contact", st.comma(st.s.Name, st.s.Phone)) + "\n")
	b.WriteString(st.field("field.address", d.Address) + "\n")
	b.WriteString(st.field("field.date", st.date(d.WantedDate)) + "\n")
	switch {
	case q.NeedsReview && q.EstimatedDate.IsZero():
		b.WriteString(st.t("summary.date.custom") + "\n")
	case q.NeedsReview:
		b.WriteString(st.t("summary.date.estimate", st.date(q.EstimatedDate)) + "\n")
	default:
		b.WriteString(st.t("summary.date.promised", st.date(d.WantedDate)) + "\n")
	}
	b.WriteString(st.field("field.payment", st.methodName(d.PaymentMethod)) + "\n")
	custom := false
	for _, ql := range q.Lines {
		custom = custom || !ql.Product.Standard
	}
	if line := st.depositLine(q.DepositDue, orders.StatusPendingReview, custom); line != "" {
		b.WriteString(line + "\n")
	}
	if d.Notes != "" {
		b.WriteString(st.field("field.notes", d.Notes) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (st *step) answerSummary(_ Input, action, _ string) error {
	switch action {
	case "confirm":
		return st.confirm()
	case "edit":
		return st.goTo(stateEdit)
	}
	st.say(st.t("err.choose_button"))
	return st.reask()
}

func (st *step) confirm() error {
	s := st.s
	d := *s.Draft
	var o orders.Order
	var err error
	if s.For != nil {
		d.Customer = *s.For
		o, _, err = st.e.desk.PlaceFor(st.ctx, d, st.actor())
	} else {
		d.Customer = orders.Customer{TelegramID: st.u.ID, Name: s.Name, Phone: s.Phone, Language: s.Lang}
		o, _, err = st.e.desk.Place(st.ctx, d, orders.CustomerActor(st.u.ID).String())
	}
	var short *orders.StockShortage
	var verr *orders.ValidationError
	switch {
	case errors.As(err, &short):
		for _, l := range short.Lines {
			st.say(st.t("err.stock.changed", st.lineName(l.SKU, ""), l.Available))
		}
		s.Seq++
		return st.summary(st.e.desk.QuoteFresh) // the stock as it is now, which the cache may not know yet
	case errors.As(err, &verr) && verr.Field == "date":
		st.say(st.t("err.date.moved"))
		s.Editing = true
		return st.goTo(stateDate)
	case errors.Is(err, orders.ErrQuoteChanged):
		st.say(st.t("err.quote.changed"))
		s.Seq++
		return st.askSummary()
	case errors.Is(err, orders.ErrNotFound), errors.Is(err, orders.ErrInactive):
		return st.quoteFailed(err)
	case errors.Is(err, orders.ErrForbidden):
		return st.explain(err, o)
	case err != nil:
		return err
	}
	s.PlacedKey, s.PlacedNumber = d.Key, o.Number
	s.For = nil
	st.reset(false)
	staff := ""
	if st.u.Role.Staff() {
		staff = ".staff"
	}
	if o.Status == orders.StatusConfirmed {
		st.say(st.t("order.confirmed"+staff, o.Number, st.date(o.PromisedDate), st.money(o.Total)))
	} else {
		when := st.t("order.review.custom")
		if !o.EstimatedDate.IsZero() {
			when = st.t("order.review.estimate", st.date(o.EstimatedDate))
		}
		st.say(st.t("order.review"+staff, o.Number, when))
	}
	return st.menu()
}

func (st *step) askEdit() error {
	st.say(st.t("ask.edit"),
		[]Button{st.btn("field.products", "f", "cart"), st.btn("field.contact", "f", "contact")},
		[]Button{st.btn("field.address", "f", "address"), st.btn("field.date", "f", "date")},
		[]Button{st.btn("field.payment", "f", "payment"), st.btn("field.notes", "f", "notes")},
		[]Button{st.btn("btn.back", "back")})
	return nil
}

func (st *step) answerEdit(_ Input, action, arg string) error {
	target := map[string]string{"cart": stateCart, "contact": stateName, "address": stateAddress,
		"date": stateDate, "payment": statePayment, "notes": stateNotes}[arg]
	if action != "f" || target == "" {
		st.say(st.t("err.choose_button"))
		return st.reask()
	}
	st.s.Editing = target != stateCart
	st.s.Stack = []string{stateSummary}
	st.s.State = stateEdit
	if target == stateCart {
		st.s.Editing = true
	}
	return st.goTo(target)
}

// field formats "Name: value" with the colon of the user's language.
func (st *step) field(key, value string) string {
	if st.s.Lang == i18n.ZH {
		return st.t(key) + "：" + value
	}
	return st.t(key) + ": " + value
}

// --- money and lines ---

func (st *step) money(d decimal.Decimal) string {
	return i18n.Money(st.e.desk.Rules().Currency, d)
}

func (st *step) lineName(sku string, v orders.Variant) string {
	if p, err := st.e.desk.Product(st.ctx, sku); err == nil || errors.Is(err, orders.ErrInactive) {
		return st.productLabel(p, v)
	}
	return st.productLabel(orders.Product{SKU: sku, NameEN: sku}, v)
}

// productLabel names the product with the option values of v in the reader's language:
// the catalog's names where it has them, else the texts' (黑色 for black).
func (st *step) productLabel(p orders.Product, v orders.Variant) string {
	name := p.Name(st.s.Lang)
	if v != "" {
		name = st.paren(name, st.variantText(p, v))
	}
	return name
}

func (st *step) quoteLineName(ql orders.QuoteLine) string {
	return st.productLabel(ql.Product, ql.Variant)
}

func (st *step) lineAdded(ql orders.QuoteLine) string {
	name := st.quoteLineName(ql)
	switch {
	case ql.Lead.FromStock:
		return st.t("line.added.stock", name, st.lineQty(ql.Line), st.date(ql.Date))
	case !ql.Product.Standard:
		return st.t("line.added.custom", name, st.lineQty(ql.Line))
	case !ql.Lead.Automatic:
		return st.t("line.added.large", name, st.lineQty(ql.Line))
	default:
		return st.t("line.added.production", name, st.lineQty(ql.Line), st.date(ql.Date))
	}
}

func (st *step) cartText(q orders.Quote) string {
	var b strings.Builder
	for i, ql := range q.Lines {
		fmt.Fprintf(&b, "%d. %s × %s @ %s = %s", i+1, st.quoteLineName(ql), st.lineQty(ql.Line),
			st.money(ql.UnitPrice), st.money(ql.Amount()))
		switch {
		case ql.Lead.FromStock:
			b.WriteString(" · " + st.t("line.stock"))
		case !ql.Product.Standard:
			b.WriteString(" · " + st.t("line.custom"))
		default:
			b.WriteString(" · " + st.t("line.production"))
		}
		b.WriteString("\n")
	}
	for _, l := range q.Complimentary {
		fmt.Fprintf(&b, "＋ %s × %s · %s\n", st.lineName(l.SKU, ""), st.lineQty(l), st.t("line.complimentary"))
	}
	b.WriteString(st.field("field.total", st.money(q.Total)))
	return b.String()
}

// --- calendar ---

func (st *step) calendar(month string, earliest orders.Date) [][]Button {
	first, _ := orders.ParseISODate(month + "-01")
	t := first.Time(time.UTC)
	prev := t.AddDate(0, -1, 0).Format("2006-01")
	next := t.AddDate(0, 1, 0).Format("2006-01")
	head := []Button{st.rawBtn(" ", "noop"), st.rawBtn(i18n.Month(st.s.Lang, t.Year(), t.Month()), "noop"), st.rawBtn("›", "cal", next)}
	if prev >= earliest.String()[:7] {
		head[0] = st.rawBtn("‹", "cal", prev)
	}
	var heads []Button
	for _, h := range i18n.WeekHeads(st.s.Lang) {
		heads = append(heads, st.rawBtn(h, "noop"))
	}
	rows := [][]Button{head, heads}
	week := make([]Button, 0, 7)
	offset := (int(t.Weekday()) + 6) % 7 // weeks start on Monday
	for i := 0; i < offset; i++ {
		week = append(week, st.rawBtn(" ", "noop"))
	}
	for d := t; d.Month() == t.Month(); d = d.AddDate(0, 0, 1) {
		date := orders.DateOf(d)
		if date.Before(earliest) {
			week = append(week, st.rawBtn("·", "noop"))
		} else {
			week = append(week, st.rawBtn(strconv.Itoa(d.Day()), "day", date.String()))
		}
		if len(week) == 7 {
			rows = append(rows, week)
			week = make([]Button, 0, 7)
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, st.rawBtn(" ", "noop"))
		}
		rows = append(rows, week)
	}
	return rows
}

// --- orders ---

var orderNumberRE = regexp.MustCompile(`(?i)\bSO-\d{8}-\d{4}\b`)

func findOrderNumber(s string) string {
	return strings.ToUpper(orderNumberRE.FindString(s))
}

func (st *step) askStatus() error {
	st.say(st.t("ask.order_number"), []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerStatus(in Input, _, _ string) error {
	n := findOrderNumber(in.Text)
	if in.Kind != InputText || n == "" {
		st.say(st.t("err.order_number"))
		return st.reask()
	}
	st.reset(true)
	return st.showOrder(n)
}

func (st *step) showOrder(number string) error {
	st.leaveLookup()
	n := findOrderNumber(number)
	var o orders.Order
	var err error
	if n == "" {
		err = orders.ErrNotFound
	} else if st.u.Role.Staff() {
		o, err = st.e.desk.StaffOrder(st.ctx, st.actor(), n)
	} else {
		o, err = st.e.desk.CustomerOrder(st.ctx, st.u.ID, n)
	}
	if errors.Is(err, orders.ErrNotFound) {
		st.say(st.t("err.order.not_found", strings.TrimSpace(number)))
		return nil
	}
	if err != nil {
		return st.explain(err, orders.Order{Number: n})
	}
	st.showCard(o)
	return nil
}

func (st *step) orderCard(o orders.Order) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n%s · %s\n\n", st.t("order.card.title"), o.Number,
		st.field("field.status", st.statusName(o.Status)), st.field("field.payment_status", st.paymentState(o)))
	if st.u.Role.Staff() {
		b.WriteString(st.field("field.customer", st.comma(o.Customer.Name, o.Customer.Phone)) + "\n")
	}
	if o.Carrier != "" {
		b.WriteString(st.field("field.shipment", st.comma(o.Carrier, o.Tracking)) + "\n")
	}
	if st.u.Role.Staff() || o.Carrier != "" {
		b.WriteString("\n")
	}
	for i, l := range o.Lines {
		if l.Complimentary {
			fmt.Fprintf(&b, "＋ %s × %s · %s\n", st.lineName(l.SKU, l.Variant), st.lineQty(l), st.t("line.complimentary"))
			continue
		}
		fmt.Fprintf(&b, "%d. %s × %s @ %s = %s", i+1, st.lineName(l.SKU, l.Variant), st.lineQty(l), st.money(l.UnitPrice), st.money(l.Amount()))
		if st.u.Role.Staff() {
			source := "line.production"
			if l.FromStock {
				source = "line.stock"
			}
			b.WriteString(" · " + st.t(source))
		}
		b.WriteString("\n")
	}
	b.WriteString(st.field("field.total", st.money(o.Total)) + "\n")
	if o.DepositOutstanding() { // a deposit paid is no longer shown as due
		if line := st.depositLine(o.DepositDue, o.Status, st.orderHasCustom(o)); line != "" {
			b.WriteString(line + "\n")
		}
	}
	if o.PaymentMethod != "" {
		b.WriteString(st.field("field.payment", st.methodName(o.PaymentMethod)) + "\n")
	}
	b.WriteString(st.field("field.address", o.DeliveryAddress) + "\n")
	b.WriteString(st.field("field.date", st.date(o.WantedDate)) + "\n")
	switch {
	case !o.PromisedDate.IsZero():
		b.WriteString(st.field("field.promised", st.date(o.PromisedDate)) + "\n")
	case !o.EstimatedDate.IsZero():
		b.WriteString(st.field("field.estimated", st.date(o.EstimatedDate)) + "\n")
	}
	if st.u.Role.Staff() && o.Notes != "" {
		b.WriteString(st.field("field.notes", o.Notes) + "\n")
	}
	b.WriteString("\n" + st.t("order.card.timeline") + "\n")
	for _, h := range o.History {
		fmt.Fprintf(&b, "• %s %s", i18n.DateTime(st.s.Lang, h.At.In(st.e.desk.Location())), st.statusName(h.To))
		if note := st.historyNote(h); note != "" && h.From != "" {
			b.WriteString(" — " + note)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// paymentState is the order's payment status, with what is paid and owed once something
// is paid and not everything.
func (st *step) paymentState(o orders.Order) string {
	ps := o.PaymentStatus
	if ps == "" {
		ps = orders.PaymentUnpaid
	}
	state := st.t("payment." + string(ps))
	if o.Paid.IsPositive() && o.Paid.LessThan(o.Total) {
		state = st.t("payment.paid_owed", state, st.money(o.Paid), st.money(o.Total.Sub(o.Paid)))
	}
	return state
}

func (st *step) myOrders(page int) error {
	if page < 0 {
		page = 0
	}
	os, err := st.e.desk.Orders(st.ctx, orders.OrderFilter{CustomerTelegramID: st.u.ID, Limit: 6, Offset: page * 5})
	if err != nil {
		return err
	}
	if len(os) == 0 && page == 0 {
		st.say(st.t("myorders.none"), []Button{{Text: st.t("menu.neworder"), Data: "m:new"}})
		return nil
	}
	more := len(os) > 5
	if more {
		os = os[:5]
	}
	var rows [][]Button
	for _, o := range os {
		rows = append(rows, []Button{{
			Text: fmt.Sprintf("%s · %s · %s", o.Number, st.statusName(o.Status), st.money(o.Total)),
			Data: "m:order:" + o.Number,
		}})
	}
	var pager []Button
	if page > 0 {
		pager = append(pager, Button{Text: st.t("btn.prev"), Data: "m:page:" + strconv.Itoa(page-1)})
	}
	if more {
		pager = append(pager, Button{Text: st.t("btn.next"), Data: "m:page:" + strconv.Itoa(page+1)})
	}
	if len(pager) > 0 {
		rows = append(rows, pager)
	}
	st.say(st.t("myorders.title", page+1), rows...)
	return nil
}
