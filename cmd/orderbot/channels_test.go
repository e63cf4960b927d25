package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/api"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

var keyLine = regexp.MustCompile(`(?m)^(ob_live_[A-Za-z0-9_-]{43})$`)

func TestChannelsCommands(t *testing.T) {
	c := newCLI(t)
	out, err := c.run("channels", "add", "acme-shop", "--kind", "platform", "--webhook", "https://shop.example.com/events")
	if err != nil {
		t.Fatal(err)
	}
	m := keyLine.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "whsec_") {
		t.Fatalf("add printed no key on its own line:\n%s", out)
	}
	key := m[1]
	ctx := context.Background()
	var hash string
	st := c.store(t)
	if err := st.DB().Get(&hash, `SELECT key_hash FROM channels WHERE name = 'acme-shop'`); err != nil || hash != api.HashKey(key) {
		t.Errorf("stored %q, want the key's hash (%v)", hash, err)
	}
	if n := strings.Count(out, key); n != 1 {
		t.Errorf("the key printed %d times", n)
	}
	for _, bad := range [][]string{
		{"channels", "add", "acme-shop", "--kind", "platform"},
		{"channels", "add", "other", "--kind", "reseller"},
		{"channels", "add", "Bad Name", "--kind", "agent"},
		{"channels", "add", "agent-1", "--kind", "agent", "--customer", "424242"},
		{"channels", "rotate", "nobody"},
	} {
		if _, err := c.run(bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	out, err = c.run("channels", "list")
	if err != nil || !strings.Contains(out, "acme-shop") || !strings.Contains(out, "platform") || strings.Contains(out, key) {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, err = c.run("channels", "rotate", "acme-shop")
	m2 := keyLine.FindStringSubmatch(out)
	if err != nil || m2 == nil || m2[1] == key {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	if _, err := st.ChannelByKey(ctx, api.HashKey(key)); err == nil {
		t.Error("the old key still works after rotate")
	}
	if _, err := c.run("channels", "revoke", "acme-shop"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ChannelByKey(ctx, api.HashKey(m2[1])); err == nil {
		t.Error("the key still works after revoke")
	}
	out, err = c.run("channels", "list")
	if err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("list after revoke: %v\n%s", err, out)
	}
	// Rotating a revoked channel's key makes it work again, with the new key.
	out, err = c.run("channels", "rotate", "acme-shop")
	m3 := keyLine.FindStringSubmatch(out)
	if err != nil || m3 == nil {
		t.Fatalf("rotate after revoke: %v\n%s", err, out)
	}
	if _, err := st.ChannelByKey(ctx, api.HashKey(m3[1])); err != nil {
		t.Errorf("the new key after revoke: %v", err)
	}
	out, err = c.run("channels", "deliveries", "acme-shop")
	if err != nil || !strings.Contains(out, "EVENT") {
		t.Errorf("deliveries: %v\n%s", err, out)
	}
	out, err = c.run("channels", "webhook", "acme-shop", "https://shop.example.com/v2")
	if err != nil || !strings.Contains(out, "0 held events") {
		t.Errorf("webhook: %v\n%s", err, out)
	}
	if _, err := c.run("channels", "deliveries", "acme-shop", "--redeliver", "evt_999"); err == nil {
		t.Error("redeliver of an unknown event: no error")
	}
}

// An order placed through the API is the desk's like any other: it reaches the reps' review
// cards and queue in chat, a rep reviews it with one tap, the channel confirms it by API,
// and its webhook receiver hears of each step.
func TestAPIOrderInRepsChat(t *testing.T) {
	bed := testbed.New(t)
	ctx := context.Background()
	if _, err := bed.Service.AddStaff(ctx, orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true}); err != nil {
		t.Fatal(err)
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	events := make(chan api.Event, 20)
	secret := api.NewSecret()
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := api.Verify(secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		var ev api.Event
		_ = json.Unmarshal(body, &ev)
		events <- ev
	}))
	defer rcv.Close()
	key, prefix := api.NewKey()
	if _, err := bed.Store.CreateChannel(ctx, orders.Channel{Name: "dist", Kind: orders.ChannelDistributor, KeyPrefix: prefix,
		WebhookURL: rcv.URL, WebhookSecret: secret}, api.HashKey(key)); err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Desk: bed.Service, Store: bed.Store, Redis: bed.Redis, RedisPrefix: bed.Prefix, Logger: bed.Log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	disp, err := api.NewDispatcher(api.DispatcherConfig{DB: bed.Store.DB().DB, Store: bed.Store, Logger: bed.Log,
		FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := disp.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = disp.Stop(context.Background()) }()

	post := func(path string, body any) (int, []byte) {
		data, _ := json.Marshal(body)
		r, _ := http.NewRequest(http.MethodPost, hs.URL+path, bytes.NewReader(data))
		r.Header.Set("Authorization", "Bearer "+key)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", testenv.RandomName("k-"))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	// 20 executive chairs, 8 in stock: production, so review.
	code, body := post("/api/v1/orders", map[string]any{
		"reference": "PO-7781", "customer": map[string]any{"name": "Zhao Min", "phone": "13900001111"},
		"lines":   []map[string]any{{"sku": "CHAIR-300", "quantity": 20, "options": map[string]string{"colour": "brown"}}},
		"address": "5 Harbour Road, Ningbo", "wanted_date": testbed.Now.AddDate(0, 2, 0).Format("2006-01-02"),
		"payment_method": "bank_transfer", "backorder": true,
	})
	var o api.Order
	_ = json.Unmarshal(body, &o)
	if code != 201 || o.Status != "pending_review" {
		t.Fatalf("place: %d %s", code, body)
	}
	rep := telegramtest.User{ID: 3001, FirstName: "Li", LanguageCode: "en"}
	card := tg.Server.ExpectText(t, rep.ID, "Order "+o.Number+" needs review", 15*time.Second)
	if !strings.Contains(card.Text, "Zhao Min") {
		t.Errorf("review card:\n%s", card.Text)
	}
	tg.Server.SendText(rep, "/orders review")
	queue := tg.Server.ExpectText(t, rep.ID, "Orders to review: 1", 10*time.Second)
	if _, ok := queue.Button("m:order:" + o.Number); !ok {
		t.Errorf("the review queue does not list %s: %s", o.Number, queue)
	}
	tg.Server.Press(t, rep, card, "m:ra:"+o.Number)
	tg.Server.ExpectText(t, rep.ID, "proposed", 10*time.Second)
	code, body = post("/api/v1/orders/"+o.Number+"/confirm", nil)
	if code != 200 || !strings.Contains(string(body), `"status":"confirmed"`) {
		t.Fatalf("confirm: %d %s", code, body)
	}
	// The rep is told the customer (the channel) confirmed.
	tg.Server.ExpectText(t, rep.ID, "confirmed", 10*time.Second)
	stored, _ := bed.Service.Order(ctx, o.Number)
	if stored.Source != "channel:dist" || stored.ApprovedBy == "" || stored.History[len(stored.History)-1].Actor != "channel:dist" {
		t.Errorf("order source %q, approved by %q, history %+v", stored.Source, stored.ApprovedBy, stored.History)
	}
	var got []string
	for len(got) < 3 {
		select {
		case ev := <-events:
			var d struct{ Status string }
			_ = json.Unmarshal(ev.Data, &d)
			got = append(got, ev.Type+":"+d.Status)
		case <-time.After(15 * time.Second):
			t.Fatalf("webhooks %v", got)
		}
	}
	if strings.Join(got, " ") != "order.created:pending_review order.status_changed:awaiting_customer order.status_changed:confirmed" {
		t.Errorf("webhooks %v", got)
	}
}

// store opens the CLI's database.
func (c *cli) store(t *testing.T) *pgstore.Store {
	t.Helper()
	st, err := pgstore.Open(context.Background(), c.vars["ORDERBOT_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// An operator sends a failed webhook event again from the command line: it is pending again
// with a delivery job queued, and the listing shows it.
func TestChannelsRedeliverAFailedEvent(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c)
	if _, err := c.run("channels", "add", "acme-shop", "--kind", "platform", "--webhook", "https://shop.example.com/events"); err != nil {
		t.Fatal(err)
	}
	st := c.store(t)
	var id int64
	if err := st.DB().Get(&id, `
		INSERT INTO channel_events (channel_id, order_id, type, data, status, attempts, last_error)
		SELECT ch.id, o.id, 'order.created', '{}', 'failed', 8, 'HTTP 500'
		FROM channels ch, orders o WHERE ch.name = 'acme-shop' AND o.number = 'SO-20261127-0001'
		RETURNING id`); err != nil {
		t.Fatal(err)
	}
	evt := "evt_" + strconv.FormatInt(id, 10)
	out, err := c.run("channels", "deliveries", "acme-shop")
	if err != nil || !strings.Contains(out, evt) || !strings.Contains(out, "failed") {
		t.Fatalf("deliveries before: %v\n%s", err, out)
	}
	var jobs int
	if err := st.DB().Get(&jobs, `SELECT count(*) FROM river_job`); err != nil {
		t.Fatal(err)
	}
	out, err = c.run("channels", "deliveries", "acme-shop", "--redeliver", evt)
	if err != nil || !strings.Contains(out, evt) || !strings.Contains(out, "queued for delivery again") {
		t.Fatalf("redeliver: %v\n%s", err, out)
	}
	var status string
	var after int
	if err := st.DB().Get(&status, `SELECT status FROM channel_events WHERE id = $1`, id); err != nil || status != "pending" {
		t.Errorf("event status after redeliver: %q, %v", status, err)
	}
	if err := st.DB().Get(&after, `SELECT count(*) FROM river_job`); err != nil || after != jobs+1 {
		t.Errorf("river jobs %d → %d (%v), want one more", jobs, after, err)
	}
	if _, err := c.run("channels", "deliveries", "other-shop", "--redeliver", evt); err == nil {
		t.Error("redeliver through another channel's name: no error")
	}
}
