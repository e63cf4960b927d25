package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
)

// toSummary walks a customer through the order dialog to the summary.
func toSummary(c *chat, sku, option, qty string) {
	c.t.Helper()
	c.send("/neworder")
	c.expect("Which product")
	c.send(sku)
	c.expect("Choose the colour")
	c.press(option)
	c.expect("How many")
	c.send(qty)
	c.expect("Your order so far")
	c.press("Continue")
	c.expect("What name")
	c.press("Wei Zhang")
	c.expect("Your phone number")
	c.srv.SendContact(c.u, "+86 138 0013 8000", "Wei")
	c.expect("Delivery address")
	c.srv.SendLocation(c.u, 31.2304, 121.4737)
	c.expect("Delivery date?")
	c.send("2026-12-18")
	c.expect("How will you pay")
	c.press("Alipay")
	c.expect("Any notes")
	c.press("Skip")
	c.expect("Please check your order")
}

func TestOrderThroughTelegram(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	c := newChat(t, tg.Server, 1101, "en")
	c.send("/start")
	c.expect("What would you like to do?")
	toSummary(c, "PHONE-X1", "green", "3")
	summary := c.last
	if !strings.Contains(summary.Text, "Phone X1 128GB (green) × 3 pcs @ ¥2,499.00 = ¥7,497.00 · from stock") ||
		!strings.Contains(summary.Text, "Shared location 31.23040, 121.47370") {
		t.Errorf("summary:\n%s", summary.Text)
	}
	// The contact button was offered as a reply keyboard and removed after use.
	var offered, removed bool
	for _, m := range tg.Server.SentTo(c.u.ID) {
		for _, row := range m.ReplyKeyboard {
			for _, b := range row {
				offered = offered || b.RequestContact
			}
		}
		removed = removed || m.RemoveKeyboard
	}
	if !offered || !removed {
		t.Errorf("contact keyboard offered=%v removed=%v", offered, removed)
	}
	c.press("Confirm")
	c.expect("Order SO-20261127-0001 is confirmed. Delivery on Fri 18 Dec 2026")
	o, err := bed.Service.Order(context.Background(), "SO-20261127-0001")
	if err != nil || o.Status != orders.StatusConfirmed || o.Customer.TelegramID != c.u.ID || o.PaymentMethod != "alipay" {
		t.Fatalf("order = %+v, %v", o, err)
	}
	if n := len(tg.Server.AnsweredCallbacks()); n == 0 {
		t.Error("button presses were not answered")
	}
	// The next order offers the saved contact and address.
	c.send("/neworder")
	c.send("TSHIRT-01")
	c.expect("Choose the colour")
	c.press("white")
	c.expect("Choose the size")
	c.press("M")
	c.send("2")
	c.expect("Your order so far")
	c.press("Continue")
	c.expect("Contact for this order: Wei Zhang, phone +8613800138000. Use these?")
	c.press("Use these")
	c.expect("Choose a saved one")
	c.press("Shared location")
	c.expect("Delivery date?")
}

// Fifty customers reach the summary while ten units are left, then all confirm at once:
// exactly ten orders reserve stock, and every customer gets an answer.
func TestFiftyCustomersRaceForTheLastTen(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	p, _ := bed.Service.Product(ctx, "CHAIR-300")
	p.OnHand = 10
	if _, err := bed.Service.ImportProducts(ctx, []orders.Product{p}); err != nil {
		t.Fatal(err)
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	const n = 50
	chats := make([]*chat, n)
	var wg sync.WaitGroup
	for i := range chats {
		chats[i] = newChat(t, tg.Server, int64(20000+i), "en")
		wg.Add(1)
		go func(c *chat) {
			defer wg.Done()
			toSummary(c, "CHAIR-300", "black", "1")
		}(chats[i])
	}
	wg.Wait()
	for _, c := range chats {
		if !strings.Contains(c.last.Text, "· from stock") {
			t.Fatalf("chat %d summary without stock: %s", c.u.ID, c.last.Text)
		}
		c.press("Confirm")
	}
	confirmed, changed := 0, 0
	for _, c := range chats {
		m := c.expect("") // the first answer to Confirm
		switch {
		case strings.Contains(m.Text, "is confirmed"):
			confirmed++
		case strings.Contains(m.Text, "Stock changed while you were ordering: only 0 of Executive chair") &&
			strings.Contains(m.Text, "Please check your order") && strings.Contains(m.Text, "· production"):
			changed++
		default:
			t.Errorf("chat %d: unexpected answer %q", c.u.ID, m.Text)
		}
	}
	if confirmed != 10 || changed != 40 {
		t.Errorf("confirmed %d, told stock changed %d; want 10 and 40", confirmed, changed)
	}
	p, _ = bed.Service.Product(ctx, "CHAIR-300")
	if p.Reserved != 10 {
		t.Errorf("reserved %d, want 10", p.Reserved)
	}
	os, _ := bed.Service.Orders(ctx, orders.OrderFilter{})
	if len(os) != 10 {
		t.Errorf("%d orders, want 10", len(os))
	}
}

// Confirm pressed twice, and its update delivered again, make one order.
func TestDoubleConfirmAndRedeliveryMakeOneOrder(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	c := newChat(t, tg.Server, 1201, "en")
	toSummary(c, "CHAIR-100", "grey", "4")
	summary := c.last
	b, _ := summary.ButtonByText("Confirm")
	first := tg.Server.Press(t, c.u, summary, b.CallbackData)
	tg.Server.Press(t, c.u, summary, b.CallbackData)
	c.expect("SO-20261127-0001 is confirmed")
	c.expect("Order SO-20261127-0001 is already placed")
	if err := tg.Server.Redeliver(first); err != nil {
		t.Fatal(err)
	}
	c.send("/myorders")
	m := c.expect("Your orders")
	if len(m.InlineKeyboard) != 1 {
		t.Errorf("myorders shows %d orders, want 1: %v", len(m.InlineKeyboard), m.InlineKeyboard)
	}
	os, _ := bed.Service.Orders(context.Background(), orders.OrderFilter{})
	if len(os) != 1 {
		t.Errorf("%d orders, want 1", len(os))
	}
	p, _ := bed.Service.Product(context.Background(), "CHAIR-100")
	if p.Reserved != 4 {
		t.Errorf("reserved %d, want 4", p.Reserved)
	}
}

// The bot restarts in the middle of a conversation; the customer goes on where they were.
func TestRestartMidConversation(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	c := newChat(t, tg.Server, 1301, "zh")
	c.send("/neworder")
	c.send("JACKET-02")
	c.expect("的颜色")
	c.press("卡其色")
	c.expect("的尺码")
	tg.Stop()
	bed.StartTelegram(testbed.TelegramOptions{Server: tg.Server})
	c.press("XL")
	c.expect("工装夹克（卡其色，XL）需要多少")
	c.send("12")
	c.expect(fmt.Sprintf("已添加工装夹克（卡其色，XL） × %d件", 12))
}
