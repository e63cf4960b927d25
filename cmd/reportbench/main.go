// Command reportbench measures reports at scale: it seeds a fresh database with a desk's
// two years (by default 1,000,000 orders, 500 products, 50 reps, 20,000 customers, with
// lines, history, payments and ratings, written by INSERT … SELECT generate_series in the
// server), then measures
//
//   - /report end to end (the figures of the period and of the previous one, the chart,
//     the message) for a month and for a year: p50, p95, max over -runs runs;
//   - the export of about 100,000 orders to XLSX, in a child process of its own, so that
//     its peak resident memory (the kernel's maxrss) is the export's alone: rows per
//     second and peak RSS.
//
// After seeding it builds the report rollup and checks last month's figures from it against
// those read from the orders. Besides wall-clock times it prints CPU times (its own and its
// database sessions', from /proc), which a busy machine inflates less.
//
// Usage (local services up; the database is dropped at the end unless -keep):
//
//	go run ./cmd/reportbench [-orders 1000000] [-runs 20] [-keep]
//	go run ./cmd/reportbench -db URL   # measure a database kept by -keep again
//
// With -docs DIR it seeds the desk (use -orders 20000: a small desk is quick) and writes
// last month's report chart in English and Chinese to DIR/report-en.png and
// DIR/report-zh.png (the README's example) instead of measuring.
//
// It needs ORDERBOT_TEST_DATABASE_URL (a URL of the server whose databases it may create).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/orderbot/orderbot/internal/cpuprofile"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/orderbot/orderbot/reports"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "reportbench:", err)
		os.Exit(1)
	}
}

var (
	nOrders    = flag.Int("orders", 1_000_000, "orders to seed (spread over two years)")
	runs       = flag.Int("runs", 20, "runs of each report")
	keep       = flag.Bool("keep", false, "keep the database (its URL is printed)")
	exportDays = flag.Int("export-days", 0, "days exported (0: enough for about 100,000 orders)")
	exportOnly = flag.String("export-child", "", "internal: export from this database URL to -o and exit")
	exportPer  = flag.String("period", "", "internal: the period of the export child")
	out        = flag.String("o", "", "internal: the export child's file")
	cpuProfile = flag.String("cpuprofile", "", "write the CPU profile of the report runs to FILE and of the export to FILE.export")
	only       = flag.String("only", "", "measure only this: report or export")
	reuse      = flag.String("db", "", "measure this database, seeded by an earlier run with -keep, instead of seeding a new one")
	docs       = flag.String("docs", "", "write last month's report chart of the seeded desk as DIR/report-en.png and DIR/report-zh.png, and stop")
)

// location is the business time zone of the bench.
var location = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func run() error {
	flag.Parse()
	ctx := context.Background()
	if *exportOnly != "" {
		return exportChild(ctx, *exportOnly, *exportPer, *out)
	}
	admin := os.Getenv("ORDERBOT_TEST_DATABASE_URL")
	if admin == "" {
		return fmt.Errorf("set ORDERBOT_TEST_DATABASE_URL (e.g. postgres://orderbot@127.0.0.1:55432/postgres?sslmode=disable)")
	}
	if *reuse != "" {
		return measure(ctx, *reuse, false)
	}
	name := fmt.Sprintf("orderbot_reportbench_%d", rand.N(1_000_000))
	adb, err := sqlx.Open("postgres", admin)
	if err != nil {
		return err
	}
	defer adb.Close()
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	dbURL := u.String()
	if *keep {
		fmt.Println("database:", dbURL)
	} else {
		defer func() {
			if _, err := adb.ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
				fmt.Fprintln(os.Stderr, "drop database:", err)
			}
		}()
	}
	return measure(ctx, dbURL, true)
}

