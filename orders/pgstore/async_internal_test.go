package pgstore

import (
	"database/sql"
	"os"
	"testing"
)

// asyncCommit lasts for its own statement only: the statement runs (and commits) with
// synchronous_commit off, and the connection, back in the pool, commits synchronously
// again — an order's commit must never become asynchronous by reusing it.
func TestAsyncCommitStaysInItsStatement(t *testing.T) {
	url := os.Getenv("ORDERBOT_TEST_DATABASE_URL")
	if url == "" {
		t.Fatal("ORDERBOT_TEST_DATABASE_URL is not set: start the local services with `make test`")
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 2 { // a parameter: the extended protocol, as the store's statements use it
		var inside, after string
		if err := conn.QueryRowContext(t.Context(), asyncCommit+` SELECT current_setting('synchronous_commit') || $1 FROM async`,
			"").Scan(&inside); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(t.Context(), `SHOW synchronous_commit`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if inside != "off" || after != "on" {
			t.Errorf("synchronous_commit %q in the statement, %q after it; want off, then on", inside, after)
		}
	}
}
