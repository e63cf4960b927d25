package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
)

var _ orders.ReportStore = (*Store)(nil)

// repOf is the staff member an order counts for: the one responsible, else the rep who
// entered it, else 0.
const repOf = `COALESCE(o.rep_telegram_id, CASE WHEN o.source ~ '^rep:[0-9]{1,18}$' THEN substr(o.source, 5)::bigint END, 0)`

// scoped returns the conditions selecting the orders placed in [start, end) of the rep
// (all when rep is 0), with their parameters $1.. in args.
func scoped(start, end time.Time, rep int64) (cond string, args []any) {
	cond = `o.created_at >= $1 AND o.created_at < $2`
	args = []any{start, end}
	if rep != 0 {
		cond += ` AND (o.rep_telegram_id = $3 OR o.source = $4)`
		args = append(args, rep, "rep:"+strconv.FormatInt(rep, 10))
	}
	return cond, args
}

// tzNamePattern is what an IANA zone name may hold.
var tzNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+/-]{0,63}$`)

// tzSQL is the location as a literal of SQL's AT TIME ZONE: its IANA name when it has
// one (daylight saving time follows), else its fixed offset as an interval.
func tzSQL(loc *time.Location) string {
	if loc == nil {
		return "'UTC'"
	}
	name := loc.String()
	if name == "UTC" || (strings.Contains(name, "/") && tzNamePattern.MatchString(name)) {
		if _, err := time.LoadLocation(name); err == nil {
			return "'" + name + "'"
		}
	}
	_, off := time.Now().In(loc).Zone()
	return "interval '" + strconv.Itoa(off) + " seconds'"
}

// ReportFacts reads the sums and counts of the report scope, from one snapshot: a
// desk-wide scope of whole local days from the rollup (refreshed first), others from the
// orders.
func (s *Store) ReportFacts(ctx context.Context, sc orders.ReportScope) (orders.ReportFacts, error) {
	from, to, whole := rollupDays(sc)
	if whole {
		if _, err := s.RefreshReportRollups(ctx, sc.Loc); err != nil {
			return orders.ReportFacts{}, err
		}
	}
	var f orders.ReportFacts
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		f = orders.ReportFacts{}
		if whole {
			return rollupFacts(ctx, tx, sc, from, to, &f)
		}
		return factsFromOrders(ctx, tx, sc, &f)
	})
	if err != nil {
		return orders.ReportFacts{}, fail("report facts", err)
	}
	return f, nil
}

// ReportFactsFromOrders reads the facts of the scope from the orders themselves, never
// from the rollup: the definition the rollup is checked against (reportbench, tests).
func (s *Store) ReportFactsFromOrders(ctx context.Context, sc orders.ReportScope) (orders.ReportFacts, error) {
	var f orders.ReportFacts
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		f = orders.ReportFacts{}
		return factsFromOrders(ctx, tx, sc, &f)
	})
	if err != nil {
		return orders.ReportFacts{}, fail("report facts", err)
	}
	return f, nil
}

func factsFromOrders(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	for _, step := range []func(context.Context, *sqlx.Tx, orders.ReportScope, *orders.ReportFacts) error{
		orderFacts, lineFacts, customerFacts, reasonFacts, reviewFacts, moneyFacts, deliveryFacts,
	} {
		if err := step(ctx, tx, sc, f); err != nil {
			return err
		}
	}
	return nil
}

// orderFacts: orders and amounts by day, rep and source; placed, cancelled, confirmed and
// changed, in one pass over the period's orders.
func orderFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	cond, args := scoped(sc.Start, sc.End, sc.Rep)
	tz := tzSQL(sc.Loc)
	q := `
