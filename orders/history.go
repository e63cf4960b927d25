package orders

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// HistoryNote is what an entry of an order's history says, in no language: a code and
// its arguments. Readers render it in their own language; English gives the English text
// kept beside it for the command line and the JSON `note`.
type HistoryNote struct {
	Code string            `json:"code"`
	Args map[string]string `json:"args,omitempty"`
}

// The codes of history notes and their arguments.
const (
	NotePlaced              = "placed"                // the order was placed
	NoteProposedDate        = "proposed_date"         // date: the delivery date proposed to the customer
	NoteConfirmedByCustomer = "confirmed_by_customer" // the customer accepted the proposal
	NoteDeclinedByCustomer  = "declined_by_customer"  // the customer declined it
	NoteCancelledByCustomer = "cancelled_by_customer" // reason: cancelled at the customer's request before confirmation
	NotePayment             = "payment"               // amount (decimal), method (payment method code, may be empty)
	NoteChange              = "change"                // kind, line (1-based), quantity, date, address, reason: an approved change
	NoteText                = "text"                  // text: a person's own words (a reason, a comment)
)

// orNil is the note for a Notice's Detail: nil for no note.
func (n HistoryNote) orNil() *HistoryNote {
	if n.Code == "" {
		return nil
	}
	return &n
}

// NoteWords is what writing a history note in a reader's language takes: the reader's
// sentences (i18n keys "history.…") and how they write money, dates, payment methods and
// changes.
type NoteWords interface {
	T(key string, args ...any) string
	Money(d decimal.Decimal) string
	Date(d Date) string
	Method(code string) string
	Change(c ChangeRequest) string
}

// Words writes the note in the reader's language from its code and arguments; a person's
// own words are shown as they wrote them, and the placing of an order needs none (""). It
// reports false for a note it has no words for (written before notes had codes): the
// English text kept beside it stands.
func (n HistoryNote) Words(w NoteWords) (string, bool) {
	switch n.Code {
	case NotePayment:
		if m := n.Args["method"]; m != "" {
			return w.T("history.payment", w.Money(n.Amount()), w.Method(m)), true
		}
		return w.T("history.payment.plain", w.Money(n.Amount())), true
	case NoteProposedDate:
		return w.T("history.date", w.Date(n.Date())), true
	case NoteConfirmedByCustomer:
		return w.T("history.confirmed_by_customer"), true
	case NoteDeclinedByCustomer:
		return w.T("history.declined_by_customer"), true
	case NoteCancelledByCustomer:
		return w.T("history.cancelled_by_customer", n.Args["reason"]), true
	case NoteChange:
		c, _ := n.Change()
		return w.Change(c), true
	case NoteText:
		return n.Args["text"], true
	case NotePlaced:
		return "", true
	}
	return "", false
}

// TextNote is a note of a person's own words; the empty text is no note.
func TextNote(text string) HistoryNote {
	if strings.TrimSpace(text) == "" {
		return HistoryNote{}
	}
	return HistoryNote{Code: NoteText, Args: map[string]string{"text": text}}
}

// DateNote records the delivery date proposed to the customer.
func DateNote(d Date) HistoryNote {
	return HistoryNote{Code: NoteProposedDate, Args: map[string]string{"date": d.String()}}
}

// PaymentNote records a payment of amount by method (a payment method's code).
func PaymentNote(amount decimal.Decimal, method string) HistoryNote {
	return HistoryNote{Code: NotePayment, Args: map[string]string{"amount": amount.StringFixed(2), "method": method}}
}

// CancelledByCustomerNote records a cancellation the customer asked for before the order
// was confirmed.
func CancelledByCustomerNote(reason string) HistoryNote {
	return HistoryNote{Code: NoteCancelledByCustomer, Args: map[string]string{"reason": reason}}
}

// ChangeNote records an approved change request.
func ChangeNote(c ChangeRequest) HistoryNote {
	a := map[string]string{"kind": c.Kind}
	switch c.Kind {
	case ChangeQuantity:
		a["line"], a["quantity"] = strconv.Itoa(c.Line+1), strconv.Itoa(c.Quantity)
	case ChangeDate:
		a["date"] = c.Date.String()
	case ChangeAddress:
		a["address"] = c.Address
	}
	if c.Reason != "" {
		a["reason"] = c.Reason
	}
	return HistoryNote{Code: NoteChange, Args: a}
}

// Change returns the change request a NoteChange records.
func (n HistoryNote) Change() (ChangeRequest, bool) {
	if n.Code != NoteChange {
		return ChangeRequest{}, false
	}
	c := ChangeRequest{Kind: n.Args["kind"], Address: n.Args["address"], Reason: n.Args["reason"]}
	if l, err := strconv.Atoi(n.Args["line"]); err == nil {
		c.Line = l - 1
	}
	c.Quantity, _ = strconv.Atoi(n.Args["quantity"])
	if d, err := ParseISODate(n.Args["date"]); err == nil {
		c.Date = d
	}
	return c, true
}

// Date returns the date argument of the note, zero when it has none.
func (n HistoryNote) Date() Date {
	d, _ := ParseISODate(n.Args["date"])
	return d
}

// Amount returns the amount argument of a payment note, zero when it has none.
func (n HistoryNote) Amount() decimal.Decimal {
	d, _ := decimal.NewFromString(n.Args["amount"])
	return d
}

// English is the note as English text, as the history was written before notes had codes
// ("date 2026-12-15", "payment 5000.00 bank_transfer"): for the command line, the JSON
// `note` and the API.
func (n HistoryNote) English() string {
	switch n.Code {
	case "":
		return ""
	case NotePlaced:
		return "placed"
	case NoteProposedDate:
		return "date " + n.Args["date"]
	case NoteConfirmedByCustomer:
		return "confirmed by the customer"
	case NoteDeclinedByCustomer:
		return "declined by the customer"
	case NoteCancelledByCustomer:
		return "cancelled by the customer: " + n.Args["reason"]
	case NotePayment:
		return strings.TrimSpace("payment " + n.Args["amount"] + " " + n.Args["method"])
	case NoteChange:
		c, _ := n.Change()
		return changeText(c)
	case NoteText:
		return n.Args["text"]
	}
	return n.Code
}
