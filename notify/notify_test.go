package notify_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// expectText waits for the oldest message to chat containing first and checks the others.
func expectText(t *testing.T, srv *telegramtest.Server, chat int64, first string, more ...string) telegramtest.Sent {
	t.Helper()
	m := srv.ExpectText(t, chat, first, 20*time.Second)
	for _, s := range more {
		if !containsText(m, s) {
			t.Errorf("chat %d: message %q lacks %q", chat, m.Text, s)
		}
	}
	return m
}

func containsText(m telegramtest.Sent, s string) bool {
	return strings.Contains(m.Text, s) || strings.Contains(m.PlainText, s)
}

func decimalOf(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantButtons(t *testing.T, m telegramtest.Sent, want [][]string) {
	t.Helper()
	if got := buttons(m); !reflect.DeepEqual(got, want) {
		t.Errorf("buttons of %q:\n got %v\nwant %v", m.Text, got, want)
	}
}

// TestEveryKindArrivesOnce drives orders through the service and checks that each
// notification arrives once, in its recipient's language, with the order number and its
// buttons.
func TestEveryKindArrivesOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	e.start(srv, nil)
	ctx := e.ctx
	asAlice, asMei := orders.StaffActor(alice), orders.StaffActor(mei)

	// An order that needs review: a card to every staff member in their language.
	o := e.place(wang, "CHAIR-300", 9, e.today().AddDays(14))
	num := o.Number
	review := [][]string{{"m:ra:" + num}, {"m:rd:" + num, "m:rr:" + num}}
	wantButtons(t, expectText(t, srv, alice.TelegramID, "Order "+num+" needs review", "Customer: 王芳", "not enough stock", "Suggested date"), review)
	boCard := expectText(t, srv, bo.TelegramID, "订单 "+num+" 需要审核", "客户：王芳", "库存不足")
	wantButtons(t, boCard, review)
	meiCard := expectText(t, srv, mei.TelegramID, "订单 "+num+" 需要审核")
	wantButtons(t, meiCard, review)

	// Alice accepts: the customer is asked to confirm, the other cards say who took it.
	if _, err := e.svc.Review(ctx, "", num, asAlice, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	confirm := expectText(t, srv, wang.TelegramID, "请确认订单 "+num, "大班椅", "合计：¥11,520.00", "承诺交期", "生产前应付订金：¥3,456.00")
	wantButtons(t, confirm, [][]string{{"m:oc:" + num, "m:od:" + num}})
	for _, card := range []telegramtest.Sent{boCard, meiCard} {
		edit := expectText(t, srv, card.ChatID, "订单 "+num+" 已由 Alice 处理")
		if edit.Method != "editMessageText" || edit.MessageID != card.MessageID || len(edit.InlineKeyboard) != 0 {
			t.Errorf("chat %d: review_taken is %s of message %d with %d button rows, want an edit of %d without buttons",
				card.ChatID, edit.Method, edit.MessageID, len(edit.InlineKeyboard), card.MessageID)
		}
	}

	// The customer confirms: the responsible rep is told.
	if _, err := e.svc.CustomerDecide(ctx, "", num, wang.TelegramID, true); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, alice.TelegramID, "Order "+num, "is now confirmed")

	// Deposit, production, quality check, shipment, delivery and the survey.
	if _, err := e.svc.RecordPayment(ctx, "", num, decimalOf(t, "3456.00"), "bank_transfer", asAlice); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, wang.TelegramID, "已收到订单 "+num+" 的付款：¥3,456.00", "已付订金", "可以开始生产")
	var last telegramtest.Sent
	for _, step := range []struct {
		to   orders.Status
		opt  orders.AdvanceOptions
		want []string
	}{
		{orders.StatusInProduction, orders.AdvanceOptions{}, []string{"订单 " + num + " 正在生产", "下一步"}},
		{orders.StatusQualityCheck, orders.AdvanceOptions{}, []string{"订单 " + num + " 正在质检"}},
		{orders.StatusShipped, orders.AdvanceOptions{Carrier: "SF Express", Tracking: "SF1234567890"},
			[]string{"订单 " + num + " 已发货", "承运商：SF Express", "运单号：SF1234567890"}},
		{orders.StatusDelivered, orders.AdvanceOptions{}, []string{"订单 " + num + " 已签收"}},
	} {
		if _, err := e.svc.Advance(ctx, "", num, step.to, asAlice, step.opt); err != nil {
			t.Fatalf("advance to %s: %v", step.to, err)
		}
		last = expectText(t, srv, wang.TelegramID, step.want[0], step.want[1:]...)
	}
	survey := expectText(t, srv, wang.TelegramID, "订单 "+num+" 已送达", "1（很差）到 5（很好）")
	if survey.MessageID < last.MessageID {
		t.Errorf("the survey (message %d) came before the news of the delivery (message %d)", survey.MessageID, last.MessageID)
	}
	var rate []string
	for i := 1; i <= 5; i++ {
		rate = append(rate, "m:rate:"+num+":"+strconv.Itoa(i))
	}
	wantButtons(t, survey, [][]string{rate})

	// An English customer's order from stock; they ask to move the date, a manager agrees.
	o2 := e.place(smith, "CHAIR-100", 2, e.today().AddDays(10))
	num2 := o2.Number
	moved := e.bed.Rules.AddWorkingDays(o2.PromisedDate, 3)
	cr, _, err := e.svc.RequestChange(ctx, "", smith.TelegramID, orders.ChangeRequest{Number: num2, Kind: orders.ChangeDate,
		Date: moved, Reason: "force majeure"})
	if err != nil {
		t.Fatal(err)
	}
	change := expectText(t, srv, mei.TelegramID, "订单 "+num2+"：John Smith 申请修改", "force majeure")
	id := strconv.FormatInt(cr.ID, 10)
	wantButtons(t, change, [][]string{{"m:ca:" + id, "m:cr:" + id}})
	if _, _, err := e.svc.DecideChange(ctx, "", cr.ID, asMei, true, "ok"); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, smith.TelegramID, "Your change to order "+num2+" is approved")
	expectText(t, srv, smith.TelegramID, "The delivery date of order "+num2+" changed from "+i18n.Date(i18n.EN, o2.PromisedDate.Year, o2.PromisedDate.Month, o2.PromisedDate.Day),
		i18n.Date(i18n.EN, moved.Year, moved.Month, moved.Day), "Reason: force majeure")

	// A rep orders for a customer who never chose a language: English.
	o3, _, err := e.svc.PlaceFor(ctx, e.draft(lee, "CHAIR-100", 1, e.today().AddDays(7)), asAlice)
	if err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, lee.TelegramID, "A sales rep placed order "+o3.Number+" for you", "Office chair Classic", "Total: ¥299.00")

	// Nothing else, and nothing twice.
	states := e.settled(20*time.Second, orders.NoticeDeliveryReminder)
	if states["failed"] != 0 || states["uncertain"] != 0 {
		t.Errorf("outbox: %v", states)
	}
	for _, chat := range []int64{alice.TelegramID, bo.TelegramID, mei.TelegramID, wang.TelegramID, smith.TelegramID, lee.TelegramID} {
		quiet(t, srv, chat, 1500*time.Millisecond)
	}
	if n := srv.Throttled(); n != 0 {
		t.Errorf("the fake server answered 429 %d times", n)
	}
}
