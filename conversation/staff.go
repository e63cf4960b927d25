package conversation

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
	"github.com/shopspring/decimal"
)

// actor returns who the user is for the order desk: a staff member (looked up, so a
// deactivated one is refused) or a customer.
// It is looked up once per update.
func (st *step) actor() orders.Actor {
	if st.act != nil {
		return *st.act
	}
	a := orders.CustomerActor(st.u.ID)
	if st.u.Role.Staff() {
		if s, err := st.e.desk.Staff(st.ctx, st.u.ID); err == nil {
			a = orders.StaffActor(s)
		}
	}
	st.act = &a
	return a
}

// explain tells the user, in one line, why an action on an order did not happen, and
// returns nil; errors that are not the user's business are returned.
func (st *step) explain(err error, o orders.Order) error {
	var verr *orders.ValidationError
	var short *orders.StockShortage
	var holiday *orders.NonWorkingDayError
	switch {
	case errors.Is(err, orders.ErrForbidden):
		st.e.log.WarnContext(st.ctx, "staff action refused", "user", st.u.ID, "role", string(st.u.Role))
		st.say(st.t("err.forbidden"))
	case errors.Is(err, orders.ErrNotFound):
		st.say(st.t("err.order.not_found", o.Number))
	case errors.Is(err, orders.ErrProductionRequired):
		st.say(st.t("err.production_required", o.Number))
	case errors.As(err, &holiday):
		st.say(st.t("err.date.holiday", st.date(holiday.Date), st.date(holiday.Next)))
	case errors.Is(err, orders.ErrConflict), errors.Is(err, orders.ErrInvalidTransition):
		if o.Number == "" {
			st.say(st.t("err.order.moved_on"))
		} else {
			st.say(st.t("err.order.moved", o.Number, st.statusName(o.Status)))
		}
	case errors.Is(err, orders.ErrNotSettled):
		st.say(st.t("err.not_settled", o.Number, st.money(o.Paid), st.money(o.Total), st.money(o.Total.Sub(o.Paid))))
	case errors.Is(err, orders.ErrDepositRequired):
		st.say(st.t("err.deposit_required", o.Number, st.money(o.DepositDue), st.money(o.Paid)))
	case errors.As(err, &short):
		for _, l := range short.Lines {
			st.say(st.t("err.stock.short", st.lineName(l.SKU, ""), l.Wanted, l.Available))
		}
	case errors.As(err, &verr):
		st.say(st.t("err.invalid", verr.Reason))
	default:
		return err
	}
	return nil
}

// staffOnly refuses a staff command to anyone else, politely, and logs it.
func (st *step) staffOnly() bool {
	if st.u.Role.Staff() && st.actor().Kind == orders.ActorStaff {
		return true
	}
	st.e.log.WarnContext(st.ctx, "staff command refused", "user", st.u.ID)
	st.say(st.t("err.forbidden"))
	return false
}

// --- queues and search ---

func (st *step) queue(name string, page int) error {
	if !st.staffOnly() {
		return nil
	}
	st.leaveLookup()
	f, err := st.e.desk.QueueFilter(queueName(name))
	if err != nil {
		st.say(st.t("err.queue"))
		return nil
	}
	name = queueName(name)
	if name == "" {
		name = orders.QueueActive
	}
	f.Limit, f.Offset = pageSize, max(page, 0)*pageSize
	os, n, err := st.e.desk.Queue(st.ctx, st.actor(), f)
	if err != nil {
		return st.explain(err, orders.Order{})
	}
	st.orderList(st.t("queue."+name, n), os, n, page, "m:q:"+name+":")
	return nil
}

func (st *step) find(text string) error {
	if !st.staffOnly() {
		return nil
	}
	text = strings.TrimSpace(text)
	if text == "" {
		st.s.Stack = nil
		return st.goTo(stateFind)
	}
	st.leaveLookup()
	os, n, err := st.e.desk.Queue(st.ctx, st.actor(), orders.OrderFilter{Query: text, Limit: pageSize})
	if err != nil {
		return st.explain(err, orders.Order{})
	}
	if n == 0 {
		st.say(st.t("find.none", text))
		return nil
	}
	st.orderList(st.t("find.title", text, n), os, n, 0, "")
	return nil
}

