package bot_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
)

const staffGroup = -4001

// groupChat reads what the bot sent to a group chat (the chat helpers read a chat by its id).
func groupChat(t *testing.T, srv *telegramtest.Server, id int64) *chat {
	return &chat{t: t, srv: srv, u: telegramtest.User{ID: id}}
}

func answerOf(t *testing.T, srv *telegramtest.Server, update int64) telegramtest.Answer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	a, err := srv.WaitAnswer(ctx, update)
	if err != nil {
		t.Fatalf("no answer to the press %d: %v", update, err)
	}
	return a
}

func hasButton(m telegramtest.Sent, prefix string) bool {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				return true
			}
		}
	}
	return false
}

// sends are the new messages among ms (not the edits).
func sends(ms []telegramtest.Sent) []telegramtest.Sent {
	var out []telegramtest.Sent
	for _, m := range ms {
		if m.Method == "sendMessage" || m.Method == "sendPhoto" || m.Method == "sendDocument" {
			out = append(out, m)
		}
	}
	return out
}

// liAndChenInBoundGroup adds Rep Li and Manager Chen (both reading English), starts the bot
// (and the notifier, with notifier), and has Chen bind the staff group, both in it.
func liAndChenInBoundGroup(t *testing.T, bed *testbed.Bed, notifier bool) (tg *testbed.Telegram, rep, mgr *chat) {
	t.Helper()
	addStaff(t, bed,
		orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true, Language: "en"},
		orders.Staff{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "en"})
	tg = bed.StartTelegram(testbed.TelegramOptions{})
	if notifier {
		bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	}
	srv := tg.Server
	rep, mgr = newChat(t, srv, 3001, "en"), newChat(t, srv, 3009, "en")
	srv.AddGroup(staffGroup, "Sales team", mgr.u, rep.u)
	srv.SendGroupText(mgr.u, staffGroup, "/bindgroup")
	groupChat(t, srv, staffGroup).expect("This group is now the desk's staff group")
	return tg, rep, mgr
}

