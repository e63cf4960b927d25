package bot_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
)

// A manager invites a rep through Telegram: the link works once, for one person, for 24
// hours; the one who joins is staff at once; a rep cannot invite.
func TestStaffJoinByInvitation(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	for _, s := range []orders.Staff{
		{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "zh"},
		{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true},
	} {
		if _, err := bed.Service.AddStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	srv := tg.Server
	mgr, rep := newChat(t, srv, 3009, "zh"), newChat(t, srv, 3001, "en")
	newcomer, other, late := newChat(t, srv, 4001, "en"), newChat(t, srv, 4002, "zh"), newChat(t, srv, 4003, "en")
	link := regexp.MustCompile(`https://t\.me/` + testbed.BotUsername + `\?start=(inv-[A-Za-z0-9_-]+)`)

	rep.send("/invite rep")
	rep.expect("Only managers can invite staff")

	// Before joining, the newcomer is a customer: /orders is refused.
	newcomer.send("/orders")
	newcomer.expect("")

	mgr.send("/invite 业务员")
	m := mgr.expect("邀请业务员的链接")
	token := link.FindStringSubmatch(m.Text)
	if token == nil || len(token[1]) > 64 {
		t.Fatalf("no deep link (payload ≤ 64 characters) in %q", m.Text)
	}
	// Tapping the link sends /start with the payload.
	newcomer.send("/start " + token[1])
	newcomer.expect("Welcome to the desk", "You are now a sales rep")
	newcomer.send("/orders review")
	newcomer.expect("review")
	st, err := bed.Service.Staff(ctx, 4001)
	if err != nil || st.Role != orders.RoleRep {
		t.Errorf("staff 4001: %+v, %v", st, err)
	}

	// The same link a second time: refused, and the person stays a customer.
	other.send("/start " + token[1])
	other.expect("该邀请链接已被使用")
	if _, err := bed.Service.Staff(ctx, 4002); err == nil {
		t.Error("a used invitation made a second member of staff")
	}

	// A link past its 24 hours: refused.
	mgr.send("/invite manager")
	expired := link.FindStringSubmatch(mgr.expect("经理").Text)
	if expired == nil {
		t.Fatal("no second link")
	}
	if _, err := bed.Store.DB().ExecContext(ctx, `UPDATE staff_invites SET expires_at = $1 WHERE used_at IS NULL`, bed.Clock().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	late.send("/start " + expired[1])
	late.expect("This invitation has expired")
	if _, err := bed.Service.Staff(ctx, 4003); err == nil {
		t.Error("an expired invitation made staff")
	}
}
