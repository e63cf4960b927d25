package orders

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestPaymentStatusOf(t *testing.T) {
	d := decimal.RequireFromString
	for _, c := range []struct {
		total, deposit, paid string
		want                 PaymentStatus
	}{
		{"5980", "0", "0", PaymentUnpaid},
		{"5980", "0", "5000", PaymentPartlyPaid}, // no deposit required: something paid, not the total
		{"5980", "1794", "1000", PaymentPartlyPaid},
		{"5980", "1794", "1794", PaymentDepositPaid},
		{"5980", "1794", "5000", PaymentDepositPaid},
		{"5980", "1794", "5980", PaymentPaid},
		{"5980", "5980", "5000", PaymentPartlyPaid}, // custom product: full prepayment required
		{"5980", "0", "5980", PaymentPaid},
		{"0", "0", "0", PaymentUnpaid},
	} {
		if got := PaymentStatusOf(d(c.total), d(c.deposit), d(c.paid)); got != c.want {
			t.Errorf("total %s, deposit %s, paid %s: %s, want %s", c.total, c.deposit, c.paid, got, c.want)
		}
		if !c.want.Valid() {
			t.Errorf("%s not valid", c.want)
		}
	}
	if PaymentStatus("partly").Valid() {
		t.Error("an unknown payment status is valid")
	}
}
