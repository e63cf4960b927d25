package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/orderbot/orderbot/orders"
)

var _ orders.ComplaintStore = (*Store)(nil)

const complaintColumns = `id, order_number, customer_tg, customer_name, customer_lang, rep_tg, rep_name, status,
	source, rating, text, opened_at, respond_by, resolve_by, responded_at, resolved_at, closed_at,
	response_escalated, resolution_escalated`

type complaintRow struct {
	ID                  int64        `db:"id"`
	Number              string       `db:"order_number"`
	Customer            int64        `db:"customer_tg"`
	CustomerName        string       `db:"customer_name"`
	CustomerLang        string       `db:"customer_lang"`
	Rep                 int64        `db:"rep_tg"`
	RepName             string       `db:"rep_name"`
	Status              string       `db:"status"`
	Source              string       `db:"source"`
	Rating              int          `db:"rating"`
	Text                string       `db:"text"`
	OpenedAt            time.Time    `db:"opened_at"`
	RespondBy           time.Time    `db:"respond_by"`
	ResolveBy           time.Time    `db:"resolve_by"`
	RespondedAt         sql.NullTime `db:"responded_at"`
	ResolvedAt          sql.NullTime `db:"resolved_at"`
	ClosedAt            sql.NullTime `db:"closed_at"`
	ResponseEscalated   bool         `db:"response_escalated"`
	ResolutionEscalated bool         `db:"resolution_escalated"`
}

func (r complaintRow) complaint() orders.Complaint {
	return orders.Complaint{
		ID: r.ID, Number: r.Number, Customer: r.Customer, CustomerName: r.CustomerName, CustomerLang: r.CustomerLang,
		Rep: r.Rep, RepName: r.RepName, Status: orders.ComplaintStatus(r.Status), Source: r.Source, Rating: r.Rating,
		Text: r.Text, OpenedAt: r.OpenedAt, RespondBy: r.RespondBy, ResolveBy: r.ResolveBy,
		RespondedAt: r.RespondedAt.Time, ResolvedAt: r.ResolvedAt.Time, ClosedAt: r.ClosedAt.Time,
		ResponseEscalated: r.ResponseEscalated, ResolutionEscalated: r.ResolutionEscalated,
	}
}

// CreateComplaint stores a complaint with its first message and notifications in one
// transaction; a second complaint from one order's survey is not made.
func (s *Store) CreateComplaint(ctx context.Context, c orders.Complaint, m orders.ComplaintMessage, ns func(orders.Complaint) []orders.Notification) (orders.Complaint, bool, error) {
	var row complaintRow
	created := false
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		created = false
		err := tx.GetContext(ctx, &row, `
			INSERT INTO complaints (order_number, customer_tg, customer_name, customer_lang, rep_tg, rep_name,
				status, source, rating, text, opened_at, respond_by, resolve_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (order_number) WHERE source = 'survey' DO NOTHING
			RETURNING `+complaintColumns,
			c.Number, c.Customer, c.CustomerName, c.CustomerLang, c.Rep, c.RepName, string(c.Status), c.Source,
			c.Rating, c.Text, c.OpenedAt, c.RespondBy, c.ResolveBy)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.GetContext(ctx, &row, `SELECT `+complaintColumns+` FROM complaints WHERE order_number = $1 AND source = 'survey'`, c.Number)
		}
		if err != nil {
			return err
		}
		created = true
		m.Complaint = row.ID
		if err := insertComplaintMessage(ctx, tx, m); err != nil {
			return err
		}
		var list []orders.Notification
		if ns != nil {
			list = ns(row.complaint())
		}
		if err := checkNotifications(list); err != nil {
			return err
		}
		return s.queueNotifications(ctx, tx, 0, c.Number, list)
	})
	if err != nil {
		return orders.Complaint{}, false, fail("create complaint", err)
	}
	return row.complaint(), created, nil
}

