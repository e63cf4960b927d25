package conversation_test

import (
	"strings"
	"testing"
)

// Points a Chinese-speaking rep saw, each asserted: the calendar reads 2026年12月 with
// weekday labels, 「5000元」 is an amount, the tracking question has no stray space, and
// an English-speaking rep may type the method's name (Alipay).
func TestRepAnswersInChinese(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	c := k.customer
	n := placeZH(t, c, "20把黑色大班椅，12月20日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账，备注：无")
	r := k.rep1
	r.cmd("/status " + n)
	r.press("另定交期")
	r.expect("2026年12月", "一", "日")
	if strings.Contains(r.shown(), "12月 2026") || strings.Contains(r.shown(), "2026-12") {
		t.Errorf("the calendar's title is not Chinese:\n%s", r.shown())
	}
	r.text("12月15日")
	c.cmd("/status " + n)
	c.text("可以")
	r.cmd("/status " + n)
	r.press("登记收款")
	r.text("5000元")
	r.expect("¥5,000.00")
	if strings.Contains(r.shown(), "金额格式") || strings.Contains(r.shown(), "请输入金额") && !strings.Contains(r.shown(), "¥5,000.00") {
		t.Errorf("5000元 refused:\n%s", r.shown())
	}
	r.text("银行转账")
	r.expect("已登记订单 " + n + " 收款¥5,000.00")
	// An order to be produced first is refused at the 发货 button, before the carrier is
	// asked.
	r.cmd("/status " + n)
	r.press("发货")
	r.expect("需先投产")
	if strings.Contains(r.shown(), "承运商是") {
		t.Errorf("the carrier asked for an order that cannot ship:\n%s", r.shown())
	}
	r.cmd("/status " + n)
	r.text("这个订单发货了，顺丰 SF1234567890")
	r.expect("需先投产")
	if _, ok := r.button("是"); ok {
		t.Errorf("a Yes offered for a shipment the desk refuses:\n%s", r.shown())
	}
	// From stock, the carrier question, then the tracking question without a stray space.
	s := placeZH(t, c, "10把黑色经典办公椅，12月10日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账，备注：无")
	r.cmd("/status " + s)
	r.press("发货")
	r.text("顺丰")
	r.expect("顺丰速运的运单号")
	if strings.Contains(r.shown(), " 的运单号") {
		t.Errorf("a stray space before 的:\n%s", r.shown())
	}
	r.text("SF1234567890")
	if o := k.order(t, s); o.Tracking != "SF1234567890" || o.Carrier != "顺丰速运" {
		t.Errorf("shipped with %q %q:\n%s", o.Carrier, o.Tracking, r.shown())
	}

	// An English-speaking rep types the method's name.
	e := k.rep2
	e.cmd("/status " + n)
	e.press("Record a payment")
	e.text("100")
	e.text("Alipay")
	e.expect("¥100.00 recorded for " + n)
}

// Telegram (and the terminal chat) begin with /start, answered in Telegram's language;
// the first message the person types still decides: 「你好」 is answered in Chinese. Once
// decided, or chosen with /language, it stays.
func TestFirstTypedMessageDecidesTheLanguage(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	c := newDriver(t, k.bed, 8901, "en")
	c.cmd("/start")
	c.expect("What would you like to do?")
	c.text("你好")
	c.expect("请直接告诉我您要订购什么")
	c.text("hello")
	c.expect("请直接告诉我您要订购什么")

	e := newDriver(t, k.bed, 8902, "en")
	e.cmd("/start")
	e.text("hello")
	e.expect("Tell me what you need")
	e.text("你好")
	e.expect("Tell me what you need")

	z := newDriver(t, k.bed, 8903, "zh")
	z.cmd("/language")
	z.text("English")
	z.text("我要10把椅子")
	if !strings.Contains(z.shown(), "Office chair") {
		t.Errorf("a chosen English answered in Chinese:\n%s", z.shown())
	}
}

// A rep's sentence the desk does not understand is answered with what a rep may say,
// never with the customer's hint about placing orders.
func TestRepHintIsForStaff(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	r := k.rep1
	r.text("你好")
	r.expect("今天有哪些订单要审核", "查找订单 王")
	if strings.Contains(r.shown(), "您要订购什么") {
		t.Errorf("a rep told how to order:\n%s", r.shown())
	}
	k.customer.text("你好")
	k.customer.expect("您要订购什么")
}
