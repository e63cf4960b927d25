package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/conversation/redisstore"
	"github.com/orderbot/orderbot/internal/testbed"
)

func TestStartPollingBothLanguages(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	en := newChat(t, tg.Server, 101, "en")
	zh := newChat(t, tg.Server, 102, "zh-hans")
	en.send("/start")
	zh.send("/start")
	m := en.expect("Hello Wei Zhang", "What would you like to do?")
	if _, ok := m.ButtonByText("New order"); !ok {
		t.Errorf("English menu has no New order button: %+v", m.InlineKeyboard)
	}
	m = zh.expect("Wei Zhang，您好", "请选择您要办理的事项")
	if _, ok := m.ButtonByText("新订单"); !ok {
		t.Errorf("Chinese menu has no 新订单 button: %+v", m.InlineKeyboard)
	}
	// /language switches and is remembered for the customer.
	zh.send("/language")
	zh.expect("请选择语言")
	zh.press("English")
	zh.expect("Language set to English")
	zh.send("/help")
	zh.expect("/neworder — place an order")
}

func TestStartWebhook(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: true})
	if url, secret, ok := tg.Server.Webhook(); !ok || secret == "" || !strings.HasSuffix(url, "/telegram") {
		t.Fatalf("webhook = %q, %q, %v; want the bot's URL with a secret", url, secret, ok)
	}
	en := newChat(t, tg.Server, 201, "en")
	zh := newChat(t, tg.Server, 202, "zh")
	en.send("/start")
	zh.send("/start")
	en.expect("Hello Wei Zhang", "What would you like to do?")
	zh.expect("您好")

	// A button press is answered in the webhook's response, which the server carries out:
	// the callback query is answered.
	en.press("New order")
	en.expect("Which product")
	waitFor(t, func() bool { return len(tg.Server.AnsweredCallbacks()) == 1 })
}

func TestWebhookRejectsWrongSecret(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: true})
	hs := httptest.NewServer(tg.Bot.WebhookHandler())
	defer hs.Close()
	body := `{"update_id":999,"message":{"message_id":1,"date":1,"chat":{"id":301,"type":"private"},"from":{"id":301,"first_name":"Eve"},"text":"/start"}}`
	for _, secret := range []string{"", "wrong", "test-secret_1x"} {
		req, _ := http.NewRequest(http.MethodPost, hs.URL, strings.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", secret, resp.StatusCode)
		}
	}
	// With the right secret the same update is handled.
	req, _ := http.NewRequest(http.MethodPost, hs.URL, strings.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "test-secret_1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("right secret: status %d, want 200", resp.StatusCode)
	}
	tg.Server.ExpectText(t, 301, "Hello Eve", wait)
	time.Sleep(100 * time.Millisecond)
	sent := tg.Server.SentTo(301)
	if len(sent) == 0 || !strings.Contains(sent[0].Text, "Hello Eve") {
		t.Fatalf("the rejected requests must not be handled and the accepted one must: got %d messages %v", len(sent), sent)
	}
	if n := strings.Count(fmt.Sprint(sentTexts(sent)), "Hello Eve"); n != 1 {
		t.Errorf("greeted %d times, want once", n)
	}
}

func sentTexts(ms []telegramtest.Sent) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}

// Updates of one chat are handled strictly in order, while other chats go on.
func TestOneChatInOrderOthersProgress(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	srv := telegramtest.NewServer(t)
	busy := newChat(t, srv, 401, "en")
	const n = 400 // well over the 100 updates in flight, so the busy chat is still busy when the others are fetched
	for i := 1; i <= n; i++ {
		busy.send(fmt.Sprintf("SO-20261127-%04d", i))
	}
	others := make([]*chat, 5)
	for i := range others {
		others[i] = newChat(t, srv, int64(500+i), "en")
		others[i].send("/start")
	}
	// The backlog limit is lifted: this test is about order, not floods.
	bed.StartTelegram(testbed.TelegramOptions{Server: srv, Configure: func(c *bot.Config) { c.MaxBacklog = n }})
	var lastBusy time.Time
	for i := 1; i <= n; i++ {
		m := busy.expect("No order")
		if want := fmt.Sprintf("SO-20261127-%04d", i); !strings.Contains(m.Text, want) {
			t.Fatalf("reply %d is %q, want one about %s: out of order", i, m.Text, want)
		}
		lastBusy = m.At
	}
	for _, o := range others {
		m := o.expect("Hello")
		if !m.At.Before(lastBusy) {
			t.Errorf("chat %d was answered at %v, after the busy chat's last reply at %v: it waited for it", o.u.ID, m.At, lastBusy)
		}
	}
}

