package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
)

// GroupDesk is what the bot needs of the staff group; *orders.Group implements it.
type GroupDesk interface {
	Bind(ctx context.Context, a orders.Actor, chatID int64, title, lang string) (orders.StaffGroup, error)
	Unbind(ctx context.Context, a orders.Actor, chatID int64) (bool, error)
	Left(ctx context.Context, chatID int64) (bool, error)
	Migrated(ctx context.Context, from, to int64) (bool, error)
	ClaimCard(ctx context.Context, a orders.Actor, chatID int64, messageID int) (orders.CardClaim, error)
	Current(ctx context.Context) (orders.StaffGroup, error)
	SetLanguage(ctx context.Context, a orders.Actor, chatID int64, lang string) error
}

// Gate keeps the bot's own messages to a chat within Telegram's limits; *notify.GroupGate
// implements it (shared with the notifiers through Redis).
type Gate interface {
	Wait(ctx context.Context, chatID int64) error
}

func isGroup(c models.Chat) bool {
	return c.Type == models.ChatTypeGroup || c.Type == models.ChatTypeSupergroup
}

// handleGroup handles the updates of group chats: /bindgroup and /unbindgroup, the bot
// removed from a group, a group become a supergroup, and presses of the staff group's
// buttons. handled is false for every other update. Other messages in groups are ignored.
func (b *Bot) handleGroup(ctx context.Context, u *models.Update, out *sink) (handled bool, err error) {
	switch {
	case u.MyChatMember != nil:
		cm := u.MyChatMember
		if !isGroup(cm.Chat) {
			return true, nil
		}
		switch cm.NewChatMember.Type {
		case models.ChatMemberTypeLeft, models.ChatMemberTypeBanned:
			return true, b.groupLeft(ctx, cm.Chat.ID)
		}
		return true, nil
	case u.Message != nil && isGroup(u.Message.Chat):
		m := u.Message
		switch {
		case m.MigrateToChatID != 0:
			return true, b.groupMigrated(ctx, m.Chat.ID, m.MigrateToChatID)
		case m.LeftChatMember != nil && b.botID() != 0 && m.LeftChatMember.ID == b.botID():
			return true, b.groupLeft(ctx, m.Chat.ID)
		case m.From != nil && strings.HasPrefix(m.Text, "/"):
			cmd, ok := b.groupCommand(m.Text)
			if !ok {
				return true, nil
			}
			if cmd == "language" {
				return true, b.groupLanguage(ctx, m)
			}
			return true, b.groupBind(ctx, m, cmd)
		}
		return true, nil
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil && isGroup(u.CallbackQuery.Message.Message.Chat):
		return true, b.groupPress(ctx, u, out)
	}
	return false, nil
}

// botID is the bot's own user id: the number before the token's colon.
func (b *Bot) botID() int64 {
	id, _ := strconv.ParseInt(strings.SplitN(b.cfg.Token, ":", 2)[0], 10, 64)
	return id
}

// groupCommand reads a command sent in a group: "/bindgroup" or "/bindgroup@thisbot"; a
// command addressed to another bot (or another command) is not the bot's.
func (b *Bot) groupCommand(text string) (string, bool) {
	word, _, _ := strings.Cut(text[1:], " ")
	word, _, _ = strings.Cut(word, "\n")
	cmd, to, addressed := strings.Cut(word, "@")
	if addressed && b.cfg.Username != "" && !strings.EqualFold(to, b.cfg.Username) {
		return "", false
	}
	cmd = strings.ToLower(cmd)
	return cmd, cmd == "bindgroup" || cmd == "unbindgroup" || cmd == "language"
}

// DataGroupLanguage is the callback data of the buttons of /language in the staff group,
// followed by "en" or "zh".
const DataGroupLanguage = "m:gl:"

// languageWords are the names /language takes in the staff group, in both languages.
var languageWords = map[string]string{
	"en": "en", "english": "en", "英文": "en", "英语": "en",
	"zh": "zh", "cn": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "简体中文": "zh",
}

// groupLanguage answers /language in a group: in the staff group a manager names the
// language of the group's cards, or chooses it with buttons.
func (b *Bot) groupLanguage(ctx context.Context, m *models.Message) error {
	if b.group == nil {
		return nil
	}
	a, lang, err := b.staffActor(ctx, *m.From)
	if err != nil {
		return err
	}
	g, err := b.group.Current(ctx)
	if errors.Is(err, orders.ErrNotFound) || (err == nil && g.ChatID != m.Chat.ID) {
		return b.sayInGroup(ctx, m.Chat.ID, i18n.T(lang, "group.language.not_bound"))
	} else if err != nil {
		return err
	}
	if !a.May(orders.ActBindGroup) {
		return b.sayInGroup(ctx, m.Chat.ID, i18n.T(lang, "group.language.managers_only"))
	}
	_, args, _ := strings.Cut(strings.TrimSpace(m.Text), " ")
	choice, ok := languageWords[strings.ToLower(strings.TrimSpace(args))]
	if !ok {
		kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
			{Text: "中文", CallbackData: DataGroupLanguage + "zh"}, {Text: "English", CallbackData: DataGroupLanguage + "en"}}}}
		return b.sayInGroupWith(ctx, m.Chat.ID, i18n.T(i18n.Normalize(g.Language), "group.language.choose"), kb)
	}
	return b.setGroupLanguage(ctx, a, m.Chat.ID, choice)
}

