package pgstore_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// deskNow is the clock of the desk tests: Tuesday 1 December 2026.
var deskNow = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

var (
	repAlice   = orders.Staff{TelegramID: 7, Name: "Alice", Role: orders.RoleRep, Active: true}
	managerMei = orders.Staff{TelegramID: 9, Name: "Mei", Role: orders.RoleManager, Active: true}
)

// newDesk is the order desk over a fresh store holding catalog, with a rep and a manager.
func newDesk(t *testing.T, rules orders.Rules) (*pgstore.Store, *orders.Service, context.Context) {
	t.Helper()
	s, ctx := setup(t)
	svc := orders.NewService(s, rules, orders.WithClock(func() time.Time { return deskNow }), orders.WithCatalogTTL(0),
		orders.WithLogger(slog.New(slog.DiscardHandler)))
	for _, st := range []orders.Staff{repAlice, managerMei} {
		if _, err := svc.AddStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	return s, svc, ctx
}

// draft is customer's draft of qty units of sku for delivery on wanted.
func draft(key string, customer int64, sku string, qty int, wanted orders.Date) orders.Draft {
	return orders.Draft{
		Key:      key,
		Customer: orders.Customer{TelegramID: customer, Name: "Wang Fang", Phone: "+86 139 0000 1111", Language: "en"},
		Lines:    []orders.DraftLine{{SKU: sku, Quantity: qty}}, Address: "8 Huaihai Road, Shanghai",
		WantedDate: wanted, PaymentMethod: "bank_transfer", Source: "customer",
	}
}

func placeDraft(t *testing.T, svc *orders.Service, d orders.Draft) orders.Order {
	t.Helper()
	o, created, err := svc.Place(t.Context(), d, orders.CustomerActor(d.Customer.TelegramID).String())
	if err != nil || !created {
		t.Fatalf("place %s: created %v, %v", d.Key, created, err)
	}
	return o
}

var dec = decimal.RequireFromString

// Each desk action done a second time with the same key — an update redelivered after its
// transaction committed — changes nothing and returns what the first did.
func TestDeskActionsOnceByKey(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	alice, mei := orders.StaffActor(repAlice), orders.StaffActor(managerMei)
	wanted := orders.Date{Year: 2026, Month: 12, Day: 14}
	// 20 chairs of 10 in stock: production, so review first.
	n := placeDraft(t, svc, draft("d1", 42, "CH-100", 20, wanted)).Number
	rows := func(table string) int { return count(t, s, `SELECT count(*) FROM `+table) }
	history := func() int {
		return count(t, s, `SELECT count(*) FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.number = $1`, n)
	}
	type result struct {
		status orders.Status
		paid   string
		change int64
	}
	of := func(o orders.Order, err error) (result, error) {
		return result{o.Status, o.Paid.StringFixed(2), 0}, err
	}
	var changeID int64
	steps := []struct {
		name    string
		act     func(key string) (result, error)
		entries int // history entries the action adds once
		table   string
		added   int // rows it adds to table once
	}{
		{"review", func(k string) (result, error) {
			return of(svc.Review(ctx, k, n, alice, orders.ReviewDecision{Accept: true}))
		}, 1, "desk_actions", 1},
		{"customer confirm", func(k string) (result, error) { return of(svc.CustomerDecide(ctx, k, n, 42, true)) }, 1, "desk_actions", 1},
		{"payment", func(k string) (result, error) {
			return of(svc.RecordPayment(ctx, k, n, dec("100"), "bank_transfer", alice))
		}, 1, "payments", 1},
		{"second payment, another update", func(k string) (result, error) {
			return of(svc.RecordPayment(ctx, k, n, dec("1094"), "bank_transfer", alice))
		}, 1, "payments", 1},
		{"production", func(k string) (result, error) {
			return of(svc.Advance(ctx, k, n, orders.StatusInProduction, alice, orders.AdvanceOptions{}))
		}, 1, "desk_actions", 1},
		{"change request", func(k string) (result, error) {
			c, o, err := svc.RequestChange(ctx, k, 42, orders.ChangeRequest{Number: n, Kind: orders.ChangeDate,
				Date: orders.Date{Year: 2026, Month: 12, Day: 21}, Reason: "site not ready"})
			changeID = c.ID
			return result{o.Status, o.Paid.StringFixed(2), c.ID}, err
		}, 0, "change_requests", 1},
		{"change decision", func(k string) (result, error) {
			c, o, err := svc.DecideChange(ctx, k, changeID, mei, true, "ok")
			return result{o.Status, o.Paid.StringFixed(2), c.ID}, err
		}, 1, "desk_actions", 1},
		{"quality check", func(k string) (result, error) {
			return of(svc.Advance(ctx, k, n, orders.StatusQualityCheck, alice, orders.AdvanceOptions{}))
		}, 1, "desk_actions", 1},
		{"shipment", func(k string) (result, error) {
			return of(svc.Advance(ctx, k, n, orders.StatusShipped, alice, orders.AdvanceOptions{Carrier: "SF", Tracking: "SF1"}))
		}, 1, "desk_actions", 1},
		{"delivery", func(k string) (result, error) {
			return of(svc.Advance(ctx, k, n, orders.StatusDelivered, alice, orders.AdvanceOptions{}))
		}, 1, "desk_actions", 1},
		{"rating", func(k string) (result, error) {
			return result{}, svc.Rate(ctx, k, n, 42, 5, "fast")
		}, 0, "desk_actions", 1},
	}
	for i, st := range steps {
		key := "u:" + string(rune('a'+i))
		h, before := history(), rows(st.table)
		first, err := st.act(key)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		again, err := st.act(key)
		if err != nil {
			t.Errorf("%s redelivered: %v, want the first result", st.name, err)
		}
		if again != first {
			t.Errorf("%s redelivered returned %+v, first %+v", st.name, again, first)
		}
		if got := history() - h; got != st.entries {
			t.Errorf("%s done twice added %d history entries, want %d", st.name, got, st.entries)
		}
		if got := rows(st.table) - before; got != st.added {
			t.Errorf("%s done twice added %d rows to %s, want %d", st.name, got, st.table, st.added)
		}
	}
	o, err := svc.Order(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Paid.Equal(dec("1194")) || o.Status != orders.StatusDelivered || o.Rating != 5 ||
		o.PromisedDate != (orders.Date{Year: 2026, Month: 12, Day: 21}) {
		t.Errorf("order after every action twice: status %s paid %s rating %d promised %s", o.Status, o.Paid, o.Rating, o.PromisedDate)
	}
}

// The same update delivered twice at once (two instances) records one payment.
func TestPaymentSameKeyConcurrently(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	n := placeDraft(t, svc, draft("d1", 42, "CH-100", 5, orders.Date{Year: 2026, Month: 12, Day: 10})).Number
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.RecordPayment(ctx, "u:77", n, dec("100"), "cash", orders.StaffActor(repAlice))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("a delivery of the payment: %v", err)
		}
	}
	if got := count(t, s, `SELECT count(*) FROM payments`); got != 1 {
		t.Errorf("%d payments from one update delivered 8 times at once, want 1", got)
	}
}

