package notify_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/orders"
)

// englishWord finds a word of Latin letters in a text meant for a Chinese reader, once the
// order number and the people's own names are taken out.
var englishWord = regexp.MustCompile(`[A-Za-z]{2,}`)

func noEnglish(t *testing.T, m telegramtest.Sent, keep ...string) {
	t.Helper()
	s := m.Text
	for _, k := range keep {
		s = strings.ReplaceAll(s, k, "")
	}
	if w := englishWord.FindString(s); w != "" {
		t.Errorf("chat %d: English %q in a Chinese notification:\n%s", m.ChatID, w, m.Text)
	}
}

// TestHistoryNotesInTheReadersLanguage: what the history says about a step (the customer
// confirmed, declined, cancelled; a change applied before confirmation) reaches a Chinese
// rep and manager in Chinese, an English rep in English.
func TestHistoryNotesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	e.start(srv, nil)
	ctx := e.ctx
	asBo := orders.StaffActor(bo)

	// Bo (Chinese) reviews; the customer confirms: Bo reads 客户已确认.
	o := e.place(wang, "CHAIR-300", 9, e.today().AddDays(14))
	if _, err := e.svc.Review(ctx, "", o.Number, asBo, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, wang.TelegramID, "请确认订单 "+o.Number)
	if _, err := e.svc.CustomerDecide(ctx, "", o.Number, wang.TelegramID, true); err != nil {
		t.Fatal(err)
	}
	noEnglish(t, expectText(t, srv, bo.TelegramID, "订单 "+o.Number+"（王芳）当前状态：已确认", "客户已确认"), o.Number)

	// Another: the customer declines.
	o2 := e.place(wang, "CHAIR-300", 9, e.today().AddDays(14))
	if _, err := e.svc.Review(ctx, "", o2.Number, asBo, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, wang.TelegramID, "请确认订单 "+o2.Number)
	if _, err := e.svc.CustomerDecide(ctx, "", o2.Number, wang.TelegramID, false); err != nil {
		t.Fatal(err)
	}
	noEnglish(t, expectText(t, srv, bo.TelegramID, "订单 "+o2.Number+"（王芳）当前状态", "客户已拒绝"), o2.Number)

	// Another, awaiting the customer: a quantity change applies at once and every rep is
	// told in their language; then the customer cancels it before confirming.
	o3 := e.place(wang, "CHAIR-300", 9, e.today().AddDays(14))
	if _, err := e.svc.Review(ctx, "", o3.Number, asBo, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, wang.TelegramID, "请确认订单 "+o3.Number)
	if _, _, err := e.svc.RequestChange(ctx, "", wang.TelegramID, orders.ChangeRequest{Number: o3.Number, Kind: orders.ChangeQuantity,
		Line: 0, Quantity: 8, Reason: "预算有限"}); err != nil {
		t.Fatal(err)
	}
	noEnglish(t, expectText(t, srv, bo.TelegramID, "订单 "+o3.Number+" 已被", "第1项", "数量改为 8", "预算有限"), o3.Number)
	if _, _, err := e.svc.RequestChange(ctx, "", wang.TelegramID, orders.ChangeRequest{Number: o3.Number, Kind: orders.ChangeCancel,
		Reason: "不需要了"}); err != nil {
		t.Fatal(err)
	}
	noEnglish(t, expectText(t, srv, bo.TelegramID, "订单 "+o3.Number+"（王芳）当前状态：已取消", "客户取消：不需要了"), o3.Number)

	// A pending order cancelled by the customer: every rep is told, each in their language.
	o4 := e.place(wang, "CHAIR-300", 9, e.today().AddDays(14))
	if _, _, err := e.svc.RequestChange(ctx, "", wang.TelegramID, orders.ChangeRequest{Number: o4.Number, Kind: orders.ChangeCancel,
		Reason: "不需要了"}); err != nil {
		t.Fatal(err)
	}
	noEnglish(t, expectText(t, srv, mei.TelegramID, "订单 "+o4.Number+"（王芳）当前状态：已取消", "客户取消：不需要了"), o4.Number)
	expectText(t, srv, alice.TelegramID, "Order "+o4.Number+" (王芳) is now", "cancelled by the customer: 不需要了")
}
