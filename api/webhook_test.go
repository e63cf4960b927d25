package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/api"
	"github.com/orderbot/orderbot/orders"
)

// receiver is a partner's webhook endpoint: it verifies each delivery's signature and
// keeps the events it accepted, in arrival order.
type receiver struct {
	t      *testing.T
	secret string
	srv    *httptest.Server
	down   atomic.Bool  // answers 503 while set
	slow   atomic.Int64 // each answer waits this long (nanoseconds)

	mu       sync.Mutex
	events   []api.Event
	ids      map[string]int
	bad      int
	refused  int
	received chan struct{}
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{t: t, secret: secret, ids: map[string]int{}, received: make(chan struct{}, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		time.Sleep(time.Duration(r.slow.Load()))
		if r.down.Load() {
			r.mu.Lock()
			r.refused++
			r.mu.Unlock()
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err := api.Verify(r.secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
			r.mu.Lock()
			r.bad++
			r.mu.Unlock()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var ev api.Event
		if err := json.Unmarshal(body, &ev); err != nil || ev.ID != req.Header.Get("webhook-id") {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.events = append(r.events, ev)
		r.ids[ev.ID]++
		r.mu.Unlock()
		r.received <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// waitFor waits until the receiver holds n events.
func (r *receiver) waitFor(n int, within time.Duration) []api.Event {
	r.t.Helper()
	deadline := time.After(within)
	for {
		r.mu.Lock()
		got := append([]api.Event(nil), r.events...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.received:
		case <-deadline:
			r.t.Fatalf("%d events within %s, want %d: %v", len(got), within, n, types(got))
		}
	}
}

func types(evs []api.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		var d struct{ Status string }
		_ = json.Unmarshal(e.Data, &d)
		out[i] = e.Type + ":" + d.Status
	}
	return out
}

func (b *bed) dispatcher(cfg api.DispatcherConfig) *api.Dispatcher {
	b.t.Helper()
	cfg.DB, cfg.Store, cfg.Logger = b.store.DB().DB, b.store, b.log
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 200 * time.Millisecond
	}
	cfg.FetchPollInterval = 50 * time.Millisecond
	d, err := api.NewDispatcher(cfg)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = d.Stop(ctx)
	})
	return d
}

func withWebhook(url string) func(*orders.Channel) {
	return func(c *orders.Channel) { c.WebhookURL = url }
}

// A receiver verifies every signature and sees each change of its order once, in order,
// whoever made it: the API, a rep, a manager, the operator.
func TestWebhooksInOrder(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	ctx := context.Background()
	secret := api.NewSecret()
	rc := newReceiver(t, secret)
	_, key := b.channel("shop", orders.ChannelPlatform, withWebhook(rc.srv.URL), func(c *orders.Channel) { c.WebhookSecret = secret })
	b.dispatcher(api.DispatcherConfig{})
	if _, err := b.service.AddStaff(ctx, orders.Staff{TelegramID: 7, Name: "Wang", Role: orders.RoleManager, Active: true}); err != nil {
		t.Fatal(err)
	}
	manager, _ := b.service.Staff(ctx, 7)
	a := orders.StaffActor(manager)

	// Production is needed (more than the stock): review, confirmation, deposit, production.
	body := placement("CHAIR-300", 20, map[string]string{"colour": "black"})
	body["backorder"] = true
	resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: body})
	var o api.Order
	resp.json(t, &o)
	if resp.status != 201 || o.Status != "pending_review" || o.EstimatedDate == "" {
		t.Fatalf("place: %d %s", resp.status, resp.body)
	}
	if _, err := b.service.Review(ctx, "", o.Number, a, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	confirm := b.do(req{method: http.MethodPost, path: "/api/v1/orders/" + o.Number + "/confirm", key: key})
	if confirm.status != 200 {
		t.Fatalf("confirm: %d %s", confirm.status, confirm.body)
	}
	full, _ := b.service.Order(ctx, o.Number)
	if _, err := b.service.RecordPayment(ctx, "", o.Number, full.DepositDue, "bank_transfer", a); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		to  orders.Status
		opt orders.AdvanceOptions
	}{
		{orders.StatusInProduction, orders.AdvanceOptions{}},
		{orders.StatusQualityCheck, orders.AdvanceOptions{}},
		{orders.StatusInProduction, orders.AdvanceOptions{Note: "rework"}},
		{orders.StatusQualityCheck, orders.AdvanceOptions{}},
		{orders.StatusShipped, orders.AdvanceOptions{Carrier: "SF Express", Tracking: "SF1234567890"}},
		{orders.StatusDelivered, orders.AdvanceOptions{}},
	}
	for _, s := range steps {
		if _, err := b.service.Advance(ctx, "", o.Number, s.to, a, s.opt); err != nil {
			t.Fatalf("%s: %v", s.to, err)
		}
	}
	want := []string{
		"order.created:pending_review",
		"order.status_changed:awaiting_customer",
		"order.status_changed:confirmed",
		"order.status_changed:in_production",
		"order.status_changed:quality_check",
		"order.status_changed:in_production",
		"order.status_changed:quality_check",
		"order.status_changed:shipped",
		"order.shipped:shipped",
		"order.status_changed:delivered",
	}
	got := rc.waitFor(len(want), 30*time.Second)
	time.Sleep(300 * time.Millisecond) // nothing more comes
	rc.mu.Lock()
	got = append([]api.Event(nil), rc.events...)
	bad := rc.bad
	rc.mu.Unlock()
	if strings.Join(types(got), " ") != strings.Join(want, " ") {
		t.Errorf("events:\n got %v\nwant %v", types(got), want)
	}
	if bad != 0 {
		t.Errorf("%d deliveries failed the signature check", bad)
	}
	for id, n := range rc.ids {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	for _, e := range got {
		var d map[string]any
		_ = json.Unmarshal(e.Data, &d)
		if d["number"] != o.Number || d["reference"] != "REF-1" {
			t.Errorf("%s data %v", e.Type, d)
		}
		if e.Type == "order.shipped" && (d["carrier"] != "SF Express" || d["tracking"] != "SF1234567890") {
			t.Errorf("shipped data %v", d)
		}
	}
	// A date change, and cancellation of another order, are told too.
	resp2 := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: placement("PHONE-X1", 1, map[string]string{"colour": "black"})})
	var o2 api.Order
	resp2.json(t, &o2)
	cancel := b.do(req{method: http.MethodPost, path: "/api/v1/orders/" + o2.Number + "/cancel", key: key, body: map[string]string{"reason": "customer changed their mind"}})
	var cr api.CancelResult
	cancel.json(t, &cr)
	if cancel.status != 200 || cr.Outcome != "requested" || cr.Order.Status != "confirmed" {
		t.Fatalf("cancel a confirmed order: %d %s", cancel.status, cancel.body)
	}
	pending, err := b.service.PendingChanges(ctx, a, o2.Number)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending changes %v, %v", pending, err)
	}
	if _, _, err := b.service.DecideChange(ctx, "", pending[0].ID, a, true, ""); err != nil {
		t.Fatal(err)
	}
	tail := types(rc.waitFor(len(want)+3, 30*time.Second)[len(want):])
	wantTail := "order.created:confirmed order.status_changed:cancelled order.cancelled:cancelled"
	if strings.Join(tail, " ") != wantTail {
		t.Errorf("second order's events %v, want %s", tail, wantTail)
	}
}

