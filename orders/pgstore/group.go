package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/orderbot/orderbot/orders"
)

var _ orders.GroupStore = (*Store)(nil)

type groupRow struct {
	ChatID   int64     `db:"chat_id"`
	Title    string    `db:"title"`
	Language string    `db:"language"`
	BoundBy  string    `db:"bound_by"`
	BoundAt  time.Time `db:"bound_at"`
}

func (r groupRow) group() orders.StaffGroup {
	return orders.StaffGroup{ChatID: r.ChatID, Title: r.Title, Language: r.Language, BoundBy: r.BoundBy, BoundAt: r.BoundAt}
}

const groupColumns = `chat_id, title, language, bound_by, bound_at`

// StaffGroup returns the bound staff group, or orders.ErrNotFound.
func (s *Store) StaffGroup(ctx context.Context) (orders.StaffGroup, error) {
	var row groupRow
	if err := s.db.GetContext(ctx, &row, `SELECT `+groupColumns+` FROM staff_group`); err != nil {
		return orders.StaffGroup{}, fail("staff group", err)
	}
	return row.group(), nil
}

// BindStaffGroup makes g the staff group, replacing any other.
func (s *Store) BindStaffGroup(ctx context.Context, g orders.StaffGroup) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO staff_group (singleton, chat_id, title, language, bound_by, bound_at) VALUES (true, $1, $2, $3, $4, $5)
		ON CONFLICT (singleton) DO UPDATE SET chat_id = EXCLUDED.chat_id, title = EXCLUDED.title,
			language = EXCLUDED.language, bound_by = EXCLUDED.bound_by, bound_at = EXCLUDED.bound_at`,
		g.ChatID, g.Title, g.Language, g.BoundBy, g.BoundAt)
	if err != nil {
		return fail("bind staff group", err)
	}
	return nil
}

// UnbindStaffGroup removes the binding of the group chatID.
func (s *Store) UnbindStaffGroup(ctx context.Context, chatID int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM staff_group WHERE chat_id = $1`, chatID)
	if err != nil {
		return false, fail("unbind staff group", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetStaffGroupLanguage sets the language of the staff group's messages.
func (s *Store) SetStaffGroupLanguage(ctx context.Context, chatID int64, lang string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE staff_group SET language = $2 WHERE chat_id = $1`, chatID, lang)
	if err != nil {
		return false, fail("staff group language", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// MoveStaffGroup follows a group that became a supergroup. The notifications to the group
// not sent yet move with it, so that what they send is recorded in the chat it went to
// (later edits and claims find the card there); the messages sent before stay in the old
// group, which cannot be written to any more.
func (s *Store) MoveStaffGroup(ctx context.Context, from, to int64) (bool, error) {
	var n int64
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE staff_group SET chat_id = $2 WHERE chat_id = $1`, from, to)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET chat_id = $2 WHERE chat_id = $1 AND status <> 'sent'`, from, to)
		return err
	})
	if err != nil {
		return false, fail("move staff group", err)
	}
	return n > 0, nil
}

// ClaimCard records the first claim of a card; a later one gets orders.ErrCardClaimed with
// the first. The first claimer becomes responsible for what the card announced in the same
// transaction: see orders.GroupStore.ClaimCard.
func (s *Store) ClaimCard(ctx context.Context, c orders.CardClaim) (orders.CardClaim, error) {
	var row struct {
		StaffID   int64     `db:"staff_id"`
		StaffName string    `db:"staff_name"`
		At        time.Time `db:"claimed_at"`
		Kind      string    `db:"kind"`
		Number    string    `db:"number"`
	}
	var won bool
	got := c
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		got = c
		var card struct {
			Kind     string         `db:"kind"`
			OrderID  sql.NullInt64  `db:"order_id"`
			Number   sql.NullString `db:"number"`
			ChangeID sql.NullInt64  `db:"change_id"`
			Day      sql.NullString `db:"day"`
		}
		err := tx.GetContext(ctx, &card, `
			SELECT n.kind, n.order_id, o.number, (n.payload->>'change_id')::bigint AS change_id, n.payload->>'date' AS day
			FROM notifications n LEFT JOIN orders o ON o.id = n.order_id
			WHERE n.chat_id = $1 AND n.message_id = $2 ORDER BY n.id DESC LIMIT 1`, c.ChatID, c.MessageID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO card_claims (chat_id, message_id, staff_id, staff_name, claimed_at, kind, number) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (chat_id, message_id) DO NOTHING`, c.ChatID, c.MessageID, c.StaffID, c.StaffName, c.At, card.Kind, card.Number.String)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tx.GetContext(ctx, &row, `SELECT staff_id, staff_name, claimed_at, kind, number FROM card_claims WHERE chat_id = $1 AND message_id = $2`,
				c.ChatID, c.MessageID)
		}
		won = true
		got.Kind, got.Number = card.Kind, card.Number.String
		got.Assigned, got.ChangeID, err = claimEffect(ctx, tx, c.StaffID, card.Kind, card.OrderID, card.Number.String, card.ChangeID, card.Day)
		return err
	})
	if err != nil {
		return orders.CardClaim{}, fail("claim card", err)
	}
	if won {
		return got, nil
	}
	return orders.CardClaim{ChatID: c.ChatID, MessageID: c.MessageID, StaffID: row.StaffID, StaffName: row.StaffName, At: row.At,
		Kind: row.Kind, Number: row.Number}, orders.ErrCardClaimed
}