// measure seeds the database (when fresh) and measures the reports and the export.
func measure(ctx context.Context, dbURL string, fresh bool) error {
	st, err := pgstore.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	today := orders.DateOf(time.Now().In(location))
	t0 := time.Now()
	if fresh {
		if err := seed(ctx, st.DB(), *nOrders, today); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	var counts struct {
		Orders   int `db:"orders"`
		Lines    int `db:"lines"`
		History  int `db:"history"`
		Payments int `db:"payments"`
	}
	_ = st.DB().GetContext(ctx, &counts, `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_lines) AS lines,
		(SELECT count(*) FROM order_history) AS history, (SELECT count(*) FROM payments) AS payments`)
	fmt.Printf("seeded %d orders, %d lines, %d history entries, %d payments in %s (with VACUUM ANALYZE)\n",
		counts.Orders, counts.Lines, counts.History, counts.Payments, time.Since(t0).Round(time.Second))

	t0 = time.Now()
	if _, err := st.RefreshReportRollups(ctx, location); err != nil {
		return err
	}
	var rollupRows int
	_ = st.DB().GetContext(ctx, &rollupRows, `SELECT count(*) FROM report_rollup`)
	fmt.Printf("built the report rollup (%d rows) in %s\n", rollupRows, time.Since(t0).Round(time.Millisecond))
	if _, err := st.DB().ExecContext(ctx, `VACUUM ANALYZE report_rollup, report_customer_sums`); err != nil {
		return err
	}
	if err := checkRollup(ctx, st, today); err != nil {
		return err
	}

	src := orders.NewReports(st, orders.DefaultRules(), orders.WithLocation(location))
	rr, err := reports.New(src)
	if err != nil {
		return err
	}
	manager := orders.Actor{Kind: orders.ActorStaff, TelegramID: 900001, Role: orders.RoleManager}
	if *docs != "" {
		for _, lang := range []string{"en", "zh"} {
			m, err := rr.Report(ctx, manager, orders.PeriodLastMonth, lang)
			if err != nil {
				return err
			}
			file := filepath.Join(*docs, "report-"+lang+".png")
			if err := os.WriteFile(file, m.Chart, 0o644); err != nil {
				return err
			}
			fmt.Printf("%s:\n%s\n", file, m.Text)
		}
		return nil
	}
	if *only != "export" {
		if err := measureReports(ctx, st, src, rr, manager, today); err != nil {
			return err
		}
	}
	if *only != "export" {
		if err := measureRefresh(ctx, st, today); err != nil {
			return err
		}
	}
	if *only == "report" {
		return nil
	}
	return measureExport(ctx, dbURL, today)
}

// measureReports times /report for a month and for a year: wall and CPU per run.
func measureReports(ctx context.Context, st *pgstore.Store, src *orders.Reports, rr *reports.Reports, manager orders.Actor, today orders.Date) error {
	stop, err := cpuprofile.Start(*cpuProfile)
	if err != nil {
		return err
	}
	defer func() { _ = stop() }()
	year := today.AddDays(-364).String() + ".." + today.String()
	for _, p := range []struct{ name, period string }{{"month (last month)", orders.PeriodLastMonth}, {"year (365 days)", year}} {
		var ds, qs, rs, cs []time.Duration
		for i := 0; i < *runs+1; i++ {
			c0 := cpuNow(ctx, st)
			t := time.Now()
			// what rr.Report does, timed in its two halves: the figures, then the chart and text
			rep, err := src.Report(ctx, manager, p.period)
			if err != nil {
				return err
			}
			tq := time.Since(t)
			m, err := rr.Render(rep, "en", "")
			if err != nil {
				return err
			}
			if len(m.Chart) == 0 || m.Text == "" {
				return fmt.Errorf("empty report")
			}
			if i > 0 { // the first run warms the caches
				ds = append(ds, time.Since(t))
				qs = append(qs, tq)
				rs = append(rs, time.Since(t)-tq)
				cs = append(cs, cpuNow(ctx, st).since(c0))
			}
		}
		slices.Sort(ds)
		slices.Sort(qs)
		slices.Sort(rs)
		slices.Sort(cs)
		fmt.Printf("/report %-20s CPU (this process and its database sessions): p50 %6.1f ms  p95 %6.1f ms\n", p.name,
			ms(cs[len(cs)/2]), ms(cs[(len(cs)*95+99)/100-1]))
		fmt.Printf("/report %-20s p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms  (%d runs: query + chart + message; p50 of the figures %.1f ms, of chart and text %.1f ms)\n", p.name,
			ms(ds[len(ds)/2]), ms(ds[(len(ds)*95+99)/100-1]), ms(ds[len(ds)-1]), len(ds), ms(qs[len(qs)/2]), ms(rs[len(rs)/2]))
	}
	return nil
}

// measureRefresh times the rollup's refresh after one change of an order placed today (what
// the first report after a write pays) and of one placed a year ago (whose month starts'
// running sums of every later month are rewritten).
func measureRefresh(ctx context.Context, st *pgstore.Store, today orders.Date) error {
	for _, c := range []struct {
		name string
		day  orders.Date
	}{{"today", today.AddDays(-1)}, {"a year ago", today.AddDays(-365)}} {
		var id int64
		if err := st.DB().GetContext(ctx, &id, `SELECT id FROM orders WHERE created_at >= $1 ORDER BY created_at LIMIT 1`,
			c.day.Time(location)); err != nil {
			return err
		}
		// an order's flag rewritten with its own value: its day is marked dirty, nothing changes
		if _, err := st.DB().ExecContext(ctx, `UPDATE orders SET modified = modified WHERE id = $1`, id); err != nil {
			return err
		}
		c0 := cpuNow(ctx, st)
		t := time.Now()
		n, err := st.RefreshReportRollups(ctx, location)
		if err != nil {
			return err
		}
		fmt.Printf("rollup refresh after one change of an order placed %-10s: %d day(s) recomputed in %6.1f ms (CPU %6.1f ms)\n",
			c.name, n, ms(time.Since(t)), ms(cpuNow(ctx, st).since(c0)))
	}
	return nil
}

// measureExport exports about 100,000 orders to XLSX in a child process and prints its
// rows per second, CPU time and peak RSS.
func measureExport(ctx context.Context, dbURL string, today orders.Date) error {

	days := *exportDays
	if days == 0 {
		days = min(729, max(1, 100_000*730/max(*nOrders, 1)))
	}
	period := today.AddDays(-days).String() + ".." + today.AddDays(-1).String()
	f, err := os.CreateTemp("", "reportbench-*.xlsx")
	if err != nil {
		return err
	}
	f.Close()
	defer os.Remove(f.Name())
	args := []string{"-export-child", dbURL, "-period", period, "-o", f.Name()}
	if *cpuProfile != "" {
		args = append(args, "-cpuprofile", *cpuProfile+".export")
	}
	child := exec.CommandContext(ctx, os.Args[0], args...)
	child.Stdout, child.Stderr = os.Stdout, os.Stderr
	if err := child.Run(); err != nil {
		return fmt.Errorf("export child: %w", err)
	}
	if ru, ok := child.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu := child.ProcessState.UserTime() + child.ProcessState.SystemTime()
		fmt.Printf("export peak RSS %.1f MB (the export's process, maxrss); its CPU time %s\n", float64(ru.Maxrss)/1024, cpu.Round(time.Millisecond))
	}
	return nil
}

