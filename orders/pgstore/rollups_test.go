package pgstore_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

// normal sorts the facts' lists and rounds their amounts' representation, so that facts
// read in different orders compare equal.
func normal(f orders.ReportFacts) orders.ReportFacts {
	slices.SortFunc(f.Days, func(a, b orders.DayFacts) int { return cmp.Compare(a.Day.String(), b.Day.String()) })
	slices.SortFunc(f.Products, func(a, b orders.ProductFacts) int { return cmp.Compare(a.SKU, b.SKU) })
	slices.SortFunc(f.Reps, func(a, b orders.RepFacts) int { return cmp.Compare(a.Rep, b.Rep) })
	slices.SortFunc(f.Customers, func(a, b orders.CustomerFacts) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(f.Sources, func(a, b orders.SourceFacts) int { return cmp.Compare(a.Source, b.Source) })
	f.CancelReasons = orders.CountReasons(f.CancelReasons)
	// minutes: merged, as ReviewSpeed reads them
	mins := map[int]int{}
	for _, m := range f.ReviewMinutes {
		mins[m.Minutes] += m.Orders
	}
	f.ReviewMinutes = nil
	for m, n := range mins {
		f.ReviewMinutes = append(f.ReviewMinutes, orders.MinuteCount{Minutes: m, Orders: n})
	}
	slices.SortFunc(f.ReviewMinutes, func(a, b orders.MinuteCount) int { return cmp.Compare(a.Minutes, b.Minutes) })
	dl := map[[2]string]int{}
	for _, d := range f.Deliveries {
		dl[[2]string{d.Promised.String(), d.Delivered.String()}] += d.Orders
	}
	f.Deliveries = nil
	for k, n := range dl {
		p, _ := orders.ParseISODate(k[0])
		d, _ := orders.ParseISODate(k[1])
		f.Deliveries = append(f.Deliveries, orders.DeliveryFacts{Promised: p, Delivered: d, Orders: n})
	}
	slices.SortFunc(f.Deliveries, func(a, b orders.DeliveryFacts) int {
		return cmp.Or(cmp.Compare(a.Promised.String(), b.Promised.String()), cmp.Compare(a.Delivered.String(), b.Delivered.String()))
	})
	// decimals: compare their values, not their scale
	for i := range f.Days {
		f.Days[i].Amount = f.Days[i].Amount.Round(2)
	}
	for i := range f.Products {
		f.Products[i].Amount = f.Products[i].Amount.Round(2)
	}
	for i := range f.Reps {
		f.Reps[i].Amount = f.Reps[i].Amount.Round(2)
	}
	for i := range f.Customers {
		f.Customers[i].Amount = f.Customers[i].Amount.Round(2)
	}
	for i := range f.Sources {
		f.Sources[i].Amount = f.Sources[i].Amount.Round(2)
	}
	f.Total, f.DepositDue, f.Paid, f.DepositPaid = f.Total.Round(2), f.DepositDue.Round(2), f.Paid.Round(2), f.DepositPaid.Round(2)
	return f
}

// checkRollup compares, for each period, the desk's facts read from the rollup with those
// read from the orders.
func checkRollup(t *testing.T, s *pgstore.Store, loc *time.Location, periods ...string) {
	t.Helper()
	checkRollupTop(t, s, loc, 100, periods...)
}

// checkRollupTop is checkRollup with the n best customers.
func checkRollupTop(t *testing.T, s *pgstore.Store, loc *time.Location, n int, periods ...string) {
	t.Helper()
	for _, ps := range periods {
		p, err := orders.ParsePeriod(ps, orders.Date{Year: 2026, Month: 12, Day: 2})
		if err != nil {
			t.Fatal(err)
		}
		start, end := p.Bounds(loc)
		sc := orders.ReportScope{Start: start, End: end, Loc: loc, TopCustomers: n}
		got, err := s.ReportFacts(t.Context(), sc)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.ReportFactsFromOrders(t.Context(), sc)
		if err != nil {
			t.Fatal(err)
		}
		// printed: decimals compare by value (796 and 796.00 print alike), nil and empty lists alike
		if g, w := fmt.Sprintf("%+v", normal(got)), fmt.Sprintf("%+v", normal(want)); g != w {
			t.Errorf("%s: from the rollup\n%+v\nfrom the orders\n%+v", ps, g, w)
		}
	}
}

// The rollup answers exactly what the orders do, before and after every kind of change:
// a new order (just before local midnight), a cancellation, a payment, a changed line, a
// delivery, a rating, a deleted order; periods of a day, parts of months, months, a year.
func TestReportRollupMatchesOrders(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	pgstoretest.ReportFixture(t, s)
	loc := shanghai(t)
	periods := []string{"2026-11", "2026-10", "2026-11-02..2026-11-02", "2026-10-15..2026-12-05", "2026-01-01..2026-12-31", "2026-11-30..2026-12-01", "2026-06"}
	checkRollup(t, s, loc, periods...)

	before, err := s.ReportFacts(ctx, orders.ReportScope{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, loc), End: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), Loc: loc})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.DB().ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	// a new order at 23:30 on 30 November in Shanghai, with a deposit due and nothing paid
	exec(`INSERT INTO orders (id, number, status, payment_status, customer_id, total, deposit_due, wanted_date, source, rep_telegram_id, created_at, updated_at)
		VALUES (8, 'SO-20261130-0002', 'confirmed', 'unpaid', 2, 300, 100, '2026-12-10', 'rep:7001', 7001, '2026-11-30 15:30+00', now())`)
	exec(`INSERT INTO order_lines (order_id, position, sku, name, quantity, unit_price) VALUES (8, 1, 'CH-200', 'Stool', 6, 50)`)
	exec(`INSERT INTO order_history (order_id, from_status, to_status, at) VALUES (8, NULL, 'confirmed', '2026-11-30 15:30+00')`)
	after, err := s.ReportFacts(ctx, orders.ReportScope{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, loc), End: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), Loc: loc})
	if err != nil {
		t.Fatal(err)
	}
	if after.Placed != before.Placed+1 || !after.DepositDue.Equal(before.DepositDue.Add(dec("100"))) || !after.DepositPaid.Equal(before.DepositPaid) {
		t.Errorf("after a new order with nothing paid: placed %d→%d, deposit due %s→%s, collected %s→%s",
			before.Placed, after.Placed, before.DepositDue, after.DepositDue, before.DepositPaid, after.DepositPaid)
	}
	checkRollup(t, s, loc, periods...)

	// SO-5 cancelled; a payment on SO-8; SO-1's line changed; SO-5... delivered and rated
	exec(`UPDATE orders SET status = 'cancelled' WHERE id = 5`)
	exec(`INSERT INTO order_history (order_id, from_status, to_status, note, at) VALUES (5, 'confirmed', 'cancelled', 'Out of budget', '2026-12-01 03:00+00')`)
	exec(`INSERT INTO payments (order_id, amount, method) VALUES (8, 60, 'cash')`)
	exec(`UPDATE order_lines SET quantity = 3 WHERE order_id = 1`)
	exec(`UPDATE orders SET modified = true, total = 597 WHERE id = 1`)
	exec(`UPDATE orders SET status = 'delivered' WHERE id = 6`)
	exec(`INSERT INTO order_history (order_id, from_status, to_status, at) VALUES (6, 'shipped', 'delivered', '2026-12-02 01:00+00')`)
	exec(`UPDATE orders SET rating = 2 WHERE id = 6`)
	exec(`UPDATE orders SET rating = 4 WHERE id = 2`)
	exec(`UPDATE orders SET promised_date = '2026-11-10' WHERE id = 1`)
	checkRollup(t, s, loc, periods...)

	exec(`DELETE FROM orders WHERE id = 7`)
	checkRollup(t, s, loc, periods...)

	// nothing changed since: the refresh recomputes nothing; another zone rebuilds all
	if n, err := s.RefreshReportRollups(ctx, loc); err != nil || n != 0 {
		t.Errorf("refresh without changes: %d days, %v", n, err)
	}
	if n, err := s.RefreshReportRollups(ctx, time.UTC); err != nil || n != -1 {
		t.Errorf("refresh in another zone: %d days, %v; want a rebuild (-1)", n, err)
	}
	checkRollup(t, s, time.UTC, periods...)
	checkRollup(t, s, loc, periods...)
}