func addStaff(t *testing.T, bed *testbed.Bed, staff ...orders.Staff) {
	t.Helper()
	for _, s := range staff {
		if _, err := bed.Service.AddStaff(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}

// The staff group end to end: only a manager binds it (a command to another bot is not
// ours); a review card reaches the group once, in the group's language (the manager's,
// Chinese), with Claim, and a private copy only to the rep who asked for copies; a group
// member who is not staff is refused and nothing changes; two staff press Claim at once:
// one owns it, the other is told who, and the private copy says who claimed it; the card's actions work from the group and go on in
// the presser's private chat, and the cards are edited once taken. Then an unassigned
// complaint with a photo: the card and the photo (by its file id) go to the group, a claim
// edits every other card of it, and the rep's photo reaches the customer. /unbindgroup by a
// rep is refused, by the manager done.
func TestStaffGroupThroughTelegram(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	addStaff(t, bed,
		orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true, Language: "en"},
		orders.Staff{TelegramID: 3002, Name: "Rep Wang", Role: orders.RoleRep, Active: true, Language: "zh"},
		orders.Staff{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "zh"})
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	srv := tg.Server
	cust := newChat(t, srv, 1000, "en")
	rep1, rep2, mgr := newChat(t, srv, 3001, "en"), newChat(t, srv, 3002, "zh"), newChat(t, srv, 3009, "zh")
	stranger := telegramtest.User{ID: 5000, FirstName: "Guest", LanguageCode: "en"}
	group := groupChat(t, srv, staffGroup)
	srv.AddGroup(staffGroup, "Sales team", mgr.u, rep1.u, rep2.u, stranger)

	srv.SendGroupText(rep1.u, staffGroup, "/bindgroup@test_bot")
	group.expect("Only a manager of the desk can bind or unbind the staff group. Nothing was changed.")
	srv.SendGroupText(mgr.u, staffGroup, "/bindgroup@other_bot")
	srv.SendGroupText(stranger, staffGroup, "/bindgroup")
	group.expect("Only a manager of the desk")
	srv.SendGroupText(mgr.u, staffGroup, "/bindgroup@test_bot")
	group.expect("本群已设为员工群")
	if g, err := bed.Group().Current(ctx); err != nil || g.ChatID != staffGroup || g.Language != "zh" {
		t.Fatalf("staff group: %+v %v", g, err)
	}
	if n := len(srv.SentTo(staffGroup)); n != 3 {
		t.Errorf("the group got %d messages, want 3 (the command to another bot is not ours)", n)
	}

	rep2.send("/groupcopies 开启")
	rep2.expect("今后您还会在私聊中收到员工群卡片的副本")

	// 20 executive chairs, 8 in stock: review, one card in the group.
	toSummary(cust, "CHAIR-300", "black", "20")
	cust.press("Confirm")
	cust.expect("SO-20261127-0001 is received")
	const n = "SO-20261127-0001"
	card := group.expect("订单 " + n + " 需要审核")
	if !hasButton(card, notify.DataCardClaim) || !hasButton(card, "m:ra:") {
		t.Fatalf("group card without Claim or Accept: %s", card)
	}
	copy2 := rep2.expect("订单 " + n + " 需要审核")
	if hasButton(copy2, notify.DataCardClaim) {
		t.Errorf("a private copy offers Claim: %s", copy2)
	}

	// Someone in the group who is not staff presses Claim: refused, nothing changed.
	a := answerOf(t, srv, srv.Press(t, stranger, card, notify.DataCardClaim))
	if a.Text != "Only the desk's staff can use these buttons." || !a.ShowAlert {
		t.Errorf("answer to a stranger: %+v", a)
	}
	a = answerOf(t, srv, srv.Press(t, stranger, card, "m:ra:"+n))
	if !strings.Contains(a.Text, "Only the desk's staff") {
		t.Errorf("answer to a stranger's Accept: %+v", a)
	}
	if m, _ := srv.Message(staffGroup, card.MessageID); !hasButton(m, notify.DataCardClaim) || strings.Contains(m.Text, "已由") {
		t.Errorf("the card changed after a stranger's press: %s", m)
	}
	if o, err := bed.Service.Order(ctx, n); err != nil || o.Status != orders.StatusPendingReview {
		t.Fatalf("order after a stranger's press: %v %v", o.Status, err)
	}

	// Two staff press Claim at once: one owns the card, the other is told who.
	var wg sync.WaitGroup
	var u1, u2 int64
	wg.Add(2)
	go func() { defer wg.Done(); u1 = srv.Press(t, rep1.u, card, notify.DataCardClaim) }()
	go func() { defer wg.Done(); u2 = srv.Press(t, mgr.u, card, notify.DataCardClaim) }()
	wg.Wait()
	a1, a2 := answerOf(t, srv, u1), answerOf(t, srv, u2)
	won1, won2 := a1.Text == "It is yours now.", a2.Text == "已由您负责。"
	lost1, lost2 := a1.Text == "Already claimed by Manager Chen. Nothing was changed.", a2.Text == "已由Rep Li认领，本次操作未执行。"
	if won1 == won2 || won1 != lost2 || won2 != lost1 {
		t.Fatalf("want one owner and the other told: %+v / %+v", a1, a2)
	}
	owner := "Rep Li"
	if won2 {
		owner = "Manager Chen"
	}
	claimed, _ := srv.Message(staffGroup, card.MessageID)
	if !strings.Contains(claimed.Text, "✋ 已由"+owner+"认领") || hasButton(claimed, notify.DataCardClaim) || !hasButton(claimed, "m:ra:") {
		t.Errorf("claimed card: %s", claimed)
	}

	// The private copy is edited to say who claimed it, its actions kept.
	waitFor(t, func() bool {
		c, _ := srv.Message(3002, copy2.MessageID)
		return strings.Contains(c.Text, "订单 "+n+" 需要审核") && strings.Contains(c.Text, "✋ 已由"+owner+"认领") && hasButton(c, "m:ra:")
	})

	// Accept from the group: the dialog goes on in the presser's private chat; the group's
	// card and the private copy are edited to say who took it.
	a = answerOf(t, srv, srv.Press(t, rep1.u, claimed, "m:ra:"+n))
	if a.Text != "Continue in your private chat with me." {
		t.Errorf("answer to Accept in the group: %+v", a)
	}
	rep1.expect("proposed")
	waitFor(t, func() bool {
		m, _ := srv.Message(staffGroup, card.MessageID)
		c, _ := srv.Message(3002, copy2.MessageID)
		return strings.Contains(m.Text, "已由 Rep Li 处理") && len(m.InlineKeyboard) == 0 &&
			strings.Contains(c.Text, "已由 Rep Li 处理") && len(c.InlineKeyboard) == 0
	})
	if c := countWith(srv.SentTo(3001), "needs review"); c != 0 {
		t.Errorf("Rep Li, who gets no copies, got %d private review cards", c)
	}
	if c := countWith(sends(srv.SentTo(staffGroup)), "需要审核"); c != 1 {
		t.Errorf("the group got %d review cards, want 1", c)
	}

	// An unassigned complaint with a photo: the card and the photo go to the group.
	cust2 := newChat(t, srv, 1001, "en")
	n2 := deliveredOrder(t, bed, cust2, 0)
	cust2.send("/complain")
	cust2.expect("What went wrong with order " + n2)
	srv.SendPhoto(cust2.u, "photo-torn-seat", "")
	cust2.expect("Photo received (1)")
	cust2.send("座椅破了")
	cust2.expect("is registered")
	got := group.expectEach([]string{"第1号投诉：订单 " + n2, "座椅破了", "先点击“认领”者负责"},
		[]string{"第1号投诉（订单 " + n2 + "）的照片"})
	ccard, photo := got[0], got[1]
	if photo.Photo == nil || photo.Photo.Ref != "photo-torn-seat" {
		t.Errorf("the complaint's photo was not forwarded by its file id: %s", photo)
	}
	ccopy := rep2.expect("第1号投诉：订单 " + n2)
	if !hasButton(ccard, "m:cp:c:1") || !hasButton(ccopy, "m:cp:c:1") {
		t.Fatalf("complaint cards without Claim: %s / %s", ccard, ccopy)
	}
	a = answerOf(t, srv, srv.Press(t, rep1.u, ccard, "m:cp:c:1"))
	rep1.expect("Complaint #1 about order " + n2 + " is yours now.")
	waitFor(t, func() bool {
		m, _ := srv.Message(staffGroup, ccard.MessageID)
		c, _ := srv.Message(3002, ccopy.MessageID)
		return strings.Contains(m.Text, "✋ 已由Rep Li认领") && !hasButton(m, "m:cp:c:") && hasButton(m, "m:cp:r:") &&
			strings.Contains(c.Text, "✋ 已由Rep Li认领") && !hasButton(c, "m:cp:c:")
	})
	if c, _, err := bed.Complaints.Complaint(ctx, orders.Operator, 1); err != nil || c.Rep != 3001 {
		t.Fatalf("complaint owner: %+v %v", c, err)
	}

	// The rep answers with a photo from the group's card: the customer gets the words and the
	// photo, by its file id.
	srv.Press(t, rep1.u, ccard, "m:cp:r:1")
	rep1.expect("Write your message about complaint #1")
	srv.SendPhoto(rep1.u, "photo-new-seat", "A new seat is on its way")
	rep1.expect("Passed on")
	cust2.expectEach([]string{"About your complaint #1 (order " + n2 + "), Rep Li writes:", "A new seat is on its way"},
		[]string{"Photo of complaint #1 (order " + n2 + ")"})
	var forwarded bool
	for _, m := range srv.SentTo(1001) {
		forwarded = forwarded || (m.Photo != nil && m.Photo.Ref == "photo-new-seat")
	}
	if !forwarded {
		t.Error("the rep's photo did not reach the customer")
	}

	srv.SendGroupText(rep1.u, staffGroup, "/unbindgroup")
	group.expect("Only a manager of the desk can bind or unbind")
	srv.SendGroupText(mgr.u, staffGroup, "/unbindgroup@test_bot")
	group.expect("本群不再接收卡片")
	if _, err := bed.Group().Current(ctx); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("after /unbindgroup: %v", err)
	}
}

