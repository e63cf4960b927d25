package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/api"
	"github.com/orderbot/orderbot/orders"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	_, key := b.channel("shop", orders.ChannelPlatform)
	revoked, oldKey := b.channel("gone", orders.ChannelAgent)
	if err := b.store.RevokeChannel(context.Background(), revoked.Name); err != nil {
		t.Fatal(err)
	}
	before := b.state()
	for _, c := range []struct{ name, key string }{{"missing", ""}, {"wrong", "ob_live_nope"}, {"revoked", oldKey}} {
		for _, r := range []req{
			{method: http.MethodGet, path: "/api/v1/products", key: c.key},
			{method: http.MethodPost, path: "/api/v1/orders", key: c.key, body: placement("CHAIR-100", 1, map[string]string{"colour": "black"})},
		} {
			resp := b.do(r)
			p := resp.problem(t)
			if resp.status != 401 || p.Type != api.TypeUnauthorized || resp.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s key, %s %s: %d %s %q", c.name, r.method, r.path, resp.status, p.Type, resp.header.Get("WWW-Authenticate"))
			}
		}
	}
	b.nothingWritten(t, before, "requests without a valid key")
	if n := b.count(`SELECT count(*) FROM api_idempotency`); n != 0 {
		t.Errorf("%d idempotency keys taken by requests without a valid key", n)
	}
	if resp := b.do(req{method: http.MethodGet, path: "/api/v1/products", key: key}); resp.status != 200 {
		t.Errorf("valid key: %d %s", resp.status, resp.body)
	}
	// A rotated key replaces the old one at once.
	_, _ = b.channel("agent", orders.ChannelAgent)
	newKey, prefix := api.NewKey()
	if err := b.store.RotateChannelKey(context.Background(), "shop", api.HashKey(newKey), prefix); err != nil {
		t.Fatal(err)
	}
	if resp := b.do(req{method: http.MethodGet, path: "/api/v1/products", key: key}); resp.status != 401 {
		t.Errorf("rotated-out key: %d", resp.status)
	}
	if resp := b.do(req{method: http.MethodGet, path: "/api/v1/products", key: newKey}); resp.status != 200 {
		t.Errorf("new key: %d", resp.status)
	}
}

func TestPlaceAndRead(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	_, key := b.channel("shop", orders.ChannelPlatform)
	_, otherKey := b.channel("other", orders.ChannelDistributor)
	resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key,
		body: placement("CHAIR-200", 4, map[string]string{"colour": "grey", "writing_board": "yes"})})
	if resp.status != 201 {
		t.Fatalf("place: %d %s", resp.status, resp.body)
	}
	var o api.Order
	resp.json(t, &o)
	if !strings.HasPrefix(o.Number, "SO-") || o.Status != "confirmed" || o.Total != "1556.00" || o.DepositDue != "0.00" ||
		o.PromisedDate != wanted(30) || o.Reference != "REF-1" || len(o.Lines) != 1 || o.Lines[0].UnitPrice != "389.00" ||
		o.Lines[0].Options["writing_board"] != "yes" || !o.Lines[0].FromStock || o.Customer.Name != "Li Wei" {
		t.Errorf("placed order: %+v", o)
	}
	if loc := resp.header.Get("Location"); loc != "/api/v1/orders/"+o.Number {
		t.Errorf("Location %q", loc)
	}
	got := b.do(req{method: http.MethodGet, path: "/api/v1/orders/" + strings.ToLower(o.Number), key: key})
	var again api.Order
	got.json(t, &again)
	if got.status != 200 || again.Number != o.Number || again.Total != o.Total {
		t.Errorf("get: %d %s", got.status, got.body)
	}
	stored, err := b.service.Order(context.Background(), o.Number)
	if err != nil || stored.Source != "channel:shop" || stored.Reference != "REF-1" || stored.Channel() != "shop" {
		t.Errorf("stored source %q reference %q: %v", stored.Source, stored.Reference, err)
	}

	// Another channel's order reads exactly like a missing one, and asking to cancel it
	// changes nothing.
	before := b.state()
	theirs := b.do(req{method: http.MethodGet, path: "/api/v1/orders/" + o.Number, key: otherKey})
	missing := b.do(req{method: http.MethodGet, path: "/api/v1/orders/SO-20990101-0001", key: otherKey})
	pt, pm := theirs.problem(t), missing.problem(t)
	if theirs.status != 404 || missing.status != 404 || pt.Type != api.TypeNotFound || pt.Detail != pm.Detail || pt.Title != pm.Title {
		t.Errorf("another channel's order: %d %s; missing: %d %s", theirs.status, theirs.body, missing.status, missing.body)
	}
	cancel := b.do(req{method: http.MethodPost, path: "/api/v1/orders/" + o.Number + "/cancel", key: otherKey, body: map[string]string{"reason": "x"}})
	cancelMissing := b.do(req{method: http.MethodPost, path: "/api/v1/orders/SO-20990101-0001/cancel", key: otherKey, body: map[string]string{"reason": "x"}})
	if pc, pcm := cancel.problem(t), cancelMissing.problem(t); cancel.status != 404 || pc.Type != api.TypeNotFound || pc.Detail != pcm.Detail {
		t.Errorf("another channel cancels: %d %s; a missing one: %s", cancel.status, cancel.body, cancelMissing.body)
	}
	var listed struct {
		Orders []api.Order `json:"orders"`
	}
	list := b.do(req{method: http.MethodGet, path: "/api/v1/orders", key: otherKey})
	list.json(t, &listed)
	if list.status != 200 || len(listed.Orders) != 0 {
		t.Errorf("another channel lists %d orders: %d %s", len(listed.Orders), list.status, list.body)
	}
	b.nothingWritten(t, before, "another channel's requests")
	if o2, _ := b.service.Order(context.Background(), o.Number); o2.Status != orders.StatusConfirmed {
		t.Errorf("status %s after another channel's cancel", o2.Status)
	}
}

