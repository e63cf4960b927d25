package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/orderbot/orderbot/orders"
)

// PruneDeskActions deletes the desk action keys recorded before before, a thousand at a
// time (no long lock), and reports how many. A key pruned no longer stops a delivery of its
// action: prune only what can never be delivered again.
func (s *Store) PruneDeskActions(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, `
			DELETE FROM desk_actions WHERE key IN (
				SELECT key FROM desk_actions WHERE at < $1 ORDER BY at LIMIT 1000)`, before)
		if err != nil {
			return total, fmt.Errorf("prune desk actions: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < 1000 {
			return total, nil
		}
	}
}

// claimAction records the desk action key of kind in tx (migration 0010), as the first
// statement of the action's transaction: orders.ErrAlreadyDone when the key is recorded
// already. A delivery of the same key running at the same time waits here until this
// transaction ends, and then finds it recorded, or not when this one rolled back. An empty
// key records nothing.
func claimAction(ctx context.Context, tx *sqlx.Tx, key, kind string) error {
	if key == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO desk_actions (key, kind, at) VALUES ($1, $2, now()) ON CONFLICT (key) DO NOTHING`, key, kind)
	if err != nil {
		return fmt.Errorf("desk action: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%s: %w", key, orders.ErrAlreadyDone)
	}
	return nil
}

// settleAction records what the action of key acted on: the order and the change request
// (0: none).
func settleAction(ctx context.Context, tx *sqlx.Tx, key string, orderID, changeID int64) error {
	if key == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE desk_actions SET order_id = $2, change_id = $3 WHERE key = $1`,
		key, sql.NullInt64{Int64: orderID, Valid: orderID != 0}, sql.NullInt64{Int64: changeID, Valid: changeID != 0})
	if err != nil {
		return fmt.Errorf("desk action: %w", err)
	}
	return nil
}

// DeskAction returns the desk action recorded under key, or orders.ErrNotFound.
func (s *Store) DeskAction(ctx context.Context, key string) (orders.DeskAction, error) {
	var row struct {
		Key      string `db:"key"`
		Kind     string `db:"kind"`
		Number   string `db:"number"`
		ChangeID int64  `db:"change_id"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT a.key, a.kind, COALESCE(o.number, '') AS number, COALESCE(a.change_id, 0) AS change_id
		FROM desk_actions a LEFT JOIN orders o ON o.id = a.order_id WHERE a.key = $1`, key)
	if err != nil {
		return orders.DeskAction{}, fail("desk action", err)
	}
	return orders.DeskAction{Key: row.Key, Kind: row.Kind, Number: row.Number, ChangeID: row.ChangeID}, nil
}

// OrderByKey returns the order placed with the draft key, or orders.ErrNotFound.
func (s *Store) OrderByKey(ctx context.Context, key string) (orders.Order, error) {
	if key == "" {
		return orders.Order{}, fail("order by key", sql.ErrNoRows)
	}
	o, err := s.orderByKey(ctx, key)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = orders.ErrNotFound
		}
		return orders.Order{}, fail("order by key", err)
	}
	return o, nil
}