// The staff group follows its chat: when the group becomes a supergroup the binding moves
// to the new id and cards go there; when the bot is removed from it the binding ends and
// staff get their cards privately again. Group messages keep to Telegram's 20 a minute:
// the fake answers 429 past that, and the notifier never meets one.
func TestStaffGroupMigratedRemovedAndThrottled(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	tg, rep, mgr := liAndChenInBoundGroup(t, bed, true)
	srv := tg.Server

	unreachable := func(subject string) {
		t.Helper()
		var ns []orders.Notification
		for _, id := range []int64{3001, 3009} {
			ns = append(ns, orders.NewNotification(orders.NoticeCustomerUnreachable, id,
				orders.NoticeCustomerUnreachable+":"+subject+":"+strconv.FormatInt(id, 10),
				orders.Notice{Lang: "en", Customer: "Wei " + subject, Note: orders.NoticeStatusChanged}, time.Time{}))
		}
		if err := bed.Store.QueueNotices(ctx, "", ns); err != nil {
			t.Fatal(err)
		}
	}

	super := srv.MigrateGroup(staffGroup)
	waitFor(t, func() bool { g, err := bed.Group().Current(ctx); return err == nil && g.ChatID == super })
	unreachable("A")
	sg := groupChat(t, srv, super)
	card := sg.expect("Wei A")
	if !hasButton(card, notify.DataCardClaim) {
		t.Errorf("unreachable notice in the group without Claim: %s", card)
	}
	if old := sends(srv.SentTo(staffGroup)); len(old) != 1 {
		t.Errorf("the old group got %d messages, want only the binding's", len(old))
	}

	srv.RemoveBot(super, mgr.u)
	waitFor(t, func() bool { _, err := bed.Group().Current(ctx); return errors.Is(err, orders.ErrNotFound) })
	unreachable("B")
	rep.expect("Wei B")
	mgr.expect("Wei B")

	// Telegram's limit, as the fake keeps it: the 21st message to a group within a minute
	// is refused with 429 and retry_after.
	other := int64(-4077)
	srv.AddGroup(other, "Another team", mgr.u)
	for i := range 21 {
		_, err := tg.Bot.SendNotice(ctx, other, notify.Message{Text: "message " + strconv.Itoa(i)})
		var ra interface{ RetryAfter() time.Duration }
		switch {
		case i < 20 && err != nil:
			t.Fatalf("message %d: %v", i, err)
		case i == 20 && (!errors.As(err, &ra) || ra.RetryAfter() < time.Second):
			t.Fatalf("the 21st message in a minute: %v, want 429 with retry_after", err)
		}
	}

	// The notifier spaces a group's messages (one every 3.1 s), and the bot's own messages
	// there take the same tokens: a burst of cards to the group never meets a 429.
	third := int64(-4099)
	srv.AddGroup(third, "Third team", mgr.u, rep.u)
	srv.SendGroupText(mgr.u, third, "/bindgroup")
	bound := groupChat(t, srv, third).expect("This group is now the desk's staff group")
	before := srv.Throttled()
	for _, s := range []string{"C", "D", "E"} {
		unreachable(s)
	}
	tc := groupChat(t, srv, third)
	got := tc.expectEach([]string{"Wei C"}, []string{"Wei D"}, []string{"Wei E"})
	// The bot's own answer to /bindgroup took the same tokens: the first card waits for it.
	times := []time.Time{bound.At, got[0].At, got[1].At, got[2].At}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(times); i++ {
		gap := times[i].Sub(times[i-1])
		t.Logf("group message %d: %v after the one before", i, gap.Round(time.Millisecond))
		if gap < 3*time.Second {
			t.Errorf("two messages to the group %v apart, want at least 3 s (20 a minute)", gap)
		}
	}
	if d := srv.Throttled() - before; d != 0 {
		t.Errorf("the notifier met %d 429 answers from the group", d)
	}
}

