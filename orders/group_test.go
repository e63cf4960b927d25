package orders_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
)

func TestRouteToGroup(t *testing.T) {
	staff := []orders.Staff{
		{TelegramID: 1, Name: "Li", Role: orders.RoleRep, Active: true, Language: "en"},
		{TelegramID: 2, Name: "Wang", Role: orders.RoleRep, Active: true, Language: "zh", GroupCopies: true},
		{TelegramID: 9, Name: "Chen", Role: orders.RoleManager, Active: true},
	}
	g := orders.StaffGroup{ChatID: -100, Language: "zh"}
	note := func(kind string, chat int64, key string, n orders.Notice) orders.Notification {
		return orders.NewNotification(kind, chat, key, n, time.Time{})
	}
	perStaff := func(kind, subject string, n orders.Notice) []orders.Notification {
		var out []orders.Notification
		for _, id := range []int64{1, 2, 9} {
			out = append(out, note(kind, id, subject+":"+string(rune('0'+id)), n))
		}
		return out
	}
	for _, c := range []struct {
		name string
		in   []orders.Notification
		want []string // chat:key of what is queued
	}{
		{"review card: one to the group, a copy for who asked", perStaff(orders.NoticeReviewRequested, "review_requested:SO-1", orders.Notice{Number: "SO-1"}),
			[]string{"-100:review_requested:SO-1:group", "2:review_requested:SO-1:2"}},
		{"overdue alert", perStaff(orders.NoticeOverdueAlert, "overdue_alert:2026-11-27", orders.Notice{}),
			[]string{"-100:overdue_alert:2026-11-27:group", "2:overdue_alert:2026-11-27:2"}},
		{"stale review", perStaff(orders.NoticeReviewStale, "review_stale:SO-1", orders.Notice{Number: "SO-1"}),
			[]string{"-100:review_stale:SO-1:group", "2:review_stale:SO-1:2"}},
		{"complaint escalation", perStaff(orders.NoticeComplaintEscalated, "complaint_escalated:5:response", orders.Notice{}),
			[]string{"-100:complaint_escalated:5:response:group", "2:complaint_escalated:5:response:2"}},
		{"customer unreachable", perStaff(orders.NoticeCustomerUnreachable, "customer_unreachable:SO-1", orders.Notice{}),
			[]string{"-100:customer_unreachable:SO-1:group", "2:customer_unreachable:SO-1:2"}},
		{"an unowned complaint goes to the group", perStaff(orders.NoticeComplaintNew, "complaint_new:5", orders.Notice{Claimable: true}),
			[]string{"-100:complaint_new:5:group", "2:complaint_new:5:2"}},
		{"an owned complaint stays with its owner", []orders.Notification{note(orders.NoticeComplaintNew, 1, "complaint_new:5:1", orders.Notice{})},
			[]string{"1:complaint_new:5:1"}},
		{"a stale review its claimer owns stays private", []orders.Notification{note(orders.NoticeReviewStale, 1, "review_stale:SO-1:1", orders.Notice{Number: "SO-1", Owned: true})},
			[]string{"1:review_stale:SO-1:1"}},
		{"an unreachable customer of an owned order stays with its rep", []orders.Notification{note(orders.NoticeCustomerUnreachable, 1, "customer_unreachable:SO-1:1", orders.Notice{Owned: true})},
			[]string{"1:customer_unreachable:SO-1:1"}},
		{"to the customer: untouched", []orders.Notification{note(orders.NoticeStatusChanged, 1000, "status_changed:SO-1", orders.Notice{})},
			[]string{"1000:status_changed:SO-1"}},
		{"a status change to a rep stays private", []orders.Notification{note(orders.NoticeStatusChanged, 1, "status_changed:SO-1:1", orders.Notice{})},
			[]string{"1:status_changed:SO-1:1"}},
		{"expanded keys (@id)", []orders.Notification{note(orders.NoticeChangeRequested, 9, "change_requested:SO-1:x@9", orders.Notice{})},
			[]string{"-100:change_requested:SO-1:x:group"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := orders.RouteToGroup(c.in, g, staff)
			var keys []string
			for _, n := range got {
				keys = append(keys, strconv.FormatInt(n.ChatID, 10)+":"+n.Key)
				if n.ChatID == g.ChatID {
					var p map[string]any
					if err := json.Unmarshal(n.Payload, &p); err != nil || p["lang"] != "zh" || p["group"] != true {
						t.Errorf("group payload %s", n.Payload)
					}
				}
			}
			if len(keys) != len(c.want) {
				t.Fatalf("got %q, want %q", keys, c.want)
			}
			for i := range keys {
				if keys[i] != c.want[i] {
					t.Errorf("got %q, want %q", keys, c.want)
				}
			}
		})
	}
	if got := orders.RouteToGroup(perStaff(orders.NoticeReviewRequested, "r", orders.Notice{}), orders.StaffGroup{}, staff); len(got) != 3 {
		t.Errorf("without a group: %d notifications, want 3", len(got))
	}
}
