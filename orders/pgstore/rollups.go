package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
)

// The desk-wide reports read report_rollup (migration 0050): the sums and counts of the
// report queries per local day and per local month, recomputed for the days that changed
// before each report. A rep's report reads the orders themselves through the rep indexes:
// a rep's orders are a small share of the desk's.

// rollupLock serialises the refreshes of the rollup (an advisory lock's key).
const rollupLock = 0x6f72646572726f6c // "orderrol"

// RefreshReportRollups brings the report rollup up to date for the time zone loc: it
// recomputes the local days (and their months) changed since the last refresh, or all of
// them when the rollup is empty or was counted in another zone. Reports call it first;
// it returns how many days it recomputed (-1: all).
func (s *Store) RefreshReportRollups(ctx context.Context, loc *time.Location) (int, error) {
	if loc == nil {
		loc = time.UTC
	}
	tz := tzSQL(loc)
	// A rebuild (the first report after the upgrade, or in another zone) takes minutes on
	// a large desk: it runs to the end even when the report that started it gives up, so
	// that the next report finds it done.
	var now struct {
		TZ    sql.NullString `db:"tz"`
		Dirty bool           `db:"dirty"`
	}
	if err := s.db.GetContext(ctx, &now, `SELECT (SELECT tz FROM report_rollup_state) AS tz, EXISTS (SELECT 1 FROM report_dirty) AS dirty`); err != nil {
		return 0, fail("refresh report rollups", err)
	}
	if now.TZ.String == tz && !now.Dirty {
		// nothing committed changed since the last refresh (a refresh under way still
		// shows its rows until it commits): one round trip, no transaction
		return 0, nil
	}
	if now.TZ.String != tz {
		ctx = context.WithoutCancel(ctx)
	}
	n := 0
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		n = 0
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(rollupLock)); err != nil {
			return err
		}
		var state string
		err := tx.GetContext(ctx, &state, `SELECT tz FROM report_rollup_state`)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err != nil || state != tz {
			n = -1
			return rebuildRollup(ctx, tx, tz)
		}
		var dirty []date
		if err := tx.SelectContext(ctx, &dirty, `WITH d AS (DELETE FROM report_dirty RETURNING at)
			SELECT DISTINCT (at AT TIME ZONE `+tz+`)::date FROM d`); err != nil {
			return err
		}
		if len(dirty) == 0 {
			return nil
		}
		n = len(dirty)
		days := make([]orders.Date, len(dirty))
		for i, d := range dirty {
			days[i] = d.Date
		}
		return refreshDays(ctx, tx, tz, loc, days)
	})
	if err != nil {
		return 0, fail("refresh report rollups", err)
	}
	return n, nil
}

