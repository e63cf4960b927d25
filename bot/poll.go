package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/orderbot/orderbot/i18n"
)

// Poll serves updates by long polling until ctx ends, and runs the inbox's workers (Work)
// meanwhile. Telegram counts an update as delivered once getUpdates is called with an
// offset past it, so each batch is written to the inbox first and only then is the next
// offset asked for: an update is never confirmed before it is kept. A long poll stays open
// all the time, also while updates are being handled; one getUpdates per batch, never one
// per update. Each chat's updates are handled in order by its worker, chats in parallel,
// so a slow or flooding chat holds back nobody else. When the inbox cannot take a batch
// (the database is unavailable), the same batch is offered again with backoff; nothing is
// fetched twice meanwhile.
//
// Telegram serves one getUpdates consumer per bot, so one instance polls at a time: the
// others wait for the inbox's polling lock and meanwhile work updates from the inbox like
// any instance (retries, updates the polling instance left when it stopped).
func (b *Bot) Poll(ctx context.Context) error {
	if b.inbox == nil {
		return errors.New("bot: no inbox to serve updates from")
	}
	work := make(chan error, 1)
	go func() { work <- b.Work(ctx) }()
	defer func() { <-work }()
	for attempt := 1; ctx.Err() == nil; {
		lost, release, err := b.inbox.HoldPolling(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			d := backoff(b.cfg.RetryBase, min(b.cfg.RetryMax, 10*time.Second), attempt)
			attempt++
			b.log.WarnContext(ctx, "polling lock not taken, trying again", "retry_in", d, "err", err)
			_ = sleepCtx(ctx, d)
			continue
		}
		attempt = 1
		b.log.InfoContext(ctx, "polling for updates")
		pctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-lost:
				b.log.WarnContext(ctx, "polling lock lost: polling stops until it is taken again")
				cancel()
			case <-pctx.Done():
			}
		}()
		b.setSole(true)
		b.poll(pctx)
		b.setSole(false)
		cancel()
		release()
	}
	return nil
}

// setSole tells the dispatcher whether this process is the only one accepting updates.
func (b *Bot) setSole(sole bool) {
	b.disp.mu.Lock()
	b.disp.sole = sole
	b.disp.mu.Unlock()
}

// poll runs getUpdates and accepts what it gets until ctx ends.
func (b *Bot) poll(ctx context.Context) {
	var offset int64
	wait := time.Duration(0)
	for {
		if wait > 0 {
			if sleepCtx(ctx, wait) != nil {
				return
			}
		}
		us, err := b.getUpdates(ctx, offset, b.cfg.PollTimeout)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ra *retryAfterError
			if errors.As(err, &ra) {
				wait = ra.d
			} else {
				wait = backoff(b.cfg.RetryBase, min(b.cfg.RetryMax, 10*time.Second), b.pollFailures())
			}
			b.metrics.PollErrors.Inc()
			b.log.WarnContext(ctx, "get updates failed", "err", err, "retry_in", wait)
			continue
		}
		b.pollOK()
		wait = 0
		if len(us) == 0 {
			continue
		}
		for attempt := 1; ; attempt++ {
			err := b.accept(ctx, us, b.cfg.Lease)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return // not confirmed: Telegram hands them out again
			}
			d := backoff(b.cfg.RetryBase, min(b.cfg.RetryMax, 10*time.Second), attempt)
			b.log.ErrorContext(ctx, "updates not accepted, trying again", "updates", len(us), "retry_in", d, "err", err)
			if sleepCtx(ctx, d) != nil {
				return
			}
		}
		offset = us[len(us)-1].ID + 1
	}
}

// pollFailures and pollOK count getUpdates failures in a row.
func (b *Bot) pollFailures() int {
	b.pollFails++
	return b.pollFails
}

func (b *Bot) pollOK() { b.pollFails = 0 }