// checkRollup compares last month's desk-wide facts from the rollup with those read from
// the orders, and says how long each took.
func checkRollup(ctx context.Context, st *pgstore.Store, today orders.Date) error {
	p, err := orders.ParsePeriod(orders.PeriodLastMonth, today)
	if err != nil {
		return err
	}
	start, end := p.Bounds(location)
	sc := orders.ReportScope{Start: start, End: end, Loc: location, TopCustomers: orders.TopN}
	t := time.Now()
	fast, err := st.ReportFacts(ctx, sc)
	if err != nil {
		return err
	}
	tf := time.Since(t)
	t = time.Now()
	slow, err := st.ReportFactsFromOrders(ctx, sc)
	if err != nil {
		return err
	}
	ts := time.Since(t)
	a := orders.ComputeFigures(fast, p, orders.DefaultRules(), orders.DefaultReviewSLA)
	b := orders.ComputeFigures(slow, p, orders.DefaultRules(), orders.DefaultReviewSLA)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	same := "the same"
	if string(ja) != string(jb) {
		same = "DIFFERENT"
	}
	fmt.Printf("last month's figures from the rollup (%s) and from the orders (%s): %s\n", tf.Round(time.Millisecond), ts.Round(time.Millisecond), same)
	if same != "the same" {
		return fmt.Errorf("the rollup's figures differ from the orders'")
	}
	return nil
}

// cpuSample is the CPU time used so far by this process and by each PostgreSQL server
// process serving its sessions (from /proc; 10 ms ticks): figures the other work on a busy
// machine does not inflate as it does wall-clock time.
type cpuSample struct {
	self     time.Duration
	sessions map[int]time.Duration
}