// rebuildRollup recomputes the whole rollup in the zone tz.
func rebuildRollup(ctx context.Context, tx *sqlx.Tx, tz string) error {
	for _, q := range []string{`DELETE FROM report_dirty`, `DELETE FROM report_rollup`, `DELETE FROM report_customer_sums`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	far := []time.Time{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}
	end := []time.Time{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := insertDays(ctx, tx, tz, far, end); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, monthsSQL+`true`+monthsGroup); err != nil {
		return fmt.Errorf("rollup months: %w", err)
	}
	if err := customerSums(ctx, tx, orders.Date{}); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO report_rollup_state (tz) VALUES ($1)
		ON CONFLICT (one) DO UPDATE SET tz = EXCLUDED.tz`, tz)
	return err
}

// refreshDays recomputes the rollup's rows of the local days and of their months.
func refreshDays(ctx context.Context, tx *sqlx.Tx, tz string, loc *time.Location, days []orders.Date) error {
	slices.SortFunc(days, func(a, b orders.Date) int { return a.Time(time.UTC).Compare(b.Time(time.UTC)) })
	var (
		los, his       []time.Time
		dayArgs, mArgs []string
	)
	for _, d := range days {
		los = append(los, d.Time(loc))
		his = append(his, d.AddDays(1).Time(loc))
		dayArgs = append(dayArgs, d.String())
		m := orders.Date{Year: d.Year, Month: d.Month, Day: 1}.String()
		if len(mArgs) == 0 || mArgs[len(mArgs)-1] != m {
			mArgs = append(mArgs, m)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_rollup WHERE kind = ANY($2::bpchar[]) AND grain = 'd' AND bucket = ANY($1::date[])`, pq.Array(dayArgs), pq.Array(dayKinds)); err != nil {
		return fmt.Errorf("rollup days: %w", err)
	}
	if err := insertDays(ctx, tx, tz, los, his); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_rollup WHERE kind = ANY($2::bpchar[]) AND grain = 'm' AND bucket = ANY($1::date[])`, pq.Array(mArgs), pq.Array(monthKinds)); err != nil {
		return fmt.Errorf("rollup months: %w", err)
	}
	first, _ := orders.ParseISODate(mArgs[0])
	last, _ := orders.ParseISODate(mArgs[len(mArgs)-1])
	next := last.Time(time.UTC).AddDate(0, 1, 0)
	if _, err := tx.ExecContext(ctx, monthsSQL+`bucket >= $1::date AND bucket < $2::date AND date_trunc('month', bucket)::date = ANY($3::date[])`+monthsGroup,
		first.String(), orders.DateOf(next).String(), pq.Array(mArgs)); err != nil {
		return fmt.Errorf("rollup months: %w", err)
	}
	return customerSums(ctx, tx, first)
}

// customerSums rewrites the customers' running sums (report_customer_sums, migration 0070)
// of the month starts after the local month since (all of them when since is zero): each
// month start's sums are the previous one's plus the month's customer rows.
func customerSums(ctx context.Context, tx *sqlx.Tx, since orders.Date) error {
	var span struct {
		First date `db:"first"`
		Last  date `db:"last"`
	}
	if err := sqlx.GetContext(ctx, tx, &span, `SELECT min(bucket) AS first, max(bucket) AS last FROM report_rollup WHERE kind = 'c' AND grain = 'm'`); err != nil {
		return fmt.Errorf("customer sums: %w", err)
	}
	q := `DELETE FROM report_customer_sums`
	var args []any
	if !since.IsZero() {
		q += ` WHERE bucket > $1::date`
		args = append(args, since.String())
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("customer sums: %w", err)
	}
	if span.Last.IsZero() {
		return nil
	}
	start := span.First.MonthStart(1)
	if !since.IsZero() && start.Before(since.MonthStart(1)) {
		start = since.MonthStart(1)
	}
	for b := start; !span.Last.MonthStart(1).Before(b); b = b.MonthStart(1) {
		if _, err := tx.ExecContext(ctx, `
INSERT INTO report_customer_sums (bucket, customer, orders, cents)
SELECT $1::date, k, sum(orders), sum(cents) FROM (
	SELECT customer AS k, orders, cents FROM report_customer_sums WHERE bucket = $2::date
	UNION ALL
	SELECT k, orders, (amount * 100)::bigint FROM report_rollup WHERE kind = 'c' AND grain = 'm' AND bucket = $2::date
) x GROUP BY k ORDER BY k`, b.String(), b.MonthStart(-1).String()); err != nil {
			return fmt.Errorf("customer sums: %w", err)
		}
	}
	return nil
}

// The kinds of the day rows and of the month rows: a refresh deletes a day's or a month's
// rows through the primary key (kind, grain, bucket, …), not by reading the whole table.
var (
	dayKinds   = []string{"d", "r", "o", "p", "c", "x", "v", "l", "g"}
	monthKinds = []string{"r", "o", "p", "c", "x", "v"}
)

// monthsSQL adds up day rows into month rows (the kinds reports read by month).
const (
	monthsSQL = `
INSERT INTO report_rollup (grain, bucket, kind, k, s, orders, units, amount)
SELECT 'm', date_trunc('month', bucket)::date, kind, k, s, sum(orders), sum(units), sum(amount)
FROM report_rollup WHERE grain = 'd' AND kind IN ('r', 'o', 'p', 'c', 'x', 'v') AND `
	monthsGroup = `
GROUP BY 2, 3, 4, 5 ORDER BY 3, 2, 4, 5`
)

// insertDays computes the day rows of the orders placed, and the deliveries made, in the
// instants [los[i], his[i]) — whole local days of tz — with the report queries' definitions.
func insertDays(ctx context.Context, tx *sqlx.Tx, tz string, los, his []time.Time) error {
	q := `
WITH o AS MATERIALIZED (
	SELECT o.id, (o.created_at AT TIME ZONE ` + tz + `)::date AS day, ` + repOf + ` AS rep,
		split_part(o.source, ':', 1) AS src, o.status, o.status <> 'cancelled' AS live, o.total, o.deposit_due,
		o.customer_id, o.created_at, o.modified,
		(o.status IN ('confirmed', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed')
			OR (o.status = 'cancelled' AND EXISTS (SELECT 1 FROM order_history h
				WHERE h.order_id = o.id AND h.to_status = 'confirmed'))) AS confirmed,
		(SELECT sum(l.quantity) FROM order_lines l WHERE l.order_id = o.id AND NOT l.complimentary) AS units,
		(SELECT sum(p.amount) FROM payments p WHERE p.order_id = o.id) AS paid
	FROM orders o WHERE o.created_at >= $1 AND o.created_at < $2
),
d AS (INSERT INTO report_rollup (grain, bucket, kind, orders, units, amount, placed, cancelled, confirmed, changed,
		total, deposit_due, paid, deposit_paid)
	SELECT 'd', day, 'd', count(*) FILTER (WHERE live), COALESCE(sum(units) FILTER (WHERE live), 0),
		COALESCE(sum(total) FILTER (WHERE live), 0), count(*), count(*) FILTER (WHERE NOT live),
		count(*) FILTER (WHERE confirmed), count(*) FILTER (WHERE confirmed AND modified),
		COALESCE(sum(total) FILTER (WHERE live), 0), COALESCE(sum(deposit_due) FILTER (WHERE live), 0),
		COALESCE(sum(paid) FILTER (WHERE live), 0), COALESCE(sum(LEAST(COALESCE(paid, 0), deposit_due)) FILTER (WHERE live), 0)
	FROM o GROUP BY day),
rr AS (INSERT INTO report_rollup (grain, bucket, kind, k, orders, units, amount)
	SELECT 'd', day, 'r', rep, count(*), COALESCE(sum(units), 0), sum(total) FROM o WHERE live GROUP BY day, rep),
os AS (INSERT INTO report_rollup (grain, bucket, kind, s, orders, amount)
	SELECT 'd', day, 'o', src, count(*), sum(total) FROM o WHERE live GROUP BY day, src),
c AS (INSERT INTO report_rollup (grain, bucket, kind, k, orders, amount)
	SELECT 'd', day, 'c', customer_id, count(*), sum(total) FROM o WHERE live GROUP BY day, customer_id),
p AS (INSERT INTO report_rollup (grain, bucket, kind, s, orders, units, amount)
	SELECT 'd', o.day, 'p', l.sku, count(DISTINCT l.order_id), sum(l.quantity), sum(l.unit_price * l.quantity)
	FROM o JOIN order_lines l ON l.order_id = o.id AND NOT l.complimentary WHERE o.live GROUP BY o.day, l.sku),
x AS (INSERT INTO report_rollup (grain, bucket, kind, s, orders)
	SELECT 'd', o.day, 'x', h.note, count(*)
	FROM o JOIN LATERAL (SELECT note FROM order_history h
		WHERE h.order_id = o.id AND h.to_status = 'cancelled' ORDER BY h.id DESC LIMIT 1) h ON true
	WHERE o.status = 'cancelled' GROUP BY o.day, h.note),
v AS (INSERT INTO report_rollup (grain, bucket, kind, k, orders)
	SELECT 'd', o.day, 'v', floor(extract(epoch FROM h.at - o.created_at) / 60)::bigint, count(*)
	FROM o JOIN order_history h ON h.order_id = o.id AND h.from_status = 'pending_review' GROUP BY 2, 4),
dl AS MATERIALIZED (
	SELECT (h.at AT TIME ZONE ` + tz + `)::date AS day, COALESCE(o.promised_date::text, '') AS promised, o.rating
	FROM order_history h JOIN orders o ON o.id = h.order_id
	WHERE h.to_status = 'delivered' AND h.at >= $1 AND h.at < $2
),
l AS (INSERT INTO report_rollup (grain, bucket, kind, s, orders)
	SELECT 'd', day, 'l', promised, count(*) FROM dl GROUP BY day, promised),
g AS (INSERT INTO report_rollup (grain, bucket, kind, k, orders)
	SELECT 'd', day, 'g', rating, count(*) FROM dl WHERE rating BETWEEN 1 AND 5 GROUP BY day, rating)
SELECT 1`
	// one statement a run of consecutive days, its bounds given as values: the planner
	// then knows how few orders a day holds and reads them, their lines and history through
	// their indexes (bounds in an array looked like a ninth of the table each, and a day's
	// refresh read every line and history entry of the desk)
	for i := 0; i < len(los); {
		j := i
		for j+1 < len(los) && his[j].Equal(los[j+1]) {
			j++
		}
		if _, err := tx.ExecContext(ctx, q, los[i], his[j]); err != nil {
			return fmt.Errorf("rollup days: %w", err)
		}
		i = j + 1
	}
	return nil
}

// wholeMonths splits the local days [from, to] at month starts: m1 is the first month start
// on or after from, m2 the month start of end, the day after to; the whole months in
// between are [m1, m2) when m1 is before m2.
func wholeMonths(from, to orders.Date) (m1, m2, end orders.Date) {
	end = to.AddDays(1)
	m1 = from
	if from.Day != 1 {
		m1 = from.MonthStart(1)
	}
	return m1, end.MonthStart(0), end
}

// rollupRows is a subquery of the columns cols of the rows of kinds that cover the local
// days [from, to]: the day rows of the days before the first whole month, the month rows
// of the whole months, the day rows of the days after; each part an index-only range scan.
// Its parameters start at $n.
func rollupRows(cols, kinds string, from, to orders.Date, n int) (q string, args []any) {
	m1, m2, end := wholeMonths(from, to)
	part := func(grain string, lo, hi orders.Date) string {
		args = append(args, lo.String(), hi.String())
		return fmt.Sprintf("SELECT %s FROM report_rollup WHERE kind IN (%s) AND grain = '%s' AND bucket >= $%d::date AND bucket < $%d::date",
			cols, kinds, grain, n+len(args)-2, n+len(args)-1)
	}
	if !m1.Before(m2) {
		return "(" + part("d", from, end) + ")", args
	}
	return "(" + part("d", from, m1) + " UNION ALL " + part("m", m1, m2) + " UNION ALL " + part("d", m2, end) + ")", args
}

// rollupDays returns the local days [from, to] of the scope when it is whole days of its
// zone, the desk's (no rep): what the rollup can answer.
func rollupDays(sc orders.ReportScope) (from, to orders.Date, ok bool) {
	if sc.Rep != 0 || !sc.Start.Before(sc.End) {
		return from, to, false
	}
	loc := sc.Loc
	if loc == nil {
		loc = time.UTC
	}
	from = orders.DateOf(sc.Start.In(loc))
	to = orders.DateOf(sc.End.In(loc)).AddDays(-1)
	if !from.Time(loc).Equal(sc.Start) || !to.AddDays(1).Time(loc).Equal(sc.End) {
		return from, to, false
	}
	return from, to, true
}

// rollupFacts reads the facts of the desk's local days [from, to] from the rollup.
func rollupFacts(ctx context.Context, tx *sqlx.Tx, sc orders.ReportScope, from, to orders.Date, f *orders.ReportFacts) error {
	end := to.AddDays(1).String()
	// the days: sales by day and the totals; and work_mem for this transaction, so that
	// the best customers of a year (a hash of some 20,000 sums) stay in memory
	var days []struct {
		Day         date            `db:"bucket"`
		Orders      int             `db:"orders"`
		Units       int             `db:"units"`
		Amount      decimal.Decimal `db:"amount"`
		Placed      int             `db:"placed"`
		Cancelled   int             `db:"cancelled"`
		Confirmed   int             `db:"confirmed"`
		Changed     int             `db:"changed"`
		Total       decimal.Decimal `db:"total"`
		DepositDue  decimal.Decimal `db:"deposit_due"`
		Paid        decimal.Decimal `db:"paid"`
		DepositPaid decimal.Decimal `db:"deposit_paid"`
	}
	if err := sqlx.SelectContext(ctx, tx, &days, `
SELECT bucket, orders, units, amount, placed, cancelled, confirmed, changed, total, deposit_due, paid, deposit_paid
FROM report_rollup, (SELECT set_config('work_mem', '32MB', true)) AS w WHERE kind = 'd' AND grain = 'd' AND bucket >= $1::date AND bucket < $2::date ORDER BY bucket`, from.String(), end); err != nil {
		return fmt.Errorf("rollup days: %w", err)
	}
	for _, d := range days {
		if d.Orders > 0 {
			f.Days = append(f.Days, orders.DayFacts{Day: d.Day.Date, Orders: d.Orders, Units: d.Units, Amount: d.Amount})
		}
		f.Placed += d.Placed
		f.Cancelled += d.Cancelled
		f.Confirmed += d.Confirmed
		f.Changed += d.Changed
		f.Total = f.Total.Add(d.Total)
		f.DepositDue = f.DepositDue.Add(d.DepositDue)
		f.Paid = f.Paid.Add(d.Paid)
		f.DepositPaid = f.DepositPaid.Add(d.DepositPaid)
	}

	// reps, sources, products, reasons, review minutes
	sub, args := rollupRows("kind, k, s, orders, units, amount", "'r', 'o', 'p', 'x', 'v'", from, to, 1)
	rows, err := tx.QueryContext(ctx, `
WITH x AS (
	SELECT kind, k, s, COALESCE(sum(orders), 0) AS orders, COALESCE(sum(units), 0) AS units, COALESCE(sum(amount), 0) AS amount
	FROM `+sub+` AS x GROUP BY kind, k, s
)
SELECT x.kind, x.k, x.s, x.orders, x.units, x.amount, COALESCE(st.name, ''),
	COALESCE(p.name_en, ''), COALESCE(p.name_zh, ''), COALESCE(p.category, '')
FROM x LEFT JOIN staff st ON x.kind = 'r' AND st.telegram_id = x.k
LEFT JOIN products p ON x.kind = 'p' AND p.sku = x.s
ORDER BY x.kind, x.k, x.s`, args...)
	if err != nil {
		return fmt.Errorf("rollup breakdowns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind, s, name string
			en, zh, cat   string
			k             int64
			n, units      int
			amount        decimal.Decimal
		)
		if err := rows.Scan(&kind, &k, &s, &n, &units, &amount, &name, &en, &zh, &cat); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		switch kind {
		case "r":
			f.Reps = append(f.Reps, orders.RepFacts{Rep: k, Name: name, Orders: n, Units: units, Amount: amount})
		case "o":
			f.Sources = append(f.Sources, orders.SourceFacts{Source: s, Orders: n, Amount: amount})
		case "p":
			f.Products = append(f.Products, orders.ProductFacts{SKU: s, NameEN: en, NameZH: zh, Category: cat, Orders: n, Units: units, Amount: amount})
		case "x":
			f.CancelReasons = append(f.CancelReasons, orders.ReasonCount{Reason: s, Count: n})
		case "v":
			f.ReviewMinutes = append(f.ReviewMinutes, orders.MinuteCount{Minutes: max(int(k), 0), Orders: n})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	// the best customers
	if sc.TopCustomers > 0 {
		var top []struct {
			ID      int64           `db:"id"`
			Name    string          `db:"name"`
			Company string          `db:"company"`
			Orders  int             `db:"orders"`
			Amount  decimal.Decimal `db:"amount"`
		}
		q, args := topCustomersSQL(from, to, sc.TopCustomers)
		if err := sqlx.SelectContext(ctx, tx, &top, q, args...); err != nil {
			return fmt.Errorf("rollup customers: %w", err)
		}
		for _, r := range top {
			f.Customers = append(f.Customers, orders.CustomerFacts{ID: r.ID, Name: r.Name, Company: r.Company, Orders: r.Orders, Amount: r.Amount})
		}
	}

	// deliveries and ratings
	var dl []struct {
		Kind   string `db:"kind"`
		Day    date   `db:"bucket"`
		K      int    `db:"k"`
		S      string `db:"s"`
		Orders int    `db:"orders"`
	}
	if err := sqlx.SelectContext(ctx, tx, &dl, `
SELECT kind, bucket, k, s, orders FROM report_rollup
WHERE kind IN ('l', 'g') AND grain = 'd' AND bucket >= $1::date AND bucket < $2::date ORDER BY kind, bucket, k, s`, from.String(), end); err != nil {
		return fmt.Errorf("rollup deliveries: %w", err)
	}
	for _, r := range dl {
		switch {
		case r.Kind == "l":
			var promised orders.Date
			if r.S != "" {
				p, err := orders.ParseISODate(r.S)
				if err != nil {
					return fmt.Errorf("rollup deliveries: %w", err)
				}
				promised = p
			}
			f.Deliveries = append(f.Deliveries, orders.DeliveryFacts{Promised: promised, Delivered: r.Day.Date, Orders: r.Orders})
		case r.K >= 1 && r.K <= 5:
			f.Ratings[r.K-1] += r.Orders
		}
	}
	return nil
}

// topCustomersSQL is the query of the n best customers of the local days [from, to]: the
// whole months' sums as the difference of two month starts' running sums
// (report_customer_sums), the days before and after them from the day rows.
func topCustomersSQL(from, to orders.Date, n int) (string, []any) {
	m1, m2, end := wholeMonths(from, to)
	var parts string
	var args []any
	oneMonth := m1.Before(m2) && !m1.MonthStart(1).Before(m2)
	switch {
	case oneMonth && from == m1 && end == m2:
		// a calendar month: its customer rows, one a customer, need no adding up
		return `
WITH top AS (
	SELECT k AS customer_id, orders, amount FROM report_rollup
	WHERE kind = 'c' AND grain = 'm' AND bucket = $1::date AND orders > 0 ORDER BY amount DESC, k LIMIT $2
)
SELECT c.id, c.name, c.company, top.orders, top.amount FROM top JOIN customers c ON c.id = top.customer_id`, []any{m1.String(), n}
	case oneMonth:
		// one whole month: its rows are fewer than two month starts' sums
		parts = `
	SELECT k, orders, (amount * 100)::bigint AS cents FROM report_rollup
	WHERE kind = 'c' AND grain = 'm' AND bucket = $1::date
	UNION ALL
	SELECT k, orders, (amount * 100)::bigint FROM report_rollup
	WHERE kind = 'c' AND grain = 'd' AND ((bucket >= $2::date AND bucket < $3::date) OR (bucket >= $4::date AND bucket < $5::date))`
		args = []any{m1.String(), from.String(), m1.String(), m2.String(), end.String()}
	case m1.Before(m2):
		// a month start after the last one written holds the same sums as the last one
		// (nothing was placed after it); one before the first holds nothing
		parts = `
	SELECT customer AS k, orders, cents FROM report_customer_sums
	WHERE bucket = (SELECT max(bucket) FROM report_customer_sums WHERE bucket <= $1::date)
	UNION ALL
	SELECT customer, -orders, -cents FROM report_customer_sums
	WHERE bucket = (SELECT max(bucket) FROM report_customer_sums WHERE bucket <= $2::date)
	UNION ALL
	SELECT k, orders, (amount * 100)::bigint FROM report_rollup
	WHERE kind = 'c' AND grain = 'd' AND bucket >= $3::date AND bucket < $4::date
	UNION ALL
	SELECT k, orders, (amount * 100)::bigint FROM report_rollup
	WHERE kind = 'c' AND grain = 'd' AND bucket >= $5::date AND bucket < $6::date`
		args = []any{m2.String(), m1.String(), from.String(), m1.String(), m2.String(), end.String()}
	default:
		parts = `
	SELECT k, orders, (amount * 100)::bigint AS cents FROM report_rollup
	WHERE kind = 'c' AND grain = 'd' AND bucket >= $1::date AND bucket < $2::date`
		args = []any{from.String(), end.String()}
	}
	limit := fmt.Sprintf("$%d", len(args)+1)
	return `
WITH top AS (
	SELECT k AS customer_id, sum(orders) AS orders, sum(cents) AS cents FROM (` + parts + `
	) x GROUP BY k HAVING sum(orders) > 0 ORDER BY sum(cents) DESC, k LIMIT ` + limit + `
)
SELECT c.id, c.name, c.company, top.orders, round(top.cents / 100.0, 2) AS amount FROM top JOIN customers c ON c.id = top.customer_id`, append(args, n)
}

// productNames fills in the products' names and categories.
func productNames(ctx context.Context, tx *sqlx.Tx, products []orders.ProductFacts) error {
	if len(products) == 0 {
		return nil
	}
	skus := make([]string, len(products))
	for i, p := range products {
		skus[i] = p.SKU
	}
	var names []struct {
		SKU      string `db:"sku"`
		NameEN   string `db:"name_en"`
		NameZH   string `db:"name_zh"`
		Category string `db:"category"`
	}
	if err := sqlx.SelectContext(ctx, tx, &names, `SELECT sku, name_en, name_zh, category FROM products WHERE sku = ANY($1)`, pq.Array(skus)); err != nil {
		return fmt.Errorf("product names: %w", err)
	}
	idx := make(map[string]int, len(names))
	for i, n := range names {
		idx[n.SKU] = i
	}
	for i := range products {
		if j, ok := idx[products[i].SKU]; ok {
			products[i].NameEN, products[i].NameZH, products[i].Category = names[j].NameEN, names[j].NameZH, names[j].Category
		}
	}
	return nil
}
