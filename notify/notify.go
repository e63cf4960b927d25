package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/orderbot/orderbot/documents"
	"github.com/orderbot/orderbot/internal/batch"
	"github.com/orderbot/orderbot/orders"
)

// Message is one notification as the chat shows it: text and inline buttons.
type Message struct {
	Text    string
	Buttons [][]Button
	// File, when set, is sent with Text as its caption and Buttons under it.
	File *File
}

// File is a file a notification carries: a photo (a chart) or a document (a PDF, an XLSX).
type File struct {
	Photo bool   // shown as a picture; otherwise as a document with its name
	Name  string // the file name the recipient sees
	Data  []byte
	// ID, when set, is a Telegram file id sent instead of Data (a photo a user sent,
	// forwarded).
	ID string
}

// Button is an inline button; Data is its callback data, which the conversation engine
// handles.
type Button struct {
	Text string
	Data string
}

// Sender sends and edits messages in a chat; *bot.Bot implements it.
//
// Errors may tell more by their methods (checked with errors.As):
//   - RetryAfter() time.Duration: rate limited, not sent; try again after that long;
//   - Blocked() bool: the user blocked the bot, not sent; never try that chat again;
//   - Permanent() bool: refused for good (a bad request), not sent;
//   - MaybeSent() bool: no answer — the request may have reached Telegram.
//
// Any other error means the message was not sent and a retry may succeed.
type Sender interface {
	SendNotice(ctx context.Context, chatID int64, m Message) (messageID int, err error)
	EditNotice(ctx context.Context, chatID int64, messageID int, m Message) error
}

// Notification states in the outbox, as Outbox.ClaimNotice reports them.
const (
	StateClaimed   = "claimed"   // the caller now holds the claim and may send
	StatePending   = "pending"   // queued, not claimed
	StateSending   = "sending"   // claimed by a send that never finished
	StateSent      = "sent"      // sent (or, for edits, edited)
	StateFailed    = "failed"    // refused for good (blocked, bad request)
	StateDropped   = "dropped"   // not sent: no longer true or needed
	StateUncertain = "uncertain" // a send began and never finished: maybe sent, never resent
	StateExpanded  = "expanded"  // to every active staff member: queued again per member
	StateMissing   = "missing"   // no such notification
)

// Outbox is the storage notify needs; *pgstore.Store implements it.
type Outbox interface {
	// QueueNotices writes notifications about the order with number ("" for none) and
	// their jobs, in one transaction; keys already queued are skipped.
	QueueNotices(ctx context.Context, number string, ns []orders.Notification) error
	// ClaimNotices claims the pending notifications keys for sending, in one statement:
	// for each key, StateClaimed, or else its state and, when sent, its message id. With
	// retake it also claims notifications left in StateSending.
	ClaimNotices(ctx context.Context, keys []string, retake bool) (states map[string]string, messageIDs map[string]int, err error)
	// NoticesSent records, in one statement, that the notifications were sent: key →
	// message id.
	NoticesSent(ctx context.Context, sent map[string]int) error
	// ReleaseNotice returns a claimed notification to pending after a send that failed
	// without reaching the chat.
	ReleaseNotice(ctx context.Context, key, reason string) error
	// SettleNotice ends a pending or claimed notification without a send: StateFailed,
	// StateDropped, StateUncertain or StateExpanded.
	SettleNotice(ctx context.Context, key, state, reason string) error
	// NoticeMessages returns the message ids of the notifications of the kinds sent to
	// chatID about the order, and how many of them are not sent yet.
	NoticeMessages(ctx context.Context, number string, chatID int64, kinds []string) (messageIDs []int, unsent int, err error)
	// MarkUnreachable records that the customer with the chat blocked the bot; false when
	// the chat is not a customer's.
	MarkUnreachable(ctx context.Context, chatID int64) (bool, error)
	// ResponsibleStaff returns the active staff member who last acted on the order, or
	// every active rep when none did.
	ResponsibleStaff(ctx context.Context, number string) ([]orders.Staff, error)

	Order(ctx context.Context, number string) (orders.Order, error)
	Orders(ctx context.Context, f orders.OrderFilter) ([]orders.Order, error)
	ListStaff(ctx context.Context, activeOnly bool) ([]orders.Staff, error)
}

