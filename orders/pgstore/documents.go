package pgstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
)

// documentsLock is the class of the transaction advisory lock that serializes the
// numbering of one order's document versions (the object is the order's id).
const documentsLock = 0x646f6373 // "docs"

type documentRow struct {
	ID             int64          `db:"id"`
	Number         string         `db:"number"`
	Kind           string         `db:"kind"`
	Version        int            `db:"version"`
	Lang           string         `db:"lang"`
	Event          string         `db:"event"`
	SHA256         string         `db:"sha256"`
	Size           int            `db:"size"`
	Reason         string         `db:"reason"`
	Amended        bool           `db:"amended"`
	Acceptance     sql.NullString `db:"acceptance"`
	AcceptedSHA256 string         `db:"accepted_sha256"`
	Data           []byte         `db:"data"`
	CreatedAt      time.Time      `db:"created_at"`
}

const documentColumns = `d.id, o.number, d.kind, d.version, d.lang, d.event, d.sha256, d.size, d.reason,
	d.amended, d.acceptance::text AS acceptance, d.accepted_sha256, d.created_at`

func (r documentRow) document() (orders.Document, error) {
	d := orders.Document{ID: r.ID, Number: r.Number, Kind: r.Kind, Version: r.Version, Lang: r.Lang, Event: r.Event,
		SHA256: r.SHA256, Size: r.Size, Reason: r.Reason, Amended: r.Amended, AcceptedSHA256: r.AcceptedSHA256,
		CreatedAt: r.CreatedAt, Data: r.Data}
	if r.Acceptance.Valid {
		d.Acceptance = &orders.Acceptance{}
		if err := json.Unmarshal([]byte(r.Acceptance.String), d.Acceptance); err != nil {
			return d, fmt.Errorf("document %d: acceptance: %w", r.ID, err)
		}
	}
	return d, nil
}

func documents(rows []documentRow) ([]orders.Document, error) {
	out := make([]orders.Document, len(rows))
	for i, r := range rows {
		d, err := r.document()
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// Payments lists the payments of the order, oldest first.
func (s *Store) Payments(ctx context.Context, number string) ([]orders.Payment, error) {
	var rows []struct {
		Amount decimal.Decimal `db:"amount"`
		Method string          `db:"method"`
		Actor  string          `db:"actor"`
		At     time.Time       `db:"at"`
	}
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT id FROM orders WHERE number = $1`, number); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, `SELECT amount, method, actor, at FROM payments WHERE order_id = $1 ORDER BY id`, id)
	})
	if err != nil {
		return nil, fail("payments of "+number, err)
	}
	out := make([]orders.Payment, len(rows))
	for i, r := range rows {
		out[i] = orders.Payment{Amount: r.Amount, Method: r.Method, Actor: r.Actor, At: r.At}
	}
	return out, nil
}

// Documents lists the archived documents of the order, without their bytes, oldest first.
func (s *Store) Documents(ctx context.Context, number string) ([]orders.Document, error) {
	var rows []documentRow
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT id FROM orders WHERE number = $1`, number); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, `SELECT `+documentColumns+`
			FROM documents d JOIN orders o ON o.id = d.order_id
			WHERE d.order_id = $1 ORDER BY d.kind = 'confirmation' DESC, d.id`, id)
	})
	if err != nil {
		return nil, fail("documents of "+number, err)
	}
	out, err := documents(rows)
	if err != nil {
		return nil, fail("documents of "+number, err)
	}
	return out, nil
}

// Document returns the kind's version (0: the latest) of the order's documents in lang
// ("": the version's first language), with its bytes.
func (s *Store) Document(ctx context.Context, number, kind string, version int, lang string) (orders.Document, error) {
	var rows []documentRow
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `SELECT `+documentColumns+`, d.data
			FROM documents d JOIN orders o ON o.id = d.order_id
			WHERE o.number = $1 AND d.kind = $2 AND ($3 = 0 OR d.version = $3) AND ($4 = '' OR d.lang = $4)
			ORDER BY d.version DESC, d.id LIMIT 1`, number, kind, version, lang)
	})
	if err == nil && len(rows) == 0 {
		err = orders.ErrNotFound
	}
	if err != nil {
		return orders.Document{}, fail(fmt.Sprintf("document %s %s v%d", number, kind, version), err)
	}
	d, err := rows[0].document()
	if err != nil {
		return orders.Document{}, fail("document", err)
	}
	return d, nil
}

