package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/orderbot/orderbot/orders"
)

// The webhooks of the channels' orders. A trigger on orders (migration 0030) writes an
// event and its River job in the transaction of each change of a channel's order — the
// same transactional outbox as the chat notifications — and the Dispatcher's workers
// deliver them: signed the Standard Webhooks way, each order's events in order, retried
// with backoff for up to MaxAge; after MaxFailures failed attempts in a row the channel's
// webhooks are disabled (its events held) and its contact and the reps are told.
//
// The trigger writes WebhookArgs' JSON shape with WebhookKind and WebhookQueue: change
// both together.
const (
	WebhookKind  = "orderbot.webhook"
	WebhookQueue = "webhooks"
)

// WebhookArgs are the arguments of a delivery job.
type WebhookArgs struct {
	EventID int64 `json:"event_id"`
}

// Kind implements river.JobArgs.
func (WebhookArgs) Kind() string { return WebhookKind }

// WebhookStore keeps the events; *pgstore.Store implements it.
type WebhookStore interface {
	WebhookEvent(ctx context.Context, id int64) (ev orders.ChannelEvent, ch orders.Channel, earlierPending bool, err error)
	SettleEvent(ctx context.Context, id int64, status, reason string) error
	// LeaseEvent takes the pending event for one attempt for d; false: not pending, or
	// another attempt holds it.
	LeaseEvent(ctx context.Context, id int64, d time.Duration) (bool, error)
	RecordWebhookAttempt(ctx context.Context, a orders.WebhookAttempt, delivered, giveUp bool, maxFailures int) (disabled bool, err error)
}

// DispatcherConfig configures a Dispatcher. DB and Store are required.
type DispatcherConfig struct {
	DB    *sql.DB // the database of the events (River's tables are there)
	Store WebhookStore
	// Client sends the webhooks (default: a client with Timeout).
	Client *http.Client
	// Timeout bounds one delivery (default 10 s).
	Timeout time.Duration
	// Workers is how many deliveries run at once (default 20).
	Workers int
	// MaxFailures is how many failed attempts in a row disable a channel's webhooks
	// (default 20; below 0: never).
	MaxFailures int
	// MaxAge is how long an event is retried (default 24 h); RetryBase the first wait
	// (default 10 s), doubled after each attempt up to RetryMax (default 1 h).
	MaxAge    time.Duration
	RetryBase time.Duration
	RetryMax  time.Duration
	// FetchPollInterval is how often River looks for new jobs (default 1 s). Each look
	// costs the database a statement that is planned every time (River's), and so does
	// each batch of finished jobs: looking once a second takes the deliveries of every
	// order placed meanwhile at once, instead of competing with each placement for the
	// database (a webhook arrives up to a second later).
	FetchPollInterval time.Duration
	Logger            *slog.Logger
	Now               func() time.Time
}

// Dispatcher delivers the webhooks.
type Dispatcher struct {
	cfg    DispatcherConfig
	client *river.Client[*sql.Tx]
	log    *slog.Logger
}

// NewDispatcher returns a Dispatcher; Start starts it.
func NewDispatcher(cfg DispatcherConfig) (*Dispatcher, error) {
	if cfg.DB == nil || cfg.Store == nil {
		return nil, errors.New("api: DispatcherConfig.DB and Store are required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 20
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = 20
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 10 * time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = time.Hour
	}
	if cfg.FetchPollInterval <= 0 {
		cfg.FetchPollInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := &Dispatcher{cfg: cfg, log: cfg.Logger}
	workers := river.NewWorkers()
	river.AddWorker(workers, &webhookWorker{d: d})
	client, err := river.NewClient(riverdatabasesql.New(cfg.DB), &river.Config{
		Logger:               cfg.Logger,
		Queues:               map[string]river.QueueConfig{WebhookQueue: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		FetchPollInterval:    cfg.FetchPollInterval,
		FetchCooldown:        cfg.FetchPollInterval,
		JobTimeout:           cfg.Timeout + 30*time.Second,
		RescueStuckJobsAfter: cfg.Timeout + time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("api: webhooks: %w", err)
	}
	d.client = client
	return d, nil
}

// Start starts delivering in the background.
func (d *Dispatcher) Start(ctx context.Context) error {
	if err := d.client.Start(ctx); err != nil {
		return fmt.Errorf("api: webhooks: start: %w", err)
	}
	return nil
}

// Stop stops taking jobs and waits for the deliveries in flight, up to ctx's deadline.
func (d *Dispatcher) Stop(ctx context.Context) error {
	if err := d.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("api: webhooks: stop: %w", err)
	}
	return nil
}

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	d *Dispatcher
}

// errDelivery is a failed attempt River retries.
type errDelivery struct{ msg string }

func (e errDelivery) Error() string { return e.msg }

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	return w.d.deliver(ctx, job.Args.EventID, job.Attempt)
}

// NextRetry doubles the wait from RetryBase up to RetryMax, with jitter.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookArgs]) time.Time {
	return w.d.cfg.Now().Add(w.d.backoff(job.Attempt))
}

