package orders

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"
)

// Rules are the order desk's business rules. They are configuration, not code:
// an operator sets them in a JSON file (see DefaultRulesJSON).
type Rules struct {
	// StockLeadDays is the lead time, in working days, of a standard product shipped from stock.
	StockLeadDays int `json:"stock_lead_days"`
	// ProductionTiers give the production lead time of a standard product by quantity, in
	// ascending order of UpTo. A quantity above the last tier has no automatic date.
	ProductionTiers []Tier `json:"production_tiers"`
	// Holidays are skipped, like weekends, when counting working days.
	Holidays []Date `json:"holidays"`
	// WorkingWeekdays are the days of the week that count as working days (0 = Sunday).
	WorkingWeekdays []time.Weekday `json:"working_weekdays"`
	// DepositPercent is the deposit required before production starts.
	DepositPercent decimal.Decimal `json:"deposit_percent"`
	// CustomPrepayPercent is the prepayment required for non-standard products.
	CustomPrepayPercent decimal.Decimal `json:"custom_prepay_percent"`
	// BigOrders add complimentary lines to large orders.
	BigOrders []BigOrderRule `json:"big_orders"`
	// PaymentMethods are the methods a customer may choose.
	PaymentMethods []PaymentMethod `json:"payment_methods"`
	// MaxQuantity is the largest quantity accepted on one line.
	MaxQuantity int `json:"max_quantity"`
	// SessionTTL is how long an unfinished conversation is kept.
	SessionTTL Duration `json:"session_ttl"`
	// Currency is the symbol shown before amounts, like "¥".
	Currency string `json:"currency"`
	// ReminderHour is the hour of the day (business time zone) at which delivery reminders
	// are sent, on the working day before delivery.
	ReminderHour int `json:"reminder_hour"`
	// Documents are the seller's details and standard terms printed on the PDF documents,
	// and the production chat (see DocumentSettings).
	Documents DocumentSettings `json:"documents"`
	// Complaints are the service levels of complaints (defaults when absent).
	Complaints ComplaintRules `json:"complaints"`
}

// Tier is one production lead-time tier.
type Tier struct {
	UpTo     int  `json:"up_to"`
	Days     int  `json:"days"`
	Estimate bool `json:"estimate"` // only an estimate: a rep must confirm the date
}

// BigOrderRule adds complimentary lines when an order holds at least MinQuantity units of
// products of Category.
type BigOrderRule struct {
	Category    string             `json:"category"`
	MinQuantity int                `json:"min_quantity"`
	Lines       []ComplimentaryRef `json:"lines"`
}

// ComplimentaryRef is a complimentary line of a big-order rule. When Option is set (like
// "writing_board=yes") the line is added only for the units whose variant has that option.
type ComplimentaryRef struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Option   string `json:"option,omitempty"`
}

// PaymentMethod is a way to pay, named in both languages.
type PaymentMethod struct {
	Code string `json:"code"`
	EN   string `json:"en"`
	ZH   string `json:"zh"`
}

// Label returns the method's name in lang.
func (p PaymentMethod) Label(lang string) string {
	if lang == "zh" && p.ZH != "" {
		return p.ZH
	}
	return p.EN
}

// Duration is a time.Duration written as "24h" in JSON.
type Duration struct{ time.Duration }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// ReadRules decodes rules from JSON, rejecting unknown fields, and validates them.
func ReadRules(r io.Reader) (Rules, error) {
	var rules Rules
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rules); err != nil {
		return Rules{}, fmt.Errorf("rules: %w", err)
	}
	return rules, rules.Validate()
}

// Validate checks that the rules make sense.
func (r Rules) Validate() error {
	bad := func(field, reason string) error {
		return fmt.Errorf("rules: %w", &ValidationError{Field: field, Reason: reason})
	}
	if r.StockLeadDays < 0 {
		return bad("stock_lead_days", "must not be negative")
	}
	prev := 0
	for _, t := range r.ProductionTiers {
		if t.UpTo <= prev || t.Days <= 0 {
			return bad("production_tiers", "up_to must ascend and days must be positive")
		}
		prev = t.UpTo
	}
	if len(r.WorkingWeekdays) == 0 {
		return bad("working_weekdays", "at least one working day is needed")
	}
	for _, p := range []decimal.Decimal{r.DepositPercent, r.CustomPrepayPercent} {
		if p.IsNegative() || p.GreaterThan(decimal.NewFromInt(100)) {
			return bad("deposit_percent", "percentages are between 0 and 100")
		}
	}
	if len(r.PaymentMethods) == 0 {
		return bad("payment_methods", "at least one payment method is needed")
	}
	if r.MaxQuantity <= 0 {
		return bad("max_quantity", "must be positive")
	}
	if r.ReminderHour < 0 || r.ReminderHour > 23 {
		return bad("reminder_hour", "must be an hour from 0 to 23")
	}
	if r.SessionTTL.Duration <= 0 {
		return bad("session_ttl", "must be positive, like \"24h\"")
	}
	if l := r.Documents.ProductionLang; l != "" && l != "zh" && l != "en" {
		return bad("documents.production_lang", "\"zh\" or \"en\"")
	}
	for _, b := range r.BigOrders {
		if b.MinQuantity <= 0 || len(b.Lines) == 0 {
			return bad("big_orders", "each rule needs min_quantity > 0 and lines")
		}
	}
	return nil
}

// PaymentMethod returns the method with code.
func (r Rules) PaymentMethod(code string) (PaymentMethod, bool) {
	for _, p := range r.PaymentMethods {
		if p.Code == code {
			return p, true
		}
	}
	return PaymentMethod{}, false
}
