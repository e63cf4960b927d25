package conversation

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// Team is what the dialog needs of the desk's team: invitations to join the staff.
// *orders.Team implements it.
type Team interface {
	Invite(ctx context.Context, a orders.Actor, role orders.Role) (token string, expires time.Time, err error)
	Join(ctx context.Context, token string, telegramID int64, name, lang string) (orders.Staff, error)
}

// inviteRoles are the words /invite takes for each role, in both languages.
var inviteRoles = map[string]orders.Role{
	"rep": orders.RoleRep, "业务员": orders.RoleRep, "销售": orders.RoleRep,
	"manager": orders.RoleManager, "经理": orders.RoleManager,
}

// invite answers /invite rep|manager: a manager gets a one-time link to forward.
func (st *step) invite(args string) error {
	if !st.staffOnly() {
		return nil
	}
	if st.e.team == nil {
		st.say(st.t("invite.unavailable"))
		return nil
	}
	role, ok := inviteRoles[strings.ToLower(strings.TrimSpace(args))]
	if !ok {
		st.say(st.t("invite.usage"))
		return nil
	}
	token, expires, err := st.e.team.Invite(st.ctx, st.actor(), role)
	if errors.Is(err, orders.ErrForbidden) {
		st.say(st.t("invite.managers_only"))
		return nil
	}
	if err != nil {
		return err
	}
	until := st.instant(expires)
	if st.e.botUsername == "" {
		st.say(st.t("invite.command", st.t("role."+string(role)), until, token))
		return nil
	}
	st.say(st.t("invite.link", st.t("role."+string(role)), until, InviteLink(st.e.botUsername, token)))
	return nil
}

// InviteLink is the deep link that opens the bot with the invitation: Telegram sends the
// bot "/start <token>" when it is tapped.
func InviteLink(botUsername, token string) string {
	return "https://t.me/" + botUsername + "?start=" + token
}

// join answers "/start inv-…": the user joins the staff, or is told why not.
func (st *step) join(token string) error {
	if st.e.team == nil {
		st.say(st.t("join.unknown"))
		return nil
	}
	s, err := st.e.team.Join(st.ctx, token, st.u.ID, st.u.Name, st.s.Lang)
	switch {
	case errors.Is(err, orders.ErrInviteUsed):
		st.say(st.t("join.used"))
		return nil
	case errors.Is(err, orders.ErrInviteExpired):
		st.say(st.t("join.expired"))
		return nil
	case errors.Is(err, orders.ErrNotFound):
		st.say(st.t("join.unknown"))
		return nil
	case err != nil:
		return err
	}
	st.u.Role = RoleRep
	if s.Role == orders.RoleManager {
		st.u.Role = RoleManager
	}
	st.act = nil // the actor is the new staff member from now on
	st.reset(true)
	st.say(st.t("join.done", s.Name, st.t("role."+string(s.Role))))
	return st.menu()
}

// instant formats a moment in the desk's time zone for the reader.
func (st *step) instant(t time.Time) string {
	t = t.In(st.e.desk.Location())
	if st.s.Lang == i18n.ZH {
		return t.Format("2006年1月2日 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}