WITH x AS (
	SELECT (o.created_at AT TIME ZONE ` + tz + `)::date AS day, ` + repOf + ` AS rep,
		split_part(o.source, ':', 1) AS src, o.status, o.total,
		(o.status IN ('confirmed', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed')
			OR (o.status = 'cancelled' AND EXISTS (SELECT 1 FROM order_history h
				WHERE h.order_id = o.id AND h.to_status = 'confirmed'))) AS confirmed,
		o.modified
	FROM orders o WHERE ` + cond + `
)
SELECT GROUPING(day, rep, src) AS g, day, COALESCE(rep, 0) AS rep, COALESCE(src, '') AS src,
	count(*) FILTER (WHERE status <> 'cancelled') AS orders,
	COALESCE(sum(total) FILTER (WHERE status <> 'cancelled'), 0) AS amount,
	count(*) AS placed,
	count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
	count(*) FILTER (WHERE confirmed) AS confirmed,
	count(*) FILTER (WHERE confirmed AND modified) AS changed
FROM x GROUP BY GROUPING SETS ((day), (rep), (src), ())`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("order facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			g                                        int
			day                                      date
			rep                                      int64
			src                                      string
			n, placed, cancelled, confirmed, changed int
			amount                                   decimal.Decimal
		)
		if err := rows.Scan(&g, &day, &rep, &src, &n, &amount, &placed, &cancelled, &confirmed, &changed); err != nil {
			return err
		}
		switch g {
		case 0b011: // by day
			if n > 0 {
				f.Days = append(f.Days, orders.DayFacts{Day: day.Date, Orders: n, Amount: amount})
			}
		case 0b101: // by rep
			if n > 0 {
				f.Reps = append(f.Reps, orders.RepFacts{Rep: rep, Orders: n, Amount: amount})
			}
		case 0b110: // by source
			if n > 0 {
				f.Sources = append(f.Sources, orders.SourceFacts{Source: src, Orders: n, Amount: amount})
			}
		case 0b111:
			f.Placed, f.Cancelled, f.Confirmed, f.Changed = placed, cancelled, confirmed, changed
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return repNames(ctx, tx, f.Reps)
}

func repNames(ctx context.Context, tx *sqlx.Tx, reps []orders.RepFacts) error {
	if len(reps) == 0 {
		return nil
	}
	ids := make([]int64, len(reps))
	for i, r := range reps {
		ids[i] = r.Rep
	}
	var rows []struct {
		ID   int64  `db:"telegram_id"`
		Name string `db:"name"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, `SELECT telegram_id, name FROM staff WHERE telegram_id = ANY($1)`, pq.Array(ids)); err != nil {
		return fmt.Errorf("rep names: %w", err)
	}
	names := make(map[int64]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	for i := range reps {
		reps[i].Name = names[reps[i].Rep]
	}
	return nil
}

// lineFacts: units by day and rep, and every product's sales, in one pass over the
// charged lines of the period's orders that are not cancelled.
func lineFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	cond, args := scoped(sc.Start, sc.End, sc.Rep)
	tz := tzSQL(sc.Loc)
	q := `
WITH x AS (
	SELECT (o.created_at AT TIME ZONE ` + tz + `)::date AS day, ` + repOf + ` AS rep,
		l.order_id, l.sku, l.quantity, l.unit_price * l.quantity AS amount
	FROM orders o JOIN order_lines l ON l.order_id = o.id AND NOT l.complimentary
	WHERE ` + cond + ` AND o.status <> 'cancelled'
)
SELECT GROUPING(day, rep, sku) AS g, day, COALESCE(rep, 0) AS rep, COALESCE(sku, '') AS sku,
	count(DISTINCT order_id) AS orders, sum(quantity) AS units, sum(amount) AS amount
FROM x GROUP BY GROUPING SETS ((day), (rep), (sku))`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("line facts: %w", err)
	}
	defer rows.Close()
	days := map[orders.Date]int{}
	reps := map[int64]int{}
	var products []orders.ProductFacts
	for rows.Next() {
		var (
			g, n, units int
			day         date
			rep         int64
			sku         string
			amount      decimal.Decimal
		)
		if err := rows.Scan(&g, &day, &rep, &sku, &n, &units, &amount); err != nil {
			return err
		}
		switch g {
		case 0b011:
			days[day.Date] = units
		case 0b101:
			reps[rep] = units
		case 0b110:
			products = append(products, orders.ProductFacts{SKU: sku, Orders: n, Units: units, Amount: amount})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range f.Days {
		f.Days[i].Units = days[f.Days[i].Day]
	}
	for i := range f.Reps {
		f.Reps[i].Units = reps[f.Reps[i].Rep]
	}
	f.Products = products
	return productNames(ctx, tx, f.Products)
}

// customerFacts: the best customers by sales amount.
func customerFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	if sc.TopCustomers <= 0 {
		return nil
	}
	cond, args := scoped(sc.Start, sc.End, sc.Rep)
	limit := "$" + strconv.Itoa(len(args)+1)
	args = append(args, sc.TopCustomers)
	var rows []struct {
		ID      int64           `db:"id"`
		Name    string          `db:"name"`
		Company string          `db:"company"`
		Orders  int             `db:"orders"`
		Amount  decimal.Decimal `db:"amount"`
	}
	q := `
WITH top AS (
	SELECT o.customer_id, count(*) AS orders, sum(o.total) AS amount
	FROM orders o WHERE ` + cond + ` AND o.status <> 'cancelled'
	GROUP BY o.customer_id ORDER BY amount DESC, o.customer_id LIMIT ` + limit + `
)
SELECT c.id, c.name, c.company, top.orders, top.amount FROM top JOIN customers c ON c.id = top.customer_id`
	if err := sqlx.SelectContext(ctx, tx, &rows, q, args...); err != nil {
		return fmt.Errorf("customer facts: %w", err)
	}
	for _, r := range rows {
		f.Customers = append(f.Customers, orders.CustomerFacts{ID: r.ID, Name: r.Name, Company: r.Company, Orders: r.Orders, Amount: r.Amount})
	}
	return nil
}