// claimEffect makes the claimer of a card of kind responsible for what it announced: see
// orders.GroupStore.ClaimCard.
func claimEffect(ctx context.Context, tx *sqlx.Tx, staff int64, kind string, orderID sql.NullInt64, number string,
	changeID sql.NullInt64, day sql.NullString) ([]string, int64, error) {
	switch kind {
	case orders.NoticeReviewRequested, orders.NoticeReviewStale, orders.NoticeCustomerUnreachable:
		if !orderID.Valid {
			return nil, 0, nil
		}
		cond := ""
		if kind != orders.NoticeCustomerUnreachable {
			cond = ` AND status = 'pending_review'`
		}
		res, err := tx.ExecContext(ctx, `UPDATE orders SET rep_telegram_id = $2 WHERE id = $1`+cond, orderID.Int64, staff)
		if err != nil {
			return nil, 0, fmt.Errorf("assign the order: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, 0, nil
		}
		return []string{number}, 0, nil
	case orders.NoticeChangeRequested:
		if !changeID.Valid {
			return nil, 0, nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE change_requests SET handler_telegram_id = $2 WHERE id = $1 AND status = 'pending'`,
			changeID.Int64, staff)
		if err != nil {
			return nil, 0, fmt.Errorf("hand the change request: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, 0, nil
		}
		return nil, changeID.Int64, nil
	case orders.NoticeOverdueAlert:
		if !day.Valid || day.String == "" {
			return nil, 0, nil
		}
		var numbers []string
		err := tx.SelectContext(ctx, &numbers, `
			UPDATE orders SET rep_telegram_id = $1
			WHERE rep_telegram_id IS NULL AND promised_date < $2::date
				AND status IN ('confirmed', 'in_production', 'quality_check', 'shipped')
			RETURNING number`, staff, day.String)
		if err != nil {
			return nil, 0, fmt.Errorf("assign overdue orders: %w", err)
		}
		slices.Sort(numbers)
		return numbers, 0, nil
	}
	return nil, 0, nil
}

// SetGroupCopies sets whether the staff member gets private copies of the group's cards.
func (s *Store) SetGroupCopies(ctx context.Context, telegramID int64, on bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE staff SET group_copies = $2, updated_at = now() WHERE telegram_id = $1`, telegramID, on)
	if err != nil {
		return fail("set group copies", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fail(fmt.Sprintf("staff %d", telegramID), orders.ErrNotFound)
	}
	return nil
}

// routeToGroup rewrites the notifications for the staff group, when one is bound, inside
// the transaction that queues them: see orders.RouteToGroup.
func routeToGroup(ctx context.Context, tx *sqlx.Tx, ns []orders.Notification) ([]orders.Notification, error) {
	var g groupRow
	err := tx.GetContext(ctx, &g, `SELECT `+groupColumns+` FROM staff_group`)
	if errors.Is(err, sql.ErrNoRows) {
		return ns, nil
	} else if err != nil {
		return nil, fmt.Errorf("staff group: %w", err)
	}
	var rows []staffRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+staffColumns+` FROM staff WHERE active`); err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	staff := make([]orders.Staff, len(rows))
	for i, r := range rows {
		staff[i] = r.staff()
	}
	return orders.RouteToGroup(ns, g.group(), staff), nil
}

// ComplaintCards returns the message ids of the cards announcing the complaint sent to
// chatID (complaint_new), and how many of them are not sent yet.
func (s *Store) ComplaintCards(ctx context.Context, complaint int64, chatID int64) ([]int, int, error) {
	var rows []noticeMessage
	err := s.db.SelectContext(ctx, &rows, `
		SELECT status, message_id FROM notifications
		WHERE chat_id = $1 AND kind = $2 AND payload->>'complaint' = $3 ORDER BY id`,
		chatID, orders.NoticeComplaintNew, fmt.Sprint(complaint))
	if err != nil {
		return nil, 0, fail("complaint cards", err)
	}
	ids, unsent := sentMessages(rows)
	return ids, unsent, nil
}

// CardCopies returns the kind and order of the notification sent as the message, and the
// staff members who got a private copy of it (its key with their id instead of "group"),
// with their languages.
func (s *Store) CardCopies(ctx context.Context, chatID int64, messageID int) (string, string, map[int64]string, error) {
	var card struct {
		Kind   string         `db:"kind"`
		Key    string         `db:"key"`
		Number sql.NullString `db:"number"`
	}
	err := s.db.GetContext(ctx, &card, `
		SELECT n.kind, n.key, o.number FROM notifications n LEFT JOIN orders o ON o.id = n.order_id
		WHERE n.chat_id = $1 AND n.message_id = $2 ORDER BY n.id DESC LIMIT 1`, chatID, messageID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil, nil
	} else if err != nil {
		return "", "", nil, fail("card copies", err)
	}
	subject, ok := strings.CutSuffix(card.Key, ":group")
	if !ok {
		return card.Kind, card.Number.String, nil, nil
	}
	var rows []struct {
		Chat int64  `db:"chat_id"`
		Lang string `db:"language"`
	}
	err = s.db.SelectContext(ctx, &rows, `
		SELECT n.chat_id, st.language FROM notifications n JOIN staff st ON st.telegram_id = n.chat_id
		WHERE n.key = $1 || ':' || n.chat_id::text AND n.status = 'sent' AND n.kind = $2`, subject, card.Kind)
	if err != nil {
		return "", "", nil, fail("card copies", err)
	}
	copies := make(map[int64]string, len(rows))
	for _, r := range rows {
		copies[r.Chat] = r.Lang
	}
	return card.Kind, card.Number.String, copies, nil
}
