package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	_ "github.com/lib/pq" // the PostgreSQL driver of the admin connection
	"github.com/redis/go-redis/v9"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pginbox"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/conversation/redisstore"
	"github.com/orderbot/orderbot/demo"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

const (
	pollTimeout        = 2 * time.Second
	botWorkers         = 256
	webhookConcurrency = 64
	webhookSecret      = "orderbench-secret"
	redisPoolSize      = 256
	stockOnHand        = 10_000_000
)

// env is the bot assembled for one mode, with everything it needs; close removes it all.
type env struct {
	log      *slog.Logger
	adminURL string
	dbName   string
	store    *pgstore.Store
	dbURL    string
	inbox    *pginbox.Inbox
	redis    *redis.Client
	prefix   string
	loc      *time.Location
	srv      *telegramtest.Server
	clock    *handlerClock
	hook     *httptest.Server
	stop     context.CancelFunc
	done     chan error
	cleanups []func() error
}

// setup creates a database and a Redis prefix, imports the catalog and starts the bot
// against a new fake Bot API server, by long polling or webhook.
func setup(ctx context.Context, o options, mode string) (_ *env, err error) {
	e := &env{log: o.log, adminURL: o.databaseURL, dbName: "orderbench_" + randomHex(6)}
	defer func() {
		if err != nil {
			_ = e.close()
		}
	}()
	e.loc, err = time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, err
	}

	// PostgreSQL: a fresh database, migrated, with the demo catalog in plentiful stock.
	if err := adminExec(ctx, o.databaseURL, "CREATE DATABASE "+quoteIdent(e.dbName)); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	e.cleanups = append(e.cleanups, func() error {
		return adminExec(context.Background(), e.adminURL, "DROP DATABASE IF EXISTS "+quoteIdent(e.dbName)+" WITH (FORCE)")
	})
	dbURL, err := withDatabase(o.databaseURL, e.dbName)
	if err != nil {
		return nil, err
	}
	e.dbURL = dbURL
	e.store, err = pgstore.Open(ctx, dbURL, pgstore.WithLogger(o.log))
	if err != nil {
		return nil, err
	}
	if err := e.store.Migrate(ctx); err != nil {
		return nil, err
	}
	service := orders.NewService(e.store, orders.DefaultRules(), orders.WithLocation(e.loc), orders.WithLogger(o.log))
	products, err := orders.ParseCatalogCSV(bytes.NewReader(demo.Catalog()))
	if err != nil {
		return nil, fmt.Errorf("demo catalog: %w", err)
	}
	for i := range products {
		products[i].OnHand = stockOnHand
	}
	if _, err := service.ImportProducts(ctx, products); err != nil {
		return nil, fmt.Errorf("import demo catalog: %w", err)
	}

	// Redis: one client, a prefix of this run's own.
	ropt, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return nil, fmt.Errorf("-redis-url: %w", err)
	}
	ropt.PoolSize = redisPoolSize
	e.redis = redis.NewClient(ropt)
	if err := e.redis.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	e.prefix = "orderbench:" + randomHex(6) + ":"
	rs := redisstore.New(e.redis, e.prefix)
	engine := conversation.New(conversation.Config{Desk: service, Chats: rs, Logger: o.log})

	// The bot against the fake Bot API server.
	inbox, err := pginbox.Open(ctx, e.dbURL)
	if err != nil {
		return nil, err
	}
	e.inbox = inbox
	cfg := bot.Config{Workers: botWorkers, PollTimeout: pollTimeout, Logger: o.log,
		Inbox: inbox, Customers: e.store}
	var srvOpts []telegramtest.Option
	if mode == "webhook" {
		srvOpts = append(srvOpts, telegramtest.WithWebhookConcurrency(webhookConcurrency))
		e.hook = httptest.NewUnstartedServer(nil)
		cfg.WebhookURL = "http://" + e.hook.Listener.Addr().String() + "/telegram"
		cfg.WebhookSecret = webhookSecret
	}
	e.srv = telegramtest.New(srvOpts...)
	cfg.Token, cfg.APIURL = e.srv.Token(), e.srv.URL()
	e.clock = newHandlerClock(engine)
	b, err := bot.New(cfg, e.clock, service)
	if err != nil {
		return nil, err
	}
	bctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e.stop, e.done = stop, make(chan error, 1)
	if mode == "webhook" {
		e.hook.Config.Handler = b.WebhookHandler()
		e.hook.Start()
		go func() { e.done <- b.Work(bctx) }()
		if err := b.SetWebhook(ctx); err != nil {
			return nil, err
		}
	} else {
		go func() { e.done <- b.Poll(bctx) }()
	}
	return e, nil
}

