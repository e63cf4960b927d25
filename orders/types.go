package orders

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Product is one catalog entry. Stock counts are in the product's unit.
type Product struct {
	SKU      string
	NameEN   string
	NameZH   string
	Category string
	Unit     string
	UnitZH   string // the unit's Chinese name ("把"), empty when the catalog gives none
	Price    decimal.Decimal
	OnHand   int
	Reserved int
	Standard bool
	Options  []Option
	Active   bool
}

// Available is what may still be promised: on hand minus reserved.
func (p Product) Available() int { return p.OnHand - p.Reserved }

// Name returns the product's name in the language ("zh" or "en"), falling back to the other.
func (p Product) Name(lang string) string {
	if lang == "zh" && p.NameZH != "" {
		return p.NameZH
	}
	if p.NameEN != "" {
		return p.NameEN
	}
	return p.NameZH
}

// Option is a choice the customer makes for a product, such as colour or size.
type Option struct {
	Name   string
	Values []string
	// ZH holds the Chinese names of values that have one ("black" → "黑色").
	ZH map[string]string
	// EN holds the English names of values whose code does not read as English
	// ("yes" → "with writing board").
	EN map[string]string
}

// Variant is the chosen option values of a line, e.g. "colour=black;size=M".
// The empty variant means a product without options.
type Variant string

// MakeVariant builds a Variant from option values in the product's option order.
func MakeVariant(opts []Option, chosen map[string]string) Variant {
	parts := make([]string, 0, len(opts))
	for _, o := range opts {
		if v, ok := chosen[o.Name]; ok {
			parts = append(parts, o.Name+"="+v)
		}
	}
	return Variant(strings.Join(parts, ";"))
}

// Values returns the option values of the variant in order ("black", "M").
func (v Variant) Values() []string {
	if v == "" {
		return nil
	}
	parts := strings.Split(string(v), ";")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if _, val, ok := strings.Cut(p, "="); ok {
			out = append(out, val)
		}
	}
	return out
}

// Customer is a person who orders through the bot.
type Customer struct {
	ID          int64
	TelegramID  int64
	Name        string
	Phone       string
	Company     string
	Language    string
	Addresses   []string // most recent first
	Unreachable bool
}

// Role is what a staff member may do.
type Role string

// Staff roles.
const (
	RoleRep     Role = "rep"
	RoleManager Role = "manager"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleRep || r == RoleManager }

// Staff is a sales rep or manager.
type Staff struct {
	ID         int64
	TelegramID int64
	Name       string
	Role       Role
	Active     bool
	Language   string
	// GroupCopies: the member also gets private copies of what goes to the staff group.
	GroupCopies bool
}

// Line is one product line of an order.
type Line struct {
	SKU           string
	Name          string // the product's English name at the time of ordering
	NameZH        string // its Chinese name then
	Variant       Variant
	VariantZH     Variant // the variant with the values' Chinese names then, "" when none
	VariantEN     Variant // the variant with the values' English names then, "" when none
	Quantity      int
	Unit          string
	UnitZH        string // the unit's Chinese name then
	UnitPrice     decimal.Decimal
	Complimentary bool
	FromStock     bool // reserved from stock; false means production or purchase is needed
}

// Amount is quantity × unit price; zero for complimentary lines.
func (l Line) Amount() decimal.Decimal {
	if l.Complimentary {
		return decimal.Zero
	}
	return l.UnitPrice.Mul(decimal.NewFromInt(int64(l.Quantity)))
}

// HistoryEntry is one recorded change of an order.
type HistoryEntry struct {
	From  Status // empty for the creation entry
	To    Status
	Actor string
	At    time.Time
	Note  string // the note in English (Detail.English()), or a person's words
	// Detail is the note without words of any language, for readers to render in theirs.
	Detail HistoryNote
}

// Order is a sales order.
type Order struct {
	ID              int64
	Number          string
	Status          Status
	PaymentStatus   PaymentStatus
	Customer        Customer
	Lines           []Line
	Total           decimal.Decimal
	DepositDue      decimal.Decimal
	DeliveryAddress string
	WantedDate      Date
	PromisedDate    Date // zero until promised
	EstimatedDate   Date // zero when no automatic estimate exists (custom products)
	PaymentMethod   string
	Notes           string
	Source          string // "customer", "rep:<telegram id>" or "channel:<name>"
	Reference       string // the channel's own reference of an order placed through a channel
	CreatedAt       time.Time
	ApprovedAt      time.Time // the customer's confirmation (signature)
	ApprovedBy      string
	Carrier         string
	Tracking        string
	Rep             int64 // the staff member responsible (Telegram id), 0 when none yet
	Modified        bool  // changed after confirmation: counts against the accuracy rate
	Paid            decimal.Decimal
	Rating          int // 1–5 after delivery, 0 when not rated
	RatingComment   string
	History         []HistoryEntry
}
