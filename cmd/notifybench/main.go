// Command notifybench measures notification delivery: it queues N notifications to N chats
// in the outbox of a fresh database and delivers them through the bot to the fake Bot API
// server in rate-limit mode (telegramtest.WithRateLimit with the same global limit as
// notify's, one message a second per chat), first with one sender, then with two senders
// sharing Redis. Two senders are two notify.Notifiers in this process — two River clients,
// two bots with their own HTTP clients, two rate limiters — exactly what two processes
// would run, sharing only PostgreSQL and Redis.
//
//	go run ./cmd/notifybench [-n 10000] [-rate 1000]
//
// It prints, per run: the achieved rate as a percentage of the limit (from the first to the
// last message the server recorded), the 429 answers the server gave, and the lost and
// duplicated messages. It needs PostgreSQL and Redis (scripts/services.sh up); the database
// it creates is dropped at the end.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/cpuprofile"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "notifybench:", err)
		os.Exit(1)
	}
}

type options struct {
	n        int
	rate     int
	workers  int
	adminURL string
	redisURL string
	timeout  time.Duration
	verbose  bool
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("notifybench", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var o options
	fs.IntVar(&o.n, "n", 10000, "notifications, each to its own chat")
	fs.IntVar(&o.rate, "rate", 1000, "global limit, messages per second, of notify and of the fake server")
	fs.IntVar(&o.workers, "workers", 200, "River workers per sender")
	fs.StringVar(&o.adminURL, "db", firstOf(getenv("ORDERBOT_TEST_DATABASE_URL"), "postgres://orderbot@127.0.0.1:55432/postgres?sslmode=disable"),
		"PostgreSQL server (a maintenance database: the benchmark creates its own)")
	fs.StringVar(&o.redisURL, "redis", firstOf(getenv("ORDERBOT_TEST_REDIS_URL"), "redis://127.0.0.1:56379/1"), "Redis")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up a run after this long")
	fs.BoolVar(&o.verbose, "v", false, "log what the senders do")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	stopProfile, err := cpuprofile.Start(*cpuProfile)
	if err != nil {
		return err
	}
	defer func() { _ = stopProfile() }()
	fmt.Fprintf(stdout, "notifybench: %d notifications to %d chats; limits %d messages/s overall, 1/s per chat (notify and the fake server alike)\n\n",
		o.n, o.n, o.rate)
	fmt.Fprintf(stdout, "%-26s %8s %10s %9s %8s %6s %6s %6s  %s\n", "run", "sent", "time", "rate/s", "of limit", "429s", "lost", "dups", "per sender")
	var errs []error
	for _, senders := range []int{1, 2} {
		r, err := bench(ctx, o, senders)
		if err != nil {
			return err
		}
		name := "one sender"
		if senders == 2 {
			name = "two senders, shared Redis"
		}
		fmt.Fprintf(stdout, "%-26s %8d %10s %9.1f %7.1f%% %6d %6d %6d  %v\n", name, r.sent, r.span.Round(time.Millisecond),
			r.rate, 100*r.rate/float64(o.rate), r.throttled, r.lost, r.dups, r.perSender)
		if r.lost > 0 || r.dups > 0 || r.throttled > 0 {
			errs = append(errs, fmt.Errorf("%s: %d lost, %d duplicated, %d answered 429", name, r.lost, r.dups, r.throttled))
		}
	}
	fmt.Fprintln(stdout, "\ntwo senders: two notify.Notifiers in this process (two River clients, two bots with their own HTTP clients,")
	fmt.Fprintln(stdout, "two rate limiters) sharing only PostgreSQL and Redis, as two processes would.")
	return errors.Join(errs...)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type result struct {
	sent, lost, dups, throttled int
	span                        time.Duration
	rate                        float64
	perSender                   []int64
}

// bench runs one delivery of o.n notifications by senders notifiers over a fresh database.
func bench(ctx context.Context, o options, senders int) (result, error) {
	suffix := randomHex()
	dbName := "notifybench_" + suffix
	admin, err := sqlx.Open("postgres", o.adminURL)
	if err != nil {
		return result{}, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(dbName)); err != nil {
		return result{}, fmt.Errorf("create database (is PostgreSQL up? scripts/services.sh up): %w", err)
	}
	defer func() {
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(dbName)+" WITH (FORCE)")
	}()
	u, err := url.Parse(o.adminURL)
	if err != nil {
		return result{}, err
	}
	u.Path = "/" + dbName
	store, err := pgstore.Open(ctx, u.String())
	if err != nil {
		return result{}, err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return result{}, err
	}
	// The store keeps pgstore's own pool (2 × CPUs + 2), the one orderbot serve runs with.

	ropt, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return result{}, fmt.Errorf("redis URL: %w", err)
	}
	ropt.PoolSize = 64
	rdb := redis.NewClient(ropt)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return result{}, fmt.Errorf("redis (is it up? scripts/services.sh up): %w", err)
	}
	prefix := "notifybench:" + suffix + ":"
	defer func() {
		cctx := context.WithoutCancel(ctx)
		iter := rdb.Scan(cctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(cctx) {
			rdb.Del(cctx, iter.Val())
		}
	}()

	// The outbox, filled before the senders start: the run measures delivery only.
	const batch = 1000
	for start := 0; start < o.n; start += batch {
		var ns []orders.Notification
		for i := start; i < min(start+batch, o.n); i++ {
			ns = append(ns, orders.NewNotification(orders.NoticeStatusChanged, chatOf(i), fmt.Sprintf("bench:%d", i),
				orders.Notice{Lang: "en", Number: fmt.Sprintf("SO-20261130-%05d", i+1), To: orders.StatusInProduction}, time.Time{}))
		}
		if err := store.QueueNotices(ctx, "", ns); err != nil {
			return result{}, err
		}
	}

	srv := telegramtest.New(telegramtest.WithRateLimit(o.rate, 1))
	defer srv.Close()
	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	counters := make([]*countingSender, senders)
	var notifiers []*notify.Notifier
	for i := range senders {
		b, err := bot.New(bot.Config{Token: srv.Token(), APIURL: srv.URL(), Logger: logger, Workers: o.workers}, nil, nil)
		if err != nil {
			return result{}, err
		}
		counters[i] = &countingSender{Sender: b}
		n, err := notify.New(notify.Config{
			DB: store.DB().DB, Redis: rdb, RedisPrefix: prefix, Outbox: store, Sender: counters[i],
			GlobalRate: o.rate, Workers: o.workers, FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
			TickInterval: -1, Logger: logger,
		})
		if err != nil {
			return result{}, err
		}
		notifiers = append(notifiers, n)
	}
	for _, n := range notifiers {
		if err := n.Start(ctx); err != nil {
			return result{}, err
		}
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		for _, n := range notifiers {
			_ = n.Stop(sctx)
		}
	}()

	// Wait until the outbox is settled.
	deadline := time.Now().Add(o.timeout)
	for {
		var open int
		if err := store.DB().GetContext(ctx, &open, `SELECT count(*) FROM notifications WHERE status IN ('pending', 'sending')`); err != nil {
			return result{}, err
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("%d of %d notifications still open after %s", open, o.n, o.timeout)
		}
		select {
		case <-ctx.Done():
			return result{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	time.Sleep(500 * time.Millisecond) // anything late would show

	sent := srv.AllSent()
	r := result{sent: len(sent), throttled: srv.Throttled()}
	got := make(map[int64]int, o.n)
	for _, m := range sent {
		got[m.ChatID]++
	}
	for i := range o.n {
		switch c := got[chatOf(i)]; {
		case c == 0:
			r.lost++
		case c > 1:
			r.dups += c - 1
		}
	}
	if len(sent) > 1 {
		r.span = sent[len(sent)-1].At.Sub(sent[0].At)
		r.rate = float64(len(sent)-1) / r.span.Seconds()
	}
	for _, c := range counters {
		r.perSender = append(r.perSender, c.n.Load())
	}
	if states := statesOf(ctx, store); !strings.HasPrefix(states, "sent:") || strings.Contains(states, ",") {
		fmt.Fprintf(os.Stderr, "notifybench: outbox states: %s\n", states)
	}
	return r, nil
}

func chatOf(i int) int64 { return int64(1_000_000 + i) }

func statesOf(ctx context.Context, store *pgstore.Store) string {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := store.DB().SelectContext(ctx, &rows, `SELECT status, count(*) AS n FROM notifications GROUP BY status ORDER BY status`); err != nil {
		return err.Error()
	}
	var parts []string
	for _, r := range rows {
		parts = append(parts, fmt.Sprintf("%s:%d", r.Status, r.N))
	}
	return strings.Join(parts, ",")
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// countingSender counts what one sender sent.
type countingSender struct {
	notify.Sender
	n atomic.Int64
}

func (s *countingSender) SendNotice(ctx context.Context, chat int64, m notify.Message) (int, error) {
	id, err := s.Sender.SendNotice(ctx, chat, m)
	if err == nil {
		s.n.Add(1)
	}
	return id, err
}