// checkOrders verifies that the database holds want orders, all confirmed, and notes the
// counts in p.
func (e *env) checkOrders(ctx context.Context, want int, p *phase) error {
	var total, confirmed int
	err := e.store.DB().QueryRowContext(ctx,
		`SELECT count(*), count(*) FILTER (WHERE status = 'confirmed') FROM orders`).Scan(&total, &confirmed)
	if err != nil {
		return fmt.Errorf("count orders: %w", err)
	}
	p.dbOrders, p.dbConfirmed, p.dbWant = total, confirmed, want
	if total != want || confirmed != want {
		return fmt.Errorf("the database holds %d orders (%d confirmed), want %d confirmed", total, confirmed, want)
	}
	return nil
}

// dbProbe watches the database during a run: the connection pool's waits and, sampled
// every heapSampleEvery from pg_stat_activity, what the bot's sessions are doing.
type dbProbe struct {
	env   *env
	pool0 sql.DBStats
	quit  chan struct{}
	done  chan struct{}
	stats dbStats
}

// dbStats is what a dbProbe saw.
type dbStats struct {
	poolSize     int
	poolWaits    int64
	poolWaited   time.Duration
	samples      int
	busySum      int // sessions active or idle in a transaction, summed over samples
	busyMax      int
	lockWaitSum  int            // sessions waiting for a lock, summed over samples
	lockWaitByOp map[string]int // … by the statement that waits
	err          error
}

func (e *env) probeDB(ctx context.Context) *dbProbe {
	p := &dbProbe{env: e, pool0: e.store.DB().Stats(), quit: make(chan struct{}), done: make(chan struct{}),
		stats: dbStats{lockWaitByOp: map[string]int{}}}
	go p.run(ctx)
	return p
}

func (p *dbProbe) run(ctx context.Context) {
	defer close(p.done)
	db, err := sql.Open("postgres", p.env.adminURL)
	if err != nil {
		p.stats.err = err
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	t := time.NewTicker(heapSampleEvery)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := p.sample(ctx, db); err != nil {
			p.stats.err = err
			return
		}
	}
}

func (p *dbProbe) sample(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `
		SELECT coalesce(wait_event_type, ''), left(regexp_replace(query, '\s+', ' ', 'g'), 48)
		FROM pg_stat_activity
		WHERE datname = $1 AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')`, p.env.dbName)
	if err != nil {
		return err
	}
	defer rows.Close()
	busy := 0
	for rows.Next() {
		var wait, query string
		if err := rows.Scan(&wait, &query); err != nil {
			return err
		}
		busy++
		if wait == "Lock" {
			p.stats.lockWaitSum++
			p.stats.lockWaitByOp[strings.TrimSpace(query)]++
		}
	}
	p.stats.samples++
	p.stats.busySum += busy
	p.stats.busyMax = max(p.stats.busyMax, busy)
	return rows.Err()
}

func (p *dbProbe) stop() dbStats {
	close(p.quit)
	<-p.done
	pool := p.env.store.DB().Stats()
	p.stats.poolSize = pool.MaxOpenConnections
	p.stats.poolWaits = pool.WaitCount - p.pool0.WaitCount
	p.stats.poolWaited = pool.WaitDuration - p.pool0.WaitDuration
	return p.stats
}

