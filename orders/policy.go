package orders

import (
	_ "embed"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

//go:embed default_rules.json
var defaultRulesJSON []byte

// DefaultRulesJSON returns the documented default rules file.
func DefaultRulesJSON() []byte { return append([]byte(nil), defaultRulesJSON...) }

// DefaultRules returns the rules of DefaultRulesJSON.
func DefaultRules() Rules {
	r, err := ReadRules(strings.NewReader(string(defaultRulesJSON)))
	if err != nil {
		panic("orders: default rules are invalid: " + err.Error())
	}
	return r
}

// IsWorkingDay reports whether d is a working day: a working weekday that is not a holiday.
func (r Rules) IsWorkingDay(d Date) bool {
	wd := d.Weekday()
	working := false
	for _, w := range r.WorkingWeekdays {
		if w == wd {
			working = true
			break
		}
	}
	if !working {
		return false
	}
	for _, h := range r.Holidays {
		if h == d {
			return false
		}
	}
	return true
}

// AddWorkingDays returns the date n working days after d (d itself does not count).
func (r Rules) AddWorkingDays(d Date, n int) Date {
	for n > 0 {
		d = d.AddDays(1)
		if r.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// NextWorkingDay returns d when it is a working day, else the next one.
func (r Rules) NextWorkingDay(d Date) Date {
	for !r.IsWorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// LeadTime is how long one line takes.
type LeadTime struct {
	FromStock bool
	Days      int  // working days; 0 with Automatic false means no automatic date
	Automatic bool // an automatic date exists
	Estimate  bool // the date is an estimate a rep must confirm
}

// LeadTime returns the lead time of quantity units of p when available units are in stock.
func (r Rules) LeadTime(p Product, quantity, available int) LeadTime {
	if !p.Standard {
		return LeadTime{}
	}
	if quantity <= available {
		return LeadTime{FromStock: true, Days: r.StockLeadDays, Automatic: true}
	}
	for _, t := range r.ProductionTiers {
		if quantity <= t.UpTo {
			return LeadTime{Days: t.Days, Automatic: true, Estimate: t.Estimate}
		}
	}
	return LeadTime{}
}

// Deposit returns the total of the lines and the payment required before production: the
// full custom prepayment when any line is a non-standard product, the deposit percentage
// when any line needs production, nothing for an order shipped entirely from stock.
// Complimentary lines count for nothing. products maps the lines' SKUs to products.
func (r Rules) Deposit(lines []Line, products map[string]Product) (total, deposit decimal.Decimal) {
	total = decimal.Zero
	anyCustom, anyProduction := false, false
	for _, l := range lines {
		if l.Complimentary {
			continue
		}
		total = total.Add(l.Amount())
		if p, ok := products[l.SKU]; ok && !p.Standard {
			anyCustom = true
		}
		if !l.FromStock {
			anyProduction = true
		}
	}
	pct := decimal.Zero
	switch {
	case anyCustom:
		pct = r.CustomPrepayPercent
	case anyProduction:
		pct = r.DepositPercent
	}
	return total, total.Mul(pct).Div(decimal.NewFromInt(100)).Round(2)
}

// Complimentary returns the complimentary lines the big-order rules add to lines.
// products maps SKU to product for the lines and for the complimentary SKUs.
func (r Rules) Complimentary(lines []Line, products map[string]Product) []Line {
	var out []Line
	for _, rule := range r.BigOrders {
		total := 0
		withOption := map[string]int{}
		for _, l := range lines {
			p, ok := products[l.SKU]
			if !ok || l.Complimentary || p.Category != rule.Category {
				continue
			}
			total += l.Quantity
			for _, kv := range strings.Split(string(l.Variant), ";") {
				withOption[kv] += l.Quantity
			}
		}
		if total < rule.MinQuantity {
			continue
		}
		for _, ref := range rule.Lines {
			if ref.Option != "" && withOption[ref.Option] == 0 {
				continue
			}
			cp := products[ref.SKU]
			out = append(out, Line{
				SKU: ref.SKU, Name: cp.NameEN, NameZH: cp.NameZH, Quantity: ref.Quantity, Unit: cp.Unit, UnitZH: cp.UnitZH,
				UnitPrice: cp.Price, Complimentary: true,
			})
		}
	}
	return out
}

// Today returns the calendar date of now in loc.
func Today(now time.Time, loc *time.Location) Date { return DateOf(now.In(loc)) }
