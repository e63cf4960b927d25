package notify_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

// Every manager gets the weekly report on Monday from the report hour, once however often
// the check runs, in their language, with the chart; reps get none; the monthly one comes
// on the 1st.
func TestScheduledReports(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	pgstoretest.ReportFixture(t, bed.Store) // manager 9001 Boss, reps 7001 and 7002
	if _, err := bed.Service.AddStaff(t.Context(), orders.Staff{TelegramID: 9002, Name: "经理", Role: orders.RoleManager, Active: true, Language: "zh"}); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Pointer[time.Time]
	set := func(t time.Time) { clock.Store(&t) }
	set(time.Date(2026, 11, 30, 8, 0, 0, 0, testbed.Shanghai)) // Monday, before the hour
	n := bed.StartNotifier(testbed.NotifierOptions{
		Now: func() time.Time { return *clock.Load() },
		Configure: func(c *notify.Config) {
			c.Reports, c.ReportHour, c.ReportCheck = bed.Reports(), 9, -1
		},
	})
	ctx := t.Context()
	if err := n.QueueReports(ctx); err != nil {
		t.Fatal(err)
	}
	set(time.Date(2026, 11, 30, 9, 5, 0, 0, testbed.Shanghai))
	for range 3 {
		if err := n.QueueReports(ctx); err != nil {
			t.Fatal(err)
		}
	}
	en := n.Server.Expect(t, 9001, 20*time.Second)
	if en.Photo == nil || !strings.Contains(en.Caption, "Weekly report, whole desk: 2026-11-23 – 2026-11-29") {
		t.Fatalf("manager's weekly report: %s", en)
	}
	if _, err := png.Decode(bytes.NewReader(en.Photo.Data)); err != nil {
		t.Errorf("the chart is not a PNG: %v", err)
	}
	zh := n.Server.Expect(t, 9002, 20*time.Second)
	if zh.Photo == nil || !strings.Contains(zh.Caption, "每周报表（全部门）：2026年11月23日至11月29日") {
		t.Fatalf("Chinese manager's weekly report: %s", zh)
	}
	// The fixture's orders of November fall outside that week (the last, SO-5, on the
	// Monday itself): the report says so.
	if !strings.Contains(en.Caption, "No orders were placed in this period.") {
		t.Errorf("weekly report of an empty week:\n%s", en.Caption)
	}

	// The 1st: last month's report.
	set(time.Date(2026, 12, 1, 9, 30, 0, 0, testbed.Shanghai))
	if err := n.QueueReports(ctx); err != nil {
		t.Fatal(err)
	}
	m := n.Server.Expect(t, 9001, 20*time.Second)
	if !strings.Contains(m.Caption, "Monthly report, whole desk: 2026-11-01 – 2026-11-30") || !strings.Contains(m.Caption, "Sales ¥2,245.00") {
		t.Errorf("monthly report:\n%s", m.Caption)
	}
	wait, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for _, chat := range []int64{9001, 7001, 7002} {
		if extra, err := n.Server.WaitSent(wait, chat, nil); err == nil {
			t.Errorf("chat %d got another message: %s", chat, extra)
		}
	}
}