// Each bad request gets its own problem type, and nothing is written.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{maxBody: 1 << 20})
	_, key := b.channel("shop", orders.ChannelPlatform)
	with := func(change func(map[string]any)) map[string]any {
		p := placement("CHAIR-100", 2, map[string]string{"colour": "black"})
		change(p)
		return p
	}
	line := func(p map[string]any) map[string]any { return p["lines"].([]map[string]any)[0] }
	huge := bytes.Repeat([]byte(" "), 10<<20)
	cases := []struct {
		name        string
		body        any
		contentType string
		status      int
		typ         string
		field       string
	}{
		{"bad JSON", `{"lines": [`, "", 400, api.TypeMalformedJSON, ""},
		{"unknown SKU", with(func(p map[string]any) { line(p)["sku"] = "NOPE-1" }), "", 422, api.TypeUnknownSKU, "lines[0].sku"},
		{"quantity 0", with(func(p map[string]any) { line(p)["quantity"] = 0 }), "", 422, api.TypeInvalidField, "lines[0].quantity"},
		{"quantity -1", with(func(p map[string]any) { line(p)["quantity"] = -1 }), "", 422, api.TypeInvalidField, "lines[0].quantity"},
		{"quantity in words", with(func(p map[string]any) { line(p)["quantity"] = "two" }), "", 422, api.TypeInvalidField, "lines[0].quantity"},
		{"quantity too large", with(func(p map[string]any) { line(p)["quantity"] = 1000000 }), "", 422, api.TypeInvalidField, "lines[0].quantity"},
		{"past date", with(func(p map[string]any) { p["wanted_date"] = wanted(-3) }), "", 422, api.TypeInvalidField, "wanted_date"},
		{"too early", with(func(p map[string]any) { p["wanted_date"] = wanted(0) }), "", 422, api.TypeWantedDateTooEarly, "wanted_date"},
		{"not a date", with(func(p map[string]any) { p["wanted_date"] = "next Friday" }), "", 422, api.TypeInvalidField, "wanted_date"},
		{"unknown option", with(func(p map[string]any) { line(p)["options"] = map[string]string{"colour": "pink"} }), "", 422, api.TypeInvalidField, "lines[0].options.colour"},
		{"missing option", with(func(p map[string]any) { delete(line(p), "options") }), "", 422, api.TypeInvalidField, "lines[0].options.colour"},
		{"bad phone", with(func(p map[string]any) { p["customer"].(map[string]any)["phone"] = "call me maybe" }), "", 422, api.TypeInvalidField, "customer.phone"},
		{"no customer", with(func(p map[string]any) { delete(p, "customer") }), "", 422, api.TypeNoCustomer, "customer"},
		{"no lines", with(func(p map[string]any) { p["lines"] = []any{} }), "", 422, api.TypeInvalidField, "lines"},
		{"unknown payment", with(func(p map[string]any) { p["payment_method"] = "bitcoin" }), "", 422, api.TypeInvalidField, "payment_method"},
		{"unknown field", with(func(p map[string]any) { p["discount"] = "90%" }), "", 422, api.TypeInvalidField, ""},
		{"10 MB body", append(append([]byte(`{"notes": "`), huge...), `"}`...), "", 413, api.TypeBodyTooLarge, ""},
		{"10 MB body sent in chunks", io.MultiReader(bytes.NewReader([]byte(`{"notes": "`)), bytes.NewReader(huge), strings.NewReader(`"}`)),
			"", 413, api.TypeBodyTooLarge, ""},
		{"wrong content type", `reference=1`, "application/x-www-form-urlencoded", 415, api.TypeUnsupportedMediaType, ""},
		{"no content type", with(func(map[string]any) {}), "-", 415, api.TypeUnsupportedMediaType, ""},
		{"text/plain JSON", with(func(map[string]any) {}), "text/plain", 415, api.TypeUnsupportedMediaType, ""},
		{"not enough stock", with(func(p map[string]any) {
			line(p)["sku"] = "CHAIR-300"
			line(p)["quantity"] = 9
			line(p)["options"] = map[string]string{"colour": "brown"}
		}), "", 409, api.TypeInsufficientStock, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := b.state()
			resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: c.body, contentType: c.contentType})
			b.nothingWritten(t, before, c.name)
			p := resp.problem(t)
			if resp.status != c.status || p.Type != c.typ || p.Status != c.status {
				t.Fatalf("%d %s, want %d %s: %s", resp.status, p.Type, c.status, c.typ, resp.body)
			}
			if c.field != "" {
				found := false
				for _, e := range p.Errors {
					found = found || e.Field == c.field
				}
				if !found {
					t.Errorf("errors %+v do not name %s", p.Errors, c.field)
				}
			}
			if c.typ == api.TypeInsufficientStock && (len(p.Lines) != 1 || p.Lines[0].Available != 8 || p.Lines[0].Requested != 9) {
				t.Errorf("insufficient stock lines %+v, want CHAIR-300 9 requested 8 available", p.Lines)
			}
			if c.typ == api.TypeWantedDateTooEarly && p.EarliestDate == "" {
				t.Error("no earliest_date")
			}
		})
	}
	if n := b.count(`SELECT count(*) FROM orders`); n != 0 {
		t.Errorf("%d orders written by bad requests", n)
	}
}

