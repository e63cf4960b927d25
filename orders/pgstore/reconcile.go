package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"

	"github.com/orderbot/orderbot/orders"
)

// noticeSettled is the state of an uncertain notification an operator settled.
const noticeSettled = "settled"

// UncertainNotice is a notification whose send began and whose outcome is unknown: the
// worker died, or Telegram never answered. Nobody sends it again until an operator
// resends or settles it.
type UncertainNotice struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	ChatID    int64     `json:"chat_id"`
	Order     string    `json:"order,omitempty"`
	Key       string    `json:"key"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	CreatedAt time.Time `json:"created_at"`
}

// UncertainNotices lists the uncertain notifications, oldest first.
func (s *Store) UncertainNotices(ctx context.Context) ([]UncertainNotice, error) {
	var rows []struct {
		ID        int64          `db:"id"`
		Kind      string         `db:"kind"`
		ChatID    int64          `db:"chat_id"`
		Number    sql.NullString `db:"number"`
		Key       string         `db:"key"`
		Attempts  int            `db:"attempts"`
		LastError string         `db:"last_error"`
		CreatedAt time.Time      `db:"created_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT n.id, n.kind, n.chat_id, o.number, n.key, n.attempts, n.last_error, n.created_at
		FROM notifications n LEFT JOIN orders o ON o.id = n.order_id
		WHERE n.status = 'uncertain' ORDER BY n.id`)
	if err != nil {
		return nil, fail("uncertain notifications", err)
	}
	out := make([]UncertainNotice, len(rows))
	for i, r := range rows {
		out[i] = UncertainNotice{ID: r.ID, Kind: r.Kind, ChatID: r.ChatID, Order: r.Number.String, Key: r.Key,
			Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// ResendNotice sends the uncertain notification id again: it goes back to pending with a
// new job, in one transaction. Its recipient may then read it twice; the operator chose
// that over a loss. orders.ErrNotFound for no such notification, orders.ErrConflict when
// it is not uncertain (any more).
func (s *Store) ResendNotice(ctx context.Context, id int64, actor string) error {
	op := fmt.Sprintf("resend notification %d", id)
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var n struct {
			Key     string          `db:"key"`
			Kind    string          `db:"kind"`
			ChatID  int64           `db:"chat_id"`
			Payload json.RawMessage `db:"payload"`
			Number  sql.NullString  `db:"number"`
		}
		err := tx.GetContext(ctx, &n, `
			UPDATE notifications SET status = 'pending', last_error = $2, next_attempt_at = now()
			FROM (SELECT id, (SELECT number FROM orders WHERE id = order_id) AS number FROM notifications WHERE id = $1 AND status = 'uncertain') u
			WHERE notifications.id = u.id
			RETURNING notifications.key, notifications.kind, notifications.chat_id, notifications.payload, u.number`,
			id, "resent by "+actor)
		if errors.Is(err, sql.ErrNoRows) {
			return notUncertain(ctx, tx, id)
		}
		if err != nil {
			return err
		}
		inserter, err := s.jobs()
		if err != nil {
			return err
		}
		// Not unique: the first job of the key may still be kept as completed.
		_, err = inserter.InsertManyTx(ctx, tx.Tx, []river.InsertManyParams{{
			Args:       outboxJob{Key: n.Key, Notice: n.Kind, ChatID: n.ChatID, Number: n.Number.String, Payload: n.Payload},
			InsertOpts: &river.InsertOpts{Queue: outboxQueue, MaxAttempts: outboxMaxAttempts},
		}})
		return err
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// SettleUncertain closes the uncertain notification id without sending it: the operator
// found it arrived, or it is no longer needed (note says which). Errors as ResendNotice.
func (s *Store) SettleUncertain(ctx context.Context, id int64, actor, note string) error {
	op := fmt.Sprintf("settle notification %d", id)
	reason := strings.TrimSpace("settled by " + actor + ": " + note)
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE notifications SET status = $3, last_error = $2 WHERE id = $1 AND status = 'uncertain'`,
			id, reason, noticeSettled)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notUncertain(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// notUncertain explains why notification id could not be reconciled.
func notUncertain(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var status string
	if err := tx.GetContext(ctx, &status, `SELECT status FROM notifications WHERE id = $1`, id); err != nil {
		return err
	}
	return fmt.Errorf("%w: the notification is %s, not uncertain", orders.ErrConflict, status)
}
