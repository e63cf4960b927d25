package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/orderbot/orderbot/notify"
)

var _ notify.Sender = (*Bot)(nil)

// SendNotice sends a notification to the chat and returns its message id. It sends once:
// retries, rate limits and a 429's retry_after are notify's business, told by the error's
// methods (see notify.Sender).
func (b *Bot) SendNotice(ctx context.Context, chatID int64, m notify.Message) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sendMessage: %w", err) // not sent: nothing left
	}
	if m.File != nil {
		return b.sendNoticeFile(ctx, chatID, m)
	}
	p := &tgbot.SendMessageParams{ChatID: chatID, Text: m.Text}
	if kb := inlineKeyboard(m.Buttons); kb != nil {
		p.ReplyMarkup = kb
	}
	ctx, written := traceWrite(ctx)
	msg, err := b.api.SendMessage(ctx, p)
	if to, ok, merr := b.followMigration(ctx, chatID, err); merr != nil {
		return 0, b.noticeError("sendMessage", merr)
	} else if ok {
		p.ChatID = to
		msg, err = b.api.SendMessage(ctx, p)
	}
	if err != nil {
		return 0, b.noticeError("sendMessage", unwritten(err, written))
	}
	b.metrics.Sends.WithLabelValues("ok").Inc()
	return msg.ID, nil
}

// EditNotice replaces the text and buttons of a notification sent earlier; without buttons
// the keyboard is removed. Editing a message to what it already says succeeds.
func (b *Bot) EditNotice(ctx context.Context, chatID int64, messageID int, m notify.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("editMessageText: %w", err)
	}
	p := &tgbot.EditMessageTextParams{ChatID: chatID, MessageID: messageID, Text: m.Text}
	if kb := inlineKeyboard(m.Buttons); kb != nil {
		p.ReplyMarkup = kb
	}
	ctx, written := traceWrite(ctx)
	_, err := b.api.EditMessageText(ctx, p)
	if _, ok, merr := b.followMigration(ctx, chatID, err); merr != nil {
		return b.noticeError("editMessageText", merr)
	} else if ok {
		// A message of the group before it became a supergroup stays there: it cannot be
		// edited any more (what was sent after the migration is edited in the new chat).
		return b.noticeError("editMessageText", err)
	}
	if err != nil {
		if errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified") {
			return nil
		}
		return b.noticeError("editMessageText", unwritten(err, written))
	}
	b.metrics.Sends.WithLabelValues("ok").Inc()
	return nil
}

// followMigration follows a group that became a supergroup when err says so (Telegram
// answers 400 with migrate_to_chat_id; the update saying so may not have come yet): the
// staff group's binding and its unsent cards move to the new chat id, returned with ok.
func (b *Bot) followMigration(ctx context.Context, chatID int64, err error) (int64, bool, error) {
	var moved *tgbot.MigrateError
	if !errors.As(err, &moved) || moved.MigrateToChatID == 0 || chatID >= 0 {
		return 0, false, nil
	}
	to := int64(moved.MigrateToChatID)
	if merr := b.groupMigrated(ctx, chatID, to); merr != nil {
		return 0, false, merr
	}
	return to, true, nil
}

// noticeError turns an error of the Telegram client into one notify understands, with the
// token removed from its text.
func (b *Bot) noticeError(method string, err error) error {
	msg := fmt.Errorf("%s: %w", method, redact(err, b.cfg.Token))
	var tooMany *tgbot.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		b.metrics.Sends.WithLabelValues("throttled").Inc()
		return &throttledError{err: msg, after: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second}
	case errors.Is(err, tgbot.ErrorForbidden):
		b.metrics.Sends.WithLabelValues("forbidden").Inc()
		return &blockedError{err: msg}
	case errors.Is(err, tgbot.ErrorBadRequest), tgbot.IsMigrateError(err):
		b.metrics.Sends.WithLabelValues("bad_request").Inc()
		return &refusedError{err: msg}
	}
	b.metrics.Sends.WithLabelValues("error").Inc()
	var nw *notWrittenError
	if answered(err) || notConnected(err) || errors.As(err, &nw) {
		return msg // not sent: a retry may succeed
	}
	return &unansweredError{err: msg}
}

// traceWrite returns ctx with a trace of the HTTP request made with it: written reports
// whether the whole request left for Telegram. A request that failed before that — no
// connection, a failed TLS handshake, an error while writing — did not send anything:
// Telegram acts on a request only once it has all of it.
func traceWrite(ctx context.Context) (context.Context, *atomic.Bool) {
	written := new(atomic.Bool)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				written.Store(true)
			}
		},
	}), written
}

// unwritten marks err as the failure of a request that never left whole, when the trace
// says so.
func unwritten(err error, written *atomic.Bool) error {
	if written.Load() {
		return err
	}
	return &notWrittenError{err: err}
}

// notWrittenError is the error of a request that failed before it was written whole:
// not sent.
type notWrittenError struct{ err error }

func (e *notWrittenError) Error() string { return e.err.Error() }
func (e *notWrittenError) Unwrap() error { return e.err }

// answered reports whether Telegram answered with an error (the library's errors for
// error answers), so the message was not sent.
func answered(err error) bool {
	for _, e := range []error{tgbot.ErrorUnauthorized, tgbot.ErrorNotFound, tgbot.ErrorConflict, tgbot.ErrorTooManyRequests} {
		if errors.Is(err, e) {
			return true
		}
	}
	return strings.Contains(err.Error(), "error response from telegram")
}

// notConnected reports whether the request failed before any byte of it left: no
// connection could be made.
func notConnected(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// throttledError is a 429: not sent, try again after RetryAfter.
type throttledError struct {
	err   error
	after time.Duration
}

func (e *throttledError) Error() string             { return e.err.Error() }
func (e *throttledError) Unwrap() error             { return e.err }
func (e *throttledError) RetryAfter() time.Duration { return e.after }

// blockedError is a 403: the user blocked the bot (or it was removed from the group).
type blockedError struct{ err error }

func (e *blockedError) Error() string { return e.err.Error() }
func (e *blockedError) Unwrap() error { return e.err }
func (e *blockedError) Blocked() bool { return true }

// refusedError is a 400: the request is wrong and will stay wrong.
type refusedError struct{ err error }

func (e *refusedError) Error() string   { return e.err.Error() }
func (e *refusedError) Unwrap() error   { return e.err }
func (e *refusedError) Permanent() bool { return true }

// unansweredError is a request without an answer: it may have reached Telegram.
type unansweredError struct{ err error }

func (e *unansweredError) Error() string   { return e.err.Error() }
func (e *unansweredError) Unwrap() error   { return e.err }
func (e *unansweredError) MaybeSent() bool { return true }
