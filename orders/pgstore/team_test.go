package pgstore_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
)

func TestInvitations(t *testing.T) {
	s, ctx := setup(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := now
	team := orders.NewTeam(s, func() time.Time { return clock }, nil)
	manager := orders.Actor{Kind: orders.ActorStaff, TelegramID: 9, Role: orders.RoleManager, Name: "Li"}

	// Only managers (and the operator) invite.
	rep := orders.Actor{Kind: orders.ActorStaff, TelegramID: 7, Role: orders.RoleRep}
	if _, _, err := team.Invite(ctx, rep, orders.RoleRep); !errors.Is(err, orders.ErrForbidden) {
		t.Errorf("a rep invites: %v, want ErrForbidden", err)
	}
	if _, _, err := team.Invite(ctx, orders.CustomerActor(5), orders.RoleRep); !errors.Is(err, orders.ErrForbidden) {
		t.Errorf("a customer invites: %v, want ErrForbidden", err)
	}

	token, expires, err := team.Invite(ctx, manager, orders.RoleRep)
	if err != nil {
		t.Fatal(err)
	}
	if !orders.IsInvite(token) || len(token) > 64 || !expires.Equal(now.Add(24*time.Hour)) {
		t.Errorf("token %q (%d chars) expires %v", token, len(token), expires)
	}
	if n := count(t, s, `SELECT count(*) FROM staff_invites WHERE token_hash = convert_to($1, 'UTF8')`, token); n != 0 {
		t.Error("the token itself is stored")
	}

	// Two people press the same link at once: one joins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = team.Join(ctx, token, int64(3001+i), "Wang", "zh")
		}()
	}
	wg.Wait()
	joined, used := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			joined++
		case errors.Is(err, orders.ErrInviteUsed):
			used++
		default:
			t.Errorf("join: %v", err)
		}
	}
	if joined != 1 || used != 1 {
		t.Errorf("%d joined, %d refused as used; want one each", joined, used)
	}
	if n := count(t, s, `SELECT count(*) FROM staff WHERE telegram_id IN (3001, 3002) AND role = 'rep' AND active`); n != 1 {
		t.Errorf("%d staff rows from one invitation", n)
	}

	// An expired invitation is refused, and so is one that does not exist.
	late, _, err := team.Invite(ctx, orders.Operator, orders.RoleManager)
	if err != nil {
		t.Fatal(err)
	}
	clock = now.Add(24 * time.Hour)
	if _, err := team.Join(ctx, late, 3003, "Zhao", "zh"); !errors.Is(err, orders.ErrInviteExpired) {
		t.Errorf("expired: %v, want ErrInviteExpired", err)
	}
	if _, err := team.Join(ctx, "inv-nosuchtoken", 3003, "Zhao", "zh"); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("unknown: %v, want ErrNotFound", err)
	}
	if n := count(t, s, `SELECT count(*) FROM staff WHERE telegram_id = 3003`); n != 0 {
		t.Error("a refused invitation made staff")
	}

	// A deactivated rep invited again comes back, as a manager when so invited.
	clock = now
	if _, err := s.SaveStaff(ctx, orders.Staff{TelegramID: 3004, Name: "Sun", Role: orders.RoleRep, Active: false}); err != nil {
		t.Fatal(err)
	}
	again, _, err := team.Invite(ctx, manager, orders.RoleManager)
	if err != nil {
		t.Fatal(err)
	}
	st, err := team.Join(ctx, again, 3004, "Sun", "en")
	if err != nil || !st.Active || st.Role != orders.RoleManager || st.Name != "Sun" {
		t.Errorf("rejoin: %+v, %v", st, err)
	}
}
