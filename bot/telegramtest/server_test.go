package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const wait = 15 * time.Second

var alice = User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "en"}

func newClient(t *testing.T, srv *Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(srv.URL()),
		bot.WithSkipGetMe(),
		bot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := bot.New(srv.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// apiResponse is the envelope as a raw client sees it.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// postJSON calls a method with a JSON body, like a hand-written client.
func postJSON(t *testing.T, srv *Server, method string, body any) (int, apiResponse) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/"+method, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("POST %s: %v", method, err)
	}
	return decodeResponse(t, resp)
}

func decodeResponse(t *testing.T, resp *http.Response) (int, apiResponse) {
	t.Helper()
	defer resp.Body.Close()
	var out apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode response: %v", err)
	}
	return resp.StatusCode, out
}

func getUpdates(t *testing.T, srv *Server, offset int64, timeout int) []models.Update {
	t.Helper()
	status, resp := postJSON(t, srv, "getUpdates", map[string]any{
		"offset": offset, "timeout": timeout, "limit": 100,
		"allowed_updates": []string{"message", "callback_query"},
	})
	if status != http.StatusOK || !resp.OK {
		t.Fatalf("getUpdates: %d %s", status, resp.Description)
	}
	var updates []models.Update
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		t.Fatalf("decode updates: %v", err)
	}
	return updates
}

func updateIDs(updates []models.Update) []int64 {
	ids := make([]int64, len(updates))
	for i, u := range updates {
		ids[i] = u.ID
	}
	return ids
}

func inlineKeyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func TestSendMessageInlineKeyboardRoundTrip(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()

	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID:    alice.ID,
		Text:      "<b>Pizza</b> &amp; pasta",
		ParseMode: models.ParseModeHTML,
		ReplyMarkup: inlineKeyboard(
			[]models.InlineKeyboardButton{{Text: "Add", CallbackData: "add:1"}, {Text: "Info", URL: "https://example.com"}},
			[]models.InlineKeyboardButton{{Text: "Cancel", CallbackData: "cancel"}},
		),
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if msg.ID != 1 || msg.Chat.ID != alice.ID || msg.Chat.Type != models.ChatTypePrivate || msg.Date == 0 {
		t.Errorf("message = id %d chat %+v date %d", msg.ID, msg.Chat, msg.Date)
	}
	if msg.From == nil || msg.From.ID != srv.BotUserID() || !msg.From.IsBot {
		t.Errorf("from = %+v, want the bot", msg.From)
	}
	if msg.Text != "Pizza & pasta" {
		t.Errorf("returned text = %q, want markup removed", msg.Text)
	}
	if msg.ReplyMarkup == nil || len(msg.ReplyMarkup.InlineKeyboard) != 2 ||
		msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "add:1" {
		t.Errorf("returned reply_markup = %+v", msg.ReplyMarkup)
	}

	got := srv.Expect(t, alice.ID, wait)
	if got.Method != "sendMessage" || got.MessageID != msg.ID || got.Text != "<b>Pizza</b> &amp; pasta" ||
		got.PlainText != "Pizza & pasta" || got.ParseMode != "HTML" {
		t.Errorf("recorded %s", got)
	}
	want := [][]Button{
		{{Text: "Add", CallbackData: "add:1"}, {Text: "Info", URL: "https://example.com"}},
		{{Text: "Cancel", CallbackData: "cancel"}},
	}
	if fmt.Sprint(got.InlineKeyboard) != fmt.Sprint(want) {
		t.Errorf("keyboard = %v, want %v", got.InlineKeyboard, want)
	}
	if !json.Valid(got.ReplyMarkup) || got.Params["chat_id"] != "1001" {
		t.Errorf("raw markup %s, params %v", got.ReplyMarkup, got.Params)
	}

	// A reply keyboard is parsed too, and is not echoed in the result.
	msg2, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID,
		Text:   "Share your phone",
		ReplyMarkup: &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{
			{{Text: "Send phone", RequestContact: true}, {Text: "Send location", RequestLocation: true}},
		}},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if msg2.ID != 2 || msg2.ReplyMarkup != nil {
		t.Errorf("second message id %d markup %+v", msg2.ID, msg2.ReplyMarkup)
	}
	got2 := srv.Expect(t, alice.ID, wait)
	if len(got2.ReplyKeyboard) != 1 || !got2.ReplyKeyboard[0][0].RequestContact || !got2.ReplyKeyboard[0][1].RequestLocation {
		t.Errorf("reply keyboard = %+v", got2.ReplyKeyboard)
	}

	// Buttons without an action and over-long callback data are rejected.
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID, Text: "x",
		ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "dead"}}),
	})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "text buttons are unallowed") {
		t.Errorf("action-less button: err = %v", err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID, Text: "x",
		ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "long", CallbackData: strings.Repeat("x", 65)}}),
	})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
		t.Errorf("long callback data: err = %v", err)
	}
	if n := len(srv.SentTo(alice.ID)); n != 2 {
		t.Errorf("SentTo has %d entries, want 2", n)
	}
	if n := srv.Calls("sendmessage"); n != 4 {
		t.Errorf("Calls(sendMessage) = %d, want 4", n)
	}
}

