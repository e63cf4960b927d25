package bot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/orders"
)

// allowedUpdates are the updates the bot asks Telegram for: my_chat_member tells it when it
// is removed from the staff group.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// convert turns a Telegram update into a conversation update. ok is false for updates the
// bot does not act on (edits, group chats, channel posts …).
func convert(u *models.Update) (cu conversation.Update, kind string, ok bool) {
	switch {
	case u.Message != nil:
		m := u.Message
		if m.From == nil || m.Chat.Type != models.ChatTypePrivate {
			return cu, "other", false
		}
		cu.Key = "u:" + strconv.FormatInt(u.ID, 10)
		cu.User = user(m.From, m.Chat.ID)
		switch {
		case m.Contact != nil:
			cu.Input = conversation.Input{Kind: conversation.InputContact, Phone: m.Contact.PhoneNumber}
			return cu, "contact", true
		case m.Location != nil:
			cu.Input = conversation.Input{Kind: conversation.InputLocation, Lat: m.Location.Latitude, Lon: m.Location.Longitude}
			return cu, "location", true
		case len(m.Photo) > 0:
			// The largest size comes last; the caption is the words.
			cu.Input = conversation.Input{Kind: conversation.InputPhoto, Photo: m.Photo[len(m.Photo)-1].FileID, Text: m.Caption}
			return cu, "photo", true
		case strings.HasPrefix(m.Text, "/"):
			cmd, args, _ := strings.Cut(m.Text[1:], " ")
			cmd, _, _ = strings.Cut(cmd, "@")
			cu.Input = conversation.Input{Kind: conversation.InputCommand, Text: m.Text,
				Command: strings.ToLower(cmd), Args: strings.TrimSpace(args)}
			return cu, "command", true
		default:
			cu.Input = conversation.Input{Kind: conversation.InputText, Text: m.Text}
			return cu, "text", true
		}
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		chat := q.From.ID
		if q.Message.Message != nil {
			if q.Message.Message.Chat.Type != models.ChatTypePrivate {
				return cu, "other", false
			}
			chat = q.Message.Message.Chat.ID
		}
		cu.Key = "cb:" + q.ID
		cu.User = user(&q.From, chat)
		cu.Input = conversation.Input{Kind: conversation.InputButton, Data: q.Data}
		return cu, "callback", true
	}
	return cu, "other", false
}

func user(f *models.User, chat int64) conversation.User {
	name := strings.TrimSpace(f.FirstName + " " + f.LastName)
	return conversation.User{ID: f.ID, ChatID: chat, Name: name, LanguageCode: f.LanguageCode}
}

// handleUpdate handles one update; a button's callback query is answered with a call of
// its own when answer is true (a webhook answers it in its response instead).
func (b *Bot) handleUpdate(ctx context.Context, u *models.Update, answer bool, out *sink) error {
	start := time.Now()
	if handled, err := b.handleGroup(ctx, u, out); handled {
		b.metrics.Updates.WithLabelValues("group").Inc()
		b.metrics.Latency.Observe(time.Since(start).Seconds())
		if err != nil {
			b.metrics.Errors.WithLabelValues("group").Inc()
			return fmt.Errorf("update %d: %w", u.ID, err)
		}
		return nil
	}
	cu, kind, ok := convert(u)
	if !ok {
		b.log.DebugContext(ctx, "update ignored", "update_id", u.ID)
		b.metrics.Updates.WithLabelValues(kind).Inc()
		return nil
	}
	role, err := b.role(ctx, cu.User.ID)
	if err == nil {
		cu.User.Role = role
		err = b.handler.Handle(ctx, cu, out)
		if cu.Input.Command == "start" && orders.IsInvite(cu.Input.Args) {
			b.forgetRole(cu.User.ID) // an invitation may have made them staff
		}
	}
	if answer && u.CallbackQuery != nil && (err == nil || ctx.Err() == nil) {
		// Stop the button's spinner; harmless when repeated.
		if aerr := b.call(ctx, "answerCallbackQuery", &tgbot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID}, nil); aerr != nil {
			b.log.WarnContext(ctx, "answer callback query", "err", aerr)
		}
	}
	b.metrics.Updates.WithLabelValues(kind).Inc()
	b.metrics.Latency.Observe(time.Since(start).Seconds())
	if err != nil {
		b.metrics.Errors.WithLabelValues(kind).Inc()
		return fmt.Errorf("update %d: %w", u.ID, err)
	}
	return nil
}

type getUpdatesRequest struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit,omitempty"`
	Timeout        int      `json:"timeout"`
	AllowedUpdates []string `json:"allowed_updates"`
}

type apiResponse struct {
	apiStatus
	Result json.RawMessage `json:"result"`
}

