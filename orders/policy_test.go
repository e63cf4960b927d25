package orders

import (
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) Date {
	v, err := ParseISODate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestAddWorkingDaysSkipsWeekendsAndHolidays(t *testing.T) {
	r := DefaultRules()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-27", 2, "2026-12-01"}, // Friday + 2 → Tuesday
		{"2026-11-30", 2, "2026-12-02"}, // Monday + 2 → Wednesday
		{"2026-12-23", 3, "2026-12-29"}, // skips 25 Dec (holiday) and the weekend
		{"2026-11-28", 1, "2026-11-30"}, // from a Saturday
		{"2026-11-27", 0, "2026-11-27"},
	}
	for _, tt := range tests {
		if got := r.AddWorkingDays(d(tt.from), tt.n); got != d(tt.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestLeadTime(t *testing.T) {
	r := DefaultRules()
	std := Product{SKU: "C", Standard: true}
	tests := []struct {
		name       string
		p          Product
		qty, avail int
		want       LeadTime
	}{
		{"from stock", std, 5, 10, LeadTime{FromStock: true, Days: 2, Automatic: true}},
		{"exactly the stock", std, 10, 10, LeadTime{FromStock: true, Days: 2, Automatic: true}},
		{"production up to 10", std, 8, 2, LeadTime{Days: 3, Automatic: true}},
		{"production up to 50", std, 50, 0, LeadTime{Days: 7, Automatic: true}},
		{"20-ft container estimate", std, 400, 0, LeadTime{Days: 20, Automatic: true, Estimate: true}},
		{"40-ft container estimate", std, 2000, 0, LeadTime{Days: 35, Automatic: true, Estimate: true}},
		{"beyond the tiers", std, 5000, 0, LeadTime{}},
		{"custom product", Product{SKU: "X"}, 1, 100, LeadTime{}},
	}
	for _, tt := range tests {
		if got := r.LeadTime(tt.p, tt.qty, tt.avail); got != tt.want {
			t.Errorf("%s: LeadTime = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestDeposit(t *testing.T) {
	r := DefaultRules()
	products := map[string]Product{"STD": {SKU: "STD", Standard: true}, "CUSTOM": {SKU: "CUSTOM"}}
	price := decimal.RequireFromString("500.00")
	line := func(sku string, fromStock bool) Line {
		return Line{SKU: sku, Quantity: 2, UnitPrice: price, FromStock: fromStock}
	}
	free := Line{SKU: "STD", Quantity: 10, UnitPrice: price, Complimentary: true}
	for _, tt := range []struct {
		name       string
		lines      []Line
		total, due string
	}{
		{"from stock", []Line{line("STD", true), free}, "1000", "0"},
		{"production", []Line{line("STD", false), free}, "1000", "300"},
		{"custom", []Line{line("CUSTOM", false)}, "1000", "1000"},
		{"custom and stock", []Line{line("STD", true), line("CUSTOM", false)}, "2000", "2000"},
	} {
		total, due := r.Deposit(tt.lines, products)
		if !total.Equal(decimal.RequireFromString(tt.total)) || !due.Equal(decimal.RequireFromString(tt.due)) {
			t.Errorf("%s: Deposit = %s, %s; want %s, %s", tt.name, total, due, tt.total, tt.due)
		}
	}
}

func TestComplimentaryBigOrder(t *testing.T) {
	r := DefaultRules()
	products := map[string]Product{
		"CHAIR-100":    {SKU: "CHAIR-100", Category: "chairs"},
		"CHAIR-200":    {SKU: "CHAIR-200", Category: "chairs"},
		"SPARE-SCREWS": {SKU: "SPARE-SCREWS"}, "SPARE-CASTER": {SKU: "SPARE-CASTER"},
		"SPARE-GASLIFT": {SKU: "SPARE-GASLIFT"}, "SPARE-BOARDLINK": {SKU: "SPARE-BOARDLINK"},
	}
	small := []Line{{SKU: "CHAIR-100", Quantity: 199}}
	if got := r.Complimentary(small, products); len(got) != 0 {
		t.Errorf("199 chairs got complimentary lines %+v", got)
	}
	big := []Line{{SKU: "CHAIR-100", Quantity: 150}, {SKU: "CHAIR-200", Variant: "colour=black;writing_board=no", Quantity: 50}}
	got := r.Complimentary(big, products)
	if len(got) != 3 {
		t.Fatalf("200 chairs without writing board: got %d lines %+v, want screws, casters, gas lifts", len(got), got)
	}
	for _, l := range got {
		if !l.Complimentary || l.Amount().Sign() != 0 {
			t.Errorf("line %+v is not a free complimentary line", l)
		}
	}
	withBoard := []Line{{SKU: "CHAIR-200", Variant: "colour=grey;writing_board=yes", Quantity: 200}}
	got = r.Complimentary(withBoard, products)
	if len(got) != 4 || got[3].SKU != "SPARE-BOARDLINK" || got[3].Quantity != 5 {
		t.Errorf("200 chairs with writing board: got %+v, want 4 lines ending with 5 board connectors", got)
	}
}

func TestTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusPendingReview, StatusAwaitingCustomer}: true, {StatusPendingReview, StatusCancelled}: true,
		{StatusAwaitingCustomer, StatusConfirmed}: true, {StatusAwaitingCustomer, StatusCancelled}: true,
		{StatusConfirmed, StatusInProduction}: true, {StatusConfirmed, StatusShipped}: true, {StatusConfirmed, StatusCancelled}: true,
		{StatusInProduction, StatusQualityCheck}: true, {StatusInProduction, StatusCancelled}: true,
		{StatusQualityCheck, StatusShipped}: true, {StatusQualityCheck, StatusInProduction}: true, {StatusQualityCheck, StatusCancelled}: true,
		{StatusShipped, StatusDelivered}: true, {StatusDelivered, StatusCompleted}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			if got := from.CanTransition(to); got != allowed[[2]Status{from, to}] {
				t.Errorf("%s → %s allowed = %v", from, to, got)
			}
		}
	}
	if !StatusCompleted.Terminal() || !StatusCancelled.Terminal() || StatusShipped.Terminal() {
		t.Error("terminal statuses are completed and cancelled")
	}
}

func TestDefaultRulesValid(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultRules()
	bad.MaxQuantity = 0
	if err := bad.Validate(); err == nil {
		t.Error("max_quantity 0 accepted")
	}
}