func TestIdempotencyKeyRequired(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	_, key := b.channel("shop", orders.ChannelPlatform)
	hr, _ := http.NewRequest(http.MethodPost, b.http.URL+"/api/v1/orders", strings.NewReader(`{}`))
	hr.Header.Set("Authorization", "Bearer "+key)
	hr.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("POST without Idempotency-Key: %d", resp.StatusCode)
	}
	long := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: strings.Repeat("k", 256), body: `{}`})
	if p := long.problem(t); long.status != 400 || p.Type != api.TypeIdempotencyKeyBad {
		t.Errorf("a 256-character key: %d %s", long.status, long.body)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	_, key := b.channel("shop", orders.ChannelPlatform)
	body := placement("PHONE-X1", 2, map[string]string{"colour": "white"})
	first := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "order-42", body: body})
	second := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "order-42", body: body})
	if first.status != 201 || second.status != 201 || !bytes.Equal(first.body, second.body) {
		t.Fatalf("first %d %s\nsecond %d %s", first.status, first.body, second.status, second.body)
	}
	if second.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("Idempotent-Replayed: first %q, second %q", first.header.Get("Idempotent-Replayed"), second.header.Get("Idempotent-Replayed"))
	}
	if n := b.count(`SELECT count(*) FROM orders`); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
	other := placement("PHONE-X1", 3, map[string]string{"colour": "white"})
	before := b.state()
	reused := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "order-42", body: other})
	if p := reused.problem(t); reused.status != 422 || p.Type != api.TypeIdempotencyKeyReused {
		t.Errorf("same key, other body: %d %s", reused.status, reused.body)
	}
	b.nothingWritten(t, before, "the same key with another body")
	// The key still answers its own request with the first response.
	if again := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "order-42", body: body}); again.status != 201 ||
		!bytes.Equal(again.body, first.body) {
		t.Errorf("the first request again after a refused reuse: %d %s", again.status, again.body)
	}
	// A refused request is replayed too: the same answer for the same key.
	bad := placement("NOPE", 1, nil)
	r1 := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "bad-1", body: bad})
	r2 := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "bad-1", body: bad})
	if r1.status != 422 || r2.status != 422 || !bytes.Equal(r1.body, r2.body) {
		t.Errorf("refused request replay: %d %s / %d %s", r1.status, r1.body, r2.status, r2.body)
	}
	// Keys are the channel's own: another channel may use the same key.
	_, key2 := b.channel("agent", orders.ChannelDistributor)
	third := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key2, idem: "order-42", body: body})
	if third.status != 201 || bytes.Equal(third.body, first.body) {
		t.Errorf("another channel with the same key: %d %s", third.status, third.body)
	}
	if n := b.count(`SELECT count(*) FROM orders`); n != 2 {
		t.Errorf("%d orders, want 2", n)
	}
}