func (st *step) askFind() error {
	st.say(st.t("ask.find"), []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerFind(in Input, _, _ string) error {
	if in.Kind != InputText || strings.TrimSpace(in.Text) == "" {
		st.say(st.t("ask.find"))
		return nil
	}
	st.reset(true)
	return st.find(in.Text)
}

// orderList shows orders as buttons that open their cards; pager continues with prefix.
func (st *step) orderList(title string, os []orders.Order, total, page int, pager string) {
	var rows [][]Button
	for _, o := range os {
		rows = append(rows, []Button{{
			Text: fmt.Sprintf("%s · %s · %s · %s", o.Number, o.Customer.Name, st.statusName(o.Status), st.money(o.Total)),
			Data: "m:order:" + o.Number,
		}})
	}
	if pager != "" {
		var nav []Button
		if page > 0 {
			nav = append(nav, Button{Text: st.t("btn.prev"), Data: pager + strconv.Itoa(page-1)})
		}
		if (page+1)*pageSize < total {
			nav = append(nav, Button{Text: st.t("btn.next"), Data: pager + strconv.Itoa(page+1)})
		}
		if len(nav) > 0 {
			rows = append(rows, nav)
		}
	}
	st.say(title, rows...)
}

// --- the order card and its actions ---

// orderActions are the buttons of an order card: for staff exactly the transitions the
// lifecycle allows from the order's status and the actor may make; for the customer the
// answers and requests that are theirs.
func (st *step) orderActions(o orders.Order) [][]Button {
	var rows [][]Button
	n := o.Number
	if !st.u.Role.Staff() {
		switch o.Status {
		case orders.StatusAwaitingCustomer:
			rows = append(rows, []Button{{Text: st.t("btn.confirm"), Data: "m:oc:" + n}, {Text: st.t("btn.decline"), Data: "m:od:" + n}})
		}
		switch o.Status {
		case orders.StatusPendingReview, orders.StatusAwaitingCustomer, orders.StatusConfirmed, orders.StatusInProduction, orders.StatusQualityCheck:
			rows = append(rows, []Button{{Text: st.t("btn.request_change_only"), Data: "m:chg:" + n}},
				[]Button{{Text: st.t("btn.request_cancellation"), Data: "m:cxl:" + n}})
		}
		if st.e.complaints != nil && afterSales(o.Status) {
			rows = append(rows, []Button{{Text: st.t("complaint.btn.open"), Data: "m:cp:o:" + n}})
		}
		return rows
	}
	a := st.actor()
	if o.Status == orders.StatusPendingReview {
		if a.May(orders.ActReview) {
			var row []Button
			if d := orders.SuggestedDate(o); !d.IsZero() {
				row = append(row, Button{Text: st.t("btn.review.accept", st.date(d)), Data: "m:ra:" + n})
			}
			row = append(row, Button{Text: st.t("btn.review.date"), Data: "m:rd:" + n})
			rows = append(rows, row, []Button{{Text: st.t("btn.review.reject"), Data: "m:rr:" + n}})
		}
		return rows
	}
	var row []Button
	for _, to := range o.Status.Next() {
		if o.Status == orders.StatusAwaitingCustomer && to != orders.StatusCancelled {
			continue // the customer answers
		}
		act := orders.ActAdvance
		if to == orders.StatusCancelled {
			act = orders.ActCancel
		}
		if !a.May(act) {
			continue
		}
		label := st.t("btn.to." + string(to))
		if o.Status == orders.StatusQualityCheck && to == orders.StatusInProduction {
			label = st.t("btn.rework")
		}
		row = append(row, Button{Text: label, Data: "m:adv:" + n + ":" + string(to)})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if a.May(orders.ActRecordPayment) && o.PaymentStatus != orders.PaymentPaid && o.Status != orders.StatusCancelled {
		rows = append(rows, []Button{{Text: st.t("btn.payment"), Data: "m:pay:" + n}})
	}
	return rows
}

// showCard sends the order's card with its buttons; staff also see the pending change
// requests, which a manager decides there.
func (st *step) showCard(o orders.Order) {
	text, rows := st.orderCard(o), st.orderActions(o)
	st.s.Card = o.Number
	if dt, drows := st.cardDocuments(o); dt != "" || len(drows) > 0 {
		text, rows = text+dt, append(rows, drows...)
	}
	if st.u.Role.Staff() {
		a := st.actor()
		if cs, err := st.e.desk.PendingChanges(st.ctx, a, o.Number); err == nil {
			for _, c := range cs {
				pending, approve, reject := st.t("change.pending", st.changeText(c, &o)), st.t("btn.change.approve"), st.t("btn.change.reject")
				if c.Kind == orders.ChangeCancel {
					pending = st.t("cancellation.pending", c.Reason)
					approve, reject = st.t("btn.cancellation.approve"), st.t("btn.cancellation.reject")
				}
				text += "\n" + pending
				if a.May(orders.ActDecideChange) {
					id := strconv.FormatInt(c.ID, 10)
					rows = append(rows, []Button{{Text: approve, Data: "m:ca:" + id}, {Text: reject, Data: "m:cr:" + id}})
				}
			}
		}
	}
	st.say(text, rows...)
}

// orderAction handles the buttons of order cards and notifications: "m:<verb>:<number>[:arg]".
func (st *step) orderAction(verb, rest string) error {
	number, arg, _ := strings.Cut(rest, ":")
	switch verb {
	case "dr", "ds":
		return st.documentAction(verb, number, arg)
	case "oc", "od":
		o, err := st.e.desk.CustomerDecide(st.ctx, st.key, number, st.u.ID, verb == "oc")
		if err != nil {
			return st.explain(err, o)
		}
		if o.Status == orders.StatusConfirmed {
			st.say(st.t("order.customer_confirmed", o.Number, st.date(o.PromisedDate)))
		} else {
			st.say(st.t("order.customer_declined", o.Number))
		}
		return nil
	case "rate":
		r, _ := strconv.Atoi(arg)
		if err := st.e.desk.Rate(st.ctx, st.key, number, st.u.ID, r, ""); err != nil {
			return st.explain(err, orders.Order{Number: number})
		}
		st.reset(true)
		st.s.Work = &work{Number: number, Rating: r}
		if err := st.surveyComplaint(number, r); err != nil {
			return err
		}
		return st.goTo(stateRateComment)
	case "chg", "cxl":
		o, err := st.e.desk.CustomerOrder(st.ctx, st.u.ID, number)
		if err != nil {
			return st.explain(err, orders.Order{Number: number})
		}
		st.reset(true)
		st.s.Work = &work{Number: o.Number}
		if verb == "cxl" { // a cancellation: its reason, then the request
			st.s.Work.Change = orders.ChangeCancel
			return st.goTo(stateChangeReason)
		}
		return st.goTo(stateChangeKind)
	case "ca", "cr":
		id, _ := strconv.ParseInt(number, 10, 64)
		st.reset(true)
		st.s.Work = &work{ChangeID: id, Approve: verb == "ca"}
		if verb == "cr" {
			return st.goTo(stateChangeNote)
		}
		return st.decideChange("")
	}
	if !st.staffOnly() {
		return nil
	}
	a := st.actor()
	o, err := st.e.desk.StaffOrder(st.ctx, a, number)
	if err != nil {
		return st.explain(err, orders.Order{Number: number})
	}
	st.reset(true)
	st.s.Work = &work{Number: number}
	switch verb {
	case "ra":
		o, err = st.e.desk.Review(st.ctx, st.key, number, a, orders.ReviewDecision{Accept: true})
		if err != nil {
			return st.explain(err, o)
		}
		st.say(st.t("review.accepted", o.Number, st.date(o.PromisedDate)))
		return nil
	case "rd":
		if o.Status != orders.StatusPendingReview {
			return st.explain(orders.ErrConflict, o)
		}
		return st.goTo(stateReviewDate)
	case "rr":
		if o.Status != orders.StatusPendingReview {
			return st.explain(orders.ErrConflict, o)
		}
		return st.goTo(stateRejectReason)
	case "pay":
		return st.goTo(statePayAmount)
	case "adv":
		to := orders.Status(arg)
		switch {
		case to != orders.StatusShipped && to != orders.StatusCancelled:
			// The desk judges the move: a redelivered press finds it done and answers as
			// the first did.
			return st.advance(to, orders.AdvanceOptions{})
		case !o.Status.CanTransition(to):
			return st.explain(orders.ErrConflict, o)
		case to == orders.StatusShipped:
			// An order that must be produced first is refused now, not after the carrier
			// and tracking number are typed.
			if err := orders.CheckTransition(o, to); err != nil {
				st.s.Work = nil
				return st.explain(err, o)
			}
			return st.goTo(stateShipCarrier)
		}
		return st.goTo(stateCancelReason)
	}
	st.say(st.t("err.stale_button"))
	return nil
}

// advance moves the order of the current work to status to.
func (st *step) advance(to orders.Status, opt orders.AdvanceOptions) error {
	number := st.s.Work.Number
	o, err := st.e.desk.Advance(st.ctx, st.key, number, to, st.actor(), opt)
	st.reset(true)
	if err != nil {
		return st.explain(err, o)
	}
	st.say(st.t("order.advanced", o.Number, st.statusName(o.Status)))
	st.showCard(o)
	return nil
}

func (st *step) workOrder() (orders.Order, error) {
	if st.s.Work == nil {
		return orders.Order{}, orders.ErrNotFound
	}
	if st.u.Role.Staff() {
		return st.e.desk.StaffOrder(st.ctx, st.actor(), st.s.Work.Number)
	}
	return st.e.desk.CustomerOrder(st.ctx, st.u.ID, st.s.Work.Number)
}

// textAnswer reads a one-line text answer of at most n characters.
func textAnswer(in Input, n int) (string, bool) {
	if in.Kind != InputText {
		return "", false
	}
	t := strings.Join(strings.Fields(in.Text), " ")
	if t == "" || utf8.RuneCountInString(t) > n {
		return "", false
	}
	return t, true
}

func (st *step) askReviewDate() error {
	o, err := st.workOrder()
	if err != nil {
		return st.explain(err, orders.Order{})
	}
	// The calendar opens on the month of the suggested date (else the wanted one) and
	// offers days from tomorrow: a delivery today cannot be promised.
	first := st.e.desk.Today().AddDays(1)
	suggested := orders.SuggestedDate(o)
	if suggested.IsZero() {
		suggested = o.WantedDate
	}
	if st.s.CalMonth == "" {
		st.s.CalMonth = first.String()[:7]
		if suggested.After(first) {
			st.s.CalMonth = suggested.String()[:7]
		}
	}
	rows := st.calendar(st.s.CalMonth, first)
	rows = append(rows, []Button{st.btn("btn.cancel", "cancel")})
	estimate := st.t("review.noestimate")
	if !o.EstimatedDate.IsZero() {
		estimate = st.t("review.estimate", st.date(o.EstimatedDate))
	}
	st.say(st.t("ask.review_date", o.Number, st.date(o.WantedDate), estimate), rows...)
	return nil
}

func (st *step) answerReviewDate(in Input, action, arg string) error {
	d, ok, err := st.pickedDate(in, action, arg)
	if !ok {
		return err
	}
	number := st.s.Work.Number
	o, err := st.e.desk.Review(st.ctx, st.key, number, st.actor(), orders.ReviewDecision{Date: d})
	st.reset(true)
	if err != nil {
		return st.explain(err, o)
	}
	st.say(st.t("review.accepted", o.Number, st.date(o.PromisedDate)))
	return nil
}

func (st *step) askRejectReason() error {
	st.say(st.t("ask.reject_reason", st.s.Work.Number), []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerRejectReason(in Input, _, _ string) error {
	reason, ok := textAnswer(in, 300)
	if !ok {
		st.say(st.t("err.reason"))
		return st.reask()
	}
	number := st.s.Work.Number
	o, err := st.e.desk.Review(st.ctx, st.key, number, st.actor(), orders.ReviewDecision{Reject: true, Reason: reason})
	st.reset(true)
	if err != nil {
		return st.explain(err, o)
	}
	st.say(st.t("review.rejected", o.Number))
	return nil
}

func (st *step) askShipCarrier() error {
	st.say(st.t("ask.carrier", st.s.Work.Number), []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerShipCarrier(in Input, _, _ string) error {
	c, ok := textAnswer(in, 80)
	if !ok {
		st.say(st.t("err.carrier"))
		return st.reask()
	}
	// 「顺丰 SF1234567890」: the carrier and the tracking number in one answer.
	sh := st.understood().Shipment(c)
	switch {
	case sh.Carrier.Code != "":
		c = sh.Carrier.Name(st.s.Lang)
	case sh.CarrierText != "":
		c = sh.CarrierText
	}
	st.s.Work.Carrier = c
	if sh.Tracking != "" {
		return st.advance(orders.StatusShipped, orders.AdvanceOptions{Carrier: c, Tracking: sh.Tracking})
	}
	return st.goTo(stateShipTracking)
}

func (st *step) askShipTracking() error {
	st.say(st.t("ask.tracking", st.s.Work.Carrier), []Button{st.btn("btn.back", "back"), st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerShipTracking(in Input, _, _ string) error {
	t, ok := textAnswer(in, 80)
	if !ok {
		st.say(st.t("err.tracking"))
		return st.reask()
	}
	return st.advance(orders.StatusShipped, orders.AdvanceOptions{Carrier: st.s.Work.Carrier, Tracking: t})
}

func (st *step) askCancelReason() error {
	st.say(st.t("ask.cancel_reason", st.s.Work.Number), []Button{st.btn("btn.back", "back")})
	return nil
}

func (st *step) answerCancelReason(in Input, _, _ string) error {
	r, ok := textAnswer(in, 300)
	if !ok {
		st.say(st.t("err.reason"))
		return st.reask()
	}
	return st.advance(orders.StatusCancelled, orders.AdvanceOptions{Note: r})
}

func (st *step) askPayAmount() error {
	o, err := st.workOrder()
	if err != nil {
		return st.explain(err, orders.Order{})
	}
	balance := o.Total.Sub(o.Paid)
	row := []Button{st.rawBtn(st.t("btn.pay.balance", st.money(balance)), "amt", balance.StringFixed(2))}
	if due := o.DepositDue.Sub(o.Paid); due.IsPositive() && due.LessThan(balance) {
		row = append([]Button{st.rawBtn(st.t("btn.pay.deposit", st.money(due)), "amt", due.StringFixed(2))}, row...)
	}
	st.say(st.t("ask.amount", o.Number, st.money(o.Total), st.money(o.Paid), st.money(balance)), row, []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerPayAmount(in Input, action, arg string) error {
	var amt decimal.Decimal
	ok := false
	switch {
	case action == "amt":
		a, err := decimal.NewFromString(arg)
		amt, ok = a, err == nil && a.IsPositive()
	case in.Kind == InputText:
		amt, ok = parseAmount(in.Text)
		if !ok {
			// 「收到5000元 银行转账」: an amount with its method.
			if it := st.understood().Staff(in.Text, st.now()); it.Kind == understand.IntentPayment && it.Amount.IsPositive() {
				amt, ok = it.Amount, true
				st.s.Work.Method = it.Method
			}
		}
	}
	if !ok {
		st.say(st.t("err.amount"))
		return st.reask()
	}
	o, err := st.workOrder()
	if err != nil {
		st.reset(true)
		return st.explain(err, orders.Order{Number: st.s.Work.Number})
	}
	if balance := o.Total.Sub(o.Paid); amt.GreaterThan(balance) {
		if !balance.IsPositive() {
			st.reset(true)
			st.say(st.t("err.amount.paid", o.Number))
			return nil
		}
		st.say(st.t("err.amount.over", st.money(amt), st.money(balance)))
		return st.reask()
	}
	st.s.Work.Amount = amt.StringFixed(2)
	if st.s.Work.Method != "" {
		return st.recordPayment(st.s.Work.Method)
	}
	return st.goTo(statePayMethod)
}

func (st *step) askPayMethod() error {
	var rows [][]Button
	for _, pm := range st.e.desk.Rules().PaymentMethods {
		rows = append(rows, []Button{st.rawBtn(pm.Label(st.s.Lang), "pm", pm.Code)})
	}
	rows = append(rows, []Button{st.btn("btn.back", "back"), st.btn("btn.cancel", "cancel")})
	st.say(st.t("ask.pay_method", st.money(decimal.RequireFromString(st.s.Work.Amount))), rows...)
	return nil
}

func (st *step) answerPayMethod(in Input, action, arg string) error {
	code := ""
	if action == "pm" {
		if _, ok := st.e.desk.Rules().PaymentMethod(arg); ok {
			code = arg
		}
	} else if in.Kind == InputText {
		code = st.typedMethod(in.Text)
	}
	if code == "" {
		st.say(st.t("err.payment", st.methodNames()))
		return st.reask()
	}
	return st.recordPayment(code)
}

// recordPayment records the payment of the current work.
func (st *step) recordPayment(code string) error {
	number, amt := st.s.Work.Number, decimal.RequireFromString(st.s.Work.Amount)
	o, err := st.e.desk.RecordPayment(st.ctx, st.key, number, amt, code, st.actor())
	st.reset(true)
	if err != nil {
		return st.explain(err, o)
	}
	st.say(st.t("payment.recorded", st.money(amt), o.Number, st.paymentState(o)))
	st.showCard(o)
	return nil
}
