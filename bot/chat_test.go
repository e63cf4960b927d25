package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/telegramtest"
)

const wait = 15 * time.Second

// chat is one Telegram user talking to the bot in a test.
type chat struct {
	t    testing.TB
	srv  *telegramtest.Server
	u    telegramtest.User
	last telegramtest.Sent // the last message expected
}

func newChat(t testing.TB, srv *telegramtest.Server, id int64, lang string) *chat {
	return &chat{t: t, srv: srv, u: telegramtest.User{ID: id, FirstName: "Wei", LastName: "Zhang", LanguageCode: lang}}
}

func (c *chat) send(text string) int64 { c.t.Helper(); return c.srv.SendText(c.u, text) }

// expect consumes the chat's messages up to the first whose text or caption contains
// every part, and returns it.
func (c *chat) expect(parts ...string) telegramtest.Sent {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var seen []string
	for {
		m, err := c.srv.WaitSent(ctx, c.u.ID, nil)
		if err != nil {
			break
		}
		shown := m.Text + m.Caption
		seen = append(seen, shown)
		if containsAll(shown, parts) {
			c.last = m
			return m
		}
	}
	c.t.Fatalf("chat %d: no message with %q; got:\n%s", c.u.ID, parts, strings.Join(seen, "\n---\n"))
	return telegramtest.Sent{}
}

// expectEach consumes the chat's messages until, for every set of parts, one message
// holding all of them has come, in whatever order they come (notifications from different
// jobs are not ordered among themselves), and returns those messages in the sets' order.
func (c *chat) expectEach(sets ...[]string) []telegramtest.Sent {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	found := make([]telegramtest.Sent, len(sets))
	done := make([]bool, len(sets))
	left := len(sets)
	var seen []string
	for left > 0 {
		m, err := c.srv.WaitSent(ctx, c.u.ID, nil)
		if err != nil {
			c.t.Fatalf("chat %d: no message for each of %q; got:\n%s", c.u.ID, sets, strings.Join(seen, "\n---\n"))
		}
		shown := m.Text + m.Caption
		seen = append(seen, shown)
		for i, parts := range sets {
			if done[i] || !containsAll(shown, parts) {
				continue
			}
			found[i], done[i] = m, true
			left--
			break
		}
	}
	c.last = found[len(found)-1]
	return found
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// press presses the button of the last expected message whose text contains label.
func (c *chat) press(label string) int64 {
	c.t.Helper()
	return c.pressOn(c.last, label)
}

func (c *chat) pressOn(m telegramtest.Sent, label string) int64 {
	c.t.Helper()
	b, ok := m.ButtonByText(label)
	if !ok {
		c.t.Fatalf("chat %d: no button %q on message %q", c.u.ID, label, m.Text)
	}
	return c.srv.Press(c.t, c.u, m, b.CallbackData)
}
