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

var _ orders.TeamStore = (*Store)(nil)

// CreateInvite stores an invitation (its token's hash, never the token).
func (s *Store) CreateInvite(ctx context.Context, inv orders.Invite) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO staff_invites (token_hash, role, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		inv.Hash, string(inv.Role), inv.CreatedBy, s.now(), inv.ExpiresAt)
	if err != nil {
		return fail("create invitation", err)
	}
	return nil
}

// RedeemInvite uses the invitation once: under its row lock, a second use or one past the
// expiry is refused; the staff member is added (or updated: an inactive member comes back)
// with the invitation's role in the same transaction.
func (s *Store) RedeemInvite(ctx context.Context, hash []byte, now time.Time, st orders.Staff) (orders.Staff, error) {
	var row staffRow
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var inv struct {
			ID      int64        `db:"id"`
			Role    string       `db:"role"`
			Expires time.Time    `db:"expires_at"`
			UsedAt  sql.NullTime `db:"used_at"`
		}
		err := tx.GetContext(ctx, &inv, `SELECT id, role, expires_at, used_at FROM staff_invites WHERE token_hash = $1 FOR UPDATE`, hash)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return orders.ErrNotFound
		case err != nil:
			return err
		case inv.UsedAt.Valid:
			return orders.ErrInviteUsed
		case !now.Before(inv.Expires):
			return orders.ErrInviteExpired
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_invites SET used_by = $2, used_at = $3 WHERE id = $1`, inv.ID, st.TelegramID, now); err != nil {
			return err
		}
		return tx.GetContext(ctx, &row, `
			INSERT INTO staff (telegram_id, name, role, active, language, created_at, updated_at)
			VALUES ($1, $2, $3, true, $4, $5, $5)
			ON CONFLICT (telegram_id) DO UPDATE SET role = EXCLUDED.role, active = true,
				language = COALESCE(NULLIF(EXCLUDED.language, ''), staff.language), updated_at = EXCLUDED.updated_at
			RETURNING `+staffColumns,
			st.TelegramID, st.Name, inv.Role, st.Language, now)
	})
	if err != nil {
		return orders.Staff{}, fail(fmt.Sprintf("redeem invitation for %d", st.TelegramID), err)
	}
	return row.staff(), nil
}