func TestEditMessageText(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()

	_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 7, Text: "x"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("edit unknown message: err = %v", err)
	}

	orig, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID, Text: "Order #1: new",
		ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "Pay", CallbackData: "pay:1"}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{
		ChatID: alice.ID, MessageID: orig.ID, Text: "Order #1: new",
		ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "Pay", CallbackData: "pay:1"}}),
	})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("identical edit: err = %v", err)
	}

	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{
		ChatID: alice.ID, MessageID: orig.ID, Text: "Order #1: *paid*", ParseMode: models.ParseModeMarkdownV1,
	})
	if err != nil {
		t.Fatalf("EditMessageText: %v", err)
	}
	if edited.ID != orig.ID || edited.Text != "Order #1: paid" || edited.EditDate == 0 || edited.ReplyMarkup != nil {
		t.Errorf("edited = id %d text %q edit_date %d markup %+v", edited.ID, edited.Text, edited.EditDate, edited.ReplyMarkup)
	}
	state, ok := srv.Message(alice.ID, orig.ID)
	if !ok || state.Text != "Order #1: *paid*" || state.InlineKeyboard != nil || state.Method != "sendMessage" {
		t.Errorf("Message() = %v, %v", state, ok)
	}
	srv.Expect(t, alice.ID, wait)
	rec := srv.Expect(t, alice.ID, wait)
	if rec.Method != "editMessageText" || rec.MessageID != orig.ID || rec.PlainText != "Order #1: paid" {
		t.Errorf("edit record = %s", rec)
	}

	// Put a keyboard back with editMessageReplyMarkup.
	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{
		ChatID: alice.ID, MessageID: orig.ID,
		ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "Receipt", CallbackData: "receipt:1"}}),
	})
	if err != nil {
		t.Fatalf("EditMessageReplyMarkup: %v", err)
	}
	if state, _ := srv.Message(alice.ID, orig.ID); len(state.InlineKeyboard) != 1 || state.Text != "Order #1: *paid*" {
		t.Errorf("after markup edit: %s", state)
	}
	if m := srv.Expect(t, alice.ID, wait); m.Method != "editMessageReplyMarkup" {
		t.Errorf("record = %s", m)
	}

	// A message the user sent can't be edited.
	srv.SendText(alice, "hello")
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: orig.ID + 1, Text: "x"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message can't be edited") {
		t.Errorf("edit user message: err = %v", err)
	}
}

func TestSendDocumentAndPhoto(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()
	content := []byte("%PDF-1.4 invoice body")

	msg, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:    alice.ID,
		Document:  &models.InputFileUpload{Filename: "invoice-17.pdf", Data: bytes.NewReader(content)},
		Caption:   "Invoice <b>#17</b>",
		ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatalf("SendDocument: %v", err)
	}
	if msg.Document == nil || msg.Document.FileName != "invoice-17.pdf" || msg.Document.FileSize != int64(len(content)) ||
		msg.Document.FileID == "" || msg.Caption != "Invoice #17" {
		t.Fatalf("returned document = %+v caption %q", msg.Document, msg.Caption)
	}
	got := srv.Expect(t, alice.ID, wait)
	if got.Method != "sendDocument" || got.Document == nil || got.Document.Name != "invoice-17.pdf" ||
		!bytes.Equal(got.Document.Data, content) || got.Caption != "Invoice <b>#17</b>" {
		t.Fatalf("recorded %s", got)
	}

	// Re-sending by file_id resolves to the earlier upload.
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID: alice.ID, Document: &models.InputFileString{Data: msg.Document.FileID},
	}); err != nil {
		t.Fatalf("SendDocument by file_id: %v", err)
	}
	again := srv.Expect(t, alice.ID, wait)
	if again.Document.Ref != msg.Document.FileID || !bytes.Equal(again.Document.Data, content) {
		t.Errorf("resent document = %+v", again.Document)
	}

	// Photos must be images.
	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "x.png", Data: strings.NewReader("not an image")},
	})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "IMAGE_PROCESS_FAILED") {
		t.Errorf("non-image photo: err = %v", err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
	photo, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "qr.png", Data: bytes.NewReader(png)},
	})
	if err != nil {
		t.Fatalf("SendPhoto: %v", err)
	}
	if len(photo.Photo) == 0 || photo.Photo[0].FileID == "" {
		t.Errorf("returned photo = %+v", photo.Photo)
	}
	if p := srv.Expect(t, alice.ID, wait); p.Photo == nil || p.Photo.Name != "qr.png" || !bytes.Equal(p.Photo.Data, png) {
		t.Errorf("recorded photo = %s", p)
	}
}

