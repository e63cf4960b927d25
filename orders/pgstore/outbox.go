package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/orderbot/orderbot/orders"
)

// The notification outbox. Each notification is written in the transaction of the change
// that causes it, twice: a row in notifications, which records what becomes of it (claimed,
// sent with its message id, dropped, failed), and a River job that delivers it. Package
// notify works the jobs and reads and records through the methods below.
//
// notify.SendArgs is the worker's side of outboxJob: the same kind, queue and JSON shape.
// Neither package imports the other, so change both together.
const (
	outboxJobKind     = "orderbot.notification"
	outboxQueue       = "notifications"
	outboxMaxAttempts = 25
)

// outboxJob is the River job of one notification.
type outboxJob struct {
	Key     string          `json:"key"`
	Notice  string          `json:"notice"`
	ChatID  int64           `json:"chat_id"`
	Number  string          `json:"number,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (outboxJob) Kind() string { return outboxJobKind }

// newJobInserter returns the River client that inserts the outbox jobs in the caller's
// transaction. It has no pool of its own: it never works jobs and is only used with
// InsertManyTx.
func newJobInserter() (*river.Client[*sql.Tx], error) {
	return river.NewClient(riverdatabasesql.New(nil), &river.Config{Logger: slog.New(slog.DiscardHandler)})
}

// Notification states; see notify's State… constants.
const (
	noticePending   = "pending"
	noticeSending   = "sending"
	noticeSent      = "sent"
	noticeFailed    = "failed"
	noticeDropped   = "dropped"
	noticeUncertain = "uncertain"
	noticeExpanded  = "expanded"
	noticeClaimed   = "claimed"
	noticeMissing   = "missing"
)

// queueNotifications writes the notifications about the order orderID (0: none), whose
// number is looked up when not given, in tx: a pending row each and its River job,
// scheduled at RunAt when set. A key already in the outbox, or twice in ns, is queued once.
func (s *Store) queueNotifications(ctx context.Context, tx *sqlx.Tx, orderID int64, number string, ns []orders.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	ns, err := routeToGroup(ctx, tx, ns)
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	seen := make(map[string]bool, len(ns))
	byKey := make(map[string]orders.Notification, len(ns))
	var kinds, keys, payloads []string
	var chats []int64
	for _, n := range ns {
		if seen[n.Key] {
			continue // two identical unique jobs in one batch would fail the whole batch
		}
		seen[n.Key] = true
		byKey[n.Key] = n
		p := string(n.Payload)
		if len(n.Payload) == 0 {
			p = "{}"
		}
		kinds, chats, keys, payloads = append(kinds, n.Kind), append(chats, n.ChatID), append(keys, n.Key), append(payloads, p)
	}
	order := sql.NullInt64{Int64: orderID, Valid: orderID != 0}
	if order.Valid && number == "" {
		if err := tx.GetContext(ctx, &number, `SELECT number FROM orders WHERE id = $1`, orderID); err != nil {
			return fmt.Errorf("notifications: order %d: %w", orderID, err)
		}
	}
	var queued []string
	err = tx.SelectContext(ctx, &queued, `
		INSERT INTO notifications (kind, chat_id, order_id, key, payload)
		SELECT n.kind, n.chat_id, $1, n.key, n.payload::jsonb
		FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[]) WITH ORDINALITY AS n (kind, chat_id, key, payload, i)
		ORDER BY n.i
		ON CONFLICT (key) DO NOTHING
		RETURNING key`,
		order, pq.Array(kinds), pq.Array(chats), pq.Array(keys), pq.Array(payloads))
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	if len(queued) == 0 {
		return nil
	}
	inserter, err := s.jobs()
	if err != nil {
		return fmt.Errorf("notification jobs: %w", err)
	}
	// A job for each notification the statement above inserted: a key is queued once by
	// the notifications table's unique key, in this transaction, so the jobs need no
	// uniqueness of River's own (which costs a hash of the arguments on every insert and an
	// index entry each).
	params := make([]river.InsertManyParams, 0, len(queued))
	for _, key := range queued {
		n := byKey[key]
		params = append(params, river.InsertManyParams{
			Args: outboxJob{Key: n.Key, Notice: n.Kind, ChatID: n.ChatID, Number: number, Payload: n.Payload},
			InsertOpts: &river.InsertOpts{
				Queue:       outboxQueue,
				MaxAttempts: outboxMaxAttempts,
				ScheduledAt: n.RunAt,
			},
		})
	}
	if _, err := inserter.InsertManyTx(ctx, tx.Tx, params); err != nil {
		return fmt.Errorf("notification jobs: %w", err)
	}
	return nil
}

// QueueNotices writes notifications about the order with number ("" or an unknown number:
// about no order) with their jobs, in one transaction. Keys already queued are skipped.
func (s *Store) QueueNotices(ctx context.Context, number string, ns []orders.Notification) error {
	if err := checkNotifications(ns); err != nil {
		return fail("queue notifications", err)
	}
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var orderID int64
		if number != "" {
			err := tx.GetContext(ctx, &orderID, `SELECT id FROM orders WHERE number = $1`, number)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return s.queueNotifications(ctx, tx, orderID, "", ns)
	})
	if err != nil {
		return fail("queue notifications", err)
	}
	return nil
}

// ClaimNotices claims the pending notifications keys before they are sent. For each key
// it returns "claimed", or else the notification's state ("sending", "sent", "failed",
// "dropped", "uncertain", "expanded"; "missing" when there is none) and, once sent, its
// message id. With retake a notification left "sending" by a send that never finished is
// claimed again.
//
// Claims and sends are recorded by single statements, each its own transaction, for many
// notifications at once: they are on the path of every message.
func (s *Store) ClaimNotices(ctx context.Context, keys []string, retake bool) (map[string]string, map[string]int, error) {
	var rows []struct {
		Key       string `db:"key"`
		Status    string `db:"status"`
		MessageID int64  `db:"message_id"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		WITH claimed AS (
			UPDATE notifications SET status = 'sending', attempts = attempts + 1
			WHERE key = ANY($1) AND (status = 'pending' OR ($2 AND status = 'sending'))
			RETURNING key
		)
		SELECT k.key, CASE WHEN c.key IS NOT NULL THEN 'claimed' ELSE COALESCE(n.status, 'missing') END AS status,
			COALESCE(n.message_id, 0) AS message_id
		FROM unnest($1::text[]) AS k (key)
		LEFT JOIN claimed c ON c.key = k.key
		LEFT JOIN notifications n ON n.key = k.key`, pq.Array(keys), retake)
	if err != nil {
		return nil, nil, fail("claim notifications", err)
	}
	states, ids := make(map[string]string, len(rows)), make(map[string]int, len(rows))
	for _, r := range rows {
		states[r.Key] = r.Status
		if r.Status == noticeSent {
			ids[r.Key] = int(r.MessageID)
		}
	}
	return states, ids, nil
}

// NoticesSent records that the notifications were sent (or, for an edit, applied): key →
// Telegram message id.
func (s *Store) NoticesSent(ctx context.Context, sent map[string]int) error {
	keys := slices.Sorted(maps.Keys(sent)) // rows locked in one order
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = int64(sent[k])
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE notifications n SET status = 'sent', message_id = s.id, sent_at = $3, last_error = ''
		FROM unnest($1::text[], $2::bigint[]) AS s (key, id)
		WHERE n.key = s.key`, pq.Array(keys), pq.Array(ids), s.now())
	if err != nil {
		return fail("record notifications sent", err)
	}
	return nil
}