// setGroupLanguage sets the language of the staff group's cards and says so in the group,
// in that language.
func (b *Bot) setGroupLanguage(ctx context.Context, a orders.Actor, chatID int64, lang string) error {
	if err := b.group.SetLanguage(ctx, a, chatID, lang); err != nil {
		return err
	}
	b.log.InfoContext(ctx, "staff group language set", "chat", chatID, "language", lang, "by", a.String())
	return b.sayInGroup(ctx, chatID, i18n.T(lang, "group.language.set"))
}

// groupLanguagePress handles a press of /language's buttons in the group (staff only).
func (b *Bot) groupLanguagePress(ctx context.Context, q *models.CallbackQuery, a orders.Actor, lang string) error {
	msg := q.Message.Message
	choice := strings.TrimPrefix(q.Data, DataGroupLanguage)
	if b.group == nil || (choice != "en" && choice != "zh") {
		return b.answerPress(ctx, q.ID, "", false)
	}
	err := b.setGroupLanguage(ctx, a, msg.Chat.ID, choice)
	switch {
	case errors.Is(err, orders.ErrForbidden):
		return b.answerPress(ctx, q.ID, i18n.T(lang, "group.language.managers_only"), true)
	case errors.Is(err, orders.ErrNotFound):
		return b.answerPress(ctx, q.ID, i18n.T(lang, "group.language.not_bound"), true)
	case err != nil:
		return err
	}
	return b.answerPress(ctx, q.ID, "", false)
}

// staffActor returns the user's actor: staff, or a customer.
func (b *Bot) staffActor(ctx context.Context, f models.User) (orders.Actor, string, error) {
	lang := i18n.Normalize(f.LanguageCode)
	st, err := b.staff.Staff(ctx, f.ID)
	switch {
	case errors.Is(err, orders.ErrNotFound):
		return orders.CustomerActor(f.ID), lang, nil
	case err != nil:
		return orders.Actor{}, "", fmt.Errorf("look up staff: %w", err)
	case !st.Active:
		return orders.CustomerActor(f.ID), lang, nil
	}
	if st.Language != "" {
		lang = i18n.Normalize(st.Language)
	}
	return orders.StaffActor(st), lang, nil
}

func (b *Bot) groupBind(ctx context.Context, m *models.Message, cmd string) error {
	if b.group == nil {
		return nil
	}
	a, lang, err := b.staffActor(ctx, *m.From)
	if err != nil {
		return err
	}
	var key string
	if cmd == "bindgroup" {
		cur, cerr := b.group.Current(ctx)
		_, err = b.group.Bind(ctx, a, m.Chat.ID, m.Chat.Title, lang)
		switch {
		case err == nil && cerr == nil && cur.ChatID == m.Chat.ID:
			key = "group.rebound"
		case err == nil:
			key = "group.bound"
			b.log.InfoContext(ctx, "staff group bound", "chat", m.Chat.ID, "by", a.String())
		}
	} else {
		var was bool
		was, err = b.group.Unbind(ctx, a, m.Chat.ID)
		switch {
		case err == nil && was:
			key = "group.unbound"
			b.log.InfoContext(ctx, "staff group unbound", "chat", m.Chat.ID, "by", a.String())
		case err == nil:
			key = "group.not_bound"
		}
	}
	if errors.Is(err, orders.ErrForbidden) {
		key, err = "group.managers_only", nil
	}
	if err != nil {
		return err
	}
	return b.sayInGroup(ctx, m.Chat.ID, i18n.T(lang, key))
}

// sayInGroup sends a message to a group chat within the group's limits.
func (b *Bot) sayInGroup(ctx context.Context, chatID int64, text string) error {
	return b.sayInGroupWith(ctx, chatID, text, nil)
}

// sayInGroupWith sends a message with buttons (kb, nil: none) to a group chat within the
// group's limits.
func (b *Bot) sayInGroupWith(ctx context.Context, chatID int64, text string, kb *models.InlineKeyboardMarkup) error {
	if b.gate != nil {
		if err := b.gate.Wait(ctx, chatID); err != nil {
			return err
		}
	}
	p := &tgbot.SendMessageParams{ChatID: chatID, Text: text}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	return b.send(ctx, p)
}

func (b *Bot) groupLeft(ctx context.Context, chatID int64) error {
	if b.group == nil {
		return nil
	}
	was, err := b.group.Left(ctx, chatID)
	if err == nil && was {
		b.log.WarnContext(ctx, "the bot left the staff group: cards go to staff privately again", "chat", chatID)
	}
	return err
}