func TestSetMyCommands(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()

	ok, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{
		Commands: []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "orders", Description: "My orders"}},
	})
	if err != nil || !ok {
		t.Fatalf("SetMyCommands default: %v %v", ok, err)
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{
		Commands:     []models.BotCommand{{Command: "admin", Description: "Админка"}},
		Scope:        &models.BotCommandScopeChat{ChatID: 42},
		LanguageCode: "ru",
	})
	if err != nil {
		t.Fatalf("SetMyCommands scoped: %v", err)
	}

	sets := srv.Commands()
	if len(sets) != 2 {
		t.Fatalf("Commands() = %+v", sets)
	}
	if sets[0].Scope != nil || sets[0].LanguageCode != "" || len(sets[0].Commands) != 2 || sets[0].Commands[1].Command != "orders" {
		t.Errorf("default set = %+v", sets[0])
	}
	var scope struct {
		Type   string `json:"type"`
		ChatID int64  `json:"chat_id"`
	}
	if err := json.Unmarshal(sets[1].Scope, &scope); err != nil || scope.Type != "chat" || scope.ChatID != 42 {
		t.Errorf("scope = %s (%v)", sets[1].Scope, err)
	}
	if sets[1].LanguageCode != "ru" || sets[1].Commands[0] != (models.BotCommand{Command: "admin", Description: "Админка"}) {
		t.Errorf("scoped set = %+v", sets[1])
	}

	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: &models.BotCommandScopeChat{ChatID: 42}, LanguageCode: "ru"})
	if err != nil || len(got) != 1 || got[0].Command != "admin" {
		t.Errorf("GetMyCommands = %+v, %v", got, err)
	}

	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad-Name", Description: "x"}}})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "BOT_COMMAND_INVALID") {
		t.Errorf("invalid command: err = %v", err)
	}

	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{}); err != nil {
		t.Fatal(err)
	}
	if sets := srv.Commands(); len(sets) != 1 || sets[0].LanguageCode != "ru" {
		t.Errorf("after delete: %+v", sets)
	}
}

func TestGetUpdatesLongPollingOffsets(t *testing.T) {
	srv := NewServer(t)
	srv.SendCommand(alice, "start", "ref42")
	srv.SendText(alice, "hi")
	srv.SendContact(alice, "+15550100", "Alice")

	updates := getUpdates(t, srv, 0, 0)
	if fmt.Sprint(updateIDs(updates)) != "[1 2 3]" {
		t.Fatalf("ids = %v", updateIDs(updates))
	}
	first := updates[0].Message
	if first.Text != "/start ref42" || len(first.Entities) != 1 || first.Entities[0].Type != models.MessageEntityTypeBotCommand ||
		first.Entities[0].Length != len("/start") || first.From.ID != alice.ID || first.Chat.ID != alice.ID {
		t.Errorf("command message = %+v", first)
	}
	if c := updates[2].Message.Contact; c == nil || c.UserID != alice.ID || c.PhoneNumber != "+15550100" {
		t.Errorf("contact = %+v", c)
	}
	if updates[1].Message.ID != first.ID+1 {
		t.Errorf("message ids %d, %d are not consecutive", first.ID, updates[1].Message.ID)
	}

	// Without a confirming offset the same updates come back.
	if ids := updateIDs(getUpdates(t, srv, 0, 0)); len(ids) != 3 {
		t.Fatalf("repeat ids = %v", ids)
	}
	// offset 3 confirms 1 and 2.
	if ids := updateIDs(getUpdates(t, srv, 3, 0)); fmt.Sprint(ids) != "[3]" {
		t.Fatalf("offset 3 ids = %v", ids)
	}
	if p := srv.Pending(); p != 1 {
		t.Errorf("Pending = %d, want 1", p)
	}

	// A long poll blocks until an update arrives.
	type result struct {
		ids     []int64
		elapsed time.Duration
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		ups := getUpdates(t, srv, 4, 10)
		done <- result{updateIDs(ups), time.Since(start)}
	}()
	time.Sleep(150 * time.Millisecond)
	if p := srv.Pending(); p != 0 {
		t.Errorf("Pending after offset 4 = %d, want 0", p)
	}
	srv.SendLocation(alice, 52.52, 13.405)
	select {
	case r := <-done:
		if fmt.Sprint(r.ids) != "[4]" || r.elapsed < 100*time.Millisecond || r.elapsed > 5*time.Second {
			t.Errorf("long poll returned %v after %v", r.ids, r.elapsed)
		}
	case <-time.After(wait):
		t.Fatal("long poll did not return")
	}

	// An empty long poll times out with an empty result.
	start = time.Now()
	if ups := getUpdates(t, srv, 5, 1); len(ups) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Errorf("empty poll: %v after %v", updateIDs(ups), time.Since(start))
	}
}

