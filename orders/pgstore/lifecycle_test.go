package pgstore_test

import (
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
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func numbers(os []orders.Order) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Number)
	}
	return out
}

func TestOrdersQueryAndPromised(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	base := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	day := func(d int) orders.Date { return orders.Date{Year: 2026, Month: time.December, Day: d} }
	place := func(key string, customer int64, name, phone string, status orders.Status, promised orders.Date, minute int) string {
		t.Helper()
		req := placeRequest(key, customer, "CH-200", 1)
		req.Order.Customer.Name, req.Order.Customer.Phone = name, phone
		req.Order.Status, req.Order.PromisedDate = status, promised
		req.Order.CreatedAt = base.Add(time.Duration(minute) * time.Minute)
		o, _, err := s.PlaceOrder(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return o.Number
	}
	a := place("a", 1, "Li Lei", "+86 138-0013-8000", orders.StatusConfirmed, day(6), 1)
	b := place("b", 2, "Wang Fang", "139 1234 5678", orders.StatusPendingReview, day(8), 2)
	c := place("c", 3, "Lilian Zhou", "+1 (555) 010-9999", orders.StatusConfirmed, orders.Date{}, 3)
	d := place("d", 1, "Li Lei", "+86 138-0013-8000", orders.StatusConfirmed, day(8), 4)

	pending := []orders.Status{orders.StatusPendingReview}
	confirmed := []orders.Status{orders.StatusConfirmed}
	for _, tt := range []struct {
		name string
		f    orders.OrderFilter
		want []string
	}{
		{"number in lower case", orders.OrderFilter{Query: strings.ToLower(b)}, []string{b}},
		{"number with spaces", orders.OrderFilter{Query: " " + a + " "}, []string{a}},
		{"part of a number", orders.OrderFilter{Query: "SO-20261205"}, nil},
		{"part of a name", orders.OrderFilter{Query: "li"}, []string{d, c, a}},
		{"name ignoring case", orders.OrderFilter{Query: "LILIAN"}, []string{c}},
		{"phone digits with other punctuation", orders.OrderFilter{Query: "0013 8000"}, []string{d, a}},
		{"four phone digits", orders.OrderFilter{Query: "1234"}, []string{b}},
		{"three digits are not a phone", orders.OrderFilter{Query: "123"}, nil},
		{"like wildcards are literal", orders.OrderFilter{Query: "%"}, nil},
		{"query and status", orders.OrderFilter{Query: "li", Statuses: pending}, nil},
		{"phone and status", orders.OrderFilter{Query: "1234", Statuses: pending}, []string{b}},
		{"promised before", orders.OrderFilter{PromisedBefore: day(8)}, []string{a}},
		{"promised before, later", orders.OrderFilter{PromisedBefore: day(9)}, []string{d, b, a}},
		{"promised before, nothing", orders.OrderFilter{PromisedBefore: day(6)}, nil},
		{"promised on", orders.OrderFilter{PromisedOn: day(8)}, []string{d, b}},
		{"promised on and status", orders.OrderFilter{PromisedOn: day(8), Statuses: confirmed}, []string{d}},
		{"promised on and query", orders.OrderFilter{PromisedOn: day(8), Query: "wang"}, []string{b}},
		{"customer and promised before", orders.OrderFilter{CustomerTelegramID: 1, PromisedBefore: day(9)}, []string{d, a}},
	} {
		os, err := s.Orders(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: Orders: %v", tt.name, err)
		}
		if got := numbers(os); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		n, err := s.CountOrders(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: CountOrders: %v", tt.name, err)
		}
		if n != len(tt.want) {
			t.Errorf("%s: CountOrders = %d, want %d", tt.name, n, len(tt.want))
		}
	}

	// Count ignores the page.
	f := orders.OrderFilter{Query: "li", Limit: 1, Offset: 1}
	if os, err := s.Orders(ctx, f); err != nil || !reflect.DeepEqual(numbers(os), []string{c}) {
		t.Errorf("page of the query: %v, %v; want [%s]", numbers(os), err, c)
	}
	if n, err := s.CountOrders(ctx, f); err != nil || n != 3 {
		t.Errorf("CountOrders of a page = %d, %v; want 3", n, err)
	}
	if n, err := s.CountOrders(ctx, orders.OrderFilter{}); err != nil || n != 4 {
		t.Errorf("CountOrders of everything = %d, %v; want 4", n, err)
	}
}

func TestRecordPayment(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	req := placeRequest("draft-1", 42, "CH-100", 3) // 597.00
	req.Order.DepositDue = money("179.10")
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s.PlaceOrder(ctx, placeRequest("draft-2", 43, "CH-200", 1))
	if err != nil {
		t.Fatal(err)
	}
	notes := count(t, s, `SELECT count(*) FROM notifications`)

	got, err := s.RecordPayment(ctx, orders.PaymentRequest{Number: o.Number, Amount: money("179.1"), Method: "bank_transfer",
		Actor: "rep:7", Status: orders.PaymentDepositPaid,
		Notifications: []orders.Notification{{Kind: "payment_recorded", ChatID: 42, Key: "paid:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Paid.Equal(money("179.10")) || got.PaymentStatus != orders.PaymentDepositPaid || got.Status != orders.StatusConfirmed {
		t.Errorf("after the deposit: paid %s, %s, %s", got.Paid, got.PaymentStatus, got.Status)
	}
	if len(got.History) != 2 {
		t.Fatalf("%d history entries, want 2", len(got.History))
	}
	if h := got.History[1]; h.From != orders.StatusConfirmed || h.To != orders.StatusConfirmed || h.Actor != "rep:7" ||
		h.Note != "payment 179.10 bank_transfer" || h.At.IsZero() {
		t.Errorf("payment history entry %+v", h)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE key = 'paid:1' AND order_id = $1`, o.ID); n != 1 {
		t.Errorf("payment notification queued %d times", n)
	}

	// A payment that expects another balance than the stored one is refused.
	if _, err := s.RecordPayment(ctx, orders.PaymentRequest{Number: o.Number, Amount: money("1"), Method: "cash",
		Actor: "rep:7", Status: orders.PaymentDepositPaid}); !errors.Is(err, orders.ErrConflict) {
		t.Errorf("stale balance: %v, want ErrConflict", err)
	}
	got, err = s.RecordPayment(ctx, orders.PaymentRequest{Number: o.Number, Amount: money("417.90"), Method: "cash", PaidBefore: money("179.1"),
		Actor: "rep:7", Status: orders.PaymentPaid})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Paid.Equal(money("597")) || got.PaymentStatus != orders.PaymentPaid || len(got.History) != 3 ||
		got.History[2].Note != "payment 417.90 cash" {
		t.Errorf("after the balance: paid %s, %s, history %+v", got.Paid, got.PaymentStatus, got.History)
	}

	// Paid is loaded with every order, also in lists.
	list, err := s.Orders(ctx, orders.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	paid := map[string]string{}
	for _, o := range list {
		paid[o.Number] = o.Paid.StringFixed(2)
	}
	if want := map[string]string{o.Number: "597.00", other.Number: "0.00"}; !reflect.DeepEqual(paid, want) {
		t.Errorf("paid %v, want %v", paid, want)
	}

	// Refused: nothing recorded.
	for name, r := range map[string]orders.PaymentRequest{
		"zero":            {Number: o.Number, Amount: decimal.Zero, Status: orders.PaymentPaid},
		"negative":        {Number: o.Number, Amount: money("-1"), Status: orders.PaymentPaid},
		"fraction of fen": {Number: o.Number, Amount: money("1.001"), Status: orders.PaymentPaid},
		"too large":       {Number: o.Number, Amount: money("10000000000"), Status: orders.PaymentPaid},
		"bad status":      {Number: o.Number, Amount: money("1"), Status: "lots"},
		"bad payload": {Number: o.Number, Amount: money("1"), Status: orders.PaymentPaid,
			Notifications: []orders.Notification{{Kind: "payment_recorded", Key: "paid:x", Payload: []byte("{")}}},
	} {
		if _, err := s.RecordPayment(ctx, r); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	_, err = s.RecordPayment(ctx, orders.PaymentRequest{Number: "SO-20261205-0099", Amount: money("1"), Status: orders.PaymentPaid})
	if !errors.Is(err, orders.ErrNotFound) || !strings.Contains(err.Error(), "SO-20261205-0099") {
		t.Errorf("unknown order: %v, want ErrNotFound naming it", err)
	}
	if n := count(t, s, `SELECT count(*) FROM payments`); n != 2 {
		t.Errorf("%d payments, want 2", n)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications`); n != notes+1 {
		t.Errorf("%d notifications, want %d", n, notes+1)
	}
}

// changeFixture is a confirmed order of 4 CH-100 from stock and 1 DESK-1 made to order, and
// another order holding 2 CH-100: 4 of the 10 chairs are free.
func changeFixture(t *testing.T) (*pgstore.Store, orders.Order) {
	t.Helper()
	s, ctx := setup(t)
	req := placeRequest("draft-1", 42, "CH-100", 4)
	req.Order.Lines = append(req.Order.Lines, orders.Line{SKU: "DESK-1", Name: "Oak desk", Quantity: 1, Unit: "pcs",
		UnitPrice: money("1250.00")})
	req.Order.Total = money("2046.00")
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PlaceOrder(ctx, placeRequest("draft-2", 43, "CH-100", 2)); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 6)
	return s, o
}

// requestChange stores a pending change request of the order.
func requestChange(t *testing.T, s *pgstore.Store, c orders.ChangeRequest) orders.ChangeRequest {
	t.Helper()
	if c.RequestedBy == "" {
		c.RequestedBy = "customer:42"
	}
	created, err := s.CreateChangeRequest(t.Context(), "", c, []orders.Notification{
		{Kind: "change_requested", ChatID: 1, Key: fmt.Sprintf("change_requested:%s:%s:%d", c.Kind, c.Date, c.Quantity)},
	})
	if err != nil {
		t.Fatalf("CreateChangeRequest: %v", err)
	}
	return created
}

func TestChangeRequestQuantity(t *testing.T) {
	t.Parallel()
	s, o := changeFixture(t)
	ctx := t.Context()

	c := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 7,
		Reason: "more staff"})
	if c.ID == 0 || c.Number != o.Number || c.Status != "pending" || c.CreatedAt.IsZero() || c.Quantity != 7 ||
		c.Reason != "more staff" || c.RequestedBy != "customer:42" {
		t.Errorf("created %+v", c)
	}
	read, err := s.ChangeRequest(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !read.CreatedAt.Equal(c.CreatedAt) {
		t.Errorf("created at %v, read %v", c.CreatedAt, read.CreatedAt)
	}
	read.CreatedAt = c.CreatedAt
	if !reflect.DeepEqual(read, c) {
		t.Errorf("ChangeRequest = %+v, want %+v", read, c)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE kind = 'change_requested' AND order_id = $1`, o.ID); n != 1 {
		t.Errorf("%d change_requested notifications, want 1", n)
	}
	// Nothing happens to the order until a manager decides.
	wantStock(t, s, "CH-100", 10, 6)

	// An increase within the free stock reserves it.
	decided, got, err := s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: true, Actor: "manager:1", Note: "ok",
		Apply: orders.ChangeApply{Quantities: map[int]int{0: 7}, Total: money("2643.00"), DepositDue: money("792.90"),
			Note: "quantity of line 1 → 7"},
		Notifications: []orders.Notification{{Kind: "change_decided", ChatID: 42, Key: "change_decided:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if decided.Status != "approved" || decided.DecidedBy != "manager:1" || decided.Note != "ok" || decided.ID != c.ID {
		t.Errorf("decided %+v", decided)
	}
	wantStock(t, s, "CH-100", 10, 9)
	if got.Lines[0].Quantity != 7 || got.Lines[1].Quantity != 1 || !got.Total.Equal(money("2643")) ||
		!got.DepositDue.Equal(money("792.90")) || !got.Modified || got.Status != orders.StatusConfirmed {
		t.Errorf("after the increase: lines %+v, total %s, deposit %s, modified %v, %s",
			got.Lines, got.Total, got.DepositDue, got.Modified, got.Status)
	}
	if h := got.History[len(got.History)-1]; len(got.History) != 2 || h.From != orders.StatusConfirmed ||
		h.To != orders.StatusConfirmed || h.Actor != "manager:1" || h.Note != "quantity of line 1 → 7" {
		t.Errorf("history %+v", got.History)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE key = 'change_decided:1' AND order_id = $1`, o.ID); n != 1 {
		t.Errorf("decision notification queued %d times", n)
	}

	// More than the free stock: a shortage, and nothing changes.
	notes := count(t, s, `SELECT count(*) FROM notifications`)
	c2 := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 12})
	_, _, err = s.DecideChange(ctx, orders.DecideChangeRequest{ID: c2.ID, Approve: true, Actor: "manager:1",
		Apply:         orders.ChangeApply{Quantities: map[int]int{0: 12}, Total: money("3638.00"), Note: "quantity of line 1 → 12"},
		Notifications: []orders.Notification{{Kind: "change_decided", ChatID: 42, Key: "change_decided:2"}}})
	var short *orders.StockShortage
	if !errors.As(err, &short) || !errors.Is(err, orders.ErrOutOfStock) {
		t.Fatalf("increase beyond the stock: %v, want a *StockShortage", err)
	}
	// The order would hold 12 and can hold at most 7 + 1 free.
	if want := []orders.Shortage{{SKU: "CH-100", Wanted: 12, Available: 8}}; !reflect.DeepEqual(short.Lines, want) {
		t.Errorf("shortage %+v, want %+v", short.Lines, want)
	}
	wantStock(t, s, "CH-100", 10, 9)
	after, err := s.Order(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if after.Lines[0].Quantity != 7 || !after.Total.Equal(money("2643")) || len(after.History) != 2 {
		t.Errorf("a failed change changed the order: lines %+v, total %s, %d history entries",
			after.Lines, after.Total, len(after.History))
	}
	if still, err := s.ChangeRequest(ctx, c2.ID); err != nil || still.Status != "pending" || still.DecidedBy != "" {
		t.Errorf("after a failed approval the request is %+v (%v), want pending", still, err)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications`); n != notes+1 { // the request's own
		t.Errorf("%d notifications, want %d", n, notes+1)
	}

	// A decrease releases stock; a made-to-order line leaves the stock alone.
	c3 := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 2})
	if _, got, err = s.DecideChange(ctx, orders.DecideChangeRequest{ID: c3.ID, Approve: true, Actor: "manager:1",
		Apply: orders.ChangeApply{Quantities: map[int]int{0: 2, 1: 3}, Total: money("4148.00")}}); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 4)
	wantStock(t, s, "DESK-1", 0, 0)
	if got.Lines[0].Quantity != 2 || got.Lines[1].Quantity != 3 || !got.Total.Equal(money("4148")) {
		t.Errorf("after the decrease: lines %+v, total %s", got.Lines, got.Total)
	}

	// Then cancelling releases what the order now holds.
	c4 := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeCancel, Reason: "moved office"})
	if _, got, err = s.DecideChange(ctx, orders.DecideChangeRequest{ID: c4.ID, Approve: true, Actor: "manager:1",
		Apply: orders.ChangeApply{Cancel: true, Note: "cancel (moved office)"}}); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 2)
	if got.Status != orders.StatusCancelled {
		t.Errorf("status %s, want cancelled", got.Status)
	}
}

func TestChangeRequestDateAndAddress(t *testing.T) {
	t.Parallel()
	s, o := changeFixture(t)
	ctx := t.Context()
	newDate := orders.Date{Year: 2026, Month: time.December, Day: 20}

	c := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeDate, Date: newDate, Reason: "office not ready"})
	if read, err := s.ChangeRequest(ctx, c.ID); err != nil || read.Date != newDate {
		t.Errorf("stored date %s (%v), want %s", read.Date, err, newDate)
	}
	_, got, err := s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: true, Actor: "manager:1",
		Apply: orders.ChangeApply{WantedDate: newDate, PromisedDate: newDate, Total: money("1"), Note: "date → 2026-12-20"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.WantedDate != newDate || got.PromisedDate != newDate || !got.Modified || got.DeliveryAddress != o.DeliveryAddress ||
		!got.Total.Equal(o.Total) || len(got.Lines) != 2 || got.Lines[0].Quantity != 4 {
		t.Errorf("after the date change: wanted %s, promised %s, modified %v, address %q, total %s, lines %+v",
			got.WantedDate, got.PromisedDate, got.Modified, got.DeliveryAddress, got.Total, got.Lines)
	}
	wantStock(t, s, "CH-100", 10, 6)

	c = requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeAddress, Address: "9 Nanjing Road, Shanghai"})
	_, got, err = s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: true, Actor: "manager:1",
		Apply: orders.ChangeApply{Address: "9 Nanjing Road, Shanghai", Note: "address → 9 Nanjing Road, Shanghai"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.DeliveryAddress != "9 Nanjing Road, Shanghai" || got.WantedDate != newDate || len(got.History) != 3 {
		t.Errorf("after the address change: %q, wanted %s, %d history entries", got.DeliveryAddress, got.WantedDate, len(got.History))
	}
	// The new address is the customer's most recent one.
	cust, err := s.Customer(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(cust.Addresses) == 0 || cust.Addresses[0] != "9 Nanjing Road, Shanghai" {
		t.Errorf("customer addresses %v", cust.Addresses)
	}
}

func TestChangeRequestCancel(t *testing.T) {
	t.Parallel()
	s, o := changeFixture(t)
	c := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeCancel, Reason: "moved office"})
	decided, got, err := s.DecideChange(t.Context(), orders.DecideChangeRequest{ID: c.ID, Approve: true, Actor: "manager:1",
		Apply: orders.ChangeApply{Cancel: true, Note: "cancel (moved office)"}})
	if err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 2) // the other order's 2 remain
	wantStock(t, s, "DESK-1", 0, 0)
	if decided.Status != "approved" || got.Status != orders.StatusCancelled || !got.Modified {
		t.Errorf("request %s, order %s, modified %v", decided.Status, got.Status, got.Modified)
	}
	if h := got.History[len(got.History)-1]; h.From != orders.StatusConfirmed || h.To != orders.StatusCancelled ||
		h.Actor != "manager:1" || h.Note != "cancel (moved office)" {
		t.Errorf("history entry %+v", h)
	}

	// A cancelled order cannot be cancelled again: the request stays pending.
	c = requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeCancel, Reason: "again"})
	_, _, err = s.DecideChange(t.Context(), orders.DecideChangeRequest{ID: c.ID, Approve: true, Actor: "manager:1",
		Apply: orders.ChangeApply{Cancel: true}})
	if !errors.Is(err, orders.ErrConflict) {
		t.Errorf("cancelling a cancelled order: %v, want ErrConflict", err)
	}
	wantStock(t, s, "CH-100", 10, 2)
	if still, err := s.ChangeRequest(t.Context(), c.ID); err != nil || still.Status != "pending" {
		t.Errorf("request %+v (%v), want pending", still, err)
	}
}

func TestChangeRequestReject(t *testing.T) {
	t.Parallel()
	s, o := changeFixture(t)
	ctx := t.Context()
	c := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 8})
	decided, got, err := s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: false, Actor: "manager:1",
		Note: "production has started",
		// Ignored on rejection.
		Apply:         orders.ChangeApply{Quantities: map[int]int{0: 8}, Total: money("1")},
		Notifications: []orders.Notification{{Kind: "change_decided", ChatID: 42, Key: "change_decided:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if decided.Status != "rejected" || decided.DecidedBy != "manager:1" || decided.Note != "production has started" {
		t.Errorf("decided %+v", decided)
	}
	if got.Modified || got.Lines[0].Quantity != 4 || !got.Total.Equal(o.Total) || len(got.History) != 1 {
		t.Errorf("a rejection changed the order: modified %v, lines %+v, total %s, %d history entries",
			got.Modified, got.Lines, got.Total, len(got.History))
	}
	wantStock(t, s, "CH-100", 10, 6)
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE key = 'change_decided:1'`); n != 1 {
		t.Errorf("rejection notification queued %d times", n)
	}
	if n := count(t, s, `SELECT count(*) FROM change_requests WHERE id = $1 AND decided_at IS NOT NULL`, c.ID); n != 1 {
		t.Error("the decision time was not recorded")
	}
}

func TestDecideChangeOnce(t *testing.T) {
	t.Parallel()
	s, o := changeFixture(t)
	ctx := t.Context()
	increase := orders.ChangeApply{Quantities: map[int]int{0: 5}, Total: money("2245.00")}

	c := requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 5})
	if _, _, err := s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: true, Actor: "manager:1", Apply: increase}); err != nil {
		t.Fatal(err)
	}
	for _, approve := range []bool{true, false} {
		_, _, err := s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: approve, Actor: "manager:2", Apply: increase})
		if !errors.Is(err, orders.ErrConflict) || !strings.Contains(err.Error(), "approved") {
			t.Errorf("deciding again (approve=%v): %v, want ErrConflict naming approved", approve, err)
		}
	}
	wantStock(t, s, "CH-100", 10, 7)
	if got, err := s.ChangeRequest(ctx, c.ID); err != nil || got.DecidedBy != "manager:1" {
		t.Errorf("request %+v (%v), want decided by manager:1", got, err)
	}
	if _, _, err := s.DecideChange(ctx, orders.DecideChangeRequest{ID: 999, Approve: true}); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("unknown request: %v, want ErrNotFound", err)
	}

	// Concurrent deciders: exactly one wins, and the change applies once.
	c = requestChange(t, s, orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeQuantity, Line: 0, Quantity: 6})
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			_, _, errs[i] = s.DecideChange(ctx, orders.DecideChangeRequest{ID: c.ID, Approve: true,
				Actor: fmt.Sprint("manager:", i), Apply: orders.ChangeApply{Quantities: map[int]int{0: 6}, Total: money("2444.00")},
				Notifications: []orders.Notification{{Kind: "change_decided", ChatID: 42, Key: fmt.Sprint("decided:", i)}}})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, orders.ErrConflict):
			t.Errorf("concurrent decision: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d decisions succeeded, want 1", won)
	}
	wantStock(t, s, "CH-100", 10, 8)
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE kind = 'change_decided'`); n != 1 {
		t.Errorf("%d decision notifications, want 1", n)
	}
	got, err := s.Order(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lines[0].Quantity != 6 || len(got.History) != 3 {
		t.Errorf("quantity %d, %d history entries; want 6 and 3", got.Lines[0].Quantity, len(got.History))
	}
}

func TestUpdateOrder(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	req := placeRequest("draft-1", 42, "CH-100", 4)
	req.Order.Status = orders.StatusPendingReview
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	notes := count(t, s, `SELECT count(*) FROM notifications`)
	apply := orders.ChangeApply{Quantities: map[int]int{0: 6}, Total: money("1194.00"), DepositDue: money("358.20"),
		Address: "9 Nanjing Road, Shanghai", Note: "quantity of line 1 → 6"}
	ns := []orders.Notification{{Kind: "change_decided", ChatID: 7, Key: "updated:1"}}

	// From a status the order is no longer in: nothing changes.
	_, err = s.UpdateOrder(ctx, "", o.Number, orders.StatusAwaitingCustomer, apply, "customer:42", ns)
	if !errors.Is(err, orders.ErrConflict) || !strings.Contains(err.Error(), "pending_review") {
		t.Fatalf("UpdateOrder from the wrong status: %v, want ErrConflict naming pending_review", err)
	}
	after, err := s.Order(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if after.Modified || after.Lines[0].Quantity != 4 || after.DeliveryAddress != o.DeliveryAddress || len(after.History) != 1 {
		t.Errorf("a refused update changed the order: %+v", after)
	}
	wantStock(t, s, "CH-100", 10, 4)
	if n := count(t, s, `SELECT count(*) FROM notifications`); n != notes {
		t.Errorf("%d notifications, want %d", n, notes)
	}

	got, err := s.UpdateOrder(ctx, "", o.Number, orders.StatusPendingReview, apply, "customer:42", ns)
	if err != nil {
		t.Fatal(err)
	}
	if got.Modified || got.Lines[0].Quantity != 6 || !got.Total.Equal(money("1194")) || !got.DepositDue.Equal(money("358.2")) ||
		got.DeliveryAddress != "9 Nanjing Road, Shanghai" || got.Status != orders.StatusPendingReview {
		t.Errorf("after the update: modified %v, lines %+v, total %s, deposit %s, address %q, %s",
			got.Modified, got.Lines, got.Total, got.DepositDue, got.DeliveryAddress, got.Status)
	}
	if h := got.History[len(got.History)-1]; len(got.History) != 2 || h.From != orders.StatusPendingReview ||
		h.To != orders.StatusPendingReview || h.Actor != "customer:42" || h.Note != "quantity of line 1 → 6" {
		t.Errorf("history %+v", got.History)
	}
	wantStock(t, s, "CH-100", 10, 6)
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE key = 'updated:1'`); n != 1 {
		t.Errorf("update notification queued %d times", n)
	}

	// More than the stock: a shortage, nothing changes.
	_, err = s.UpdateOrder(ctx, "", o.Number, orders.StatusPendingReview,
		orders.ChangeApply{Quantities: map[int]int{0: 11}, Total: money("2189.00")}, "customer:42", nil)
	var short *orders.StockShortage
	if !errors.As(err, &short) || !reflect.DeepEqual(short.Lines, []orders.Shortage{{SKU: "CH-100", Wanted: 11, Available: 10}}) {
		t.Errorf("update beyond the stock: %v, want a shortage of CH-100 wanted 11, available 10", err)
	}
	wantStock(t, s, "CH-100", 10, 6)

	// Invalid changes are refused before they reach the order.
	for name, a := range map[string]orders.ChangeApply{
		"zero quantity":       {Quantities: map[int]int{0: 0}},
		"no such line":        {Quantities: map[int]int{3: 1}},
		"negative line":       {Quantities: map[int]int{-1: 1}},
		"cancel and quantity": {Cancel: true, Quantities: map[int]int{0: 1}},
		"fraction of fen":     {Quantities: map[int]int{0: 1}, Total: money("0.001")},
	} {
		if _, err := s.UpdateOrder(ctx, "", o.Number, orders.StatusPendingReview, a, "customer:42", nil); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.UpdateOrder(ctx, "", "SO-20261205-0099", orders.StatusPendingReview, apply, "customer:42", nil); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("unknown order: %v, want ErrNotFound", err)
	}

	// Cancelling before confirmation releases the stock, without marking the order modified.
	got, err = s.UpdateOrder(ctx, "", o.Number, orders.StatusPendingReview, orders.ChangeApply{Cancel: true, Note: "cancel"}, "customer:42", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusCancelled || got.Modified || got.Lines[0].Quantity != 6 {
		t.Errorf("after cancelling: %s, modified %v, lines %+v", got.Status, got.Modified, got.Lines)
	}
	wantStock(t, s, "CH-100", 10, 0)
}