// reasonFacts: the reasons of the period's cancelled orders (the last cancellation note).
func reasonFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	cond, args := scoped(sc.Start, sc.End, sc.Rep)
	q := `
SELECT h.note AS reason, count(*) AS count
FROM orders o JOIN LATERAL (SELECT note FROM order_history h
	WHERE h.order_id = o.id AND h.to_status = 'cancelled' ORDER BY h.id DESC LIMIT 1) h ON true
WHERE ` + cond + ` AND o.status = 'cancelled'
GROUP BY h.note`
	if err := sqlx.SelectContext(ctx, tx, &f.CancelReasons, q, args...); err != nil {
		return fmt.Errorf("cancellation reasons: %w", err)
	}
	return nil
}

// reviewFacts: how many minutes each reviewed order of the period waited for its decision.
func reviewFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	cond, args := scoped(sc.Start, sc.End, sc.Rep)
	q := `
SELECT floor(extract(epoch FROM h.at - o.created_at) / 60)::int AS minutes, count(*) AS orders
FROM orders o JOIN order_history h ON h.order_id = o.id AND h.from_status = 'pending_review'
WHERE ` + cond + `
GROUP BY 1`
	var rows []struct {
		Minutes int `db:"minutes"`
		Orders  int `db:"orders"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, q, args...); err != nil {
		return fmt.Errorf("review facts: %w", err)
	}
	for _, r := range rows {
		f.ReviewMinutes = append(f.ReviewMinutes, orders.MinuteCount{Minutes: max(r.Minutes, 0), Orders: r.Orders})
	}
	return nil
}

// moneyFacts: totals, deposits due and what was collected of the period's orders.
func moneyFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	cond, args := scoped(sc.Start, sc.End, sc.Rep)
	q := `
SELECT COALESCE(sum(o.total), 0) AS total, COALESCE(sum(o.deposit_due), 0) AS deposit_due,
	COALESCE(sum(p.paid), 0) AS paid, COALESCE(sum(LEAST(COALESCE(p.paid, 0), o.deposit_due)), 0) AS deposit_paid
FROM orders o LEFT JOIN LATERAL (SELECT sum(amount) AS paid FROM payments p WHERE p.order_id = o.id) p ON true
WHERE ` + cond + ` AND o.status <> 'cancelled'`
	var r struct {
		Total       decimal.Decimal `db:"total"`
		DepositDue  decimal.Decimal `db:"deposit_due"`
		Paid        decimal.Decimal `db:"paid"`
		DepositPaid decimal.Decimal `db:"deposit_paid"`
	}
	if err := sqlx.GetContext(ctx, tx, &r, q, args...); err != nil {
		return fmt.Errorf("money facts: %w", err)
	}
	f.Total, f.DepositDue, f.Paid, f.DepositPaid = r.Total, r.DepositDue, r.Paid, r.DepositPaid
	return nil
}

// deliveryFacts: the orders delivered in the period by promised and delivery day, and
// their ratings.
func deliveryFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, f *orders.ReportFacts) error {
	args := []any{sc.Start, sc.End}
	cond := ""
	if sc.Rep != 0 {
		cond = ` AND (o.rep_telegram_id = $3 OR o.source = $4)`
		args = append(args, sc.Rep, "rep:"+strconv.FormatInt(sc.Rep, 10))
	}
	q := `
SELECT o.promised_date AS promised, (h.at AT TIME ZONE ` + tzSQL(sc.Loc) + `)::date AS delivered, count(*) AS orders,
	count(*) FILTER (WHERE o.rating = 1) AS r1, count(*) FILTER (WHERE o.rating = 2) AS r2,
	count(*) FILTER (WHERE o.rating = 3) AS r3, count(*) FILTER (WHERE o.rating = 4) AS r4,
	count(*) FILTER (WHERE o.rating = 5) AS r5
FROM order_history h JOIN orders o ON o.id = h.order_id
WHERE h.to_status = 'delivered' AND h.at >= $1 AND h.at < $2` + cond + `
GROUP BY 1, 2`
	var rows []struct {
		Promised  date `db:"promised"`
		Delivered date `db:"delivered"`
		Orders    int  `db:"orders"`
		R1        int  `db:"r1"`
		R2        int  `db:"r2"`
		R3        int  `db:"r3"`
		R4        int  `db:"r4"`
		R5        int  `db:"r5"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, q, args...); err != nil {
		return fmt.Errorf("delivery facts: %w", err)
	}
	for _, r := range rows {
		f.Deliveries = append(f.Deliveries, orders.DeliveryFacts{Promised: r.Promised.Date, Delivered: r.Delivered.Date, Orders: r.Orders})
		for i, n := range []int{r.R1, r.R2, r.R3, r.R4, r.R5} {
			f.Ratings[i] += n
		}
	}
	return nil
}

