package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
)

// A claim in the staff group means something: the claimer becomes responsible for what the
// card is about, and what follows about it goes to them alone.
//   - a review card: the claimer becomes the order's rep (in the claim's transaction), and the
//     stale-review reminder goes to them privately, not to the group;
//   - a change request's card: a rep may not claim it (managers decide); a manager's claim
//     makes them its handler, and another manager's Approve is refused;
//   - the overdue alert: the claimer becomes the rep of the overdue orders nobody owned;
//   - an unreachable customer's card: the claimer becomes the order's rep; a later
//     unreachable notice about an order with a rep goes to that rep privately.
func TestGroupClaimsMakeTheClaimerResponsible(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	addStaff(t, bed,
		orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true, Language: "en"},
		orders.Staff{TelegramID: 3002, Name: "Rep Wang", Role: orders.RoleRep, Active: true, Language: "zh"},
		orders.Staff{TelegramID: 3008, Name: "Manager Ma", Role: orders.RoleManager, Active: true, Language: "zh"},
		orders.Staff{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "en"})
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	// The notifier's clock (River's too) must not run behind the database's: a Wednesday
	// 15:00 in the future, running on, past the orders' dates (the bed's clock is 27 Nov).
	start := time.Now()
	day := time.Date(start.Year(), start.Month(), start.Day()+1, 15, 0, 0, 0, testbed.Shanghai)
	for day.Weekday() != time.Wednesday {
		day = day.AddDate(0, 0, 1)
	}
	nt := bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server, Now: func() time.Time { return day.Add(time.Since(start)) }})
	srv := tg.Server
	cust := newChat(t, srv, 1000, "en")
	rep1, rep2 := newChat(t, srv, 3001, "en"), newChat(t, srv, 3002, "zh")
	ma, chen := newChat(t, srv, 3008, "zh"), newChat(t, srv, 3009, "en")
	group := groupChat(t, srv, staffGroup)
	srv.AddGroup(staffGroup, "Sales team", rep1.u, rep2.u, ma.u, chen.u)
	srv.SendGroupText(chen.u, staffGroup, "/bindgroup")
	group.expect("This group is now the desk's staff group")

	// A review card claimed by Rep Wang: Wang is the order's rep at once.
	toSummary(cust, "CHAIR-300", "black", "20")
	cust.press("Confirm")
	cust.expect("SO-20261127-0001 is received")
	const n1 = "SO-20261127-0001"
	card := group.expect("Order " + n1 + " needs review")
	if a := answerOf(t, srv, srv.Press(t, rep2.u, card, notify.DataCardClaim)); a.Text != "已由您负责。" {
		t.Fatalf("answer to the claim: %+v", a)
	}
	if o, err := bed.Service.Order(ctx, n1); err != nil || o.Rep != 3002 || o.Status != orders.StatusPendingReview {
		t.Fatalf("after the claim of its review card the order's rep is %d (%v, %v), want 3002", o.Rep, o.Status, err)
	}
	if m, _ := srv.Message(staffGroup, card.MessageID); !strings.Contains(m.Text, "✋ Claimed by Rep Wang") {
		t.Errorf("claimed review card: %s", m)
	}

	// A confirmed order with a pending cancellation request and a promised date already
	// past: the change card and, at the next tick, the overdue alert reach the group.
	cust2 := newChat(t, srv, 1001, "en")
	n2 := deliveredOrder(t, bed, cust2, 0)
	if _, err := bed.Store.DB().ExecContext(ctx,
		`UPDATE orders SET status = 'confirmed', promised_date = DATE '2026-11-25' WHERE number = $1`, n2); err != nil {
		t.Fatal(err)
	}
	cr, _, err := bed.Service.RequestChange(ctx, "cancel-"+n2, 1001, orders.ChangeRequest{Number: n2, Kind: orders.ChangeCancel, Reason: "Bought elsewhere"})
	if err != nil || cr.ID == 0 {
		t.Fatalf("cancellation request: %+v %v", cr, err)
	}
	change := group.expect("Order " + n2 + ": Wei Zhang asks to cancel it")
	if a := answerOf(t, srv, srv.Press(t, rep1.u, change, notify.DataCardClaim)); !strings.Contains(a.Text, "only a manager can claim one") || !a.ShowAlert {
		t.Errorf("answer to a rep claiming a change request: %+v", a)
	}
	if m, _ := srv.Message(staffGroup, change.MessageID); !hasButton(m, notify.DataCardClaim) {
		t.Errorf("the change card changed after a rep's refused claim: %s", m)
	}
	if a := answerOf(t, srv, srv.Press(t, ma.u, change, notify.DataCardClaim)); a.Text != "已由您负责。" {
		t.Fatalf("answer to the manager's claim: %+v", a)
	}
	if c, err := bed.Service.ChangeRequestByID(ctx, cr.ID); err != nil || c.Handler != 3008 || c.HandlerName != "Manager Ma" {
		t.Fatalf("change request after the claim: %+v %v", c, err)
	}
	// Another manager approves from the group: refused, the request stays pending.
	srv.Press(t, chen.u, change, notify.DataChangeApprove+strconv.FormatInt(cr.ID, 10))
	chen.expect("is handled by Manager Ma, who claimed it in the staff group. Nothing was changed.")
	if c, _ := bed.Service.ChangeRequestByID(ctx, cr.ID); c.Status != "pending" {
		t.Errorf("a change request claimed by Ma was decided by Chen: %s", c.Status)
	}

	// Days later: the stale-review reminder goes to Wang alone, privately; the overdue
	// alert goes to the group, and its claimer becomes the rep of the order nobody owned.
	if err := nt.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	rep2.expect("订单 "+n1+" 下单已", "仍待审核")
	var cards int
	if err := bed.Store.DB().GetContext(ctx, &cards, `SELECT count(*) FROM notifications WHERE kind = $1 AND chat_id = $2`,
		orders.NoticeChangeRequested, staffGroup); err != nil || cards != 1 {
		t.Errorf("the group is sent %d cards of one change request, want 1 (%v)", cards, err)
	}
	overdue := group.expect("order(s) are past their promised date", n2)
	if a := answerOf(t, srv, srv.Press(t, rep1.u, overdue, notify.DataCardClaim)); a.Text != "It is yours now." {
		t.Fatalf("answer to the overdue alert's claim: %+v", a)
	}
	if o, _ := bed.Service.Order(ctx, n2); o.Rep != 3001 {
		t.Errorf("the overdue order's rep is %d after Rep Li claimed the alert, want 3001", o.Rep)
	}
	if c := countWith(srv.SentTo(staffGroup), "still waiting for review"); c != 0 {
		t.Errorf("the group got %d stale-review reminders of a claimed review", c)
	}
	for _, id := range []int64{3001, 3008, 3009} {
		if c := countWith(srv.SentTo(id), n1); c != 0 {
			t.Errorf("%d got %d private messages about %s, which Rep Wang owns", id, c, n1)
		}
	}

	// A customer without a rep blocks the bot: the group's card; Manager Chen claims it and
	// becomes the order's rep.
	cust3 := newChat(t, srv, 1002, "en")
	n3 := deliveredOrder(t, bed, cust3, 0)
	srv.Block(1002)
	blocked := func(number string, chat int64) {
		t.Helper()
		if err := bed.Store.QueueNotices(ctx, number, []orders.Notification{orders.NewNotification(orders.NoticeStatusChanged, chat,
			"blocked-test:"+number, orders.Notice{Lang: "en", Number: number, To: orders.StatusCompleted}, time.Time{})}); err != nil {
			t.Fatal(err)
		}
	}
	blocked(n3, 1002)
	un := group.expect("Order " + n3 + ": customer Wei Zhang blocked the bot")
	if a := answerOf(t, srv, srv.Press(t, chen.u, un, notify.DataCardClaim)); a.Text != "It is yours now." {
		t.Fatalf("answer to the unreachable card's claim: %+v", a)
	}
	if o, _ := bed.Service.Order(ctx, n3); o.Rep != 3009 {
		t.Errorf("the unreachable customer's order has rep %d after Chen's claim, want 3009", o.Rep)
	}

	// The first customer (order owned by Rep Wang) blocks the bot too: Wang is told
	// privately; the group gets nothing about it.
	srv.Block(1000)
	before := countWith(srv.SentTo(staffGroup), n1)
	blocked(n1, 1000)
	rep2.expect("订单 "+n1+"：客户", "已屏蔽机器人")
	time.Sleep(300 * time.Millisecond)
	if c := countWith(srv.SentTo(staffGroup), n1); c != before {
		t.Errorf("the group got a notice about %s, which Rep Wang owns", n1)
	}
}

