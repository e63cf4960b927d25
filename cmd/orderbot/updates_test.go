package main

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	_ "github.com/lib/pq"
)

// An operator lists the dead letters (as a table and as JSON with the raw update) and
// hands one back to the inbox; an unknown id is refused by name.
func TestUpdatesFailedAndRetry(t *testing.T) {
	c := newCLI(t)
	db, err := sql.Open("postgres", c.vars["ORDERBOT_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if out, err := c.run("updates", "failed"); err != nil || !strings.Contains(out, "no failed updates") {
		t.Fatalf("updates failed on none: %q, %v", out, err)
	}
	raw := `{"update_id":77,"message":{"message_id":1,"date":1,"chat":{"id":501,"type":"private"},"from":{"id":501,"first_name":"Li"},"text":"/start"}}`
	if _, err := db.Exec(`INSERT INTO update_dead_letters (update_id, chat_id, raw, error, attempts, first_seen, last_seen)
		VALUES (77, 501, $1, 'update 77: deliver replies: sendMessage: bad request, Bad Request: message is too long', 1, now(), now())`, raw); err != nil {
		t.Fatal(err)
	}
	out, err := c.run("updates", "failed")
	if err != nil || !strings.Contains(out, "77") || !strings.Contains(out, "501") || !strings.Contains(out, "message is too long") {
		t.Fatalf("updates failed: %q, %v", out, err)
	}
	out, err = c.run("updates", "failed", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		UpdateID int64           `json:"update_id"`
		ChatID   int64           `json:"chat_id"`
		Attempts int             `json:"attempts"`
		Error    string          `json:"error"`
		Update   json.RawMessage `json:"update"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0].UpdateID != 77 ||
		got[0].ChatID != 501 || got[0].Attempts != 1 || !strings.Contains(string(got[0].Update), `"/start"`) {
		t.Fatalf("updates failed --json: %s (%v)", out, err)
	}
	if _, err := c.run("updates", "retry", "78"); err == nil || !strings.Contains(err.Error(), "78 is not among the failed updates") {
		t.Errorf("retry of an unknown id: %v", err)
	}
	if out, err := c.run("updates", "retry", "77"); err != nil || !strings.Contains(out, "update 77 queued again") {
		t.Fatalf("retry: %q, %v", out, err)
	}
	var inbox, dead int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM update_inbox WHERE update_id = 77 AND chat_id = 501),
		(SELECT count(*) FROM update_dead_letters)`).Scan(&inbox, &dead); err != nil || inbox != 1 || dead != 0 {
		t.Errorf("after retry: inbox %d, dead letters %d (%v); want 1, 0", inbox, dead, err)
	}
}