// The best customers of periods of many months (read from the customers' running sums of
// each month start, migration 0070) are those of the orders, before and after orders of
// months long rolled up are cancelled, moved to another customer, repriced or deleted, and
// a new customer's first order arrives in an old month.
func TestReportCustomerSumsMatchOrders(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	pgstoretest.ReportFixture(t, s)
	loc := shanghai(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.DB().ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`INSERT INTO customers (id, telegram_id, name, company) VALUES (4, 104, 'Dan', 'D Co'), (5, 105, 'Eve', '')`)
	// customers 1-5 across May to August 2026 (nothing in September); at the months' edges
	// in Shanghai time (UTC+8)
	for i, o := range []struct {
		customer int
		total    string
		status   string
		created  string // UTC
	}{
		{1, "100", "completed", "2026-05-03 02:00"},
		{2, "700", "completed", "2026-05-31 15:59"}, // 23:59 on 31 May
		{3, "250", "completed", "2026-05-31 16:00"}, // 00:00 on 1 June
		{4, "900", "cancelled", "2026-06-10 02:00"},
		{4, "300", "completed", "2026-06-20 02:00"},
		{1, "650", "completed", "2026-07-01 02:00"},
		{2, "50", "completed", "2026-07-15 02:00"},
		{5, "480", "delivered", "2026-07-31 15:00"},
		{3, "480", "completed", "2026-08-05 02:00"},
		{1, "0", "completed", "2026-08-06 02:00"},
		{2, "820", "completed", "2026-08-31 17:00"}, // 1 September
	} {
		id := 100 + i
		exec(`INSERT INTO orders (id, number, status, payment_status, customer_id, total, wanted_date, source, created_at, updated_at)
			VALUES ($1, $2, $3, 'unpaid', $4, $5, '2026-09-01', 'customer', $6::timestamp AT TIME ZONE 'UTC', now())`,
			id, fmt.Sprintf("SO-20260101-%04d", id), o.status, o.customer, o.total, o.created)
	}
	periods := []string{"2026-05-01..2026-11-30", "2026-06-15..2026-10-05", "2026-06-01..2026-08-31", "2026-07",
		"2026-06-02..2026-06-30", "2026-08-15..2027-03-31", "2025-01-01..2026-12-31", "2026-09-01..2026-09-30", "2026-05-31..2026-06-01", "2026-06-20..2026-08-05"}
	check := func() {
		t.Helper()
		checkRollup(t, s, loc, periods...)
		checkRollupTop(t, s, loc, 2, periods...)
	}
	check()

	exec(`UPDATE orders SET status = 'cancelled' WHERE id = 105`) // July, customer 1
	exec(`UPDATE orders SET customer_id = 4 WHERE id = 101`)      // May, 2 → 4
	exec(`UPDATE orders SET total = 1480 WHERE id = 108`)         // August, customer 3
	exec(`UPDATE orders SET status = 'completed' WHERE id = 103`) // June, customer 4's cancelled order counts
	exec(`DELETE FROM orders WHERE id = 106`)                     // July, customer 2
	exec(`INSERT INTO customers (id, telegram_id, name, company) VALUES (6, 106, 'Fay', '')`)
	exec(`INSERT INTO orders (id, number, status, payment_status, customer_id, total, wanted_date, source, created_at, updated_at)
		VALUES (200, 'SO-20260101-0200', 'completed', 'unpaid', 6, 5000, '2026-09-01', 'customer', '2026-05-20 02:00+00', now())`)
	check()

	if n, err := s.RefreshReportRollups(ctx, time.UTC); err != nil || n != -1 {
		t.Errorf("refresh in another zone: %d days, %v; want a rebuild (-1)", n, err)
	}
	checkRollup(t, s, time.UTC, periods...)
	checkRollupTop(t, s, time.UTC, 2, periods...)
	check()
}
