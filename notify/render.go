package notify

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// Callback data of the buttons; the conversation engine handles them.
const (
	DataReviewAccept   = "m:ra:"   // + number: accept the suggested date
	DataReviewDate     = "m:rd:"   // + number: set another date
	DataReviewReject   = "m:rr:"   // + number: reject with a reason
	DataOrderConfirm   = "m:oc:"   // + number: the customer confirms
	DataOrderDecline   = "m:od:"   // + number: the customer declines
	DataRate           = "m:rate:" // + number + ":" + 1..5
	DataChangeApprove  = "m:ca:"   // + change id
	DataChangeReject   = "m:cr:"   // + change id
	maxTextRunes       = 4000      // Telegram allows 4096 characters
	maxLines           = 40        // order lines shown in one message
	maxOverdueListed   = 30        // orders listed in one overdue alert
	staleHoursRounding = time.Hour // stale alerts say whole hours
)

// renderer writes notifications in one language.
type renderer struct {
	lang     string // i18n.EN or i18n.ZH
	currency string
	methods  []orders.PaymentMethod // to name a payment method in a note
}

func newRenderer(lang, currency string) renderer {
	// An empty language is English: staff and customers who never chose are not assumed
	// to read Chinese.
	return renderer{lang: i18n.Normalize(lang), currency: currency}
}

func (r renderer) t(key string, args ...any) string { return i18n.T(r.lang, key, args...) }

// note is what a notice says of the step it tells: the history note in the reader's
// language when the notice carries it as data, else its text (a person's own words, or
// the English of notices written before notes had codes).
func (r renderer) note(n orders.Notice) string {
	if n.Detail == nil {
		return n.Note
	}
	if s, ok := n.Detail.Words(noteWords{r, n.Note}); ok {
		return s
	}
	return n.Note
}

// noteWords writes history notes in the renderer's reader's words.
type noteWords struct {
	r    renderer
	note string // the notice's text, for a change told without its fields
}

func (w noteWords) T(key string, args ...any) string { return w.r.t(key, args...) }
func (w noteWords) Money(d decimal.Decimal) string   { return w.r.money(d) }
func (w noteWords) Date(d orders.Date) string        { return w.r.date(d) }

func (w noteWords) Method(code string) string {
	for _, pm := range w.r.methods {
		if pm.Code == code {
			return pm.Label(w.r.lang)
		}
	}
	return code
}

func (w noteWords) Change(c orders.ChangeRequest) string {
	return w.r.change(orders.Notice{Note: w.note, Change: &orders.NoticeChange{Kind: c.Kind, Line: c.Line,
		Quantity: c.Quantity, Date: c.Date, Address: c.Address, Reason: c.Reason}})
}

// actor names who acted: the command line's operator in the reader's words.
func (r renderer) actor(a string) string {
	if a == orders.Operator.Display() {
		return r.t("notice.actor.operator")
	}
	return a
}

func (r renderer) money(d decimal.Decimal) string { return i18n.Money(r.currency, d) }

// date formats d as "2026-12-03 (Thu)"; "?" for the zero date.
func (r renderer) date(d orders.Date) string {
	if d.IsZero() {
		return "?"
	}
	return i18n.Date(r.lang, d.Year, d.Month, d.Day)
}

func (r renderer) state(st orders.Status) string {
	if st == "" {
		return r.t("notice.state.none")
	}
	return r.t("notice.state." + string(st))
}

func (r renderer) payState(ps orders.PaymentStatus) string {
	if ps == "" {
		ps = orders.PaymentUnpaid
	}
	return r.t("notice.paystate." + string(ps))
}

func (r renderer) kindName(kind string) string {
	if i18n.Has("notice.kind." + kind) {
		return r.t("notice.kind." + kind)
	}
	return r.t("notice.kind.other")
}

// text joins lines, dropping empty ones, and keeps the result within Telegram's limit.
func text(lines ...string) string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	s := strings.Join(out, "\n")
	if rs := []rune(s); len(rs) > maxTextRunes {
		s = string(rs[:maxTextRunes-1]) + "…"
	}
	return s
}

