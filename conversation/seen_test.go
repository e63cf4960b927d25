package conversation_test

import (
	"strings"
	"testing"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/orders"
)

// Each test here is a point a customer or a rep saw before, now answered as they meant it.

func TestCategoryWordAtTheProductQuestion(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	for _, lang := range []string{"en", "zh"} {
		d := newDriver(t, k.bed, map[string]int64{"en": 6101, "zh": 6102}[lang], lang)
		d.cmd("/neworder")
		d.text("椅子")
		d.expect(label(d, "Office chair Classic", "经典办公椅"), label(d, "Executive chair", "大班椅"))
		if strings.Contains(d.shown(), "No product matches") || strings.Contains(d.shown(), "没有与") {
			t.Errorf("%s: 椅子 refused:\n%s", lang, d.shown())
		}
		// Back from a category's products is the list of categories.
		d.press(label(d, "Back", "返回"))
		d.expect(label(d, "Which product would you like?", "您要订购什么商品"))
		// Back again with an empty cart says the order is dropped before the menu.
		d.press(label(d, "Back", "返回"))
		d.expect(label(d, "Cancelled. Nothing was ordered.", "已取消，没有下任何订单。"), label(d, "What would you like to do?", "请选择您要办理的事项"))
	}
}

func TestQuantitiesAsPeopleTypeThem(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	for i, q := range []struct{ in, want string }{
		{"10把", "× 10把"}, {"10 pcs", "× 10把"}, {"300把", "× 300把"}, {"我要10把", "× 10把"}, {"十", "× 10把"}, {"两个", "× 2把"}, {"一百二十", "× 120把"},
	} {
		d := newDriver(t, k.bed, int64(6200+i), "zh")
		d.cmd("/neworder")
		d.text("经典办公椅")
		d.text("灰色")
		d.text(q.in)
		d.expect(q.want)
	}
}

func TestDatesAsPeopleTypeThem(t *testing.T) {
	today := orders.Date{Year: 2026, Month: 11, Day: 27} // a Friday
	for _, tt := range []struct{ in, want string }{
		{"明天送", "2026-11-28"}, {"下周一", "2026-11-30"}, {"月底", "2026-11-30"}, {"3天后", "2026-11-30"},
		{"next Friday", "2026-12-04"}, {"12月3号上午", "2026-12-03"}, {"下个月5号", "2026-12-05"},
		{"12月15日之前都行", "2026-12-15"}, {"十二月五日", "2026-12-05"},
	} {
		d, err := conversation.ParseDate(tt.in, today, orders.DefaultRules())
		if err != nil || d.String() != tt.want {
			t.Errorf("ParseDate(%q) = %s, %v; want %s", tt.in, d, err, tt.want)
		}
	}
}

// Typed button labels work on every screen, in either language.
func TestTypedButtonLabels(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	c := newDriver(t, k.bed, 6301, "zh")
	orderChair(c, "2")
	c.text("修改")
	c.text("地址")
	c.expect("收货地址？")
	c.text("收货地址：上海市黄浦区南京东路88号")
	c.expect("请核对您的订单", "地址：上海市黄浦区南京东路88号")

	// Typed 中文 / English at the language question.
	e := newDriver(t, k.bed, 6302, "en")
	e.cmd("/language")
	e.text("中文")
	e.expect("已切换为中文")
	e.cmd("/language")
	e.text("English")
	e.expect("Language set to English")
}

// The /status question is dropped once an order is shown another way.
func TestStatusPromptDoesNotLinger(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	n := k.place(t, "CHAIR-100", "black", "2")
	c := k.customer
	c.cmd("/status")
	c.expect("Which order?")
	c.cmd("/status " + strings.ToLower(n))
	c.expect("Order " + n)
	c.text("hello")
	if strings.Contains(c.shown(), "An order number looks like") {
		t.Errorf("the old question answered hello:\n%s", c.shown())
	}
}

// Staff read notes and the payment method on the card, a payment's amount is checked at
// once, typed in Chinese, and a cancelled order shows no deposit.
func TestStaffCardAndPayments(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	c := k.customer
	c.cmd("/neworder")
	c.text("CHAIR-300")
	c.press("black")
	c.text("20")
	c.press("Continue")
	c.press("Wei Zhang")
	c.text("13800138000")
	c.text("No. 1 Century Avenue, Shanghai")
	c.text("2026-12-20")
	c.text("支付宝")
	c.text("Please call before delivery")
	c.press("Confirm")
	n := orderNumber(c.shown())

	r := k.rep1
	r.cmd("/orders 待评审")
	r.expect("Orders to review: 1")
	r.cmd("/status " + n)
	r.expect("Notes: Please call before delivery", "Payment: Alipay", "Deposit due: ¥7,680.00 (30% before production starts)")
	r.press("Set another date")
	r.expect("the estimate is Tue 8 Dec 2026", "[December 2026]")
	if strings.Contains(r.shown(), "the estimate is .") {
		t.Errorf("empty estimate:\n%s", r.shown())
	}
	r.text("2026-12-21")
	c.pressData("m:oc:" + n)
	r.cmd("/status " + n)
	r.press("Record a payment")
	r.text("30000")
	r.expect("¥30,000.00 is more than the ¥25,600.00 still owed", "Payment for "+n)
	r.text("5千")
	r.expect("How were the ¥5,000.00 paid?")
	r.text("支付宝")
	r.expect("¥5,000.00 recorded for "+n, "paid ¥5,000.00, owed ¥20,600.00")
	m := k.manager
	m.cmd("/status " + n)
	m.press("Cancel order")
	m.text("Customer changed plans")
	if s := m.shown(); strings.Contains(s, "Deposit due") {
		t.Errorf("a cancelled order shows a deposit:\n%s", s)
	}
}

// Answers are understood, not stored word for word.
func TestAnswersAreUnderstood(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	c := newDriver(t, k.bed, 6401, "zh")
	c.cmd("/neworder")
	c.text("培训椅")
	c.text("灰色")
	c.text("要")
	c.text("3把")
	c.expect("培训椅（灰色，带写字板） × 3把")
	c.press("下一步")
	c.text("王小明")
	c.text("13800138000")
	c.text("送到北京市朝阳区建国路1号")
	c.text("12月10日")
	c.text("银行转账")
	c.text("没有")
	c.expect("请核对您的订单", "地址：北京市朝阳区建国路1号")
	if strings.Contains(c.shown(), "备注") {
		t.Errorf("没有 stored as a note:\n%s", c.shown())
	}
	c.press("确认")
	o := k.order(t, orderNumber(c.shown()))
	if o.Notes != "" || o.DeliveryAddress != "北京市朝阳区建国路1号" {
		t.Errorf("notes %q, address %q", o.Notes, o.DeliveryAddress)
	}
	// The carrier question takes the tracking number too.
	r := k.rep1
	r.u.LanguageCode = "zh"
	r.cmd("/status " + o.Number)
	r.press("发货")
	r.text("顺丰 SF1234567890")
	o = k.order(t, o.Number)
	if o.Status != orders.StatusShipped || o.Carrier != "顺丰速运" || o.Tracking != "SF1234567890" {
		t.Errorf("shipped as %s, %q, %q:\n%s", o.Status, o.Carrier, o.Tracking, r.shown())
	}
}
