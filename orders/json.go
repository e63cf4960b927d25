package orders

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// The JSON form of an order is a public interface (`orderbot orders show --json`): fields
// may be added, never renamed. Money is a decimal string, dates are YYYY-MM-DD ("" when
// unset), times RFC 3339.
type orderJSON struct {
	Number          string          `json:"number"`
	Status          Status          `json:"status"`
	PaymentStatus   PaymentStatus   `json:"payment_status"`
	Paid            decimal.Decimal `json:"paid"`
	Customer        customerJSON    `json:"customer"`
	Lines           []lineJSON      `json:"lines"`
	Total           decimal.Decimal `json:"total"`
	DepositDue      decimal.Decimal `json:"deposit_due"`
	DeliveryAddress string          `json:"delivery_address"`
	WantedDate      Date            `json:"wanted_date"`
	PromisedDate    Date            `json:"promised_date"`
	EstimatedDate   Date            `json:"estimated_date"`
	PaymentMethod   string          `json:"payment_method"`
	Notes           string          `json:"notes"`
	Source          string          `json:"source"`
	CreatedAt       time.Time       `json:"created_at"`
	History         []historyJSON   `json:"history"`
}

// customerJSON is the order's customer: the contact given for that order (name, phone,
// company), which a later order under another contact never rewrites.
type customerJSON struct {
	TelegramID int64  `json:"telegram_id"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Company    string `json:"company"`
}

type lineJSON struct {
	SKU           string          `json:"sku"`
	Variant       Variant         `json:"variant"`
	Quantity      int             `json:"quantity"`
	UnitPrice     decimal.Decimal `json:"unit_price"`
	Complimentary bool            `json:"complimentary"`
	FromStock     bool            `json:"from_stock"`
}

type historyJSON struct {
	From  Status    `json:"from"`
	To    Status    `json:"to"`
	Actor string    `json:"actor"`
	At    time.Time `json:"at"`
	Note  string    `json:"note"`
	// NoteCode and NoteArgs are the note without words of any language (HistoryNote).
	NoteCode string            `json:"note_code,omitempty"`
	NoteArgs map[string]string `json:"note_args,omitempty"`
}

// MarshalJSON writes the order in its public JSON form.
func (o Order) MarshalJSON() ([]byte, error) {
	j := orderJSON{
		Number: o.Number, Status: o.Status, PaymentStatus: o.PaymentStatus,
		Paid:     o.Paid,
		Customer: customerJSON{TelegramID: o.Customer.TelegramID, Name: o.Customer.Name, Phone: o.Customer.Phone, Company: o.Customer.Company},
		Lines:    make([]lineJSON, len(o.Lines)),
		Total:    o.Total, DepositDue: o.DepositDue, DeliveryAddress: o.DeliveryAddress,
		WantedDate: o.WantedDate, PromisedDate: o.PromisedDate, EstimatedDate: o.EstimatedDate,
		PaymentMethod: o.PaymentMethod, Notes: o.Notes, Source: o.Source, CreatedAt: o.CreatedAt,
		History: make([]historyJSON, len(o.History)),
	}
	for i, l := range o.Lines {
		j.Lines[i] = lineJSON{SKU: l.SKU, Variant: l.Variant, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			Complimentary: l.Complimentary, FromStock: l.FromStock}
	}
	for i, h := range o.History {
		j.History[i] = historyJSON{From: h.From, To: h.To, Actor: h.Actor, At: h.At, Note: h.Note,
			NoteCode: h.Detail.Code, NoteArgs: h.Detail.Args}
	}
	return json.Marshal(j)
}