func TestLongPollingWithRealClient(t *testing.T) {
	srv := NewServer(t)
	handler := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		switch {
		case u.Message != nil && u.Message.Text == "/menu":
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID: u.Message.Chat.ID, Text: "Menu",
				ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "Margherita", CallbackData: "pizza:1"}}),
			})
		case u.CallbackQuery != nil:
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "Added"})
			m := u.CallbackQuery.Message.Message
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: m.Chat.ID, MessageID: m.ID, Text: "Added " + u.CallbackQuery.Data + " to " + m.Text,
			})
		}
	}
	b := newClient(t, srv, bot.WithDefaultHandler(handler), bot.WithNotAsyncHandlers())
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { b.Start(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	srv.SendText(alice, "/menu")
	menu := srv.ExpectText(t, alice.ID, "Menu", wait)
	if _, err := srv.PressButton(alice, menu, "pizza:2"); err == nil {
		t.Error("pressing a button that does not exist succeeded")
	}
	srv.Press(t, alice, menu, "pizza:1")
	edit := srv.ExpectText(t, alice.ID, "Added pizza:1 to Menu", wait)
	if edit.Method != "editMessageText" || edit.MessageID != menu.MessageID {
		t.Errorf("edit = %s", edit)
	}
	if ids := srv.AnsweredCallbacks(); len(ids) != 1 {
		t.Errorf("answered callbacks = %v", ids)
	}
	// The edit removed the keyboard, so the button can't be pressed again.
	if _, err := srv.PressButton(alice, menu, "pizza:1"); err == nil {
		t.Error("pressing a removed button succeeded")
	}
	all := srv.AllSent()
	if len(all) != 3 || all[1].Method != "answerCallbackQuery" || all[1].Text != "Added" || all[1].ChatID != alice.ID {
		t.Errorf("AllSent = %v", all)
	}
	ctxIdle, cancelIdle := context.WithTimeout(context.Background(), wait)
	defer cancelIdle()
	if err := srv.WaitIdle(ctxIdle); err != nil {
		t.Errorf("WaitIdle: %v (pending %d)", err, srv.Pending())
	}
}

func TestRedeliverWithPolling(t *testing.T) {
	srv := NewServer(t)
	id := srv.SendText(alice, "pay order 7")
	if ups := getUpdates(t, srv, 0, 0); len(ups) != 1 || ups[0].ID != id {
		t.Fatalf("updates = %v", updateIDs(ups))
	}
	if ups := getUpdates(t, srv, id+1, 0); len(ups) != 0 {
		t.Fatalf("after confirm: %v", updateIDs(ups))
	}
	if err := srv.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	if err := srv.Redeliver(999); err == nil {
		t.Error("Redeliver of an unknown id succeeded")
	}
	ups := getUpdates(t, srv, id+1, 0)
	if len(ups) != 1 || ups[0].ID != id || ups[0].Message.Text != "pay order 7" {
		t.Fatalf("redelivered = %v", updateIDs(ups))
	}
	if ups := getUpdates(t, srv, id+1, 0); len(ups) != 0 || srv.Pending() != 0 {
		t.Errorf("redelivery not confirmed: %v, pending %d", updateIDs(ups), srv.Pending())
	}
}

func TestWebhookDeliveryRetriesAndSecret(t *testing.T) {
	srv := NewServer(t, WithWebhookRetryBackoff(5*time.Millisecond))
	var (
		mu       sync.Mutex
		received []int64
		secrets  []string
		attempts atomic.Int32
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u models.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		mu.Unlock()
		if attempts.Add(1) <= 2 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		mu.Lock()
		received = append(received, u.ID)
		mu.Unlock()
	}))
	defer hook.Close()

	b := newClient(t, srv)
	ctx := context.Background()
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL + "/tg", SecretToken: "s3cr3t_token"}); err != nil {
		t.Fatalf("SetWebhook: %v", err)
	}
	if u, secret, ok := srv.Webhook(); !ok || u != hook.URL+"/tg" || secret != "s3cr3t_token" {
		t.Errorf("Webhook() = %q %q %v", u, secret, ok)
	}

	// getUpdates is refused while the webhook is set.
	status, resp := postJSON(t, srv, "getUpdates", map[string]any{"offset": 0})
	if status != http.StatusConflict || resp.ErrorCode != 409 ||
		!strings.Contains(resp.Description, "can't use getUpdates method while webhook is active") {
		t.Errorf("getUpdates with webhook: %d %+v", status, resp)
	}

	first := srv.SendText(alice, "one")
	second := srv.SendText(alice, "two")
	idle, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := srv.WaitIdle(idle); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	mu.Lock()
	if fmt.Sprint(received) != fmt.Sprint([]int64{first, second}) {
		t.Errorf("delivered = %v, want [%d %d]", received, first, second)
	}
	for _, s := range secrets {
		if s != "s3cr3t_token" {
			t.Errorf("secret header = %q", s)
		}
	}
	mu.Unlock()
	if n := attempts.Load(); n != 4 {
		t.Errorf("attempts = %d, want 4 (2 failures + 2 deliveries)", n)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL+"/tg" || info.PendingUpdateCount != 0 ||
		!strings.Contains(info.LastErrorMessage, "500") || info.LastErrorDate == 0 {
		t.Errorf("GetWebhookInfo = %+v, %v", info, err)
	}

	// Redelivery posts the same update again.
	if err := srv.Redeliver(first); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitIdle(idle); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	mu.Lock()
	if fmt.Sprint(received) != fmt.Sprint([]int64{first, second, first}) {
		t.Errorf("after redelivery = %v", received)
	}
	mu.Unlock()

	// Once the webhook is deleted, polling works again.
	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	third := srv.SendText(alice, "three")
	if ups := getUpdates(t, srv, 0, 0); len(ups) != 1 || ups[0].ID != third {
		t.Errorf("poll after deleteWebhook = %v", updateIDs(ups))
	}
}