func TestRedeliveredUpdateHandledOnce(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	c := newChat(t, tg.Server, 601, "en")
	id := c.send("SO-20261127-0042")
	c.expect("No order SO-20261127-0042")
	if err := tg.Server.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	c.send("SO-20261127-0043")
	c.expect("No order SO-20261127-0043")
	texts := sentTexts(tg.Server.SentTo(601))
	if got := strings.Count(strings.Join(texts, "\n"), "SO-20261127-0042"); got != 1 {
		t.Errorf("the redelivered update was answered %d times, want once: %q", got, texts)
	}

	// A second bot instance sharing Redis does not handle it again either.
	tg.Stop()
	tg2 := bed.StartTelegram(testbed.TelegramOptions{Server: tg.Server})
	if err := tg2.Server.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	c.send("SO-20261127-0044")
	c.expect("No order SO-20261127-0044")
	texts = sentTexts(tg.Server.SentTo(601))
	if got := strings.Count(strings.Join(texts, "\n"), "SO-20261127-0042"); got != 1 {
		t.Errorf("after restart the redelivered update was answered %d times, want once", got)
	}
}

// A bot killed while it handles an update handles it after the restart.
func TestKilledWhileHandlingHandledAfterRestart(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	srv := telegramtest.NewServer(t)
	c := newChat(t, srv, 701, "en")

	// Hold the chat's lock as another instance would, so the update is in flight.
	other := redisstore.New(bed.Redis, bed.Prefix)
	turn, err := other.Begin(context.Background(), c.u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{Server: srv, ShutdownGrace: time.Millisecond})
	c.send("/start")
	waitTaken(t, bed)
	time.Sleep(100 * time.Millisecond) // the update is now waiting for the lock
	tg.Stop()                          // killed: the update was not handled, so not confirmed
	if n := len(srv.SentTo(c.u.ID)); n != 0 {
		t.Fatalf("the killed bot sent %d messages", n)
	}
	if err := turn.End(context.Background(), false); err != nil {
		t.Fatal(err)
	}

	bed.StartTelegram(testbed.TelegramOptions{Server: srv})
	c.expect("Hello Wei Zhang")
	waitFor(t, func() bool { return srv.Pending() == 0 }) // and confirmed after handling
}

// waitTaken waits until a worker has taken an update from the inbox.
func waitTaken(t *testing.T, bed *testbed.Bed) {
	t.Helper()
	waitFor(t, func() bool {
		var n int
		err := bed.Store.DB().QueryRow(`SELECT count(*) FROM update_inbox WHERE lease_until IS NOT NULL`).Scan(&n)
		return err == nil && n > 0
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCommandMenusPerRoleAndLanguage(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	if err := tg.Bot.SetCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	sets := tg.Server.Commands()
	var en, zh, group bool
	for _, s := range sets {
		if strings.Contains(string(s.Scope), "all_chat_administrators") && len(s.Commands) == 3 &&
			s.Commands[0].Command == "bindgroup" && s.Commands[1].Command == "unbindgroup" && s.Commands[2].Command == "language" {
			group = group || s.LanguageCode == "zh" && strings.Contains(s.Commands[0].Description, "员工群") &&
				strings.Contains(s.Commands[2].Description, "本群卡片")
		}
		names := make([]string, len(s.Commands))
		for i, c := range s.Commands {
			names[i] = c.Command
		}
		joined := strings.Join(names, ",")
		if !strings.Contains(string(s.Scope), "all_private_chats") {
			continue
		}
		if !strings.Contains(joined, "neworder") || !strings.Contains(joined, "myorders") {
			t.Errorf("customer menu %q lacks neworder/myorders", joined)
		}
		switch s.LanguageCode {
		case "":
			en = strings.Contains(s.Commands[0].Description, "order")
		case "zh":
			zh = strings.Contains(s.Commands[0].Description, "订单")
		}
	}
	if !en || !zh {
		t.Errorf("customer menus in English and Chinese: en=%v zh=%v (%+v)", en, zh, sets)
	}
	if !group {
		t.Errorf("no /bindgroup menu for the administrators of groups: %+v", sets)
	}
}

// A shutdown lets the update in flight finish within the grace period.
func TestShutdownFinishesUpdateInFlight(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	srv := telegramtest.NewServer(t)
	c := newChat(t, srv, 801, "en")
	other := redisstore.New(bed.Redis, bed.Prefix)
	turn, err := other.Begin(context.Background(), c.u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{Server: srv, ShutdownGrace: 10 * time.Second})
	c.send("/start")
	waitTaken(t, bed)
	time.Sleep(100 * time.Millisecond) // in flight, waiting for the chat
	stopped := make(chan struct{})
	go func() { tg.Stop(); close(stopped) }()
	time.Sleep(200 * time.Millisecond)
	if err := turn.End(context.Background(), false); err != nil {
		t.Error(err)
	}
	<-stopped
	c.expect("Hello Wei Zhang")
}
