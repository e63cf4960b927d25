// Package pgstore implements orders.Store on PostgreSQL with sqlx and lib/pq.
//
// It owns the SQL, the embedded migrations (migrations/NNNN_name.sql, applied by Migrate), the
// translation of driver errors into the errors of package orders, and the notification
// outbox, written in the same transaction as the change it announces.
//
// Every public method is one transaction. Writes run at READ COMMITTED and rely on row locks
// and atomic conditional updates; a transaction that fails with a serialization failure or a
// deadlock is retried a few times.
package pgstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river"

	"github.com/orderbot/orderbot/internal/batch"
	"github.com/orderbot/orderbot/internal/stmtcache"
	"github.com/orderbot/orderbot/orders"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the SQL migrations, named NNNN_name.sql, that Migrate applies.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic("pgstore: embedded migrations: " + err.Error()) // unreachable: the directory is embedded
	}
	return sub
}

// Pool settings of Open.
const (
	connMaxIdleTime = 5 * time.Minute
	connMaxLifetime = 30 * time.Minute
	pingTimeout     = 10 * time.Second
)

// maxOpenConns is the size of Open's pool on a machine with cpus CPUs: twice the CPUs and
// two more, PostgreSQL's own rule of thumb for a server's active connections. More backends
// than that do not add throughput, they contend: with 20 connections on 2 CPUs PostgreSQL
// spent 0.70–0.73 core-ms per update of orderbench, with 6 0.50–0.62, and orderbot handled
// 10–17 % more updates/s (README, Performance).
func maxOpenConns(cpus int) int {
	return 2*cpus + 2
}

// Retries of a transaction that failed with a serialization failure or a deadlock.
const (
	maxAttempts  = 5
	retryBackoff = 10 * time.Millisecond
)

// Store is the PostgreSQL implementation of orders.Store. It is safe for concurrent use.
type Store struct {
	db   *sqlx.DB
	log  *slog.Logger
	now  func() time.Time
	jobs func() (*river.Client[*sql.Tx], error) // the outbox's job inserter, made once
	// Reads of the dialog's hot path, of concurrent chats in one statement (reads.go).
	productReads  batch.Group[[]string, productRead]
	customerReads batch.Group[int64, customerRead]
}

var _ orders.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithLogger sets the logger of migrations and retries (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// WithClock sets the clock that stamps changes: when an order was placed (unless the order
// says), changed, and when its history entries happened (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open connects to the PostgreSQL database at url (like
// "postgres://user@host:5432/orderbot?sslmode=disable"), checks that it answers and returns
// its Store. It does not migrate: call Migrate.
//
// Parameters are sent in lib/pq's binary_parameters mode, which sends a statement with its
// arguments in one round trip instead of two; every argument the Store passes is text or a
// scalar, never []byte, so nothing is sent in a binary format the server would misread.
// Statements with arguments are prepared once per connection (internal/stmtcache).
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	cfg.BinaryParameters = true
	conn, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(stmtcache.Wrap(conn)), "postgres")
	conns := maxOpenConns(runtime.NumCPU())
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	db.SetConnMaxLifetime(connMaxLifetime)
	s := New(db, opts...)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, pingTimeout)
		defer cancel()
	}
	if err := s.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// New returns a Store on an open database handle of the "postgres" driver (lib/pq).
// Close closes db.
func New(db *sqlx.DB, opts ...Option) *Store {
	s := &Store{db: db, log: slog.New(slog.DiscardHandler), now: time.Now, jobs: sync.OnceValues(newJobInserter)}
	for _, o := range opts {
		o(s)
	}
	s.productReads = batch.Group[[]string, productRead]{Run: s.readProducts, Max: maxBatchedReads}
	s.customerReads = batch.Group[int64, customerRead]{Run: s.readCustomers, Max: maxBatchedReads}
	return s
}

// Close closes the database handle.
func (s *Store) Close() { _ = s.db.Close() }

// DB returns the database handle, for code that shares the connection pool.
func (s *Store) DB() *sqlx.DB { return s.db }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return nil
}

// Migrate applies the migrations that the database lacks. Concurrent calls, from this or
// other processes, wait for each other on a PostgreSQL advisory lock.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrate(ctx, Migrations())
}

// migrate applies the migrations of fsys that the database lacks. A migration numbered
// below the database's latest one is applied too (features developed side by side take
// numbers from ranges of their own): each migration stands on its own.
func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, s.db.DB, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
		goose.WithAllowOutofOrder(true),
		goose.WithSlog(s.log),
	)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := migrateRiver(ctx, s.db.DB, s.log); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// txKind says what a transaction does.
type txKind int

const (
	// writeTx writes at READ COMMITTED: row locks and conditional updates make it enough.
	writeTx txKind = iota
	// readTx only reads, from one snapshot.
	readTx
)

func (k txKind) options() *sql.TxOptions {
	if k == readTx {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
}

// inTx runs fn in a transaction, committing when it returns nil. A transaction that fails
// with a serialization failure or a deadlock is run again, up to maxAttempts times, so fn
// must not keep state across calls except what it resets.
func (s *Store) inTx(ctx context.Context, kind txKind, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.runTx(ctx, kind.options(), fn)
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return err
		}
		s.log.DebugContext(ctx, "retrying transaction", "attempt", attempt, "err", err)
		wait := time.Duration(attempt)*retryBackoff + rand.N(retryBackoff)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

func (s *Store) runTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // after Commit a no-op; also on panic
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// retryable reports whether a transaction that failed with err may succeed when run again.
func retryable(err error) bool {
	return pq.As(err, pqerror.TRSerializationFailure, pqerror.TRDeadlockDetected) != nil
}

// translate turns driver errors into the errors of package orders: no rows is
// orders.ErrNotFound, a unique violation orders.ErrConflict, a violated constraint or bad
// data orders.ErrInvalid. The driver error stays in the chain for errors.As. Errors that
// already are domain errors, and others, are returned as they are.
func translate(err error) error {
	if err == nil || isDomain(err) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return orders.ErrNotFound
	}
	pqErr := pq.As(err)
	if pqErr == nil {
		return err
	}
	switch {
	case pqErr.Code == pqerror.UniqueViolation:
		return fmt.Errorf("%w: %w", orders.ErrConflict, err)
	case pqErr.Code.Class() == "23", // integrity constraint violation
		pqErr.Code.Class() == "22": // data exception, like a numeric overflow
		return fmt.Errorf("%w: %w", orders.ErrInvalid, err)
	}
	return err
}

// isDomain reports whether err already is one of the errors of package orders.
func isDomain(err error) bool {
	for _, target := range []error{
		orders.ErrNotFound, orders.ErrConflict, orders.ErrInvalid, orders.ErrInvalidTransition,
		orders.ErrOutOfStock, orders.ErrInactive, orders.ErrForbidden, orders.ErrAlreadyDone,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// fail wraps the error of operation op, translated, with the operation's name.
func fail(op string, err error) error {
	return fmt.Errorf("%s: %w", op, translate(err))
}