// accept writes updates to the inbox and starts their chats' workers. A chat over its
// backlog limit is told once to slow down.
//
// With lease > 0, an update that is its chat's next one (nothing else of the chat stored
// but the update its worker here is handling) is leased to this process as it is stored
// and handed to its chat's worker directly; the others wait in the inbox for their chat's
// worker, of this instance or another. Callers accept one batch at a time (the polling
// loop; webhook deliveries through b.accepts): held and hand rely on it.
func (b *Bot) accept(ctx context.Context, us []InboxUpdate, lease time.Duration) error {
	if b.inbox == nil {
		return errors.New("bot: no inbox")
	}
	var held []int64
	if lease > 0 {
		held = b.disp.held()
		defer b.disp.accepted()
	}
	acc, err := b.inbox.Accept(ctx, us, b.cfg.MaxBacklog, lease, held)
	if err != nil {
		return err
	}
	dropped := 0
	for chat, n := range acc.Dropped {
		dropped += n
		b.log.WarnContext(ctx, "chat over its backlog limit: updates dropped", "chat", chat, "dropped", n)
	}
	b.metrics.Accepted.Add(float64(len(us) - dropped))
	b.metrics.Dropped.Add(float64(dropped))
	// A chat's worker starts with its taken update; chats with other updates stored (a
	// second one in the batch, or one behind those waiting) are signalled.
	taken := make(map[int64]bool, len(acc.Taken))
	for _, u := range acc.Taken {
		taken[u.ID] = true
	}
	b.disp.hand(acc.Taken)
	chats := make([]int64, 0, len(us))
	seen := make(map[int64]bool, len(us))
	for _, u := range us {
		if !seen[u.ChatID] && !taken[u.ID] {
			seen[u.ChatID] = true
			chats = append(chats, u.ChatID)
		}
	}
	b.disp.signal(chats...)
	for _, chat := range acc.SlowDown {
		lang := i18n.EN
		for _, u := range us {
			if u.ChatID == chat {
				lang = i18n.Lang(languageOf(u.Raw))
				break
			}
		}
		go b.slowDown(context.WithoutCancel(ctx), chat, lang)
	}
	return nil
}

func (b *Bot) slowDown(ctx context.Context, chat int64, lang string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := b.send(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: i18n.T(lang, "updates.slow_down")}); err != nil {
		b.log.WarnContext(ctx, "slow-down notice not sent", "chat", chat, "err", err)
	}
}

// updateHead is what the inbox needs of an update before handling it.
type updateHead struct {
	ID      int64 `json:"update_id"`
	Message *struct {
		Chat struct {
			ID int64 `json:"id"`
		} `json:"chat"`
		From *struct {
			LanguageCode string `json:"language_code"`
		} `json:"from"`
	} `json:"message"`
	CallbackQuery *struct {
		ID   string `json:"id"`
		From struct {
			ID           int64  `json:"id"`
			LanguageCode string `json:"language_code"`
		} `json:"from"`
		Message *struct {
			Chat struct {
				ID   int64  `json:"id"`
				Type string `json:"type"`
			} `json:"chat"`
		} `json:"message"`
	} `json:"callback_query"`
	MyChatMember *struct {
		Chat struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	} `json:"my_chat_member"`
}

// peek reads an update's id and chat (and a button press's callback query id) without
// decoding the rest.
func peek(raw []byte) (InboxUpdate, string, error) {
	var h updateHead
	if err := json.Unmarshal(raw, &h); err != nil {
		return InboxUpdate{}, "", fmt.Errorf("decode update: %w", err)
	}
	if h.ID <= 0 {
		return InboxUpdate{}, "", errors.New("decode update: no update_id")
	}
	u := InboxUpdate{ID: h.ID, Raw: raw}
	var cb string
	switch {
	case h.Message != nil:
		u.ChatID = h.Message.Chat.ID
	case h.CallbackQuery != nil:
		cb = h.CallbackQuery.ID
		u.ChatID = h.CallbackQuery.From.ID
		if h.CallbackQuery.Message != nil && h.CallbackQuery.Message.Chat.ID != 0 {
			u.ChatID = h.CallbackQuery.Message.Chat.ID
			if h.CallbackQuery.Message.Chat.Type != "" && h.CallbackQuery.Message.Chat.Type != "private" {
				cb = "" // a press in a group is answered by the worker, which may have words for it
			}
		}
	case h.MyChatMember != nil:
		u.ChatID = h.MyChatMember.Chat.ID
	}
	return u, cb, nil
}

// languageOf reads the language code of an update's sender.
func languageOf(raw []byte) string {
	var h updateHead
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	switch {
	case h.Message != nil && h.Message.From != nil:
		return h.Message.From.LanguageCode
	case h.CallbackQuery != nil:
		return h.CallbackQuery.From.LanguageCode
	}
	return ""
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
