// Package bot connects orderbot to Telegram. It is the only package that imports the
// Telegram client library: it turns updates into conversation inputs, renders replies as
// messages and keyboards, serves long polling or a webhook, and sends notifications.
//
// Accept durably, then acknowledge: every update is written to the inbox (PostgreSQL)
// before Telegram is told it was received (the next getUpdates offset, or the webhook's
// 200). Per-chat workers, in this process or another, take the updates from the inbox: a
// chat's in order, chats in parallel, so one chat's backlog or failure never delays
// another. A failure is classified: a transient one (network, Telegram 5xx or 429,
// PostgreSQL or Redis unavailable) is retried with exponential backoff and jitter up to a
// limit of attempts and age; a permanent one (Telegram refused the reply with 400 or 403, a
// panic, an error the dialog does not explain), or one past the limit, moves the update to
// the dead letters, and its user gets an apology when a message can still reach them.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/internal/batch"
	"github.com/orderbot/orderbot/orders"
)

// Handler runs one update of a conversation; *conversation.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, u conversation.Update, out conversation.Sink) error
}

// Staff tells who is staff; *orders.Service implements it.
type Staff interface {
	Staff(ctx context.Context, telegramID int64) (orders.Staff, error)
	ListStaff(ctx context.Context, activeOnly bool) ([]orders.Staff, error)
}

// Config configures a Bot.
type Config struct {
	Token         string
	APIURL        string // Bot API server; empty for Telegram's
	WebhookURL    string // set: serve a webhook instead of polling
	WebhookSecret string
	// Workers bounds how many chats are handled at once (default 64).
	Workers int
	// PollTimeout is the long-polling timeout (default 25s).
	PollTimeout time.Duration
	Logger      *slog.Logger
	Metrics     *Metrics
	// RoleCacheTTL is how long a user's role is remembered (default 30s).
	RoleCacheTTL time.Duration
	// ShutdownGrace is how long updates in flight may run on after shutdown begins
	// (default 10s).
	ShutdownGrace time.Duration

	// Inbox keeps accepted updates until they are handled; required to serve updates
	// (Poll, Work, WebhookHandler), not to send notifications.
	Inbox Inbox
	// Customers, when set, learns of customers who blocked the bot.
	Customers Customers
	// MaxAttempts and MaxAge bound the retries of an update that fails transiently; past
	// either it goes to the dead letters (default 10 attempts, 1h).
	MaxAttempts int
	MaxAge      time.Duration
	// RetryBase and RetryMax shape the backoff between attempts: RetryBase doubled each
	// time, at most RetryMax, with jitter (default 500ms, 1m).
	RetryBase time.Duration
	RetryMax  time.Duration
	// MaxBacklog is how many updates of one chat may wait in the inbox; a chat's updates
	// beyond it are dropped and the chat is told once to slow down (default 50).
	MaxBacklog int
	// HandleTimeout bounds the handling of one update (default 60s); Lease is how long a
	// worker holds an update it took (default HandleTimeout + 30s), after which another
	// may take it.
	HandleTimeout time.Duration
	Lease         time.Duration
	// SweepInterval is how often the inbox is asked for updates due (default 1s).
	SweepInterval time.Duration

	// Group, when set, serves the staff group: /bindgroup, /unbindgroup, Claim, and the
	// bot removed from a group or a group become a supergroup.
	Group GroupDesk
	// Gate, when set, keeps the bot's own messages to group chats within Telegram's limits
	// (shared with the notifiers).
	Gate Gate
	// Username is the bot's @username: a command in a group addressed to another bot
	// (/bindgroup@otherbot) is not this bot's. Empty: any address is taken.
	Username string
}

// Bot serves Telegram.
type Bot struct {
	cfg     Config
	api     *tgbot.Bot
	http    *http.Client
	handler Handler
	staff   Staff
	log     *slog.Logger
	metrics *Metrics
	roles   roleCache

	inbox     Inbox
	customers Customers
	group     GroupDesk
	gate      Gate
	disp      *dispatcher
	accepts   batch.Group[InboxUpdate, struct{}] // webhook deliveries written to the inbox together
	replies   ReplyLimiter                       // nil: replies are not rate-limited here
	pollFails int                                // getUpdates failures in a row (the polling loop's own)
}

// ReplyLimiter keeps the bot's replies under the rate limit it shares with notifications;
// *notify.Notifier implements it.
type ReplyLimiter interface {
	// WaitReply waits until a reply may be sent.
	WaitReply(ctx context.Context) error
}

