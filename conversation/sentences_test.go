package conversation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// placeZH places an order by one Chinese message and the final 确认, for a customer who
// writes only Chinese; returns the order number.
func placeZH(t *testing.T, c *driver, msg string) string {
	t.Helper()
	c.text(msg)
	if _, ok := c.button("确认"); !ok {
		t.Fatalf("%s: no 确认 after the order message:\n%s", msg, c.shown())
	}
	c.press("确认")
	n := orderNumber(c.shown())
	if n == "" {
		t.Fatalf("%s: no order number:\n%s", msg, c.shown())
	}
	return n
}

// 「还是上海那个」 at the address question, and in a one-message order, picks the saved
// Shanghai address when exactly one saved address is in Shanghai, and asks otherwise.
func TestSavedAddressBySentence(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	c := k.customer
	placeZH(t, c, "10把黑色经典办公椅，12月10日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账，备注：无")
	placeZH(t, c, "2把黑色经典办公椅，12月11日送到北京市朝阳区建国路88号，联系人王小明，电话13800138000，银行转账，备注：无")

	// At the address question.
	c.cmd("/neworder")
	c.text("经典办公椅")
	c.text("灰色")
	c.text("3把")
	c.text("下一步")
	if _, ok := c.button("使用以上信息"); ok {
		c.press("使用以上信息")
	}
	c.expect("收货地址")
	c.text("还是上海那个")
	c.text("12月12日")
	c.text("银行转账")
	c.text("没有")
	c.expect("请核对您的订单", "地址：上海市浦东新区世纪大道100号")
	c.press("确认")
	if o := k.order(t, orderNumber(c.shown())); o.DeliveryAddress != "上海市浦东新区世纪大道100号" {
		t.Errorf("还是上海那个 stored as %q", o.DeliveryAddress)
	}

	// A reference that names no saved address is said to, and the question asked again.
	c.cmd("/neworder")
	c.text("经典办公椅")
	c.text("灰色")
	c.text("3把")
	c.text("下一步")
	if _, ok := c.button("使用以上信息"); ok {
		c.press("使用以上信息")
	}
	c.text("还是广州那个")
	c.expect("没有找到与「还是广州那个」对应的已保存地址", "收货地址")
	c.cmd("/cancel")

	// In a one-message order.
	c.text("还是上海那个，5把灰色经典办公椅，12月14日送，银行转账")
	c.expect("上海市浦东新区世纪大道100号")
	if strings.Contains(c.shown(), "还是上海那个") && !strings.Contains(c.shown(), "上海市浦东新区世纪大道100号") {
		t.Errorf("the reference kept as the address:\n%s", c.shown())
	}

	// Two saved addresses in Beijing: 北京那个 is asked, never guessed.
	c.cmd("/cancel")
	placeZH(t, c, "2把黑色经典办公椅，12月15日送到北京市海淀区中关村大街1号，联系人王小明，电话13800138000，银行转账，备注：无")
	c.cmd("/neworder")
	c.text("经典办公椅")
	c.text("灰色")
	c.text("3把")
	c.text("下一步")
	if _, ok := c.button("使用以上信息"); ok {
		c.press("使用以上信息")
	}
	c.text("还是北京那个")
	c.expect("北京市朝阳区建国路88号", "北京市海淀区中关村大街1号")
	if strings.Contains(c.shown(), "请核对您的订单") || strings.Contains(c.shown(), "期望交期") {
		t.Errorf("two Beijing addresses, one picked:\n%s", c.shown())
	}

	// In a one-message order, a reference that matches no saved address is said to, and
	// the address question lists the saved ones; one that matches two asks which.
	c.cmd("/cancel")
	c.text("还是广州那个，5把灰色经典办公椅，12月14日送，银行转账")
	c.expect("没有找到与「还是广州那个」对应的已保存地址", "您已保存的地址：", "收货地址？")
	for _, a := range []string{"上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号", "北京市海淀区中关村大街1号"} {
		if _, ok := c.button(a); !ok {
			t.Errorf("the saved address %s is not offered:\n%s", a, c.shown())
		}
	}
	if strings.Contains(c.shown(), "地址：未提供") {
		t.Errorf("the unmatched reference shown as not given:\n%s", c.shown())
	}
	c.press("上海市浦东新区世纪大道100号")
	c.expect("请核对您的订单", "地址：上海市浦东新区世纪大道100号")
	c.cmd("/cancel")
	c.text("还是北京那个，5把灰色经典办公椅，12月14日送，银行转账")
	c.expect("您指的是哪个已保存的地址", "收货地址？")
	if _, ok := c.button("北京市海淀区中关村大街1号"); !ok {
		t.Errorf("the Beijing addresses are not offered:\n%s", c.shown())
	}
}

