package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN: expected a bot token"},
		{map[string]string{"ORDERBOT_DATABASE_URL": "mysql://x"}, "ORDERBOT_DATABASE_URL: expected a URL like postgres://"},
		{map[string]string{"ORDERBOT_REDIS_URL": "localhost:6379"}, "ORDERBOT_REDIS_URL: expected a URL like redis://"},
		{map[string]string{"ORDERBOT_WEBHOOK_URL": "http://bot.example.com/hook", "ORDERBOT_WEBHOOK_SECRET": "s"}, "ORDERBOT_WEBHOOK_URL: expected an https URL"},
		{map[string]string{"ORDERBOT_WEBHOOK_URL": "https://bot.example.com/hook"}, "ORDERBOT_WEBHOOK_SECRET: expected 1-256 characters"},
		{map[string]string{"ORDERBOT_TIMEZONE": "Mars/Olympus"}, "ORDERBOT_TIMEZONE: expected an IANA time zone"},
		{map[string]string{"ORDERBOT_HTTP_ADDR": "8080"}, "ORDERBOT_HTTP_ADDR: expected host:port"},
		{map[string]string{"ORDERBOT_TELEGRAM_API_URL": "ftp://x"}, "ORDERBOT_TELEGRAM_API_URL: expected an http(s) URL"},
		{map[string]string{"ORDERBOT_LOG_LEVEL": "loud"}, "ORDERBOT_LOG_LEVEL: expected debug, info, warn or error"},
		{map[string]string{"ORDERBOT_RULES_FILE": "/nonexistent/rules.json"}, "ORDERBOT_RULES_FILE: cannot read"},
		{map[string]string{"ORDERBOT_NOTIFY_RATE": "fast"}, "ORDERBOT_NOTIFY_RATE: expected messages per second"},
		{map[string]string{}, "TELEGRAM_BOT_TOKEN: not set"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := run(context.Background(), []string{"orderbot", "serve"}, env(tt.vars), strings.NewReader(""), &out)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %q, want one line starting %q", tt.vars, err, tt.want)
		}
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"console", "--help"}, {"migrate", "--help"},
		{"products", "import", "--help"}, {"staff", "add", "--help"}, {"staff", "list", "--help"},
		{"orders", "list", "--help"}, {"orders", "show", "--help"}, {"orders", "set-status", "--help"}, {"rules", "--help"},
		{"notifications", "--help"}, {"notifications", "uncertain", "--help"}, {"notifications", "resend", "--help"},
		{"orders", "documents", "--help"}, {"orders", "document", "--help"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"orderbot"}, args...), env(nil), strings.NewReader(""), &out); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String(), "Usage") && !strings.Contains(out.String(), "orderbot") {
			t.Errorf("%v printed no usage: %q", args, out.String())
		}
	}
}

// cli runs orderbot against a fresh test database.
type cli struct {
	t    *testing.T
	vars map[string]string
}

func newCLI(t *testing.T) *cli {
	st := pgstoretest.New(t)
	var name string
	if err := st.DB().Get(&name, "SELECT current_database()"); err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, vars: map[string]string{
		"ORDERBOT_DATABASE_URL": testenv.WithDatabase(t, testenv.AdminURL(t), name),
		"ORDERBOT_TIMEZONE":     "Asia/Shanghai",
	}}
}

func (c *cli) run(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"orderbot"}, args...), env(c.vars), strings.NewReader(""), &out)
	return out.String(), err
}

func writeFile(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "catalog.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const header = "sku,name_en,name_zh,category,unit,price,stock,standard,options\n"

func TestProductsImport(t *testing.T) {
	c := newCLI(t)
	out, err := c.run("products", "import", "../../demo/catalog.csv")
	if err != nil || !strings.Contains(out, "imported 12 products: 12 new, 0 updated") {
		t.Fatalf("demo import: %q, %v", out, err)
	}
	out, err = c.run("products", "import", writeFile(t, header+"CHAIR-100,Office chair Classic,经典办公椅,chairs,pcs,279.00,450,true,colour=black|grey\n"))
	if err != nil || !strings.Contains(out, "0 new, 1 updated") {
		t.Fatalf("update: %q, %v", out, err)
	}
	bad := []struct{ name, body, want string }{
		{"wrong header", "sku,name,price\nA,B,1\n", "line 1"},
		{"bad price", header + "NEW-1,New,新,x,pcs,12.345,1,true,\n", "line 2: price"},
		{"negative stock", header + "NEW-1,New,新,x,pcs,1.00,1,true,\nNEW-2,New,新,x,pcs,1.00,-5,true,\n", "line 3: stock"},
		{"duplicate sku", header + "NEW-1,New,新,x,pcs,1.00,1,true,\nNEW-1,New,新,x,pcs,1.00,1,true,\n", "line 3: sku"},
		{"bad utf-8", header + "NEW-1,New,\xff\xfe,x,pcs,1.00,1,true,\n", "line 2"},
	}
	for _, b := range bad {
		_, err := c.run("products", "import", writeFile(t, b.body))
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "nothing was imported") {
			t.Errorf("%s: error %v, want %q and nothing imported", b.name, err, b.want)
		}
	}
	out, _ = c.run("orders", "list", "--json")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("orders list --json on an empty database = %q, want []", out)
	}
}

