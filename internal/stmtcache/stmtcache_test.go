package stmtcache_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/orderbot/orderbot/internal/stmtcache"
	"github.com/orderbot/orderbot/internal/testenv"
)

// open returns one connection of a pool with the cache, on a database of the test's own.
func open(t *testing.T) (*sql.DB, *sql.Conn) {
	t.Helper()
	url := testenv.CreateDatabase(t, testenv.RandomName("stmtcache_"), "")
	c, err := pq.NewConnector(url)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(stmtcache.Wrap(c))
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return db, conn
}

// prepared counts the statements the server keeps prepared for the connection.
func prepared(t *testing.T, conn *sql.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRowContext(context.Background(), "SELECT count(*) FROM pg_prepared_statements").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatementsWithArgumentsArePreparedOncePerConnection(t *testing.T) {
	_, conn := open(t)
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (id int PRIMARY KEY, name text)"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES ($1, $2)", i, fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
		var name string
		if err := conn.QueryRowContext(ctx, "SELECT name FROM t WHERE id = $1", i).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint("n", i); name != want {
			t.Fatalf("row %d: name %q, want %q", i, name, want)
		}
	}
	if n := prepared(t, conn); n != 2 {
		t.Errorf("%d statements prepared on the connection, want 2 (one insert, one select)", n)
	}
	// Inside a transaction too, and a failing statement leaves the cache usable.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES ($1, $2)", 0, "dup"); err == nil {
		t.Fatal("a duplicate key was inserted")
	}
	_ = tx.Rollback()
	var count int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM t WHERE id >= $1", 0).Scan(&count); err != nil || count != 10 {
		t.Fatalf("count %d, %v; want 10", count, err)
	}
}

func TestAStatementTheServerForgotIsPreparedAgain(t *testing.T) {
	_, conn := open(t)
	ctx := context.Background()
	q := "SELECT $1::int + 1"
	var n int
	if err := conn.QueryRowContext(ctx, q, 1).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d, %v", n, err)
	}
	if _, err := conn.ExecContext(ctx, "DEALLOCATE ALL"); err != nil {
		t.Fatal(err)
	}
	// The first use after the server forgot it fails and is forgotten too; the next
	// prepares it again.
	_ = conn.QueryRowContext(ctx, q, 1).Scan(&n)
	if err := conn.QueryRowContext(ctx, q, 2).Scan(&n); err != nil || n != 3 {
		t.Fatalf("after DEALLOCATE: %d, %v; want 3", n, err)
	}
	// A table whose columns change under a prepared SELECT *.
	if _, err := conn.ExecContext(ctx, "CREATE TABLE s (id int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO s VALUES ($1)", 7); err != nil {
		t.Fatal(err)
	}
	sel := "SELECT * FROM s WHERE id = $1"
	if err := conn.QueryRowContext(ctx, sel, 7).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER TABLE s ADD COLUMN name text"); err != nil {
		t.Fatal(err)
	}
	var name sql.NullString
	_ = conn.QueryRowContext(ctx, sel, 7).Scan(&n, &name)
	if err := conn.QueryRowContext(ctx, sel, 7).Scan(&n, &name); err != nil || n != 7 {
		t.Fatalf("after ALTER TABLE: %d, %v", n, err)
	}
}

func TestAFullConnectionRunsFurtherStatementsUnprepared(t *testing.T) {
	_, conn := open(t)
	ctx := context.Background()
	for i := range stmtcache.Max + 20 {
		var n int
		q := fmt.Sprintf("SELECT $1::int + %d", i)
		if err := conn.QueryRowContext(ctx, q, 1).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("%s: %d, %v", q, n, err)
		}
	}
	if n := prepared(t, conn); n != stmtcache.Max {
		t.Errorf("%d statements prepared, want at most %d", n, stmtcache.Max)
	}
}

func TestCopyAndStatementsWithoutArgumentsPassThrough(t *testing.T) {
	db, conn := open(t)
	conn.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE c (id int, name text); CREATE INDEX ON c (id)"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.PrepareContext(ctx, pq.CopyIn("c", "id", "name"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := st.ExecContext(ctx, i, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ExecContext(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM c WHERE name = $1", "x").Scan(&n); err != nil || n != 100 {
		t.Fatalf("copied %d rows, %v; want 100", n, err)
	}
}