// A receiver that is down gets the deliveries when it comes back, in order; a receiver
// down for too long has the channel's webhooks switched off, its contact and the reps told,
// and the held events delivered once an operator switches them on again.
func TestWebhookReceiverDown(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	ctx := context.Background()
	secret := api.NewSecret()
	rc := newReceiver(t, secret)
	rc.down.Store(true)
	ch, key := b.channel("shop", orders.ChannelPlatform, withWebhook(rc.srv.URL),
		func(c *orders.Channel) { c.WebhookSecret = secret; c.ContactChatID = 555 })
	if _, err := b.service.AddStaff(ctx, orders.Staff{TelegramID: 7, Name: "Wang", Role: orders.RoleRep, Active: true}); err != nil {
		t.Fatal(err)
	}
	b.dispatcher(api.DispatcherConfig{MaxFailures: 6, RetryBase: 100 * time.Millisecond, RetryMax: 300 * time.Millisecond})
	var numbers []string
	for range 2 {
		resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: placement("PHONE-X1", 1, map[string]string{"colour": "black"})})
		var o api.Order
		resp.json(t, &o)
		numbers = append(numbers, o.Number)
	}
	// Down: the attempts fail and are retried.
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		rc.mu.Lock()
		refused := rc.refused
		rc.mu.Unlock()
		if refused >= 3 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d attempts refused", refused)
		}
	}
	rc.down.Store(false) // back
	got := rc.waitFor(2, 20*time.Second)
	if types(got)[0] != "order.created:confirmed" || types(got)[1] != "order.created:confirmed" {
		t.Errorf("after coming back: %v", types(got))
	}
	for end := time.Now().Add(5 * time.Second); b.count(`SELECT count(*) FROM channel_events WHERE status = 'delivered'`) != 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d events recorded delivered, want 2", b.count(`SELECT count(*) FROM channel_events WHERE status = 'delivered'`))
		}
	}
	if n := b.count(`SELECT count(*) FROM webhook_deliveries WHERE status_code = 503`); n < 3 {
		t.Errorf("%d failed attempts recorded", n)
	}
	if n := b.count(`SELECT webhook_failures FROM channels WHERE id = $1`, ch.ID); n != 0 {
		t.Errorf("%d failures in a row after a delivery", n)
	}

	// Down for good: after 6 failures in a row the webhooks are off and people are told.
	rc.down.Store(true)
	if _, err := b.service.Advance(ctx, "", numbers[0], orders.StatusShipped, orders.Operator,
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF1"}); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := b.store.Channel(ctx, "shop")
		if err != nil {
			t.Fatal(err)
		}
		if c.WebhookDisabled {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("webhooks still on after %d failures", c.WebhookFailures)
		}
	}
	if n := b.count(`SELECT count(*) FROM channel_events WHERE status = 'held'`); n != 2 {
		t.Errorf("%d events held, want 2 (status changed, shipped)", n)
	}
	if n := b.count(`SELECT count(*) FROM notifications WHERE kind = $1 AND chat_id IN (7, 555)`, orders.NoticeWebhooksDisabled); n != 2 {
		t.Errorf("%d notices to the contact and the rep, want 2", n)
	}
	rc.down.Store(false)
	_, queued, err := b.store.SetChannelWebhook(ctx, "shop", rc.srv.URL, "")
	if err != nil || queued != 2 {
		t.Fatalf("switch on: %d queued, %v", queued, err)
	}
	got = rc.waitFor(4, 20*time.Second)
	if strings.Join(types(got[2:]), " ") != "order.status_changed:shipped order.shipped:shipped" {
		t.Errorf("held events: %v", types(got[2:]))
	}
	// An operator redelivers an event: it comes again with the same id.
	evs, _, err := b.store.ChannelEvents(ctx, "shop", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.RedeliverEvent(ctx, "shop", evs[len(evs)-1].ID); err != nil {
		t.Fatal(err)
	}
	got = rc.waitFor(5, 20*time.Second)
	if got[4].ID != api.EventID(evs[len(evs)-1].ID) {
		t.Errorf("redelivered %s, want %s", got[4].ID, api.EventID(evs[len(evs)-1].ID))
	}
}

