// Command apibench measures the channel API: clients place orders through
// POST /api/v1/orders over real HTTP, against real PostgreSQL and Redis, with the webhook
// deliveries running, in two phases:
//
//  1. closed loop: -clients clients each place orders back to back for -duration: the
//     maximum orders per second, with p50/p99 latency;
//  2. open loop at half that maximum: placements arrive at a steady rate, spread over the
//     clients: p50/p99 latency at half load.
//
// Every tenth placement asks for a scarce product (-scarce units in stock), and every
// twentieth request repeats an earlier request with its Idempotency-Key. After the run it
// checks in the database that nothing was oversold or placed twice.
//
// It creates a database of its own (dropped at the end) on the server of
// ORDERBOT_TEST_DATABASE_URL (or -db) and uses a Redis prefix of its own:
//
// Beside the latencies (wall clock, which other work on the machine inflates) it prints
// the CPU time per order of this process (the API server, its clients and the webhook
// receiver) and of the PostgreSQL backends serving its database, and what those backends
// were waiting for, sampled from pg_stat_activity every 20 ms (lock waits on a row, WAL
// flushes, …). On a server with pg_stat_statements loaded (shared_preload_libraries;
// track_planning on for the planning times) it prints the statements per request and the
// most expensive ones. -cpuprofile writes a CPU profile of the process.
//
//	go run ./cmd/apibench [-clients 50] [-duration 10s] [-cpuprofile FILE]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the admin connection's driver
	"github.com/redis/go-redis/v9"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/api"
	"github.com/orderbot/orderbot/internal/cpuprofile"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "apibench:", err)
		os.Exit(1)
	}
}

