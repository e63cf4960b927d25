package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/notify"
)

// sink sends a conversation's replies to Telegram, in order. The first skip messages were
// delivered by an earlier attempt at the same update (its replies are the same each time)
// and are not sent again; sent counts the messages this attempt delivered.
type sink struct {
	b    *Bot
	skip int
	sent int
}

func (s *sink) Deliver(ctx context.Context, replies []conversation.Reply) error {
	n := 0 // messages of the replies so far
	for _, r := range coalesce(replies) {
		if r.File != nil {
			if n++; n <= s.skip {
				continue
			}
			if err := s.b.sendReplyFile(ctx, r); err != nil {
				return err
			}
			s.sent++
			continue
		}
		for _, p := range render(r) {
			if n++; n <= s.skip {
				continue
			}
			if err := s.b.send(ctx, p); err != nil {
				return err
			}
			s.sent++
		}
	}
	return nil
}

// maxText is the longest message text Telegram accepts, in UTF-16 code units; counting
// bytes is stricter.
const maxText = 4096

// coalesce sends a step's replies in as few messages as Telegram allows, since each message
// counts against Telegram's limits on what a bot may send: a reply that carries no buttons
// and no keyboard change is sent in one message with the next reply to the chat (texts a
// blank line apart), and a reply that removes the keyboard under the text field does not
// when the next one puts another there anyway.
func coalesce(rs []conversation.Reply) []conversation.Reply {
	if len(rs) < 2 {
		return rs
	}
	out := make([]conversation.Reply, 0, len(rs))
	for _, r := range rs {
		if len(out) == 0 {
			out = append(out, r)
			continue
		}
		prev := &out[len(out)-1]
		if prev.ChatID != r.ChatID {
			out = append(out, r)
			continue
		}
		if prev.Keyboard == conversation.RemoveKeyboard &&
			(r.Keyboard == conversation.RequestContact || r.Keyboard == conversation.RequestLocation) {
			prev.Keyboard = conversation.KeepKeyboard
		}
		if len(prev.Buttons) == 0 && prev.Keyboard == conversation.KeepKeyboard && prev.File == nil &&
			r.File == nil && len(prev.Text)+2+len(r.Text) <= maxText {
			r.Text = prev.Text + "\n\n" + r.Text
			*prev = r
			continue
		}
		out = append(out, r)
	}
	return out
}

// render turns a reply into messages. Telegram attaches one keyboard to a message: a reply
// with inline buttons and a contact or location button becomes two messages.
func render(r conversation.Reply) []*tgbot.SendMessageParams {
	p := &tgbot.SendMessageParams{ChatID: r.ChatID, Text: r.Text}
	if len(r.Buttons) > 0 {
		p.ReplyMarkup = inlineKeyboard(r.Buttons)
	}
	out := []*tgbot.SendMessageParams{p}
	var kb models.ReplyMarkup
	switch r.Keyboard {
	case conversation.RequestContact, conversation.RequestLocation:
		kb = &models.ReplyKeyboardMarkup{
			Keyboard: [][]models.KeyboardButton{{{
				Text:            r.KeyboardText,
				RequestContact:  r.Keyboard == conversation.RequestContact,
				RequestLocation: r.Keyboard == conversation.RequestLocation,
			}}},
			ResizeKeyboard: true, OneTimeKeyboard: true,
		}
	case conversation.RemoveKeyboard:
		kb = &models.ReplyKeyboardRemove{RemoveKeyboard: true}
	}
	switch {
	case kb == nil:
	case p.ReplyMarkup == nil:
		p.ReplyMarkup = kb
	default:
		out = append(out, &tgbot.SendMessageParams{ChatID: r.ChatID, Text: "⬇️", ReplyMarkup: kb})
	}
	return out
}

// inlineKeyboard renders rows of buttons, a reply's or a notice's, as an inline keyboard;
// nil when there are none.
func inlineKeyboard[B conversation.Button | notify.Button](rows [][]B) *models.InlineKeyboardMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := make([][]models.InlineKeyboardButton, len(rows))
	for i, row := range rows {
		kb[i] = make([]models.InlineKeyboardButton, len(row))
		for j, b := range row {
			btn := conversation.Button(b)
			kb[i][j] = models.InlineKeyboardButton{Text: btn.Text, CallbackData: btn.Data}
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// send sends one message, waiting out Telegram's 429 answers (retry_after) a few times.
func (b *Bot) send(ctx context.Context, p *tgbot.SendMessageParams) error {
	return b.retry(ctx, "sendMessage", func() error {
		return b.call(ctx, "sendMessage", p, nil)
	})
}

// retry makes one call of a reply's method, each attempt after a token of the shared rate
// limit (LimitReplies), waiting out Telegram's 429 answers (retry_after) a few times.
func (b *Bot) retry(ctx context.Context, method string, call func() error) error {
	for attempt := 0; ; attempt++ {
		if b.replies != nil {
			if err := b.replies.WaitReply(ctx); err != nil {
				return fmt.Errorf("%s: rate limit: %w", method, err)
			}
		}
		err := call()
		if err == nil {
			b.metrics.Sends.WithLabelValues("ok").Inc()
			return nil
		}
		var tooMany *tgbot.TooManyRequestsError
		if !errors.As(err, &tooMany) || attempt >= 3 {
			b.metrics.Sends.WithLabelValues(sendResult(err)).Inc()
			return fmt.Errorf("%s: %w", method, redact(err, b.cfg.Token))
		}
		b.metrics.Sends.WithLabelValues("throttled").Inc()
		wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		b.log.WarnContext(ctx, "telegram asked to slow down", "retry_after", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func sendResult(err error) string {
	switch {
	case errors.Is(err, tgbot.ErrorForbidden):
		return "forbidden"
	case errors.Is(err, tgbot.ErrorBadRequest):
		return "bad_request"
	}
	return "error"
}