// Placements: the customer's Confirm and a rep's on-behalf placement, delivered again after
// the order committed, return the order placed first, even though that order took the last
// units the quote counted on.
func TestPlacementsOnceByKey(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	wanted := orders.Date{Year: 2026, Month: 12, Day: 10}
	d := draft("d-all", 42, "CH-100", 10, wanted) // every unit in stock
	q, err := svc.Quote(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	d.Seen = q.Fingerprint()
	first := placeDraft(t, svc, d)
	again, created, err := svc.Place(ctx, d, "customer:42")
	if err != nil || created || again.Number != first.Number {
		t.Errorf("Confirm delivered again: %s created %v %v, want %s", again.Number, created, err, first.Number)
	}
	b := draft("d-rep", 43, "CH-200", 3, wanted)
	o1, _, err := svc.PlaceFor(ctx, b, orders.StaffActor(repAlice))
	if err != nil {
		t.Fatal(err)
	}
	o2, created, err := svc.PlaceFor(ctx, b, orders.StaffActor(repAlice))
	if err != nil || created || o2.Number != o1.Number {
		t.Errorf("on-behalf placement again: %s created %v %v, want %s", o2.Number, created, err, o1.Number)
	}
	if got := count(t, s, `SELECT count(*) FROM orders`); got != 2 {
		t.Errorf("%d orders, want 2", got)
	}
	wantStock(t, s, "CH-100", 10, 10)
}

// A command's key makes a repeated command change nothing; without a key each call is an
// action of its own.
func TestActionKeysAreScopedByAction(t *testing.T) {
	_, svc, ctx := newDesk(t, orders.DefaultRules())
	n := placeDraft(t, svc, draft("d1", 42, "CH-100", 5, orders.Date{Year: 2026, Month: 12, Day: 10})).Number
	alice := orders.StaffActor(repAlice)
	// One update driving two different actions does both.
	if _, err := svc.RecordPayment(ctx, "u:1", n, dec("10"), "cash", alice); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Advance(ctx, "u:1", n, orders.StatusShipped, alice, orders.AdvanceOptions{Carrier: "SF", Tracking: "1"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.RecordPayment(ctx, "", n, dec("10"), "cash", alice); err != nil {
			t.Fatal(err)
		}
	}
	o, err := svc.Order(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Paid.Equal(dec("30")) || o.Status != orders.StatusShipped {
		t.Errorf("paid %s status %s, want 30 shipped", o.Paid, o.Status)
	}
}

// Pruning deletes only the keys recorded before the cut-off: an action whose key is kept
// is still done once when delivered again; one whose key was pruned is not recognised
// any more (which is why only keys that can never come again are pruned).
func TestPruneDeskActionsKeepsRecentKeys(t *testing.T) {
	s, svc, ctx := newDesk(t, orders.DefaultRules())
	o := placeDraft(t, svc, draft("d:prune", 501, "CH-100", 1, orders.Date{Year: 2026, Month: 12, Day: 10}))
	for _, k := range []string{"u:1|old", "u:2|old", "u:3|recent"} {
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO desk_actions (key, kind, order_id, at) VALUES ($1, 'payment', $2, $3)`,
			k, o.ID, map[bool]time.Time{true: deskNow.AddDate(0, 0, -40), false: deskNow.Add(-time.Hour)}[k != "u:3|recent"]); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PruneDeskActions(ctx, deskNow.AddDate(0, 0, -30))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want 2", n, err)
	}
	var left []string
	if err := s.DB().SelectContext(ctx, &left, `SELECT key FROM desk_actions WHERE key LIKE 'u:%' ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "u:3|recent" {
		t.Errorf("left %v, want the recent key", left)
	}
	if n, err := s.PruneDeskActions(ctx, deskNow.AddDate(0, 0, -30)); err != nil || n != 0 {
		t.Errorf("pruned again: %d, %v", n, err)
	}
}