type options struct {
	db, redis string
	clients   int
	duration  time.Duration
	scarce    int
	profile   string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("apibench", flag.ContinueOnError)
	o := options{}
	fs.StringVar(&o.db, "db", envOr("ORDERBOT_TEST_DATABASE_URL", "postgres://orderbot@127.0.0.1:55432/postgres?sslmode=disable"), "PostgreSQL server (a database is created there)")
	fs.StringVar(&o.redis, "redis", envOr("ORDERBOT_TEST_REDIS_URL", "redis://127.0.0.1:56379/1"), "Redis")
	fs.IntVar(&o.clients, "clients", 50, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each phase")
	fs.IntVar(&o.scarce, "scarce", 100, "units in stock of the scarce product every tenth placement asks for")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the process (both phases) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := setup(ctx, o)
	if err != nil {
		return err
	}
	defer e.close()
	fmt.Fprintf(out, "apibench: %d clients, %s per phase, against PostgreSQL and Redis on this machine (%s)\n", o.clients, o.duration, e.base)

	stopProfile, err := cpuprofile.Start(o.profile)
	if err != nil {
		return err
	}
	defer func() { _ = stopProfile() }()
	max := e.phase(ctx, o, 0, "max")
	max.print(out, "closed loop (maximum)")
	rate := max.throughput() / 2
	half := e.phase(ctx, o, rate, "half")
	half.print(out, fmt.Sprintf("open loop at half the maximum (%.0f orders/s offered)", rate))
	return e.check(ctx, out, o, []result{max, half})
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

type env struct {
	admin   *sqlx.DB // the server's maintenance database, for pg_stat_activity
	dbName  string
	store   *pgstore.Store
	redis   *redis.Client
	prefix  string
	key     string
	base    string
	client  *http.Client
	service *orders.Service
	closers []func()
	seq     atomic.Int64
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func setup(ctx context.Context, o options) (*env, error) {
	e := &env{dbName: "apibench_" + randomHex(6), prefix: "apibench:" + randomHex(4) + ":"}
	adm, err := sqlx.Open("postgres", o.db)
	if err != nil {
		return nil, err
	}
	e.admin = adm
	if _, err := adm.ExecContext(ctx, `CREATE DATABASE `+e.dbName); err != nil {
		adm.Close()
		return nil, fmt.Errorf("create database: %w", err)
	}
	e.closers = append(e.closers, func() {
		_, _ = adm.Exec(`DROP DATABASE IF EXISTS ` + e.dbName + ` WITH (FORCE)`)
		adm.Close()
	})
	u, _ := url.Parse(o.db)
	u.Path = "/" + e.dbName
	e.store, err = pgstore.Open(ctx, u.String())
	if err != nil {
		e.close()
		return nil, err
	}
	e.closers = append(e.closers, e.store.Close)
	if err := e.store.Migrate(ctx); err != nil {
		e.close()
		return nil, err
	}
	ropt, err := redis.ParseURL(o.redis)
	if err != nil {
		e.close()
		return nil, err
	}
	ropt.PoolSize = 128
	e.redis = redis.NewClient(ropt)
	e.closers = append(e.closers, func() {
		iter := e.redis.Scan(context.Background(), 0, e.prefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			e.redis.Del(context.Background(), iter.Val())
		}
		_ = e.redis.Close()
	})
	log := slog.New(slog.DiscardHandler)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.service = orders.NewService(e.store, orders.DefaultRules(), orders.WithLocation(loc), orders.WithLogger(log))
	if _, err := e.service.ImportProducts(ctx, []orders.Product{
		{SKU: "BENCH-1", NameEN: "Bench lamp", NameZH: "台灯", Category: "lamps", Unit: "pcs", Price: decimal.RequireFromString("99.00"),
			OnHand: 10_000_000, Standard: true, Active: true},
		{SKU: "SCARCE-1", NameEN: "Scarce lamp", NameZH: "限量台灯", Category: "lamps", Unit: "pcs", Price: decimal.RequireFromString("199.00"),
			OnHand: o.scarce, Standard: true, Active: true},
	}); err != nil {
		e.close()
		return nil, err
	}
	// The webhook receiver: every event of the channel's orders is delivered, signed.
	hook := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) })}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.close()
		return nil, err
	}
	go func() { _ = hook.Serve(hl) }()
	e.closers = append(e.closers, func() { _ = hook.Close() })
	key, prefix := api.NewKey()
	e.key = key
	if _, err := e.store.CreateChannel(ctx, orders.Channel{Name: "bench", Kind: orders.ChannelPlatform, KeyPrefix: prefix,
		WebhookURL: "http://" + hl.Addr().String() + "/events", WebhookSecret: api.NewSecret()}, api.HashKey(key)); err != nil {
		e.close()
		return nil, err
	}
	srv, err := api.New(api.Config{Desk: e.service, Store: e.store, Redis: e.redis, RedisPrefix: e.prefix, Rate: 1_000_000, Logger: log})
	if err != nil {
		e.close()
		return nil, err
	}
	disp, err := api.NewDispatcher(api.DispatcherConfig{DB: e.store.DB().DB, Store: e.store, Logger: log})
	if err != nil {
		e.close()
		return nil, err
	}
	if err := disp.Start(context.WithoutCancel(ctx)); err != nil {
		e.close()
		return nil, err
	}
	e.closers = append(e.closers, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = disp.Stop(sctx)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.close()
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(ln) }()
	e.closers = append(e.closers, func() { _ = hs.Close() })
	e.base = "http://" + ln.Addr().String()
	e.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2, MaxConnsPerHost: o.clients * 2}, Timeout: 30 * time.Second}
	return e, nil
}

func (e *env) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// sent is one request the bench made.
type sent struct {
	key    string
	status int
	took   time.Duration
	replay bool
	scarce bool
	number string
}

type result struct {
	sent    []sent
	elapsed time.Duration
	// cpu is this process's CPU time in the phase, pgCPU that of the PostgreSQL backends
	// of the bench's database (zero when /proc does not show them).
	cpu, pgCPU time.Duration
	// waits counts the pg_stat_activity samples of the bench's active backends by what
	// they waited for ("CPU" when nothing), samples how many samplings were taken.
	waits   map[string]int
	samples int
	// db is the database's activity in the phase (pg_stat_database).
	db dbStats
	// stmts are the phase's statements by pg_stat_statements (nil without it).
	stmts []stmtStat
}

// stmtStat is one statement's line of pg_stat_statements.
type stmtStat struct {
	TopLevel bool    `db:"toplevel"`
	Calls    int64   `db:"calls"`
	Plans    int64   `db:"plans"`
	PlanMS   float64 `db:"plan_ms"`
	ExecMS   float64 `db:"exec_ms"`
	Query    string  `db:"query"`
}

