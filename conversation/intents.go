package conversation

import (
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
	"github.com/shopspring/decimal"
)

// Staff speak to the desk in sentences: 「今天有哪些订单要审核」「查找订单 王」 at the menu, and on
// an open order card 「发货了，顺丰 SF1234567890」「收到货款5000元 银行转账」「同意」「可以，按15号
// 交货」「同意修改」. Looking something up happens at once; anything that changes an order is
// first shown as a question with buttons and done only on Yes.

const stateIntent = "intent"

// intent is a staff sentence waiting for its Yes.
type intent struct {
	Kind     understand.IntentKind `json:"kind"`
	Number   string                `json:"number"`
	Carrier  string                `json:"carrier,omitempty"`
	Tracking string                `json:"tracking,omitempty"`
	Amount   string                `json:"amount,omitempty"`
	Method   string                `json:"method,omitempty"`
	Date     orders.Date           `json:"date,omitempty"`
	Reason   string                `json:"reason,omitempty"`
	ChangeID int64                 `json:"change_id,omitempty"`
}

// staffSentence reads a staff member's sentence; ok is false when it is not one.
func (st *step) staffSentence(text string) (bool, error) {
	it := st.understood().Staff(text, st.now())
	switch it.Kind {
	case understand.IntentNone:
		return false, nil
	case understand.IntentQueue:
		if it.Queue == understand.QueueUnpaid {
			return false, nil // no such queue on the desk
		}
		return true, st.queue(it.Queue, 0)
	case understand.IntentFind:
		return true, st.find(it.Query)
	case understand.IntentShow:
		return true, st.showOrder(it.Order)
	}
	number := it.Order
	if number == "" {
		number = st.s.Card
	}
	if number == "" {
		st.say(st.t("intent.which_order"))
		return true, nil
	}
	o, err := st.e.desk.StaffOrder(st.ctx, st.actor(), number)
	if err != nil {
		return true, st.explain(err, orders.Order{Number: number})
	}
	in := &intent{Kind: it.Kind, Number: o.Number, Method: it.Method, Reason: it.Reason, Date: it.Date.Date}
	if it.Amount.IsPositive() {
		in.Amount = it.Amount.StringFixed(2)
	}
	if it.Shipment.Carrier.Code != "" {
		in.Carrier = it.Shipment.Carrier.Name(st.s.Lang)
	} else {
		in.Carrier = it.Shipment.CarrierText
	}
	in.Tracking = it.Shipment.Tracking
	if in.Kind == understand.IntentApproveChange || in.Kind == understand.IntentRejectChange {
		cs, err := st.e.desk.PendingChanges(st.ctx, st.actor(), o.Number)
		if err != nil {
			return true, st.explain(err, o)
		}
		if len(cs) == 0 {
			st.say(st.t("intent.no_change", o.Number))
			return true, nil
		}
		in.ChangeID = cs[0].ID
	}
	if in.Kind == understand.IntentShip {
		if err := orders.CheckTransition(o, orders.StatusShipped); err != nil {
			return true, st.explain(err, o) // refused before the Yes, not after it
		}
	}
	st.reset(true)
	st.s.Intent = in
	return true, st.goTo(stateIntent)
}

func (st *step) askIntent() error {
	in := st.s.Intent
	var q string
	switch in.Kind {
	case understand.IntentShip:
		q = st.t("intent.ship", in.Number)
		if in.Carrier != "" && in.Tracking != "" {
			q = st.t("intent.ship.with", in.Number, in.Carrier, in.Tracking)
		}
	case understand.IntentPayment:
		q = st.t("intent.payment", in.Number)
		if in.Amount != "" {
			amt := st.money(decimal.RequireFromString(in.Amount))
			q = st.t("intent.payment.amount", in.Number, amt)
			if in.Method != "" {
				q = st.t("intent.payment.method", in.Number, amt, st.methodName(in.Method))
			}
		}
	case understand.IntentAccept:
		q = st.t("intent.accept", in.Number)
		if !in.Date.IsZero() {
			q = st.t("intent.accept.date", in.Number, st.date(in.Date))
		}
	case understand.IntentReject:
		q = st.t("intent.reject", in.Number)
	case understand.IntentApproveChange:
		q = st.t("intent.approve_change", in.Number)
	case understand.IntentRejectChange:
		q = st.t("intent.reject_change", in.Number)
	}
	st.say(q, []Button{st.btn("btn.yes", "yes"), st.btn("btn.no", "no")})
	return nil
}

func (st *step) answerIntent(in Input, action, _ string) error {
	if in.Kind == InputText {
		switch understand.YesNo(in.Text) {
		case understand.Yes:
			action = "yes"
		case understand.No:
			action = "no"
		}
	}
	switch action {
	case "no":
		st.reset(true)
		st.say(st.t("intent.dropped"))
		return nil
	case "yes":
		return st.doIntent()
	}
	st.say(st.t("err.yes_no"))
	return st.reask()
}

// doIntent does what the confirmed sentence asked, asking first for what it lacked.
func (st *step) doIntent() error {
	it := st.s.Intent
	a := st.actor()
	st.reset(true)
	o, err := st.e.desk.StaffOrder(st.ctx, a, it.Number)
	if err != nil {
		return st.explain(err, orders.Order{Number: it.Number})
	}
	st.s.Work = &work{Number: o.Number}
	switch it.Kind {
	case understand.IntentShip:
		if !o.Status.CanTransition(orders.StatusShipped) {
			st.s.Work = nil
			return st.explain(orders.ErrConflict, o)
		}
		if err := orders.CheckTransition(o, orders.StatusShipped); err != nil {
			st.s.Work = nil
			return st.explain(err, o)
		}
		if it.Carrier == "" || it.Tracking == "" {
			return st.goTo(stateShipCarrier)
		}
		return st.advance(orders.StatusShipped, orders.AdvanceOptions{Carrier: it.Carrier, Tracking: it.Tracking})
	case understand.IntentPayment:
		if it.Amount == "" {
			return st.goTo(statePayAmount)
		}
		amt := decimal.RequireFromString(it.Amount)
		if balance := o.Total.Sub(o.Paid); amt.GreaterThan(balance) {
			st.say(st.t("err.amount.over", st.money(amt), st.money(balance)))
			return st.goTo(statePayAmount)
		}
		st.s.Work.Amount = it.Amount
		if it.Method == "" {
			return st.goTo(statePayMethod)
		}
		return st.recordPayment(it.Method)
	case understand.IntentAccept:
		st.s.Work = nil
		d := orders.ReviewDecision{Accept: true}
		if !it.Date.IsZero() {
			d = orders.ReviewDecision{Date: it.Date}
		}
		o, err = st.e.desk.Review(st.ctx, st.key, o.Number, a, d)
		if err != nil {
			return st.explain(err, o)
		}
		st.say(st.t("review.accepted", o.Number, st.date(o.PromisedDate)))
		return nil
	case understand.IntentReject:
		if it.Reason == "" {
			return st.goTo(stateRejectReason)
		}
		st.s.Work = nil
		o, err = st.e.desk.Review(st.ctx, st.key, o.Number, a, orders.ReviewDecision{Reject: true, Reason: it.Reason})
		if err != nil {
			return st.explain(err, o)
		}
		st.say(st.t("review.rejected", o.Number))
		return nil
	case understand.IntentApproveChange, understand.IntentRejectChange:
		st.s.Work = &work{ChangeID: it.ChangeID, Approve: it.Kind == understand.IntentApproveChange}
		return st.decideChange(it.Reason)
	}
	st.s.Work = nil
	return nil
}