func TestSignature(t *testing.T) {
	t.Parallel()
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	// The Standard Webhooks specification's example.
	sig, err := api.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
	if err != nil || sig != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("signature %q, %v", sig, err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bm9ldHUjKzFob2VudXRob2VodWUzMjRvdWVvdW9ldQo= "+sig)
	now := time.Unix(1614265330, 0)
	if err := api.Verify(secret, h, body, now.Add(4*time.Minute), 5*time.Minute); err != nil {
		t.Errorf("valid: %v", err)
	}
	if err := api.Verify(secret, h, body, now.Add(6*time.Minute), 5*time.Minute); err == nil {
		t.Error("6 minutes late: accepted")
	}
	if err := api.Verify(secret, h, []byte(`{"test": 1}`), now, 5*time.Minute); err == nil {
		t.Error("another body: accepted")
	}
}

// A promised date that changes is told as order.date_changed with the old date; an event
// that cannot be delivered within MaxAge is given up.
func TestWebhookDateChangedAndGiveUp(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	ctx := context.Background()
	secret := api.NewSecret()
	rc := newReceiver(t, secret)
	_, key := b.channel("shop", orders.ChannelPlatform, withWebhook(rc.srv.URL), func(c *orders.Channel) { c.WebhookSecret = secret })
	b.dispatcher(api.DispatcherConfig{MaxAge: 2 * time.Second, RetryBase: 100 * time.Millisecond, RetryMax: 200 * time.Millisecond, MaxFailures: -1})
	if _, err := b.service.AddStaff(ctx, orders.Staff{TelegramID: 7, Name: "Wang", Role: orders.RoleManager, Active: true}); err != nil {
		t.Fatal(err)
	}
	m, _ := b.service.Staff(ctx, 7)
	resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: placement("PHONE-X1", 1, map[string]string{"colour": "black"})})
	var o api.Order
	resp.json(t, &o)
	newDate, _ := orders.ParseISODate(wanted(40))
	cr, err := b.store.CreateChangeRequest(ctx, "", orders.ChangeRequest{Number: o.Number, Kind: orders.ChangeDate, Date: newDate,
		Reason: "the warehouse moves", RequestedBy: "channel:shop", Status: "pending"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.service.DecideChange(ctx, "", cr.ID, orders.StaffActor(m), true, ""); err != nil {
		t.Fatal(err)
	}
	got := rc.waitFor(2, 20*time.Second)
	var d map[string]any
	_ = json.Unmarshal(got[1].Data, &d)
	if got[1].Type != "order.date_changed" || d["promised_date"] != newDate.String() || d["previous_promised_date"] != o.PromisedDate {
		t.Errorf("date change: %s %v", got[1].Type, d)
	}
	// Down for longer than MaxAge: the event fails for good.
	rc.down.Store(true)
	if _, err := b.service.Advance(ctx, "", o.Number, orders.StatusShipped, orders.Operator, orders.AdvanceOptions{Carrier: "SF", Tracking: "1"}); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(20 * time.Second); b.count(`SELECT count(*) FROM channel_events WHERE status = 'failed'`) != 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("events given up: %d, want 2", b.count(`SELECT count(*) FROM channel_events WHERE status = 'failed'`))
		}
	}
}

