package conversation_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// desk is a customer, two reps and a manager around one bed.
type desk struct {
	bed                 *testbed.Bed
	customer            *driver
	rep1, rep2, manager *driver
}

func newDesk(t *testing.T) *desk {
	bed := testbed.New(t)
	ctx := context.Background()
	for _, s := range []orders.Staff{
		{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true},
		{TelegramID: 3002, Name: "Rep Wang", Role: orders.RoleRep, Active: true},
		{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true},
	} {
		if _, err := bed.Service.AddStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	staff := func(id int64, role conversation.Role) *driver {
		d := newDriver(t, bed, id, "en")
		d.u.Role = role
		return d
	}
	return &desk{bed: bed, customer: newDriver(t, bed, 1000, "en"),
		rep1: staff(3001, conversation.RoleRep), rep2: staff(3002, conversation.RoleRep), manager: staff(3009, conversation.RoleManager)}
}

// place orders qty of sku (first option) as the customer and confirms; returns the number.
func (k *desk) place(t *testing.T, sku, option, qty string) string {
	d := k.customer
	d.cmd("/neworder")
	d.text(sku)
	if option != "" {
		d.press(option)
	}
	d.text(qty)
	d.press("Continue")
	if _, ok := d.button("Use these"); ok {
		d.press("Use these")
	} else {
		d.press("Wei Zhang")
		d.text("13800138000")
	}
	d.text("No. 1 Century Avenue, Shanghai")
	d.text("2026-12-20")
	d.press("Bank transfer")
	d.press("Skip")
	d.press("Confirm")
	for _, r := range d.last {
		if n := orderNumber(r.Text); n != "" {
			return n
		}
	}
	t.Fatalf("no order number in %s", d.shown())
	return ""
}

func orderNumber(s string) string {
	i := strings.Index(s, "SO-")
	if i < 0 || len(s) < i+16 {
		return ""
	}
	return s[i : i+16]
}

func (k *desk) order(t *testing.T, n string) orders.Order {
	o, err := k.bed.Service.Order(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestReviewAcceptedThenCustomerConfirms(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	n := k.place(t, "CHAIR-300", "black", "20") // 8 on hand: production
	k.rep1.cmd("/orders review")
	k.rep1.expect("Orders to review: 1", n)
	k.rep1.press(n)
	k.rep1.expect("Status: pending review", "Accept Sun 20 Dec 2026")
	k.rep1.press("Accept")
	k.rep1.expect("you proposed delivery on Sun 20 Dec 2026")
	if o := k.order(t, n); o.Status != orders.StatusAwaitingCustomer || o.PromisedDate.String() != "2026-12-20" || o.Rep != 3001 {
		t.Fatalf("after review: %+v", o)
	}
	k.customer.cmd("/status " + n)
	k.customer.expect("awaiting your confirmation")
	k.customer.press("Confirm")
	k.customer.expect("is confirmed for delivery on Sun 20 Dec 2026")
	o := k.order(t, n)
	if o.Status != orders.StatusConfirmed || o.ApprovedBy != "customer:1000" {
		t.Errorf("after the customer's confirmation: %+v", o)
	}
	// Every step is in the history with its actor.
	var steps []string
	for _, h := range o.History {
		steps = append(steps, string(h.From)+">"+string(h.To)+"@"+h.Actor)
	}
	want := ">pending_review@customer:1000 pending_review>awaiting_customer@rep:3001 awaiting_customer>confirmed@customer:1000"
	if strings.Join(steps, " ") != want {
		t.Errorf("history %v, want %s", steps, want)
	}
}

func TestReviewOtherDateRejectAndDecline(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	a := k.place(t, "DESK-CUSTOM", "oak", "1")
	k.rep1.cmd("/status " + a)
	if _, ok := k.rep1.button("Accept"); ok {
		t.Error("a custom order has no suggested date to accept")
	}
	k.rep1.press("Set another date")
	k.rep1.text("2026-11-01")
	k.rep1.expect("That date has passed")
	k.rep1.text("2027-01-15")
	k.rep1.expect("you proposed delivery on Fri 15 Jan 2027")
	k.customer.cmd("/status " + a)
	k.customer.press("Decline")
	k.customer.expect("cancelled as you asked")
	if o := k.order(t, a); o.Status != orders.StatusCancelled {
		t.Errorf("declined order is %s", o.Status)
	}

	b := k.place(t, "CHAIR-300", "brown", "30")
	k.rep2.cmd("/status " + b)
	k.rep2.press("Reject")
	k.rep2.expect("Why is " + b + " rejected")
	k.rep2.text("We cannot make brown this month")
	k.rep2.expect("rejected and cancelled")
	o := k.order(t, b)
	if o.Status != orders.StatusCancelled || o.History[len(o.History)-1].Note != "We cannot make brown this month" {
		t.Errorf("rejected order: %+v", o)
	}
}

// Two reps press the same review button at once: one wins, the other is told.
func TestTwoRepsSameReviewButton(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	n := k.place(t, "CHAIR-300", "black", "20")
	k.rep1.cmd("/status " + n)
	k.rep2.cmd("/status " + n)
	b1, _ := k.rep1.button("Accept")
	b2, _ := k.rep2.button("Accept")
	var wg sync.WaitGroup
	for _, x := range []struct {
		d *driver
		b conversation.Button
	}{{k.rep1, b1}, {k.rep2, b2}} {
		wg.Add(1)
		go func() { defer wg.Done(); x.d.pressData(x.b.Data) }()
	}
	wg.Wait()
	won := strings.Contains(k.rep1.shown(), "proposed") != strings.Contains(k.rep2.shown(), "proposed")
	lost := strings.Contains(k.rep1.shown()+k.rep2.shown(), "has moved on: it is awaiting the customer's confirmation now")
	if !won || !lost {
		t.Errorf("want exactly one winner and one told:\nrep1: %s\nrep2: %s", k.rep1.shown(), k.rep2.shown())
	}
	o := k.order(t, n)
	if len(o.History) != 2 {
		t.Errorf("history %+v, want placement and one review", o.History)
	}
}

// Production waits for the deposit; quality check can send the order back; shipment needs
// carrier and tracking; then delivery and completion.
func TestDepositGateReworkShipmentDelivery(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	n := k.place(t, "CHAIR-300", "black", "20")
	k.rep1.cmd("/status " + n)
	k.rep1.press("Accept")
	k.customer.cmd("/status " + n)
	k.customer.press("Confirm")

	r := k.rep1
	r.cmd("/status " + n)
	r.expect("Status: confirmed", "Deposit due: ¥7,680.00")
	r.press("Start production")
	r.expect("cannot go into production yet: the deposit of ¥7,680.00 is not paid")
	r.cmd("/status " + n)
	r.press("Record a payment")
	r.text("abc")
	r.expect("Please type an amount")
	r.press("Deposit ¥7,680.00")
	r.press("Bank transfer")
	r.expect("¥7,680.00 recorded for "+n, "payment status: deposit paid")
	r.press("Start production")
	r.expect("is now in production")
	r.press("Quality check")
	r.expect("is now quality check")
	r.press("Back to production (rework)")
	r.expect("is now in production")
	r.press("Quality check")
	r.press("Ship")
	r.expect("which carrier")
	r.text("SF Express")
	r.expect("tracking number")
	r.text("SF1234567890")
	r.expect("is now shipped")
	r.press("Delivered")
	r.expect("is now delivered")
	r.press("Complete")
	r.expect("cannot be completed yet: only ¥7,680.00 of ¥25,600.00 is paid. Record the remaining ¥17,920.00 first")
	r.cmd("/status " + n)
	r.press("Record a payment")
	r.press("Balance ¥17,920.00")
	r.press("Alipay")
	r.expect("payment status: paid")
	r.press("Complete")
	r.expect("is now completed")
	o := k.order(t, n)
	if o.Status != orders.StatusCompleted || o.Carrier != "SF Express" || o.Tracking != "SF1234567890" ||
		o.PaymentStatus != orders.PaymentPaid || !o.Paid.Equal(decimal.RequireFromString("25600")) {
		t.Errorf("completed order: %+v", o)
	}
	var tos []string
	payments := 0
	for _, h := range o.History {
		if h.From == h.To {
			payments++ // a payment, recorded in the history without a status change
			continue
		}
		tos = append(tos, string(h.To))
	}
	if payments != 2 {
		t.Errorf("%d payments in the history, want 2", payments)
	}
	if got := strings.Join(tos, ","); !strings.Contains(got, "in_production,quality_check,in_production,quality_check,shipped,delivered,completed") {
		t.Errorf("history %s", got)
	}
}

func TestChangeRequestsApprovedAndRejected(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	ctx := context.Background()
	n := k.place(t, "CHAIR-100", "grey", "10") // from stock: confirmed at once
	c := k.customer
	c.cmd("/status " + n)
	c.press("Request a change")
	c.press("Delivery date")
	c.text("2026-12-28")
	c.expect("The reason for this change?")
	c.text("Our office moves later")
	c.expect("was sent to a manager")
	// A rep may not decide it; the manager approves.
	changeID := pendingChange(t, k, n)
	k.rep1.pressData("m:ca:" + changeID)
	k.rep1.expect("for sales staff only")
	k.rep1.cmd("/status " + n)
	k.rep1.expect("Change requested: delivery date → Mon 28 Dec 2026 (reason: Our office moves later)")
	if _, ok := k.rep1.button("Approve the change"); ok {
		t.Error("a rep's card offers to approve a change")
	}
	k.manager.cmd("/status " + n)
	k.manager.press("Approve the change")
	k.manager.expect("Approved: order " + n + " is changed")
	o := k.order(t, n)
	if o.PromisedDate.String() != "2026-12-28" || !o.Modified {
		t.Errorf("after the approved change: promised %s modified %v", o.PromisedDate, o.Modified)
	}
	k.manager.pressData("m:ca:" + changeID)
	k.manager.expect("is already approved")

	// More chairs: approved, reserving more stock; then a rejected cancellation.
	c.cmd("/status " + n)
	c.press("Request a change")
	c.press("Quantity")
	c.press("Office chair Classic")
	c.text("15")
	c.press("Skip")
	id2 := pendingChange(t, k, n)
	k.manager.pressData("m:ca:" + id2)
	k.manager.expect("Approved")
	p, _ := k.bed.Service.Product(ctx, "CHAIR-100")
	if p.Reserved != 15 {
		t.Errorf("reserved after the quantity change %d, want 15", p.Reserved)
	}
	if o := k.order(t, n); o.Total.String() != "4485" {
		t.Errorf("total after the change %s, want 4485", o.Total)
	}
	c.cmd("/status " + n)
	c.press("Request cancellation")
	c.expect("Why would you like to cancel order " + n)
	c.text("Budget cut")
	c.expect("Your request to cancel order " + n + " was sent to a manager")
	id3 := pendingChange(t, k, n)
	k.manager.pressData("m:cr:" + id3)
	k.manager.expect("A note for the customer")
	k.manager.text("Production has already started")
	k.manager.expect("Rejected: order " + n + " goes on")
	if o := k.order(t, n); o.Status != orders.StatusConfirmed {
		t.Errorf("after a rejected cancellation the order is %s", o.Status)
	}
	// An approved cancellation releases the stock.
	c.cmd("/status " + n)
	c.press("Request cancellation")
	c.text("Budget cut, final")
	k.manager.pressData("m:ca:" + pendingChange(t, k, n))
	if o := k.order(t, n); o.Status != orders.StatusCancelled {
		t.Errorf("after an approved cancellation the order is %s", o.Status)
	}
	p, _ = k.bed.Service.Product(ctx, "CHAIR-100")
	if p.Reserved != 0 {
		t.Errorf("reserved after cancellation %d, want 0", p.Reserved)
	}
}

func pendingChange(t *testing.T, k *desk, n string) string {
	t.Helper()
	var id string
	err := k.bed.Store.DB().Get(&id, `SELECT c.id::text FROM change_requests c JOIN orders o ON o.id = c.order_id
		WHERE o.number = $1 AND c.status = 'pending' ORDER BY c.id DESC LIMIT 1`, n)
	if err != nil {
		t.Fatalf("pending change of %s: %v", n, err)
	}
	return id
}

func TestRepOrdersOnBehalfOfCustomer(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	r := k.rep1
	r.cmd("/neworder")
	r.expect("Order for which customer?")
	r.press("New customer")
	r.text("Zhao Lei")
	r.text("+86 139 1111 2222")
	r.expect("Ordering for Zhao Lei (+8613911112222)", "Which product")
	r.text("PHONE-X1P")
	r.press("silver")
	r.text("2")
	r.press("Continue")
	r.expect("Delivery address")
	r.text("18 Jiefang Road, Hangzhou")
	r.text("2026-12-15")
	r.press("Cash on delivery")
	r.press("Skip")
	r.expect("Contact: Zhao Lei, +8613911112222")
	r.press("Confirm")
	r.expect("is placed for the customer and confirmed")
	os, _ := k.bed.Service.Orders(context.Background(), orders.OrderFilter{Query: "Zhao"})
	if len(os) != 1 || os[0].Source != "rep:3001" || os[0].Customer.Phone != "+8613911112222" {
		t.Fatalf("orders for Zhao: %+v", os)
	}
	// Found again by phone next time.
	r.cmd("/neworder")
	r.text("1111 2222")
	r.expect("Zhao Lei · +8613911112222")
	r.cmd("/find Zhao")
	r.expect("Orders matching “Zhao”: 1")
}

// Every staff action, tried by a customer and by a deactivated rep, is refused and changes
// nothing.
func TestStaffActionsRefusedToOthers(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	ctx := context.Background()
	review := k.place(t, "CHAIR-300", "black", "20")
	active := k.place(t, "CHAIR-100", "black", "5")
	ex, _ := k.bed.Service.Staff(ctx, 3002)
	ex.Active = false
	if _, err := k.bed.Service.AddStaff(ctx, ex); err != nil {
		t.Fatal(err)
	}
	before := map[string]orders.Order{review: k.order(t, review), active: k.order(t, active)}
	actions := []func(d *driver){
		func(d *driver) { d.pressData("m:ra:" + review) },
		func(d *driver) { d.pressData("m:rd:" + review) },
		func(d *driver) { d.pressData("m:rr:" + review) },
		func(d *driver) { d.pressData("m:adv:" + active + ":in_production") },
		func(d *driver) { d.pressData("m:adv:" + active + ":shipped") },
		func(d *driver) { d.pressData("m:adv:" + active + ":cancelled") },
		func(d *driver) { d.pressData("m:pay:" + active) },
		func(d *driver) { d.pressData("m:ca:1") },
		func(d *driver) { d.cmd("/orders review") },
		func(d *driver) { d.cmd("/find Wei") },
		func(d *driver) { d.pressData("m:review") },
	}
	other := newDriver(t, k.bed, 1999, "en")
	for _, who := range []*driver{other, k.rep2} {
		for i, act := range actions {
			act(who)
			if !strings.Contains(who.shown(), "for sales staff only") {
				t.Errorf("%d: action %d not refused:\n%s", who.u.ID, i, who.shown())
			}
		}
	}
	for n, b := range before {
		if a := k.order(t, n); a.Status != b.Status || len(a.History) != len(b.History) || !a.Paid.Equal(b.Paid) {
			t.Errorf("%s changed: %+v", n, a)
		}
	}
	// The customer cannot see another's order even with a staff button.
	other.pressData("m:order:" + active)
	other.expect("No order " + active + " was found")
}

// Two payments recorded at once never together pay more than the total.
func TestConcurrentPaymentsNeverOverpay(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	ctx := context.Background()
	n := k.place(t, "CHAIR-100", "black", "2") // 598.00
	rep, _ := k.bed.Service.Staff(ctx, 3001)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = k.bed.Service.RecordPayment(ctx, "", n, decimal.RequireFromString("100"), "cash", orders.StaffActor(rep))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("a refused payment: %v, want the balance explained", err)
		}
	}
	o := k.order(t, n)
	if ok != 5 || !o.Paid.Equal(decimal.RequireFromString("500")) || o.PaymentStatus != orders.PaymentPartlyPaid {
		t.Errorf("%d payments accepted, paid %s (%s); want 5 and 500 of 598: %v", ok, o.Paid, o.PaymentStatus, errs)
	}
}
