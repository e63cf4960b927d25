package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/conversation/redisstore"
	"github.com/shopspring/decimal"
)

// flakyChats is the bed's Redis chats whose next session save fails when armed: a Redis
// blip after the step's transaction committed.
type flakyChats struct {
	conversation.Chats
	fail atomic.Bool
}

func (c *flakyChats) SaveSession(ctx context.Context, chatID int64, data []byte, ttl time.Duration) error {
	if c.fail.CompareAndSwap(true, false) {
		return errors.New("redis: connection reset by peer")
	}
	return c.Chats.SaveSession(ctx, chatID, data, ttl)
}

// Begin arms the turn's fenced save too: a turn saves through it when the store fences.
func (c *flakyChats) Begin(ctx context.Context, chatID int64, key string) (conversation.Turn, error) {
	turn, err := c.Chats.Begin(ctx, chatID, key)
	if err != nil || turn.Save == nil {
		return turn, err
	}
	save := turn.Save
	turn.Save = func(ctx context.Context, data []byte, ttl time.Duration) error {
		if c.fail.CompareAndSwap(true, false) {
			return errors.New("redis: connection reset by peer")
		}
		return save(ctx, data, ttl)
	}
	return turn, nil
}

// redeliveredAfterFailedSave runs the input as one update whose session save fails after
// the step, then delivers the same update again, as Telegram does when it was not
// acknowledged. The second delivery must succeed.
func (d *driver) redeliveredAfterFailedSave(chats *flakyChats, in conversation.Input) {
	d.t.Helper()
	d.n++
	u := conversation.Update{Key: fmt.Sprintf("t:%d:%d", d.u.ID, d.n), User: d.u, Input: in}
	chats.fail.Store(true)
	d.last = nil
	if err := d.e.Handle(context.Background(), u, d); err == nil {
		d.t.Fatal("the update was handled although its session was not saved")
	}
	d.last = nil
	if err := d.e.Handle(context.Background(), u, d); err != nil {
		d.t.Fatalf("redelivered update: %v", err)
	}
}

func (d *driver) pressAfterFailedSave(chats *flakyChats, label string) {
	d.t.Helper()
	b, ok := d.button(label)
	if !ok {
		d.t.Fatalf("no button %q in:\n%s", label, d.shown())
	}
	d.redeliveredAfterFailedSave(chats, conversation.Input{Kind: conversation.InputButton, Data: b.Data})
}

// flakyDesk is newDesk whose drivers' engine saves sessions through flakyChats.
func flakyDesk(t *testing.T) (*desk, *flakyChats) {
	k := newDesk(t)
	chats := &flakyChats{Chats: redisstore.New(k.bed.Redis, k.bed.Prefix)}
	e := conversation.New(conversation.Config{Desk: k.bed.Service, Chats: chats, Logger: k.bed.Log})
	for _, d := range []*driver{k.customer, k.rep1, k.rep2, k.manager} {
		d.e = e
	}
	return k, chats
}

// A ¥100 payment whose session save fails after the payment committed, redelivered: one
// payment, and the rep is told it was recorded.
func TestPaymentRedeliveredAfterFailedSaveCountsOnce(t *testing.T) {
	t.Parallel()
	k, chats := flakyDesk(t)
	n := k.place(t, "CHAIR-100", "grey", "10") // from stock: confirmed at once
	r := k.rep1
	r.cmd("/status " + n)
	r.press("Record a payment")
	r.text("100")
	r.pressAfterFailedSave(chats, "Bank transfer")
	r.expect("¥100.00 recorded for " + n)
	o := k.order(t, n)
	if !o.Paid.Equal(decimal.RequireFromString("100")) {
		t.Errorf("paid %s after one ¥100 payment delivered twice, want 100", o.Paid)
	}
	var payments int
	if err := k.bed.Store.DB().GetContext(context.Background(), &payments,
		`SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.number = $1`, n); err != nil {
		t.Fatal(err)
	}
	if payments != 1 {
		t.Errorf("%d payments recorded, want 1", payments)
	}
}

// Each kind of desk action in the dialog, its update redelivered after the session save
// failed, happens once and answers as the first delivery would.
func TestDeskActionsRedeliveredAfterFailedSaveHappenOnce(t *testing.T) {
	t.Parallel()
	k, chats := flakyDesk(t)
	ctx := context.Background()
	c, r, m := k.customer, k.rep1, k.manager

	// The customer's Confirm of a new order.
	c.cmd("/neworder")
	c.text("CHAIR-300")
	c.press("black")
	c.text("20")
	c.press("Continue")
	c.press("Wei Zhang")
	c.text("13800138000")
	c.text("No. 1 Century Avenue, Shanghai")
	c.text("2026-12-21")
	c.press("Bank transfer")
	c.press("Skip")
	c.pressAfterFailedSave(chats, "Confirm")
	n := ""
	for _, rep := range c.last {
		if n = orderNumber(rep.Text); n != "" {
			break
		}
	}
	if n == "" {
		t.Fatalf("the redelivered Confirm did not tell the number:\n%s", c.shown())
	}
	count := func(query string) int {
		t.Helper()
		var x int
		if err := k.bed.Store.DB().GetContext(ctx, &x, query); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if got := count(`SELECT count(*) FROM orders`); got != 1 {
		t.Fatalf("%d orders after one Confirm delivered twice", got)
	}

	history := func() int { return len(k.order(t, n).History) }
	steps := []struct {
		name    string
		do      func()
		entries int // history entries the action adds
	}{
		{"review", func() {
			r.cmd("/status " + n)
			r.pressAfterFailedSave(chats, "Accept")
			r.expect("proposed")
		}, 1},
		{"customer confirm", func() {
			c.cmd("/status " + n)
			c.pressAfterFailedSave(chats, "Confirm")
			c.expect("is confirmed")
		}, 1},
		{"payment", func() {
			r.cmd("/status " + n)
			r.press("Record a payment")
			r.press("Deposit")
			r.pressAfterFailedSave(chats, "Bank transfer")
			r.expect("recorded for " + n)
		}, 1},
		{"advance", func() {
			r.cmd("/status " + n)
			r.pressAfterFailedSave(chats, "Start production")
			r.expect("is now in production")
		}, 1},
		{"change request", func() {
			c.cmd("/status " + n)
			c.press("Request a change")
			c.press("Delivery date")
			c.text("2026-12-28")
			c.pressAfterFailedSave(chats, "Skip")
			c.expect("sent to a manager")
		}, 0}, // a pending request is not in the order's history
		{"change decision", func() {
			m.redeliveredAfterFailedSave(chats, conversation.Input{Kind: conversation.InputButton, Data: "m:ca:" + pendingChange(t, k, n)})
			m.expect("Approved")
		}, 1},
	}
	for _, s := range steps {
		before := history()
		s.do()
		if got := history(); got != before+s.entries {
			t.Errorf("%s delivered twice added %d history entries, want %d", s.name, got-before, s.entries)
		}
	}
	if got := count(`SELECT count(*) FROM change_requests`); got != 1 {
		t.Errorf("%d change requests, want 1", got)
	}
	if got := count(`SELECT count(*) FROM payments`); got != 1 {
		t.Errorf("%d payments, want 1", got)
	}
}
