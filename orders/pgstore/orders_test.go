package pgstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

func TestPlaceOrder(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	req := placeRequest("draft-1", 42, "CH-100", 3)
	req.Order.Lines = append(req.Order.Lines,
		orders.Line{SKU: "DESK-1", Name: "Oak desk", Variant: "finish=oak", Quantity: 1, Unit: "pcs",
			UnitPrice: decimal.RequireFromString("1250.00")},
		orders.Line{SKU: "SPARE-SCREWS", Name: "Screw set", Quantity: 2, Unit: "set",
			UnitPrice: decimal.RequireFromString("2.00"), Complimentary: true, FromStock: true},
		orders.Line{SKU: "CH-100", Name: "Office chair", Variant: "colour=grey;size=S", Quantity: 2, Unit: "pcs",
			UnitPrice: decimal.RequireFromString("199.00"), FromStock: true},
	)
	o, created, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	if !created {
		t.Error("created = false for a new order")
	}
	if o.Number != "SO-20261205-0001" || o.ID == 0 {
		t.Errorf("number %q id %d, want SO-20261205-0001", o.Number, o.ID)
	}
	wantStock(t, s, "CH-100", 10, 5)
	wantStock(t, s, "SPARE-SCREWS", 1000, 2)
	wantStock(t, s, "DESK-1", 0, 0)

	// The returned order is what Order reads, and holds what was placed.
	read, err := s.Order(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalize(read), normalize(o)) {
		t.Errorf("Order() differs from PlaceOrder():\n got %+v\nwant %+v", read, o)
	}
	want := req.Order
	want.ID, want.Number, want.Customer.ID, want.ApprovedBy = o.ID, o.Number, o.Customer.ID, req.Approver
	want.History = []orders.HistoryEntry{{To: orders.StatusConfirmed, Actor: "customer:42", Note: "placed", Detail: orders.HistoryNote{Code: orders.NotePlaced}, At: want.CreatedAt}}
	if !reflect.DeepEqual(normalize(o), normalize(want)) {
		t.Errorf("placed order\n got %+v\nwant %+v", normalize(o), normalize(want))
	}

	// The customer and the delivery address were recorded.
	c, err := s.Customer(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != o.Customer.ID || c.Name != "Li Lei" || !reflect.DeepEqual(c.Addresses, []string{"1 Renmin Road, Shanghai"}) {
		t.Errorf("customer %+v", c)
	}

	// The notifications are queued with the order.
	var notes []struct {
		Kind    string `db:"kind"`
		ChatID  int64  `db:"chat_id"`
		OrderID int64  `db:"order_id"`
		Payload string `db:"payload"`
		Status  string `db:"status"`
	}
	if err := s.DB().SelectContext(ctx, &notes, `SELECT kind, chat_id, order_id, payload::text AS payload, status FROM notifications ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].Kind != "order_placed" || notes[0].ChatID != 42 || notes[0].OrderID != o.ID ||
		!jsonEqual(notes[0].Payload, `{"note":"thanks"}`) || notes[0].Status != "pending" ||
		notes[1].Kind != "review_requested" || notes[1].ChatID != 0 || notes[1].Payload != "{}" {
		t.Errorf("notifications %+v", notes)
	}

	// The next order of the day takes the next number; another day starts again at 0001.
	o2, _, err := s.PlaceOrder(ctx, placeRequest("draft-2", 43, "CH-200", 1))
	if err != nil {
		t.Fatal(err)
	}
	if o2.Number != "SO-20261205-0002" {
		t.Errorf("second number %q, want SO-20261205-0002", o2.Number)
	}
	req3 := placeRequest("draft-3", 43, "CH-200", 1)
	req3.Day = req3.Day.AddDays(1)
	if o3, _, err := s.PlaceOrder(ctx, req3); err != nil || o3.Number != "SO-20261206-0001" {
		t.Errorf("next day: %q, %v; want SO-20261206-0001", o3.Number, err)
	}
}

// normalize makes orders comparable: instants in UTC, amounts as strings.
func normalize(o orders.Order) orders.Order {
	fix := func(d decimal.Decimal) decimal.Decimal { return decimal.RequireFromString(d.StringFixed(2)) }
	o.CreatedAt, o.ApprovedAt = o.CreatedAt.UTC(), o.ApprovedAt.UTC()
	o.Total, o.DepositDue = fix(o.Total), fix(o.DepositDue)
	o.Customer.Addresses = nil
	lines := make([]orders.Line, len(o.Lines))
	for i, l := range o.Lines {
		l.UnitPrice = fix(l.UnitPrice)
		lines[i] = l
	}
	o.Lines = lines
	hist := make([]orders.HistoryEntry, len(o.History))
	for i, h := range o.History {
		h.At = h.At.UTC()
		hist[i] = h
	}
	o.History = hist
	return o
}

func jsonEqual(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

func TestPlaceOrderSameKeyTwice(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	first, created, err := s.PlaceOrder(ctx, placeRequest("draft-1", 42, "CH-100", 3))
	if err != nil || !created {
		t.Fatalf("first: created %v, %v", created, err)
	}
	again, created, err := s.PlaceOrder(ctx, placeRequest("draft-1", 42, "CH-100", 3))
	if err != nil {
		t.Fatal(err)
	}
	if created || again.Number != first.Number || again.ID != first.ID {
		t.Errorf("second placement: %s created=%v, want %s created=false", again.Number, created, first.Number)
	}
	wantStock(t, s, "CH-100", 10, 3)
	if n := count(t, s, `SELECT count(*) FROM orders`); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications`); n != 2 {
		t.Errorf("%d notifications, want 2", n)
	}
}

func TestPlaceOrderNeverOversells(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t) // CH-100: 10 on hand
	const buyers = 50
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		placed    []string
		shortages int
		others    []error
	)
	for i := range buyers {
		wg.Go(func() {
			o, _, err := s.PlaceOrder(ctx, placeRequest(fmt.Sprintf("draft-%d", i), int64(1000+i), "CH-100", 1))
			mu.Lock()
			defer mu.Unlock()
			var short *orders.StockShortage
			switch {
			case err == nil:
				placed = append(placed, o.Number)
			case errors.As(err, &short) && errors.Is(err, orders.ErrOutOfStock):
				if len(short.Lines) != 1 || short.Lines[0] != (orders.Shortage{SKU: "CH-100", Wanted: 1, Available: 0}) {
					others = append(others, fmt.Errorf("shortage %+v", short.Lines))
				}
				shortages++
			default:
				others = append(others, err)
			}
		})
	}
	wg.Wait()
	if len(others) > 0 {
		t.Fatalf("unexpected errors: %v", others)
	}
	if len(placed) != 10 || shortages != buyers-10 {
		t.Errorf("%d placed, %d short; want 10 and %d", len(placed), shortages, buyers-10)
	}
	wantStock(t, s, "CH-100", 10, 10)
	// Every order has its own number of the day; numbers drawn by the placements that came
	// too late are not given again.
	seen := map[string]bool{}
	for _, n := range placed {
		if seen[n] || !strings.HasPrefix(n, "SO-20261205-") {
			t.Errorf("number %s given twice or not of the day; got %v", n, placed)
		}
		seen[n] = true
	}
	next, _, err := s.PlaceOrder(ctx, placeRequest("after-the-race", 2000, "CH-200", 1))
	if err != nil {
		t.Fatal(err)
	}
	if seen[next.Number] {
		t.Errorf("the next order got %s, a number already given", next.Number)
	}
}

