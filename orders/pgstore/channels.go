package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/orderbot/orderbot/orders"
)

// Sales channels of the API (migration 0030): their keys, the idempotency records of their
// requests, their orders, and the webhook events of their orders. The events are written by
// a trigger on orders in the transaction of each change, with their River jobs; package api
// delivers them through the methods below.

const channelColumns = `ch.id, ch.name, ch.kind, COALESCE(ch.customer_id, 0) AS customer_id,
	COALESCE(cu.telegram_id, 0) AS customer_telegram_id, COALESCE(cu.name, '') AS customer_name,
	COALESCE(cu.phone, '') AS customer_phone, COALESCE(cu.company, '') AS customer_company,
	ch.key_prefix, ch.revoked_at IS NOT NULL AS revoked, ch.webhook_url, ch.webhook_secret,
	ch.webhook_failures, ch.webhook_disabled_at IS NOT NULL AS webhook_disabled, ch.contact_chat_id, ch.created_at`

const channelFrom = ` FROM channels ch LEFT JOIN customers cu ON cu.id = ch.customer_id`

type channelRow struct {
	ID                 int64     `db:"id"`
	Name               string    `db:"name"`
	Kind               string    `db:"kind"`
	CustomerID         int64     `db:"customer_id"`
	CustomerTelegramID int64     `db:"customer_telegram_id"`
	CustomerName       string    `db:"customer_name"`
	CustomerPhone      string    `db:"customer_phone"`
	CustomerCompany    string    `db:"customer_company"`
	KeyPrefix          string    `db:"key_prefix"`
	Revoked            bool      `db:"revoked"`
	WebhookURL         string    `db:"webhook_url"`
	WebhookSecret      string    `db:"webhook_secret"`
	WebhookFailures    int       `db:"webhook_failures"`
	WebhookDisabled    bool      `db:"webhook_disabled"`
	ContactChatID      int64     `db:"contact_chat_id"`
	CreatedAt          time.Time `db:"created_at"`
}

func (r channelRow) channel() orders.Channel {
	return orders.Channel{
		ID: r.ID, Name: r.Name, Kind: r.Kind,
		Customer: orders.Customer{ID: r.CustomerID, TelegramID: r.CustomerTelegramID, Name: r.CustomerName,
			Phone: r.CustomerPhone, Company: r.CustomerCompany},
		KeyPrefix: r.KeyPrefix, Revoked: r.Revoked, WebhookURL: r.WebhookURL, WebhookSecret: r.WebhookSecret,
		WebhookFailures: r.WebhookFailures, WebhookDisabled: r.WebhookDisabled, ContactChatID: r.ContactChatID,
		CreatedAt: r.CreatedAt,
	}
}

func getChannel(ctx context.Context, q sqlx.QueryerContext, cond string, args ...any) (orders.Channel, error) {
	var r channelRow
	if err := sqlx.GetContext(ctx, q, &r, `SELECT `+channelColumns+channelFrom+` WHERE `+cond, args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return orders.Channel{}, orders.ErrNotFound
		}
		return orders.Channel{}, err
	}
	return r.channel(), nil
}

// CreateChannel adds a channel with the hash of its key. c.Customer.TelegramID, when set,
// ties the channel to that customer. A name already taken is orders.ErrConflict.
func (s *Store) CreateChannel(ctx context.Context, c orders.Channel, keyHash string) (orders.Channel, error) {
	var out orders.Channel
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var customer sql.NullInt64
		if c.Customer.TelegramID != 0 {
			err := tx.GetContext(ctx, &customer, `SELECT id FROM customers WHERE telegram_id = $1`, c.Customer.TelegramID)
			if errors.Is(err, sql.ErrNoRows) {
				return &orders.ValidationError{Field: "customer", Reason: fmt.Sprintf("no customer with Telegram id %d", c.Customer.TelegramID)}
			} else if err != nil {
				return err
			}
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO channels (name, kind, customer_id, key_hash, key_prefix, webhook_url, webhook_secret, contact_chat_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			c.Name, c.Kind, customer, keyHash, c.KeyPrefix, c.WebhookURL, c.WebhookSecret, c.ContactChatID, s.now())
		if pqErr := pq.As(err, pqerror.UniqueViolation); pqErr != nil && pqErr.Constraint == "channels_name_key" {
			return fmt.Errorf("channel %s exists already (names are never reused): %w", c.Name, orders.ErrConflict)
		}
		if pqErr := pq.As(err, pqerror.CheckViolation); pqErr != nil {
			return &orders.ValidationError{Field: "name", Reason: "1 to 40 lowercase letters, digits, - or _, starting with a letter or digit"}
		}
		if err != nil {
			return err
		}
		out, err = getChannel(ctx, tx, `ch.id = $1`, id)
		return err
	})
	if err != nil {
		return orders.Channel{}, fail("create channel", err)
	}
	return out, nil
}

