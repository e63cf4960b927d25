package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/orders/pgstore"
)

// The operator lists the uncertain notifications, resends one and settles another.
func TestNotificationsReconcileCommands(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c)
	if _, err := c.run("orders", "set-status", "SO-20261127-0001", "shipped", "--carrier", "SF", "--tracking", "SF1"); err != nil {
		t.Fatal(err)
	}
	if out, err := c.run("notifications", "uncertain"); err != nil || !strings.Contains(out, "No uncertain notifications") {
		t.Fatalf("none uncertain yet: %q %v", out, err)
	}
	ctx := context.Background()
	st, err := pgstore.Open(ctx, c.vars["ORDERBOT_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// What a notifier does when a send's outcome is unknown.
	if _, err := st.DB().ExecContext(ctx, `UPDATE notifications SET status = 'uncertain', last_error = 'read: connection reset' WHERE kind <> 'document'`); err != nil {
		t.Fatal(err)
	}
	out, err := c.run("notifications", "uncertain", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 {
		t.Fatalf("uncertain --json: %v %s", err, out)
	}
	for _, f := range []string{"id", "kind", "chat_id", "order", "key", "attempts", "last_error", "created_at"} {
		if _, ok := list[0][f]; !ok {
			t.Errorf("JSON lacks %q: %s", f, out)
		}
	}
	first, second := strconv.Itoa(int(list[0]["id"].(float64))), strconv.Itoa(int(list[1]["id"].(float64)))
	jobs := func() int {
		var n int
		if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM river_job`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := jobs()
	if out, err := c.run("notifications", "resend", first); err != nil || !strings.Contains(out, "queued to be sent again") {
		t.Errorf("resend: %q %v", out, err)
	}
	if jobs() != before+1 {
		t.Errorf("the resend queued %d jobs, want 1", jobs()-before)
	}
	if out, err := c.run("notifications", "settle", second, "--note", "the customer has it"); err != nil || !strings.Contains(out, "settled") {
		t.Errorf("settle: %q %v", out, err)
	}
	var states []string
	if err := st.DB().SelectContext(ctx, &states, `SELECT status || ':' || last_error FROM notifications WHERE kind <> 'document' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(states, ",") != "pending:resent by operator,settled:settled by operator: the customer has it" {
		t.Errorf("states %v", states)
	}
	if _, err := c.run("notifications", "resend", second); err == nil || !strings.Contains(err.Error(), "settled, not uncertain") {
		t.Errorf("resending a settled notification: %v", err)
	}
	if _, err := c.run("notifications", "settle", "999"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("settling no notification: %v", err)
	}
	if _, err := c.run("notifications", "resend", "x"); err == nil || !strings.Contains(err.Error(), "not a notification id") {
		t.Errorf("a bad id: %v", err)
	}
}

// A command repeated with the same --key changes the order once.
func TestSetStatusKeyRepeatsOnce(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c)
	for range 2 {
		if out, err := c.run("orders", "set-status", "SO-20261127-0001", "cancelled", "--note", "duplicate order", "--key", "ticket-17"); err != nil || !strings.Contains(out, "is now cancelled") {
			t.Fatalf("set-status --key: %q %v", out, err)
		}
	}
	out, err := c.run("orders", "show", "SO-20261127-0001", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		History []map[string]any `json:"history"`
	}
	if err := json.Unmarshal([]byte(out), &o); err != nil || len(o.History) != 2 {
		t.Errorf("history after one cancellation given twice: %v %s", err, out)
	}
}
