package conversation

import (
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
)

// customerDecision reads a customer's sentence about the order on their last card when
// it awaits their confirmation: 「可以」「好的，确认」「可以，按15号交货」 confirm it — as the
// card's Confirm button does — when the date named, if any, is the one proposed. A
// sentence naming another date is answered with the proposed date and the card's
// buttons, never taken as a Yes; a refusal is answered the same way, because declining
// cancels the order and is done only with the button. ok is false when the sentence is
// not about that order.
func (st *step) customerDecision(text string) (bool, error) {
	if st.s.Card == "" || findOrderNumber(text) != "" && findOrderNumber(text) != st.s.Card {
		return false, nil
	}
	it := st.understood().Staff(text, st.now())
	if it.Kind != understand.IntentAccept && it.Kind != understand.IntentReject {
		return false, nil
	}
	o, err := st.e.desk.CustomerOrder(st.ctx, st.u.ID, st.s.Card)
	if err != nil || o.Status != orders.StatusAwaitingCustomer {
		return false, nil
	}
	if it.Kind == understand.IntentReject {
		st.say(st.t("decide.decline_by_button", o.Number))
		st.showCard(o)
		return true, nil
	}
	if d := it.Date.Date; !d.IsZero() && d != o.PromisedDate {
		st.say(st.t("decide.other_date", st.date(d), o.Number, st.date(o.PromisedDate)))
		st.showCard(o)
		return true, nil
	}
	return true, st.orderAction("oc", o.Number)
}