// /help names the complaint and team commands for each role, in each language; /bindgroup
// in a private chat says where it belongs.
func TestHelpNamesComplaintsAndTheGroup(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	addStaff(t, bed,
		orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true, Language: "en"},
		orders.Staff{TelegramID: 3002, Name: "Rep Wang", Role: orders.RoleRep, Active: true, Language: "zh"},
		orders.Staff{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "zh"},
		orders.Staff{TelegramID: 3008, Name: "Manager Ma", Role: orders.RoleManager, Active: true, Language: "en"})
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	srv := tg.Server
	for _, c := range []struct {
		id      int64
		lang    string
		want    []string
		notWant []string
	}{
		{1000, "en", []string{"/complain — a problem with an order?"}, []string{"/complaints", "/bindgroup"}},
		{1001, "zh", []string{"/complain — 订单有问题？"}, []string{"/complaints", "/bindgroup"}},
		{3001, "en", []string{"/complaints — complaints waiting for the desk", "/groupcopies on|off"}, []string{"/bindgroup", "/invite"}},
		{3002, "zh", []string{"/complaints — 待处理的投诉", "/groupcopies 开启|关闭"}, []string{"/bindgroup", "/invite"}},
		{3009, "zh", []string{"/complaints — 待处理的投诉", "/invite 业务员|经理", "/bindgroup、/unbindgroup — 在团队群里发送", "/language — 在员工群里发送"}, nil},
		{3008, "en", []string{"/complaints", "/invite rep|manager", "/bindgroup, /unbindgroup — send in the team's group", "/language — sent in the staff group"}, nil},
	} {
		ch := newChat(t, srv, c.id, c.lang)
		ch.send("/help")
		m := ch.expect(c.want...)
		for _, w := range c.notWant {
			if strings.Contains(m.Text, w) {
				t.Errorf("help of %d names %s:\n%s", c.id, w, m.Text)
			}
		}
	}
	newChat(t, srv, 3008, "en").send("/bindgroup")
	newChat(t, srv, 3008, "en").expect("Add me to the team's group chat and send /bindgroup there.")
	newChat(t, srv, 3009, "zh").send("/bindgroup")
	newChat(t, srv, 3009, "zh").expect("请先把我加入团队的群聊")
}

