package conversation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// placeAs places an order of qty CHAIR-100 (black, ¥299 each, from stock) for the customer
// under the contact name and phone, as the customer's Confirm does.
func placeAs(t *testing.T, k *desk, key, name, phone string, qty int) orders.Order {
	t.Helper()
	d := orders.Draft{Key: key, Lines: []orders.DraftLine{{SKU: "CHAIR-100", Variant: "colour=black", Quantity: qty}},
		Address: "上海市浦东新区世纪大道100号", WantedDate: orders.Date{Year: 2026, Month: 12, Day: 20},
		PaymentMethod: "bank_transfer", Source: "customer",
		Customer: orders.Customer{TelegramID: k.customer.u.ID, Name: name, Phone: phone, Language: "zh"}}
	o, _, err := k.bed.Service.Place(context.Background(), d, orders.CustomerActor(k.customer.u.ID).String())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// placeLine places one unit of sku in the variant for the customer.
func placeLine(t *testing.T, k *desk, key, sku, variant string) orders.Order {
	t.Helper()
	d := orders.Draft{Key: key, Lines: []orders.DraftLine{{SKU: sku, Variant: orders.Variant(variant), Quantity: 1}},
		Address: "上海市浦东新区世纪大道100号", WantedDate: orders.Date{Year: 2026, Month: 12, Day: 20},
		PaymentMethod: "bank_transfer", Source: "customer",
		Customer: orders.Customer{TelegramID: k.customer.u.ID, Name: "王小明", Phone: "13800138000", Language: "zh"}}
	o, _, err := k.bed.Service.Place(context.Background(), d, orders.CustomerActor(k.customer.u.ID).String())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func chineseDesk(t *testing.T) *desk {
	k := newDesk(t)
	for _, d := range []*driver{k.customer, k.rep1, k.manager} {
		d.u.LanguageCode = "zh"
	}
	return k
}

// Orders 0001 and 0002 were placed by 王小明 13800138000, order 0003 under the new contact
// 李娟 13912345678: the rep's card of 0002 still names 王小明, and /find finds 0001 and
// 0002 by the contact they were placed under.
func TestCardKeepsTheOrdersContact(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	o1 := placeAs(t, k, "k1", "王小明", "13800138000", 2)
	o2 := placeAs(t, k, "k2", "王小明", "13800138000", 3)
	o3 := placeAs(t, k, "k3", "李娟", "13912345678", 4)

	r := k.rep1
	r.cmd("/status " + o2.Number)
	r.expect("王小明", "13800138000")
	if strings.Contains(r.shown(), "李娟") || strings.Contains(r.shown(), "13912345678") {
		t.Errorf("the card of %s shows the later contact:\n%s", o2.Number, r.shown())
	}
	r.cmd("/status " + o3.Number)
	r.expect("李娟", "13912345678")

	for _, q := range []string{"王", "13800138000"} {
		r.cmd("/find " + q)
		shown := r.shown()
		if !strings.Contains(shown, o1.Number) || !strings.Contains(shown, o2.Number) {
			t.Errorf("/find %s does not list %s and %s:\n%s", q, o1.Number, o2.Number, shown)
		}
		if strings.Contains(shown, o3.Number) {
			t.Errorf("/find %s lists %s, placed under another contact:\n%s", q, o3.Number, shown)
		}
	}
}

// After ¥5,000 of ¥5,980 is recorded the order is partly paid, on the rep's card and on
// the customer's, with what is paid and owed: not 未付款.
func TestPartlyPaidOnBothCards(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	o := placeAs(t, k, "k1", "王小明", "13800138000", 20) // 20 × ¥299 = ¥5,980
	if !o.Total.Equal(decimal.RequireFromString("5980")) {
		t.Fatalf("total %s", o.Total)
	}
	got, err := k.bed.Service.RecordPayment(context.Background(), "", o.Number, decimal.RequireFromString("5000"), "bank_transfer",
		orders.StaffActor(orders.Staff{TelegramID: 3001, Name: "Rep Li", Role: orders.RoleRep, Active: true}))
	if err != nil {
		t.Fatal(err)
	}
	if got.PaymentStatus != orders.PaymentPartlyPaid {
		t.Fatalf("payment status %s, want partly_paid", got.PaymentStatus)
	}
	for _, d := range []*driver{k.rep1, k.customer} {
		d.cmd("/status " + o.Number)
		d.expect("部分付款", "已付 ¥5,000.00", "未付 ¥980.00")
		if strings.Contains(d.shown(), "未付款") {
			t.Errorf("card says 未付款:\n%s", d.shown())
		}
	}
}

// The catalog speaks the customer's language: option buttons and units in Chinese, and an
// option value typed in either language is understood.
func TestCatalogInTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	d := k.customer
	d.cmd("/neworder")
	d.text("CHAIR-200")
	if _, ok := d.button("黑色"); !ok {
		t.Fatalf("no button 黑色:\n%s", d.shown())
	}
	if strings.Contains(d.shown(), "[black]") || strings.Contains(d.shown(), "black") {
		t.Errorf("English option values in Chinese:\n%s", d.shown())
	}
	d.text("黑的")
	if _, ok := d.button("不带写字板"); !ok {
		t.Fatalf("黑的 not taken for black, or no button 不带写字板:\n%s", d.shown())
	}
	d.text("要")
	d.expect("把")
	d.text("10")
	// The board option reads as the catalog names it: 带写字板, never 要.
	d.expect("培训椅（黑色，带写字板）", "× 10把")
	if strings.Contains(d.shown(), "，要）") {
		t.Errorf("the board option reads 要:\n%s", d.shown())
	}
	if strings.Contains(d.shown(), "pcs") {
		t.Errorf("the English unit in Chinese:\n%s", d.shown())
	}

	// An English reader sees the English values and may type either language.
	e := newDriver(t, k.bed, 1500, "en")
	e.cmd("/neworder")
	e.text("CHAIR-100")
	if _, ok := e.button("grey"); !ok {
		t.Fatalf("no button grey:\n%s", e.shown())
	}
	e.text("灰色")
	e.expect("Office chair Classic (grey)", "pcs")
	e.text("3")
	e.expect("Office chair Classic (grey) × 3 pcs")
	e.text("继续")
	e.text("CHAIR-200")
	e.text("grey")
	e.expect("[with writing board]", "[without writing board]")
	e.text("no")
	e.text("2")
	e.expect("Training chair (grey, without writing board) × 2 pcs")

	// The lines keep both names: a card, a notice, a document in either language.
	board := placeLine(t, k, "k2", "CHAIR-200", "colour=grey;writing_board=yes")
	if l := board.Lines[0]; l.Label("zh") != "培训椅（灰色，带写字板）" || l.Label("en") != "Training chair (grey, with writing board)" {
		t.Errorf("stored line reads %q / %q", l.Label("zh"), l.Label("en"))
	}

	// What was ordered keeps its Chinese names: the stored line and the card.
	o := placeAs(t, k, "k1", "王小明", "13800138000", 2)
	if l := o.Lines[0]; l.NameZH != "经典办公椅" || l.UnitZH != "把" || l.VariantZH != "colour=黑色" || l.Unit != "pcs" {
		t.Errorf("stored line %+v", l)
	}
	d.cmd("/status " + o.Number)
	d.expect("经典办公椅（黑色） × 2把")
}

// Choosing cancellation is called cancellation throughout: the card's own button, the
// question, the answer, the manager's card and decision, the history; the change menu has
// no 「取消订单」 beside 「取消」.
func TestCancellationIsCalledCancellation(t *testing.T) {
	t.Parallel()
	k := chineseDesk(t)
	o := placeAs(t, k, "k1", "王小明", "13800138000", 2) // from stock: confirmed at once
	c := k.customer
	c.cmd("/status " + o.Number)
	if _, ok := c.button("申请取消订单"); !ok {
		t.Fatalf("no cancellation button on the card:\n%s", c.shown())
	}
	c.press("申请修改订单")
	menu := c.shown()
	if strings.Contains(menu, "取消订单") {
		t.Errorf("the change menu offers 取消订单 beside 取消:\n%s", menu)
	}

	c.cmd("/status " + o.Number)
	c.press("申请取消订单")
	c.expect("取消订单 " + o.Number + " 的原因")
	c.text("预算取消了")
	c.expect("您取消订单 " + o.Number + " 的申请已提交给主管")
	for _, bad := range []string{"修改原因", "修改申请已提交", "修改申请"} {
		if strings.Contains(c.shown(), bad) {
			t.Errorf("cancellation told as a change (%s):\n%s", bad, c.shown())
		}
	}
	m := k.manager
	m.cmd("/status " + o.Number)
	m.expect("客户申请取消订单，原因：预算取消了")
	m.press("批准取消")
	m.expect("已批准：订单 " + o.Number + " 已取消")
	if strings.Contains(m.shown(), "已修改") {
		t.Errorf("an approved cancellation told as a change:\n%s", m.shown())
	}
	got, err := k.bed.Service.Order(context.Background(), o.Number)
	if err != nil {
		t.Fatal(err)
	}
	last := got.History[len(got.History)-1]
	if got.Status != orders.StatusCancelled || last.To != orders.StatusCancelled || !strings.HasPrefix(last.Note, "cancellation") ||
		!strings.Contains(last.Note, "预算取消了") {
		t.Errorf("after the approved cancellation: %s, history %+v", got.Status, last)
	}
	var kinds []string
	if err := k.bed.Store.DB().Select(&kinds, `SELECT c.kind FROM change_requests c JOIN orders o ON o.id = c.order_id WHERE o.number = $1`, o.Number); err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 1 || kinds[0] != orders.ChangeCancel {
		t.Errorf("requests recorded %v, want one cancellation", kinds)
	}
}