func cpuNow(ctx context.Context, st *pgstore.Store) cpuSample {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	c := cpuSample{self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), sessions: map[int]time.Duration{}}
	var pids []int
	_ = st.DB().SelectContext(ctx, &pids, `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND backend_type = 'client backend'`)
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// the fields after the command's closing parenthesis; utime and stime are 14 and 15
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			c.sessions[pid] = time.Duration(u+s) * 10 * time.Millisecond
		}
	}
	return c
}

// since is the CPU time used from c0 to c: a session opened meanwhile counts whole.
func (c cpuSample) since(c0 cpuSample) time.Duration {
	d := c.self - c0.self
	for pid, t := range c.sessions {
		d += t - c0.sessions[pid]
	}
	return d
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// exportChild exports the period to file as XLSX and prints the figures.
func exportChild(ctx context.Context, dbURL, period, file string) error {
	st, err := pgstore.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	rr, err := reports.New(orders.NewReports(st, orders.DefaultRules(), orders.WithLocation(location)))
	if err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	stop, err := cpuprofile.Start(*cpuProfile)
	if err != nil {
		return err
	}
	defer func() { _ = stop() }()
	// the database sessions' CPU: those open once the export has begun (it holds one for
	// its statement while it writes), sampled again at its end
	var dbCPU0, dbCPU1 cpuSample
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		time.Sleep(200 * time.Millisecond)
		dbCPU0 = cpuNow(ctx, st)
	}()
	t := time.Now()
	s, err := rr.Export(ctx, orders.Operator, orders.ExportRequest{Period: period}, reports.FormatXLSX, "zh", f)
	if err != nil {
		return err
	}
	el := time.Since(t)
	<-sampled
	dbCPU1 = cpuNow(ctx, st)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("export CPU: this process %s (all of it), its database sessions %s (from 0.2 s after the start)\n",
		time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Round(time.Millisecond), (dbCPU1.since(dbCPU0) - (dbCPU1.self - dbCPU0.self)).Round(time.Millisecond))
	fi, _ := f.Stat()
	rows := s.Orders + s.Lines
	fmt.Printf("export %s: %d orders + %d lines = %d rows to XLSX in %s: %.0f rows/s (%.0f orders/s), %.1f MB file\n",
		period, s.Orders, s.Lines, rows, el.Round(time.Millisecond), float64(rows)/el.Seconds(), float64(s.Orders)/el.Seconds(),
		float64(fi.Size())/(1<<20))
	return nil
}