// statusChanged tells the customer what the new status means and what happens next.
func (r renderer) statusChanged(n orders.Notice) Message {
	key := "notice.status." + string(n.To)
	if n.From == orders.StatusQualityCheck && n.To == orders.StatusInProduction {
		key = "notice.status.rework"
	}
	if !i18n.Has(key) {
		key = "notice.staff.status" // an unknown status: say it plainly
		return Message{Text: r.t(key, n.Number, n.Customer, r.state(n.To), r.state(n.From))}
	}
	lines := []string{r.t(key, n.Number)}
	switch n.To {
	case orders.StatusShipped:
		if n.Carrier != "" || n.Tracking != "" {
			lines = append(lines, r.t("notice.line.shipment", n.Carrier, n.Tracking))
		}
		if !n.Date.IsZero() {
			lines = append(lines, r.t("notice.line.promised", r.date(n.Date)))
		}
	case orders.StatusConfirmed, orders.StatusInProduction, orders.StatusQualityCheck, orders.StatusAwaitingCustomer:
		if !n.Date.IsZero() {
			lines = append(lines, r.t("notice.line.promised", r.date(n.Date)))
		}
	}
	if note := r.note(n); note != "" {
		if n.To == orders.StatusCancelled {
			lines = append(lines, r.t("notice.line.reason", note))
		} else {
			lines = append(lines, r.t("notice.line.note", note))
		}
	}
	return Message{Text: text(lines...)}
}

// staffStatus tells staff of a status change.
func (r renderer) staffStatus(n orders.Notice) Message {
	lines := []string{r.t("notice.staff.status", n.Number, n.Customer, r.state(n.To), r.state(n.From))}
	if note := r.note(n); note != "" {
		lines = append(lines, r.t("notice.line.note", note))
	}
	if n.Actor != "" && !strings.HasPrefix(n.Actor, "customer:") && n.Actor != n.Customer { // the customer is named above
		lines = append(lines, r.t("notice.line.by", r.actor(n.Actor)))
	}
	return Message{Text: text(lines...)}
}

func (r renderer) dateChanged(n orders.Notice) Message {
	first := r.t("notice.date.set", n.Number, r.date(n.Date))
	if !n.OldDate.IsZero() {
		first = r.t("notice.date.changed", n.Number, r.date(n.OldDate), r.date(n.Date))
	}
	lines := []string{first}
	if n.Note != "" {
		lines = append(lines, r.t("notice.line.reason", n.Note))
	}
	lines = append(lines, r.t("notice.date.next"))
	return Message{Text: text(lines...)}
}

func (r renderer) payment(n orders.Notice) Message {
	lines := []string{r.t("notice.payment", n.Number, r.money(n.Amount), r.payState(n.PaymentStatus))}
	switch n.PaymentStatus {
	case orders.PaymentPaid:
		lines = append(lines, r.t("notice.payment.next.paid"))
	case orders.PaymentDepositPaid:
		lines = append(lines, r.t("notice.payment.next.deposit"))
	case orders.PaymentPartlyPaid:
		if n.DepositDue.IsPositive() && n.DepositDue.LessThan(n.Total) {
			lines = append(lines, r.t("notice.payment.next.deposit2", r.money(n.DepositDue), r.money(n.Paid)))
		} else {
			lines = append(lines, r.t("notice.payment.next.partly", r.money(n.Paid), r.money(n.Total.Sub(n.Paid))))
		}
	default:
		if n.DepositDue.IsPositive() {
			lines = append(lines, r.t("notice.payment.next.unpaid", r.money(n.DepositDue)))
		}
	}
	if n.Total.IsPositive() {
		lines = append(lines, r.t("notice.line.total", r.money(n.Total)))
	}
	return Message{Text: text(lines...)}
}

func (r renderer) reminder(n orders.Notice) Message {
	return Message{Text: r.t("notice.reminder", n.Number, r.date(n.Date))}
}

func (r renderer) survey(n orders.Notice) Message {
	row := make([]Button, 5)
	for i := range row {
		row[i] = Button{Text: r.t("notice.btn.rate", i+1), Data: DataRate + n.Number + ":" + strconv.Itoa(i+1)}
	}
	return Message{Text: r.t("notice.survey", n.Number), Buttons: [][]Button{row}}
}