// resetStatements empties pg_stat_statements for the bench's database; false when the
// server does not have it (shared_preload_libraries).
func (e *env) resetStatements(ctx context.Context) bool {
	db := e.store.DB()
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return false
	}
	_, err := db.ExecContext(ctx, `SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`)
	return err == nil
}

func (e *env) statements(ctx context.Context) []stmtStat {
	var out []stmtStat
	_ = e.store.DB().SelectContext(ctx, &out, `
		SELECT toplevel, calls, plans, total_plan_time AS plan_ms, total_exec_time AS exec_ms,
			left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND query NOT LIKE '%pg_stat%'
		ORDER BY total_plan_time + total_exec_time DESC`)
	return out
}

// dbStats are counters of pg_stat_database.
type dbStats struct {
	Commits  int64 `db:"xact_commit"`
	Rollback int64 `db:"xact_rollback"`
	Fetched  int64 `db:"tup_fetched"`
	Returned int64 `db:"tup_returned"`
	Inserted int64 `db:"tup_inserted"`
	Updated  int64 `db:"tup_updated"`
	Deleted  int64 `db:"tup_deleted"`
	Hits     int64 `db:"blks_hit"`
}

func (e *env) dbStats(ctx context.Context) dbStats {
	var s dbStats
	// The statistics are those of the last report of each backend; a snapshot taken in
	// a transaction of its own is fresh.
	_ = e.admin.GetContext(ctx, &s, `SELECT xact_commit, xact_rollback, tup_fetched, tup_returned, tup_inserted,
		tup_updated, tup_deleted, blks_hit FROM pg_stat_database WHERE datname = $1`, e.dbName)
	return s
}

func (r result) created() int {
	n := 0
	for _, s := range r.sent {
		if s.status == http.StatusCreated && !s.replay {
			n++
		}
	}
	return n
}

func (r result) throughput() float64 { return float64(r.created()) / r.elapsed.Seconds() }

