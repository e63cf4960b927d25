package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
)

// deliveredOrder places an order as the customer and moves it to delivered with rep as its
// sales rep (0: none), as the lifecycle would have.
func deliveredOrder(t *testing.T, bed *testbed.Bed, cust *chat, rep int64) string {
	t.Helper()
	toSummary(cust, "CHAIR-300", "black", "2")
	cust.press("Confirm")
	m := cust.expect("Order SO-")
	n := strings.Fields(m.Text[strings.Index(m.Text, "SO-"):])[0]
	var repArg any
	if rep != 0 {
		repArg = rep
	}
	if _, err := bed.Store.DB().ExecContext(context.Background(),
		`UPDATE orders SET status = 'delivered', rep_telegram_id = $2 WHERE number = $1`, n, repArg); err != nil {
		t.Fatal(err)
	}
	return n
}

func countWith(ms []telegramtest.Sent, part string) int {
	n := 0
	for _, m := range ms {
		if strings.Contains(m.Text, part) {
			n++
		}
	}
	return n
}

// A 2-star survey answer opens a complaint that reaches the order's rep in Chinese; the
// first-response deadline (4 working hours) passes and the managers are told exactly once
// however often the periodic check runs; then the rep and the customer talk through the
// bot, each reading the bot's words in their own language, and every message is kept.
func TestComplaintFromSurveyEscalatedAndRelayed(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	for _, s := range []orders.Staff{
		{TelegramID: 3002, Name: "Rep Wang", Role: orders.RoleRep, Active: true, Language: "zh"},
		{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true, Language: "zh"},
		{TelegramID: 3008, Name: "Manager Ma", Role: orders.RoleManager, Active: true, Language: "en"},
	} {
		if _, err := bed.Service.AddStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	nt := bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	srv := tg.Server
	cust, rep := newChat(t, srv, 1000, "en"), newChat(t, srv, 3002, "zh")
	n := deliveredOrder(t, bed, cust, 3002)

	// The survey after delivery; the customer answers 2.
	if err := bed.Store.QueueNotices(ctx, n, []orders.Notification{orders.NewNotification(orders.NoticeSurvey, 1000,
		"survey:"+n, orders.Notice{Lang: "en", Number: n}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	survey := cust.expect("How satisfied are you")
	cust.pressData(survey, "m:rate:"+n+":2")
	cust.expect("Complaint #1 is opened")
	cust.send("The chair arrived with a broken wheel")
	cust.expect("")
	got := rep.expectEach(
		[]string{"第1号投诉：订单 " + n, "满意度评价为2分", "请于11月27日 14:00前答复"},
		[]string{"第1号投诉（订单 " + n + "）：Wei Zhang来信", "The chair arrived with a broken wheel"})
	card := got[0]
	if strings.Contains(card.Text, "认领") {
		t.Errorf("an assigned complaint offers Claim:\n%s", card.Text)
	}

	// Five hours later (past 14:00) nobody answered: each manager is told once.
	bed.Advance(5 * time.Hour)
	for range 3 {
		if err := nt.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	newChat(t, srv, 3009, "zh").expect("已逾期：第1号投诉", "11月27日 14:00前未获答复", "负责人：Rep Wang")
	newChat(t, srv, 3008, "en").expect("Overdue: complaint #1", "had no answer by 27 Nov 14:00")
	if err := nt.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // a second alert, were there one, would be on its way
	if c := countWith(srv.SentTo(3009), "已逾期"); c != 1 {
		t.Errorf("manager told %d times, want once", c)
	}
	if c := countWith(srv.SentTo(3008), "Overdue"); c != 1 {
		t.Errorf("manager told %d times, want once", c)
	}

	// The rep answers from the card; the customer reads it in English, answers back.
	rep.pressData(card, "m:cp:r:1")
	rep.expect("请写下关于第1号投诉的消息")
	rep.send("我们明天给您换一个新轮子。")
	rep.expect("已转达")
	msg := cust.expect("About your complaint #1 (order "+n+"), Rep Wang writes:", "我们明天给您换一个新轮子。")
	cust.pressData(msg, "m:cp:r:1")
	cust.expect("Write your message about complaint #1")
	srv.SendPhoto(cust.u, "photo-wheel", "Thank you, here is the wheel")
	cust.expect("Passed on")
	back := rep.expect("第1号投诉（订单 "+n+"）：Wei Zhang来信", "Thank you, here is the wheel", "1张照片")

	// Resolved by the rep, confirmed by the customer: closed.
	rep.pressData(back, "m:cp:s:1")
	rep.expect("是如何解决的")
	rep.send("新轮子已寄出。")
	rep.expect("第1号投诉已标记为已解决")
	res := cust.expect("Your complaint #1 about order "+n+" is resolved", "新轮子已寄出。")
	cust.pressData(res, "m:cp:y:1")
	cust.expect("Complaint #1 is closed")
	rep.expect("Wei Zhang确认已解决")

	c, ms, err := bed.Complaints.Complaint(ctx, orders.Operator, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != orders.ComplaintClosed || c.Rep != 3002 || c.RespondedAt.IsZero() || !c.ResponseEscalated || c.ResolutionEscalated {
		t.Errorf("complaint: %+v", c)
	}
	var kept []string
	for _, m := range ms {
		kept = append(kept, m.From+": "+m.Text+" "+strings.Join(m.Photos, ","))
	}
	want := []string{
		"customer:1000: The chair arrived with a broken wheel ",
		"rep:3002: 我们明天给您换一个新轮子。 ",
		"customer:1000: Thank you, here is the wheel photo-wheel",
		"rep:3002: 新轮子已寄出。 ",
	}
	if strings.Join(kept, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages kept:\n%s\nwant:\n%s", strings.Join(kept, "\n"), strings.Join(want, "\n"))
	}
	// A better survey answer opens nothing; the same order's survey never opens a second.
	if _, opened, err := bed.Complaints.OpenFromSurvey(ctx, 1000, n, 1); err != nil || opened {
		t.Errorf("second survey complaint: opened %v, %v", opened, err)
	}
}

// A complaint about an order without a rep goes to every rep with Claim: two press at
// once, one owns it and the other is told who; someone no longer on the staff pressing the
// card's buttons is refused and nothing changes. The customer opens it with /complain and
// a photo, and /complaints counts it.
func TestComplaintClaimedOnceAndStaffButtonsRefused(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	for _, s := range []orders.Staff{
		{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true},
		{TelegramID: 3002, Name: "Rep Wang", Role: orders.RoleRep, Active: true, Language: "zh"},
		{TelegramID: 3003, Name: "Rep Zhao", Role: orders.RoleRep, Active: true},
	} {
		if _, err := bed.Service.AddStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	srv := tg.Server
	cust := newChat(t, srv, 1000, "en")
	rep1, rep2, rep3 := newChat(t, srv, 3001, "en"), newChat(t, srv, 3002, "zh"), newChat(t, srv, 3003, "en")
	n := deliveredOrder(t, bed, cust, 0)

	cust.send("/complain")
	cust.expect("What went wrong with order " + n)
	srv.SendPhoto(cust.u, "photo-1", "")
	cust.expect("Photo received (1)")
	cust.send("The seat is torn")
	cust.expect("Your complaint #1 about order " + n + " is registered")

	card1 := rep1.expect("Complaint #1 about order "+n, "The seat is torn", "(1 photos)", "the first to press Claim owns it")
	card2 := rep2.expect("第1号投诉：订单 "+n, "先点击“认领”者负责")
	card3 := rep3.expect("Complaint #1 about order " + n)

	var wg sync.WaitGroup
	for _, x := range []struct {
		c *chat
		m telegramtest.Sent
	}{{rep1, card1}, {rep2, card2}} {
		wg.Add(1)
		go func() { defer wg.Done(); x.c.pressData(x.m, "m:cp:c:1") }()
	}
	wg.Wait()
	// The photo is forwarded to each rep as a message of its own, before or after the answer.
	a1 := rep1.expectOneOf("is yours now", "already taken by Rep Wang")
	a2 := rep2.expectOneOf("由您负责", "已由Rep Li负责")
	for _, id := range []int64{3001, 3002, 3003} {
		waitFor(t, func() bool {
			for _, m := range srv.SentTo(id) {
				if m.Photo != nil && m.Photo.Ref == "photo-1" {
					return true
				}
			}
			return false
		})
	}
	won1, won2 := strings.Contains(a1.Text, "is yours now"), strings.Contains(a2.Text, "由您负责")
	lost1, lost2 := strings.Contains(a1.Text, "already taken by Rep Wang"), strings.Contains(a2.Text, "已由Rep Li负责")
	if won1 == won2 || won1 != lost2 || won2 != lost1 {
		t.Fatalf("want one owner and the other told: %q / %q", a1.Text, a2.Text)
	}
	owner := int64(3001)
	if won2 {
		owner = 3002
	}

	// Rep Zhao leaves the desk, then presses Resolved on the old card.
	if _, err := bed.Store.SaveStaff(ctx, orders.Staff{TelegramID: 3003, Name: "Rep Zhao", Role: orders.RoleRep, Active: false}); err != nil {
		t.Fatal(err)
	}
	// Rep Zhao's card was edited to say who claimed it: no Claim button is left on it.
	ownerName := map[int64]string{3001: "Rep Li", 3002: "Rep Wang"}[owner]
	waitFor(t, func() bool {
		m, _ := srv.Message(3003, card3.MessageID)
		return strings.Contains(m.Text, "✋ Claimed by "+ownerName) && !hasButton(m, "m:cp:c:")
	})
	rep3.pressData(card3, "m:cp:s:1")
	rep3.expect("for sales staff only")
	c, ms, err := bed.Complaints.Complaint(ctx, orders.Operator, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rep != owner || c.Status != orders.ComplaintOpen || len(ms) != 1 || len(ms[0].Photos) != 1 || ms[0].Photos[0] != "photo-1" {
		t.Errorf("after the refused presses: %+v %+v", c, ms)
	}

	rep1.send("/complaints")
	rep1.expect("Complaints: 1 open, 0 answered, 0 resolved awaiting the customer, 0 overdue.")
	cust.send("/complaints")
	cust.expect("for sales staff only")

	// The delivered order's card offers Complain.
	cust.send("/status " + n)
	cust.expect("Order " + n)
	cust.press("Complain")
	cust.expect("What went wrong with order " + n)
	cust.send("And an armrest is loose")
	cust.expect("Your complaint #2 about order " + n + " is registered")
}
