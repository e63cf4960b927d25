package bot

import (
	"context"
	"fmt"

	tgbot "github.com/go-telegram/bot"
)

// Username asks Telegram (getMe) for the bot's @username, which links to the bot need
// (t.me/<username>?start=…).
func Username(ctx context.Context, token, apiURL string) (string, error) {
	api, err := tgbot.New(token, tgbot.WithServerURL(apiURL), tgbot.WithSkipGetMe())
	if err != nil {
		return "", fmt.Errorf("bot: %w", redact(err, token))
	}
	me, err := api.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("getMe: %w", redact(err, token))
	}
	return me.Username, nil
}
