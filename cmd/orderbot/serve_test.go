package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testenv"
)

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The program as deployed: serve against the fake Bot API, with health, readiness and
// metrics, answering a customer, and stopping cleanly on cancellation.
func TestServe(t *testing.T) {
	c := newCLI(t)
	srv := telegramtest.NewServer(t, telegramtest.WithToken("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	_, prefix := testenv.Redis(t)
	addr, public := freeAddr(t), freeAddr(t)
	c.vars["TELEGRAM_BOT_TOKEN"] = srv.Token()
	c.vars["ORDERBOT_TELEGRAM_API_URL"] = srv.URL()
	c.vars["ORDERBOT_REDIS_URL"] = envOr("ORDERBOT_TEST_REDIS_URL")
	c.vars["ORDERBOT_REDIS_PREFIX"] = prefix
	c.vars["ORDERBOT_METRICS_ADDR"] = addr
	c.vars["ORDERBOT_HTTP_ADDR"] = public
	apiAddr := freeAddr(t)
	c.vars["ORDERBOT_API_ADDR"] = apiAddr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out strings.Builder
	go func() {
		done <- run(ctx, []string{"orderbot", "serve"}, env(c.vars), strings.NewReader(""), &syncWriter{w: &out})
	}()
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start listening")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := get(t, base+"/readyz"); code != 200 || !strings.Contains(body, "ready") {
		t.Errorf("/readyz = %d %q", code, body)
	}
	// The public (webhook) listener shows neither health nor metrics.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, _ := get(t, "http://"+public+path); code != http.StatusNotFound {
			t.Errorf("%s on ORDERBOT_HTTP_ADDR = %d, want 404", path, code)
		}
	}
	// The channel API has its own listener: its description, and a request without a key
	// refused as a problem; the other listeners do not serve it.
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + apiAddr + "/api/v1/openapi.json"); err == nil {
			resp.Body.Close()
			break
		}
	}
	if code, body := get(t, "http://"+apiAddr+"/api/v1/openapi.json"); code != 200 || !strings.Contains(body, `"openapi":"3.1`) {
		t.Errorf("/api/v1/openapi.json on ORDERBOT_API_ADDR = %d %.80q", code, body)
	}
	if code, body := get(t, "http://"+apiAddr+"/api/v1/products"); code != http.StatusUnauthorized || !strings.Contains(body, "unauthorized") {
		t.Errorf("/api/v1/products without a key on ORDERBOT_API_ADDR = %d %q", code, body)
	}
	for _, other := range []string{addr, public} {
		if code, _ := get(t, "http://"+other+"/api/v1/openapi.json"); code != http.StatusNotFound {
			t.Errorf("/api/v1/openapi.json on %s = %d, want 404", other, code)
		}
	}
	u := telegramtest.User{ID: 4242, FirstName: "Mei", LanguageCode: "zh"}
	srv.SendText(u, "/start")
	srv.ExpectText(t, u.ID, "Mei，您好", 15*time.Second)
	// The metrics are counted once the update is done, just after its replies went out; a
	// scrape gathers them one by one, so it may see some counted and others not yet.
	want := []string{`orderbot_updates_total{kind="command"} 1`, `orderbot_update_duration_seconds_count 1`,
		`orderbot_sends_total{result="ok"} 1`,
		// The notifier's, on the same registry.
		`orderbot_notifications_sent_total 0`, `orderbot_notifications_failed_total 0`,
		`orderbot_notifications_uncertain_total 0`, `orderbot_notification_queue_lag_seconds_count 0`}
	counted := func(body string) bool {
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return true
	}
	var code int
	var body string
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if code, body = get(t, base+"/metrics"); counted(body) {
			break
		}
	}
	if code != 200 || !counted(body) {
		t.Errorf("/metrics = %d, want %q:\n%s", code, want, body)
	}
	if n := len(srv.Commands()); n < 2 {
		t.Errorf("%d command menus set, want the customers' in two languages", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := out.String()
	for _, secret := range []string{srv.Token(), "+86", "Century"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q:\n%s", secret, logs)
		}
	}
}