// Channel returns the channel named name, revoked or not.
func (s *Store) Channel(ctx context.Context, name string) (orders.Channel, error) {
	c, err := getChannel(ctx, s.db, `ch.name = $1`, name)
	if err != nil {
		return orders.Channel{}, fail("channel "+name, err)
	}
	return c, nil
}

// ChannelByKey returns the channel whose key has the hash, or orders.ErrNotFound when none
// has or it is revoked.
func (s *Store) ChannelByKey(ctx context.Context, keyHash string) (orders.Channel, error) {
	c, err := getChannel(ctx, s.db, `ch.key_hash = $1 AND ch.revoked_at IS NULL`, keyHash)
	if err != nil {
		return orders.Channel{}, fail("channel by key", err)
	}
	return c, nil
}

// ListChannels lists every channel by name.
func (s *Store) ListChannels(ctx context.Context) ([]orders.Channel, error) {
	var rows []channelRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+channelColumns+channelFrom+` ORDER BY ch.name`); err != nil {
		return nil, fail("list channels", err)
	}
	out := make([]orders.Channel, len(rows))
	for i, r := range rows {
		out[i] = r.channel()
	}
	return out, nil
}

// RotateChannelKey replaces the channel's key (the old one stops working at once); a
// revoked channel is active again with the new key.
func (s *Store) RotateChannelKey(ctx context.Context, name, keyHash, keyPrefix string) error {
	return s.updateChannel(ctx, "rotate channel key", name,
		`UPDATE channels SET key_hash = $2, key_prefix = $3, revoked_at = NULL WHERE name = $1`, keyHash, keyPrefix)
}

// RevokeChannel makes the channel's key stop working.
func (s *Store) RevokeChannel(ctx context.Context, name string) error {
	return s.updateChannel(ctx, "revoke channel", name,
		`UPDATE channels SET revoked_at = COALESCE(revoked_at, $2) WHERE name = $1`, s.now())
}