// blockingDesk holds placements until released: a request in flight.
type blockingDesk struct {
	*orders.Service
	entered chan struct{}
	release chan struct{}
}

func (d blockingDesk) PlaceThroughChannel(ctx context.Context, channel string, dr orders.Draft) (orders.Order, bool, error) {
	d.entered <- struct{}{}
	<-d.release
	return d.Service.PlaceThroughChannel(ctx, channel, dr)
}

func TestIdempotencyInFlight(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	desk := blockingDesk{Service: b.service, entered: make(chan struct{}, 1), release: make(chan struct{})}
	srv, err := api.New(api.Config{Desk: desk, Store: b.store, Logger: b.log})
	if err != nil {
		t.Fatal(err)
	}
	b.http.Config.Handler = srv.Handler()
	_, key := b.channel("shop", orders.ChannelPlatform)
	body := placement("PHONE-X1", 1, map[string]string{"colour": "green"})
	var wg sync.WaitGroup
	var first response
	wg.Go(func() {
		first = b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "slow", body: body})
	})
	<-desk.entered
	during := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "slow", body: body})
	if p := during.problem(t); during.status != 409 || p.Type != api.TypeIdempotencyInFlight {
		t.Errorf("while in flight: %d %s", during.status, during.body)
	}
	close(desk.release)
	wg.Wait()
	after := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "slow", body: body})
	if first.status != 201 || after.status != 201 || !bytes.Equal(first.body, after.body) {
		t.Errorf("first %d, after %d", first.status, after.status)
	}
}