// A webhook may answer an update with a method call, which the server makes for the bot,
// as Telegram does; the bot learns nothing of its result.
func TestWebhookAnswerIsAMethodCall(t *testing.T) {
	srv := NewServer(t)
	var mu sync.Mutex
	var answers []string // what the hook answers to texts, in turn
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u models.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		if u.CallbackQuery != nil {
			fmt.Fprintf(w, `{"method":"answerCallbackQuery","callback_query_id":%q}`, u.CallbackQuery.ID)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if len(answers) > 0 {
			_, _ = io.WriteString(w, answers[0])
			answers = answers[1:]
		}
	}))
	defer hook.Close()
	b := newClient(t, srv)
	ctx := context.Background()
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "pick one",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "A", CallbackData: "a"}}}}}); err != nil {
		t.Fatal(err)
	}
	sent := srv.SentTo(alice.ID)
	mu.Lock()
	answers = []string{
		`{"method":"sendMessage","chat_id":` + strconv.FormatInt(alice.ID, 10) + `,"text":"from the answer"}`,
		`{"method":"sendMessage","chat_id":1}`, // refused (no text), and nobody learns it
		`not json`,
		`{"method":"noSuchMethod"}`,
	}
	mu.Unlock()
	srv.Press(t, alice, sent[len(sent)-1], "a")
	for _, text := range []string{"two", "three", "four", "five"} {
		srv.SendText(alice, text)
	}
	idle, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := srv.WaitIdle(idle); err != nil {
		t.Fatal(err)
	}
	if got := srv.AnsweredCallbacks(); len(got) != 1 {
		t.Errorf("answered callbacks %v, want the press's", got)
	}
	texts := []string{}
	for _, m := range srv.SentTo(alice.ID) {
		texts = append(texts, m.Text)
	}
	if fmt.Sprint(texts) != fmt.Sprint([]string{"pick one", "from the answer"}) {
		t.Errorf("sent %q, want the bot's message and the one its webhook answered with", texts)
	}
	if n := srv.Calls("answerCallbackQuery"); n != 1 {
		t.Errorf("answerCallbackQuery counted %d times, want 1", n)
	}
}