// DocumentByID returns one archived document with its bytes.
func (s *Store) DocumentByID(ctx context.Context, id int64) (orders.Document, error) {
	var r documentRow
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &r, `SELECT `+documentColumns+`, d.data
			FROM documents d JOIN orders o ON o.id = d.order_id WHERE d.id = $1`, id)
	})
	if err != nil {
		return orders.Document{}, fail(fmt.Sprintf("document %d", id), err)
	}
	d, err := r.document()
	if err != nil {
		return orders.Document{}, fail("document", err)
	}
	return d, nil
}

// DocumentVersion returns the version of the event's document: its own when a language of
// it is archived, else the kind's next version for the order.
func (s *Store) DocumentVersion(ctx context.Context, number, kind, event string) (int, error) {
	var v int
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT id FROM orders WHERE number = $1`, number); err != nil {
			return err
		}
		var err error
		v, err = documentVersion(ctx, tx, id, kind, event)
		return err
	})
	if err != nil {
		return 0, fail("document version", err)
	}
	return v, nil
}

func documentVersion(ctx context.Context, tx *sqlx.Tx, orderID int64, kind, event string) (int, error) {
	var v int
	err := tx.GetContext(ctx, &v, `
		SELECT COALESCE(
			(SELECT version FROM documents WHERE order_id = $1 AND kind = $2 AND event = $3 LIMIT 1),
			(SELECT max(version) + 1 FROM documents WHERE order_id = $1 AND kind = $2),
			1)`, orderID, kind, event)
	return v, err
}

// SaveDocument archives d and returns the stored document: the one already archived for
// the same event and language when there is one (a job run again, two recipients of one
// language), so that every copy of a version is the same bytes. ErrConflict when d.Version
// is no longer the event's version.
func (s *Store) SaveDocument(ctx context.Context, d orders.Document) (orders.Document, error) {
	if !orders.ValidDocumentKind(d.Kind) || d.Event == "" || len(d.Data) == 0 || d.Version <= 0 {
		return orders.Document{}, fail("save document", &orders.ValidationError{Field: "document", Reason: "kind, event, version and data are needed"})
	}
	sum := sha256.Sum256(d.Data)
	d.SHA256, d.Size = hex.EncodeToString(sum[:]), len(d.Data)
	var acceptance sql.NullString
	if d.Acceptance != nil {
		p, err := json.Marshal(d.Acceptance)
		if err != nil {
			return orders.Document{}, fail("save document", err)
		}
		acceptance = sql.NullString{String: string(p), Valid: true}
	}
	var out orders.Document
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var orderID int64
		if err := tx.GetContext(ctx, &orderID, `SELECT id FROM orders WHERE number = $1`, d.Number); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, documentsLock, int32(orderID)); err != nil {
			return err
		}
		var existing []documentRow
		err := tx.SelectContext(ctx, &existing, `SELECT `+documentColumns+`, d.data
			FROM documents d JOIN orders o ON o.id = d.order_id WHERE d.event = $1 AND d.lang = $2`, d.Event, d.Lang)
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			out, err = existing[0].document()
			return err
		}
		v, err := documentVersion(ctx, tx, orderID, d.Kind, d.Event)
		if err != nil {
			return err
		}
		if v != d.Version {
			return fmt.Errorf("version %d was rendered, %d is next: %w", d.Version, v, orders.ErrConflict)
		}
		var r documentRow
		err = tx.GetContext(ctx, &r, `
			WITH d AS (
				INSERT INTO documents (order_id, kind, version, lang, event, sha256, size, reason, amended,
					acceptance, accepted_sha256, data, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
				RETURNING *
			)
			SELECT `+documentColumns+`, d.data FROM d JOIN orders o ON o.id = d.order_id`,
			orderID, d.Kind, d.Version, d.Lang, d.Event, d.SHA256, d.Size, d.Reason, d.Amended,
			acceptance, d.AcceptedSHA256, d.Data, s.now())
		if err != nil {
			return err
		}
		out, err = r.document()
		return err
	})
	if err != nil {
		if errors.Is(err, orders.ErrConflict) {
			return orders.Document{}, fmt.Errorf("save document: %w", err)
		}
		return orders.Document{}, fail("save document", err)
	}
	return out, nil
}
