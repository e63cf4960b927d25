package bot_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/notify"
)

func TestSendNoticeWithFiles(t *testing.T) {
	srv := telegramtest.NewServer(t)
	b := sender(t, srv)
	ctx := t.Context()
	pdf := []byte("%PDF-1.4 a document")
	id, err := b.SendNotice(ctx, 42, notify.Message{
		Text:    "Order SO-20261201-0001: your order confirmation.",
		Buttons: [][]notify.Button{{{Text: "Confirm", Data: "c:SO-20261201-0001"}}},
		File:    &notify.File{Name: "SO-20261201-0001-confirmation-v1.pdf", Data: pdf},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Expect(t, 42, wait)
	if m.Method != "sendDocument" || m.MessageID != id || m.Document == nil {
		t.Fatalf("sent %s %d with document %v, want sendDocument %d", m.Method, m.MessageID, m.Document, id)
	}
	if m.Document.Name != "SO-20261201-0001-confirmation-v1.pdf" || !bytes.Equal(m.Document.Data, pdf) {
		t.Errorf("document %q of %d bytes", m.Document.Name, len(m.Document.Data))
	}
	if m.Caption != "Order SO-20261201-0001: your order confirmation." || len(m.InlineKeyboard) != 1 {
		t.Errorf("caption %q, %d button rows", m.Caption, len(m.InlineKeyboard))
	}

	// A caption longer than Telegram allows goes first, as a message of its own.
	long := strings.Repeat("销售额", 400)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40, 20))); err != nil {
		t.Fatal(err)
	}
	chart := buf.Bytes()
	if _, err := b.SendNotice(ctx, 42, notify.Message{Text: long, File: &notify.File{Photo: true, Name: "report.png", Data: chart}}); err != nil {
		t.Fatal(err)
	}
	text := srv.Expect(t, 42, wait)
	photo := srv.Expect(t, 42, wait)
	if text.Method != "sendMessage" || text.Text != long {
		t.Errorf("first %s %d chars, want the long text as a message", text.Method, len(text.Text))
	}
	if photo.Method != "sendPhoto" || photo.Photo == nil || !bytes.Equal(photo.Photo.Data, chart) || photo.Caption != "" {
		t.Errorf("second %s caption %q photo %v", photo.Method, photo.Caption, photo.Photo)
	}

	// Telegram refuses a document over 50 MB: so does the bot, before uploading.
	_, err = b.SendNotice(ctx, 42, notify.Message{Text: "big", File: &notify.File{Name: "big.pdf", Data: make([]byte, 50<<20+1)}})
	var permanent interface{ Permanent() bool }
	if !errors.As(err, &permanent) || !permanent.Permanent() {
		t.Errorf("51 MB document: %v, want a permanent refusal", err)
	}
}