// ReleaseNotice returns a claimed notification to pending, after a send that did not
// reach the chat, with the reason.
func (s *Store) ReleaseNotice(ctx context.Context, key, reason string) error {
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE notifications SET status = 'pending', last_error = $2
			WHERE key = $1 AND status = 'sending'`, key, reason)
		return err
	})
	if err != nil {
		return fail("release notification", err)
	}
	return nil
}

// SettleNotice ends a pending or claimed notification without a send: state is "failed",
// "dropped", "uncertain" or "expanded". A sent notification stays sent.
func (s *Store) SettleNotice(ctx context.Context, key, state, reason string) error {
	switch state {
	case noticeFailed, noticeDropped, noticeUncertain, noticeExpanded:
	default:
		return fail("settle notification", &orders.ValidationError{Field: "state", Reason: fmt.Sprintf("%q does not settle a notification", state)})
	}
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE notifications SET status = $2, last_error = $3
			WHERE key = $1 AND status IN ('pending', 'sending')`, key, state, reason)
		return err
	})
	if err != nil {
		return fail("settle notification", err)
	}
	return nil
}

// NoticeMessages returns the message ids of the notifications of the kinds sent to chatID
// about the order with number, oldest first, and how many of them are still pending or
// being sent.
func (s *Store) NoticeMessages(ctx context.Context, number string, chatID int64, kinds []string) ([]int, int, error) {
	var rows []noticeMessage
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `
			SELECT n.status, n.message_id FROM notifications n JOIN orders o ON o.id = n.order_id
			WHERE o.number = $1 AND n.chat_id = $2 AND n.kind = ANY($3) ORDER BY n.id`,
			number, chatID, pq.Array(kinds))
	})
	if err != nil {
		return nil, 0, fail("notification messages", err)
	}
	ids, unsent := sentMessages(rows)
	return ids, unsent, nil
}