// apiStatus is an answer of the Bot API without its result: what a call that wants no
// result reads (decoding skips the result without copying it).
type apiStatus struct {
	OK          bool   `json:"ok"`
	Description string `json:"description"`
	ErrorCode   int    `json:"error_code"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after"`
		MigrateToChatID int `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// readBody reads the body of resp, up to limit bytes, into one buffer of the size the
// answer announced (Telegram sends Content-Length) rather than in growing copies.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= limit {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

// getUpdates asks for updates from offset, waiting up to timeout for one. Asking with an
// offset confirms every update before it, so it is called only once those are in the
// inbox.
func (b *Bot) getUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]InboxUpdate, error) {
	body, _ := json.Marshal(getUpdatesRequest{Offset: offset, Limit: 100, Timeout: int(timeout.Seconds()),
		AllowedUpdates: allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		b.cfg.APIURL+"/bot"+b.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, redact(err, b.cfg.Token)
	}
	defer resp.Body.Close()
	raw, err := readBody(resp, 64<<20)
	if err != nil {
		return nil, redact(err, b.cfg.Token)
	}
	raws, fast := splitResult(raw)
	if !fast {
		var r apiResponse
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("getUpdates: HTTP %d: undecodable answer", resp.StatusCode)
		}
		if !r.OK {
			if r.Parameters.RetryAfter > 0 {
				return nil, &retryAfterError{time.Duration(r.Parameters.RetryAfter) * time.Second, r.Description}
			}
			return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
		}
		if err := json.Unmarshal(r.Result, &raws); err != nil {
			return nil, fmt.Errorf("getUpdates: decode updates: %w", err)
		}
	}
	us := make([]InboxUpdate, 0, len(raws))
	for _, raw := range raws {
		u, _, err := peek(raw)
		if err != nil {
			return nil, fmt.Errorf("getUpdates: %w", err)
		}
		us = append(us, u)
	}
	return us, nil
}

type retryAfterError struct {
	d    time.Duration
	desc string
}

func (e *retryAfterError) Error() string { return "getUpdates: " + e.desc }

// redact removes the token from an error (URLs in net/http errors carry it).
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}

// WebhookHandler serves Telegram's webhook calls: a request without the right secret
// token gets 401 and is not handled. An update is written to the inbox (together with the
// deliveries that arrive meanwhile) and then answered 200 (a chat over its backlog limit has it dropped, and is told once to slow down); the
// inbox's workers handle it (run Work). Only when the inbox cannot take it (the database
// is unavailable) the answer is 503, so that Telegram delivers it again. The 200 of a
// button press carries the answer to its callback query as a method call, which Telegram
// makes for the bot: one request fewer per press.
func (b *Bot) WebhookHandler() http.Handler {
	secret := []byte(b.cfg.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			b.metrics.Rejected.Inc()
			b.log.WarnContext(r.Context(), "webhook request with a wrong secret token rejected", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		in, cb, err := peek(raw)
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		// Concurrent deliveries are written in one statement and one commit (a group
		// commit): under load the inbox costs a fraction of a disk flush per update.
		if _, err := b.accepts.Do(in); err != nil {
			b.log.ErrorContext(r.Context(), "update not accepted", "update_id", in.ID, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if cb == "" {
			w.WriteHeader(http.StatusOK)
			return
		}
		body, _ := json.Marshal(callbackAnswer{Method: "answerCallbackQuery", CallbackQueryID: cb})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// callbackAnswer is a webhook response that makes Telegram answer a callback query.
type callbackAnswer struct {
	Method          string `json:"method"`
	CallbackQueryID string `json:"callback_query_id"`
}

// SetWebhook registers the webhook URL and secret with Telegram.
func (b *Bot) SetWebhook(ctx context.Context) error {
	_, err := b.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
		URL: b.cfg.WebhookURL, SecretToken: b.cfg.WebhookSecret,
		AllowedUpdates: allowedUpdates, MaxConnections: 40,
	})
	if err != nil {
		return fmt.Errorf("setWebhook: %w", redact(err, b.cfg.Token))
	}
	return nil
}

// DeleteWebhook removes the webhook, so that polling works.
func (b *Bot) DeleteWebhook(ctx context.Context) error {
	if _, err := b.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("deleteWebhook: %w", redact(err, b.cfg.Token))
	}
	return nil
}

// graceful returns a context for handling updates that outlives ctx by the shutdown grace
// period, so that updates in flight when a shutdown starts are finished. One cut off
// stays unconfirmed and is delivered again after the restart. Call cancel when done.
func (b *Bot) graceful(ctx context.Context) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(b.cfg.ShutdownGrace, cancel)
		context.AfterFunc(hctx, func() { t.Stop() })
	})
	return hctx, func() { stop(); cancel() }
}
