package conversation

import (
	"errors"
	"strconv"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
)

// --- a customer's change request ---

func (st *step) askChangeKind() error {
	// A cancellation is requested with its own button on the card, so that this menu has
	// no 「取消订单」 beside the 「取消」 that leaves it.
	st.say(st.t("ask.change_kind", st.s.Work.Number),
		[]Button{st.btn("btn.change.quantity", "k", orders.ChangeQuantity), st.btn("btn.change.date", "k", orders.ChangeDate)},
		[]Button{st.btn("btn.change.address", "k", orders.ChangeAddress)},
		[]Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerChangeKind(_ Input, action, arg string) error {
	if action != "k" {
		st.say(st.t("err.choose_button"))
		return st.reask()
	}
	st.s.Work.Change = arg
	switch arg {
	case orders.ChangeQuantity:
		return st.goTo(stateChangeQuantity)
	case orders.ChangeDate:
		return st.goTo(stateChangeDate)
	case orders.ChangeAddress:
		return st.goTo(stateChangeAddress)
	case orders.ChangeCancel:
		return st.goTo(stateChangeReason)
	}
	st.say(st.t("err.choose_button"))
	return st.reask()
}

func (st *step) askChangeQuantity() error {
	o, err := st.workOrder()
	if err != nil {
		return st.explain(err, orders.Order{})
	}
	var rows [][]Button
	for i, l := range o.Lines {
		if l.Complimentary {
			continue
		}
		rows = append(rows, []Button{st.rawBtn(st.lineName(l.SKU, l.Variant)+" × "+strconv.Itoa(l.Quantity), "line", strconv.Itoa(i))})
	}
	rows = append(rows, []Button{st.btn("btn.back", "back"), st.btn("btn.cancel", "cancel")})
	if st.s.Work.Line > 0 || len(rows) == 2 {
		st.s.Work.Line = max(st.s.Work.Line, 0)
	}
	st.say(st.t("ask.change_quantity"), rows...)
	return nil
}

func (st *step) answerChangeQuantity(in Input, action, arg string) error {
	if action == "line" {
		i, _ := strconv.Atoi(arg)
		st.s.Work.Line = i
		st.s.Work.Quantity = -1 // a line is chosen: the quantity comes next
		st.say(st.t("ask.change_quantity.new"), []Button{st.btn("btn.cancel", "cancel")})
		return nil
	}
	if st.s.Work.Quantity != -1 {
		st.say(st.t("err.choose_button"))
		return st.reask()
	}
	if in.Kind != InputText {
		st.say(st.t("err.quantity.type"))
		return nil
	}
	q, err := ParseQuantity(in.Text, st.e.desk.Rules().MaxQuantity)
	if err != nil {
		var ie *InputError
		errors.As(err, &ie)
		st.say(st.t(ie.Key, ie.Args...))
		st.say(st.t("ask.change_quantity.new"), []Button{st.btn("btn.cancel", "cancel")})
		return nil
	}
	st.s.Work.Quantity = q
	return st.goTo(stateChangeReason)
}

func (st *step) askChangeDate() error {
	today := st.e.desk.Today()
	if st.s.CalMonth == "" {
		st.s.CalMonth = today.String()[:7]
	}
	rows := st.calendar(st.s.CalMonth, today)
	rows = append(rows, []Button{st.btn("btn.back", "back"), st.btn("btn.cancel", "cancel")})
	st.say(st.t("ask.change_date"), rows...)
	return nil
}

func (st *step) answerChangeDate(in Input, action, arg string) error {
	d, ok, err := st.pickedDate(in, action, arg)
	if !ok {
		return err
	}
	if ok, err := st.workingDay(d); !ok {
		return err
	}
	st.s.Work.Date = d
	return st.goTo(stateChangeReason)
}

func (st *step) askChangeAddress() error {
	st.say(st.t("ask.change_address"), []Button{st.btn("btn.back", "back"), st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerChangeAddress(in Input, _, _ string) error {
	a, ok := textAnswer(in, 300)
	a = understand.CleanAddress(a)
	if !ok || len([]rune(a)) < 5 {
		st.say(st.t("err.address.short"))
		return st.reask()
	}
	st.s.Work.Address = a
	return st.goTo(stateChangeReason)
}

func (st *step) askChangeReason() error {
	if st.s.Work.Change == orders.ChangeCancel {
		st.say(st.t("ask.cancellation_reason", st.s.Work.Number), []Button{st.btn("btn.cancellation.keep", "cancel")})
		return nil
	}
	st.say(st.t("ask.change_reason"), []Button{st.btn("btn.skip", "skip")},
		[]Button{st.btn("btn.back", "back"), st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerChangeReason(in Input, action, _ string) error {
	reason := ""
	if in.Kind == InputText && understand.IsNone(in.Text) && st.s.Work.Change != orders.ChangeCancel {
		action = "skip"
	}
	if action != "skip" || st.s.Work.Change == orders.ChangeCancel {
		r, ok := textAnswer(in, 300)
		if !ok {
			st.say(st.t("err.reason"))
			return st.reask()
		}
		reason = r
	}
	w := st.s.Work
	c := orders.ChangeRequest{Number: w.Number, Kind: w.Change, Line: w.Line, Quantity: w.Quantity,
		Date: w.Date, Address: w.Address, Reason: reason}
	cr, o, err := st.e.desk.RequestChange(st.ctx, st.key, st.u.ID, c)
	st.reset(true)
	if err != nil {
		return st.explain(err, o)
	}
	cancellation := c.Kind == orders.ChangeCancel
	switch {
	case cr.ID == 0 && cancellation:
		st.say(st.t("cancellation.done", o.Number))
		st.showCard(o)
	case cr.ID == 0:
		st.say(st.t("change.applied", o.Number))
		st.showCard(o)
	case cancellation:
		st.say(st.t("cancellation.requested", o.Number))
	default:
		st.say(st.t("change.requested", o.Number))
	}
	return nil
}

// --- a manager's decision ---

func (st *step) askChangeNote() error {
	st.say(st.t("ask.change_note"), []Button{st.btn("btn.skip", "skip")}, []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerChangeNote(in Input, action, _ string) error {
	note := ""
	if in.Kind == InputText && understand.IsNone(in.Text) {
		action = "skip"
	}
	if action != "skip" {
		n, ok := textAnswer(in, 300)
		if !ok {
			st.say(st.t("err.reason"))
			return st.reask()
		}
		note = n
	}
	return st.decideChange(note)
}

func (st *step) decideChange(note string) error {
	w := st.s.Work
	st.reset(true)
	cr, o, err := st.e.desk.DecideChange(st.ctx, st.key, w.ChangeID, st.actor(), w.Approve, note)
	if err != nil {
		if errors.Is(err, orders.ErrConflict) && cr.ID != 0 {
			key := "change.already"
			if cr.Kind == orders.ChangeCancel {
				key = "cancellation.already"
			}
			st.say(st.t(key, cr.ID, st.t("change.status."+cr.Status)))
			return nil
		}
		if errors.Is(err, orders.ErrChangeHandled) {
			st.say(st.t("group.change_handled", cr.ID, o.Number, cr.HandlerName))
			return nil
		}
		return st.explain(err, o)
	}
	if cr.Kind == orders.ChangeCancel {
		st.say(st.t("cancellation.decided."+cr.Status, o.Number))
		return nil
	}
	st.say(st.t("change.decided."+cr.Status, o.Number))
	return nil
}

// --- the customer's comment after a rating ---

func (st *step) askRateComment() error {
	st.say(st.t("ask.rate_comment", st.s.Work.Rating), []Button{st.btn("btn.skip", "skip")})
	return nil
}

func (st *step) answerRateComment(in Input, action, _ string) error {
	w := st.s.Work
	if in.Kind == InputText && understand.IsNone(in.Text) {
		action = "skip"
	}
	if action != "skip" {
		c, ok := textAnswer(in, 500)
		if !ok {
			st.say(st.t("err.notes.long"))
			return st.reask()
		}
		if err := st.e.desk.Rate(st.ctx, st.key, w.Number, st.u.ID, w.Rating, c); err != nil {
			st.reset(true)
			return st.explain(err, orders.Order{Number: w.Number})
		}
		st.complaintComment(w.Complaint, c)
	}
	st.reset(true)
	st.say(st.t("rate.thanks"))
	return nil
}

// pickedDate reads the answer to a date question with a calendar: a day pressed, another
// month to show, or a typed date, never in the past. ok is false when the answer was
// handled here (another month shown, or bad input explained and the question asked
// again); err is then the result of that.
func (st *step) pickedDate(in Input, action, arg string) (d orders.Date, ok bool, err error) {
	switch {
	case action == "cal":
		if _, perr := orders.ParseISODate(arg + "-01"); perr == nil {
			st.s.CalMonth = arg
		}
		st.s.Seq++
		return d, false, st.reask()
	case action == "day":
		d, err = orders.ParseISODate(arg)
	case in.Kind == InputText:
		d, err = ParseDate(in.Text, st.e.desk.Today(), st.e.desk.Rules())
	default:
		err = inputErr("err.date.type")
	}
	if err == nil && d.Before(st.e.desk.Today()) {
		err = inputErr("err.date.past", st.date(st.e.desk.Today()))
	}
	if err != nil {
		return d, false, st.invalid(err)
	}
	st.s.CalMonth = ""
	return d, true, nil
}

// workingDay refuses a wanted date the desk refuses (a holiday) and asks again, offering
// the next working day as a button.
func (st *step) workingDay(d orders.Date) (bool, error) {
	err := st.e.desk.CheckWantedDate(d)
	var holiday *orders.NonWorkingDayError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &holiday):
		next := holiday.Next.String()
		st.say(st.t("err.date.holiday", st.date(holiday.Date), st.date(holiday.Next)), []Button{st.rawBtn(st.date(holiday.Next), "day", next)})
		return false, st.reask()
	}
	return false, err
}
