package notify_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
)

// at is a time of day on d in Shanghai.
func at(d orders.Date, hour, minute, second int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, second, 0, testbed.Shanghai)
}

// TestDeliveryReminderOnTheWorkingDayBefore moves the clock and checks that each reminder
// arrives on the working day before delivery at the rules' hour, not before; that a
// cancelled order's reminder is dropped; and that a new promised date moves it.
func TestDeliveryReminderOnTheWorkingDayBefore(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	e.start(srv, nil)
	ctx := e.ctx
	monday := e.today() // the clock starts on a Monday at 9:00
	nextMonday, nextTuesday, nextWednesday := monday.AddDays(7), monday.AddDays(8), monday.AddDays(9)
	friday := monday.AddDays(4)
	zhao := orders.Customer{TelegramID: 9004, Name: "Zhao", Phone: "+86 136 0000 3333", Language: "zh"}

	a := e.place(wang, "CHAIR-100", 1, nextMonday)   // reminded on Friday
	b := e.place(smith, "CHAIR-100", 1, nextTuesday) // reminded on Monday
	c := e.place(lee, "CHAIR-100", 1, nextMonday)    // cancelled: never reminded
	d := e.place(zhao, "CHAIR-100", 1, nextMonday)   // moved to Wednesday: reminded on Tuesday
	for _, o := range []orders.Order{a, b, c, d} {
		if o.Status != orders.StatusConfirmed {
			t.Fatalf("%s is %s, want confirmed", o.Number, o.Status)
		}
	}
	// The reminder is a River job scheduled for the working day before, at 10:00.
	var scheduled time.Time
	err := e.bed.Store.DB().GetContext(ctx, &scheduled, `SELECT scheduled_at FROM river_job WHERE args->>'key' = $1`,
		orders.NoticeDeliveryReminder+":"+a.Number+":"+nextMonday.String())
	if err != nil {
		t.Fatal(err)
	}
	if want := at(friday, 10, 0, 0); !scheduled.Equal(want) {
		t.Errorf("reminder of %s scheduled at %s, want %s", a.Number, scheduled.In(testbed.Shanghai), want)
	}

	if _, err := e.svc.Advance(ctx, "", c.Number, orders.StatusCancelled, orders.StaffActor(mei), orders.AdvanceOptions{Note: "out of budget"}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, lee.TelegramID, "Order "+c.Number+" is cancelled", "Reason: out of budget")
	cr, _, err := e.svc.RequestChange(ctx, "", zhao.TelegramID, orders.ChangeRequest{Number: d.Number, Kind: orders.ChangeDate,
		Date: nextWednesday, Reason: "warehouse closed"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.DecideChange(ctx, "", cr.ID, orders.StaffActor(mei), true, ""); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, mei.TelegramID, d.Number)
	expectText(t, srv, zhao.TelegramID, "订单 "+d.Number+" 的修改申请已批准")
	expectText(t, srv, zhao.TelegramID, "订单 "+d.Number+" 的交货日期由", "原因：warehouse closed")

	// Friday a minute before ten: nothing yet.
	e.clock.Set(t, at(friday, 9, 59, 0))
	quiet(t, srv, wang.TelegramID, 6*time.Second)

	// Friday ten: Wang's reminder; Lee's (cancelled) and Zhao's old one (moved) are dropped.
	e.clock.Set(t, at(friday, 10, 0, 1))
	expectText(t, srv, wang.TelegramID, "提醒：订单 "+a.Number+" 将于"+i18n.Date(i18n.ZH, nextMonday.Year, nextMonday.Month, nextMonday.Day)+"送达")
	e.waitState(orders.NoticeDeliveryReminder+":"+c.Number+":"+nextMonday.String(), notify.StateDropped)
	e.waitState(orders.NoticeDeliveryReminder+":"+d.Number+":"+nextMonday.String(), notify.StateDropped)
	quiet(t, srv, smith.TelegramID, time.Second)

	// Monday ten: Smith's; Tuesday ten: Zhao's for the new date.
	e.clock.Set(t, at(nextMonday, 10, 0, 1))
	expectText(t, srv, smith.TelegramID, "Reminder: order "+b.Number+" will be delivered on "+i18n.Date(i18n.EN, nextTuesday.Year, nextTuesday.Month, nextTuesday.Day))
	quiet(t, srv, zhao.TelegramID, time.Second)
	e.clock.Set(t, at(nextTuesday, 10, 0, 1))
	expectText(t, srv, zhao.TelegramID, "提醒：订单 "+d.Number+" 将于"+i18n.Date(i18n.ZH, nextWednesday.Year, nextWednesday.Month, nextWednesday.Day))

	for _, chat := range []int64{wang.TelegramID, smith.TelegramID, lee.TelegramID, zhao.TelegramID} {
		quiet(t, srv, chat, time.Second)
	}
}

// waitState waits until the notification key is in state.
func (e *env) waitState(key, state string) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := e.status(key)
		if got == state {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("notification %s is %s, want %s", key, got, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTooManyRequestsDelaysThenDelivers: a 429 with retry_after snoozes the notification
// for that long, then it arrives once.
func TestTooManyRequestsDelaysThenDelivers(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 1", 1)
	e.start(srv, nil)
	o := e.place(smith, "CHAIR-100", 1, e.today().AddDays(7))
	if _, err := e.svc.Advance(e.ctx, "", o.Number, orders.StatusShipped, orders.StaffActor(alice),
		orders.AdvanceOptions{Carrier: "DHL", Tracking: "JD0001"}); err != nil {
		t.Fatal(err)
	}
	m := expectText(t, srv, smith.TelegramID, "Order "+o.Number+" has shipped", "Carrier: DHL · Tracking number: JD0001")
	rej := srv.Rejections(smith.TelegramID)
	if len(rej) != 1 || rej[0].Code != 429 {
		t.Fatalf("rejections %+v, want one 429", rej)
	}
	if wait := m.At.Sub(rej[0].At); wait < time.Second {
		t.Errorf("sent %s after the 429, want at least its retry_after of 1s", wait)
	}
	quiet(t, srv, smith.TelegramID, 1500*time.Millisecond)
	if n := srv.Throttled(); n != 1 {
		t.Errorf("%d answers 429, want the 1 injected", n)
	}
}

// TestBlockedCustomerIsMarkedAndTheRepTold: a 403 marks the customer unreachable, is not
// retried, and the staff member who last acted on the order is told; without one, every
// active rep.
func TestBlockedCustomerIsMarkedAndTheRepTold(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	srv.Block(wang.TelegramID)
	e.start(srv, nil)
	ctx := e.ctx

	o := e.place(wang, "CHAIR-100", 1, e.today().AddDays(7))
	if _, err := e.svc.Advance(ctx, "", o.Number, orders.StatusShipped, orders.StaffActor(bo),
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF1"}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, bo.TelegramID, "订单 "+o.Number+"：客户 王芳 已屏蔽机器人，未收到“状态更新”")
	c, err := e.svc.Customer(ctx, wang.TelegramID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Unreachable {
		t.Error("the customer is not marked unreachable")
	}
	key := orders.NoticeStatusChanged + ":" + o.Number + ":" + string(orders.StatusShipped) + ":1"
	e.waitState(key, notify.StateFailed)

	// Nobody on staff acted on the next order: every active rep is told (not the manager).
	o2 := e.place(wang, "CHAIR-100", 1, e.today().AddDays(7))
	if _, err := e.svc.Advance(ctx, "", o2.Number, orders.StatusShipped, orders.Operator,
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF2"}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, alice.TelegramID, "Order "+o2.Number+": customer 王芳 blocked the bot")
	expectText(t, srv, bo.TelegramID, "订单 "+o2.Number+"：客户 王芳 已屏蔽机器人")
	e.settled(20*time.Second, orders.NoticeDeliveryReminder)
	for _, chat := range []int64{alice.TelegramID, bo.TelegramID, mei.TelegramID} {
		quiet(t, srv, chat, time.Second)
	}
	if rej := srv.Rejections(wang.TelegramID); len(rej) != 2 {
		t.Errorf("%d sends to the blocked chat, want 2 (one per notification, no retries)", len(rej))
	}
}

// TestDeliversAfterRestart: notifications committed while no notifier runs, or while one
// is killed in the middle of a job, arrive once after a restart.
func TestDeliversAfterRestart(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	ctx := e.ctx

	// Committed while the bot is down.
	o := e.place(wang, "CHAIR-300", 9, e.today().AddDays(14))

	// A notifier takes the job of a second order's notification and dies before sending.
	entered := make(chan struct{})
	var once sync.Once
	first := e.startWith(testbed.NotifierOptions{Server: srv, Prepare: func(n *notify.Notifier) {
		notify.SetBeforeClaim(n, func(ctx context.Context, a notify.SendArgs) {
			once.Do(func() { close(entered) })
			<-ctx.Done() // hangs until killed
		})
	}})
	o2 := e.place(smith, "CHAIR-100", 1, e.today().AddDays(7))
	if _, err := e.svc.Advance(ctx, "", o2.Number, orders.StatusShipped, orders.StaffActor(alice),
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF9"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the first notifier never took a job")
	}
	kctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := first.Kill(kctx); err != nil {
		t.Fatalf("kill: %v", err)
	}
	if n := len(srv.AllSent()); n != 0 {
		t.Fatalf("%d messages sent before the restart", n)
	}

	// The restart delivers everything, once.
	e.start(srv, nil)
	for _, st := range []orders.Staff{alice, bo, mei} {
		expectText(t, srv, st.TelegramID, o.Number)
	}
	expectText(t, srv, smith.TelegramID, "Order "+o2.Number+" has shipped")
	e.settled(30*time.Second, orders.NoticeDeliveryReminder)
	for _, chat := range []int64{alice.TelegramID, bo.TelegramID, mei.TelegramID, smith.TelegramID} {
		quiet(t, srv, chat, time.Second)
	}
}

// TestDiesAfterSendingNeverSendsTwice: a worker that dies after Telegram took the message
// and before recording it leaves the notification claimed; the retry does not send it
// again.
func TestDiesAfterSendingNeverSendsTwice(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	var died atomic.Bool
	e.startWith(testbed.NotifierOptions{Server: srv, Prepare: func(n *notify.Notifier) {
		notify.SetAfterSend(n, func(ctx context.Context, a notify.SendArgs) {
			if died.CompareAndSwap(false, true) {
				panic("worker dies after sending") // River recovers it and retries the job
			}
		})
	}})
	o := e.place(smith, "CHAIR-100", 1, e.today().AddDays(7))
	if _, err := e.svc.Advance(e.ctx, "", o.Number, orders.StatusShipped, orders.StaffActor(alice),
		orders.AdvanceOptions{Carrier: "SF", Tracking: "SF9"}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, smith.TelegramID, "Order "+o.Number+" has shipped")
	key := orders.NoticeStatusChanged + ":" + o.Number + ":" + string(orders.StatusShipped) + ":1"
	e.waitState(key, notify.StateUncertain)
	quiet(t, srv, smith.TelegramID, 2*time.Second)
}

// countingSender counts the sends of one notifier.
type countingSender struct {
	notify.Sender
	n atomic.Int64
}

func (s *countingSender) SendNotice(ctx context.Context, chat int64, m notify.Message) (int, error) {
	id, err := s.Sender.SendNotice(ctx, chat, m)
	if err == nil {
		s.n.Add(1)
	}
	return id, err
}

// TestTwoSendersShareTheLimits: two notifiers (two River clients, as two processes would
// run) share Redis and never exceed the limits the fake server enforces — 20 messages a
// second overall, one a second per chat — and never send a notification twice.
func TestTwoSendersShareTheLimits(t *testing.T) {
	// Not parallel: the limits are about real time, and other tests' load on a small
	// machine stretches the time between a token and its request's arrival.
	e := setup(t)
	// Our limit stays below the server's, as it should below Telegram's: with two senders
	// on a loaded machine, a message granted at the edge of one second may arrive in the
	// next one.
	const rate, ours, chats, perChat = 20, 18, 40, 2
	srv := telegramtest.NewServer(t, telegramtest.WithRateLimit(rate, 1))
	var ns []orders.Notification
	for i := range chats * perChat {
		chat := int64(100000 + i%chats)
		ns = append(ns, orders.NewNotification(orders.NoticeStatusChanged, chat, fmt.Sprintf("load:%d", i),
			orders.Notice{Lang: "en", Number: "SO-20261130-" + strconv.Itoa(1000+i), To: orders.StatusInProduction}, time.Time{}))
	}
	if err := e.bed.Store.QueueNotices(e.ctx, "", ns); err != nil {
		t.Fatal(err)
	}
	configure := func(c *notify.Config) { c.GlobalRate = ours }
	counters := []*countingSender{{}, {}}
	for _, c := range counters {
		e.startWith(testbed.NotifierOptions{Server: srv, Configure: configure,
			Sender: func(s notify.Sender) notify.Sender { c.Sender = s; return c }})
	}
	states := e.settled(60 * time.Second)
	t.Logf("outbox: %v", states)

	sent := srv.AllSent()
	if len(sent) != chats*perChat {
		t.Errorf("%d messages, want %d", len(sent), chats*perChat)
	}
	seen := map[string]int{}
	last := map[int64]time.Time{}
	for i, m := range sent {
		seen[m.Text]++
		if prev, ok := last[m.ChatID]; ok && m.At.Sub(prev) < time.Second {
			t.Errorf("chat %d: two messages %s apart", m.ChatID, m.At.Sub(prev))
		}
		last[m.ChatID] = m.At
		inWindow := 0
		for _, n := range sent[:i+1] {
			if m.At.Sub(n.At) < time.Second {
				inWindow++
			}
		}
		if inWindow > rate {
			t.Errorf("%d messages in the second before %s, want at most %d", inWindow, m.At.Format("15:04:05.000"), rate)
		}
	}
	for text, n := range seen {
		if n != 1 {
			t.Errorf("%q sent %d times", text, n)
		}
	}
	// The zero-429 figure is measured by cmd/notifybench; here, on a machine busy with
	// the race detector, a request delayed past its token's second may rarely be
	// refused — and is then delivered after retry_after, once, as checked above.
	if n := srv.Throttled(); n > 1 {
		t.Errorf("the fake server answered 429 %d times", n)
		for i := range chats {
			for _, r := range srv.Rejections(int64(100000 + i)) {
				t.Logf("chat %d: %s %d %s at %s", 100000+i, r.Method, r.Code, r.Description, r.At.Format("15:04:05.000"))
			}
		}
	}
	if counters[0].n.Load() == 0 || counters[1].n.Load() == 0 {
		t.Errorf("sends per notifier %d and %d: both should have worked", counters[0].n.Load(), counters[1].n.Load())
	}
	span := sent[len(sent)-1].At.Sub(sent[0].At)
	t.Logf("%d messages in %s by two notifiers (%d and %d): %.1f/s against a limit of %d/s",
		len(sent), span.Round(time.Millisecond), counters[0].n.Load(), counters[1].n.Load(),
		float64(len(sent)-1)/span.Seconds(), rate)
}

// TestPeriodicAlerts: inside working hours, a review untouched for 4 hours is told to
// staff again once, and orders past their promised date are told daily; nothing outside
// working hours.
func TestPeriodicAlerts(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	n := e.start(srv, nil)
	ctx := e.ctx
	monday := e.today()
	staff := []orders.Staff{alice, bo, mei}

	p := e.place(wang, "CHAIR-300", 9, monday.AddDays(14)) // stays in review
	for _, st := range staff {
		expectText(t, srv, st.TelegramID, p.Number)
	}
	s := e.place(smith, "CHAIR-100", 1, e.bed.Rules.AddWorkingDays(monday, 3)) // promised Thursday

	tick := func() {
		t.Helper()
		if err := n.Tick(ctx); err != nil {
			t.Fatalf("tick at %s: %v", e.clock.Now().In(testbed.Shanghai), err)
		}
	}
	tick() // 9:00: nothing is stale or overdue
	e.clock.Set(t, at(monday, 13, 5, 0))
	tick()
	tick()
	expectText(t, srv, alice.TelegramID, "Order "+p.Number+" is still waiting for review, 4 h after it was placed")
	expectText(t, srv, bo.TelegramID, "订单 "+p.Number+" 下单已 4 小时，仍待审核")
	stale := expectText(t, srv, mei.TelegramID, "订单 "+p.Number+" 下单已 4 小时")
	wantButtons(t, stale, [][]string{{"m:ra:" + p.Number}, {"m:rd:" + p.Number, "m:rr:" + p.Number}})

	// Friday 9:40: Smith's order is a day late.
	friday := monday.AddDays(4)
	e.clock.Set(t, at(friday, 9, 40, 0))
	// Wednesday's reminder fell due while the clock jumped; its day has passed: dropped.
	e.waitState(orders.NoticeDeliveryReminder+":"+s.Number+":"+s.PromisedDate.String(), notify.StateDropped)
	tick()
	tick()
	expectText(t, srv, alice.TelegramID, "1 order(s) are past their promised date and not delivered", s.Number, "John Smith")
	expectText(t, srv, bo.TelegramID, "有 1 个订单已超过承诺交期仍未交货", s.Number)
	expectText(t, srv, mei.TelegramID, s.Number)

	// Friday evening and the weekend: nothing. Next Monday 9:40: the daily alert again.
	e.clock.Set(t, at(friday, 18, 30, 0))
	tick()
	e.clock.Set(t, at(friday.AddDays(1), 10, 0, 0))
	tick()
	for _, st := range staff {
		quiet(t, srv, st.TelegramID, time.Second)
	}
	e.clock.Set(t, at(monday.AddDays(7), 9, 40, 0))
	tick()
	for _, st := range staff {
		expectText(t, srv, st.TelegramID, s.Number)
		quiet(t, srv, st.TelegramID, 1500*time.Millisecond)
	}
	quiet(t, srv, smith.TelegramID, time.Second)
}

// TestToEveryStaffMember: a notification to chat 0 goes to every active staff member, each
// in their language, once.
func TestToEveryStaffMember(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	e.start(srv, nil)
	o := e.place(wang, "CHAIR-300", 9, e.today().AddDays(14))
	for _, st := range []orders.Staff{alice, bo, mei} {
		expectText(t, srv, st.TelegramID, o.Number) // the service's own cards
	}
	n := orders.Notification{Kind: orders.NoticeReviewStale, Key: "stale-to-all:" + o.Number}
	if err := e.bed.Store.QueueNotices(e.ctx, o.Number, []orders.Notification{n, n}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, alice.TelegramID, "Order "+o.Number+" is still waiting for review")
	expectText(t, srv, bo.TelegramID, "订单 "+o.Number+" 下单已")
	expectText(t, srv, mei.TelegramID, "订单 "+o.Number+" 下单已")
	e.waitState(n.Key, notify.StateExpanded)
	e.settled(20 * time.Second)
	for _, st := range []orders.Staff{alice, bo, mei} {
		quiet(t, srv, st.TelegramID, time.Second)
	}
}

// TestTickRunsAsPeriodicJob: with a tick interval, River runs the checks on its own.
func TestTickRunsAsPeriodicJob(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.start(telegramtest.NewServer(t), func(c *notify.Config) { c.TickInterval = time.Hour })
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := e.bed.Store.DB().GetContext(e.ctx, &n,
			`SELECT count(*) FROM river_job WHERE kind = 'orderbot.notify_tick' AND state = 'completed'`); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the periodic checks never ran")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Every tick prunes the desk action keys older than KeepActions, and only those.
func TestTickPrunesOldDeskActionKeys(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.start(nil, func(c *notify.Config) { c.Prune = e.bed.Store; c.KeepActions = 24 * time.Hour })
	db := e.bed.Store.DB()
	for key, age := range map[string]time.Duration{"u:1|old": 48 * time.Hour, "u:2|new": time.Hour} {
		if _, err := db.ExecContext(e.ctx, `INSERT INTO desk_actions (key, kind, at) VALUES ($1, 'payment', $2)`,
			key, e.clock.Now().Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := db.SelectContext(e.ctx, &keys, `SELECT key FROM desk_actions ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "u:2|new" {
		t.Errorf("keys after a tick: %v, want only the new one", keys)
	}
}