func (b *Bot) groupMigrated(ctx context.Context, from, to int64) error {
	if b.group == nil {
		return nil
	}
	was, err := b.group.Migrated(ctx, from, to)
	if err == nil && was {
		b.log.InfoContext(ctx, "the staff group became a supergroup", "from", from, "to", to)
	}
	return err
}

// groupPress handles a button pressed in a group. Only staff may press: anyone else is
// told so by the answer to the press, and nothing changes. Claim is handled here (first
// press owns the card, which is edited to say who); every other button acts as in the
// presser's private chat with the bot, where the dialog goes on.
func (b *Bot) groupPress(ctx context.Context, u *models.Update, out *sink) error {
	q := u.CallbackQuery
	msg := q.Message.Message
	a, lang, err := b.staffActor(ctx, q.From)
	if err != nil {
		return err
	}
	if a.Kind != orders.ActorStaff {
		b.log.InfoContext(ctx, "a press in a group by someone not staff refused", "chat", msg.Chat.ID)
		return b.answerPress(ctx, q.ID, i18n.T(lang, "group.staff_only"), true)
	}
	if q.Data == notify.DataCardClaim {
		return b.claimCard(ctx, q, a, lang)
	}
	if strings.HasPrefix(q.Data, DataGroupLanguage) {
		return b.groupLanguagePress(ctx, q, a, lang)
	}
	role := conversation.RoleRep
	if a.Role == orders.RoleManager {
		role = conversation.RoleManager
	}
	cu := conversation.Update{Key: "cb:" + q.ID, User: user(&q.From, q.From.ID),
		Input: conversation.Input{Kind: conversation.InputButton, Data: q.Data}}
	cu.User.Role = role
	if err := b.handler.Handle(ctx, cu, out); err != nil {
		return err
	}
	return b.answerPress(ctx, q.ID, i18n.T(lang, "group.in_private"), false)
}

// claimCard gives the card to the first staff member who presses Claim and edits it to
// say who; a later press is told who has it.
func (b *Bot) claimCard(ctx context.Context, q *models.CallbackQuery, a orders.Actor, lang string) error {
	msg := q.Message.Message
	if b.group == nil {
		return b.answerPress(ctx, q.ID, "", false)
	}
	c, err := b.group.ClaimCard(ctx, a, msg.Chat.ID, msg.ID)
	if errors.Is(err, orders.ErrCardClaimed) {
		return b.answerPress(ctx, q.ID, i18n.T(lang, "group.already", c.StaffName), true)
	}
	if errors.Is(err, orders.ErrManagersDecide) {
		return b.answerPress(ctx, q.ID, i18n.T(lang, "group.managers_decide"), true)
	}
	if err != nil {
		return err
	}
	glang := lang
	if g, err := b.group.Current(ctx); err == nil && g.ChatID == msg.Chat.ID && g.Language != "" {
		glang = g.Language
	}
	text := msg.Text + "\n" + i18n.T(glang, "group.claimed_by", c.StaffName)
	p := &tgbot.EditMessageTextParams{ChatID: msg.Chat.ID, MessageID: msg.ID, Text: text}
	if kb := withoutClaim(msg.ReplyMarkup); kb != nil {
		p.ReplyMarkup = kb
	}
	if b.gate != nil {
		if err := b.gate.Wait(ctx, msg.Chat.ID); err != nil {
			return err
		}
	}
	if _, err := b.api.EditMessageText(ctx, p); err != nil && !strings.Contains(err.Error(), "message is not modified") {
		return fmt.Errorf("editMessageText: %w", redact(err, b.cfg.Token))
	}
	b.log.InfoContext(ctx, "card claimed", "chat", msg.Chat.ID, "message", msg.ID, "by", a.String(), "kind", c.Kind,
		"order", c.Number, "assigned", len(c.Assigned), "change", c.ChangeID)
	return b.answerPress(ctx, q.ID, i18n.T(lang, "group.you_claimed"), false)
}

// withoutClaim is the card's keyboard without its Claim button; nil when nothing is left.
func withoutClaim(kb *models.InlineKeyboardMarkup) *models.InlineKeyboardMarkup {
	if kb == nil {
		return nil
	}
	var rows [][]models.InlineKeyboardButton
	for _, row := range kb.InlineKeyboard {
		var keep []models.InlineKeyboardButton
		for _, btn := range row {
			if btn.CallbackData != notify.DataCardClaim {
				keep = append(keep, btn)
			}
		}
		if len(keep) > 0 {
			rows = append(rows, keep)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// answerPress answers a button press in a group, with words (alert: in a dialog box).
func (b *Bot) answerPress(ctx context.Context, id, text string, alert bool) error {
	if _, err := b.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text, ShowAlert: alert}); err != nil {
		b.log.WarnContext(ctx, "answer callback query", "err", err)
	}
	return nil
}
