package bot_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/notify"
)

// A send that fails before its request was written whole — a TLS handshake the bot
// refuses, a server that closes the connection at once — sent nothing: the error does not
// say "maybe sent", so the notification is retried instead of settled as uncertain.
func TestNoticeNotWrittenIsNotSent(t *testing.T) {
	var reached atomic.Int32
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	t.Cleanup(tlsSrv.Close)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close() // hung up before reading anything
		}
	}()

	for name, url := range map[string]string{
		"untrusted certificate": tlsSrv.URL, // the bot does not trust the test CA
		"plain TCP for TLS":     "https://" + ln.Addr().String(),
	} {
		b, err := bot.New(bot.Config{Token: "123:abc", APIURL: url}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.SendNotice(t.Context(), 1, notify.Message{Text: "hello"})
		if err == nil {
			t.Fatalf("%s: sent", name)
		}
		var ms interface{ MaybeSent() bool }
		if errors.As(err, &ms) && ms.MaybeSent() {
			t.Errorf("%s: %v counts as maybe sent; nothing left the bot", name, err)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}
