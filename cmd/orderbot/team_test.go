package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot/telegramtest"
)

// `staff invite` prints the same one-time link a manager gets in the chat: with the bot's
// username from Telegram when the token is set, from --bot otherwise, and a /start command
// when neither is known.
func TestStaffInvite(t *testing.T) {
	c := newCLI(t)
	out, err := c.run("staff", "invite", "--role", "manager", "--bot", "acme_orders_bot")
	if err != nil {
		t.Fatalf("staff invite: %v", err)
	}
	if !regexp.MustCompile(`(?m)^https://t\.me/acme_orders_bot\?start=inv-[A-Za-z0-9_-]{22}$`).MatchString(out) {
		t.Errorf("no link on its own line:\n%s", out)
	}

	srv := telegramtest.NewServer(t, telegramtest.WithToken("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"), telegramtest.WithBotUser("Acme", "acme_desk_bot"))
	c.vars["TELEGRAM_BOT_TOKEN"] = srv.Token()
	c.vars["ORDERBOT_TELEGRAM_API_URL"] = srv.URL()
	if out, err = c.run("staff", "invite", "--role", "rep"); err != nil || !strings.Contains(out, "https://t.me/acme_desk_bot?start=inv-") {
		t.Errorf("with a token: %q, %v", out, err)
	}

	delete(c.vars, "TELEGRAM_BOT_TOKEN")
	if out, err = c.run("staff", "invite"); err != nil || !regexp.MustCompile(`(?m)^/start inv-`).MatchString(out) {
		t.Errorf("without a username: %q, %v", out, err)
	}
	if _, err = c.run("staff", "invite", "--role", "boss"); err == nil {
		t.Error("role boss accepted")
	}
}