// ReportSnapshot counts the open orders by status, the overdue ones and the delivered
// ones not paid in full, now.
func (s *Store) ReportSnapshot(ctx context.Context, rep int64, today orders.Date) (orders.Snapshot, error) {
	cond, args := "true", []any{dateArg(today)}
	if rep != 0 {
		cond = `(o.rep_telegram_id = $2 OR o.source = $3)`
		args = append(args, rep, "rep:"+strconv.FormatInt(rep, 10))
	}
	q := `
SELECT o.status, count(*) AS count,
	count(*) FILTER (WHERE o.status IN ('confirmed', 'in_production', 'quality_check', 'shipped')
		AND o.promised_date < $1::date) AS overdue,
	count(*) FILTER (WHERE o.status = 'delivered' AND o.payment_status <> 'paid') AS unpaid
FROM orders o WHERE o.status NOT IN ('completed', 'cancelled') AND ` + cond + `
GROUP BY o.status`
	var snap orders.Snapshot
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		snap = orders.Snapshot{}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		counts := map[orders.Status]int{}
		for rows.Next() {
			var st string
			var n, overdue, unpaid int
			if err := rows.Scan(&st, &n, &overdue, &unpaid); err != nil {
				return err
			}
			counts[orders.Status(st)] = n
			snap.Overdue += overdue
			snap.Unpaid += unpaid
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, st := range orders.Statuses {
			if n := counts[st]; n > 0 {
				snap.Open = append(snap.Open, orders.StatusCount{Status: st, Count: n})
			}
		}
		return nil
	})
	if err != nil {
		return orders.Snapshot{}, fail("report snapshot", err)
	}
	return snap, nil
}

