// Package pgstoretest gives each test its own migrated orderbot database on the PostgreSQL
// server named by ORDERBOT_TEST_DATABASE_URL (see internal/testenv).
//
// The first call in a test process makes sure a template database exists that holds the
// current schema: its name carries a hash of the migration files, so a template of an older
// schema is never used. The template is built once per schema, under an advisory lock that
// concurrent test processes share, and kept for later runs. Every test then gets a clone of
// it, which is fast, and which is dropped when the test ends.
package pgstoretest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// templatePrefix starts the names of template databases. A template that a newer schema
// replaced can be dropped with `ALTER DATABASE name IS_TEMPLATE false; DROP DATABASE name`.
const templatePrefix = "orderbot_tpl_"

// lockKey is the key of the session advisory lock that serializes template builds.
const lockKey = 0x6f7264626f745f74 // "orderbot_t"

// buildTimeout bounds the wait for the lock and the build of the template.
const buildTimeout = 3 * time.Minute

// template is the template database of this process, built by the first New.
var template struct {
	once sync.Once
	name string
	err  error
}

// New returns a Store on a new database with the current schema, closed and dropped when
// the test ends. It fails the test when the server is not available.
func New(tb testing.TB) *pgstore.Store {
	tb.Helper()
	admin := testenv.AdminURL(tb)
	template.once.Do(func() { template.name, template.err = ensureTemplate(admin) })
	if template.err != nil {
		tb.Fatalf("pgstoretest: template database: %v", template.err)
	}
	dbURL := testenv.CreateDatabase(tb, testenv.RandomName("orderbot_t_"), template.name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := pgstore.Open(ctx, dbURL)
	if err != nil {
		tb.Fatalf("pgstoretest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// templateName returns the name of the template database of the current schema.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(pgstore.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(pgstore.Migrations(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return templatePrefix + hex.EncodeToString(h.Sum(nil))[:20], nil
}

// ensureTemplate returns the name of the template database of the current schema, building
// it when it does not exist yet.
func ensureTemplate(adminURL string) (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	admin, err := sqlx.Open("postgres", adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	// One session: the advisory lock belongs to it.
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	defer conn.Close()

	exists := func() (bool, error) {
		var ok bool
		err := conn.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name)
		return ok, err
	}
	if ok, err := exists(); err != nil || ok {
		return name, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(lockKey)); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(lockKey))
	}()
	if ok, err := exists(); err != nil || ok {
		return name, err // another process built it while this one waited
	}

	// Build under a temporary name and rename when complete: a build that died half way
	// never leaves a database with the final name.
	build := name + "_build"
	for _, stmt := range []string{
		`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(build) + ` WITH (FORCE)`,
		`CREATE DATABASE ` + pq.QuoteIdentifier(build) + ` TEMPLATE template0`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return "", fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if err := migrate(ctx, adminURL, build); err != nil {
		return "", errors.Join(err, dropDatabase(conn, build))
	}
	for _, stmt := range []string{
		`ALTER DATABASE ` + pq.QuoteIdentifier(build) + ` RENAME TO ` + pq.QuoteIdentifier(name),
		// Nobody may connect to the template: a session there would make cloning fail.
		`ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return "", fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return name, nil
}

// migrate applies the migrations to database name.
func migrate(ctx context.Context, adminURL, name string) error {
	u, err := url.Parse(adminURL)
	if err != nil {
		return fmt.Errorf("parse database URL: %w", err)
	}
	u.Path = "/" + name
	s, err := pgstore.Open(ctx, u.String())
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
}

func dropDatabase(conn *sqlx.Conn, name string) error {
	_, err := conn.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`)
	return err
}

// redact hides the password of a database URL.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}
