// Package testenv gives tests their own PostgreSQL database and Redis namespace on the real
// servers named by ORDERBOT_TEST_DATABASE_URL and ORDERBOT_TEST_REDIS_URL (`make test` and
// scripts/services.sh start both locally).
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver
	"github.com/redis/go-redis/v9"
)

const hint = "start the local services with `make test` (or `eval $(scripts/services.sh up)` and export ORDERBOT_TEST_DATABASE_URL=$ORDERBOT_DATABASE_URL ORDERBOT_TEST_REDIS_URL=$ORDERBOT_REDIS_URL)"

// RandomName returns prefix followed by 12 random hex digits.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// AdminURL returns the URL of the server's maintenance connection, failing the test when the
// variable is unset.
func AdminURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("ORDERBOT_TEST_DATABASE_URL")
	if u == "" {
		tb.Fatalf("ORDERBOT_TEST_DATABASE_URL is not set: %s", hint)
	}
	return u
}

// CreateDatabase creates a database named name (from template when not empty) on the test
// server and returns its URL. The database is dropped when the test ends.
func CreateDatabase(tb testing.TB, name, template string) string {
	tb.Helper()
	admin := AdminURL(tb)
	db, err := sqlx.Open("postgres", admin)
	if err != nil {
		tb.Fatalf("open %s: %v", admin, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stmt := "CREATE DATABASE " + quoteIdent(name)
	if template != "" {
		stmt += " TEMPLATE " + quoteIdent(template)
	}
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		tb.Fatalf("%s: %v (%s)", stmt, err, hint)
	}
	tb.Cleanup(func() { DropDatabase(tb, name) })
	return WithDatabase(tb, admin, name)
}

// DropDatabase drops the database, closing other sessions to it.
func DropDatabase(tb testing.TB, name string) {
	db, err := sqlx.Open("postgres", AdminURL(tb))
	if err != nil {
		tb.Errorf("open admin: %v", err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
		tb.Errorf("drop database %s: %v", name, err)
	}
}

// WithDatabase returns the URL u pointing at database name.
func WithDatabase(tb testing.TB, u, name string) string {
	tb.Helper()
	p, err := url.Parse(u)
	if err != nil {
		tb.Fatalf("parse database URL: %v", err)
	}
	p.Path = "/" + name
	return p.String()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Redis returns a client of the test Redis server and a key prefix of the test's own;
// keys under the prefix are deleted when the test ends.
func Redis(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	u := os.Getenv("ORDERBOT_TEST_REDIS_URL")
	if u == "" {
		tb.Fatalf("ORDERBOT_TEST_REDIS_URL is not set: %s", hint)
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		tb.Fatalf("ORDERBOT_TEST_REDIS_URL: %v", err)
	}
	opt.PoolSize = 64
	client := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		tb.Fatalf("redis %s: %v (%s)", u, err, hint)
	}
	prefix := RandomName("test:") + ":"
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	return client, prefix
}

// Env reports the variables tests need, for messages.
func Env() string {
	return fmt.Sprintf("ORDERBOT_TEST_DATABASE_URL=%q ORDERBOT_TEST_REDIS_URL=%q",
		os.Getenv("ORDERBOT_TEST_DATABASE_URL"), os.Getenv("ORDERBOT_TEST_REDIS_URL"))
}
