package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
)

// pressData presses the button of m whose callback data starts with prefix.
func (c *chat) pressData(m telegramtest.Sent, prefix string) int64 {
	c.t.Helper()
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				return c.srv.Press(c.t, c.u, m, b.CallbackData)
			}
		}
	}
	c.t.Fatalf("chat %d: no button %s… on %q", c.u.ID, prefix, m.Text)
	return 0
}

// A customer, two reps and a manager run the order desk through Telegram: review cards to
// every rep (two press at once, one wins, the other's card says who took it), the
// customer's confirmation, the deposit gate, rework, shipment with tracking, delivery and
// the survey, completion, and change requests approved and rejected, a cancellation
// releasing stock — with every notification arriving once.
func TestOrderDeskThroughTelegram(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	for _, s := range []orders.Staff{
		{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true},
		{TelegramID: 3002, Name: "Rep Wang", Role: orders.RoleRep, Active: true, Language: "zh"},
		{TelegramID: 3009, Name: "Manager Chen", Role: orders.RoleManager, Active: true},
	} {
		if _, err := bed.Service.AddStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	srv := tg.Server
	cust := newChat(t, srv, 1000, "en")
	rep1, rep2, mgr := newChat(t, srv, 3001, "en"), newChat(t, srv, 3002, "zh"), newChat(t, srv, 3009, "en")

	// 20 executive chairs, 8 in stock: review.
	toSummary(cust, "CHAIR-300", "black", "20")
	cust.press("Confirm")
	cust.expect("SO-20261127-0001 is received")
	const n = "SO-20261127-0001"
	card1 := rep1.expect("Order " + n + " needs review")
	card2 := rep2.expect("订单 " + n + " 需要审核")
	if !strings.Contains(card1.Text, "not enough stock") || !strings.Contains(card1.Text, "Wei Zhang") {
		t.Errorf("review card:\n%s", card1.Text)
	}
	var wg sync.WaitGroup
	for _, x := range []struct {
		c *chat
		m telegramtest.Sent
	}{{rep1, card1}, {rep2, card2}} {
		wg.Add(1)
		go func() { defer wg.Done(); x.c.pressData(x.m, "m:ra:") }()
	}
	wg.Wait()
	// Each rep's answer to the press; the winner's step may also tell the other rep that the
	// review was taken, before or after that rep's own answer.
	answer1 := rep1.expectOneOf("proposed", "has moved on")
	answer2 := rep2.expectOneOf("已确定交期", "状态已变化")
	// rep2 reads Chinese: "已确定交期" is "date … proposed", "状态已变化" "has moved on".
	won1, won2 := strings.Contains(answer1.Text, "proposed"), strings.Contains(answer2.Text, "已确定交期")
	lost1, lost2 := strings.Contains(answer1.Text, "has moved on"), strings.Contains(answer2.Text, "状态已变化")
	if won1 == won2 || won1 != lost2 || won2 != lost1 {
		t.Fatalf("want one winner and one told: %q / %q", answer1.Text, answer2.Text)
	}
	loser, loserCard := rep2, card2
	if won2 {
		loser, loserCard = rep1, card1
	}
	waitFor(t, func() bool {
		m, _ := srv.Message(loser.u.ID, loserCard.MessageID)
		return strings.Contains(m.Text, "Rep") && len(m.InlineKeyboard) == 0
	})

	// The customer confirms from the notification.
	conf := cust.expect("Please confirm order " + n)
	cust.pressData(conf, "m:oc:")
	cust.expect("is confirmed for delivery on Fri 18 Dec 2026")

	// Production waits for the deposit.
	rep1.send("/status " + n)
	rep1.expect("Status: confirmed")
	rep1.press("Start production")
	rep1.expect("cannot go into production yet: the deposit of ¥7,680.00 is not paid")
	rep1.send("/status " + n)
	rep1.expect("Status: confirmed")
	rep1.press("Record a payment")
	rep1.expect("Payment for " + n)
	rep1.press("Deposit")
	rep1.expect("How were the")
	rep1.press("Bank transfer")
	card := rep1.expect("deposit paid", "Order "+n, "Timeline:")
	cust.expect("Payment received for order " + n)
	rep1.pressOn(card, "Start production")
	cust.expect("Order " + n + " is in production")
	card = rep1.expect("Order "+n, "Timeline:")
	rep1.pressOn(card, "Quality check")
	card = rep1.expect("Order "+n, "Timeline:")
	rep1.pressOn(card, "rework")
	cust.expect("goes back to production after the quality check (rework)")
	card = rep1.expect("Order "+n, "Timeline:")
	rep1.pressOn(card, "Quality check")
	card = rep1.expect("Order "+n, "Timeline:")
	rep1.pressOn(card, "Ship")
	rep1.expect("which carrier")
	rep1.send("SF Express")
	rep1.expect("tracking number")
	rep1.send("SF1234567890")
	shipped := cust.expect("Order " + n + " has shipped")
	if !strings.Contains(shipped.Text, "SF1234567890") {
		t.Errorf("shipment notice without tracking:\n%s", shipped.Text)
	}
	card = rep1.expect("Order "+n, "Timeline:")
	rep1.pressOn(card, "Delivered")
	cust.expect("Order " + n + " is delivered")
	survey := cust.expect("How satisfied are you?")
	cust.pressData(survey, "m:rate:"+n+":5")
	cust.expect("Any comment?")
	cust.send("Chairs arrived in perfect shape")
	cust.expect("Thank you for your feedback")
	card = rep1.expect("Order "+n, "Timeline:")
	rep1.pressOn(card, "Complete")
	rep1.expect("cannot be completed yet: only ¥7,680.00 of ¥25,600.00 is paid")
	rep1.send("/status " + n)
	card = rep1.expect("Order "+n, "Timeline:")
	rep1.pressOn(card, "Record a payment")
	rep1.expect("Payment for " + n)
	rep1.press("Balance ¥17,920.00")
	rep1.expect("How were the")
	rep1.press("Bank transfer")
	card = rep1.expect("payment status: paid", "Order "+n, "Timeline:")
	cust.expect("Payment received for order " + n)
	rep1.pressOn(card, "Complete")
	cust.expect("Order " + n + " is completed")
	o, _ := bed.Service.Order(ctx, n)
	if o.Status != orders.StatusCompleted || o.Rating != 5 || o.RatingComment != "Chairs arrived in perfect shape" {
		t.Errorf("completed order: status %s rating %d %q", o.Status, o.Rating, o.RatingComment)
	}

	// Change requests on a second order, from stock: approved, rejected, cancellation.
	cust.send("/neworder")
	cust.send("CHAIR-100")
	cust.expect("Choose the colour")
	cust.press("grey")
	cust.send("10")
	cust.expect("Your order so far")
	cust.press("Continue")
	cust.expect("Use these?")
	cust.press("Use these")
	cust.expect("Delivery address")
	cust.press("Shared location")
	cust.send("2026-12-10")
	cust.expect("How will you pay")
	cust.press("Alipay")
	cust.expect("Any notes")
	cust.press("Skip")
	cust.expect("Please check your order")
	cust.press("Confirm")
	cust.expect("SO-20261127-0002 is confirmed")
	const m = "SO-20261127-0002"
	requestChange := func(kind string, answers ...string) {
		t.Helper()
		cust.send("/status " + m)
		cust.expect("Order " + m)
		cust.press("Request a change")
		cust.expect("What would you like to change")
		cust.press(kind)
		for _, a := range answers {
			cust.expect("")
			cust.send(a)
		}
		cust.expect("was sent to a manager")
	}
	requestChange("Delivery date", "2026-12-22", "Our office moves later")
	req := mgr.expect("Order " + m + ": Wei Zhang asks for a change")
	mgr.pressData(req, "m:ca:")
	mgr.expect("Approved: order " + m + " is changed")
	// Two notifications, in either order.
	srv.ExpectText(t, cust.u.ID, "Your change to order "+m+" is approved", wait)
	srv.ExpectText(t, cust.u.ID, "delivery date of order "+m+" changed from Thu 10 Dec 2026 to Tue 22 Dec 2026", wait)
	cust.send("/status " + m)
	cust.expect("Order " + m)
	cust.press("Request cancellation")
	cust.expect("Why would you like to cancel order " + m)
	cust.send("Budget cut")
	cust.expect("Your request to cancel order " + m + " was sent to a manager")
	req = mgr.expect("Order " + m + ": Wei Zhang asks to cancel it. Reason: Budget cut")
	mgr.pressData(req, "m:cr:")
	mgr.expect("A note for the customer")
	mgr.send("Already packed")
	cust.expect("was not approved: Already packed")
	p, _ := bed.Service.Product(ctx, "CHAIR-100")
	if p.Reserved != 10 {
		t.Errorf("reserved %d before cancelling, want 10", p.Reserved)
	}
	cust.send("/status " + m)
	cust.expect("Order " + m)
	cust.press("Request cancellation")
	cust.expect("Why would you like to cancel order " + m)
	cust.send("Budget cut, final")
	req = mgr.expect("Order " + m + ": Wei Zhang asks to cancel it")
	mgr.pressData(req, "m:ca:")
	cust.expect("Your request to cancel order " + m + " is approved")
	p, _ = bed.Service.Product(ctx, "CHAIR-100")
	o, _ = bed.Service.Order(ctx, m)
	if p.Reserved != 0 || o.Status != orders.StatusCancelled || !o.Modified || o.PromisedDate.String() != "2026-12-22" {
		t.Errorf("after the approved cancellation: reserved %d, %s, modified %v, promised %s", p.Reserved, o.Status, o.Modified, o.PromisedDate)
	}

	// Every notification was sent once.
	var keys []string
	if err := bed.Store.DB().Select(&keys, `SELECT key FROM notifications WHERE status = 'sent' GROUP BY key HAVING count(*) > 1`); err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		t.Errorf("sent twice: %v", keys)
	}
}