func (s *Store) updateChannel(ctx context.Context, op, name, stmt string, args ...any) error {
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, stmt, append([]any{name}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("channel %s: %w", name, orders.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// SetChannelWebhook sets where the channel's events go (and the secret that signs them,
// kept when secret is empty), enables its webhooks again and queues the events held while
// they were disabled. It returns the channel and how many events were queued again.
func (s *Store) SetChannelWebhook(ctx context.Context, name, url, secret string) (orders.Channel, int, error) {
	var (
		out    orders.Channel
		queued int
	)
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE channels SET webhook_url = $2, webhook_secret = COALESCE(NULLIF($3, ''), webhook_secret),
				webhook_failures = 0, webhook_disabled_at = NULL
			WHERE name = $1`, name, url, secret)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("channel %s: %w", name, orders.ErrNotFound)
		}
		if out, err = getChannel(ctx, tx, `ch.name = $1`, name); err != nil {
			return err
		}
		if url == "" {
			return nil
		}
		return tx.GetContext(ctx, &queued, `
			WITH held AS (
				UPDATE channel_events SET status = 'pending', last_error = ''
				WHERE channel_id = $1 AND status = 'held' RETURNING id
			)
			SELECT count(queue_channel_event(id)) FROM (SELECT id FROM held ORDER BY id) h`, out.ID)
	})
	if err != nil {
		return orders.Channel{}, 0, fail("set channel webhook", err)
	}
	return out, queued, nil
}

// eventRow is a row of channel_events with its order's number.
type eventRow struct {
	ID          int64        `db:"id"`
	ChannelID   int64        `db:"channel_id"`
	OrderID     int64        `db:"order_id"`
	Number      string       `db:"number"`
	Type        string       `db:"type"`
	Data        string       `db:"data"`
	Status      string       `db:"status"`
	Attempts    int          `db:"attempts"`
	LastError   string       `db:"last_error"`
	CreatedAt   time.Time    `db:"created_at"`
	DeliveredAt sql.NullTime `db:"delivered_at"`
}

const eventColumns = `e.id, e.channel_id, e.order_id, o.number, e.type, e.data::text AS data, e.status, e.attempts,
	e.last_error, e.created_at, e.delivered_at`

func (r eventRow) event() orders.ChannelEvent {
	return orders.ChannelEvent{ID: r.ID, ChannelID: r.ChannelID, OrderID: r.OrderID, Number: r.Number, Type: r.Type,
		Data: []byte(r.Data), Status: r.Status, Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt,
		DeliveredAt: r.DeliveredAt.Time}
}

// ChannelEvents returns the channel's latest events, newest first, with their delivery
// attempts (oldest first).
func (s *Store) ChannelEvents(ctx context.Context, name string, limit int) ([]orders.ChannelEvent, map[int64][]orders.WebhookAttempt, error) {
	var rows []eventRow
	attempts := map[int64][]orders.WebhookAttempt{}
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		ch, err := getChannel(ctx, tx, `ch.name = $1`, name)
		if err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT `+eventColumns+`
			FROM channel_events e JOIN orders o ON o.id = e.order_id
			WHERE e.channel_id = $1 ORDER BY e.id DESC LIMIT $2`, ch.ID, limit); err != nil {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		var as []struct {
			EventID    int64     `db:"event_id"`
			At         time.Time `db:"at"`
			StatusCode int       `db:"status_code"`
			Error      string    `db:"error"`
			DurationMS int       `db:"duration_ms"`
		}
		if err := tx.SelectContext(ctx, &as, `SELECT event_id, at, status_code, error, duration_ms
			FROM webhook_deliveries WHERE event_id = ANY($1) ORDER BY id`, pq.Array(ids)); err != nil {
			return err
		}
		for _, a := range as {
			attempts[a.EventID] = append(attempts[a.EventID], orders.WebhookAttempt{EventID: a.EventID, At: a.At,
				StatusCode: a.StatusCode, Error: a.Error, Duration: time.Duration(a.DurationMS) * time.Millisecond})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fail("channel events", err)
	}
	out := make([]orders.ChannelEvent, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, attempts, nil
}

// RedeliverEvent queues the channel's event for delivery again, whatever became of it.
func (s *Store) RedeliverEvent(ctx context.Context, name string, eventID int64) error {
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `
			UPDATE channel_events e SET status = 'pending', last_error = ''
			FROM channels ch WHERE ch.id = e.channel_id AND ch.name = $1 AND e.id = $2
			RETURNING e.id`, name, eventID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("event %d of channel %s: %w", eventID, name, orders.ErrNotFound)
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `SELECT queue_channel_event($1)`, id)
		return err
	})
	if err != nil {
		return fail("redeliver event", err)
	}
	return nil
}

// WebhookEvent returns the event with its channel, and whether an earlier event of the same
// order still waits for delivery (the receiver sees each order's events in order).
func (s *Store) WebhookEvent(ctx context.Context, id int64) (orders.ChannelEvent, orders.Channel, bool, error) {
	var (
		r       eventRow
		ch      orders.Channel
		earlier bool
	)
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &r, `SELECT `+eventColumns+`
			FROM channel_events e JOIN orders o ON o.id = e.order_id WHERE e.id = $1`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("event %d: %w", id, orders.ErrNotFound)
		} else if err != nil {
			return err
		}
		if ch, err = getChannel(ctx, tx, `ch.id = $1`, r.ChannelID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &earlier, `SELECT EXISTS (SELECT 1 FROM channel_events
			WHERE order_id = $1 AND id < $2 AND status = 'pending')`, r.OrderID, r.ID)
	})
	if err != nil {
		return orders.ChannelEvent{}, orders.Channel{}, false, fail("webhook event", err)
	}
	return r.event(), ch, earlier, nil
}

// LeaseEvent takes the pending event for one delivery attempt for d (migration 0060): it
// reports false when the event is not pending or another attempt holds it. The attempt's
// record (RecordWebhookAttempt) ends the lease. The lease commits without waiting for the
// disk (asyncCommit): a lease lost in a crash of the database server only lets the
// event's job deliver it again, as any attempt cut short by the crash would.
func (s *Store) LeaseEvent(ctx context.Context, id int64, d time.Duration) (bool, error) {
	var leased []bool
	err := s.db.SelectContext(ctx, &leased, asyncCommit+` UPDATE channel_events SET leased_until = now() + $2 * interval '1 microsecond'
		FROM async WHERE id = $1 AND status = 'pending' AND (leased_until IS NULL OR leased_until < now()) RETURNING true`,
		id, d.Microseconds())
	if err != nil {
		return false, fail("lease event", err)
	}
	return len(leased) == 1, nil
}