func TestWebhookConcurrency(t *testing.T) {
	srv := NewServer(t, WithWebhookConcurrency(8))
	var inFlight, peak, total atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		total.Add(1)
	}))
	defer hook.Close()
	status, resp := postJSON(t, srv, "setWebhook", map[string]any{"url": hook.URL})
	if status != http.StatusOK || !resp.OK {
		t.Fatalf("setWebhook: %d %+v", status, resp)
	}
	for i := range 40 {
		srv.SendText(User{ID: int64(2000 + i), FirstName: "U"}, "hi")
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if total.Load() != 40 || peak.Load() < 2 || peak.Load() > 8 {
		t.Errorf("delivered %d, peak concurrency %d", total.Load(), peak.Load())
	}
}

func TestRateLimit(t *testing.T) {
	srv := NewServer(t, WithRateLimit(100, 2))
	b := newClient(t, srv)
	ctx := context.Background()
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	for i := range 2 {
		if err := send(alice.ID); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	err := send(alice.ID)
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter < 1 {
		t.Fatalf("third send: err = %v", err)
	}
	if err := send(2002); err != nil {
		t.Errorf("other chat throttled: %v", err)
	}
	if n := len(srv.SentTo(alice.ID)); n != 2 {
		t.Errorf("SentTo = %d, want 2 (throttled call not recorded)", n)
	}
	if srv.Throttled() != 1 || srv.Calls("sendMessage") != 4 {
		t.Errorf("Throttled = %d, Calls = %d", srv.Throttled(), srv.Calls("sendMessage"))
	}
	if rej := srv.Rejections(alice.ID); len(rej) != 1 || rej[0].Code != 429 {
		t.Errorf("Rejections = %+v", rej)
	}

	// The raw answer has Telegram's shape.
	status, resp := postJSON(t, srv, "sendMessage", map[string]any{"chat_id": alice.ID, "text": "x"})
	if status != http.StatusTooManyRequests || resp.OK || resp.ErrorCode != 429 || resp.Parameters.RetryAfter < 1 ||
		resp.Description != fmt.Sprintf("Too Many Requests: retry after %d", resp.Parameters.RetryAfter) {
		t.Errorf("raw 429: %d %+v", status, resp)
	}

	// After the window slides, sending works again.
	time.Sleep(time.Duration(tooMany.RetryAfter) * time.Second)
	if err := send(alice.ID); err != nil {
		t.Errorf("after retry_after: %v", err)
	}
}

func TestGlobalRateLimit(t *testing.T) {
	srv := NewServer(t, WithRateLimit(3, 0))
	b := newClient(t, srv)
	var throttled int
	for i := range 5 {
		_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: int64(3000 + i), Text: "x"})
		if bot.IsTooManyRequestsError(err) {
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled != 2 || len(srv.AllSent()) != 3 {
		t.Errorf("throttled %d, sent %d", throttled, len(srv.AllSent()))
	}
}

func TestBlockAndFailNext(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()

	srv.Block(alice.ID)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("blocked send: err = %v", err)
	}
	_, err = b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: alice.ID, Action: models.ChatActionTyping})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Errorf("blocked chat action: err = %v", err)
	}
	if len(srv.SentTo(alice.ID)) != 0 {
		t.Error("blocked message was recorded")
	}
	srv.Unblock(alice.ID)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}); err != nil {
		t.Fatalf("after Unblock: %v", err)
	}

	srv.FailNext("sendMessage", 500, "Internal Server Error", 1)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "retry me"})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("injected failure: err = %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "retry me"}); err != nil {
		t.Errorf("second attempt: %v", err)
	}
	srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 7", 1)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
		t.Errorf("injected 429: err = %v", err)
	}
	if n := len(srv.SentTo(alice.ID)); n != 2 {
		t.Errorf("SentTo = %d, want 2", n)
	}
}