func TestStaffAndOrdersCommands(t *testing.T) {
	c := newCLI(t)
	if out, err := c.run("staff", "add", "--telegram-id", "42", "--role", "manager", "--name", "Li Na"); err != nil || !strings.Contains(out, "manager Li Na (42) is active") {
		t.Fatalf("staff add: %q, %v", out, err)
	}
	if _, err := c.run("staff", "add", "--telegram-id", "43", "--role", "boss", "--name", "X"); err == nil || !strings.Contains(err.Error(), "role: must be rep or manager") {
		t.Errorf("bad role: %v", err)
	}
	out, err := c.run("staff", "list")
	if err != nil || !strings.Contains(out, "Li Na") {
		t.Errorf("staff list: %q, %v", out, err)
	}
	if _, err := c.run("orders", "show", "SO-20261127-0001"); err == nil || !strings.Contains(err.Error(), "no order SO-20261127-0001") {
		t.Errorf("show missing: %v", err)
	}
	if _, err := c.run("orders", "list", "--status", "shipping"); err == nil || !strings.Contains(err.Error(), "unknown status") {
		t.Errorf("bad status filter: %v", err)
	}
}

func TestOrderJSONFields(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c)
	out, err := c.run("orders", "show", "SO-20261127-0001", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, f := range []string{"number", "status", "payment_status", "customer", "lines", "total", "delivery_address", "wanted_date", "promised_date", "created_at", "history"} {
		if _, ok := o[f]; !ok {
			t.Errorf("JSON lacks %q: %s", f, out)
		}
	}
	cust := o["customer"].(map[string]any)
	for _, f := range []string{"telegram_id", "name", "phone"} {
		if _, ok := cust[f]; !ok {
			t.Errorf("customer lacks %q", f)
		}
	}
	line := o["lines"].([]any)[0].(map[string]any)
	for _, f := range []string{"sku", "variant", "quantity", "unit_price", "complimentary"} {
		if _, ok := line[f]; !ok {
			t.Errorf("line lacks %q", f)
		}
	}
	h := o["history"].([]any)[0].(map[string]any)
	for _, f := range []string{"from", "to", "actor", "at", "note"} {
		if _, ok := h[f]; !ok {
			t.Errorf("history lacks %q", f)
		}
	}
	if o["total"] != "598" || o["status"] != "confirmed" {
		t.Errorf("total %v status %v", o["total"], o["status"])
	}
	// set-status goes through the lifecycle's rules.
	if _, err := c.run("orders", "set-status", "SO-20261127-0001", "delivered"); err == nil || !strings.Contains(err.Error(), "cannot become delivered") {
		t.Errorf("illegal transition: %v", err)
	}
	if _, err := c.run("orders", "set-status", "SO-20261127-0001", "shipped"); err == nil || !strings.Contains(err.Error(), "carrier and a tracking number") {
		t.Errorf("shipped without tracking: %v", err)
	}
	if out, err := c.run("orders", "set-status", "SO-20261127-0001", "shipped", "--note", "truck 7", "--carrier", "SF Express", "--tracking", "SF123"); err != nil || !strings.Contains(out, "is now shipped") {
		t.Errorf("set-status: %q %v", out, err)
	}
	out, _ = c.run("orders", "list", "--status", "shipped", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
		t.Fatalf("list: %v %s", err, out)
	}
	hist := list[0]["history"].([]any)
	last := hist[len(hist)-1].(map[string]any)
	if last["from"] != "confirmed" || last["to"] != "shipped" || last["actor"] != "operator" || last["note"] != "truck 7" {
		t.Errorf("history entry %v", last)
	}
}
