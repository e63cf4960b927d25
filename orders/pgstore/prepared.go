package pgstore

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// prepared runs the statements of the hot paths (a placement, a channel request) as
// prepared statements: each is parsed and planned once per connection instead of at every
// run (planning the channel's key lookup cost PostgreSQL more than running it). In a
// transaction, a statement prepared on the pool is reused on the transaction's connection
// (database/sql keeps it prepared there after the transaction).
//
// Only fixed statements go through it (the cache keeps every distinct text); a statement
// that cannot be prepared runs as usual and fails there with its own error.
type prepared struct {
	s  *Store
	tx *sqlx.Tx // nil: the pool
}

func (s *Store) prep(tx *sqlx.Tx) prepared { return prepared{s: s, tx: tx} }

// base is where a statement runs unprepared.
func (p prepared) base() interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
} {
	if p.tx != nil {
		return p.tx
	}
	return p.s.db
}

// stmt returns the statement prepared, nil to run it unprepared this time. In a
// transaction it is prepared on the transaction's own connection once the pool has it
// (a first use is run unprepared while the pool prepares it in the background).
func (p prepared) stmt(ctx context.Context, query string) *sqlx.Stmt {
	if p.tx != nil {
		st := p.s.cachedStmt(query)
		if st == nil {
			p.s.prepareLater(query)
			return nil
		}
		return p.tx.StmtxContext(ctx, st)
	}
	st, err := p.s.prepare(ctx, query)
	if err != nil {
		return nil
	}
	return &sqlx.Stmt{Stmt: st, Mapper: p.s.db.Mapper}
}

func (p prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.base().QueryContext(ctx, query, args...)
}

func (p prepared) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryxContext(ctx, args...)
	}
	return p.base().QueryxContext(ctx, query, args...)
}

func (p prepared) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowxContext(ctx, args...)
	}
	return p.base().QueryRowxContext(ctx, query, args...)
}

func (p prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.base().ExecContext(ctx, query, args...)
}

// GetContext and SelectContext are sqlx's, on prepared statements.
func (p prepared) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return sqlx.GetContext(ctx, p, dest, query, args...)
}

func (p prepared) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, p, dest, query, args...)
}
