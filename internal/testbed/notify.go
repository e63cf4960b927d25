package testbed

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/notify"
)

// Notifier is a notify.Notifier that sends through the bot to the fake Bot API server.
type Notifier struct {
	*notify.Notifier
	Bot    *bot.Bot
	Server *telegramtest.Server
}

// NotifierOptions tune StartNotifier.
type NotifierOptions struct {
	// Server is the fake Bot API server (nil: a new one).
	Server *telegramtest.Server
	// Now is the clock of the notifier and of River (nil: the wall clock). River's clock
	// must not run behind the database's, or it never sees jobs queued for "now".
	Now func() time.Time
	// Configure adjusts the configuration before the notifier is created.
	Configure func(*notify.Config)
	// Sender wraps the bot (tests that fail or observe sends).
	Sender func(notify.Sender) notify.Sender
	// Prepare runs on the notifier before it starts.
	Prepare func(*notify.Notifier)
}

// NotifierConfig is the configuration StartNotifier uses before opts.Configure: the bed's
// database, Redis namespace, rules and time zone, quick polling, no periodic checks (tests
// call Tick).
func (b *Bed) NotifierConfig(sender notify.Sender, now func() time.Time) notify.Config {
	return notify.Config{
		DB: b.Store.DB().DB, Redis: b.Redis, RedisPrefix: b.Prefix, Outbox: b.Store, Sender: sender,
		Rules: b.Rules, Location: Shanghai, Workers: 20,
		FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
		TickInterval: -1, Now: now, Logger: b.Log, Complaints: b.Complaints,
	}
}

// StartNotifier starts a notifier over the bed; it is stopped when the test ends.
func (b *Bed) StartNotifier(opts NotifierOptions) *Notifier {
	tb := b.T
	tb.Helper()
	srv := opts.Server
	if srv == nil {
		srv = telegramtest.NewServer(tb)
	}
	bt, err := bot.New(bot.Config{Token: srv.Token(), APIURL: srv.URL(), Logger: b.Log, PollTimeout: 2 * time.Second,
		Group: b.Group()},
		b.NewEngine(), b.Service)
	if err != nil {
		tb.Fatalf("bot.New: %v", err)
	}
	var sender notify.Sender = bt
	if opts.Sender != nil {
		sender = opts.Sender(bt)
	}
	cfg := b.NotifierConfig(sender, opts.Now)
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	n, err := notify.New(cfg)
	if err != nil {
		tb.Fatalf("notify.New: %v", err)
	}
	if opts.Prepare != nil {
		opts.Prepare(n)
	}
	if err := n.Start(context.Background()); err != nil {
		tb.Fatalf("notifier start: %v", err)
	}
	tb.Cleanup(func() { stopNotifier(tb, n) })
	return &Notifier{Notifier: n, Bot: bt, Server: srv}
}

func stopNotifier(tb testing.TB, n *notify.Notifier) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	select {
	case <-n.Stopped():
		return
	default:
	}
	if err := n.Stop(ctx); err != nil {
		tb.Logf("stop notifier: %v", err)
	}
}