func TestAuthAndRouting(t *testing.T) {
	srv := NewServer(t)
	_, err := bot.New("999:WRONG", bot.WithServerURL(srv.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("bot.New with wrong token: err = %v", err)
	}
	resp, err := http.Post(srv.URL()+"/bot999:WRONG/sendMessage", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	status, body := decodeResponse(t, resp)
	if status != 401 || body.OK || body.ErrorCode != 401 || body.Description != "Unauthorized" {
		t.Errorf("wrong token: %d %+v", status, body)
	}
	if srv.Calls("getMe") != 1 || srv.Calls("sendMessage") != 1 {
		t.Errorf("calls: getMe %d sendMessage %d", srv.Calls("getMe"), srv.Calls("sendMessage"))
	}

	status, body = postJSON(t, srv, "sendTelepathy", map[string]any{})
	if status != 404 || body.ErrorCode != 404 || body.Description != "Not Found: method not found" {
		t.Errorf("unknown method: %d %+v", status, body)
	}

	me, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()))
	if err != nil {
		t.Fatalf("bot.New with getMe: %v", err)
	}
	if me.ID() != srv.BotUserID() {
		t.Errorf("bot id %d, server %d", me.ID(), srv.BotUserID())
	}
	user, err := me.GetMe(context.Background())
	if err != nil || user.ID != 123456 || !user.IsBot || user.Username != "test_bot" {
		t.Errorf("GetMe = %+v, %v", user, err)
	}
}

func TestRequestEncodings(t *testing.T) {
	srv := NewServer(t)
	markup := `{"inline_keyboard":[[{"text":"OK","callback_data":"ok"}]]}`

	form := url.Values{"chat_id": {"1001"}, "text": {"form"}, "reply_markup": {markup}}
	resp, err := http.PostForm(srv.URL()+"/bot"+srv.Token()+"/sendMessage", form)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := decodeResponse(t, resp); status != 200 || !body.OK {
		t.Fatalf("url-encoded: %d %+v", status, body)
	}
	status, body := postJSON(t, srv, "sendMessage", map[string]any{
		"chat_id": 1001, "text": "json", "reply_markup": json.RawMessage(markup),
	})
	if status != 200 || !body.OK {
		t.Fatalf("json: %d %+v", status, body)
	}
	var msg models.Message
	if err := json.Unmarshal(body.Result, &msg); err != nil || msg.ReplyMarkup == nil || msg.ID != 2 {
		t.Errorf("json result = %+v, %v", msg, err)
	}
	for _, want := range []string{"form", "json"} {
		m := srv.Expect(t, alice.ID, wait)
		if m.Text != want || len(m.InlineKeyboard) != 1 || m.InlineKeyboard[0][0].CallbackData != "ok" {
			t.Errorf("%s: recorded %s", want, m)
		}
	}

	status, body = postJSON(t, srv, "sendMessage", map[string]any{"chat_id": 1001, "text": "x", "reply_markup": "{oops"})
	if status != 400 || !strings.Contains(body.Description, "can't parse reply keyboard markup") {
		t.Errorf("bad markup: %d %+v", status, body)
	}
}

func TestParseModeValidation(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()
	cases := []struct {
		mode    models.ParseMode
		text    string
		wantErr string
	}{
		{models.ParseModeMarkdownV1, "*Total*: 12.50", ""},
		// models.ParseModeMarkdown is "MarkdownV2".
		{models.ParseModeMarkdownV1, "user_name", "Can't find end of the entity starting at byte offset 4"},
		{models.ParseModeMarkdown, `*Total*: 12\.50 \(incl\. VAT\)`, ""},
		{models.ParseModeMarkdown, "Total: 12.50", "Character '.' is reserved"},
		{models.ParseModeMarkdown, "*bold", "Can't find end of Bold entity at byte offset 0"},
		{models.ParseModeMarkdown, "[site](https://example.com/a_b) ||spoiler|| `a.b` ~x~ __u__", ""},
		{models.ParseModeHTML, `<b>bold</b> <a href="https://x.y/?a=1&b=2">link</a> 1 &lt; 2`, ""},
		{models.ParseModeHTML, "1 < 2", `Unsupported start tag "" at byte offset 2`},
		{models.ParseModeHTML, "<b>open", `Can't find end tag corresponding to start tag "b"`},
		{models.ParseModeHTML, "<p>para</p>", `Unsupported start tag "p"`},
		{"", strings.Repeat("я", 4097), "message is too long"},
	}
	for _, c := range cases {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: c.text, ParseMode: c.mode})
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s %q: unexpected error %v", c.mode, c.text, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s %q: err = %v, want %q", c.mode, c.text, err, c.wantErr)
		}
	}
}