// SettleEvent ends a pending event without a delivery: orders.EventFailed, EventHeld or
// EventSkipped, with the reason.
func (s *Store) SettleEvent(ctx context.Context, id int64, status, reason string) error {
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE channel_events SET status = $2, last_error = $3
			WHERE id = $1 AND status = 'pending'`, id, status, reason)
		return err
	})
	if err != nil {
		return fail("settle event", err)
	}
	return nil
}

// RecordWebhookAttempt records one delivery attempt of an event and what follows from it,
// in one transaction: a delivered event, and the channel's failures in a row back to 0; or
// one more failure, the event failed for good when giveUp, and — at maxFailures in a row —
// the channel's webhooks disabled, its pending events held, and its contact and the reps
// told (with the receiver's last status code). It reports whether this attempt disabled the webhooks.
//
// A delivered attempt, the common case, is one statement that commits without waiting for
// the disk (asyncCommit), so that deliveries do not add WAL flushes to the placements':
// a crash of the database server can lose the record only as it loses the River job's
// completion (committed synchronously after it, which flushes the record too), and then the
// job delivers the event again, with the same webhook-id, as it would after any attempt cut
// short by the crash (webhooks are delivered at least once).
func (s *Store) RecordWebhookAttempt(ctx context.Context, a orders.WebhookAttempt, delivered, giveUp bool, maxFailures int) (bool, error) {
	if delivered {
		var ids []int64
		err := s.db.SelectContext(ctx, &ids, asyncCommit+`,
			d AS (
				INSERT INTO webhook_deliveries (event_id, at, status_code, error, duration_ms)
				SELECT $1, $2, $3, $4, $5 FROM async
			), e AS (
				UPDATE channel_events SET attempts = attempts + 1, last_error = $4, leased_until = NULL,
					status = 'delivered', delivered_at = $2::timestamptz
				WHERE id = $1 RETURNING channel_id
			), c AS (
				UPDATE channels ch SET webhook_failures = 0 FROM e WHERE ch.id = e.channel_id AND ch.webhook_failures <> 0
			)
			SELECT channel_id FROM e`,
			a.EventID, a.At, a.StatusCode, a.Error, a.Duration.Milliseconds())
		if err != nil {
			return false, fail("record webhook attempt", err)
		}
		return false, nil
	}
	var disabled bool
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		disabled = false
		now := s.now()
		var channelID int64
		err := tx.GetContext(ctx, &channelID, `
			WITH d AS (
				INSERT INTO webhook_deliveries (event_id, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)
			)
			UPDATE channel_events SET attempts = attempts + 1, last_error = $4, leased_until = NULL,
				status = CASE WHEN $6 THEN 'delivered' WHEN $7 THEN 'failed' ELSE status END,
				delivered_at = CASE WHEN $6 THEN $2::timestamptz ELSE delivered_at END
			WHERE id = $1 RETURNING channel_id`,
			a.EventID, a.At, a.StatusCode, a.Error, a.Duration.Milliseconds(), delivered, giveUp)
		if err != nil {
			return err
		}
		if delivered {
			_, err := tx.ExecContext(ctx, `UPDATE channels SET webhook_failures = 0 WHERE id = $1 AND webhook_failures <> 0`, channelID)
			return err
		}
		var ch struct {
			Name     string `db:"name"`
			Failures int    `db:"webhook_failures"`
			Disabled bool   `db:"disabled"`
			Contact  int64  `db:"contact_chat_id"`
		}
		if err := tx.GetContext(ctx, &ch, `
			UPDATE channels SET webhook_failures = webhook_failures + 1 WHERE id = $1
			RETURNING name, webhook_failures, webhook_disabled_at IS NOT NULL AS disabled, contact_chat_id`, channelID); err != nil {
			return err
		}
		if ch.Disabled || maxFailures <= 0 || ch.Failures < maxFailures {
			return nil
		}
		disabled = true
		if _, err := tx.ExecContext(ctx, `UPDATE channels SET webhook_disabled_at = $2 WHERE id = $1`, channelID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE channel_events SET status = 'held'
			WHERE channel_id = $1 AND status = 'pending'`, channelID); err != nil {
			return err
		}
		last := ""
		if a.StatusCode > 0 {
			last = strconv.Itoa(a.StatusCode)
		}
		return s.queueNotifications(ctx, tx, 0, "", s.webhooksDisabledNotices(ctx, tx, ch.Name, ch.Contact, last, now))
	})
	if err != nil {
		return false, fail("record webhook attempt", err)
	}
	return disabled, nil
}

