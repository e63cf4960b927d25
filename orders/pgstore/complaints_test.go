package pgstore_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
)

func TestComplaintsStore(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	loc := time.FixedZone("CST", 8*3600)
	var mu sync.Mutex
	clock := time.Date(2026, 12, 1, 16, 0, 0, 0, loc) // a Tuesday, two working hours left
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	cs := orders.NewComplaints(s, orders.DefaultRules(), loc, now, nil)
	for _, st := range []orders.Staff{
		{TelegramID: 7, Name: "Li", Role: orders.RoleRep, Active: true},
		{TelegramID: 8, Name: "Wang", Role: orders.RoleRep, Active: true, Language: "zh"},
		{TelegramID: 9, Name: "Chen", Role: orders.RoleManager, Active: true},
	} {
		if _, err := s.SaveStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	o, _, err := s.PlaceOrder(ctx, placeRequest("draft-1", 42, "CH-100", 1))
	if err != nil {
		t.Fatal(err)
	}

	// Only the order's customer complains about it.
	if _, err := cs.Open(ctx, 43, o.Number, "not mine", nil); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("another customer's complaint: %v, want ErrNotFound", err)
	}
	if _, err := cs.Open(ctx, 42, o.Number, "  ", nil); err == nil {
		t.Error("an empty complaint was opened")
	}
	c, err := cs.Open(ctx, 42, o.Number, "The chair wobbles", []string{"file-1", "file-2"})
	if err != nil {
		t.Fatal(err)
	}
	// 4 working hours from Tuesday 16:00: 2 that day, 2 on Wednesday from 9:00. Three
	// working days (27 hours): Friday 16:00.
	if want := time.Date(2026, 12, 2, 11, 0, 0, 0, loc); !c.RespondBy.Equal(want) {
		t.Errorf("respond by %v, want %v", c.RespondBy, want)
	}
	if want := time.Date(2026, 12, 4, 16, 0, 0, 0, loc); !c.ResolveBy.Equal(want) {
		t.Errorf("resolve by %v, want %v", c.ResolveBy, want)
	}
	// No rep on the order: every active staff member gets the card.
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE kind = 'complaint_new'`); n != 3 {
		t.Errorf("%d complaint cards, want 3", n)
	}

	// Ten claims at once: one owner.
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := orders.Actor{Kind: orders.ActorStaff, TelegramID: int64(7 + i%2), Role: orders.RoleRep, Name: "rep"}
			_, errs[i] = cs.Claim(ctx, a, c.ID)
		}()
	}
	wg.Wait()
	got, _, err := cs.Complaint(ctx, orders.Operator, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		mine := int64(7+i%2) == got.Rep
		if mine && err != nil || !mine && !errors.Is(err, orders.ErrComplaintClaimed) {
			t.Errorf("claim %d by %d (owner %d): %v", i, 7+i%2, got.Rep, err)
		}
	}
	if _, err := cs.Claim(ctx, orders.CustomerActor(42), c.ID); !errors.Is(err, orders.ErrForbidden) {
		t.Errorf("a customer claims: %v", err)
	}

	// The survey opens one complaint per order, for answers of 1 or 2 only.
	if _, opened, err := cs.OpenFromSurvey(ctx, 42, o.Number, 3); err != nil || opened {
		t.Errorf("rating 3: opened %v, %v", opened, err)
	}
	sc, opened, err := cs.OpenFromSurvey(ctx, 42, o.Number, 2)
	if err != nil || !opened {
		t.Fatalf("rating 2: opened %v, %v", opened, err)
	}
	again, opened, err := cs.OpenFromSurvey(ctx, 42, o.Number, 1)
	if err != nil || opened || again.ID != sc.ID {
		t.Errorf("second survey: %d opened %v, %v", again.ID, opened, err)
	}

	// Past the first-response deadline of both: the manager is told once per complaint
	// however often the sweep runs.
	advance(20 * time.Hour) // Wednesday 12:00
	for range 3 {
		if err := cs.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE kind = 'complaint_escalated' AND chat_id = 9`); n != 2 {
		t.Errorf("%d escalations, want 2", n)
	}

	// The rep answers; the customer writes back; the rep resolves.
	rep := orders.Actor{Kind: orders.ActorStaff, TelegramID: got.Rep, Role: orders.RoleRep, Name: "rep"}
	if _, err := cs.Reply(ctx, rep, c.ID, "We send a new one", nil); err != nil {
		t.Fatal(err)
	}
	if r, err := cs.CustomerMessage(ctx, 42, c.ID, "Thanks", nil); err != nil || r.Status != orders.ComplaintOpen {
		t.Errorf("customer message: %v %v", r.Status, err)
	}
	if _, err := cs.CustomerMessage(ctx, 43, c.ID, "Not mine", nil); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("another customer writes: %v", err)
	}
	r, err := cs.Resolve(ctx, rep, c.ID, "Replaced")
	if err != nil || r.Status != orders.ComplaintResolved || r.RespondedAt.IsZero() {
		t.Fatalf("resolve: %+v %v", r, err)
	}
	_, ms, err := cs.Complaint(ctx, orders.CustomerActor(42), c.ID)
	if err != nil || len(ms) != 4 || len(ms[0].Photos) != 2 || ms[3].Text != "Replaced" {
		t.Errorf("messages: %+v %v", ms, err)
	}
	if _, _, err := cs.Complaint(ctx, orders.CustomerActor(43), c.ID); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("another customer reads it: %v", err)
	}

	// Resolved and unanswered for three working days: closed by the sweep.
	advance(3 * 24 * time.Hour) // Saturday: Wednesday 12:00 + 3 working days is Monday 12:00
	if err := cs.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if x, _, _ := cs.Complaint(ctx, orders.Operator, c.ID); x.Status != orders.ComplaintResolved {
		t.Errorf("closed too early: %s", x.Status)
	}
	advance(3 * 24 * time.Hour) // Tuesday
	if err := cs.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if x, _, _ := cs.Complaint(ctx, orders.Operator, c.ID); x.Status != orders.ComplaintClosed {
		t.Errorf("not closed after 3 working days: %s", x.Status)
	}
	if _, err := cs.Reply(ctx, rep, c.ID, "late", nil); !errors.Is(err, orders.ErrInvalidTransition) {
		t.Errorf("reply to a closed complaint: %v", err)
	}

	// Figures: two complaints, one resolved within its deadline; the survey one is past
	// both deadlines unresolved.
	st, err := cs.Stats(ctx, time.Date(2026, 12, 1, 0, 0, 0, 0, loc), time.Date(2026, 12, 2, 0, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	if st != (orders.ComplaintStats{Count: 2, Resolved: 1, ResolvedInTime: 1, Due: 2, InTimeShare: 0.5}) {
		t.Errorf("stats %+v", st)
	}
	list, counts, err := cs.ComplaintQueue(ctx, rep, true)
	if err != nil || len(list) != 1 || list[0].ID != sc.ID || counts["open"] != 1 || counts["overdue"] != 1 {
		t.Errorf("overdue queue %v %v %v", list, counts, err)
	}
}
