package notify_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
)

// An uncertain notification (the worker died between Telegram taking the message and the
// record) is counted, listed for the operator, and sent again when the operator resends
// it; a second resend is refused. The metrics count what happened.
func TestUncertainNotificationResentByOperator(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	reg := prometheus.NewRegistry()
	metrics := notify.NewMetrics(reg)
	var died atomic.Bool
	e.startWith(testbed.NotifierOptions{Server: srv,
		Configure: func(c *notify.Config) { c.Metrics = metrics },
		Prepare: func(n *notify.Notifier) {
			notify.SetAfterSend(n, func(ctx context.Context, a notify.SendArgs) {
				if died.CompareAndSwap(false, true) {
					panic("worker dies after sending")
				}
			})
		}})
	o := e.place(smith, "CHAIR-100", 1, e.today().AddDays(7))
	if _, err := e.svc.Advance(e.ctx, "u:1", o.Number, orders.StatusShipped, orders.StaffActor(alice),
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF9"}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, smith.TelegramID, "Order "+o.Number+" has shipped")
	key := orders.NoticeStatusChanged + ":" + o.Number + ":" + string(orders.StatusShipped) + ":1"
	e.waitState(key, notify.StateUncertain)
	if got := testutil.ToFloat64(metrics.Uncertain); got != 1 {
		t.Errorf("uncertain counted %v times, want 1", got)
	}

	list, err := e.bed.Store.UncertainNotices(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Key != key || list[0].Order != o.Number || list[0].ChatID != smith.TelegramID {
		t.Fatalf("uncertain notifications: %+v", list)
	}
	sentBefore := testutil.ToFloat64(metrics.Sent)
	if err := e.bed.Store.ResendNotice(e.ctx, list[0].ID, "operator"); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, smith.TelegramID, "Order "+o.Number+" has shipped")
	e.waitState(key, notify.StateSent)
	if got := testutil.ToFloat64(metrics.Sent); got != sentBefore+1 {
		t.Errorf("sent counted %v, want %v", got, sentBefore+1)
	}
	if n := testutil.CollectAndCount(metrics.QueueLag); n != 1 {
		t.Errorf("%d queue lag series, want 1", n)
	}
	if err := e.bed.Store.ResendNotice(e.ctx, list[0].ID, "operator"); !errors.Is(err, orders.ErrConflict) {
		t.Errorf("resending a sent notification: %v, want ErrConflict", err)
	}
	if err := e.bed.Store.SettleUncertain(e.ctx, list[0].ID, "operator", "arrived"); !errors.Is(err, orders.ErrConflict) {
		t.Errorf("settling a sent notification: %v, want ErrConflict", err)
	}
	if list, err := e.bed.Store.UncertainNotices(e.ctx); err != nil || len(list) != 0 {
		t.Errorf("uncertain after the resend: %+v, %v", list, err)
	}
	quiet(t, srv, smith.TelegramID, time.Second)
}

// A notification Telegram refuses for good counts as failed; one a chat's limit puts off,
// and a 429, count as throttled.
func TestNotificationMetricsCountFailuresAndThrottling(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	metrics := notify.NewMetrics(prometheus.NewRegistry())
	e.start(srv, func(c *notify.Config) { c.Metrics = metrics })
	srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 1", 1)
	o := e.place(smith, "CHAIR-100", 1, e.today().AddDays(7))
	srv.Block(smith.TelegramID)
	if _, err := e.svc.Advance(e.ctx, "u:1", o.Number, orders.StatusShipped, orders.StaffActor(alice),
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF9"}); err != nil {
		t.Fatal(err)
	}
	e.settled(30*time.Second, orders.NoticeDeliveryReminder)
	if got := testutil.ToFloat64(metrics.Failed); got < 1 {
		t.Errorf("failed counted %v times, want at least 1 (the blocked customer)", got)
	}
	if got := testutil.ToFloat64(metrics.Throttled.WithLabelValues("telegram")); got != 1 {
		t.Errorf("429s counted %v, want 1", got)
	}
}