// priced lists the lines with prices, the total, the promised date and the deposit.
func (r renderer) priced(n orders.Notice) []string {
	var lines []string
	for i, l := range n.Lines {
		if i == maxLines {
			lines = append(lines, "…")
			break
		}
		if l.Complimentary {
			lines = append(lines, r.t("notice.line.item.free", l.Name, l.Quantity, l.Unit))
			continue
		}
		amount := l.UnitPrice.Mul(decimal.NewFromInt(int64(l.Quantity)))
		lines = append(lines, r.t("notice.line.item", l.Name, l.Quantity, l.Unit, r.money(l.UnitPrice), r.money(amount)))
	}
	lines = append(lines, r.t("notice.line.total", r.money(n.Total)))
	if !n.Date.IsZero() {
		lines = append(lines, r.t("notice.line.promised", r.date(n.Date)))
	}
	if n.DepositDue.IsPositive() {
		lines = append(lines, r.t("notice.line.deposit", r.money(n.DepositDue)))
	} else {
		lines = append(lines, r.t("notice.line.deposit.none"))
	}
	return lines
}

// confirmation asks the customer to approve the reviewed order.
func (r renderer) confirmation(n orders.Notice) Message {
	lines := append([]string{r.t("notice.confirm.title", n.Number)}, r.priced(n)...)
	lines = append(lines, r.t("notice.confirm.terms"))
	return Message{Text: text(lines...), Buttons: [][]Button{{
		{Text: r.t("notice.btn.confirm"), Data: DataOrderConfirm + n.Number},
		{Text: r.t("notice.btn.decline"), Data: DataOrderDecline + n.Number},
	}}}
}

// placedForYou tells a customer a rep ordered for them.
func (r renderer) placedForYou(n orders.Notice) Message {
	lines := append([]string{r.t("notice.placed_for_you", n.Number)}, r.priced(n)...)
	lines = append(lines, r.t("notice.line.status", r.state(n.To)))
	return Message{Text: text(lines...)}
}

// reviewCard is the card a rep reviews an order with: n.Date is the suggested date (zero:
// none), n.OldDate the customer's wanted date. staleFor, when positive, makes it the
// reminder of an untouched review.
func (r renderer) reviewCard(n orders.Notice, staleFor time.Duration) Message {
	first := r.t("notice.review.title", n.Number)
	if staleFor > 0 {
		first = r.t("notice.review.stale", n.Number, int(staleFor/staleHoursRounding))
	}
	lines := []string{first, r.t("notice.review.customer", n.Customer)}
	for i, l := range n.Lines {
		if i == maxLines {
			lines = append(lines, "…")
			break
		}
		switch {
		case l.Complimentary:
			lines = append(lines, r.t("notice.line.item.free", l.Name, l.Quantity, l.Unit))
		case l.FromStock:
			lines = append(lines, r.t("notice.line.item.stock", l.Name, l.Quantity, l.Unit))
		default:
			lines = append(lines, r.t("notice.line.item.short", l.Name, l.Quantity, l.Unit))
		}
	}
	if !n.OldDate.IsZero() {
		lines = append(lines, r.t("notice.review.wanted", r.date(n.OldDate)))
	}
	var buttons [][]Button
	if n.Date.IsZero() {
		lines = append(lines, r.t("notice.review.nodate"))
	} else {
		lines = append(lines, r.t("notice.review.suggested", r.date(n.Date)))
		buttons = append(buttons, []Button{{Text: r.t("notice.btn.accept", n.Date.String()), Data: DataReviewAccept + n.Number}})
	}
	buttons = append(buttons, []Button{
		{Text: r.t("notice.btn.other_date"), Data: DataReviewDate + n.Number},
		{Text: r.t("notice.btn.reject"), Data: DataReviewReject + n.Number},
	})
	return Message{Text: text(lines...), Buttons: buttons}
}

// reviewTaken replaces a review card once a rep decided: no buttons.
func (r renderer) reviewTaken(n orders.Notice) Message {
	return Message{Text: r.t("notice.review.taken", n.Number, n.Actor, r.state(n.To))}
}

// change describes the change a notice is about in the reader's language (notices
// written before they carried the change as data have its English text in Note).
func (r renderer) change(n orders.Notice) string {
	c := n.Change
	if c == nil {
		return n.Note
	}
	var what string
	switch c.Kind {
	case orders.ChangeQuantity:
		what = r.t("change.quantity.short", c.Line+1, c.Quantity)
	case orders.ChangeDate:
		what = r.t("change.date", i18n.Date(r.lang, c.Date.Year, c.Date.Month, c.Date.Day))
	case orders.ChangeAddress:
		what = r.t("change.address", c.Address)
	case orders.ChangeCancel:
		what = r.t("change.cancel")
	default:
		return n.Note
	}
	if c.Reason != "" {
		what = r.t("change.reason", what, c.Reason)
	}
	return what
}