// Through a webhook, a press in the group is not answered blank by the webhook's response:
// the worker answers it with its words (refused, or claimed).
func TestStaffGroupPressesThroughWebhook(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	addStaff(t, bed, orders.Staff{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "en"})
	tg := bed.StartTelegram(testbed.TelegramOptions{Webhook: true})
	bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	srv := tg.Server
	mgr := newChat(t, srv, 3009, "en")
	stranger := telegramtest.User{ID: 5000, FirstName: "Guest", LanguageCode: "zh"}
	srv.AddGroup(staffGroup, "Sales team", mgr.u, stranger)
	srv.SendGroupText(mgr.u, staffGroup, "/bindgroup")
	group := groupChat(t, srv, staffGroup)
	group.expect("This group is now the desk's staff group")
	if err := bed.Store.QueueNotices(ctx, "", []orders.Notification{orders.NewNotification(orders.NoticeCustomerUnreachable, 3009,
		orders.NoticeCustomerUnreachable+":x:3009", orders.Notice{Lang: "en", Customer: "Wei X"}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	card := group.expect("Wei X")
	if a := answerOf(t, srv, srv.Press(t, stranger, card, notify.DataCardClaim)); a.Text != "只有本店员工可以使用这些按钮。" || !a.ShowAlert {
		t.Errorf("answer to a stranger: %+v", a)
	}
	if a := answerOf(t, srv, srv.Press(t, mgr.u, card, notify.DataCardClaim)); a.Text != "It is yours now." {
		t.Errorf("answer to the manager: %+v", a)
	}
	if m, _ := srv.Message(staffGroup, card.MessageID); !strings.Contains(m.Text, "✋ Claimed by Manager Chen") || hasButton(m, notify.DataCardClaim) {
		t.Errorf("claimed card: %s", m)
	}
}

// A card sent to the staff group after it became a supergroup, before the bot heard of it
// (Telegram answers 400 with migrate_to_chat_id), follows the group: the binding moves and
// the card is sent to the new id.
func TestStaffGroupCardFollowsMigration(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	addStaff(t, bed, orders.Staff{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "zh"})
	st, err := bed.Service.Staff(ctx, 3009)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bed.Group().Bind(ctx, orders.StaffActor(st), staffGroup, "Sales team", "zh"); err != nil {
		t.Fatal(err)
	}
	nt := bed.StartNotifier(testbed.NotifierOptions{}) // no polling: the migration's update is never read
	srv := nt.Server
	srv.AddGroup(staffGroup, "Sales team", telegramtest.User{ID: 3009, FirstName: "Chen"})
	super := srv.MigrateGroup(staffGroup)
	if err := bed.Store.QueueNotices(ctx, "", []orders.Notification{orders.NewNotification(orders.NoticeCustomerUnreachable, 3009,
		orders.NoticeCustomerUnreachable+":y:3009", orders.Notice{Lang: "zh", Customer: "Wei Y"}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	groupChat(t, srv, super).expect("Wei Y")
	if g, err := bed.Group().Current(ctx); err != nil || g.ChatID != super {
		t.Errorf("staff group after the migration: %+v %v", g, err)
	}
	if rs := srv.Rejections(staffGroup); len(rs) != 1 || rs[0].Code != 400 {
		t.Errorf("sends to the old id: %+v", rs)
	}
}
