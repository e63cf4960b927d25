package pgstoretest

import (
	"testing"

	"github.com/orderbot/orderbot/orders/pgstore"
)

// ReportFixture writes the report fixture into s: a page of orders whose KPIs were worked
// out by hand (in orders/pgstore's TestReportFixture). Business time zone Asia/Shanghai (UTC+8); the report is of November
// 2026, compared with October; "now" is Wednesday 2026-12-02.
//
//	SO-1  placed 11-02 10:00  customer A, chat, rep 7001   2 × CH-100 @199 = 398     completed, paid 398,
//	      confirmed at once, promised Fri 11-06, delivered 11-06 16:00 (on the promised day), rated 5
//	SO-2  placed 11-01 00:30 (10-31 16:30 UTC: crosses midnight)  customer B, entered by rep 7002
//	      1 × DESK-1 @1250 + 10 screw sets free = 1250, deposit 375 paid; reviewed after 90 min,
//	      confirmed, then changed; promised Fri 11-13, delivered Tue 11-17 (2 working days late),
//	      rated 3; delivered, not paid in full
//	SO-3  placed 11-15  customer A, chat, rep 7001   2 × CH-200 @45.50 = 91   confirmed, then cancelled
//	      "Customer changed mind"
//	SO-4  placed 11-20  customer C, chat   2 × DESK-1 = 2500   reviewed after 5 h: rejected,
//	      "customer  changed mind " (the same reason, other case and spacing)
//	SO-5  placed 11-30 23:59  customer C, chat, nobody responsible   3 × CH-100 = 597  confirmed,
//	      promised 12-03
//	SO-6  placed 12-01 00:00 (11-30 16:00 UTC: December)  customer A   1 × CH-100 = 199  confirmed,
//	      promised 12-01: overdue now
//	SO-7  placed 10-10  customer B, chat, rep 7001  10 × CH-200 = 455  completed, paid, promised
//	      10-15, delivered 10-14
func ReportFixture(t testing.TB, s *pgstore.Store) {
	t.Helper()
	ctx := t.Context()
	db := s.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`INSERT INTO products (sku, name_en, name_zh, category, unit, price, on_hand) VALUES
		('CH-100', 'Office chair', '办公椅', 'chairs', 'pcs', 199, 10),
		('CH-200', 'Stool', '凳子', 'chairs', 'pcs', 45.50, 100),
		('DESK-1', 'Oak desk', '橡木桌', 'desks', 'pcs', 1250, 0),
		('SPARE-SCREWS', 'Screw set', '螺丝套装', 'spares', 'set', 2, 1000)
		ON CONFLICT (sku) DO NOTHING`)
	exec(`INSERT INTO staff (telegram_id, name, role) VALUES (7001, 'Wang', 'rep'), (7002, 'Zhao', 'rep'), (9001, 'Boss', 'manager')`)
	exec(`INSERT INTO customers (id, telegram_id, name, company) VALUES (1, 101, 'Alice', 'A Co'), (2, 102, 'Bob', 'B Co'), (3, 103, 'Carol', '')`)
	type ord struct {
		id                      int
		number, status, payment string
		customer                int
		total, deposit          string
		created                 string // UTC
		source                  string
		rep                     any
		promised                any
		modified                bool
		rating                  any
	}
	for _, o := range []ord{
		{1, "SO-20261102-0001", "completed", "paid", 1, "398", "0", "2026-11-02 02:00", "customer", 7001, "2026-11-06", false, 5},
		{2, "SO-20261101-0001", "delivered", "deposit_paid", 2, "1250", "375", "2026-10-31 16:30", "rep:7002", nil, "2026-11-13", true, 3},
		{3, "SO-20261115-0001", "cancelled", "unpaid", 1, "91", "0", "2026-11-15 01:00", "customer", 7001, "2026-11-20", false, nil},
		{4, "SO-20261120-0001", "cancelled", "unpaid", 3, "2500", "750", "2026-11-20 06:00", "customer", 7002, nil, false, nil},
		{5, "SO-20261130-0001", "confirmed", "unpaid", 3, "597", "0", "2026-11-30 15:59", "customer", nil, "2026-12-03", false, nil},
		{6, "SO-20261201-0001", "confirmed", "unpaid", 1, "199", "0", "2026-11-30 16:00", "customer", nil, "2026-12-01", false, nil},
		{7, "SO-20261010-0001", "completed", "paid", 2, "455", "0", "2026-10-10 02:00", "customer", 7001, "2026-10-15", false, nil},
	} {
		exec(`INSERT INTO orders (id, number, status, payment_status, customer_id, total, deposit_due, wanted_date,
			promised_date, source, rep_telegram_id, modified, rating, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, '2026-11-01', $8, $9, $10, $11, $12, $13::timestamp AT TIME ZONE 'UTC', now())`,
			o.id, o.number, o.status, o.payment, o.customer, o.total, o.deposit, o.promised, o.source, o.rep, o.modified, o.rating, o.created)
	}
	exec(`INSERT INTO order_lines (order_id, position, sku, name, quantity, unit_price, complimentary) VALUES
		(1, 1, 'CH-100', 'Office chair', 2, 199, false),
		(2, 1, 'DESK-1', 'Oak desk', 1, 1250, false),
		(2, 2, 'SPARE-SCREWS', 'Screw set', 10, 0, true),
		(3, 1, 'CH-200', 'Stool', 2, 45.50, false),
		(4, 1, 'DESK-1', 'Oak desk', 2, 1250, false),
		(5, 1, 'CH-100', 'Office chair', 3, 199, false),
		(6, 1, 'CH-100', 'Office chair', 1, 199, false),
		(7, 1, 'CH-200', 'Stool', 10, 45.50, false)`)
	h := func(order int, from, to any, at, note string) {
		exec(`INSERT INTO order_history (order_id, from_status, to_status, note, at) VALUES ($1, $2, $3, $4, $5::timestamp AT TIME ZONE 'UTC')`,
			order, from, to, note, at)
	}
	h(1, nil, "confirmed", "2026-11-02 02:00", "")
	h(1, "confirmed", "shipped", "2026-11-05 02:00", "")
	h(1, "shipped", "delivered", "2026-11-06 08:00", "")
	h(1, "delivered", "completed", "2026-11-07 02:00", "")
	h(2, nil, "pending_review", "2026-10-31 16:30", "")
	h(2, "pending_review", "awaiting_customer", "2026-10-31 18:00", "date 2026-11-13")
	h(2, "awaiting_customer", "confirmed", "2026-11-01 01:00", "")
	h(2, "confirmed", "in_production", "2026-11-02 01:00", "")
	h(2, "in_production", "quality_check", "2026-11-10 01:00", "")
	h(2, "quality_check", "shipped", "2026-11-12 01:00", "")
	h(2, "shipped", "delivered", "2026-11-17 02:00", "")
	h(3, nil, "confirmed", "2026-11-15 01:00", "")
	h(3, "confirmed", "cancelled", "2026-11-16 01:00", "Customer changed mind")
	h(4, nil, "pending_review", "2026-11-20 06:00", "")
	h(4, "pending_review", "cancelled", "2026-11-20 11:00", "customer  changed mind ")
	h(5, nil, "confirmed", "2026-11-30 15:59", "")
	h(6, nil, "confirmed", "2026-11-30 16:00", "")
	h(7, nil, "confirmed", "2026-10-10 02:00", "")
	h(7, "shipped", "delivered", "2026-10-14 02:00", "")
	// Later rows (a customer who writes to the bot) take ids after the fixture's.
	exec(`SELECT setval(pg_get_serial_sequence('customers', 'id'), 100), setval(pg_get_serial_sequence('orders', 'id'), 100)`)
	exec(`INSERT INTO payments (order_id, amount, method) VALUES (1, 398, 'cash'), (2, 375, 'bank_transfer'), (7, 455, 'cash')`)
}