// ExportOrders streams the filter's orders with their lines and paid amounts, oldest
// first, one order at a time: one statement whose rows are read as they arrive.
func (s *Store) ExportOrders(ctx context.Context, f orders.ExportFilter, fn func(orders.Order) error) error {
	cond, args := scoped(f.Start, f.End, f.Rep)
	if len(f.Statuses) > 0 {
		sts := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			sts[i] = string(st)
		}
		args = append(args, pq.Array(sts))
		cond += ` AND o.status = ANY($` + strconv.Itoa(len(args)) + `)`
	}
	q := `
SELECT o.id, o.number, o.status, o.payment_status, o.total, o.deposit_due, o.wanted_date,
	o.promised_date, o.payment_method, o.source, o.created_at, COALESCE(o.rep_telegram_id, 0),
	o.modified, COALESCE(o.rating, 0), c.name, c.company, COALESCE(p.paid, 0),
	l.position, l.sku, l.name, l.variant, l.quantity, l.unit, l.unit_price, l.complimentary, l.from_stock
FROM orders o
JOIN customers c ON c.id = o.customer_id
LEFT JOIN LATERAL (SELECT sum(amount) AS paid FROM payments p WHERE p.order_id = o.id) p ON true
CROSS JOIN LATERAL (SELECT * FROM order_lines l WHERE l.order_id = o.id ORDER BY l.position) l
WHERE ` + cond + `
ORDER BY o.created_at, o.id, l.position`
	// The orders are read in the order of the created_at index and each one's lines and
	// payments through their order's key, so rows arrive from the first moment and nothing
	// is sorted or hashed whole; without JIT, which spends seconds compiling a statement
	// of this size before its first row.
	return s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
			return fail("export orders", err)
		}
		return exportRows(ctx, tx, q, args, fn)
	})
}

func exportRows(ctx context.Context, tx *sqlx.Tx, q string, args []any, fn func(orders.Order) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fail("export orders", err)
	}
	defer rows.Close()
	var cur orders.Order
	flush := func() error {
		if cur.ID == 0 {
			return nil
		}
		err := fn(cur)
		cur = orders.Order{}
		return err
	}
	for rows.Next() {
		var (
			id                     int64
			o                      orders.Order
			status, pay            string
			wanted, promised       date
			l                      orders.Line
			variant                string
			position               int
			paid                   decimal.Decimal
			name, company          string
			created                time.Time
			modified               bool
			rating                 int
			rep                    int64
			source, method, number string
		)
		if err := rows.Scan(&id, &number, &status, &pay, &o.Total, &o.DepositDue, &wanted, &promised,
			&method, &source, &created, &rep, &modified, &rating, &name, &company, &paid,
			&position, &l.SKU, &l.Name, &variant, &l.Quantity, &l.Unit, &l.UnitPrice, &l.Complimentary, &l.FromStock); err != nil {
			return fail("export orders", err)
		}
		if id != cur.ID {
			if err := flush(); err != nil {
				return err
			}
			o.ID, o.Number, o.Status, o.PaymentStatus = id, number, orders.Status(status), orders.PaymentStatus(pay)
			o.WantedDate, o.PromisedDate, o.PaymentMethod, o.Source, o.CreatedAt = wanted.Date, promised.Date, method, source, created
			o.Rep, o.Modified, o.Rating, o.Paid = rep, modified, rating, paid
			o.Customer = orders.Customer{Name: name, Company: company}
			cur = o
		}
		l.Variant = orders.Variant(variant)
		cur.Lines = append(cur.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return fail("export orders", err)
	}
	return flush()
}

// ReportComplaints reads the times of the complaints opened or resolved in the scope's
// instants, the rep's (those they own) or all.
func (s *Store) ReportComplaints(ctx context.Context, sc orders.ReportScope) ([]orders.ComplaintTimes, error) {
	args := []any{sc.Start, sc.End}
	cond := ""
	if sc.Rep != 0 {
		cond = ` AND rep_tg = $3`
		args = append(args, sc.Rep)
	}
	q := `
SELECT opened_at, respond_by, responded_at, resolve_by, resolved_at FROM complaints
WHERE opened_at >= $1 AND opened_at < $2` + cond + `
UNION ALL
SELECT opened_at, respond_by, responded_at, resolve_by, resolved_at FROM complaints
WHERE resolved_at >= $1 AND resolved_at < $2 AND NOT (opened_at >= $1 AND opened_at < $2)` + cond
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fail("report complaints", err)
	}
	defer rows.Close()
	var out []orders.ComplaintTimes
	for rows.Next() {
		var c orders.ComplaintTimes
		var responded, resolved sql.NullTime
		if err := rows.Scan(&c.OpenedAt, &c.RespondBy, &responded, &c.ResolveBy, &resolved); err != nil {
			return nil, fail("report complaints", err)
		}
		c.RespondedAt, c.ResolvedAt = responded.Time, resolved.Time
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("report complaints", err)
	}
	return out, nil
}
