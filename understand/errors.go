package understand

import "errors"

// Kind says why an answer could not be understood, so that the dialog can say a specific
// reason and ask again.
type Kind string

// Kinds of bad input.
const (
	KindEmpty      Kind = "empty"      // nothing was typed
	KindNotNumber  Kind = "not_number" // no number could be read
	KindZero       Kind = "zero"       // the number is zero
	KindNegative   Kind = "negative"   // the number is below zero
	KindFraction   Kind = "fraction"   // a whole number was wanted (2.5, 1e9, 1,000 as a quantity)
	KindTooLarge   Kind = "too_large"  // above the allowed maximum (Error.Max)
	KindTooLong    Kind = "too_long"   // far too many characters to be an answer of this kind
	KindFormat     Kind = "format"     // not a date / phone / amount in any known form
	KindImpossible Kind = "impossible" // a date that does not exist (2026-02-30, 13/01)
	KindLength     Kind = "length"     // a phone number with too few or too many digits
)

// Fields an Error can be about.
const (
	FieldQuantity = "quantity"
	FieldDate     = "date"
	FieldPhone    = "phone"
	FieldAmount   = "amount"
)

// Error is input that could not be understood: which field, and why.
type Error struct {
	Field string // FieldQuantity, FieldDate, FieldPhone or FieldAmount
	Kind  Kind
	Max   int // the maximum, with KindTooLarge (and KindTooLong for quantities)
}

func (e *Error) Error() string { return "understand: " + e.Field + ": " + string(e.Kind) }

// KindOf returns the Kind of an *Error in err's chain, or "" when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

func fail(field string, k Kind) error { return &Error{Field: field, Kind: k} }