// Cards and photos queued for the staff group before it became a supergroup are sent to
// the new chat, and what follows them there works: a claim of such a card makes the
// claimer the order's rep, the card is edited in the new chat once the review is taken,
// and the complaint's photo is forwarded to the new chat by its file id.
func TestStaffGroupPhotosAndEditsFollowMigration(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	tg, rep, _ := liAndChenInBoundGroup(t, bed, false)
	srv := tg.Server

	// Queued for the group while no notifier runs: an unassigned complaint with a photo and
	// a review card.
	cust := newChat(t, srv, 1001, "en")
	n1 := deliveredOrder(t, bed, cust, 0)
	cust.send("/complain")
	cust.expect("What went wrong with order " + n1)
	srv.SendPhoto(cust.u, "photo-torn-seat", "")
	cust.expect("Photo received (1)")
	cust.send("The seat is torn")
	cust.expect("is registered")
	cust2 := newChat(t, srv, 1002, "en")
	toSummary(cust2, "CHAIR-300", "black", "20")
	cust2.press("Confirm")
	m := cust2.expect("is received")
	n2 := strings.Fields(m.Text[strings.Index(m.Text, "SO-"):])[0]

	super := srv.MigrateGroup(staffGroup)
	waitFor(t, func() bool { g, err := bed.Group().Current(ctx); return err == nil && g.ChatID == super })
	bed.StartNotifier(testbed.NotifierOptions{Server: srv})
	sg := groupChat(t, srv, super)
	got := sg.expectEach([]string{"Order " + n2 + " needs review"}, []string{"Complaint #1 about order " + n1},
		[]string{"Photo of complaint #1 (order " + n1 + ")"})
	card, photo := got[0], got[2]
	if photo.Photo == nil || photo.Photo.Ref != "photo-torn-seat" {
		t.Errorf("the complaint's photo in the new chat: %s", photo)
	}

	if a := answerOf(t, srv, srv.Press(t, rep.u, card, notify.DataCardClaim)); a.Text != "It is yours now." {
		t.Fatalf("answer to the claim in the new chat: %+v", a)
	}
	if o, _ := bed.Service.Order(ctx, n2); o.Rep != 3001 {
		t.Errorf("order's rep after the claim in the new chat: %d, want 3001", o.Rep)
	}
	srv.Press(t, rep.u, card, "m:ra:"+n2)
	rep.expect("proposed")
	waitFor(t, func() bool {
		m, _ := srv.Message(super, card.MessageID)
		return strings.Contains(m.Text, "was taken by Rep Li") && len(m.InlineKeyboard) == 0
	})
	if rs := srv.Rejections(staffGroup); len(rs) == 0 {
		t.Error("nothing was tried on the old id: the test did not exercise the migration")
	}
}

