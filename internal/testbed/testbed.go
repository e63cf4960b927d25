// Package testbed assembles the whole bot for tests: real PostgreSQL and Redis, the demo
// catalog, a fixed clock, the conversation engine, and optionally the Telegram runtime
// against the fake Bot API server.
package testbed

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pginbox"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/conversation/redisstore"
	"github.com/orderbot/orderbot/demo"
	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
	"github.com/orderbot/orderbot/reports"
	"github.com/redis/go-redis/v9"
)

// Now is the tests' clock: Friday 27 November 2026, 10:00 in Shanghai.
var Now = time.Date(2026, 11, 27, 10, 0, 0, 0, Shanghai)

// Shanghai is the business time zone of the tests.
var Shanghai = time.FixedZone("CST", 8*3600)

// Bed is one assembled bot.
type Bed struct {
	T       testing.TB
	Store   *pgstore.Store
	Redis   *redis.Client
	Prefix  string
	Service *orders.Service
	Engine  *conversation.Engine
	Rules   orders.Rules
	Log     *slog.Logger
	// Complaints is the complaints desk, on the bed's clock.
	Complaints *orders.Complaints

	mu  sync.Mutex
	now time.Time
}

// New assembles the bot over fresh databases with the demo catalog imported.
func New(tb testing.TB) *Bed {
	tb.Helper()
	return NewOn(tb, pgstoretest.New(tb))
}

// NewOn assembles the bot like New over store, a migrated database of the caller's (a
// fault test's own cluster).
func NewOn(tb testing.TB, store *pgstore.Store) *Bed {
	tb.Helper()
	b := &Bed{T: tb, Store: store, Rules: orders.DefaultRules(), now: Now}
	b.Redis, b.Prefix = testenv.Redis(tb)
	b.Log = Logger(tb)
	b.Service = orders.NewService(b.Store, b.Rules, orders.WithClock(b.Clock), orders.WithLocation(Shanghai), orders.WithLogger(b.Log))
	b.Complaints = orders.NewComplaints(b.Store, b.Rules, Shanghai, b.Clock, b.Log)
	ps, err := orders.ParseCatalogCSV(bytes.NewReader(demo.Catalog()))
	if err != nil {
		tb.Fatalf("demo catalog: %v", err)
	}
	if _, err := b.Service.ImportProducts(context.Background(), ps); err != nil {
		tb.Fatalf("import demo catalog: %v", err)
	}
	b.Engine = b.NewEngine()
	return b
}

// BotUsername is the bot's username in tests: the fake Bot API server's getMe answers it.
const BotUsername = "test_bot"

// NewEngine returns another engine over the same stores, like a second bot instance.
func (b *Bed) NewEngine() *conversation.Engine { return b.NewEngineWithTTL(0) }

// NewEngineWithTTL returns an engine whose sessions expire after ttl (0: the rules' TTL).
func (b *Bed) NewEngineWithTTL(ttl time.Duration) *conversation.Engine {
	rs := redisstore.New(b.Redis, b.Prefix)
	return conversation.New(conversation.Config{Desk: b.Service, Chats: rs,
		Logger: b.Log, SessionTTL: ttl, Reports: b.Reports(),
		Team: orders.NewTeam(b.Store, b.Clock, b.Log), BotUsername: BotUsername, Complaints: b.Complaints})
}

// Reports returns the reports over the bed's store, on its clock and time zone.
func (b *Bed) Reports() *reports.Reports {
	r, err := reports.New(orders.NewReports(b.Store, b.Rules, orders.WithClock(b.Clock), orders.WithLocation(Shanghai)))
	if err != nil {
		b.T.Fatalf("reports: %v", err)
	}
	return r
}

// Clock returns the bed's current time.
func (b *Bed) Clock() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

// Advance moves the clock.
func (b *Bed) Advance(d time.Duration) {
	b.mu.Lock()
	b.now = b.now.Add(d)
	b.mu.Unlock()
}

// Logger logs to the test's output when ORDERBOT_TEST_LOG is set, else nowhere.
func Logger(tb testing.TB) *slog.Logger {
	if os.Getenv("ORDERBOT_TEST_LOG") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(tWriter{tb}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ tb testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.tb.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// Telegram is the bot running against the fake Bot API server.
type Telegram struct {
	Server *telegramtest.Server
	Bot    *bot.Bot
	cancel context.CancelFunc
	done   chan struct{}
}

// TelegramOptions tune StartTelegram.
type TelegramOptions struct {
	Webhook       bool
	ShutdownGrace time.Duration
	Server        *telegramtest.Server // reuse a server (a restarted bot)
	// Configure adjusts the bot's configuration (limits, retries) before it starts.
	Configure func(*bot.Config)
	// LimitReplies, when set, is the rate limit the bot's replies share (a notifier).
	LimitReplies bot.ReplyLimiter
}

// Inbox is the bed's update inbox.
func (b *Bed) Inbox() *pginbox.Inbox { return pginbox.New(b.Store.DB().DB) }

// StartTelegram starts the bot serving the fake server, by polling or webhook.
func (b *Bed) StartTelegram(opts TelegramOptions) *Telegram {
	tb := b.T
	tb.Helper()
	srv := opts.Server
	if srv == nil {
		srv = telegramtest.NewServer(tb)
	}
	cfg := bot.Config{Token: srv.Token(), APIURL: srv.URL(), Logger: b.Log, PollTimeout: 2 * time.Second,
		ShutdownGrace: opts.ShutdownGrace, Inbox: b.Inbox(), Customers: b.Store,
		RetryBase: 100 * time.Millisecond, RetryMax: 2 * time.Second, SweepInterval: 200 * time.Millisecond}
	if opts.Webhook {
		cfg.WebhookSecret = "test-secret_1"
	}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	tg := &Telegram{Server: srv, done: make(chan struct{})}
	var err error
	tg.Bot, err = bot.New(cfg, b.NewEngine(), b.Service)
	if err != nil {
		tb.Fatalf("bot.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tg.cancel = cancel
	if opts.LimitReplies != nil {
		tg.Bot.LimitReplies(opts.LimitReplies)
	}
	if opts.Webhook {
		hs := httptest.NewServer(tg.Bot.WebhookHandler())
		tb.Cleanup(hs.Close)
		cfg.WebhookURL = hs.URL + "/telegram"
		// The bot registers its webhook the way serve does.
		tg.Bot, err = bot.New(cfg, b.NewEngine(), b.Service)
		if err != nil {
			tb.Fatalf("bot.New: %v", err)
		}
		if opts.LimitReplies != nil {
			tg.Bot.LimitReplies(opts.LimitReplies)
		}
		hs.Config.Handler = tg.Bot.WebhookHandler()
		if err := tg.Bot.SetWebhook(ctx); err != nil {
			tb.Fatalf("set webhook: %v", err)
		}
		go func() {
			defer close(tg.done)
			_ = tg.Bot.Work(ctx)
		}()
	} else {
		go func() {
			defer close(tg.done)
			_ = tg.Bot.Poll(ctx)
		}()
	}
	tb.Cleanup(tg.Stop)
	return tg
}

// Stop stops the bot and waits for it.
func (tg *Telegram) Stop() {
	tg.cancel()
	<-tg.done
}