// noticeMessage is a notification's state and the message it became, if sent.
type noticeMessage struct {
	Status    string        `db:"status"`
	MessageID sql.NullInt64 `db:"message_id"`
}

// sentMessages returns the message ids of the sent notifications, in order, and how many
// are still pending or being sent.
func sentMessages(rows []noticeMessage) (ids []int, unsent int) {
	for _, r := range rows {
		switch {
		case r.Status == noticeSent && r.MessageID.Valid:
			ids = append(ids, int(r.MessageID.Int64))
		case r.Status == noticePending || r.Status == noticeSending:
			unsent++
		}
	}
	return ids, unsent
}

// MarkUnreachable records that the customer with the Telegram chat blocked the bot. It
// reports whether the chat is a customer's.
func (s *Store) MarkUnreachable(ctx context.Context, chatID int64) (bool, error) {
	var n int64
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE customers SET unreachable = true, updated_at = $2 WHERE telegram_id = $1`, chatID, s.now())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fail("mark customer unreachable", err)
	}
	return n > 0, nil
}

// ResponsibleStaff returns the order's rep when active, or else the active staff member who
// last acted on the order with number (as recorded in its history, like "rep:7"), or else
// every active rep, or else every active staff member.
func (s *Store) ResponsibleStaff(ctx context.Context, number string) ([]orders.Staff, error) {
	var rows []staffRow
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		if number != "" {
			// The order's rep (who reviewed it, or claimed it in the staff group), else the
			// last staff member who acted on it.
			err := tx.SelectContext(ctx, &rows, `
				SELECT `+prefixed("s.", staffColumns)+`
				FROM orders o JOIN staff s ON s.telegram_id = o.rep_telegram_id
				WHERE o.number = $1 AND s.active`, number)
			if err != nil || len(rows) > 0 {
				return err
			}
			err = tx.SelectContext(ctx, &rows, `
				SELECT `+prefixed("s.", staffColumns)+`
				FROM order_history h
				JOIN orders o ON o.id = h.order_id
				JOIN staff s ON h.actor = s.role || ':' || s.telegram_id
				WHERE o.number = $1 AND s.active
				ORDER BY h.id DESC LIMIT 1`, number)
			if err != nil || len(rows) > 0 {
				return err
			}
		}
		err := tx.SelectContext(ctx, &rows, `SELECT `+staffColumns+` FROM staff WHERE active AND role = 'rep' ORDER BY id`)
		if err != nil || len(rows) > 0 {
			return err
		}
		return tx.SelectContext(ctx, &rows, `SELECT `+staffColumns+` FROM staff WHERE active ORDER BY id`)
	})
	if err != nil {
		return nil, fail("responsible staff", err)
	}
	out := make([]orders.Staff, len(rows))
	for i, r := range rows {
		out[i] = r.staff()
	}
	return out, nil
}

// prefixed qualifies each of the comma-separated columns with prefix.
func prefixed(prefix, columns string) string {
	cs := strings.Split(columns, ",")
	for i, c := range cs {
		cs[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cs, ", ")
}

// riverMigrationLock is the key of the session advisory lock that serializes River's
// migrations between processes starting at once.
const riverMigrationLock = 0x6f72645f72697672 // "ord_rivr"

// migrateRiver applies River's own migrations (its job tables) that the database lacks.
func migrateRiver(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(riverMigrationLock)); err != nil {
		return fmt.Errorf("river migrations: lock: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, int64(riverMigrationLock))
	}()
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}
