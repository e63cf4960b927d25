package conversation

import (
	"strconv"

	"github.com/orderbot/orderbot/orders"
)

// A rep orders on behalf of a customer: first the customer, found by phone or name or
// created, then the same dialog as the customer's own.

func (st *step) startForCustomer() error {
	if !st.staffOnly() {
		return nil
	}
	st.reset(false)
	st.s.For = nil
	st.s.Work = &work{}
	return st.goTo(stateForCustomer)
}

func (st *step) askForCustomer() error {
	rows := [][]Button{}
	for i, c := range st.s.Work.Found {
		rows = append(rows, []Button{st.rawBtn(c.Name+" · "+c.Phone, "cust", strconv.Itoa(i))})
	}
	rows = append(rows, []Button{st.btn("btn.new_customer", "new")}, []Button{st.btn("btn.cancel", "cancel")})
	key := "ask.for_customer"
	if len(st.s.Work.Found) > 0 {
		key = "ask.for_customer.found"
	}
	st.say(st.t(key), rows...)
	return nil
}

func (st *step) answerForCustomer(in Input, action, arg string) error {
	switch action {
	case "new":
		return st.goTo(stateNewCustName)
	case "cust":
		i, err := strconv.Atoi(arg)
		if err != nil || i < 0 || i >= len(st.s.Work.Found) {
			st.say(st.t("err.stale_button"))
			return st.reask()
		}
		c := st.s.Work.Found[i]
		return st.orderFor(c)
	}
	q, ok := textAnswer(in, 80)
	if !ok {
		st.say(st.t("err.customer_query"))
		return st.reask()
	}
	found, err := st.e.desk.FindCustomers(st.ctx, st.actor(), q, 8)
	if err != nil {
		return err
	}
	st.s.Work.Found = found
	if len(found) == 0 {
		st.say(st.t("find.no_customer", q))
	}
	st.s.Seq++
	return st.askForCustomer()
}

func (st *step) askNewCustName() error {
	st.say(st.t("ask.new_customer_name"), st.navRow())
	return nil
}

func (st *step) answerNewCustName(in Input, _, _ string) error {
	name, ok := textAnswer(in, 80)
	if !ok {
		st.say(st.t("err.name.empty"))
		return st.reask()
	}
	st.s.Work.Name = name
	return st.goTo(stateNewCustPhone)
}

func (st *step) askNewCustPhone() error {
	st.say(st.t("ask.new_customer_phone", st.s.Work.Name), st.navRow())
	return nil
}

func (st *step) answerNewCustPhone(in Input, _, _ string) error {
	raw := in.Text
	if in.Kind == InputContact {
		raw = in.Phone
	}
	phone, err := ParsePhone(raw)
	if err != nil {
		return st.invalid(err)
	}
	return st.orderFor(orders.Customer{Name: st.s.Work.Name, Phone: phone})
}

// orderFor starts the order dialog for customer c.
func (st *step) orderFor(c orders.Customer) error {
	st.s.For = &c
	st.s.Name, st.s.Phone = c.Name, c.Phone
	st.s.Work = nil
	st.s.State, st.s.Stack = stateIdle, nil
	st.s.Draft = &orders.Draft{Key: st.e.newKey()}
	st.say(st.t("for_customer.chosen", c.Name, c.Phone))
	return st.goTo(stateProduct)
}