func TestCreateChangeRequestRefused(t *testing.T) {
	t.Parallel()
	s, o := changeFixture(t)
	ctx := t.Context()
	_, err := s.CreateChangeRequest(ctx, "", orders.ChangeRequest{Number: "SO-20261205-0099", Kind: orders.ChangeCancel}, nil)
	if !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("unknown order: %v, want ErrNotFound", err)
	}
	for name, c := range map[string]orders.ChangeRequest{
		"unknown kind":  {Kind: "colour"},
		"zero quantity": {Kind: orders.ChangeQuantity, Line: 0, Quantity: 0},
		"no such line":  {Kind: orders.ChangeQuantity, Line: 2, Quantity: 1},
		"negative line": {Kind: orders.ChangeQuantity, Line: -1, Quantity: 1},
		"no date":       {Kind: orders.ChangeDate},
		"no address":    {Kind: orders.ChangeAddress, Address: "  "},
	} {
		c.Number = o.Number
		_, err := s.CreateChangeRequest(ctx, "", c, nil)
		var verr *orders.ValidationError
		if !errors.Is(err, orders.ErrInvalid) || !errors.As(err, &verr) {
			t.Errorf("%s: %v, want a *ValidationError", name, err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM change_requests`); n != 0 {
		t.Errorf("%d change requests stored, want 0", n)
	}
	if _, err := s.ChangeRequest(ctx, 999); !errors.Is(err, orders.ErrNotFound) || !strings.Contains(err.Error(), "999") {
		t.Errorf("unknown change request: %v, want ErrNotFound naming it", err)
	}
}

func TestStaffLanguage(t *testing.T) {
	t.Parallel()
	s := pgstoretest.New(t)
	ctx := t.Context()
	if _, err := s.SaveStaff(ctx, orders.Staff{TelegramID: 7, Name: "Rep", Role: orders.RoleRep, Active: true}); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Staff(ctx, 7); err != nil || st.Language != "" {
		t.Errorf("new staff language %q (%v), want empty", st.Language, err)
	}
	if err := s.SetStaffLanguage(ctx, 7, "zh"); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Staff(ctx, 7); err != nil || st.Language != "zh" {
		t.Errorf("language %q (%v), want zh", st.Language, err)
	}
	// Saving the member again without a language keeps it; with one replaces it.
	st, err := s.SaveStaff(ctx, orders.Staff{TelegramID: 7, Name: "Rep Two", Role: orders.RoleManager, Active: true})
	if err != nil || st.Language != "zh" || st.Name != "Rep Two" {
		t.Errorf("saved again: %+v (%v), want language zh kept", st, err)
	}
	if st, err := s.SaveStaff(ctx, orders.Staff{TelegramID: 7, Name: "Rep Two", Role: orders.RoleManager, Active: true, Language: "en"}); err != nil || st.Language != "en" {
		t.Errorf("saved with en: %+v (%v)", st, err)
	}
	list, err := s.ListStaff(ctx, true)
	if err != nil || len(list) != 1 || list[0].Language != "en" {
		t.Errorf("ListStaff = %+v (%v)", list, err)
	}
	err = s.SetStaffLanguage(ctx, 99, "en")
	if !errors.Is(err, orders.ErrNotFound) || !strings.Contains(err.Error(), "99") {
		t.Errorf("unknown staff: %v, want ErrNotFound naming it", err)
	}
}

func TestRateOrder(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	o, _, err := s.PlaceOrder(ctx, placeRequest("draft-1", 42, "CH-100", 1))
	if err != nil {
		t.Fatal(err)
	}
	if o.Rating != 0 || o.RatingComment != "" {
		t.Errorf("new order rated %d %q", o.Rating, o.RatingComment)
	}
	if err := s.RateOrder(ctx, "", o.Number, 5, "fast delivery"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Order(ctx, o.Number)
	if err != nil || got.Rating != 5 || got.RatingComment != "fast delivery" {
		t.Errorf("rating %d %q (%v), want 5 \"fast delivery\"", got.Rating, got.RatingComment, err)
	}
	for _, r := range []int{0, 6, -1} {
		err := s.RateOrder(ctx, "", o.Number, r, "")
		var verr *orders.ValidationError
		if !errors.Is(err, orders.ErrInvalid) || !errors.As(err, &verr) || verr.Field != "rating" {
			t.Errorf("rating %d: %v, want a *ValidationError of the rating", r, err)
		}
	}
	if err := s.RateOrder(ctx, "", o.Number, 3, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Order(ctx, o.Number); err != nil || got.Rating != 3 || got.RatingComment != "" {
		t.Errorf("re-rated %d %q (%v), want 3 and no comment", got.Rating, got.RatingComment, err)
	}
	if err := s.RateOrder(ctx, "", "SO-20261205-0099", 4, ""); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("unknown order: %v, want ErrNotFound", err)
	}
}

func TestTransitionRepAndApproval(t *testing.T) {
	t.Parallel()
	base, _ := setup(t)
	at := time.Date(2026, 12, 5, 10, 15, 0, 0, time.UTC)
	s := pgstore.New(base.DB(), pgstore.WithClock(func() time.Time { return at }))
	ctx := t.Context()
	req := placeRequest("draft-1", 42, "CH-100", 1)
	req.Order.Status, req.Order.ApprovedAt, req.Approver = orders.StatusPendingReview, time.Time{}, ""
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if o.Rep != 0 || o.ApprovedBy != "" || !o.ApprovedAt.IsZero() {
		t.Errorf("placed: rep %d, approved by %q at %v", o.Rep, o.ApprovedBy, o.ApprovedAt)
	}
	o, err = s.TransitionOrder(ctx, orders.TransitionRequest{Number: o.Number, From: o.Status, To: orders.StatusAwaitingCustomer,
		Actor: "rep:7", Rep: 7})
	if err != nil {
		t.Fatal(err)
	}
	if o.Rep != 7 || o.ApprovedBy != "" || !o.ApprovedAt.IsZero() {
		t.Errorf("reviewed: rep %d, approved by %q at %v", o.Rep, o.ApprovedBy, o.ApprovedAt)
	}
	o, err = s.TransitionOrder(ctx, orders.TransitionRequest{Number: o.Number, From: o.Status, To: orders.StatusConfirmed,
		Actor: "customer:42", Approve: true})
	if err != nil {
		t.Fatal(err)
	}
	if o.Rep != 7 || o.ApprovedBy != "customer:42" || !o.ApprovedAt.Equal(at) {
		t.Errorf("approved: rep %d, approved by %q at %v; want 7, customer:42 at %v", o.Rep, o.ApprovedBy, o.ApprovedAt, at)
	}
	o, err = s.TransitionOrder(ctx, orders.TransitionRequest{Number: o.Number, From: o.Status, To: orders.StatusShipped,
		Actor: "rep:8", Carrier: "SF Express", Tracking: "SF1"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Rep != 7 || o.ApprovedBy != "customer:42" || o.Carrier != "SF Express" || o.Tracking != "SF1" {
		t.Errorf("shipped: rep %d, approved by %q, carrier %q, tracking %q", o.Rep, o.ApprovedBy, o.Carrier, o.Tracking)
	}
}