func insertComplaintMessage(ctx context.Context, tx *sqlx.Tx, m orders.ComplaintMessage) error {
	if m.Text == "" && len(m.Photos) == 0 {
		return nil
	}
	photos := m.Photos
	if photos == nil {
		photos = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO complaint_messages (complaint_id, sender, text, photos, sent_at) VALUES ($1, $2, $3, $4, $5)`,
		m.Complaint, m.From, m.Text, pq.Array(photos), m.At)
	return err
}

// UpdateComplaint changes a complaint under its row lock: see orders.ComplaintStore.
func (s *Store) UpdateComplaint(ctx context.Context, id int64, fn func(c *orders.Complaint) (orders.ComplaintChange, error)) (orders.Complaint, error) {
	var before, after orders.Complaint
	var fnErr error
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		fnErr = nil
		var row complaintRow
		if err := tx.GetContext(ctx, &row, `SELECT `+complaintColumns+` FROM complaints WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		before = row.complaint()
		c := before
		ch, err := fn(&c)
		if err != nil {
			fnErr = err
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE complaints SET rep_tg = $2, rep_name = $3, status = $4, responded_at = $5, resolved_at = $6,
				closed_at = $7, response_escalated = $8, resolution_escalated = $9
			WHERE id = $1`,
			id, c.Rep, c.RepName, string(c.Status), timeArg(c.RespondedAt), timeArg(c.ResolvedAt), timeArg(c.ClosedAt),
			c.ResponseEscalated, c.ResolutionEscalated)
		if err != nil {
			return err
		}
		if ch.Message != nil {
			m := *ch.Message
			m.Complaint = id
			if err := insertComplaintMessage(ctx, tx, m); err != nil {
				return err
			}
		}
		if err := checkNotifications(ch.Notifications); err != nil {
			return err
		}
		if err := s.queueNotifications(ctx, tx, 0, c.Number, ch.Notifications); err != nil {
			return err
		}
		after = c
		return nil
	})
	if fnErr != nil {
		return before, fmt.Errorf("complaint %d: %w", id, fnErr)
	}
	if err != nil {
		return orders.Complaint{}, fail(fmt.Sprintf("update complaint %d", id), err)
	}
	return after, nil
}

// Complaint returns one complaint.
func (s *Store) Complaint(ctx context.Context, id int64) (orders.Complaint, error) {
	var row complaintRow
	if err := s.db.GetContext(ctx, &row, `SELECT `+complaintColumns+` FROM complaints WHERE id = $1`, id); err != nil {
		return orders.Complaint{}, fail(fmt.Sprintf("complaint %d", id), err)
	}
	return row.complaint(), nil
}

// ComplaintMessages returns the messages of a complaint in the order they were written.
func (s *Store) ComplaintMessages(ctx context.Context, id int64) ([]orders.ComplaintMessage, error) {
	var rows []struct {
		ID     int64          `db:"id"`
		Sender string         `db:"sender"`
		Text   string         `db:"text"`
		Photos pq.StringArray `db:"photos"`
		At     time.Time      `db:"sent_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, sender, text, photos, sent_at FROM complaint_messages WHERE complaint_id = $1 ORDER BY id`, id); err != nil {
		return nil, fail("complaint messages", err)
	}
	out := make([]orders.ComplaintMessage, 0, len(rows))
	for _, r := range rows {
		out = append(out, orders.ComplaintMessage{ID: r.ID, Complaint: id, From: r.Sender, Text: r.Text, Photos: r.Photos, At: r.At})
	}
	return out, nil
}

// Complaints lists complaints, the oldest first.
func (s *Store) Complaints(ctx context.Context, f orders.ComplaintFilter) ([]orders.Complaint, error) {
	q := newQuery(`SELECT ` + complaintColumns + ` FROM complaints`)
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		q.and("status = ANY(" + q.arg(pq.Array(st)) + ")")
	}
	if f.Customer != 0 {
		q.and("customer_tg = " + q.arg(f.Customer))
	}
	if f.Number != "" {
		q.and("order_number = " + q.arg(f.Number))
	}
	if !f.OpenedFrom.IsZero() {
		q.and("opened_at >= " + q.arg(f.OpenedFrom))
	}
	if !f.OpenedBefore.IsZero() {
		q.and("opened_at < " + q.arg(f.OpenedBefore))
	}
	q.add(" ORDER BY opened_at, id")
	if f.Limit > 0 {
		q.page(f.Limit, 0)
	}
	var rows []complaintRow
	if err := s.db.SelectContext(ctx, &rows, q.String(), q.args...); err != nil {
		return nil, fail("complaints", err)
	}
	out := make([]orders.Complaint, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.complaint())
	}
	return out, nil
}
