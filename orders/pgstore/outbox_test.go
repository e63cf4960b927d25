package pgstore_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
)

// jobRow is a River job of the outbox.
type jobRow struct {
	Kind        string    `db:"kind"`
	Queue       string    `db:"queue"`
	State       string    `db:"state"`
	Args        string    `db:"args"`
	ScheduledAt time.Time `db:"scheduled_at"`
	MaxAttempts int       `db:"max_attempts"`
}

func TestOutboxQueuesOneRiverJobPerNotification(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	runAt := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	req := placeRequest("draft-1", 42, "CH-100", 1)
	req.Notifications = append(req.Notifications,
		orders.Notification{Kind: orders.NoticeDeliveryReminder, ChatID: 42, Key: "reminder:1", Payload: []byte(`{"lang":"zh"}`), RunAt: runAt},
		orders.Notification{Kind: orders.NoticeDeliveryReminder, ChatID: 42, Key: "reminder:1", Payload: []byte(`{"lang":"zh"}`), RunAt: runAt},
	)
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []jobRow
	if err := s.DB().SelectContext(ctx, &jobs, `
		SELECT kind, queue, state, args::text AS args, scheduled_at, max_attempts FROM river_job ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3 (the duplicate key queued once): %+v", len(jobs), jobs)
	}
	for _, j := range jobs {
		if j.Kind != "orderbot.notification" || j.Queue != "notifications" || j.MaxAttempts != 25 {
			t.Errorf("job %+v: want kind orderbot.notification in queue notifications, 25 attempts", j)
		}
	}
	// The JSON shape notify.SendArgs reads.
	var args map[string]json.RawMessage
	if err := json.Unmarshal([]byte(jobs[0].Args), &args); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range args {
			if !yield(k) {
				return
			}
		}
	})
	if want := []string{"chat_id", "key", "notice", "number", "payload"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("job args have %v, want %v", keys, want)
	}
	var first struct {
		Key     string          `json:"key"`
		Notice  string          `json:"notice"`
		ChatID  int64           `json:"chat_id"`
		Number  string          `json:"number"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal([]byte(jobs[0].Args), &first); err != nil {
		t.Fatal(err)
	}
	if first.Key != "placed:draft-1" || first.Notice != "order_placed" || first.ChatID != 42 || first.Number != o.Number ||
		!jsonEqual(string(first.Payload), `{"note":"thanks"}`) {
		t.Errorf("first job args %+v", first)
	}
	if j := jobs[2]; j.State != "scheduled" || !j.ScheduledAt.Equal(runAt) {
		t.Errorf("reminder job %s at %s, want scheduled at %s", j.State, j.ScheduledAt, runAt)
	}

	// Placing the same draft again queues nothing; a failed placement queues nothing.
	if _, _, err := s.PlaceOrder(ctx, req); err != nil {
		t.Fatal(err)
	}
	short := placeRequest("draft-2", 43, "CH-100", 1000)
	short.Notifications = []orders.Notification{{Kind: orders.NoticeStatusChanged, ChatID: 43, Key: "never"}}
	var shortage *orders.StockShortage
	if _, _, err := s.PlaceOrder(ctx, short); !errors.As(err, &shortage) {
		t.Fatalf("placing 1000 chairs: %v, want a shortage", err)
	}
	if n := count(t, s, `SELECT count(*) FROM river_job`); n != 3 {
		t.Errorf("%d jobs after a repeated and a failed placement, want 3", n)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications`); n != 3 {
		t.Errorf("%d notifications, want 3", n)
	}
}

func TestNoticeClaimSendSettle(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	o, _, err := s.PlaceOrder(ctx, placeRequest("draft-1", 42, "CH-100", 1))
	if err != nil {
		t.Fatal(err)
	}
	ns := []orders.Notification{
		{Kind: orders.NoticeReviewRequested, ChatID: 7, Key: "card:7"},
		{Kind: orders.NoticeReviewRequested, ChatID: 8, Key: "card:8"},
		{Kind: orders.NoticeStatusChanged, ChatID: 42, Key: "status:1"},
	}
	if err := s.QueueNotices(ctx, o.Number, ns); err != nil {
		t.Fatal(err)
	}
	claim := func(key string, retake bool, want string, wantID int) {
		t.Helper()
		states, ids, err := s.ClaimNotices(ctx, []string{key}, retake)
		if err != nil || states[key] != want || ids[key] != wantID {
			t.Errorf("ClaimNotices(%s, %v) = %v, %v, %v; want %s, %d", key, retake, states, ids, err, want, wantID)
		}
	}
	claim("card:7", false, "claimed", 0)
	claim("card:7", false, "sending", 0) // a second claim finds the first one's
	claim("card:7", true, "claimed", 0)  // unless it retakes it
	if err := s.NoticesSent(ctx, map[string]int{"card:7": 1234}); err != nil {
		t.Fatal(err)
	}
	claim("card:7", true, "sent", 1234)
	// A sent notification is never released nor settled.
	if err := s.ReleaseNotice(ctx, "card:7", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.SettleNotice(ctx, "card:7", "dropped", "x"); err != nil {
		t.Fatal(err)
	}
	claim("card:7", false, "sent", 1234)

	claim("card:8", false, "claimed", 0)
	if err := s.ReleaseNotice(ctx, "card:8", "500 from Telegram"); err != nil {
		t.Fatal(err)
	}
	claim("card:8", false, "claimed", 0)
	if err := s.SettleNotice(ctx, "status:1", "failed", "blocked"); err != nil {
		t.Fatal(err)
	}
	claim("status:1", false, "failed", 0)
	claim("nope", false, "missing", 0)
	// Many at once, as notify batches them.
	states, _, err := s.ClaimNotices(ctx, []string{"card:7", "card:8", "status:1", "nope"}, false)
	if want := map[string]string{"card:7": "sent", "card:8": "sending", "status:1": "failed", "nope": "missing"}; err != nil || !reflect.DeepEqual(states, want) {
		t.Errorf("ClaimNotices = %v, %v; want %v", states, err, want)
	}
	if err := s.SettleNotice(ctx, "card:8", "sent", ""); err == nil {
		t.Error("settling as sent: no error")
	}

	// The review cards of the order for chat 7: one sent; for chat 8: one on its way.
	for chat, want := range map[int64]struct {
		ids    []int
		unsent int
	}{7: {[]int{1234}, 0}, 8: {nil, 1}, 9: {nil, 0}} {
		ids, unsent, err := s.NoticeMessages(ctx, o.Number, chat, []string{orders.NoticeReviewRequested, orders.NoticeReviewStale})
		if err != nil || !reflect.DeepEqual(ids, want.ids) || unsent != want.unsent {
			t.Errorf("NoticeMessages(chat %d) = %v, %d, %v; want %v, %d", chat, ids, unsent, err, want.ids, want.unsent)
		}
	}

	// Queued again with the same keys: nothing new.
	if err := s.QueueNotices(ctx, o.Number, ns); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM river_job WHERE args->>'key' LIKE 'card:%'`); n != 2 {
		t.Errorf("%d card jobs, want 2", n)
	}
}

func TestUnreachableCustomerAndResponsibleStaff(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	for _, st := range []orders.Staff{
		{TelegramID: 7, Name: "Alice", Role: orders.RoleRep, Active: true},
		{TelegramID: 8, Name: "Bo", Role: orders.RoleRep, Active: true, Language: "zh"},
		{TelegramID: 9, Name: "Mei", Role: orders.RoleManager, Active: true},
		{TelegramID: 10, Name: "Gone", Role: orders.RoleRep, Active: false},
	} {
		if _, err := s.SaveStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	o, _, err := s.PlaceOrder(ctx, placeRequest("draft-1", 42, "CH-100", 1))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(list []orders.Staff, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, st := range list {
			out = append(out, st.TelegramID)
		}
		return out
	}
	// Nobody on staff acted: every active rep.
	if got := ids(s.ResponsibleStaff(ctx, o.Number)); !reflect.DeepEqual(got, []int64{7, 8}) {
		t.Errorf("responsible staff %v, want every active rep [7 8]", got)
	}
	// The manager acted last.
	if _, err := s.TransitionOrder(ctx, orders.TransitionRequest{Number: o.Number, From: orders.StatusConfirmed,
		To: orders.StatusInProduction, Actor: "manager:9"}); err != nil {
		t.Fatal(err)
	}
	if got := ids(s.ResponsibleStaff(ctx, o.Number)); !reflect.DeepEqual(got, []int64{9}) {
		t.Errorf("responsible staff %v, want [9]", got)
	}

	if ok, err := s.MarkUnreachable(ctx, 42); err != nil || !ok {
		t.Errorf("MarkUnreachable(42) = %v, %v; want true", ok, err)
	}
	if ok, err := s.MarkUnreachable(ctx, 7); err != nil || ok {
		t.Errorf("MarkUnreachable(a rep) = %v, %v; want false", ok, err)
	}
	c, err := s.Customer(ctx, 42)
	if err != nil || !c.Unreachable {
		t.Errorf("customer %+v, %v: want unreachable", c, err)
	}
}
