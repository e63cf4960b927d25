package understand

import (
	"time"
	"unicode/utf8"
)

// State is how far a field of a draft was understood.
type State int

// States of a field.
const (
	Missing    State = iota // not in the message: ask for it
	Understood              // understood; the value is set
	Ambiguous               // mentioned, but not clearly enough to be sure: ask for it
)

// DraftLine is one product line of a quick order.
type DraftLine struct {
	// SKU is the product, or "" when it is unknown or ambiguous (then see Candidates).
	SKU string
	// Candidates are the products the words may mean when SKU is "": an ambiguous word
	// (手机), a category word (椅子 without a synonym), or suggestions for a typo.
	Candidates []Candidate
	// Category is set when a category word was used.
	Category string
	// Quantity is the quantity, or 0 when missing or refused (see QuantityError).
	Quantity int
	// QuantityError is why a quantity that was given was refused (KindTooLarge …), or "".
	QuantityError Kind
	// Options are the option values understood (option name → value).
	Options map[string]string
	// MissingOptions are the product's options not given, or given ambiguously, in the
	// product's order. Only set when SKU is.
	MissingOptions []string
	// Text is the part of the message the line was read from.
	Text string
}

// Understood reports whether the line is complete: product, quantity and every option.
func (l DraftLine) Understood() bool {
	return l.SKU != "" && l.Quantity > 0 && len(l.MissingOptions) == 0
}

// Draft is an order understood from one message. Each field is either understood (its
// value is set, its State is Understood), or Missing, or Ambiguous — never a guess.
type Draft struct {
	// Lang is the language of the message ("zh" or "en").
	Lang string
	// Lines are the product lines, in the order of the message.
	Lines []DraftLine
	// Date is the wanted delivery date; DateState says whether it was understood.
	Date      DateAnswer
	DateState State
	// Address is the delivery address as typed (without 送到 / deliver to).
	Address      string
	AddressState State
	// AddressRef is set (and AddressState is Ambiguous) when the message refers to a saved
	// address (还是上海那个, same address as last time): resolve it with Address(AddressRef, saved).
	AddressRef string
	// Phone is the phone number (digits and an optional leading +).
	Phone      string
	PhoneState State
	// Name is the contact's name.
	Name      string
	NameState State
	// PaymentMethod is the code of the payment method.
	PaymentMethod string
	PaymentState  State
	// Notes are the customer's notes, given after 备注 / note:.
	Notes string
	// Unread are the parts of the message that were not understood.
	Unread []string
	// Question is set when the message asks something (多少钱, 有没有…的库存, "how much",
	// "do you have …?") and gives no quantity: it names products but orders nothing.
	Question bool
}

// IsOrder reports whether the message reads as an order: it names a product (even
// ambiguously) with or without a quantity, or a quantity with a measure word, and is not
// a question.
func (d Draft) IsOrder() bool { return len(d.Lines) > 0 && !d.Question }

// Complete reports whether every line is understood and date, address and payment method
// are (phone and name may come from the customer's profile, which the caller knows).
func (d Draft) Complete() bool {
	if len(d.Lines) == 0 || d.DateState != Understood || d.AddressState != Understood || d.PaymentState != Understood {
		return false
	}
	for _, l := range d.Lines {
		if !l.Understood() {
			return false
		}
	}
	return true
}

// QuickOrder reads a whole order typed in one message, in Chinese or English:
//
//	我要10把椅子，明天送到浦东世纪大道100号
//	10把黑色办公椅和2张会议桌
//	I need 20 black office chairs delivered next Friday to 88 Century Ave, phone 13800138000, bank transfer
//
// Several products become several lines (split at 和, 、, ",", "and", "+", new lines). A
// field that is not sure is left Missing or Ambiguous for the dialog to ask.
//
// A message longer than MaxQuickOrder characters is not read as an order: its Draft has
// no lines and the whole text in Unread.
func (p *Parser) QuickOrder(s string, now time.Time) Draft {
	if utf8.RuneCountInString(s) > MaxQuickOrder {
		return Draft{Lang: Language(s), Unread: []string{s}}
	}
	return p.quickOrder(s, p.Today(now))
}

// MaxQuickOrder is the longest message, in characters, read as a quick order.
const MaxQuickOrder = 500
