package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// The webhook gets as many deliveries at once as setWebhook's max_connections asks for,
// and a chat's updates one at a time, in order.
func TestWebhookConcurrencyIsMaxConnections(t *testing.T) {
	srv := NewServer(t)
	var inFlight, peak atomic.Int32
	var mu sync.Mutex
	perChat := map[int64]int{}
	var order []int64
	bad := atomic.Bool{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u models.Update
		_ = json.NewDecoder(r.Body).Decode(&u)
		chat := u.Message.Chat.ID
		mu.Lock()
		perChat[chat]++
		if perChat[chat] > 1 {
			bad.Store(true)
		}
		if chat == 9000 {
			order = append(order, u.ID)
		}
		mu.Unlock()
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		mu.Lock()
		perChat[chat]--
		mu.Unlock()
	}))
	defer hook.Close()
	if status, resp := postJSON(t, srv, "setWebhook", map[string]any{"url": hook.URL, "max_connections": 12}); status != http.StatusOK || !resp.OK {
		t.Fatalf("setWebhook: %d %+v", status, resp)
	}
	var want []int64
	for i := range 60 {
		srv.SendText(User{ID: int64(3000 + i), FirstName: "U"}, "hi")
		if i%3 == 0 {
			want = append(want, srv.SendText(User{ID: 9000, FirstName: "Busy"}, "again"))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p < 6 || p > 12 {
		t.Errorf("peak concurrency %d, want up to the 12 max_connections asked for (and more than half of them)", p)
	}
	if bad.Load() {
		t.Error("two updates of one chat were delivered at once")
	}
	if len(order) != len(want) {
		t.Fatalf("busy chat got %d updates, want %d", len(order), len(want))
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("busy chat's updates in order %v, want %v", order, want)
		}
	}
}

// A webhook that keeps failing has the update dropped after the configured attempts.
func TestWebhookGivesUp(t *testing.T) {
	srv := NewServer(t, WithWebhookAttempts(3), WithWebhookRetryBackoff(time.Millisecond))
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer hook.Close()
	postJSON(t, srv, "setWebhook", map[string]any{"url": hook.URL})
	id := srv.SendText(alice, "hello")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := srv.WebhookGaveUp(); len(got) != 1 || got[0] != id {
		t.Errorf("gave up on %v, want [%d]", got, id)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("delivered %d times, want 3", n)
	}
}

// During a storm every call fails with its code; afterwards calls work again.
func TestStorm(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()
	srv.Storm(http.StatusBadGateway, 300*time.Millisecond)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("send during the storm: %v, want a 502", err)
	}
	if status, _ := postJSON(t, srv, "getUpdates", map[string]any{}); status != http.StatusBadGateway {
		t.Fatalf("getUpdates during the storm: %d, want 502", status)
	}
	time.Sleep(350 * time.Millisecond)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"}); err != nil {
		t.Fatalf("send after the storm: %v", err)
	}
	if n := len(srv.SentTo(alice.ID)); n != 1 {
		t.Errorf("recorded %d messages, want the one after the storm", n)
	}
	if rs := srv.Rejections(alice.ID); len(rs) != 1 || rs[0].Code != http.StatusBadGateway {
		t.Errorf("rejections %+v", rs)
	}
}