// seed writes the desk's two years ending yesterday: products, staff, customers, orders
// with lines, history (creation, review decision, delivery, cancellation), payments and
// ratings. Everything is derived from the order's id, so the totals match the lines.
func seed(ctx context.Context, db *sqlx.DB, n int, today orders.Date) error {
	end := today.Time(location).Format(time.RFC3339)
	steps := []string{
		// a fresh database whose rows are consistent by construction: no per-row trigger
		// (foreign-key checks, stock reservation) runs while it is written
		`SET session_replication_role = replica`,
		`INSERT INTO products (sku, name_en, name_zh, category, unit, price, on_hand)
			SELECT 'P' || lpad(i::text, 4, '0'), 'Product ' || i, '产品' || i, 'category-' || (i % 12), 'pcs', 10 + (i % 200), 1000
			FROM generate_series(1, 500) i`,
		`INSERT INTO staff (telegram_id, name, role) SELECT 800000 + i, 'Rep ' || i, 'rep' FROM generate_series(1, 50) i`,
		`INSERT INTO staff (telegram_id, name, role) VALUES (900001, 'Manager', 'manager')`,
		`INSERT INTO customers (telegram_id, name, phone, company)
			SELECT 100000 + i, 'Customer ' || i, '138' || lpad(i::text, 8, '0'), 'Company ' || (i % 3000) FROM generate_series(1, 20000) i`,
		// orders: created uniformly over 730 days before today, numbered in the order they
		// were placed (as the desk numbers them: an order's id, lines, history and payments
		// are written when it is placed, so a period's orders lie together on disk); lines
		// 1-3, from the id
		`CREATE TEMP TABLE seed_orders AS
			SELECT i AS id, created_at,
				1 + (hashint4(i) & 2147483647) % 20000 AS customer, (hashint4(i * 7) & 2147483647) % 100 AS r
			FROM (SELECT (row_number() OVER (ORDER BY t))::int AS i, t AS created_at
				FROM (SELECT timestamptz '` + end + `' - (random() * 730 * interval '1 day') AS t
					FROM generate_series(1, ` + strconv.Itoa(n) + `)) g) s ORDER BY i`,
		`INSERT INTO orders (id, number, status, payment_status, customer_id, total, deposit_due, delivery_address,
				wanted_date, promised_date, payment_method, source, rep_telegram_id, modified, rating, created_at, updated_at)
			SELECT s.id,
				'SO-' || to_char(s.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(s.id::text, 7, '0'),
				CASE WHEN s.r < 5 THEN 'cancelled' WHEN s.created_at > now() - interval '20 days' THEN
					(ARRAY['pending_review','confirmed','in_production','shipped','delivered'])[1 + s.r % 5]
					WHEN s.r < 8 THEN 'delivered' ELSE 'completed' END,
				CASE WHEN s.r >= 8 AND s.created_at <= now() - interval '20 days' THEN 'paid' ELSE 'unpaid' END,
				s.customer, t.total, CASE WHEN s.r % 3 = 0 THEN round(t.total * 0.3, 2) ELSE 0 END, 'Address',
				(s.created_at AT TIME ZONE 'Asia/Shanghai')::date + 5, (s.created_at AT TIME ZONE 'Asia/Shanghai')::date + 5,
				'bank_transfer', CASE WHEN s.r % 5 = 1 THEN 'rep:' || (800001 + s.id % 50) ELSE 'customer' END,
				800001 + s.id % 50, s.r % 20 = 7, CASE WHEN s.r >= 5 AND s.r % 10 < 6 THEN 1 + s.r % 5 END,
				s.created_at, s.created_at
			FROM seed_orders s, LATERAL (SELECT sum((1 + (s.id + k) % 10) * (10 + ((s.id * 7 + k * 13) % 500 + 1) % 200)) AS total
				FROM generate_series(1, 1 + s.id % 3) k) t`,
		`SELECT setval(pg_get_serial_sequence('orders', 'id'), ` + strconv.Itoa(n) + `)`,
		`INSERT INTO order_lines (order_id, position, sku, name, quantity, unit, unit_price)
			SELECT s.id, k, 'P' || lpad(((s.id * 7 + k * 13) % 500 + 1)::text, 4, '0'), 'Product',
				1 + (s.id + k) % 10, 'pcs', 10 + ((s.id * 7 + k * 13) % 500 + 1) % 200
			FROM seed_orders s, generate_series(1, 1 + s.id % 3) k`,
		// history: creation (30 % through review), the review decision, delivery, cancellation
		`INSERT INTO order_history (order_id, from_status, to_status, actor, at)
			SELECT s.id, NULL, CASE WHEN s.r % 10 < 3 THEN 'pending_review' ELSE 'confirmed' END, 'customer', s.created_at FROM seed_orders s`,
		`INSERT INTO order_history (order_id, from_status, to_status, actor, at)
			SELECT s.id, 'pending_review', CASE WHEN s.r < 5 THEN 'cancelled' ELSE 'awaiting_customer' END, 'rep',
				s.created_at + (5 + (hashint4(s.id * 3) & 2147483647) % 600) * interval '1 minute'
			FROM seed_orders s JOIN orders o ON o.id = s.id WHERE s.r % 10 < 3 AND o.status <> 'pending_review'`,
		`INSERT INTO order_history (order_id, from_status, to_status, actor, at)
			SELECT o.id, 'shipped', 'delivered', 'rep', o.created_at + (3 + o.id % 6) * interval '1 day'
			FROM orders o WHERE o.status IN ('delivered', 'completed')`,
		`INSERT INTO order_history (order_id, from_status, to_status, actor, note, at)
			SELECT o.id, 'confirmed', 'cancelled', 'manager',
				(ARRAY['Customer changed mind', 'Out of budget', 'Found it cheaper', 'Date too late', 'Duplicate order'])[1 + o.id % 5],
				o.created_at + interval '1 day'
			FROM orders o WHERE o.status = 'cancelled'`,
		`INSERT INTO payments (order_id, amount, method, actor, at)
			SELECT o.id, o.total, 'bank_transfer', 'rep', o.created_at + interval '10 days' FROM orders o WHERE o.payment_status = 'paid'`,
		`SET session_replication_role = DEFAULT`,
		`VACUUM ANALYZE`,
	}
	conn, err := db.Connx(ctx) // one session: the temporary table lives in it
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range steps {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
	}
	return nil
}
