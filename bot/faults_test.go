package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
)

// Fault tests: each runs in polling and in webhook mode against real PostgreSQL and Redis
// and the real client against the fake Bot API, and checks that nothing is lost, nothing
// doubled, and every other chat still answered.

func bothModes(t *testing.T, f func(t *testing.T, webhook bool)) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			f(t, mode == "webhook")
		})
	}
}

// count counts the messages to the chat whose text contains substr.
func count(srv *telegramtest.Server, chat int64, substr string) int {
	n := 0
	for _, m := range srv.SentTo(chat) {
		if strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

type deadLetter struct {
	id, chat int64
	err      string
}

func deadLetters(t *testing.T, bed *testbed.Bed) []deadLetter {
	t.Helper()
	rows, err := bed.Store.DB().Query(`SELECT update_id, chat_id, error FROM update_dead_letters ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []deadLetter
	for rows.Next() {
		var d deadLetter
		if err := rows.Scan(&d.id, &d.chat, &d.err); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func inboxEmpty(bed *testbed.Bed) bool {
	var n int
	err := bed.Store.DB().QueryRow(`SELECT count(*) FROM update_inbox`).Scan(&n)
	return err == nil && n == 0
}

// A customer who blocks the bot mid-order: their update is dead-lettered after one try
// (no retry storm), they are marked unreachable until they write again, and others are
// answered meanwhile.
func TestCustomerBlocksBotMidOrder(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: webhook})
		srv := tg.Server
		c := newChat(t, srv, 1901, "en")
		toSummary(c, "PHONE-X1", "green", "1")
		c.press("Confirm")
		c.expect("is confirmed")
		c.send("/neworder")
		c.expect("Which product")
		waitFor(t, func() bool { return inboxEmpty(bed) }) // every reply is out

		srv.Block(c.u.ID)
		blocked := c.send("PHONE-X1")
		other := newChat(t, srv, 1902, "en")
		for i := range 3 {
			other.send(fmt.Sprintf("SO-20261127-%04d", i+1))
		}
		for i := range 3 {
			other.expect(fmt.Sprintf("No order SO-20261127-%04d", i+1))
		}
		waitFor(t, func() bool { return len(deadLetters(t, bed)) == 1 })
		d := deadLetters(t, bed)[0]
		if d.id != blocked || d.chat != c.u.ID || !strings.Contains(d.err, "Forbidden") {
			t.Errorf("dead letter %+v, want update %d of chat %d refused with 403", d, blocked, c.u.ID)
		}
		time.Sleep(500 * time.Millisecond) // a retry storm would show now
		if n := len(srv.Rejections(c.u.ID)); n != 1 {
			t.Errorf("%d calls to the blocked chat were refused, want 1 (no retries of a 403)", n)
		}
		cust, err := bed.Service.Customer(context.Background(), c.u.ID)
		if err != nil || !cust.Unreachable {
			t.Fatalf("customer %+v, %v: want marked unreachable", cust, err)
		}
		// They unblock and write again: reachable, answered, the order dialog resumes.
		srv.Unblock(c.u.ID)
		c.send("PHONE-X1")
		c.expect("Choose the colour")
		cust, err = bed.Service.Customer(context.Background(), c.u.ID)
		if err != nil || cust.Unreachable {
			t.Errorf("customer %+v, %v: want reachable after writing again", cust, err)
		}
		waitFor(t, func() bool { return inboxEmpty(bed) })
		if n := count(srv, other.u.ID, "No order SO-20261127-0001"); n != 1 {
			t.Errorf("other chat answered %d times, want once", n)
		}
	})
}

// A reply Telegram rejects with 400: the update is dead-lettered, the user gets an
// apology, and their next message is answered as usual.
func TestRejectedReplyIsDeadLettered(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: webhook})
		srv := tg.Server
		c := newChat(t, srv, 2001, "en")
		srv.FailNext("sendMessage", http.StatusBadRequest, "Bad Request: message is too long", 1)
		id := c.send("/start")
		c.expect("could not process your last message")
		waitFor(t, func() bool { return len(deadLetters(t, bed)) == 1 })
		if d := deadLetters(t, bed)[0]; d.id != id || !strings.Contains(d.err, "message is too long") {
			t.Errorf("dead letter %+v, want update %d with Telegram's reason", d, id)
		}
		c.send("/help")
		c.expect("/neworder — place an order")
		other := newChat(t, srv, 2002, "en")
		other.send("/start")
		other.expect("Hello Wei Zhang")
		waitFor(t, func() bool { return inboxEmpty(bed) })
		if n := count(srv, c.u.ID, "could not process"); n != 1 {
			t.Errorf("apologised %d times, want once", n)
		}
		if n := len(srv.Rejections(c.u.ID)); n != 1 {
			t.Errorf("%d refused calls, want 1 (a 400 is not retried)", n)
		}
		// The operator hands the dead letter back (orderbot updates retry): the running
		// bot handles it again.
		if err := bed.Inbox().Requeue(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		c.expect("Hello Wei Zhang")
		waitFor(t, func() bool { return inboxEmpty(bed) && len(deadLetters(t, bed)) == 0 })
	})
}

// One chat floods 300 messages while 5 new customers start: each of them is answered
// before the flood is drained; the flood is answered in order, each message it kept once,
// told once to slow down, and the rest dropped and counted.
func TestFloodingChatHoldsNobody(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		srv := telegramtest.NewServer(t)
		metrics := bot.NewMetrics(nil)
		flood := newChat(t, srv, 2101, "en")
		const n = 300
		for i := 1; i <= n; i++ {
			flood.send(fmt.Sprintf("SO-20261127-%04d", i))
		}
		news := make([]*chat, 5)
		sentAt := make([]time.Time, 5)
		for i := range news {
			news[i] = newChat(t, srv, int64(2200+i), "en")
			sentAt[i] = time.Now()
			news[i].send("/start")
		}
		bed.StartTelegram(testbed.TelegramOptions{Server: srv, Webhook: webhook,
			Configure: func(c *bot.Config) { c.Metrics = metrics; c.MaxBacklog = 50 }})
		var firsts []time.Time
		for i, c := range news {
			m := c.expect("Hello Wei Zhang")
			firsts = append(firsts, m.At)
			t.Logf("new customer %d answered %v after sending", i, m.At.Sub(sentAt[i]).Round(time.Millisecond))
		}
		waitFor(t, func() bool { return inboxEmpty(bed) && srv.Pending() == 0 })
		time.Sleep(200 * time.Millisecond)
		answered, last := 0, 0
		var lastAt time.Time
		for _, m := range srv.SentTo(flood.u.ID) {
			var k int
			if _, err := fmt.Sscanf(m.Text, "No order SO-20261127-%04d", &k); err != nil {
				continue
			}
			if k <= last {
				t.Fatalf("flood answered %d after %d: out of order or twice", k, last)
			}
			last, lastAt = k, m.At
			answered++
		}
		dropped := int(testutil.ToFloat64(metrics.Dropped))
		t.Logf("flood: %d answered, %d dropped", answered, dropped)
		if answered+dropped != n {
			t.Errorf("flood: %d answered + %d dropped, want %d in all", answered, dropped, n)
		}
		// Polling fetches the flood 100 at a time, faster than it is answered: its backlog
		// fills up. A webhook gets a chat's updates one at a time and may keep up.
		if !webhook && dropped == 0 {
			t.Error("polling: nothing of the flood was dropped; its backlog limit did not hold")
		}
		told := 0
		if dropped > 0 {
			told = 1
		}
		if got := count(srv, flood.u.ID, "faster than we can answer"); got != told {
			t.Errorf("told to slow down %d times, want %d (%d dropped)", got, told, dropped)
		}
		for i, at := range firsts {
			if !at.Before(lastAt) {
				t.Errorf("new customer %d answered at %v, after the flood's last answer at %v", i, at, lastAt)
			}
		}
		for _, c := range news {
			if got := count(srv, c.u.ID, "Hello Wei Zhang"); got != 1 {
				t.Errorf("chat %d greeted %d times", c.u.ID, got)
			}
		}
	})
}

// startRedis starts a redis-server of the test's own on a free port, stopped at the end.
func startRedis(t *testing.T) (*redis.Client, *os.Process) {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(path, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	client := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), PoolSize: 64})
	t.Cleanup(func() { _ = client.Close() })
	deadline := time.Now().Add(10 * time.Second)
	for client.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return client, cmd.Process
}

// Redis frozen (SIGSTOP) for 5 s mid-order: the customer's step and another chat's
// /start are answered once Redis is back, once each, and nothing is dead-lettered.
func TestRedisFrozenMidOrder(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		client, proc := startRedis(t)
		bed.Redis, bed.Prefix = client, "frozen:"
		tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: webhook,
			Configure: func(c *bot.Config) { c.MaxAttempts = 50 }})
		srv := tg.Server
		c := newChat(t, srv, 2301, "en")
		c.send("/neworder")
		c.expect("Which product")
		c.send("PHONE-X1")
		c.expect("Choose the colour")
		c.press("green")
		c.expect("How many")

		if err := proc.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		c.send("3")
		other := newChat(t, srv, 2302, "en")
		other.send("/start")
		time.Sleep(5 * time.Second)
		if err := proc.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		c.expect("Your order so far", "× 3 pcs")
		other.expect("Hello Wei Zhang")
		c.press("Continue")
		c.expect("What name")
		waitFor(t, func() bool { return inboxEmpty(bed) })
		if n := count(srv, c.u.ID, "Your order so far"); n != 1 {
			t.Errorf("the step was answered %d times, want once", n)
		}
		if n := count(srv, other.u.ID, "Hello Wei Zhang"); n != 1 {
			t.Errorf("the other chat was greeted %d times, want once", n)
		}
		if ds := deadLetters(t, bed); len(ds) != 0 {
			t.Errorf("dead letters %+v, want none (a frozen Redis is transient)", ds)
		}
	})
}

// A 5xx storm from Telegram (10 s; 3 s with -short): every update sent meanwhile is
// answered once it is over, once, and none is dead-lettered.
func TestTelegramStorm(t *testing.T) {
	t.Parallel()
	storm := 10 * time.Second
	if testing.Short() {
		storm = 3 * time.Second
	}
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: webhook,
			Configure: func(c *bot.Config) { c.MaxAttempts = 50 }})
		srv := tg.Server
		c := newChat(t, srv, 2401, "en")
		c.send("/neworder")
		c.expect("Which product")
		srv.Storm(http.StatusBadGateway, storm)
		c.send("PHONE-X1")
		chats := make([]*chat, 4)
		for i := range chats {
			chats[i] = newChat(t, srv, int64(2410+i), "en")
			chats[i].send("/start")
		}
		ctx, cancel := context.WithTimeout(context.Background(), storm+30*time.Second)
		defer cancel()
		if _, err := srv.WaitSent(ctx, c.u.ID, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "Choose the colour") }); err != nil {
			t.Fatalf("the customer's step was not answered after the storm: %v", err)
		}
		for _, o := range chats {
			if _, err := srv.WaitSent(ctx, o.u.ID, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "Hello Wei Zhang") }); err != nil {
				t.Fatalf("chat %d not answered after the storm: %v", o.u.ID, err)
			}
		}
		waitFor(t, func() bool { return inboxEmpty(bed) })
		if n := count(srv, c.u.ID, "Choose the colour"); n != 1 {
			t.Errorf("the step was answered %d times, want once", n)
		}
		for _, o := range chats {
			if n := count(srv, o.u.ID, "Hello Wei Zhang"); n != 1 {
				t.Errorf("chat %d greeted %d times, want once", o.u.ID, n)
			}
		}
		if ds := deadLetters(t, bed); len(ds) != 0 {
			t.Errorf("dead letters %+v, want none (a storm is transient)", ds)
		}
	})
}

// Two instances on the same PostgreSQL and Redis (polling: both run, one polls while the
// other waits for the polling lock and works the inbox; webhook: behind one address that
// alternates between them): every update is answered once, in its chat's order, a full
// order is placed once, and Telegram never sees two pollers at once.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		srv := telegramtest.NewServer(t)
		var first, second *testbed.Telegram
		if webhook {
			first = bed.StartTelegram(testbed.TelegramOptions{Server: srv, Webhook: true})
			second = bed.StartTelegram(testbed.TelegramOptions{Server: srv, Webhook: true})
			// One address for both, as behind a load balancer.
			var turn atomic.Int64
			h1, h2 := first.Bot.WebhookHandler(), second.Bot.WebhookHandler()
			lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if turn.Add(1)%2 == 0 {
					h1.ServeHTTP(w, r)
				} else {
					h2.ServeHTTP(w, r)
				}
			}))
			t.Cleanup(lb.Close)
			_, secret, _ := srv.Webhook()
			if status, err := setWebhook(srv, lb.URL+"/telegram", secret); err != nil || status != http.StatusOK {
				t.Fatalf("setWebhook: %d %v", status, err)
			}
		} else {
			first = bed.StartTelegram(testbed.TelegramOptions{Server: srv})
			second = bed.StartTelegram(testbed.TelegramOptions{Server: srv})
		}
		const chats, each = 6, 5
		cs := make([]*chat, chats)
		for i := range cs {
			cs[i] = newChat(t, srv, int64(2500+i), "en")
		}
		for k := 1; k <= each; k++ {
			for _, c := range cs {
				c.send(fmt.Sprintf("SO-20261127-%04d", k))
			}
		}
		buyer := newChat(t, srv, 2599, "en")
		toSummary(buyer, "PHONE-X1", "green", "2")
		buyer.press("Confirm")
		buyer.expect("is confirmed")
		for _, c := range cs {
			for k := 1; k <= each; k++ {
				c.expect(fmt.Sprintf("No order SO-20261127-%04d", k))
			}
		}
		waitFor(t, func() bool { return inboxEmpty(bed) })
		time.Sleep(300 * time.Millisecond)
		for _, c := range cs {
			for k := 1; k <= each; k++ {
				if n := count(srv, c.u.ID, fmt.Sprintf("SO-20261127-%04d", k)); n != 1 {
					t.Errorf("chat %d: update %d answered %d times, want once", c.u.ID, k, n)
				}
			}
		}
		if n := srv.PollConflicts(); n != 0 {
			t.Errorf("%d getUpdates calls ended by another instance's: both polled at once", n)
		}
		var orders int
		if err := bed.Store.DB().QueryRow(`SELECT count(*) FROM orders`).Scan(&orders); err != nil || orders != 1 {
			t.Errorf("%d orders (%v), want 1", orders, err)
		}
		if n := count(srv, buyer.u.ID, "is confirmed"); n != 1 {
			t.Errorf("told %d times the order is confirmed, want once", n)
		}
		// Either instance stopping leaves the other answering (polling: the one that
		// waited for the polling lock takes it over).
		first.Stop()
		late := newChat(t, srv, 2598, "en")
		late.send("/help")
		late.expect("/neworder")
	})
}

// setWebhook points the fake server's webhook at url, as a bot would.
func setWebhook(srv *telegramtest.Server, url, secret string) (int, error) {
	form := strings.NewReader(fmt.Sprintf(`{"url":%q,"secret_token":%q}`, url, secret))
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/setWebhook", "application/json", form)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// A reply of two messages whose second fails transiently: the retry sends the second only.
func TestRetryDoesNotRepeatDeliveredMessages(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: webhook})
		srv := tg.Server
		c := newChat(t, srv, 2601, "en")
		c.send("/neworder")
		c.expect("Which product")
		c.send("PHONE-X1")
		c.expect("Choose the colour")
		c.press("green")
		c.expect("How many")
		c.send("1")
		c.expect("Your order so far")
		c.press("Continue")
		c.expect("What name")
		c.press("Wei Zhang")
		c.expect("Your phone number")
		waitFor(t, func() bool { return inboxEmpty(bed) })
		before := len(srv.SentTo(c.u.ID))
		// The contact's reply is the address question with its buttons, then the location
		// keyboard in a message of its own; the second fails once.
		srv.FailAfter("sendMessage", 1, http.StatusBadGateway, "Bad Gateway", 1)
		srv.SendContact(c.u, "+86 138 0013 8000", "Wei")
		c.expect("Delivery address")
		waitFor(t, func() bool {
			for _, m := range srv.SentTo(c.u.ID)[before:] {
				if len(m.ReplyKeyboard) > 0 {
					return true
				}
			}
			return false
		})
		waitFor(t, func() bool { return inboxEmpty(bed) })
		sent := srv.SentTo(c.u.ID)[before:]
		if len(sent) != 2 || count(srv, c.u.ID, "Delivery address") != 1 {
			t.Errorf("the reply went out as %d messages %q, want its 2 once each", len(sent), sentTexts(sent))
		}
		if n := len(srv.Rejections(c.u.ID)); n != 1 {
			t.Errorf("%d refused sends, want the 1 injected", n)
		}
	})
}

// Replies and notifications share one global rate: while a backlog of notifications drains
// at the configured rate, customers talking to the bot are answered (their replies go ahead
// of the waiting notifications), Telegram never answers 429, and no sliding second holds
// more messages than its limit — replies counted.
func TestRepliesShareTheGlobalLimitAheadOfNotifications(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		ctx := context.Background()
		const limit, ours, backlog = 20, 18, 60
		srv := telegramtest.NewServer(t, telegramtest.WithRateLimit(limit, 0))
		var ns []orders.Notification
		for i := range backlog {
			ns = append(ns, orders.NewNotification(orders.NoticeStatusChanged, int64(300000+i), fmt.Sprintf("drain:%d", i),
				orders.Notice{Lang: "en", Number: fmt.Sprintf("SO-20261130-%04d", 1000+i), To: orders.StatusInProduction}, time.Time{}))
		}
		nt := bed.StartNotifier(testbed.NotifierOptions{Server: srv, Configure: func(c *notify.Config) { c.GlobalRate = ours }})
		bed.StartTelegram(testbed.TelegramOptions{Server: srv, Webhook: webhook, LimitReplies: nt.Notifier})
		if err := bed.Store.QueueNotices(ctx, "", ns); err != nil {
			t.Fatal(err)
		}
		notices := func() int {
			n := 0
			for _, m := range srv.AllSent() {
				if m.ChatID >= 300000 {
					n++
				}
			}
			return n
		}
		waitFor(t, func() bool { return notices() >= 5 })
		// Ten customers at once, three questions each: replies faster than the rate.
		cs := make([]*chat, 10)
		for i := range cs {
			cs[i] = newChat(t, srv, int64(2700+i), "en")
		}
		for range 3 {
			for _, c := range cs {
				c.send("/help")
			}
			for _, c := range cs {
				c.expect("/neworder")
			}
		}
		if n := notices(); n >= backlog {
			t.Errorf("the customers were answered only after all %d notifications", n)
		}
		waitFor(t, func() bool { return notices() == backlog })
		if n := srv.Throttled(); n != 0 {
			t.Errorf("Telegram answered 429 %d times", n)
		}
		sent := srv.AllSent()
		for i, m := range sent {
			in := 0
			for _, p := range sent[:i+1] {
				if m.At.Sub(p.At) < time.Second {
					in++
				}
			}
			if in > limit {
				t.Errorf("%d messages in the second before %s, want at most %d", in, m.At.Format("15:04:05.000"), limit)
				break
			}
		}
	})
}

// Accepting leases a chat's next update to the worker that is handling the chat's last one.
// When that one fails and is put back for a retry, the update taken behind it waits for it:
// the chat's replies keep the order of its messages.
func TestUpdateTakenBehindARetriedOneWaits(t *testing.T) {
	t.Parallel()
	bothModes(t, func(t *testing.T, webhook bool) {
		bed := testbed.New(t)
		tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: webhook})
		srv := tg.Server
		c := newChat(t, srv, 2701, "en")
		c.send("/start")
		c.expect("Hello")
		waitFor(t, func() bool { return inboxEmpty(bed) })

		srv.SetLatency(300 * time.Millisecond)
		srv.FailNext("sendMessage", http.StatusBadGateway, "", 1)
		first := c.send("SO-20261127-0001")
		// The second message comes while the first is being handled (its reply is on its way).
		waitFor(t, func() bool {
			var leased bool
			err := bed.Store.DB().QueryRow(`SELECT lease_until IS NOT NULL FROM update_inbox WHERE update_id = $1`, first).Scan(&leased)
			return err == nil && leased
		})
		second := c.send("SO-20261127-0002")
		for _, want := range []string{"SO-20261127-0001", "SO-20261127-0002"} {
			if m := c.expect("No order"); !strings.Contains(m.Text, want) {
				t.Fatalf("reply %q, want the one about %s: out of order", m.Text, want)
			}
		}
		srv.SetLatency(0)
		waitFor(t, func() bool { return inboxEmpty(bed) })
		if n := count(srv, c.u.ID, "No order"); n != 2 {
			t.Errorf("%d answers, want 2 (updates %d, %d once each)", n, first, second)
		}
		if n := len(srv.Rejections(c.u.ID)); n != 1 {
			t.Errorf("%d refused sends, want the 1 injected", n)
		}
	})
}

// hiccupInbox is the real inbox whose Retry and Complete fail a number of times first, as
// they do on pooled connections that PostgreSQL closed when it restarted.
type hiccupInbox struct {
	bot.Inbox
	retries, completes atomic.Int32
}

func (h *hiccupInbox) Retry(ctx context.Context, id int64, attempts, repliesSent int, notBefore time.Time, lastErr string) error {
	if h.retries.Add(-1) >= 0 {
		return fmt.Errorf("inbox: retry update %d: %w", id, errors.New("pq: terminating connection due to administrator command"))
	}
	return h.Inbox.Retry(ctx, id, attempts, repliesSent, notBefore, lastErr)
}

func (h *hiccupInbox) Complete(ctx context.Context, ids []int64) error {
	if h.completes.Add(-1) >= 0 {
		return errors.New("inbox: complete: driver: bad connection")
	}
	return h.Inbox.Complete(ctx, ids)
}

// An update that could not be put back, or not deleted once handled, at the first try (the
// database just restarted) does not hold its chat until its lease runs out: the inbox is
// asked again, and the chat's messages are answered in order, once each.
func TestInboxHiccupDoesNotStallAChat(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	in := &hiccupInbox{}
	tg := bed.StartTelegram(testbed.TelegramOptions{Configure: func(c *bot.Config) {
		in.Inbox = c.Inbox
		c.Inbox = in
	}})
	srv := tg.Server
	c := newChat(t, srv, 2801, "en")
	c.send("/start")
	c.expect("Hello")
	waitFor(t, func() bool { return inboxEmpty(bed) })

	// The reply fails once: the update is put back, which fails twice first.
	in.retries.Store(2)
	srv.FailNext("sendMessage", http.StatusBadGateway, "", 1)
	c.send("SO-20261127-0001")
	c.expect("No order", "SO-20261127-0001")
	// Deleting handled updates fails twice: the chat's next messages still come through.
	in.completes.Store(2)
	c.send("SO-20261127-0002")
	c.expect("No order", "SO-20261127-0002")
	c.send("SO-20261127-0003")
	c.expect("No order", "SO-20261127-0003")
	waitFor(t, func() bool { return inboxEmpty(bed) })
	for _, n := range []string{"0001", "0002", "0003"} {
		if got := count(srv, c.u.ID, "SO-20261127-"+n); got != 1 {
			t.Errorf("SO-20261127-%s answered %d times, want once", n, got)
		}
	}
	if in.retries.Load() >= 0 || in.completes.Load() >= 0 {
		t.Errorf("the inbox's hiccups were not all met (retries %d, completes %d left)", in.retries.Load(), in.completes.Load())
	}
}