// Placements of the same products, listed in opposite orders, run at once without a
// deadlock: the reservation at commit locks products in SKU order.
func TestPlaceOrderConcurrentPlacementsDoNotDeadlock(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	const buyers = 30
	var wg sync.WaitGroup
	errs := make(chan error, buyers)
	for i := range buyers {
		wg.Go(func() {
			req := placeRequest(fmt.Sprintf("draft-%d", i), int64(1000+i), "CH-200", 1)
			screws := orders.Line{SKU: "SPARE-SCREWS", Name: "Screw set", Quantity: 2, Unit: "set",
				UnitPrice: decimal.RequireFromString("2.00"), FromStock: true}
			if i%2 == 0 {
				req.Order.Lines = append([]orders.Line{screws}, req.Order.Lines...)
			} else {
				req.Order.Lines = append(req.Order.Lines, screws)
			}
			_, _, err := s.PlaceOrder(ctx, req)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantStock(t, s, "CH-200", 100, buyers)
	wantStock(t, s, "SPARE-SCREWS", 1000, 2*buyers)
	if n := count(t, s, `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`); n != 0 {
		t.Errorf("%d deadlocks", n)
	}
}

func TestPlaceOrderSameKeyConcurrently(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	const tries = 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		numbers = map[string]int{}
		created int
		errs    []error
	)
	for range tries {
		wg.Go(func() {
			// The last units: a second reservation would fail if it were attempted.
			o, c, err := s.PlaceOrder(ctx, placeRequest("the-draft", 42, "CH-100", 10))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			numbers[o.Number]++
			if c {
				created++
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if created != 1 || len(numbers) != 1 {
		t.Errorf("created %d times, numbers %v; want one order returned %d times", created, numbers, tries)
	}
	if n := count(t, s, `SELECT count(*) FROM orders`); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
	wantStock(t, s, "CH-100", 10, 10)
}

func TestPlaceOrderShortageChangesNothing(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	if _, err := s.DB().ExecContext(ctx, `UPDATE products SET active = false WHERE sku = 'CH-200'`); err != nil {
		t.Fatal(err)
	}
	req := placeRequest("draft-1", 42, "CH-100", 8)
	req.Order.Customer.Name = "Someone Else"
	req.Order.Lines = append(req.Order.Lines,
		orders.Line{SKU: "SPARE-SCREWS", Quantity: 5, UnitPrice: decimal.Zero, FromStock: true},
		orders.Line{SKU: "CH-200", Quantity: 1, UnitPrice: decimal.Zero, FromStock: true},
		orders.Line{SKU: "CH-100", Quantity: 3, UnitPrice: decimal.Zero, FromStock: true},
	)
	_, _, err := s.PlaceOrder(ctx, req)
	var short *orders.StockShortage
	if !errors.As(err, &short) {
		t.Fatalf("PlaceOrder: %v, want a *StockShortage", err)
	}
	want := []orders.Shortage{{SKU: "CH-100", Wanted: 11, Available: 10}, {SKU: "CH-200", Wanted: 1, Available: 0}}
	if !reflect.DeepEqual(short.Lines, want) {
		t.Errorf("shortage %+v, want %+v", short.Lines, want)
	}
	wantStock(t, s, "CH-100", 10, 0)
	wantStock(t, s, "SPARE-SCREWS", 1000, 0)
	for _, table := range []string{"orders", "customers", "order_lines", "order_history", "notifications", "river_job"} {
		if n := count(t, s, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%d rows in %s after a failed placement", n, table)
		}
	}
}

func TestPlaceOrderRejectsInvalid(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	for name, change := range map[string]func(*orders.PlaceRequest){
		"no lines":        func(r *orders.PlaceRequest) { r.Order.Lines = nil },
		"zero quantity":   func(r *orders.PlaceRequest) { r.Order.Lines[0].Quantity = 0 },
		"bad status":      func(r *orders.PlaceRequest) { r.Order.Status = "lost" },
		"no wanted date":  func(r *orders.PlaceRequest) { r.Order.WantedDate = orders.Date{} },
		"no day":          func(r *orders.PlaceRequest) { r.Day = orders.Date{} },
		"fraction of fen": func(r *orders.PlaceRequest) { r.Order.Total = decimal.RequireFromString("1.001") },
		"bad payload":     func(r *orders.PlaceRequest) { r.Notifications[0].Payload = []byte("{") },
		"unknown product": func(r *orders.PlaceRequest) { r.Order.Lines[0].SKU, r.Order.Lines[0].FromStock = "NOPE", false },
	} {
		req := placeRequest("draft-"+name, 42, "CH-100", 1)
		change(&req)
		if _, _, err := s.PlaceOrder(ctx, req); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM orders`); n != 0 {
		t.Errorf("%d orders after invalid placements", n)
	}
	wantStock(t, s, "CH-100", 10, 0)
}

func TestOrderNotFound(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	_, err := s.Order(ctx, "SO-20261205-0001")
	if !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("Order of an unknown number: %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "SO-20261205-0001") {
		t.Errorf("error %q does not name the order", err)
	}
	_, err = s.TransitionOrder(ctx, orders.TransitionRequest{Number: "SO-20261205-0009",
		From: orders.StatusConfirmed, To: orders.StatusShipped})
	if !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("TransitionOrder of an unknown number: %v, want ErrNotFound", err)
	}
}

func TestOrdersFilter(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	base := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	place := func(key string, customer int64, status orders.Status, minute int) string {
		t.Helper()
		req := placeRequest(key, customer, "CH-200", 1)
		req.Order.Status = status
		req.Order.CreatedAt = base.Add(time.Duration(minute) * time.Minute)
		o, _, err := s.PlaceOrder(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return o.Number
	}
	a1 := place("a1", 1, orders.StatusConfirmed, 1)
	b1 := place("b1", 2, orders.StatusPendingReview, 2)
	a2 := place("a2", 1, orders.StatusPendingReview, 3)
	a3 := place("a3", 1, orders.StatusConfirmed, 4)
	b2 := place("b2", 2, orders.StatusConfirmed, 5)

	for _, tt := range []struct {
		name string
		f    orders.OrderFilter
		want []string
	}{
		{"all, newest first", orders.OrderFilter{}, []string{b2, a3, a2, b1, a1}},
		{"customer", orders.OrderFilter{CustomerTelegramID: 1}, []string{a3, a2, a1}},
		{"status", orders.OrderFilter{Statuses: []orders.Status{orders.StatusPendingReview}}, []string{a2, b1}},
		{"statuses and customer", orders.OrderFilter{CustomerTelegramID: 2,
			Statuses: []orders.Status{orders.StatusPendingReview, orders.StatusConfirmed}}, []string{b2, b1}},
		{"page", orders.OrderFilter{CustomerTelegramID: 1, Limit: 2, Offset: 1}, []string{a2, a1}},
		{"nobody", orders.OrderFilter{CustomerTelegramID: 3}, nil},
	} {
		os, err := s.Orders(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range os {
			got = append(got, o.Number)
			if len(o.Lines) != 1 || len(o.History) != 1 || o.Customer.TelegramID == 0 {
				t.Errorf("%s: %s loaded with %d lines, %d history entries, customer %d",
					tt.name, o.Number, len(o.Lines), len(o.History), o.Customer.TelegramID)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTransitionOrder(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	req := placeRequest("draft-1", 42, "CH-100", 4)
	req.Order.Status = orders.StatusPendingReview
	req.Order.PromisedDate = orders.Date{}
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 4)

	step := func(from, to orders.Status, mod func(*orders.TransitionRequest)) (orders.Order, error) {
		r := orders.TransitionRequest{Number: o.Number, From: from, To: to, Actor: "rep:7", Note: string(from) + "→" + string(to)}
		if mod != nil {
			mod(&r)
		}
		return s.TransitionOrder(ctx, r)
	}

	// Illegal: nothing changes.
	if _, err := step(orders.StatusPendingReview, orders.StatusShipped, nil); !errors.Is(err, orders.ErrInvalidTransition) {
		t.Fatalf("pending_review → shipped: %v, want ErrInvalidTransition", err)
	}
	promised := orders.Date{Year: 2026, Month: time.December, Day: 10}
	got, err := step(orders.StatusPendingReview, orders.StatusAwaitingCustomer, func(r *orders.TransitionRequest) {
		r.PromisedDate = promised
		r.Notifications = []orders.Notification{{Kind: "status_changed", ChatID: 42, Key: "status:1"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusAwaitingCustomer || got.PromisedDate != promised || len(got.History) != 2 {
		t.Errorf("after review: %s, promised %s, %d history entries", got.Status, got.PromisedDate, len(got.History))
	}
	h := got.History[1]
	if h.From != orders.StatusPendingReview || h.To != orders.StatusAwaitingCustomer || h.Actor != "rep:7" ||
		h.Note != "pending_review→awaiting_customer" || h.At.IsZero() {
		t.Errorf("history entry %+v", h)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE key = 'status:1' AND order_id = $1`, o.ID); n != 1 {
		t.Errorf("transition notification queued %d times", n)
	}

	// Stale: another actor moved the order first.
	_, err = step(orders.StatusPendingReview, orders.StatusCancelled, nil)
	if !errors.Is(err, orders.ErrConflict) || !strings.Contains(err.Error(), "awaiting_customer") {
		t.Fatalf("stale transition: %v, want ErrConflict naming awaiting_customer", err)
	}

	if _, err := step(orders.StatusAwaitingCustomer, orders.StatusConfirmed, nil); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 4)
	got, err = step(orders.StatusConfirmed, orders.StatusShipped, func(r *orders.TransitionRequest) {
		r.Carrier, r.Tracking = "SF Express", "SF123"
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 6, 0)
	if got.PromisedDate != promised {
		t.Errorf("promised date %s was lost", got.PromisedDate)
	}
	var carrier, tracking string
	if err := s.DB().QueryRowContext(ctx, `SELECT carrier, tracking FROM orders WHERE id = $1`, o.ID).Scan(&carrier, &tracking); err != nil ||
		carrier != "SF Express" || tracking != "SF123" {
		t.Errorf("carrier %q tracking %q (%v)", carrier, tracking, err)
	}
	if _, err := step(orders.StatusShipped, orders.StatusCancelled, nil); !errors.Is(err, orders.ErrInvalidTransition) {
		t.Errorf("shipped → cancelled: %v, want ErrInvalidTransition", err)
	}
	if got, err = step(got.Status, orders.StatusDelivered, nil); err != nil {
		t.Fatal(err)
	}
	// Completion waits for settlement, judged under the order's lock.
	if _, err := step(got.Status, orders.StatusCompleted, nil); !errors.Is(err, orders.ErrNotSettled) {
		t.Errorf("completing an unpaid order: %v, want ErrNotSettled", err)
	}
	if _, err := s.RecordPayment(ctx, orders.PaymentRequest{Number: o.Number, Amount: got.Total, Status: orders.PaymentPaid,
		PaidBefore: decimal.Zero}); err != nil {
		t.Fatal(err)
	}
	if got, err = step(got.Status, orders.StatusCompleted, nil); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 6, 0)
	var statuses []orders.Status
	for _, h := range got.History {
		statuses = append(statuses, h.To)
	}
	want := []orders.Status{orders.StatusPendingReview, orders.StatusAwaitingCustomer, orders.StatusConfirmed,
		orders.StatusShipped, orders.StatusDelivered, orders.StatusDelivered /* the payment */, orders.StatusCompleted}
	if !reflect.DeepEqual(statuses, want) {
		t.Errorf("history %v, want %v", statuses, want)
	}
}

func TestCancelReleasesStock(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	req := placeRequest("draft-1", 42, "CH-100", 3)
	req.Order.Lines = append(req.Order.Lines,
		orders.Line{SKU: "CH-100", Quantity: 2, UnitPrice: decimal.Zero, FromStock: true},
		orders.Line{SKU: "DESK-1", Quantity: 1, UnitPrice: decimal.Zero}, // made to order
	)
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PlaceOrder(ctx, placeRequest("draft-2", 43, "CH-100", 4)); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 9)
	for _, to := range []orders.Status{orders.StatusInProduction, orders.StatusCancelled} {
		if o, err = s.TransitionOrder(ctx, orders.TransitionRequest{Number: o.Number, From: o.Status, To: to, Actor: "manager:1"}); err != nil {
			t.Fatal(err)
		}
	}
	wantStock(t, s, "CH-100", 10, 4)
	wantStock(t, s, "DESK-1", 0, 0)
}

func TestTransitionsRaceOnce(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	o, _, err := s.PlaceOrder(ctx, placeRequest("draft-1", 42, "CH-100", 5))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = s.TransitionOrder(ctx, orders.TransitionRequest{Number: o.Number,
				From: orders.StatusConfirmed, To: orders.StatusCancelled, Actor: fmt.Sprint("rep:", i)})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, orders.ErrConflict):
			t.Errorf("concurrent cancel: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d cancellations succeeded, want 1", ok)
	}
	wantStock(t, s, "CH-100", 10, 0)
}

func TestClock(t *testing.T) {
	t.Parallel()
	base, _ := setup(t)
	at := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	s := pgstore.New(base.DB(), pgstore.WithClock(func() time.Time { return at }))
	req := placeRequest("draft-1", 42, "CH-100", 1)
	req.Order.CreatedAt = time.Time{}
	o, _, err := s.PlaceOrder(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !o.CreatedAt.Equal(at) || !o.History[0].At.Equal(at) {
		t.Errorf("created %v, history at %v; want %v", o.CreatedAt, o.History[0].At, at)
	}
	o, err = s.TransitionOrder(t.Context(), orders.TransitionRequest{Number: o.Number, From: o.Status, To: orders.StatusCancelled})
	if err != nil || !o.History[1].At.Equal(at) {
		t.Errorf("transition at %v (%v), want %v", o.History, err, at)
	}
}

// TestPlaceOrderKeyCommittedMeanwhile covers a placement whose key is committed by another
// writer after the placement looked for it: the unique violation of the key is answered
// with the committed order.
func TestPlaceOrderKeyCommittedMeanwhile(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	c, err := s.SaveCustomer(ctx, orders.Customer{TelegramID: 42, Name: "Li Lei"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.ExecContext(ctx, `
		INSERT INTO orders (number, status, customer_id, total, wanted_date, idempotency_key)
		VALUES ('SO-20261205-0999', 'confirmed', $1, 1, '2026-12-05', 'race-key')`, c.ID); err != nil {
		t.Fatal(err)
	}

	type result struct {
		o       orders.Order
		created bool
		err     error
	}
	done := make(chan result, 1)
	go func() {
		o, created, err := s.PlaceOrder(ctx, placeRequest("race-key", 42, "CH-100", 2))
		done <- result{o, created, err}
	}()
	// Wait until the placement waits for the other transaction, then commit that.
	deadline := time.Now().Add(10 * time.Second)
	for count(t, s, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the placement never waited for the other transaction")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.created || r.o.Number != "SO-20261205-0999" {
		t.Fatalf("PlaceOrder = %s created=%v, %v; want the committed SO-20261205-0999", r.o.Number, r.created, r.err)
	}
	wantStock(t, s, "CH-100", 10, 0)
}
