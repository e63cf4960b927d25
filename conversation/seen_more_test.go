package conversation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// A placeholder profile name (the terminal's old 「Demo Customer」, a Telegram account
// called "Test User" or 客户) is never offered as the customer's name; a real one is.
func TestPlaceholderNameNotOffered(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	for i, name := range []string{"Demo Customer", "Test User", "客户", "user123", "Customer", "Telegram User", "🙂"} {
		d := newDriver(t, k.bed, int64(6601+i), "zh")
		d.u.Name = name
		d.cmd("/neworder")
		d.text("5把灰色经典办公椅")
		d.expect("联系人姓名")
		if _, ok := d.button(name); ok {
			t.Errorf("the profile name %q is offered as the customer's name:\n%s", name, d.shown())
		}
	}
	d := newDriver(t, k.bed, 6650, "zh")
	d.u.Name = "Wei Zhang"
	d.cmd("/neworder")
	d.text("5把灰色经典办公椅")
	if _, ok := d.button("Wei Zhang"); !ok {
		t.Errorf("a real profile name is not offered:\n%s", d.shown())
	}
}

// An order paid in full, and a completed one, show no deposit line on any card: the
// deposit is no longer due.
func TestNoDepositLineOncePaidOrCompleted(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	ctx := context.Background()
	svc := k.bed.Service
	n := k.place(t, "CHAIR-300", "black", "20") // production: a 30 % deposit
	rep := orders.StaffActor(orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true})
	if _, err := svc.Review(ctx, "", n, rep, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CustomerDecide(ctx, "", n, k.customer.u.ID, true); err != nil {
		t.Fatal(err)
	}
	o := k.order(t, n)
	for _, d := range []*driver{k.rep1, k.customer} {
		d.cmd("/status " + n)
		d.expect("Deposit due")
	}
	if _, err := svc.RecordPayment(ctx, "", n, o.Total, "bank_transfer", rep); err != nil {
		t.Fatal(err)
	}
	noDeposit := func(when string) {
		t.Helper()
		for _, d := range []*driver{k.rep1, k.customer} {
			d.cmd("/status " + n)
			d.expect("Order " + n)
			if strings.Contains(d.shown(), "Deposit") {
				t.Errorf("%s, the card shows a deposit:\n%s", when, d.shown())
			}
		}
	}
	noDeposit("paid in full")
	for _, to := range []orders.Status{orders.StatusInProduction, orders.StatusQualityCheck, orders.StatusShipped, orders.StatusDelivered, orders.StatusCompleted} {
		opt := orders.AdvanceOptions{}
		if to == orders.StatusShipped {
			opt = orders.AdvanceOptions{Carrier: "SF Express", Tracking: "SF1234567890"}
		}
		if _, err := svc.Advance(ctx, "", n, to, rep, opt); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	if o := k.order(t, n); o.Status != orders.StatusCompleted || !o.Paid.Equal(o.Total) || o.Total.LessThanOrEqual(decimal.Zero) {
		t.Fatalf("order %+v", o)
	}
	noDeposit("completed")
}