// ReportComplaintsFixture adds complaints to the report fixture (times in UTC; Shanghai is
// eight hours ahead), worked out for November 2026 as reported on 2 December:
//
//   - on SO-1, Wang's: answered after 1 h (in time), resolved in time;
//   - on SO-2, Zhao's: answered after 6 h (after the 4 h deadline), resolved late;
//   - on SO-5, nobody's: never answered, both deadlines passed;
//   - on SO-7, Wang's, opened in October, resolved on 1 November (local) in time.
//
// November: 3 opened, 3 resolved (2 in time); answered in time 1 of 3 due; median first
// answer 1 h; resolved in time 1 of 3 due.
func ReportComplaintsFixture(t testing.TB, s *pgstore.Store) {
	t.Helper()
	if _, err := s.DB().ExecContext(t.Context(), `
INSERT INTO complaints (order_number, customer_tg, rep_tg, status, source, text, opened_at, respond_by, responded_at, resolve_by, resolved_at) VALUES
	('SO-20261102-0001', 101, 7001, 'closed', 'customer', 'Scratched', '2026-11-03 02:00+00', '2026-11-03 06:00+00', '2026-11-03 03:00+00', '2026-11-06 02:00+00', '2026-11-05 02:00+00'),
	('SO-20261101-0001', 102, 7002, 'resolved', 'customer', 'Late', '2026-11-18 01:00+00', '2026-11-18 05:00+00', '2026-11-18 07:00+00', '2026-11-21 01:00+00', '2026-11-25 01:00+00'),
	('SO-20261130-0001', 103, 0, 'open', 'survey', 'Bad', '2026-11-30 10:00+00', '2026-12-01 03:00+00', NULL, '2026-12-01 12:00+00', NULL),
	('SO-20261010-0001', 102, 7001, 'closed', 'customer', 'Wobbly', '2026-10-20 02:00+00', '2026-10-20 06:00+00', '2026-10-20 02:30+00', '2026-11-02 02:00+00', '2026-10-31 16:30+00')`); err != nil {
		t.Fatal(err)
	}
}
