package pgstore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/orderbot/orderbot/orders"
)

// confirmedProduction is an order of 20 chairs of 10 in stock, reviewed and confirmed by
// the customer: it needs production and a 30 % deposit.
func confirmedProduction(t *testing.T, svc *orders.Service) orders.Order {
	t.Helper()
	ctx := t.Context()
	o := placeDraft(t, svc, draft("prod", 42, "CH-100", 20, orders.Date{Year: 2026, Month: 12, Day: 14}))
	if _, err := svc.Review(ctx, "u:r", o.Number, orders.StaffActor(repAlice), orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	o, err := svc.CustomerDecide(ctx, "u:c", o.Number, 42, true)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// An order that needs production cannot go confirmed → shipped, through the desk or
// straight at the store.
func TestProductionOrderDoesNotShipFromConfirmed(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	o := confirmedProduction(t, svc)
	if o.Status != orders.StatusConfirmed || !o.DepositDue.IsPositive() {
		t.Fatalf("order %s %s deposit %s", o.Number, o.Status, o.DepositDue)
	}
	_, err := svc.Advance(ctx, "u:s", o.Number, orders.StatusShipped, orders.StaffActor(repAlice),
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF1"})
	if !errors.Is(err, orders.ErrProductionRequired) {
		t.Errorf("shipping an unpaid production order from confirmed: %v, want ErrProductionRequired", err)
	}
	_, err = s.TransitionOrder(ctx, orders.TransitionRequest{Number: o.Number, From: orders.StatusConfirmed,
		To: orders.StatusShipped, Actor: "operator", Carrier: "SF", Tracking: "SF1"})
	if !errors.Is(err, orders.ErrProductionRequired) {
		t.Errorf("the store shipped it: %v, want ErrProductionRequired", err)
	}
	// Paid in full it still needs production: the lines are not from stock.
	if _, err := svc.RecordPayment(ctx, "u:p", o.Number, o.Total, "cash", orders.StaffActor(repAlice)); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Advance(ctx, "u:s2", o.Number, orders.StatusShipped, orders.Operator, orders.AdvanceOptions{Carrier: "SF", Tracking: "SF1"})
	if !errors.Is(err, orders.ErrProductionRequired) {
		t.Errorf("shipping a paid production order from confirmed: %v, want ErrProductionRequired", err)
	}
	if got, _ := svc.Order(ctx, o.Number); got.Status != orders.StatusConfirmed {
		t.Errorf("status %s, want confirmed", got.Status)
	}
	wantStock(t, s, "CH-100", 10, 0)

	// An order entirely from stock ships from confirmed.
	st := placeDraft(t, svc, draft("stock", 43, "CH-100", 4, orders.Date{Year: 2026, Month: 12, Day: 10}))
	if _, err := svc.Advance(ctx, "u:s3", st.Number, orders.StatusShipped, orders.Operator, orders.AdvanceOptions{Carrier: "SF", Tracking: "SF2"}); err != nil {
		t.Errorf("shipping a from-stock order: %v", err)
	}
	wantStock(t, s, "CH-100", 6, 0)
}

// A quantity change after review, before the customer confirmed, re-quotes the order and
// sends it back to review without the rep's date; a change that fits the stock reserves it.
func TestChangeBeforeConfirmationRequotes(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	o := placeDraft(t, svc, draft("small", 42, "CH-100", 10, orders.Date{Year: 2026, Month: 12, Day: 14}))
	if o.Status != orders.StatusConfirmed {
		t.Fatalf("10 from stock: %s", o.Status)
	}
	// A production order, reviewed with a date, awaiting the customer.
	p := placeDraft(t, svc, draft("big", 44, "CH-200", 150, orders.Date{Year: 2027, Month: 1, Day: 8}))
	if _, err := svc.Review(ctx, "u:r", p.Number, orders.StaffActor(repAlice), orders.ReviewDecision{Date: orders.Date{Year: 2027, Month: 1, Day: 11}}); err != nil {
		t.Fatal(err)
	}
	_, got, err := svc.RequestChange(ctx, "u:q", 44, orders.ChangeRequest{Number: p.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusPendingReview || !got.PromisedDate.IsZero() || !got.EstimatedDate.IsZero() ||
		!got.Total.Equal(dec("4550000")) || !got.DepositDue.Equal(dec("1365000")) || got.Lines[0].Quantity != 100000 {
		t.Errorf("100,000 stools after review: status %s promised %s estimate %s total %s deposit %s lines %+v",
			got.Status, got.PromisedDate, got.EstimatedDate, got.Total, got.DepositDue, got.Lines)
	}
	// The customer cannot confirm what no rep reviewed.
	if _, err := svc.CustomerDecide(ctx, "u:c", p.Number, 44, true); !errors.Is(err, orders.ErrConflict) {
		t.Errorf("confirming an order back in review: %v, want ErrConflict", err)
	}
	// Down to what the stock holds: the lines now come from stock and reserve it.
	_, got, err = svc.RequestChange(ctx, "u:q2", 44, orders.ChangeRequest{Number: p.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 60})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Lines[0].FromStock || !got.DepositDue.IsZero() || got.EstimatedDate.IsZero() {
		t.Errorf("60 stools of 100 in stock: %+v deposit %s estimate %s", got.Lines[0], got.DepositDue, got.EstimatedDate)
	}
	wantStock(t, s, "CH-200", 100, 60)
	// A date change of an order awaiting the customer withdraws the rep's date.
	q := placeDraft(t, svc, draft("later", 45, "DESK-1", 1, orders.Date{Year: 2026, Month: 12, Day: 14}))
	if _, err := svc.Review(ctx, "u:r2", q.Number, orders.StaffActor(repAlice), orders.ReviewDecision{Date: orders.Date{Year: 2026, Month: 12, Day: 30}}); err != nil {
		t.Fatal(err)
	}
	_, got, err = svc.RequestChange(ctx, "u:d", 45, orders.ChangeRequest{Number: q.Number, Kind: orders.ChangeDate, Date: orders.Date{Year: 2026, Month: 12, Day: 16}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusPendingReview || !got.PromisedDate.IsZero() || got.WantedDate != (orders.Date{Year: 2026, Month: 12, Day: 16}) {
		t.Errorf("custom desk wanted earlier after review: %s promised %s wanted %s", got.Status, got.PromisedDate, got.WantedDate)
	}
}

// A manager's approval reaching the store after the order shipped is refused under the
// order's row lock, and changes nothing.
func TestApprovalAfterShipmentRefusedUnderLock(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	o := placeDraft(t, svc, draft("d", 42, "CH-100", 2, orders.Date{Year: 2026, Month: 12, Day: 10}))
	c, _, err := svc.RequestChange(ctx, "u:1", 42, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	// The manager looked at it while it was confirmed...
	apply := orders.ChangeApply{Quantities: map[int]int{0: 5}, Total: dec("995"), DepositDue: dec("0"), Note: "quantity 5"}
	// ...and it shipped before the decision committed.
	if _, err := svc.Advance(ctx, "u:2", o.Number, orders.StatusShipped, orders.Operator, orders.AdvanceOptions{Carrier: "SF", Tracking: "1"}); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: true, Actor: "manager:9", Apply: apply})
	if !errors.Is(err, orders.ErrConflict) {
		t.Errorf("approving a change of a shipped order: %v, want ErrConflict", err)
	}
	got, err := svc.Order(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lines[0].Quantity != 2 || !got.Total.Equal(dec("398")) || got.Modified {
		t.Errorf("shipped order changed: %+v total %s", got.Lines, got.Total)
	}
	wantStock(t, s, "CH-100", 8, 0)
	// Through the desk the manager is told it moved on.
	if _, _, err := svc.DecideChange(ctx, "u:3", c.ID, orders.StaffActor(managerMei), true, ""); !errors.Is(err, orders.ErrConflict) {
		t.Errorf("the desk's approval: %v, want ErrConflict", err)
	}
}

// The big-order rule's complimentary lines reserve stock when placed and consume it when
// shipped; when the stock cannot cover them the order goes to review.
func TestComplimentaryLinesTakeStock(t *testing.T) {
	rules := orders.DefaultRules()
	rules.BigOrders = []orders.BigOrderRule{{Category: "chairs", MinQuantity: 5,
		Lines: []orders.ComplimentaryRef{{SKU: "SPARE-SCREWS", Quantity: 600}}}}
	s, svc, ctx := newDesk(t, rules)
	o := placeDraft(t, svc, draft("big1", 42, "CH-200", 5, orders.Date{Year: 2026, Month: 12, Day: 10}))
	if o.Status != orders.StatusConfirmed || len(o.Lines) != 2 || !o.Lines[1].Complimentary || !o.Lines[1].FromStock {
		t.Fatalf("order with a complimentary line: %s %+v", o.Status, o.Lines)
	}
	wantStock(t, s, "SPARE-SCREWS", 1000, 600)
	// The second big order's screws are not there any more: a rep must see to them.
	o2 := placeDraft(t, svc, draft("big2", 43, "CH-200", 5, orders.Date{Year: 2026, Month: 12, Day: 10}))
	if o2.Status != orders.StatusPendingReview || o2.Lines[1].FromStock {
		t.Errorf("second order: %s %+v, want pending_review without the screws from stock", o2.Status, o2.Lines)
	}
	wantStock(t, s, "SPARE-SCREWS", 1000, 600)
	if _, err := svc.Advance(ctx, "u:1", o.Number, orders.StatusShipped, orders.Operator, orders.AdvanceOptions{Carrier: "SF", Tracking: "1"}); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "SPARE-SCREWS", 400, 0)
	wantStock(t, s, "CH-200", 95, 5) // the second order's stools
}

// A rep deactivated mid-dialog finds no customers any more.
func TestFindCustomersRefusesDeactivatedRep(t *testing.T) {
	_, svc, ctx := newDesk(t, orders.DefaultRules())
	placeDraft(t, svc, draft("d", 42, "CH-100", 1, orders.Date{Year: 2026, Month: 12, Day: 10}))
	alice := orders.StaffActor(repAlice)
	if cs, err := svc.FindCustomers(ctx, alice, "Wang", 5); err != nil || len(cs) != 1 {
		t.Fatalf("an active rep's search: %d, %v", len(cs), err)
	}
	gone := repAlice
	gone.Active = false
	if _, err := svc.AddStaff(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if cs, err := svc.FindCustomers(ctx, alice, "Wang", 5); !errors.Is(err, orders.ErrForbidden) || len(cs) != 0 {
		t.Errorf("a deactivated rep's search: %d customers, %v; want ErrForbidden", len(cs), err)
	}
	if _, err := svc.RecordPayment(ctx, "u:1", "SO-20261201-0001", dec("1"), "cash", alice); !errors.Is(err, orders.ErrForbidden) {
		t.Errorf("a deactivated rep's payment: %v, want ErrForbidden", err)
	}
	if _, err := svc.FindCustomers(ctx, orders.CustomerActor(42), "Wang", 5); !errors.Is(err, orders.ErrForbidden) {
		t.Errorf("a customer's search: %v, want ErrForbidden", err)
	}
}

// A wanted date on a configured holiday is refused with the next working day.
func TestHolidayWantedDateRefused(t *testing.T) {
	_, svc, ctx := newDesk(t, orders.DefaultRules())
	christmas := orders.Date{Year: 2026, Month: 12, Day: 25} // a Friday, a holiday of the default rules
	_, _, err := svc.Place(ctx, draft("d", 42, "CH-100", 1, christmas), "customer:42")
	var h *orders.NonWorkingDayError
	if !errors.As(err, &h) || h.Next != (orders.Date{Year: 2026, Month: 12, Day: 28}) || !errors.Is(err, orders.ErrInvalid) {
		t.Fatalf("placing for a holiday: %v, want the next working day 2026-12-28", err)
	}
	o := placeDraft(t, svc, draft("d2", 42, "CH-100", 1, orders.Date{Year: 2026, Month: 12, Day: 24}))
	_, _, err = svc.RequestChange(ctx, "u:1", 42, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeDate, Date: christmas})
	if !errors.As(err, &h) {
		t.Errorf("changing the date to a holiday: %v, want NonWorkingDayError", err)
	}
}

// Every statement locks products in SKU byte order, whatever the column's collation: a
// shipment waiting for "B-1" has not locked "a-1", which sorts after it in byte order and
// before it in English.
func TestProductsLockedInByteOrder(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	db := s.DB()
	for _, q := range []string{
		`ALTER TABLE products ALTER COLUMN sku TYPE text COLLATE "en-x-icu"`,
		`ALTER TABLE order_lines ALTER COLUMN sku TYPE text COLLATE "en-x-icu"`,
		`INSERT INTO products (sku, name_en, category, unit, price, on_hand) VALUES ('a-1', 'Arm', 'parts', 'pcs', 1, 10), ('B-1', 'Base', 'parts', 'pcs', 1, 10)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d := draft("d", 42, "a-1", 2, orders.Date{Year: 2026, Month: 12, Day: 10})
	d.Lines = append(d.Lines, orders.DraftLine{SKU: "B-1", Quantity: 2})
	o := placeDraft(t, svc, d)

	holder, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback() }()
	if _, err := holder.ExecContext(ctx, `SELECT 1 FROM products WHERE sku = 'B-1' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	shipped := make(chan error, 1)
	go func() {
		_, err := svc.Advance(context.Background(), "u:1", o.Number, orders.StatusShipped, orders.Operator, orders.AdvanceOptions{Carrier: "SF", Tracking: "1"})
		shipped <- err
	}()
	waitForLockWait(t, db.DB)
	probe, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = probe.ExecContext(ctx, `SELECT 1 FROM products WHERE sku = 'a-1' FOR UPDATE NOWAIT`)
	_ = probe.Rollback()
	if pq.As(err, "55P03") != nil {
		t.Errorf("the shipment locked a-1 before B-1: products are locked in the collation's order")
	} else if err != nil {
		t.Fatal(err)
	}
	_ = holder.Rollback()
	if err := <-shipped; err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "a-1", 8, 0)
}

// waitForLockWait waits until some session of the database waits for a row lock.
func waitForLockWait(t *testing.T, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("nobody waited for the lock")
}
