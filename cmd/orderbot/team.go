package main

import (
	"context"
	"fmt"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/orders"
)

// staffInvite prints a one-time link that makes whoever taps it staff: the same link a
// manager gets with /invite in the chat.
func (a *app) staffInvite(ctx context.Context, args []string) error {
	fs := a.flags("staff invite", "orderbot staff invite --role rep|manager [--bot USERNAME]\n\n"+
		"Prints a one-time invitation link (24 hours) that makes whoever taps it staff.\n"+
		"The bot's username comes from Telegram when TELEGRAM_BOT_TOKEN is set, or from --bot.")
	role := fs.String("role", "rep", "rep or manager")
	username := fs.String("bot", "", "the bot's @username (without @)")
	if done, err := parse(fs, args); done {
		return err
	}
	if *username == "" && a.cfg.Token != "" {
		name, err := bot.Username(ctx, a.cfg.Token, a.cfg.APIURL)
		if err != nil {
			return fmt.Errorf("the bot's username: %w (or pass --bot USERNAME)", err)
		}
		*username = name
	}
	if _, err := a.openStore(ctx, true); err != nil {
		return err
	}
	token, expires, err := orders.NewTeam(a.store, nil, a.log).Invite(ctx, orders.Operator, orders.Role(*role))
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Invitation for one %s, valid until %s:\n", *role, expires.In(a.cfg.Location).Format("2006-01-02 15:04 MST"))
	if *username == "" {
		fmt.Fprintf(a.stdout, "/start %s\n(send this to the bot; with --bot USERNAME or TELEGRAM_BOT_TOKEN set, a link is printed instead)\n", token)
		return nil
	}
	fmt.Fprintln(a.stdout, conversation.InviteLink(*username, token))
	return nil
}