// A manager approves a customer's change by typing 「同意修改」 on the order's card, and
// rejects the next with 「不同意修改，已经在生产了」; a rep who types it is told who decides.
func TestChangeApprovedBySentence(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	c := k.customer
	n := placeZH(t, c, "10把黑色经典办公椅，12月10日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账，备注：无")
	c.cmd("/status " + n)
	c.press("申请修改订单")
	c.press("交货日期")
	c.text("12月28日")
	c.text("办公室搬迁推迟")
	c.expect("已提交")

	r := k.rep1
	r.cmd("/status " + n)
	r.text("同意修改")
	if o := k.order(t, n); o.PromisedDate.String() == "2026-12-28" {
		t.Fatalf("a rep's 同意修改 changed the order:\n%s", r.shown())
	}

	m := k.manager
	m.cmd("/status " + n)
	m.expect("修改申请")
	m.text("同意修改")
	m.expect("是", "否")
	if o := k.order(t, n); o.PromisedDate.String() == "2026-12-28" {
		t.Fatalf("changed before the Yes:\n%s", m.shown())
	}
	m.text("是")
	m.expect("已批准")
	o := k.order(t, n)
	if o.PromisedDate.String() != "2026-12-28" || !o.Modified {
		t.Errorf("after 同意修改 and 是: promised %s, modified %v\n%s", o.PromisedDate, o.Modified, m.shown())
	}

	c.cmd("/status " + n)
	c.press("申请修改订单")
	c.press("交货日期")
	c.text("12月30日")
	c.text("再推两天")
	m.cmd("/status " + n)
	m.text("不同意修改，已经在生产了")
	m.text("是")
	o = k.order(t, n)
	if o.PromisedDate.String() != "2026-12-28" {
		t.Errorf("after 不同意修改: promised %s\n%s", o.PromisedDate, m.shown())
	}
	if id := pendingChangeOrEmpty(t, k, n); id != "" {
		t.Errorf("the change %s is still pending:\n%s", id, m.shown())
	}
}

func pendingChangeOrEmpty(t *testing.T, k *desk, n string) string {
	t.Helper()
	var ids []string
	if err := k.bed.Store.DB().Select(&ids, `SELECT c.id::text FROM change_requests c JOIN orders o ON o.id = c.order_id
		WHERE o.number = $1 AND c.status = 'pending'`, n); err != nil {
		t.Fatal(err)
	}
	return strings.Join(ids, ",")
}

// 「可以，按15号交货」 end to end: the rep accepts a review with that date, the customer
// accepts the proposal with the same sentence; a sentence naming another day is asked
// back, never taken as a Yes.
func TestAcceptProposedDateBySentence(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	c := k.customer
	n := placeZH(t, c, "20把黑色大班椅，12月20日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账，备注：无")
	if o := k.order(t, n); o.Status != orders.StatusPendingReview {
		t.Fatalf("20 executive chairs (8 on hand) are %s", o.Status)
	}
	r := k.rep1
	r.cmd("/status " + n)
	r.text("可以，按15号交货")
	r.expect("2026年12月15日（周二）")
	r.text("是")
	o := k.order(t, n)
	if o.Status != orders.StatusAwaitingCustomer || o.PromisedDate.String() != "2026-12-15" {
		t.Fatalf("after the rep's 可以，按15号交货: %s, %s\n%s", o.Status, o.PromisedDate, r.shown())
	}

	c.cmd("/status " + n)
	c.expect("2026年12月15日")
	c.text("可以，按16号交货")
	if o := k.order(t, n); o.Status != orders.StatusAwaitingCustomer {
		t.Fatalf("按16号 taken as accepting the 15th: %s\n%s", o.Status, c.shown())
	}
	c.expect("2026年12月15日")
	// A refusal cancels the order: only the card's button does that.
	c.text("不行")
	c.expect("请按订单下方的“拒绝”")
	if o := k.order(t, n); o.Status != orders.StatusAwaitingCustomer {
		t.Fatalf("不行 typed cancelled the order: %s", o.Status)
	}
	c.text("可以，按15号交货")
	o = k.order(t, n)
	if o.Status != orders.StatusConfirmed || o.PromisedDate.String() != "2026-12-15" || o.ApprovedBy != "customer:1000" {
		t.Errorf("after the customer's 可以，按15号交货: %s, %s, %s\n%s", o.Status, o.PromisedDate, o.ApprovedBy, c.shown())
	}
	c.expect("已确认")
	for _, s := range []string{c.shown(), r.shown()} {
		if hasLatin(s) {
			t.Errorf("English in a Chinese reply:\n%s", s)
		}
	}
}