// LimitReplies makes every reply wait for l first (call it before serving): replies and
// notifications then share one global rate, replies first.
func (b *Bot) LimitReplies(l ReplyLimiter) { b.replies = l }

// New returns a Bot. It does not contact Telegram.
func New(cfg Config, h Handler, staff Staff) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("bot: TELEGRAM_BOT_TOKEN is empty")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 10 * time.Second
	}
	if cfg.RoleCacheTTL <= 0 {
		cfg.RoleCacheTTL = 30 * time.Second
	}
	defaults := []struct {
		d   *time.Duration
		def time.Duration
	}{{&cfg.MaxAge, time.Hour}, {&cfg.RetryBase, 500 * time.Millisecond}, {&cfg.RetryMax, time.Minute},
		{&cfg.HandleTimeout, time.Minute}, {&cfg.SweepInterval, time.Second}}
	for _, d := range defaults {
		if *d.d <= 0 {
			*d.d = d.def
		}
	}
	if cfg.Lease <= 0 {
		cfg.Lease = cfg.HandleTimeout + 30*time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.MaxBacklog <= 0 {
		cfg.MaxBacklog = 50
	}
	client := newHTTPClient(cfg.Workers, cfg.PollTimeout)
	api, err := tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(cfg.PollTimeout, client),
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithErrorsHandler(func(err error) { cfg.Logger.Error("telegram client", "err", err) }),
	)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b := &Bot{cfg: cfg, api: api, http: client, handler: h, staff: staff, log: cfg.Logger,
		metrics: cfg.Metrics, roles: roleCache{ttl: cfg.RoleCacheTTL, m: map[int64]roleEntry{}},
		inbox: cfg.Inbox, customers: cfg.Customers, group: cfg.Group, gate: cfg.Gate}
	b.accepts = batch.Group[InboxUpdate, struct{}]{Max: 100, Run: func(ctx context.Context, us []InboxUpdate) ([]struct{}, error) {
		return make([]struct{}, len(us)), b.accept(ctx, us, b.cfg.Lease)
	}}
	b.disp = &dispatcher{b: b, active: map[int64]*chatWork{}, timers: map[int64]*time.Timer{}, putBack: map[int64]bool{},
		sem: make(chan struct{}, cfg.Workers)}
	b.disp.completes = batch.Group[int64, struct{}]{Max: 200, Run: func(ctx context.Context, ids []int64) ([]struct{}, error) {
		return make([]struct{}, len(ids)), b.inbox.Complete(ctx, ids)
	}}
	b.disp.nexts = batch.Group[NextRequest, NextResult]{Max: 200, Run: func(ctx context.Context, reqs []NextRequest) ([]NextResult, error) {
		return b.inbox.Next(ctx, reqs, b.cfg.Lease)
	}}
	return b, nil
}

// newHTTPClient keeps enough idle connections for every worker (Go's default keeps 2 per
// host, which under load opens a new connection for most requests) and times out after
// the long poll would have.
func newHTTPClient(workers int, poll time.Duration) *http.Client {
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        workers * 2,
		MaxIdleConnsPerHost: workers * 2,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{Transport: t, Timeout: poll + 15*time.Second}
}

type roleEntry struct {
	role conversation.Role
	at   time.Time
}

// roleCache keeps users' roles for a short time, so a busy chat does not ask the database
// on every update. A deactivated rep loses staff rights within the TTL.
type roleCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[int64]roleEntry
}

// forgetRole drops the user's cached role: their next update looks it up again.
func (b *Bot) forgetRole(userID int64) {
	b.roles.mu.Lock()
	delete(b.roles.m, userID)
	b.roles.mu.Unlock()
}

func (b *Bot) role(ctx context.Context, userID int64) (conversation.Role, error) {
	now := time.Now()
	b.roles.mu.Lock()
	e, ok := b.roles.m[userID]
	b.roles.mu.Unlock()
	if ok && now.Sub(e.at) < b.roles.ttl {
		return e.role, nil
	}
	role := conversation.RoleCustomer
	st, err := b.staff.Staff(ctx, userID)
	switch {
	case err == nil && st.Role == orders.RoleManager:
		role = conversation.RoleManager
	case err == nil:
		role = conversation.RoleRep
	case !errors.Is(err, orders.ErrNotFound):
		return "", fmt.Errorf("look up role: %w", err)
	}
	b.roles.mu.Lock()
	if len(b.roles.m) > 100_000 {
		clear(b.roles.m)
	}
	b.roles.m[userID] = roleEntry{role: role, at: now}
	b.roles.mu.Unlock()
	return role, nil
}
