package notify_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

var _ notify.Outbox = (*pgstore.Store)(nil)

// clock is the tests' clock: the wall clock moved forward by an offset that only grows, so
// that River, which runs on it, never falls behind the database's now().
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the clock forward to t.
func (c *clock) Set(tb testing.TB, t time.Time) {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	d := time.Until(t)
	if d < c.offset {
		tb.Fatalf("clock: %s is in the clock's past", t)
	}
	c.offset = d
}

// nextMonday returns 9:00 in Shanghai of the first Monday at least a day after now.
func nextMonday(now time.Time) time.Time {
	d := now.In(testbed.Shanghai).AddDate(0, 0, 1)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, testbed.Shanghai)
}

// The people of the tests.
var (
	alice = orders.Staff{TelegramID: 7001, Name: "Alice", Role: orders.RoleRep, Active: true, Language: "en"}
	bo    = orders.Staff{TelegramID: 7002, Name: "Bo", Role: orders.RoleRep, Active: true, Language: "zh"}
	mei   = orders.Staff{TelegramID: 7003, Name: "Mei", Role: orders.RoleManager, Active: true, Language: "zh"}

	wang  = orders.Customer{TelegramID: 9001, Name: "王芳", Phone: "+86 138 0013 8000", Language: "zh"}
	smith = orders.Customer{TelegramID: 9002, Name: "John Smith", Phone: "+86 139 0000 1111", Language: "en"}
	lee   = orders.Customer{TelegramID: 9003, Name: "Lee", Phone: "+86 137 0000 2222", Language: ""}
)

// env is a bed with staff, a moving clock and a service on that clock.
type env struct {
	t     *testing.T
	bed   *testbed.Bed
	clock *clock
	svc   *orders.Service
	ctx   context.Context
	keys  atomic.Int64
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, bed: testbed.New(t), clock: &clock{}, ctx: t.Context()}
	e.clock.Set(t, nextMonday(time.Now()))
	e.svc = orders.NewService(e.bed.Store, e.bed.Rules, orders.WithClock(e.clock.Now),
		orders.WithLocation(testbed.Shanghai), orders.WithLogger(e.bed.Log))
	for _, st := range []orders.Staff{alice, bo, mei} {
		if _, err := e.svc.AddStaff(e.ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// start starts a notifier on the env's clock.
func (e *env) start(srv *telegramtest.Server, configure func(*notify.Config)) *testbed.Notifier {
	e.t.Helper()
	return e.startWith(testbed.NotifierOptions{Server: srv, Configure: configure})
}

// startWith starts a notifier on the env's clock with more options.
func (e *env) startWith(opts testbed.NotifierOptions) *testbed.Notifier {
	e.t.Helper()
	opts.Now = e.clock.Now
	return e.bed.StartNotifier(opts)
}

// today is the env's business date.
func (e *env) today() orders.Date { return e.svc.Today() }

// place places an order of qty units of sku for the customer, wanted on wanted.
func (e *env) place(c orders.Customer, sku string, qty int, wanted orders.Date) orders.Order {
	e.t.Helper()
	o, _, err := e.svc.Place(e.ctx, e.draft(c, sku, qty, wanted), "customer:"+fmt.Sprint(c.TelegramID))
	if err != nil {
		e.t.Fatalf("place %s × %d for %s: %v", sku, qty, c.Name, err)
	}
	return o
}

func (e *env) draft(c orders.Customer, sku string, qty int, wanted orders.Date) orders.Draft {
	return orders.Draft{
		Key:      fmt.Sprintf("draft-%d", e.keys.Add(1)),
		Customer: c, Lines: []orders.DraftLine{{SKU: sku, Quantity: qty}},
		Address: "1 Renmin Road, Shanghai", WantedDate: wanted, PaymentMethod: "bank_transfer",
	}
}

// expect waits for the next message to chat and checks that it contains every substring.
func expect(t *testing.T, srv *telegramtest.Server, chat int64, subs ...string) telegramtest.Sent {
	t.Helper()
	m := srv.Expect(t, chat, 20*time.Second)
	for _, s := range subs {
		if !strings.Contains(m.Text, s) {
			t.Errorf("chat %d: message %q lacks %q", chat, m.Text, s)
		}
	}
	return m
}

// buttons returns the callback data of a message's buttons, row by row.
func buttons(m telegramtest.Sent) [][]string {
	var out [][]string
	for _, row := range m.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.CallbackData)
		}
		out = append(out, r)
	}
	return out
}

// settled waits until no notification (but those of the kinds ignored, like scheduled
// reminders) is pending or being sent, and returns the count of each state.
func (e *env) settled(timeout time.Duration, ignored ...string) map[string]int {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	ignored = append([]string{}, ignored...) // never a NULL array
	for {
		var rows []struct {
			Status string `db:"status"`
			N      int    `db:"n"`
		}
		if err := e.bed.Store.DB().SelectContext(e.ctx, &rows, `
			SELECT status, count(*) AS n FROM notifications WHERE kind <> ALL($1) GROUP BY status`, pq.Array(ignored)); err != nil {
			e.t.Fatal(err)
		}
		m := map[string]int{}
		for _, r := range rows {
			m[r.Status] = r.N
		}
		if m["pending"] == 0 && m["sending"] == 0 {
			return m
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("notifications not settled after %s: %v", timeout, m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// status returns the outbox state of the notification key.
func (e *env) status(key string) string {
	e.t.Helper()
	var s string
	if err := e.bed.Store.DB().GetContext(e.ctx, &s, `SELECT status FROM notifications WHERE key = $1`, key); err != nil {
		e.t.Fatalf("notification %s: %v", key, err)
	}
	return s
}

// quiet checks that chat gets nothing more within d.
func quiet(t *testing.T, srv *telegramtest.Server, chat int64, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	if m, err := srv.WaitSent(ctx, chat, nil); err == nil {
		t.Errorf("chat %d got an unexpected message: %q", chat, m.Text)
	}
}