// close stops the bot and the servers and removes the database and the Redis keys.
func (e *env) close() error {
	var errs []error
	if e.stop != nil {
		e.stop()
		if err := <-e.done; err != nil {
			errs = append(errs, fmt.Errorf("poll: %w", err))
		}
	}
	if e.srv != nil {
		e.srv.Close()
	}
	if e.hook != nil {
		e.hook.Close()
	}
	if e.store != nil {
		e.store.Close()
	}
	if e.inbox != nil {
		e.inbox.Close()
	}
	if e.redis != nil {
		if e.prefix != "" {
			if err := deleteKeys(e.redis, e.prefix); err != nil {
				errs = append(errs, fmt.Errorf("delete redis keys: %w", err))
			}
		}
		_ = e.redis.Close()
	}
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		if err := e.cleanups[i](); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func deleteKeys(client *redis.Client, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := client.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return client.Unlink(ctx, batch...).Err()
	}
	return nil
}

// echoEnv is a bare go-telegram/bot echo bot against its own fake Bot API server.
type echoEnv struct {
	srv  *telegramtest.Server
	hook *httptest.Server
	stop context.CancelFunc
	done chan struct{}
}

// setupEcho starts the echo bot: b.Start for polling, b.WebhookHandler and b.StartWebhook
// for the webhook.
//
// With shaped, the echo bot makes the Bot API calls an order dialog makes: every answer
// carries an inline button, a press of it is answered (answerCallbackQuery) before the
// answer is sent, and a text or press marked with "+" first gets a message of its own.
func setupEcho(ctx context.Context, log *slog.Logger, mode string, shaped bool) (_ *echoEnv, err error) {
	e := &echoEnv{done: make(chan struct{})}
	var srvOpts []telegramtest.Option
	if mode == "webhook" {
		srvOpts = append(srvOpts, telegramtest.WithWebhookConcurrency(webhookConcurrency))
	}
	e.srv = telegramtest.New(srvOpts...)
	echo := func(ctx context.Context, b *tgbot.Bot, u *models.Update) {
		var chat int64
		var text string
		switch {
		case u.Message != nil:
			chat, text = u.Message.Chat.ID, u.Message.Text
		case shaped && u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
			chat, text = u.CallbackQuery.Message.Message.Chat.ID, "pressed "+u.CallbackQuery.Data
			if _, err := b.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID}); err != nil && ctx.Err() == nil {
				log.Warn("echo: answer callback", "err", err)
			}
		default:
			return
		}
		p := &tgbot.SendMessageParams{ChatID: chat, Text: text}
		if shaped {
			if strings.Contains(text, "+") {
				if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: "noted"}); err != nil && ctx.Err() == nil {
					log.Warn("echo: send", "err", err)
				}
			}
			p.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
				{{Text: "next", CallbackData: "next"}}, {{Text: "next+", CallbackData: "next+"}}}}
		}
		_, err := b.SendMessage(ctx, p)
		if err != nil && ctx.Err() == nil { // not the answer cut off when the run ends
			log.Warn("echo: send", "err", err)
		}
	}
	b, err := tgbot.New(e.srv.Token(),
		tgbot.WithServerURL(e.srv.URL()),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(pollTimeout, echoHTTPClient()),
		tgbot.WithDefaultHandler(echo),
		tgbot.WithErrorsHandler(func(err error) { log.Warn("echo bot", "err", err) }),
	)
	if err != nil {
		e.srv.Close()
		return nil, err
	}
	bctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e.stop = stop
	if mode == "webhook" {
		e.hook = httptest.NewServer(b.WebhookHandler())
		go func() { defer close(e.done); b.StartWebhook(bctx) }()
		if _, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: e.hook.URL + "/telegram"}); err != nil {
			e.close()
			return nil, fmt.Errorf("echo bot: setWebhook: %w", err)
		}
	} else {
		go func() { defer close(e.done); b.Start(bctx) }()
	}
	return e, nil
}

func (e *echoEnv) close() {
	e.stop()
	<-e.done
	e.srv.Close()
	if e.hook != nil {
		e.hook.Close()
	}
}

// echoHTTPClient keeps enough idle connections for every customer's reply in flight.
func echoHTTPClient() *http.Client {
	t := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: t, Timeout: pollTimeout + 15*time.Second}
}

func adminExec(ctx context.Context, adminURL, stmt string) error {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// withDatabase returns the URL u pointing at database name.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("-database-url: %w", err)
	}
	p.Path = "/" + name
	return p.String(), nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