// cancellationReason is the customer's reason for a cancellation request (notices
// written before they carried the change as data have it in Note).
func cancellationReason(n orders.Notice) string {
	if n.Change != nil && n.Change.Reason != "" {
		return n.Change.Reason
	}
	return n.Note
}

func (r renderer) changeRequested(n orders.Notice, changeID int64) Message {
	m := Message{Text: r.t("notice.change.requested", n.Number, n.Actor, r.change(n))}
	approve, reject := r.t("notice.btn.approve"), r.t("notice.btn.reject_chg")
	if n.Change != nil && n.Change.Kind == orders.ChangeCancel {
		m.Text = r.t("notice.cancellation.requested", n.Number, n.Actor, cancellationReason(n))
		approve, reject = r.t("notice.btn.cancellation.approve"), r.t("notice.btn.cancellation.reject")
	}
	if changeID > 0 {
		id := strconv.FormatInt(changeID, 10)
		m.Buttons = [][]Button{{
			{Text: approve, Data: DataChangeApprove + id},
			{Text: reject, Data: DataChangeReject + id},
		}}
	}
	return m
}

// changeDecided tells the customer the manager's decision (To empty: rejected; cancelled:
// the cancellation approved; else approved).
func (r renderer) changeDecided(n orders.Notice) Message {
	switch n.To {
	case "":
		why := n.Note // the manager's reason, or else the change itself
		mine := n.Change != nil && (n.Note == orders.ChangeText(orders.ChangeRequest{Kind: n.Change.Kind, Line: n.Change.Line,
			Quantity: n.Change.Quantity, Date: n.Change.Date, Address: n.Change.Address, Reason: n.Change.Reason}))
		if n.Change != nil && n.Change.Kind == orders.ChangeCancel {
			if mine { // no reason of the manager's: the customer's own reason
				why = cancellationReason(n)
			}
			return Message{Text: r.t("notice.cancellation.rejected", n.Number, why)}
		}
		if mine {
			why = r.change(n)
		}
		return Message{Text: r.t("notice.change.rejected", n.Number, why)}
	case orders.StatusCancelled:
		return Message{Text: r.t("notice.change.cancelled", n.Number, r.change(n))}
	}
	// n.Date is the date before the change: a date change follows in its own notice.
	return Message{Text: r.t("notice.change.approved", n.Number, r.change(n))}
}

// changeApplied tells staff of a change applied at once (before the customer confirmed).
func (r renderer) changeApplied(n orders.Notice) Message {
	return Message{Text: r.t("notice.change.applied", n.Number, r.actor(n.Actor), r.note(n))}
}

// unreachable tells staff that a customer blocked the bot; n.Note is the kind of the
// notification that did not arrive.
func (r renderer) unreachable(n orders.Notice) Message {
	if n.Number == "" {
		return Message{Text: r.t("notice.unreachable.nonumber", n.Customer, r.kindName(n.Note))}
	}
	return Message{Text: r.t("notice.unreachable", n.Number, n.Customer, r.kindName(n.Note))}
}

// overdue lists the orders past their promised date.
func (r renderer) overdue(list []orders.Order) Message {
	lines := []string{r.t("notice.overdue.title", len(list))}
	for i, o := range list {
		if i == maxOverdueListed {
			lines = append(lines, r.t("notice.overdue.more", len(list)-i))
			break
		}
		lines = append(lines, r.t("notice.overdue.line", o.Number, o.Customer.Name, r.date(o.PromisedDate), r.state(o.Status)))
	}
	return Message{Text: text(lines...)}
}

// orderNotice fills what a notice shows of an order from the order itself: its customer,
// lines (with their options), total, deposit, dates and status.
func orderNotice(n orders.Notice, o orders.Order) orders.Notice {
	n.Number = o.Number
	n.Customer = o.Customer.Name
	n.To = o.Status
	n.Total, n.DepositDue = o.Total, o.DepositDue
	n.Lines = n.Lines[:0:0]
	for _, l := range o.Lines {
		n.Lines = append(n.Lines, orders.NoticeLine{Name: l.Label(n.Lang), Quantity: l.Quantity, Unit: l.UnitName(n.Lang),
			UnitPrice: l.UnitPrice, FromStock: l.FromStock, Complimentary: l.Complimentary})
	}
	return n
}
