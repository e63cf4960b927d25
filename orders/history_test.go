package orders

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// bracketWords writes each part of a note so that the test sees which words were asked for.
type bracketWords struct{}

func (bracketWords) T(key string, args ...any) string {
	parts := []string{key}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	return strings.Join(parts, "|")
}
func (bracketWords) Money(d decimal.Decimal) string { return "[¥" + d.StringFixed(2) + "]" }
func (bracketWords) Date(d Date) string             { return "[" + d.String() + "]" }
func (bracketWords) Method(code string) string      { return "[" + code + "]" }
func (bracketWords) Change(c ChangeRequest) string  { return "[" + c.Kind + "]" }

// A note with a code is written from its arguments in the reader's words; a person's own
// words stay as written; a note without a code of its own has no words (its English stands).
func TestHistoryNoteWords(t *testing.T) {
	d := Date{Year: 2026, Month: 12, Day: 3}
	for _, c := range []struct {
		note HistoryNote
		want string
		ok   bool
	}{
		{PaymentNote(decimal.RequireFromString("100"), "bank"), "history.payment|[¥100.00]|[bank]", true},
		{PaymentNote(decimal.RequireFromString("12.5"), ""), "history.payment.plain|[¥12.50]", true},
		{DateNote(d), "history.date|[2026-12-03]", true},
		{HistoryNote{Code: NoteConfirmedByCustomer}, "history.confirmed_by_customer", true},
		{HistoryNote{Code: NoteDeclinedByCustomer}, "history.declined_by_customer", true},
		{CancelledByCustomerNote("too late"), "history.cancelled_by_customer|too late", true},
		{ChangeNote(ChangeRequest{Kind: ChangeDate, Date: d}), "[" + ChangeDate + "]", true},
		{TextNote("请尽快发货"), "请尽快发货", true},
		{HistoryNote{Code: NotePlaced}, "", true},
		{HistoryNote{}, "", false},
		{HistoryNote{Code: "something_new"}, "", false},
	} {
		got, ok := c.note.Words(bracketWords{})
		if got != c.want || ok != c.ok {
			t.Errorf("%+v: %q, %v; want %q, %v", c.note, got, ok, c.want, c.ok)
		}
	}
}