// webhooksDisabledNotices tells the channel's contact and the reps (every active staff
// member when there is no rep) that the channel's webhooks were disabled.
func (s *Store) webhooksDisabledNotices(ctx context.Context, tx *sqlx.Tx, name string, contact int64, lastStatus string, at time.Time) []orders.Notification {
	var recipients []struct {
		ChatID int64  `db:"chat_id"`
		Lang   string `db:"language"`
	}
	err := tx.SelectContext(ctx, &recipients, `
		SELECT telegram_id AS chat_id, language FROM staff
		WHERE active AND (role = 'rep' OR NOT EXISTS (SELECT 1 FROM staff WHERE active AND role = 'rep'))
		UNION
		SELECT $1::bigint, COALESCE((SELECT language FROM customers WHERE telegram_id = $1), '') WHERE $1 <> 0`, contact)
	if err != nil {
		s.log.WarnContext(ctx, "recipients of the webhooks-disabled notice not read", "err", err)
		return nil
	}
	stamp := strconv.FormatInt(at.UnixMilli(), 10)
	ns := make([]orders.Notification, 0, len(recipients))
	for _, r := range recipients {
		ns = append(ns, orders.NewNotification(orders.NoticeWebhooksDisabled, r.ChatID,
			orders.NoticeWebhooksDisabled+":"+name+":"+stamp+":"+strconv.FormatInt(r.ChatID, 10),
			orders.Notice{Lang: r.Lang, Customer: name, Note: lastStatus}, time.Time{}))
	}
	return ns
}

// asyncCommit starts a statement that commits with synchronous_commit off (for its own
// implicit transaction only; the statement must read "FROM async" for it to take effect).
//
// The idempotency records of the channel API are written so (and begin_placement,
// migration 0075, holds stock and draws order numbers so): taking a key and storing its response are two commits of
// every POST, and a synchronous commit waits for the WAL to reach the disk, which under
// load (the disk and the WAL shared with all other work) was most of a placement's time. What a crash of the database server can lose with an
// asynchronous commit is harmless:
//   - a taken key: any later synchronous commit (the order the request places) flushes it
//     too, so it is only lost together with everything the request wrote; the retry runs
//     afresh;
//   - a stored response whose order is durable: the key stays in flight, so a retry is
//     told 409 until the record goes stale (staleInFlight of package api), then runs
//     again and gets the same order, found by its placement key (PlaceOrder).
const asyncCommit = `WITH async AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))`

// BeginIdempotent starts a request with an idempotency key. fresh is true when the caller
// owns the key now and must Finish or Forget it. Otherwise rec is the key's record: a
// request whose hash differs, one still in flight (Status 0), or the first response to
// replay. A record older than ttl is forgotten first, and so is one in flight for longer
// than stale (its request never finished).
func (s *Store) BeginIdempotent(ctx context.Context, channelID int64, key, hash string, ttl, stale time.Duration) (rec orders.IdempotencyRecord, fresh bool, err error) {
	// One statement in the usual case (a new key); a key already there is read, and
	// forgotten first when it has expired or its request died.
	for attempt := 0; attempt < 3; attempt++ {
		now := s.now()
		var inserted []bool
		if err := s.db.SelectContext(ctx, &inserted, asyncCommit+` INSERT INTO api_idempotency (channel_id, key, request_hash, created_at)
			SELECT $1, $2, $3, $4 FROM async ON CONFLICT DO NOTHING RETURNING true`, channelID, key, hash, now); err != nil {
			return orders.IdempotencyRecord{}, false, fail("begin idempotent request", err)
		}
		if len(inserted) == 1 {
			return orders.IdempotencyRecord{}, true, nil
		}
		var row struct {
			Hash      string    `db:"request_hash"`
			Status    int       `db:"status"`
			Body      string    `db:"body"`
			CreatedAt time.Time `db:"created_at"`
		}
		err := s.db.GetContext(ctx, &row, `SELECT request_hash, status, body, created_at FROM api_idempotency
			WHERE channel_id = $1 AND key = $2`, channelID, key)
		if errors.Is(err, sql.ErrNoRows) {
			continue // forgotten meanwhile
		} else if err != nil {
			return orders.IdempotencyRecord{}, false, fail("begin idempotent request", err)
		}
		if row.CreatedAt.After(now.Add(-ttl)) && (row.Status != 0 || row.CreatedAt.After(now.Add(-stale))) {
			return orders.IdempotencyRecord{Hash: row.Hash, Status: row.Status, Body: []byte(row.Body), CreatedAt: row.CreatedAt}, false, nil
		}
		if _, err := s.db.ExecContext(ctx, `DELETE FROM api_idempotency WHERE channel_id = $1 AND key = $2 AND created_at = $3`,
			channelID, key, row.CreatedAt); err != nil {
			return orders.IdempotencyRecord{}, false, fail("begin idempotent request", err)
		}
	}
	return orders.IdempotencyRecord{}, false, fail("begin idempotent request", fmt.Errorf("key %q: %w", key, orders.ErrConflict))
}