// Through Telegram too: a review given another date and then declined by the customer,
// and a review rejected with a reason the customer reads.
func TestReviewOtherDateDeclineAndRejectThroughTelegram(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	if _, err := bed.Service.AddStaff(ctx, orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true}); err != nil {
		t.Fatal(err)
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	bed.StartNotifier(testbed.NotifierOptions{Server: tg.Server})
	cust, rep := newChat(t, tg.Server, 1000, "en"), newChat(t, tg.Server, 3001, "en")

	toSummary(cust, "CHAIR-300", "brown", "20")
	cust.press("Confirm")
	cust.expect("SO-20261127-0001 is received")
	card := rep.expect("Order SO-20261127-0001 needs review")
	rep.pressData(card, "m:rd:")
	rep.expect("Delivery date for SO-20261127-0001?")
	rep.send("2027-01-08")
	rep.expect("you proposed delivery on Fri 8 Jan 2027")
	conf := cust.expect("Please confirm order SO-20261127-0001")
	if !strings.Contains(conf.Text, "Fri 8 Jan 2027") {
		t.Errorf("confirmation without the new date:\n%s", conf.Text)
	}
	cust.pressData(conf, "m:od:")
	cust.expect("SO-20261127-0001 is cancelled as you asked")

	cust.send("/neworder")
	cust.send("DESK-CUSTOM")
	cust.expect("Choose the material")
	cust.press("oak")
	cust.send("1")
	cust.expect("Your order so far")
	cust.press("Continue")
	cust.expect("Use these?")
	cust.press("Use these")
	cust.expect("Delivery address")
	cust.press("Shared location")
	cust.send("2027-01-20")
	cust.expect("How will you pay")
	cust.press("Bank transfer")
	cust.expect("Any notes")
	cust.press("Skip")
	cust.expect("Please check your order")
	cust.press("Confirm")
	cust.expect("SO-20261127-0002 is received")
	card = rep.expect("Order SO-20261127-0002 needs review")
	rep.pressData(card, "m:rr:")
	rep.expect("Why is SO-20261127-0002 rejected")
	rep.send("Oak is out until March")
	rep.expect("rejected and cancelled")
	n := cust.expect("Order SO-20261127-0002 is cancelled")
	if !strings.Contains(n.Text, "Oak is out until March") {
		t.Errorf("cancellation without the reason:\n%s", n.Text)
	}
}

// expectOneOf consumes and returns the chat's oldest message not consumed yet that
// contains one of the texts; other messages stay for later expectations.
func (c *chat) expectOneOf(texts ...string) telegramtest.Sent {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	m, err := c.srv.WaitSent(ctx, c.u.ID, func(m telegramtest.Sent) bool {
		for _, x := range texts {
			if strings.Contains(m.Text, x) {
				return true
			}
		}
		return false
	})
	if err != nil {
		c.t.Fatalf("chat %d: no message with one of %q: %v", c.u.ID, texts, err)
	}
	c.last = m
	return m
}