// /language in the staff group sets the language of the group's cards: a manager chooses
// it with the buttons or names it (in either language); a rep and anyone outside the staff
// are refused and nothing changes; in a group that is not the staff group it says so.
func TestStaffGroupLanguage(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	addStaff(t, bed,
		orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true, Language: "en"},
		orders.Staff{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "en"})
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	srv := tg.Server
	rep, mgr := newChat(t, srv, 3001, "en"), newChat(t, srv, 3009, "en")
	stranger := telegramtest.User{ID: 5000, FirstName: "Guest", LanguageCode: "en"}
	group := groupChat(t, srv, staffGroup)
	srv.AddGroup(staffGroup, "Sales team", mgr.u, rep.u, stranger)

	srv.SendGroupText(mgr.u, staffGroup, "/language")
	group.expect("This group is not the staff group yet")
	srv.SendGroupText(mgr.u, staffGroup, "/bindgroup")
	group.expect("This group is now the desk's staff group")

	srv.SendGroupText(rep.u, staffGroup, "/language 中文")
	group.expect("Only a manager of the desk can change the staff group's language. Nothing was changed.")
	srv.SendGroupText(mgr.u, staffGroup, "/language@test_bot")
	choose := group.expect("Choose the language of this group's cards:")
	if a := answerOf(t, srv, srv.Press(t, stranger, choose, "m:gl:zh")); !strings.Contains(a.Text, "Only the desk's staff") {
		t.Errorf("answer to a stranger's language button: %+v", a)
	}
	if a := answerOf(t, srv, srv.Press(t, rep.u, choose, "m:gl:zh")); !strings.Contains(a.Text, "Only a manager") || !a.ShowAlert {
		t.Errorf("answer to a rep's language button: %+v", a)
	}
	if g, _ := bed.Group().Current(ctx); g.Language != "en" {
		t.Fatalf("group language after refused presses: %q", g.Language)
	}
	srv.Press(t, mgr.u, choose, "m:gl:zh")
	group.expect("本群的卡片今后使用中文。")
	if g, _ := bed.Group().Current(ctx); g.Language != "zh" {
		t.Fatalf("group language after the manager's choice: %q", g.Language)
	}
	// The group's cards are in Chinese now.
	if err := bed.Store.QueueNotices(ctx, "", []orders.Notification{orders.NewNotification(orders.NoticeCustomerUnreachable, 3001,
		orders.NoticeCustomerUnreachable+":z:3001", orders.Notice{Lang: "en", Customer: "Wei Z"}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	group.expect("客户 Wei Z 已屏蔽机器人")

	srv.SendGroupText(mgr.u, staffGroup, "/language English")
	group.expect("This group's cards are in English from now on.")
	srv.SendGroupText(mgr.u, staffGroup, "/language klingon")
	group.expect("Choose the language of this group's cards:")
	if g, _ := bed.Group().Current(ctx); g.Language != "en" {
		t.Errorf("group language: %q, want en", g.Language)
	}
}
