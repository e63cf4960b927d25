package conversation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// A placeholder profile name (the terminal's old 「Demo Customer」, a Telegram account
// called "Test User" or 客户) is never offered as the customer's name; a real one is.
func TestPlaceholderNameNotOffered(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	for i, name := range []string{"Demo Customer", "Test User", "客户", "user123", "Customer", "Telegram User", "🙂"} {
		d := newDriver(t, k.bed, int64(6601+i), "zh")
		d.u.Name = name
		d.cmd("/neworder")
		d.text("5把灰色经典办公椅")
		d.expect("联系人姓名")
		if _, ok := d.button(name); ok {
			t.Errorf("the profile name %q is offered as the customer's name:\n%s", name, d.shown())
		}
	}
	d := newDriver(t, k.bed, 6650, "zh")
	d.u.Name = "Wei Zhang"
	d.cmd("/neworder")
	d.text("5把灰色经典办公椅")
	if _, ok := d.button("Wei Zhang"); !ok {
		t.Errorf("a real profile name is not offered:\n%s", d.shown())
	}
}

// An order paid in full, and a completed one, show no deposit line on any card: the
// deposit is no longer due.
func TestNoDepositLineOncePaidOrCompleted(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	ctx := context.Background()
	svc := k.bed.Service
	n := k.place(t, "CHAIR-300", "black", "20") // production: a 30 % deposit
	rep := orders.StaffActor(orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true})
	if _, err := svc.Review(ctx, "", n, rep, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CustomerDecide(ctx, "", n, k.customer.u.ID, true); err != nil {
		t.Fatal(err)
	}
	o := k.order(t, n)
	for _, d := range []*driver{k.rep1, k.customer} {
		d.cmd("/status " + n)
		d.expect("Deposit due")
	}
	if _, err := svc.RecordPayment(ctx, "", n, o.Total, "bank_transfer", rep); err != nil {
		t.Fatal(err)
	}
	noDeposit := func(when string) {
		t.Helper()
		for _, d := range []*driver{k.rep1, k.customer} {
			d.cmd("/status " + n)
			d.expect("Order " + n)
			if strings.Contains(d.shown(), "Deposit") {
				t.Errorf("%s, the card shows a deposit:\n%s", when, d.shown())
			}
		}
	}
	noDeposit("paid in full")
	for _, to := range []orders.Status{orders.StatusInProduction, orders.StatusQualityCheck, orders.StatusShipped, orders.StatusDelivered, orders.StatusCompleted} {
		opt := orders.AdvanceOptions{}
		if to == orders.StatusShipped {
			opt = orders.AdvanceOptions{Carrier: "SF Express", Tracking: "SF1234567890"}
		}
		if _, err := svc.Advance(ctx, "", n, to, rep, opt); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	if o := k.order(t, n); o.Status != orders.StatusCompleted || !o.Paid.Equal(o.Total) || o.Total.LessThanOrEqual(decimal.Zero) {
		t.Fatalf("order %+v", o)
	}
	noDeposit("completed")
}

// An order a rep enters for a customer speaks to the rep: it waits for review and the
// customer (not "you") will be asked to confirm; the rep's card and timeline say "awaiting
// the customer's confirmation", never "awaiting your confirmation".
func TestRepsAreNotAddressedAsTheCustomer(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	r := k.rep1
	r.cmd("/neworder")
	r.press("New customer")
	r.text("Zhao Lei")
	r.text("+86 139 1111 2222")
	r.text("CHAIR-300")
	r.press("black")
	r.text("20")
	r.press("Continue")
	r.text("18 Jiefang Road, Hangzhou")
	r.text("2026-12-15")
	r.press("Bank transfer")
	r.press("Skip")
	r.press("Confirm")
	r.expect("is placed for the customer and waits for review", "The customer will be asked to confirm it")
	if strings.Contains(r.shown(), "You will then be asked") {
		t.Errorf("the rep is addressed as the customer:\n%s", r.shown())
	}
	n := orderNumber(r.shown())
	rep := orders.StaffActor(orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true})
	if _, err := k.bed.Service.Review(context.Background(), "", n, rep, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	r.cmd("/status " + n)
	r.expect("awaiting the customer's confirmation")
	if strings.Contains(r.shown(), "awaiting your confirmation") {
		t.Errorf("the rep's card says awaiting your confirmation:\n%s", r.shown())
	}
}

// Small things a Chinese reader notices: 「没有」「无」「不用了」 and the typed button word
// 「跳过」 at the notes question leave no note; units are Chinese (螺丝包 × 10套, never
// set); the calendar is titled 2026年12月 with weekday labels.
func TestChineseNotesUnitsAndCalendar(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	for i, none := range []string{"没有", "无", "不用了", "跳过"} {
		c := newDriver(t, k.bed, int64(6701+i), "zh")
		c.cmd("/neworder")
		c.text("螺丝包")
		c.text("10")
		c.expect("螺丝包 × 10套")
		if strings.Contains(c.shown(), "set") {
			t.Errorf("the English unit in Chinese:\n%s", c.shown())
		}
		c.text("下一步")
		c.text("王小明")
		c.text("13800138000")
		c.text("上海市浦东新区世纪大道100号")
		c.expect("2026年12月", "一", "二", "三", "四", "五", "六", "日")
		if strings.Contains(c.shown(), "12月 2026") || strings.Contains(c.shown(), "December") {
			t.Errorf("the calendar's title:\n%s", c.shown())
		}
		c.text("12月10日")
		c.text("银行转账")
		c.expect("备注")
		c.text(none)
		c.expect("请核对您的订单", "地址：上海市浦东新区世纪大道100号")
		if strings.Contains(c.shown(), "备注") {
			t.Errorf("%s stored as a note:\n%s", none, c.shown())
		}
	}
}

// What people type between the questions is understood as the button it means, and never
// saved as a field: 「再加一个」 at the cart adds a product, 「好了」 goes on, 「两套」 or
// 「好了」 at the name question is not a name, 「日期」 in the edit menu is the delivery date.
func TestCasualWordsAtTheCartNameAndEditMenu(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	c := newDriver(t, k.bed, 6801, "zh")
	c.u.Name = ""
	c.cmd("/neworder")
	c.text("培训椅")
	c.text("灰的")
	c.text("不要")
	c.text("五把")
	c.expect("当前订单")
	c.text("再加一个")
	c.expect("您要订购什么商品")
	c.text("螺丝包")
	c.text("两套")
	c.expect("螺丝包 × 2套", "当前订单")
	c.text("好了")
	c.expect("订单联系人姓名")
	for _, bad := range []string{"两套", "好了", "没有"} {
		c.text(bad)
		c.expect("不像是姓名", "订单联系人姓名")
	}
	c.text("张伟")
	c.text("139 1234 5678")
	c.text("寄到杭州市西湖区文三路90号")
	c.text("12月11日")
	c.text("微信")
	c.text("请送货前打电话")
	c.expect("请核对您的订单", "联系人：张伟，13912345678", "备注：请送货前打电话")
	c.text("修改")
	c.text("日期")
	c.expect("期望交货日期")
	c.text("12月18日")
	c.expect("请核对您的订单", "2026年12月18日")
}

// 帮助 (or help) typed at a question shows the help and asks the same question again; it is
// not taken as the answer.
func TestHelpTypedAtAQuestion(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	n := k.place(t, "CHAIR-100", "black", "2")
	c := k.customer
	c.cmd("/language")
	c.text("中文")
	c.cmd("/status")
	c.expect("请输入订单号")
	c.text("帮助")
	got := c.shown()
	if !strings.Contains(got, "/neworder") || !strings.Contains(got, "请输入订单号") || strings.Contains(got, "订单号格式为") {
		t.Errorf("帮助 at the order-number question: want the help and the question again, not a refusal:\n%s", got)
	}
	c.text(n)
	c.expect("订单 " + n)
}
