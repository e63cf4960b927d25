package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/orderbot/orderbot/api"
	"github.com/orderbot/orderbot/orders"
)

// The served OpenAPI description is valid and describes the real responses: successes and
// problems alike are checked against it.
func TestOpenAPIDescribesResponses(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{rate: 3})
	resp, err := http.Get(b.http.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(spec, []byte(`"openapi":"3.1.0"`)) {
		t.Fatalf("openapi.json: %d %.200s", resp.StatusCode, spec)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the description is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: b.http.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, key := b.channel("shop", orders.ChannelPlatform)
	check := func(name string, r req) response {
		t.Helper()
		got := b.do(r)
		u, _ := url.Parse(b.http.URL + r.path)
		hr := &http.Request{Method: r.method, URL: u, Header: http.Header{}}
		route, params, err := router.FindRoute(hr)
		if err != nil {
			t.Errorf("%s: no route for %s %s: %v", name, r.method, r.path, err)
			return got
		}
		in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: got.status, Header: got.header,
			Body: io.NopCloser(bytes.NewReader(got.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s: %d response does not match the description: %v\n%s", name, got.status, err, got.body)
		}
		return got
	}
	placed := check("place", req{method: http.MethodPost, path: "/api/v1/orders", key: key,
		body: placement("TSHIRT-01", 12, map[string]string{"colour": "navy", "size": "L"})})
	var o api.Order
	placed.json(t, &o)
	check("get", req{method: http.MethodGet, path: "/api/v1/orders/" + o.Number, key: key})
	check("missing", req{method: http.MethodGet, path: "/api/v1/orders/SO-20990101-0009", key: key})
	check("unknown sku", req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: placement("NOPE", 1, nil)})
	check("invalid", req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: `{"lines": []}`})
	check("cancel", req{method: http.MethodPost, path: "/api/v1/orders/" + o.Number + "/cancel", key: key, body: map[string]string{"reason": "duplicate"}})
	check("list", req{method: http.MethodGet, path: "/api/v1/orders?status=confirmed&limit=10", key: key})
	check("products", req{method: http.MethodGet, path: "/api/v1/products", key: key})
	check("unauthorized", req{method: http.MethodGet, path: "/api/v1/products", key: "wrong"})
	var limited response
	for range 20 {
		if limited = check("rate", req{method: http.MethodGet, path: "/api/v1/products", key: key}); limited.status == 429 {
			break
		}
	}
	if limited.status != 429 {
		t.Error("never rate limited")
	}
	if !strings.Contains(string(spec), "application/problem+json") {
		t.Error("problems are not described")
	}
}

// The listing pages with a cursor, oldest change first, and a change moves an order to
// the end; status and updated_since filter it.
func TestListOrders(t *testing.T) {
	t.Parallel()
	b := newBed(t, bedOptions{})
	ctx := context.Background()
	_, key := b.channel("shop", orders.ChannelPlatform)
	_, otherKey := b.channel("other", orders.ChannelPlatform)
	var numbers []string
	for range 5 {
		resp := b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: key, body: placement("PHONE-X1", 1, map[string]string{"colour": "black"})})
		var o api.Order
		resp.json(t, &o)
		numbers = append(numbers, o.Number)
	}
	b.do(req{method: http.MethodPost, path: "/api/v1/orders", key: otherKey, body: placement("PHONE-X1", 1, map[string]string{"colour": "black"})})
	page := func(query string) api.OrderList {
		t.Helper()
		resp := b.do(req{method: http.MethodGet, path: "/api/v1/orders" + query, key: key})
		if resp.status != 200 {
			t.Fatalf("list %s: %d %s", query, resp.status, resp.body)
		}
		var l api.OrderList
		resp.json(t, &l)
		return l
	}
	var seen []string
	cursor := ""
	for range 10 {
		l := page("?limit=2&cursor=" + cursor)
		for _, o := range l.Orders {
			seen = append(seen, o.Number)
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	if strings.Join(seen, " ") != strings.Join(numbers, " ") {
		t.Errorf("paged %v, want %v", seen, numbers)
	}
	if _, err := b.service.Advance(ctx, "", numbers[1], orders.StatusShipped, orders.Operator, orders.AdvanceOptions{Carrier: "SF", Tracking: "1"}); err != nil {
		t.Fatal(err)
	}
	all := page("")
	if len(all.Orders) != 5 || all.Orders[4].Number != numbers[1] || all.NextCursor != "" {
		t.Errorf("after a change: %v", all.Orders)
	}
	shipped := page("?status=shipped,delivered")
	if len(shipped.Orders) != 1 || shipped.Orders[0].Number != numbers[1] {
		t.Errorf("status filter: %v", shipped.Orders)
	}
	if l := page("?updated_since=2099-01-01T00:00:00Z"); len(l.Orders) != 0 {
		t.Errorf("updated since 2099: %d orders", len(l.Orders))
	}
	// A shipped order cannot be cancelled.
	shippedCancel := b.do(req{method: http.MethodPost, path: "/api/v1/orders/" + numbers[1] + "/cancel", key: key, body: map[string]string{"reason": "late"}})
	if p := shippedCancel.problem(t); shippedCancel.status != 409 || p.Type != api.TypeCancelRefused {
		t.Errorf("cancel a shipped order: %d %s", shippedCancel.status, shippedCancel.body)
	}
	for _, bad := range []string{"?status=lost", "?cursor=notacursor", "?updated_since=yesterday"} {
		resp := b.do(req{method: http.MethodGet, path: "/api/v1/orders" + bad, key: key})
		if p := resp.problem(t); resp.status != 400 || (p.Type != api.TypeInvalidQuery && p.Type != api.TypeInvalidCursor) {
			t.Errorf("%s: %d %s", bad, resp.status, resp.body)
		}
	}
}