func TestWaitSentConsumesInOrder(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	ctx := context.Background()
	for _, text := range []string{"first", "second", "third"} {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if m := srv.ExpectText(t, alice.ID, "second", wait); m.Text != "second" {
		t.Errorf("ExpectText = %s", m)
	}
	if m := srv.Expect(t, alice.ID, wait); m.Text != "first" {
		t.Errorf("Expect = %s, want the skipped first message", m)
	}
	if m := srv.Expect(t, alice.ID, wait); m.Text != "third" {
		t.Errorf("Expect = %s", m)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitSent(short, alice.ID, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitSent with nothing left: %v", err)
	}

	// A waiter is woken by a message sent later.
	got := make(chan Sent, 1)
	go func() {
		m, _ := srv.WaitSent(context.Background(), alice.ID, func(m Sent) bool { return m.Text == "late" })
		got <- m
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "late"}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Text != "late" {
			t.Errorf("woken with %s", m)
		}
	case <-time.After(wait):
		t.Fatal("waiter not woken")
	}
	if n := len(srv.SentTo(alice.ID)); n != 4 {
		t.Errorf("SentTo = %d, want 4 (history keeps consumed messages)", n)
	}
}

func TestAnswerCallbackQueryValidation(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	_, err := b.AnswerCallbackQuery(context.Background(), &bot.AnswerCallbackQueryParams{CallbackQueryID: "made-up"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "query ID is invalid") {
		t.Errorf("unknown callback: err = %v", err)
	}
	if len(srv.AnsweredCallbacks()) != 0 {
		t.Error("unknown callback recorded as answered")
	}
}

func TestConcurrentSends(t *testing.T) {
	srv := NewServer(t)
	b := newClient(t, srv)
	const chats, perChat = 20, 25
	var wg sync.WaitGroup
	for c := range chats {
		wg.Add(2)
		chat := int64(5000 + c)
		go func() {
			defer wg.Done()
			for i := range perChat {
				if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: fmt.Sprint(i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			for i := range perChat {
				m, err := srv.WaitSent(ctx, chat, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if m.Text != fmt.Sprint(i) || m.MessageID != i+1 {
					t.Errorf("chat %d: got %s, want text %d id %d", chat, m, i, i+1)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(srv.AllSent()); n != chats*perChat {
		t.Errorf("AllSent = %d", n)
	}
}

func TestGetUpdatesConflictBetweenPollers(t *testing.T) {
	srv := NewServer(t)
	first := make(chan apiResponse, 1)
	go func() {
		data, _ := json.Marshal(map[string]any{"timeout": 5})
		resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/getUpdates", "application/json", bytes.NewReader(data))
		if err != nil {
			t.Error(err)
			first <- apiResponse{}
			return
		}
		defer resp.Body.Close()
		var out apiResponse
		_ = json.NewDecoder(resp.Body).Decode(&out)
		first <- out
	}()
	time.Sleep(100 * time.Millisecond)
	_ = getUpdates(t, srv, 0, 0)
	select {
	case r := <-first:
		if r.ErrorCode != 409 || !strings.Contains(r.Description, "terminated by other getUpdates request") {
			t.Errorf("superseded poll = %+v", r)
		}
	case <-time.After(wait):
		t.Fatal("superseded poll not answered")
	}
}

func BenchmarkSendMessage(b *testing.B) {
	srv := New()
	defer srv.Close()
	client, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
	if err != nil {
		b.Fatal(err)
	}
	var chat atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		id := 10_000 + chat.Add(1)
		for pb.Next() {
			if _, err := client.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: id, Text: "hello"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPollingDrain measures enqueueing b.N updates and draining them
// with getUpdates the way a hand-written polling loop does.
func BenchmarkPollingDrain(b *testing.B) {
	srv := New()
	defer srv.Close()
	u := User{ID: 7, FirstName: "Bench"}
	for range b.N {
		srv.SendText(u, "order")
	}
	endpoint := srv.URL() + "/bot" + srv.Token() + "/getUpdates"
	var offset int64
	got := 0
	for got < b.N {
		body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": 1, "limit": 100})
		resp, err := http.Post(endpoint, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			Result []models.Update `json:"result"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		for _, up := range out.Result {
			offset = up.ID + 1
		}
		got += len(out.Result)
	}
	if srv.Pending() != 0 {
		body, _ := json.Marshal(map[string]any{"offset": offset})
		resp, err := http.Post(endpoint, "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}
}
