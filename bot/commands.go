package bot

import (
	"context"
	"fmt"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/orderbot/orderbot/i18n"
)

// Commands in each role's menu, in menu order.
var (
	customerCommands = []string{"neworder", "myorders", "status", "complain", "cancel", "language", "help", "start"}
	// groupCommands are offered to the administrators of groups: a manager binds the staff
	// group there and sets the language of its cards.
	groupCommands = []string{"bindgroup", "unbindgroup", "language"}
	// groupDescriptions are the group menu's own words for a command that means something
	// else in a private chat.
	groupDescriptions = map[string]string{"language": "cmd.group_language"}
	staffCommands     = []string{"orders", "find", "status", "report", "export", "complaints", "neworder", "invite", "groupcopies", "cancel", "language", "help", "start"}
)

func commandList(lang string, names []string, descriptions map[string]string) []models.BotCommand {
	out := make([]models.BotCommand, len(names))
	for i, n := range names {
		key := "cmd." + n
		if k, ok := descriptions[n]; ok {
			key = k
		}
		out[i] = models.BotCommand{Command: n, Description: i18n.T(lang, key)}
	}
	return out
}

// SetCommands registers the command menus with Telegram: the customers' for every private
// chat, /bindgroup, /unbindgroup and the group's /language for the administrators of
// groups, and the staff's for each active staff member's chat, each in English (the
// default) and Chinese.
func (b *Bot) SetCommands(ctx context.Context) error {
	staff, err := b.staff.ListStaff(ctx, true)
	if err != nil {
		return err
	}
	type menu struct {
		scope        models.BotCommandScope
		names        []string
		descriptions map[string]string
	}
	menus := []menu{{&models.BotCommandScopeAllPrivateChats{}, customerCommands, nil},
		{&models.BotCommandScopeAllChatAdministrators{}, groupCommands, groupDescriptions}}
	for _, s := range staff {
		menus = append(menus, menu{&models.BotCommandScopeChat{ChatID: s.TelegramID}, staffCommands, nil})
	}
	for _, m := range menus {
		for _, lang := range []string{i18n.EN, i18n.ZH} {
			code := ""
			if lang == i18n.ZH {
				code = "zh"
			}
			if _, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
				Commands: commandList(lang, m.names, m.descriptions), Scope: m.scope, LanguageCode: code,
			}); err != nil {
				return fmt.Errorf("setMyCommands: %w", redact(err, b.cfg.Token))
			}
		}
	}
	return nil
}