func (r result) print(out io.Writer, title string) {
	var lat []time.Duration
	codes := map[int]int{}
	for _, s := range r.sent {
		lat = append(lat, s.took)
		codes[s.status]++
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Fprintf(out, "\n%s\n", title)
	fmt.Fprintf(out, "  orders placed: %d in %.1f s = %.0f orders/s (%d requests, answers %v)\n",
		r.created(), r.elapsed.Seconds(), r.throughput(), len(r.sent), codes)
	fmt.Fprintf(out, "  latency (wall clock): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		ms(pct(0.50)), ms(pct(0.99)), ms(pct(1)))
	if n := len(r.sent); n > 0 {
		fmt.Fprintf(out, "  CPU per request: this process %.2f ms, PostgreSQL backends %.2f ms\n",
			ms(r.cpu)/float64(n), ms(r.pgCPU)/float64(n))
		per := func(v int64) float64 { return float64(v) / float64(n) }
		fmt.Fprintf(out, "  database per request: %.1f commits, %.1f rollbacks, rows %.0f read by index, %.0f scanned, %.1f inserted, %.1f updated, %.1f deleted; %.0f buffer hits\n",
			per(r.db.Commits), per(r.db.Rollback), per(r.db.Fetched), per(r.db.Returned), per(r.db.Inserted), per(r.db.Updated), per(r.db.Deleted), per(r.db.Hits))
	}
	if n := len(r.sent); n > 0 && r.stmts != nil {
		var top, all, plans int64
		for _, st := range r.stmts {
			all += st.Calls
			plans += st.Plans
			if st.TopLevel {
				top += st.Calls
			}
		}
		fmt.Fprintf(out, "  statements per request (pg_stat_statements): %.1f sent by clients, %.1f with those run inside them; %.1f plannings\n",
			float64(top)/float64(n), float64(all)/float64(n), float64(plans)/float64(n))
		fmt.Fprintf(out, "  statements by time (wall clock in PostgreSQL): calls/request, plans/request, plan ms and run ms per call\n")
		for i, st := range r.stmts {
			if i == 12 {
				break
			}
			level := "  "
			if !st.TopLevel {
				level = "· " // run inside another statement (a function, a trigger)
			}
			fmt.Fprintf(out, "    %5.2f %5.2f %7.3f %8.3f %s%s\n", float64(st.Calls)/float64(n), float64(st.Plans)/float64(n),
				st.PlanMS/float64(max(st.Plans, 1)), st.ExecMS/float64(max(st.Calls, 1)), level, st.Query)
		}
	}
	if r.samples > 0 {
		type kv struct {
			k string
			n int
		}
		var ws []kv
		for k, n := range r.waits {
			ws = append(ws, kv{k, n})
		}
		slices.SortFunc(ws, func(a, b kv) int { return b.n - a.n })
		fmt.Fprintf(out, "  PostgreSQL backends, mean active %.1f; what they waited for (share of samples):\n",
			float64(sumWaits(r.waits))/float64(r.samples))
		for i, w := range ws {
			if i == 8 {
				break
			}
			fmt.Fprintf(out, "    %5.1f%%  %s\n", 100*float64(w.n)/float64(sumWaits(r.waits)), w.k)
		}
	}
}

func sumWaits(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// sampleWaits records, every 20 ms until ctx ends, what the bench database's active
// backends wait for: wait event type and event, and for a lock or CPU the statement.
func (e *env) sampleWaits(ctx context.Context, r *result) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	r.waits = map[string]int{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var rows []string
		err := e.admin.SelectContext(ctx, &rows, `
			SELECT COALESCE(wait_event_type || ': ' || wait_event, 'CPU') ||
				CASE WHEN wait_event_type = 'Lock' OR wait_event_type IS NULL THEN ' — ' || left(regexp_replace(query, '\s+', ' ', 'g'), 48) ELSE '' END
			FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()
				AND query NOT LIKE '%pg_stat_activity%'`, e.dbName)
		if err != nil {
			continue
		}
		r.samples++
		for _, w := range rows {
			r.waits[w]++
		}
	}
}

// cpuTime is this process's CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is the CPU time so far of each PostgreSQL backend serving the bench's
// database, read from /proc (the server runs on this machine).
func (e *env) backendCPU(ctx context.Context) map[int]time.Duration {
	var pids []int
	_ = e.admin.SelectContext(ctx, &pids, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, e.dbName)
	out := map[int]time.Duration{}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime are the 14th and
		// 15th of the line, in clock ticks (100 per second on Linux).
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return out
}

// cpuSince sums the backends' CPU since before (a backend started meanwhile counts whole).
func cpuSince(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// phase runs the clients; rate 0 is a closed loop, else placements arrive at rate per
// second spread over the clients.
func (e *env) phase(ctx context.Context, o options, rate float64, name string) result {
	var (
		mu  sync.Mutex
		all []sent
		wg  sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var res result
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		e.sampleWaits(ctx, &res)
	}()
	withStmts := e.resetStatements(context.WithoutCancel(ctx))
	cpu0, pg0, db0 := cpuTime(), e.backendCPU(context.WithoutCancel(ctx)), e.dbStats(context.WithoutCancel(ctx))
	start := time.Now()
	var ticks chan time.Time
	if rate > 0 {
		ticks = make(chan time.Time, o.clients)
		go func() {
			defer close(ticks)
			interval := time.Duration(float64(time.Second) / rate)
			next := time.Now()
			for {
				next = next.Add(interval)
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(next)):
				}
				// When every client is busy the arrival waits: its latency counts from its time.
				select {
				case ticks <- next:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for c := range o.clients {
		wg.Go(func() {
			var mine []sent
			for i := 0; ; i++ {
				at := time.Now()
				if ticks != nil {
					t, ok := <-ticks
					if !ok {
						break
					}
					at = t
				} else if ctx.Err() != nil {
					break
				}
				n := e.seq.Add(1)
				s := sent{key: fmt.Sprintf("%s-%d-%d", name, c, i), scarce: n%10 == 0}
				if n%20 == 5 && len(mine) > 0 { // a retry of an earlier request
					prev := mine[len(mine)-1]
					s.key, s.scarce, s.replay = prev.key, prev.scarce, true
				}
				s.status, s.number = e.place(s.key, s.scarce)
				s.took = time.Since(at)
				if ctx.Err() != nil && ticks == nil && s.status == 0 {
					break
				}
				mine = append(mine, s)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	cancel()
	<-sampled
	res.sent, res.elapsed = all, time.Since(start)
	res.cpu, res.pgCPU = cpuTime()-cpu0, cpuSince(pg0, e.backendCPU(context.WithoutCancel(ctx)))
	if withStmts {
		res.stmts = e.statements(context.WithoutCancel(ctx))
	}
	time.Sleep(600 * time.Millisecond) // backends report their statistics at most every 500 ms
	db1 := e.dbStats(context.WithoutCancel(ctx))
	res.db = dbStats{Commits: db1.Commits - db0.Commits, Rollback: db1.Rollback - db0.Rollback, Fetched: db1.Fetched - db0.Fetched,
		Returned: db1.Returned - db0.Returned, Inserted: db1.Inserted - db0.Inserted, Updated: db1.Updated - db0.Updated,
		Deleted: db1.Deleted - db0.Deleted, Hits: db1.Hits - db0.Hits}
	return res
}

func (e *env) place(key string, scarce bool) (int, string) {
	sku := "BENCH-1"
	if scarce {
		sku = "SCARCE-1"
	}
	body, _ := json.Marshal(map[string]any{
		"reference": key, "customer": map[string]any{"name": "Bench Buyer", "phone": "+86 139 0000 0000"},
		"lines":   []map[string]any{{"sku": sku, "quantity": 1}},
		"address": "1 Bench Road, Shanghai", "wanted_date": time.Now().AddDate(0, 1, 0).Format("2006-01-02"),
		"payment_method": "bank_transfer",
	})
	req, _ := http.NewRequest(http.MethodPost, e.base+"/api/v1/orders", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var o struct{ Number string }
	_ = json.NewDecoder(resp.Body).Decode(&o)
	return resp.StatusCode, o.Number
}

// check compares the database with what the clients were told.
func (e *env) check(ctx context.Context, out io.Writer, o options, rs []result) error {
	told := map[string]string{} // key → number of a 201
	replayMismatch := 0
	for _, r := range rs {
		for _, s := range r.sent {
			if s.status != http.StatusCreated {
				continue
			}
			if prev, ok := told[s.key]; ok && prev != s.number {
				replayMismatch++
			}
			told[s.key] = s.number
		}
	}
	db := e.store.DB()
	var st struct {
		Orders   int `db:"orders"`
		Keys     int `db:"keys"`
		Numbers  int `db:"numbers"`
		Reserved int `db:"reserved"`
		OnHand   int `db:"on_hand"`
		Lines    int `db:"lines"`
		Events   int `db:"events"`
	}
	err := db.GetContext(ctx, &st, `SELECT
		(SELECT count(*) FROM orders) AS orders,
		(SELECT count(DISTINCT idempotency_key) FROM orders) AS keys,
		(SELECT count(DISTINCT number) FROM orders) AS numbers,
		(SELECT reserved FROM products WHERE sku = 'SCARCE-1') AS reserved,
		(SELECT on_hand FROM products WHERE sku = 'SCARCE-1') AS on_hand,
		(SELECT COALESCE(sum(l.quantity), 0) FROM order_lines l WHERE l.sku = 'SCARCE-1') AS lines,
		(SELECT count(*) FROM channel_events WHERE type = 'order.created') AS events`)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\ndatabase check\n")
	fmt.Fprintf(out, "  orders: %d, told created to the clients: %d, distinct idempotency keys: %d, distinct numbers: %d\n",
		st.Orders, len(told), st.Keys, st.Numbers)
	fmt.Fprintf(out, "  scarce product: %d on hand, %d reserved, %d in order lines\n", st.OnHand, st.Reserved, st.Lines)
	fmt.Fprintf(out, "  order.created events: %d; retries answered with another order: %d\n", st.Events, replayMismatch)
	var problems []string
	if st.Orders != len(told) || st.Keys != st.Orders || st.Numbers != st.Orders {
		problems = append(problems, "orders doubled or lost")
	}
	if st.Reserved > st.OnHand || st.Lines != st.Reserved {
		problems = append(problems, "scarce product oversold")
	}
	if st.Events != st.Orders {
		problems = append(problems, "an order without its event")
	}
	if replayMismatch > 0 {
		problems = append(problems, "a retry answered with another order")
	}
	if len(problems) > 0 {
		return errors.New(fmt.Sprint(problems))
	}
	fmt.Fprintln(out, "  ok: every order once, nothing oversold")
	return nil
}