// Two delivery jobs for one event — a job still waiting to retry when the event is queued
// again (the channel's webhooks switched back on), or an operator's redelivery meeting a
// retry — deliver it once: while one job delivers, the other waits, then finds it
// delivered.
func TestWebhookOneDeliveryAtATime(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	secret := api.NewSecret()
	rc := newReceiver(t, secret)
	rc.slow.Store(int64(700 * time.Millisecond)) // both jobs are running before the first is answered
	_, key := b.channel("shop", orders.ChannelPlatform, withWebhook(rc.srv.URL), func(c *orders.Channel) { c.WebhookSecret = secret })
	resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: placement("PHONE-X1", 1, map[string]string{"colour": "black"})})
	if resp.status != 201 {
		t.Fatalf("place: %d %s", resp.status, resp.body)
	}
	// A second job for the same event, before any runs.
	if n := b.count(`SELECT count(queue_channel_event(id)) FROM channel_events`); n != 1 {
		t.Fatalf("%d events queued again, want 1", n)
	}
	b.dispatcher(api.DispatcherConfig{Workers: 4})
	got := rc.waitFor(1, 20*time.Second)
	for end := time.Now().Add(5 * time.Second); b.count(`SELECT count(*) FROM river_job WHERE kind = $1 AND state <> 'completed'`, api.WebhookKind) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d delivery jobs still open", b.count(`SELECT count(*) FROM river_job WHERE kind = $1 AND state <> 'completed'`, api.WebhookKind))
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.events) != 1 || rc.ids[got[0].ID] != 1 {
		t.Errorf("the event was delivered %d times, want once: %v", len(rc.events), types(rc.events))
	}
	if n := b.count(`SELECT count(*) FROM webhook_deliveries`); n != 1 {
		t.Errorf("%d delivery attempts recorded, want 1", n)
	}
}
