package main

import (
	"context"
	"github.com/orderbot/orderbot/orders"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/internal/testenv"
)

// screen is the terminal's output, read while the chat writes it.
type screen struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// typist types lines one by one; before each it waits until the screen shows what the
// line waits for (or 20 s pass), like a person reading before typing.
type typist struct {
	screen *screen
	lines  []struct{ waitFor, line string }
	rest   []byte
}

func (t *typist) Read(p []byte) (int, error) {
	if len(t.rest) == 0 {
		if len(t.lines) == 0 {
			return 0, io.EOF
		}
		l := t.lines[0]
		t.lines = t.lines[1:]
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(t.screen.String(), l.waitFor) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		t.rest = []byte(l.line + "\n")
	}
	n := copy(p, t.rest)
	t.rest = t.rest[n:]
	return n, nil
}

func (c *cli) console(t *testing.T, lines []struct{ waitFor, line string }, args ...string) (string, string) {
	t.Helper()
	_, prefix := testenv.Redis(t)
	c.vars["ORDERBOT_REDIS_URL"] = envOr("ORDERBOT_TEST_REDIS_URL")
	c.vars["ORDERBOT_REDIS_PREFIX"] = prefix
	logFile := filepath.Join(t.TempDir(), "console.log")
	scr := &screen{}
	in := &typist{screen: scr, lines: lines}
	err := run(context.Background(), append([]string{"orderbot", "console", "--log", logFile}, args...), env(c.vars), in, scr)
	if err != nil {
		t.Fatalf("console: %v\n%s", err, scr)
	}
	logs, _ := os.ReadFile(logFile)
	return scr.String(), string(logs)
}

type line = struct{ waitFor, line string }

// The terminal chat takes the role from the staff table: a rep added with `staff add` is a
// rep without --as; /whoami shows the id and role; the logs go to the file it names.
func TestConsoleRoleFromStaffTable(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("staff", "add", "--telegram-id", "2000004", "--role", "rep", "--name", "Rep Zhou"); err != nil {
		t.Fatal(err)
	}
	out, logs := c.console(t, []line{{"What would you like to do?", "/orders review"}, {"Orders to review", "/whoami"}, {"role:", "/quit"}},
		"--user", "2000004", "--lang", "en")
	for _, want := range []string{"(logs go to ", "Orders to review: 0", "Your Telegram id is 2000004; role: sales rep."} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q on the screen:\n%s", want, out)
		}
	}
	if strings.Contains(out, "for sales staff only") || strings.Contains(out, "level=") {
		t.Errorf("refused, or log lines in the chat:\n%s", out)
	}
	if !strings.Contains(logs, "level=") {
		t.Errorf("nothing logged to the file: %q", logs)
	}
}

// A notification for the terminal's user appears in the chat as it arrives, marked as a
// notification, and its buttons can be pressed.
func TestConsoleShowsNotifications(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c) // customer 7
	if _, err := c.run("orders", "set-status", "so-20261127-0001", "shipped", "--carrier", "SF Express", "--tracking", "SF123"); err != nil {
		t.Fatal(err)
	}
	out, _ := c.console(t, []line{{"🔔 notification", "/quit"}}, "--user", "7", "--lang", "en")
	for _, want := range []string{"── 🔔 notification ──", "Order SO-20261127-0001 has shipped", "SF123"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q on the screen:\n%s", want, out)
		}
	}
}

// A Chinese customer's notification is marked in Chinese in the terminal chat.
func TestConsoleNotificationsInChinese(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeOrderFor(t, c, "k8", orders.Customer{TelegramID: 8, Name: "王小明", Phone: "+8613800138000", Language: "zh"})
	if _, err := c.run("orders", "set-status", "so-20261127-0001", "shipped", "--carrier", "顺丰速运", "--tracking", "SF123"); err != nil {
		t.Fatal(err)
	}
	out, _ := c.console(t, []line{{"🔔 通知", "/quit"}}, "--user", "8", "--lang", "zh")
	for _, want := range []string{"── 🔔 通知 ──", "订单 SO-20261127-0001 已发货", "SF123"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q on the screen:\n%s", want, out)
		}
	}
	if strings.Contains(out, "notification") {
		t.Errorf("an English mark in the Chinese chat:\n%s", out)
	}
}

// Order numbers are case-insensitive on the command line.
func TestOrdersShowCaseInsensitive(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c)
	out, err := c.run("orders", "show", "so-20261127-0001")
	if err != nil || !strings.Contains(out, "SO-20261127-0001") || !strings.Contains(out, "Alipay") || !strings.Contains(out, "¥598.00") {
		t.Errorf("orders show so-…: %q, %v", out, err)
	}
	if _, err := c.run("orders", "set-status", "so-20261127-0001", "completed"); err == nil ||
		!strings.Contains(err.Error(), "cannot be") || strings.Contains(err.Error(), " 0 of ") {
		t.Errorf("completing an unpaid order: %v", err)
	}
}

// The terminal chat runs the notifier of serve: the customer of an order confirmed at once
// gets its confirmation (sales contract) as a PDF, saved where --files says and named on
// the screen; a manager's /report chart is saved the same way.
func TestConsoleSavesTheFilesItIsSent(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c) // customer 7, confirmed
	dir := t.TempDir()
	out, _ := c.console(t, []line{{"saved as", "/quit"}}, "--user", "7", "--lang", "en", "--files", dir)
	const name = "SO-20261127-0001-confirmation-v1.pdf"
	if !strings.Contains(out, "📎 "+name) || !strings.Contains(out, filepath.Join(dir, name)) {
		t.Fatalf("the confirmation is not shown as a saved file:\n%s", out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("saved confirmation: %v, starts %q", err, pdf[:min(len(pdf), 8)])
	}

	if _, err := c.run("staff", "add", "--telegram-id", "2000001", "--role", "manager", "--name", "Boss"); err != nil {
		t.Fatal(err)
	}
	out, _ = c.console(t, []line{{"What would you like to do?", "/report 2026-11"}, {"saved as", "/quit"}},
		"--as", "rep", "--lang", "en", "--files", dir, "--notify=false")
	if !strings.Contains(out, "📎 ") || !strings.Contains(out, dir) {
		t.Fatalf("the report's chart is not shown as a saved file:\n%s", out)
	}
	charts, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	if len(charts) != 1 {
		t.Fatalf("charts saved: %v", charts)
	}
	png, _ := os.ReadFile(charts[0])
	if !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("the chart is not a PNG: %q", png[:min(len(png), 8)])
	}

	// In Chinese, the saved file is told in Chinese.
	out, _ = c.console(t, []line{{"请选择您要办理的事项", "/report 2026-11"}, {"已保存为", "/quit"}},
		"--as", "rep", "--lang", "zh", "--files", dir, "--notify=false")
	if !strings.Contains(out, "已保存为 "+dir) || strings.Contains(out, "saved as") {
		t.Errorf("the chart's line in a Chinese chat:\n%s", out)
	}
}