// Config configures a Notifier. DB, Redis, Outbox and Sender are required.
type Config struct {
	// DB is the database of the outbox (River's tables are there): the *sql.DB that
	// pgstore's sqlx handle wraps.
	DB     *sql.DB
	Redis  redis.UniversalClient
	Outbox Outbox
	Sender Sender
	// RedisPrefix starts every Redis key (default "orderbot:").
	RedisPrefix string

	// Rules give the working days and the currency (default orders.DefaultRules()).
	Rules orders.Rules
	// Location is the business time zone (default UTC).
	Location *time.Location

	// GlobalRate is the most messages per second all Notifiers together send (default 30).
	GlobalRate int
	// Headroom is the fraction of GlobalRate kept unused against timing jitter (default
	// 0.04); GlobalBurst the tokens that may be taken at once after a late wake-up (default
	// GlobalRate/50, at least 1). Any one second then holds at most GlobalBurst - 1 +
	// (1-Headroom)·GlobalRate·(1 s + spread) messages, where spread is how much the time
	// from a token to the request's arrival varies: within GlobalRate while the spread
	// stays under 42 ms at 30/s (burst 1), 22 ms at 1000/s (burst 20).
	Headroom    float64
	GlobalBurst int
	// ChatInterval is the least time between two messages to one chat (default 1.1 s:
	// Telegram allows one a second).
	ChatInterval time.Duration
	// GroupInterval is the least time between two messages to one group chat (default
	// 3.1 s: Telegram allows 20 a minute in a group); taken besides ChatInterval.
	GroupInterval time.Duration
	// MaxChatWait is how long a worker waits for a busy chat before snoozing the job
	// (default 2 s).
	MaxChatWait time.Duration

	// Workers is how many notifications one Notifier handles at once (default 50).
	Workers int
	// FetchPollInterval and FetchCooldown tune how often River looks for new jobs
	// (defaults 200 ms and 50 ms: lib/pq has no LISTEN, so River polls).
	FetchPollInterval time.Duration
	FetchCooldown     time.Duration
	// RescueAfter is how long a job may run before River considers its worker dead and
	// runs it again (default 5 minutes).
	RescueAfter time.Duration
	// ResendUncertain sends again a notification whose earlier send began and never
	// finished (at least once); by default it is settled as uncertain (at most once).
	ResendUncertain bool

	// WorkStart and WorkEnd bound the working hours, as times of day in Location
	// (defaults 9:00 and 18:00); OverdueAt is when the daily overdue alert goes out
	// (default 9:30).
	WorkStart time.Duration
	WorkEnd   time.Duration
	OverdueAt time.Duration
	// StaleReviewAfter is how long a review request may stay untouched before reps are
	// alerted again (default 4h).
	StaleReviewAfter time.Duration
	// TickInterval is how often the periodic checks run (default 5 minutes); 0 keeps the
	// default, a negative value disables them.
	TickInterval time.Duration
	// Complaints, when set, is swept at every tick: escalations of missed deadlines and
	// complaints closing themselves (*orders.Complaints).
	Complaints interface {
		Sweep(ctx context.Context) error
	}

	// Prune, when set, deletes at every tick the desk action keys (orders' exactly-once
	// record, *pgstore.Store) older than KeepActions (default 30 days): far longer than an
	// update can be delivered again (Telegram keeps updates 24 hours; an update is retried
	// for ORDERBOT_UPDATE_MAX_AGE) or a command re-run with the same --key.
	Prune interface {
		PruneDeskActions(ctx context.Context, before time.Time) (int64, error)
	}
	KeepActions time.Duration

	// Documents renders the PDF documents and Archive keeps them; without them document
	// notifications are dropped (the chat texts go as always). MaxDocumentSize is the largest file sent (default 50 MB, what
	// Telegram accepts); DocumentAttempts how often a render is tried before the staff are
	// told (default 5).
	Documents        DocumentRenderer
	Archive          DocumentArchive
	MaxDocumentSize  int
	DocumentAttempts int
	// Reports renders the scheduled weekly and monthly reports (nil: none are sent);
	// ReportHour is the hour of the day (business time zone) from which they go out
	// (default 9); ReportCheck is how often the periodic job looks whether one is due
	// (default 15 minutes; negative: never, tests call QueueReports).
	Reports     Reporter
	ReportHour  int
	ReportCheck time.Duration

	// Now is the clock (default time.Now). When set, River runs on it too, so that tests
	// can move scheduled jobs forward in time.
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics are counted when set (serve registers them with the bot's /metrics).
	Metrics *Metrics
}

func (c *Config) defaults() error {
	switch {
	case c.DB == nil:
		return errors.New("notify: Config.DB is nil")
	case c.Redis == nil:
		return errors.New("notify: Config.Redis is nil")
	case c.Outbox == nil:
		return errors.New("notify: Config.Outbox is nil")
	case c.Sender == nil:
		return errors.New("notify: Config.Sender is nil")
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = "orderbot:"
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	if len(c.Rules.WorkingWeekdays) == 0 {
		c.Rules = orders.DefaultRules()
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.GlobalRate <= 0 {
		c.GlobalRate = 30
	}
	if c.Headroom <= 0 || c.Headroom >= 0.5 {
		c.Headroom = 0.04
	}
	if c.GlobalBurst <= 0 {
		c.GlobalBurst = max(1, c.GlobalRate/50)
	}
	if c.ChatInterval <= 0 {
		c.ChatInterval = 1100 * time.Millisecond
	}
	if c.GroupInterval <= 0 {
		c.GroupInterval = 3100 * time.Millisecond
	}
	if c.MaxChatWait <= 0 {
		c.MaxChatWait = 2 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 50
	}
	if c.FetchPollInterval <= 0 {
		c.FetchPollInterval = 200 * time.Millisecond
	}
	if c.FetchCooldown <= 0 {
		c.FetchCooldown = 50 * time.Millisecond
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = 5 * time.Minute
	}
	if c.WorkStart <= 0 {
		c.WorkStart = 9 * time.Hour
	}
	if c.WorkEnd <= 0 {
		c.WorkEnd = 18 * time.Hour
	}
	if c.WorkEnd <= c.WorkStart {
		return fmt.Errorf("notify: working hours end (%s) before they start (%s)", c.WorkEnd, c.WorkStart)
	}
	if c.OverdueAt <= 0 {
		c.OverdueAt = c.WorkStart + 30*time.Minute
	}
	if c.StaleReviewAfter <= 0 {
		c.StaleReviewAfter = 4 * time.Hour
	}
	if c.MaxDocumentSize <= 0 {
		c.MaxDocumentSize = documents.MaxSize
	}
	if c.DocumentAttempts <= 0 {
		c.DocumentAttempts = 5
	}
	if c.TickInterval == 0 {
		c.TickInterval = 5 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ReportHour <= 0 || c.ReportHour > 23 {
		c.ReportHour = 9
	}
	if c.KeepActions <= 0 {
		c.KeepActions = 30 * 24 * time.Hour
	}
	if c.ReportCheck == 0 {
		c.ReportCheck = 15 * time.Minute
	}
	return nil
}

// jobTimeout bounds one job: rendering, waiting for the limits, one send.
const jobTimeout = time.Minute

// Notifier works the notification jobs: one River client with its workers and the
// periodic checks. Several Notifiers (processes) may run against one database and Redis.
type Notifier struct {
	cfg    Config
	out    Outbox
	send   Sender
	log    *slog.Logger
	now    func() time.Time
	limits *limiter
	client *river.Client[*sql.Tx]
	staff  staffCache
	claims batch.Group[string, claimed] // claims of concurrent workers, batched
	sents  batch.Group[sentMsg, struct{}]

	metrics *Metrics

	// beforeClaim, when set (tests), runs once the job holds a send slot, before its
	// claim.
	beforeClaim func(ctx context.Context, args SendArgs)
	// afterSend, when set (tests), runs after Telegram accepted a message and before the
	// send is recorded.
	afterSend func(ctx context.Context, args SendArgs)
}

// New returns a Notifier. It does not start working: call Start.
func New(cfg Config) (*Notifier, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	n := &Notifier{cfg: cfg, out: cfg.Outbox, send: cfg.Sender, log: cfg.Logger, now: cfg.Now, metrics: cfg.Metrics}
	if n.now == nil {
		n.now = time.Now
	}
	n.limits = newLimiter(cfg)
	n.staff = staffCache{out: cfg.Outbox, ttl: 30 * time.Second}
	n.claims = batch.Group[string, claimed]{Max: 100, Run: n.claimBatch}
	n.sents = batch.Group[sentMsg, struct{}]{Max: 100, Run: n.sentBatch}

	workers := river.NewWorkers()
	river.AddWorker(workers, &sendWorker{n: n})
	river.AddWorker(workers, &tickWorker{n: n})
	river.AddWorker(workers, &reportWorker{n: n})
	rc := &river.Config{
		Logger:               cfg.Logger,
		Queues:               map[string]river.QueueConfig{Queue: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		FetchPollInterval:    cfg.FetchPollInterval,
		FetchCooldown:        cfg.FetchCooldown,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: max(cfg.RescueAfter, jobTimeout+time.Second),
		SoftStopTimeout:      10 * time.Second,
	}
	if cfg.TickInterval > 0 {
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(cfg.TickInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return TickArgs{}, &river.InsertOpts{Queue: Queue, MaxAttempts: 1,
					UniqueOpts: river.UniqueOpts{ByPeriod: max(cfg.TickInterval, time.Second)}}
			},
			&river.PeriodicJobOpts{ID: "notify.tick", RunOnStart: true},
		)}
	}
	if cfg.Reports != nil && cfg.ReportCheck > 0 {
		rc.PeriodicJobs = append(rc.PeriodicJobs, reportJob(cfg.ReportCheck))
	}
	if cfg.Now != nil {
		rc.Test.Time = riverClock{now: cfg.Now}
	}
	client, err := river.NewClient(riverdatabasesql.New(cfg.DB), rc)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	n.client = client
	return n, nil
}

// Start starts working jobs in the background; cancelling ctx stops it softly (jobs in
// flight may finish for up to 10 s), like Stop.
func (n *Notifier) Start(ctx context.Context) error {
	if err := n.client.Start(ctx); err != nil {
		return fmt.Errorf("notify: start: %w", err)
	}
	return nil
}

// Stop stops taking jobs and waits for those in flight, up to ctx's deadline.
func (n *Notifier) Stop(ctx context.Context) error {
	if err := n.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("notify: stop: %w", err)
	}
	return nil
}

// Kill stops at once, cancelling the jobs in flight, as when the process dies: what they
// had not recorded is run again by another Notifier.
func (n *Notifier) Kill(ctx context.Context) error {
	return n.client.StopAndCancel(ctx)
}

// Stopped is closed when the Notifier has stopped.
func (n *Notifier) Stopped() <-chan struct{} { return n.client.Stopped() }

// WaitReply waits for a token of the global rate limit all Notifiers share, for a
// conversation reply (the bot calls it before each message it sends in answer to a user):
// replies count against the same GlobalRate as notifications, so that together they stay
// under it, and they are served before the notifications waiting in this process.
func (n *Notifier) WaitReply(ctx context.Context) error { return n.limits.takeReply(ctx) }

// claimed is the outcome of a claim: StateClaimed, or the notification's state.
type claimed struct {
	state     string
	messageID int
}

func (n *Notifier) claimBatch(ctx context.Context, keys []string) ([]claimed, error) {
	states, ids, err := n.out.ClaimNotices(ctx, keys, n.cfg.ResendUncertain)
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	out := make([]claimed, len(keys))
	for i, k := range keys {
		st, ok := states[k]
		if !ok {
			st = StateMissing
		}
		out[i] = claimed{state: st, messageID: ids[k]}
	}
	return out, nil
}

// sentMsg is a send to record.
type sentMsg struct {
	key       string
	messageID int
}

func (n *Notifier) sentBatch(ctx context.Context, ms []sentMsg) ([]struct{}, error) {
	sent := make(map[string]int, len(ms))
	for _, m := range ms {
		sent[m.key] = m.messageID
	}
	if err := n.out.NoticesSent(ctx, sent); err != nil {
		return nil, fmt.Errorf("record notifications sent: %w", err)
	}
	return make([]struct{}, len(ms)), nil
}

// riverClock runs River on the Notifier's clock, but never behind the wall clock: a job
// queued without a time of its own is due at the database's now, which a clock set in the
// past would never reach.
type riverClock struct{ now func() time.Time }

func (c riverClock) Now() time.Time {
	t, wall := c.now(), time.Now()
	if wall.After(t) {
		return wall
	}
	return t
}

func (c riverClock) NowOrNil() *time.Time {
	t := c.Now()
	return &t
}

// staffCache keeps the active staff for a short time: rendering asks whether a recipient
// is staff.
type staffCache struct {
	out Outbox
	ttl time.Duration // of the wall clock: a test clock may jump

	mu    sync.Mutex
	at    time.Time
	list  []orders.Staff
	index map[int64]orders.Staff
}

func (c *staffCache) get(ctx context.Context) ([]orders.Staff, map[int64]orders.Staff, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.index != nil && now.Sub(c.at) < c.ttl && now.After(c.at) {
		return c.list, c.index, nil
	}
	list, err := c.out.ListStaff(ctx, true)
	if err != nil {
		return nil, nil, fmt.Errorf("list staff: %w", err)
	}
	c.list, c.at = list, now
	c.index = make(map[int64]orders.Staff, len(list))
	for _, s := range list {
		c.index[s.TelegramID] = s
	}
	return c.list, c.index, nil
}
