package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/api"
	"github.com/orderbot/orderbot/demo"
	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
	"github.com/redis/go-redis/v9"
	"github.com/shopspring/decimal"
)

var shanghai = time.FixedZone("CST", 8*3600)

// bed is the API over real PostgreSQL and Redis, served on a real listener.
type bed struct {
	t       *testing.T
	store   *pgstore.Store
	redis   *redis.Client
	prefix  string
	service *orders.Service
	server  *api.Server
	http    *httptest.Server
	log     *slog.Logger
	keys    atomic.Int64
}

type bedOptions struct {
	rate    int
	maxBody int64
}

func logger(t *testing.T) *slog.Logger {
	if os.Getenv("ORDERBOT_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newBed(t *testing.T, opts bedOptions) *bed {
	t.Helper()
	b := &bed{t: t, store: pgstoretest.New(t), log: logger(t)}
	b.redis, b.prefix = testenv.Redis(t)
	b.service = orders.NewService(b.store, orders.DefaultRules(), orders.WithLocation(shanghai), orders.WithLogger(b.log))
	ps, err := orders.ParseCatalogCSV(bytes.NewReader(demo.Catalog()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.service.ImportProducts(context.Background(), ps); err != nil {
		t.Fatal(err)
	}
	if opts.rate == 0 {
		opts.rate = 10000
	}
	b.server, err = api.New(api.Config{Desk: b.service, Store: b.store, Redis: b.redis, RedisPrefix: b.prefix,
		Rate: opts.rate, MaxBody: opts.maxBody, Logger: b.log})
	if err != nil {
		t.Fatal(err)
	}
	b.http = httptest.NewServer(b.server.Handler())
	t.Cleanup(b.http.Close)
	return b
}

// channel adds a channel and returns its key.
func (b *bed) channel(name, kind string, opts ...func(*orders.Channel)) (orders.Channel, string) {
	b.t.Helper()
	key, prefix := api.NewKey()
	c := orders.Channel{Name: name, Kind: kind, KeyPrefix: prefix, WebhookSecret: api.NewSecret()}
	for _, o := range opts {
		o(&c)
	}
	c, err := b.store.CreateChannel(context.Background(), c, api.HashKey(key))
	if err != nil {
		b.t.Fatal(err)
	}
	return c, key
}

// response is an answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

func (r response) problem(t *testing.T) api.Problem {
	t.Helper()
	var p api.Problem
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json (body %s)", ct, r.body)
	}
	r.json(t, &p)
	return p
}

type req struct {
	method, path, key, idem, contentType string
	body                                 any // string, []byte, io.Reader or a value to encode
	// contentType "" is application/json, "-" none
}

func (b *bed) do(r req) response {
	b.t.Helper()
	var body io.Reader
	switch v := r.body.(type) {
	case nil:
	case io.Reader: // of unknown length: sent in chunks, without a Content-Length
		body = io.NopCloser(v)
	case string:
		body = strings.NewReader(v)
	case []byte:
		body = bytes.NewReader(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			b.t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	hr, err := http.NewRequest(r.method, b.http.URL+r.path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if r.key != "" {
		hr.Header.Set("Authorization", "Bearer "+r.key)
	}
	if r.method == http.MethodPost {
		ct := r.contentType
		switch ct {
		case "":
			ct = "application/json"
		case "-": // none
			ct = ""
		}
		if ct != "" {
			hr.Header.Set("Content-Type", ct)
		}
		idem := r.idem
		if idem == "" {
			idem = fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), b.keys.Add(1))
		}
		hr.Header.Set("Idempotency-Key", idem)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// wanted is a wanted date far enough ahead for any lead time.
func wanted(days int) string {
	return orders.Today(time.Now(), shanghai).AddDays(days).String()
}

// placement is a valid body of POST /orders.
func placement(sku string, qty int, opts map[string]string) map[string]any {
	return map[string]any{
		"reference": "REF-1",
		"customer":  map[string]any{"name": "Li Wei", "phone": "+86 138 0000 1234", "company": "Acme Trading"},
		"lines":     []map[string]any{{"sku": sku, "quantity": qty, "options": opts}},
		"address":   "88 Century Avenue, Pudong, Shanghai", "wanted_date": wanted(30),
		"payment_method": "bank_transfer", "notes": "call before delivery",
	}
}

// count runs a counting query.
func (b *bed) count(query string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.store.DB().Get(&n, query, args...); err != nil {
		b.t.Fatal(err)
	}
	return n
}

func mustDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// written is what the desk holds, table by table: what a refused request must leave as
// it was. (A refused POST's answer is kept for its Idempotency-Key, in api_idempotency,
// which is therefore not part of it.)
type written map[string]int

// state counts the rows of every table a request could write, the units reserved and the
// order numbers drawn.
func (b *bed) state() written {
	b.t.Helper()
	w := written{}
	for _, table := range []string{"orders", "order_lines", "order_history", "customers", "customer_addresses",
		"notifications", "channel_events", "change_requests", "payments", "desk_actions", "river_job"} {
		w[table] = b.count(`SELECT count(*) FROM ` + table)
	}
	w["reserved units"] = b.count(`SELECT COALESCE(sum(reserved), 0) FROM products`)
	w["order numbers drawn"] = b.count(`SELECT COALESCE(sum(last), 0) FROM order_counters`)
	return w
}

// nothingWritten fails the test when the desk changed since before.
func (b *bed) nothingWritten(t *testing.T, before written, what string) {
	t.Helper()
	after := b.state()
	for k, n := range before {
		if after[k] != n {
			t.Errorf("%s: %s went from %d to %d", what, k, n, after[k])
		}
	}
}
