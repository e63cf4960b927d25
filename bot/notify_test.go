package bot_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/notify"
)

// sender returns a bot that only sends, to srv.
func sender(t *testing.T, srv *telegramtest.Server) *bot.Bot {
	t.Helper()
	b, err := bot.New(bot.Config{Token: srv.Token(), APIURL: srv.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSendAndEditNotice(t *testing.T) {
	srv := telegramtest.NewServer(t)
	b := sender(t, srv)
	ctx := t.Context()
	card := notify.Message{Text: "📝 Order SO-20261130-0001 needs review.", Buttons: [][]notify.Button{
		{{Text: "Accept", Data: "m:ra:SO-20261130-0001"}},
		{{Text: "Other date", Data: "m:rd:SO-20261130-0001"}, {Text: "Reject", Data: "m:rr:SO-20261130-0001"}},
	}}
	id, err := b.SendNotice(ctx, 42, card)
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Expect(t, 42, wait)
	if m.MessageID != id || m.Text != card.Text {
		t.Errorf("sent message %d %q, SendNotice said %d", m.MessageID, m.Text, id)
	}
	var data [][]string
	for _, row := range m.InlineKeyboard {
		var r []string
		for _, btn := range row {
			r = append(r, btn.CallbackData)
		}
		data = append(data, r)
	}
	if want := [][]string{{"m:ra:SO-20261130-0001"}, {"m:rd:SO-20261130-0001", "m:rr:SO-20261130-0001"}}; !reflect.DeepEqual(data, want) {
		t.Errorf("buttons %v, want %v", data, want)
	}

	taken := notify.Message{Text: "✔️ Order SO-20261130-0001 was taken by Alice."}
	if err := b.EditNotice(ctx, 42, id, taken); err != nil {
		t.Fatal(err)
	}
	edit := srv.Expect(t, 42, wait)
	if edit.Method != "editMessageText" || edit.MessageID != id || edit.Text != taken.Text || len(edit.InlineKeyboard) != 0 {
		t.Errorf("edit: %s of %d %q with %d button rows", edit.Method, edit.MessageID, edit.Text, len(edit.InlineKeyboard))
	}
	// Editing again to the same text is done already, not an error.
	if err := b.EditNotice(ctx, 42, id, taken); err != nil {
		t.Errorf("the same edit again: %v", err)
	}
}

func TestNoticeErrors(t *testing.T) {
	srv := telegramtest.NewServer(t)
	b := sender(t, srv)
	ctx := t.Context()
	msg := notify.Message{Text: "hello"}
	var (
		ra interface{ RetryAfter() time.Duration }
		bl interface{ Blocked() bool }
		pe interface{ Permanent() bool }
		ms interface{ MaybeSent() bool }
	)
	check := func(name string, err error, wantRetry time.Duration, wantBlocked, wantPermanent, wantMaybe bool) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), srv.Token()) {
			t.Errorf("%s: the error shows the token: %v", name, err)
		}
		gotRetry := time.Duration(0)
		if errors.As(err, &ra) {
			gotRetry = ra.RetryAfter()
		}
		gotBlocked := errors.As(err, &bl) && bl.Blocked()
		gotPermanent := errors.As(err, &pe) && pe.Permanent()
		gotMaybe := errors.As(err, &ms) && ms.MaybeSent()
		if gotRetry != wantRetry || gotBlocked != wantBlocked || gotPermanent != wantPermanent || gotMaybe != wantMaybe {
			t.Errorf("%s: %v: retry after %s, blocked %v, permanent %v, maybe sent %v; want %s, %v, %v, %v",
				name, err, gotRetry, gotBlocked, gotPermanent, gotMaybe, wantRetry, wantBlocked, wantPermanent, wantMaybe)
		}
	}

	srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 3", 1)
	_, err := b.SendNotice(ctx, 1, msg)
	check("429", err, 3*time.Second, false, false, false)

	srv.Block(2)
	_, err = b.SendNotice(ctx, 2, msg)
	check("blocked", err, 0, true, false, false)

	srv.FailNext("sendMessage", 400, "Bad Request: chat not found", 1)
	_, err = b.SendNotice(ctx, 3, msg)
	check("400", err, 0, false, true, false)

	srv.FailNext("sendMessage", 500, "Internal Server Error", 1)
	_, err = b.SendNotice(ctx, 4, msg)
	check("500", err, 0, false, false, false)

	// No answer in time: the request may have arrived.
	srv.SetLatency(2 * time.Second)
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = b.SendNotice(tctx, 5, msg)
	cancel()
	check("timeout", err, 0, false, false, true)
	srv.SetLatency(0)

	// Nobody listening: nothing left.
	srv.Close()
	_, err = b.SendNotice(ctx, 6, msg)
	check("connection refused", err, 0, false, false, false)
	if n := len(srv.SentTo(1)) + len(srv.SentTo(2)) + len(srv.SentTo(3)) + len(srv.SentTo(4)); n != 0 {
		t.Errorf("%d messages recorded for failed sends", n)
	}
}