// FinishIdempotent stores the first response to the key.
func (s *Store) FinishIdempotent(ctx context.Context, channelID int64, key string, status int, body []byte) error {
	_, err := s.db.ExecContext(ctx, asyncCommit+` UPDATE api_idempotency SET status = $3, body = $4
		FROM async WHERE channel_id = $1 AND key = $2 AND status = 0`, channelID, key, status, string(body))
	if err != nil {
		return fail("finish idempotent request", err)
	}
	return nil
}

// ForgetIdempotent drops the key of a request that did not run (or failed for a reason a
// retry may not meet): the next request with the key runs afresh.
func (s *Store) ForgetIdempotent(ctx context.Context, channelID int64, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM api_idempotency WHERE channel_id = $1 AND key = $2 AND status = 0`, channelID, key)
	if err != nil {
		return fail("forget idempotent request", err)
	}
	return nil
}

// PruneIdempotency deletes the records created before t.
func (s *Store) PruneIdempotency(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM api_idempotency WHERE created_at < $1`, before)
	if err != nil {
		return 0, fail("prune idempotency keys", err)
	}
	return res.RowsAffected()
}

// ChannelOrders lists the orders of the channel updated since f.UpdatedSince and after the
// cursor (f.AfterUpdated, f.AfterID), oldest change first, at most f.Limit, with when each
// was last updated.
func (s *Store) ChannelOrders(ctx context.Context, f orders.ChannelOrderFilter) ([]orders.Order, []time.Time, error) {
	q := newQuery(`SELECT id, updated_at FROM orders`)
	q.and("source = " + q.arg(orders.ChannelSource(f.Channel)))
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		q.and("status = ANY(" + q.arg(pq.Array(ss)) + ")")
	}
	if !f.UpdatedSince.IsZero() {
		q.and("updated_at >= " + q.arg(f.UpdatedSince))
	}
	if !f.AfterUpdated.IsZero() {
		q.and("(updated_at, id) > (" + q.arg(f.AfterUpdated) + "::timestamptz, " + q.arg(f.AfterID) + "::bigint)")
	}
	q.add(" ORDER BY updated_at, id")
	q.page(f.Limit, 0)
	var (
		list  []orders.Order
		times []time.Time
	)
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		var refs []struct {
			ID        int64     `db:"id"`
			UpdatedAt time.Time `db:"updated_at"`
		}
		if err := tx.SelectContext(ctx, &refs, q.String(), q.args...); err != nil {
			return err
		}
		ids := make([]int64, len(refs))
		for i, r := range refs {
			ids[i] = r.ID
		}
		found, err := loadOrders(ctx, tx, orderSelect+` WHERE o.id = ANY($1)`, pq.Array(ids))
		if err != nil {
			return err
		}
		byID := make(map[int64]orders.Order, len(found))
		for _, o := range found {
			byID[o.ID] = o
		}
		list, times = make([]orders.Order, 0, len(refs)), make([]time.Time, 0, len(refs))
		for _, r := range refs {
			list, times = append(list, byID[r.ID]), append(times, r.UpdatedAt)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fail("channel orders", err)
	}
	return list, times, nil
}