// hasLatin reports an English word (two Latin letters in a row) outside order numbers and
// tracking numbers.
func hasLatin(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
		if len(w) >= 2 && w != "SO" && w != "SF" {
			return true
		}
	}
	return false
}

// An order's history is stored as codes and arguments and read in the reader's
// language: in Chinese it has no English word, in English no Chinese one (but what a
// person typed, shown as typed).
func TestHistoryInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	c := k.customer
	n := placeZH(t, c, "20把黑色大班椅，12月20日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账，备注：无")
	r := k.rep1
	r.cmd("/status " + n)
	r.text("可以，按15号交货")
	r.text("是")
	c.cmd("/status " + n)
	c.text("可以")
	c.cmd("/status " + n)
	c.press("申请修改订单")
	c.press("交货日期")
	c.text("12月28日")
	c.text("办公室搬迁推迟")
	m := k.manager
	m.cmd("/status " + n)
	m.text("同意修改")
	m.text("是")
	r.cmd("/status " + n)
	r.text("收到货款5000元 银行转账")
	r.text("是")
	r.cmd("/status " + n)
	card := r.shown()
	timeline := card[strings.Index(card, "进度："):]
	for _, want := range []string{"交期2026年12月15日（周二）", "客户已确认", "交货日期改为2026年12月28日（周一）", "办公室搬迁推迟", "收款¥5,000.00（银行转账）"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, timeline)
		}
	}
	if hasLatin(timeline) {
		t.Errorf("English in the Chinese timeline:\n%s", timeline)
	}
	// The same rep reading English.
	r.cmd("/language")
	r.text("English")
	r.cmd("/status " + n)
	en := r.shown()
	en = en[strings.Index(en, "Timeline"):]
	for _, want := range []string{"delivery date Tue 15 Dec 2026", "confirmed by the customer", "payment ¥5,000.00 (Bank transfer)"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English timeline lacks %q:\n%s", want, en)
		}
	}
	o := k.order(t, n)
	var codes []string
	for _, h := range o.History {
		codes = append(codes, h.Detail.Code)
	}
	if got := strings.Join(codes, " "); got != "placed proposed_date confirmed_by_customer change payment" {
		t.Errorf("history codes %s", got)
	}
}

// Option values are named by the catalog only: a product imported without Chinese names
// shows and accepts the names other products give the same values (黑色 for black), and
// a value no product names is shown as the catalog spells it.
func TestValueNamesComeFromTheCatalog(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	if i18n.Has("value.black") || i18n.Has("value.walnut") {
		t.Error("the texts still name catalog values")
	}
	p := orders.Product{SKU: "STOOL-1", NameEN: "Bar stool", NameZH: "吧台凳", Category: "chairs", Unit: "pcs", UnitZH: "把",
		Price: decimal.RequireFromString("99"), OnHand: 50, Standard: true, Active: true,
		Options: []orders.Option{{Name: "colour", Values: []string{"black", "walnut", "red"}}}}
	if _, err := k.bed.Service.ImportProducts(context.Background(), []orders.Product{p}); err != nil {
		t.Fatal(err)
	}
	c := k.customer
	c.cmd("/neworder")
	c.text("STOOL-1")
	c.expect("[黑色]", "[胡桃木]", "[red]")
	c.text("黑的")
	c.text("2")
	c.expect("吧台凳（黑色） × 2把")
}