// 50 channels' clients race for the last 10 units: exactly 10 orders get them.
func TestLastUnits(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	ctx := context.Background()
	if _, err := b.service.ImportProducts(ctx, []orders.Product{{SKU: "LAST-1", NameEN: "Last lamp", NameZH: "台灯",
		Category: "lamps", Unit: "pcs", Price: mustDec("99.00"), OnHand: 10, Standard: true, Active: true}}); err != nil {
		t.Fatal(err)
	}
	_, key := b.channel("shop", orders.ChannelPlatform)
	statuses := make([]int, 50)
	types := make([]string, 50)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: placement("LAST-1", 1, nil)})
			statuses[i] = resp.status
			if resp.status != 201 {
				types[i] = resp.problem(t).Type
			}
		})
	}
	wg.Wait()
	placed := 0
	for i, s := range statuses {
		switch {
		case s == 201:
			placed++
		case s == 409 && (types[i] == api.TypeInsufficientStock):
		default:
			t.Errorf("placement %d: %d %s", i, s, types[i])
		}
	}
	if placed != 10 {
		t.Errorf("%d placed, want exactly 10", placed)
	}
	if n := b.count(`SELECT count(*) FROM orders`); n != 10 {
		t.Errorf("%d orders in the database, want 10", n)
	}
	if n := b.count(`SELECT reserved FROM products WHERE sku = 'LAST-1'`); n != 10 {
		t.Errorf("%d reserved, want 10", n)
	}
	// The 40 refused placements left nothing behind: no line, history entry or event.
	for _, table := range []string{"order_lines", "order_history", "channel_events"} {
		if n := b.count(`SELECT count(*) FROM ` + table); n != 10 {
			t.Errorf("%d rows in %s, want 10 (one per order placed)", n, table)
		}
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{rate: 2})
	_, key := b.channel("shop", orders.ChannelPlatform)
	_, other := b.channel("other", orders.ChannelPlatform)
	var limited response
	for range 20 {
		if r := b.do(req{method: http.MethodGet, path: "/api/v1/products", key: key}); r.status == 429 {
			limited = r
			break
		}
	}
	if limited.status != 429 {
		t.Fatal("20 requests at once never limited at 2/s")
	}
	p := limited.problem(t)
	if p.Type != api.TypeRateLimited || limited.header.Get("Retry-After") == "" || p.RetryAfter < 1 {
		t.Errorf("limited: %s, Retry-After %q", limited.body, limited.header.Get("Retry-After"))
	}
	// The limit is the channel's: another channel is not limited.
	if r := b.do(req{method: http.MethodGet, path: "/api/v1/products", key: other}); r.status != 200 {
		t.Errorf("another channel: %d", r.status)
	}
}

func TestProducts(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	_, key := b.channel("shop", orders.ChannelPlatform)
	resp := b.do(req{method: http.MethodGet, path: "/api/v1/products?category=chairs", key: key})
	var out struct{ Products []api.Product }
	resp.json(t, &out)
	if resp.status != 200 || len(out.Products) != 3 || out.Products[2].SKU != "CHAIR-300" || out.Products[2].Available != 8 ||
		out.Products[2].Price != "1280.00" || len(out.Products[2].Options) != 1 {
		t.Errorf("products: %d %s", resp.status, resp.body)
	}
}

// After its time to live a key is forgotten: it may be used for a new request.
func TestIdempotencyExpires(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	srv, err := api.New(api.Config{Desk: b.service, Store: b.store, Logger: b.log, IdempotencyTTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b.http.Config.Handler = srv.Handler()
	_, key := b.channel("shop", orders.ChannelPlatform)
	first := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "k1", body: placement("PHONE-X1", 1, map[string]string{"colour": "black"})})
	time.Sleep(1100 * time.Millisecond)
	second := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, idem: "k1", body: placement("PHONE-X1", 2, map[string]string{"colour": "black"})})
	if first.status != 201 || second.status != 201 || bytes.Equal(first.body, second.body) {
		t.Errorf("first %d, second after expiry %d %s", first.status, second.status, second.body)
	}
	time.Sleep(1100 * time.Millisecond)
	if n, err := srv.Prune(context.Background()); err != nil || n != 1 {
		t.Errorf("pruned %d, %v", n, err)
	}
}

// A channel tied to a customer account (an agent ordering for itself) may leave the
// customer out: the order is the account's, and it records the channel as its source.
func TestChannelTiedToCustomer(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	ctx := context.Background()
	if _, err := b.service.RegisterCustomer(ctx, orders.Customer{TelegramID: 5150, Name: "Agent Wang", Phone: "+86 139 1111 2222"}); err != nil {
		t.Fatal(err)
	}
	_, key := b.channel("agent-wang", orders.ChannelAgent, func(c *orders.Channel) { c.Customer.TelegramID = 5150 })
	body := placement("PHONE-X1", 1, map[string]string{"colour": "black"})
	delete(body, "customer")
	resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: body})
	var o api.Order
	resp.json(t, &o)
	if resp.status != 201 || o.Customer.Name != "Agent Wang" || o.Customer.Phone != "+86 139 1111 2222" {
		t.Fatalf("place without a customer: %d %s", resp.status, resp.body)
	}
	stored, err := b.service.Order(ctx, o.Number)
	if err != nil || stored.Customer.TelegramID != 5150 || stored.Source != "channel:agent-wang" {
		t.Errorf("stored customer %+v, source %q: %v", stored.Customer, stored.Source, err)
	}
}