func (d *Dispatcher) backoff(attempt int) time.Duration {
	wait := d.cfg.RetryBase << min(max(attempt-1, 0), 20)
	if wait <= 0 || wait > d.cfg.RetryMax {
		wait = d.cfg.RetryMax
	}
	return wait + mrand.N(wait/5+1)
}

func (d *Dispatcher) deliver(ctx context.Context, id int64, attempt int) error {
	ev, ch, earlier, err := d.cfg.Store.WebhookEvent(ctx, id)
	switch {
	case errors.Is(err, orders.ErrNotFound):
		return nil // the order is gone
	case err != nil:
		return err
	case ev.Status != orders.EventPending:
		return nil // delivered, or settled, by an earlier job
	case ch.WebhookURL == "":
		return d.cfg.Store.SettleEvent(ctx, id, orders.EventSkipped, "the channel has no webhook URL")
	case ch.WebhookDisabled:
		return d.cfg.Store.SettleEvent(ctx, id, orders.EventHeld, "the channel's webhooks are disabled")
	case earlier:
		// Each order's events arrive in order: wait for the earlier one.
		return river.JobSnooze(max(time.Second, d.cfg.RetryBase/2))
	}
	// An event may have two jobs (one waiting to retry when it was queued again): one
	// delivers it, the other waits and then finds it delivered. The lease outlasts the
	// attempt; one of a job that died runs out.
	switch ok, err := d.cfg.Store.LeaseEvent(ctx, id, d.cfg.Timeout+15*time.Second); {
	case err != nil:
		return err
	case !ok:
		return river.JobSnooze(max(time.Second, d.cfg.RetryBase/2))
	}
	body := EventBody(ev)
	start := d.cfg.Now()
	code, derr := d.post(ctx, ch, ev, body)
	a := orders.WebhookAttempt{EventID: id, At: start, StatusCode: code, Duration: d.cfg.Now().Sub(start)}
	delivered := derr == nil
	if derr != nil {
		a.Error = derr.Error()
	}
	giveUp := !delivered && d.cfg.Now().Add(d.cfg.RetryBase<<min(max(attempt-1, 0), 20)).Sub(ev.CreatedAt) > d.cfg.MaxAge
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	disabled, err := d.cfg.Store.RecordWebhookAttempt(rctx, a, delivered, giveUp, d.cfg.MaxFailures)
	if err != nil {
		return err
	}
	switch {
	case delivered:
		d.log.DebugContext(ctx, "webhook delivered", "channel", ch.Name, "event", id, "type", ev.Type, "status", code)
		return nil
	case disabled:
		d.log.WarnContext(ctx, "webhooks disabled after failing in a row", "channel", ch.Name, "failures", d.cfg.MaxFailures, "err", a.Error)
		return nil
	case giveUp:
		d.log.WarnContext(ctx, "webhook given up", "channel", ch.Name, "event", id, "err", a.Error)
		return nil
	}
	return errDelivery{msg: a.Error}
}

// post sends one delivery; a 2xx answer delivers it.
func (d *Dispatcher) post(ctx context.Context, ch orders.Channel, ev orders.ChannelEvent, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook URL: %w", err)
	}
	msgID := EventID(ev.ID)
	ts := d.cfg.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "orderbot-webhooks/1")
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	sig, err := Sign(ch.WebhookSecret, msgID, ts, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("webhook-signature", sig)
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("no answer: %s", strings.TrimPrefix(err.Error(), "Post "))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// EventID is the webhook-id of an event.
func EventID(id int64) string { return "evt_" + strconv.FormatInt(id, 10) }

// Event is the body of a webhook.
type Event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// EventBody is the JSON body of the event's webhook: the same bytes on every attempt.
func EventBody(ev orders.ChannelEvent) []byte {
	b, err := json.Marshal(Event{ID: EventID(ev.ID), Type: ev.Type, Timestamp: ev.CreatedAt.UTC().Truncate(time.Microsecond), Data: ev.Data})
	if err != nil {
		return []byte(`{}`) // unreachable: the data is JSON from the database
	}
	return b
}

// NewSecret returns a webhook signing secret: "whsec_" and 32 random bytes in base64.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// Sign returns the webhook-signature header of a message: "v1," and the base64
// HMAC-SHA256 of "id.timestamp.body" keyed with the secret's bytes.
func Sign(secret, msgID string, ts int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return "", errors.New("the channel's webhook secret is not a whsec_ secret")
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", msgID, ts)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Verify checks a webhook as a receiver does: a v1 signature of the secret among the
// header's space-separated signatures, and a timestamp within tolerance of now.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		return errors.New("no webhook-timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook-timestamp outside the tolerance")
	}
	want, err := Sign(secret, h.Get("webhook-id"), ts, body)
	if err != nil {
		return err
	}
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

// NewKey returns a new API key and its prefix (to recognise it in lists): "ob_live_" and 32
// random bytes in base64url. Store HashKey(key), show the key once.
func NewKey() (key, prefix string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	key = "ob_live_" + base64.RawURLEncoding.EncodeToString(b)
	return key, key[:12]
}
