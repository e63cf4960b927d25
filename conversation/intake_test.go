package conversation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
)

// orderChair walks from /neworder to the summary: 5 black classic chairs from stock.
func orderChair(d *driver, qty string) {
	d.t.Helper()
	d.cmd("/neworder")
	d.text("CHAIR-100")
	d.press(label(d, "black", "黑色"))
	d.text(qty)
	d.press(label(d, "Continue", "下一步"))
	d.press("Wei Zhang")
	d.text("+86 138 0013 8000")
	d.text("No. 1 Century Avenue, Pudong, Shanghai")
	d.text("2026-12-10")
	d.press(label(d, "Bank transfer", "银行转账"))
	d.press(label(d, "Skip", "跳过"))
}

func label(d *driver, en, zh string) string {
	if strings.HasPrefix(d.u.LanguageCode, "zh") {
		return zh
	}
	return en
}

func TestHappyPathGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			bed := testbed.New(t)
			d := newDriver(t, bed, 1001, lang)
			d.cmd("/start")
			orderChair(d, "5")
			d.press(label(d, "Confirm", "确认"))
			d.expect("SO-20261127-0001")
			d.cmd("/myorders")
			d.press("SO-20261127-0001")
			d.golden("happy_path." + lang + ".txt")

			o, err := bed.Service.Order(context.Background(), "SO-20261127-0001")
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != orders.StatusConfirmed || o.Total.String() != "1495" || o.PromisedDate.String() != "2026-12-10" ||
				o.Customer.Phone != "+8613800138000" || len(o.Lines) != 1 || !o.Lines[0].FromStock || o.Lines[0].Variant != "colour=black" {
				t.Errorf("stored order = %+v", o)
			}
			p, _ := bed.Service.Product(context.Background(), "CHAIR-100")
			if p.Reserved != 5 {
				t.Errorf("reserved = %d, want 5", p.Reserved)
			}
		})
	}
}

// Every question answers bad input with a specific reason and asks again.
func TestBadAnswers(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	long := strings.Repeat("x", 301)
	steps := []struct {
		name     string
		reach    func(d *driver) // from a fresh /neworder
		input    string
		reason   string
		question string
	}{
		{"unknown product", nil, "unobtainium", "No product matches “unobtainium”", "Which product"},
		{"product query too long", nil, strings.Repeat("q", 65), "at most 64 characters", "Which product"},
		{"option not offered", func(d *driver) { d.text("CHAIR-100") }, "purple", "Please choose the colour: black, grey, blue", "Choose the colour"},
	}
	toQuantity := func(d *driver) { d.text("CHAIR-100"); d.press("black") }
	for _, q := range []struct{ in, reason string }{
		{"abc", "must be a number"}, {"0", "at least 1"}, {"-3", "at least 1"}, {"1e9", "whole number"},
		{"2.5", "whole number"}, {"100001", "at most 100000"}, {strings.Repeat("9", 30), "too long"}, {"", "type the quantity"},
	} {
		steps = append(steps, struct {
			name     string
			reach    func(d *driver)
			input    string
			reason   string
			question string
		}{"quantity " + q.in, toQuantity, q.in, q.reason, "How many of Office chair Classic"})
	}
	toName := func(d *driver) { toQuantity(d); d.text("2"); d.press("Continue") }
	toPhone := func(d *driver) { toName(d); d.press("Wei Zhang") }
	toAddress := func(d *driver) { toPhone(d); d.text("13800138000") }
	toDate := func(d *driver) { toAddress(d); d.text("No. 1 Century Avenue, Shanghai") }
	toPayment := func(d *driver) { toDate(d); d.text("2026-12-10") }
	toNotes := func(d *driver) { toPayment(d); d.press("Alipay") }
	more := []struct {
		name     string
		reach    func(d *driver)
		input    string
		reason   string
		question string
	}{
		{"blank name", toName, "   ", "Please type a name", "What name"},
		{"long name", toName, strings.Repeat("n", 81), "too long", "What name"},
		{"phone words", toPhone, "call me", "only digits", "Your phone number?"},
		{"phone short", toPhone, "12345", "7 to 15 digits", "Your phone number?"},
		{"address short", toAddress, "here", "too short", "Delivery address?"},
		{"address long", toAddress, long, "too long", "Delivery address?"},
		{"date impossible", toDate, "2026-02-30", "does not exist", "Delivery date?"},
		{"date unreadable", toDate, "soon please", "could not read that date", "Delivery date?"},
		{"date past", toDate, "2026-11-20", "That date has passed. The earliest possible delivery is Tue 1 Dec 2026", "Delivery date?"},
		{"date too early", toDate, "tomorrow", "before the earliest possible delivery, Tue 1 Dec 2026", "Delivery date?"},
		{"payment unknown", toPayment, "bitcoin", "choose a payment method", "How will you pay?"},
		{"notes long", toNotes, strings.Repeat("n", 501), "at most 500 characters", "Any notes"},
	}
	steps = append(steps, more...)
	for i, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			d := newDriver(t, bed, int64(2000+i), "en")
			d.cmd("/neworder")
			if s.reach != nil {
				s.reach(d)
			}
			d.text(s.input)
			d.expect(s.reason, s.question)
			if len(d.last) != 2 {
				t.Errorf("want the reason and the question again, got %d replies:\n%s", len(d.last), d.shown())
			}
		})
	}
}

// Back returns to the previous question and Cancel abandons the draft, at every step.
func TestBackAndCancelEverywhere(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	path := []struct {
		answer   func(d *driver)
		question string
	}{
		{func(d *driver) { d.cmd("/neworder") }, "Which product"},
		{func(d *driver) { d.text("CHAIR-100") }, "Choose the colour"},
		{func(d *driver) { d.press("black") }, "How many of"},
		{func(d *driver) { d.text("3") }, "Your order so far"},
		{func(d *driver) { d.press("Continue") }, "What name"},
		{func(d *driver) { d.press("Wei Zhang") }, "Your phone number"},
		{func(d *driver) { d.contact("+8613800138000") }, "Delivery address"},
		{func(d *driver) { d.location(31.2304, 121.4737) }, "Delivery date?"},
		{func(d *driver) { d.text("12月10日") }, "How will you pay"},
		{func(d *driver) { d.press("Cash on delivery") }, "Any notes"},
		{func(d *driver) { d.text("Ring twice") }, "Please check your order"},
	}
	for n := 2; n <= len(path); n++ {
		d := newDriver(t, bed, int64(3000+n), "en")
		for _, p := range path[:n] {
			p.answer(d)
			d.expect(p.question)
		}
		// Back: the previous question (quantity's Back goes to the option; the cart has no Back).
		if n < len(path) && n != 4 {
			d.press("Back")
			d.expect(path[n-2].question)
			path[n-1].answer(d)
			d.expect(path[n-1].question)
		}
		// Cancel: the draft is gone, nothing was ordered.
		d.press("Cancel")
		d.expect("Cancelled. Nothing was ordered.", "What would you like to do?")
		d.cmd("/neworder")
		d.expect("Which product")
	}
	os, err := bed.Service.Orders(context.Background(), orders.OrderFilter{})
	if err != nil || len(os) != 0 {
		t.Errorf("orders after cancelling = %d, %v; want none", len(os), err)
	}
	// The typed words work too.
	d := newDriver(t, bed, 3999, "zh")
	d.cmd("/neworder")
	d.text("CHAIR-100")
	d.text("返回")
	d.expect("您要订购什么商品")
	d.text("取消")
	d.expect("已取消")
}

func TestEditFromSummary(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 4001, "en")
	orderChair(d, "5")
	d.press("Edit")
	d.press("Address")
	d.text("88 Nanjing Road, Shanghai")
	d.expect("Please check your order", "Address: 88 Nanjing Road, Shanghai")
	d.press("Edit")
	d.press("Wanted date")
	d.press("15")
	d.expect("Please check your order", "Wanted date: Tue 15 Dec 2026")
	d.press("Edit")
	d.press("Products")
	d.press("Add another product")
	d.text("TSHIRT-01")
	d.press("navy")
	d.press("XL")
	d.text("20")
	d.expect("Cotton T-shirt (navy, XL) × 20")
	d.press("Continue")
	d.expect("Please check your order", "Office chair Classic (black) × 5", "Cotton T-shirt (navy, XL) × 20", "Total: ¥2,693.00")
	d.press("Confirm")
	d.expect("is confirmed")
	o, err := bed.Service.Order(context.Background(), "SO-20261127-0001")
	if err != nil || o.DeliveryAddress != "88 Nanjing Road, Shanghai" || len(o.Lines) != 2 || o.WantedDate.String() != "2026-12-15" {
		t.Errorf("order = %+v, %v", o, err)
	}
}

func TestReviewPaths(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	// Not enough stock: 8 executive chairs on hand, 20 wanted.
	d := newDriver(t, bed, 5001, "en")
	d.cmd("/neworder")
	d.text("Executive")
	d.press("brown")
	d.text("20")
	d.expect("not enough in stock: needs production, estimated Tue 8 Dec 2026 (to be confirmed by a sales rep)")
	d.press("Continue")
	d.press("Wei Zhang")
	d.text("13800138000")
	d.text("1 Century Avenue, Shanghai")
	d.text("2026-12-01")
	d.expect("before the earliest possible delivery, Tue 8 Dec 2026")
	d.text("2026-12-20")
	d.press("Bank transfer")
	d.press("Skip")
	d.expect("Estimated delivery Tue 8 Dec 2026 — to be confirmed by a sales rep.", "Deposit due: ¥7,680.00")
	d.press("Confirm")
	d.expect("is received. A sales rep will review it", "estimated Tue 8 Dec 2026")

	// A custom product: no automatic date, full prepayment.
	c := newDriver(t, bed, 5002, "zh")
	c.cmd("/neworder")
	c.text("DESK-CUSTOM")
	c.press("胡桃木")
	c.text("1")
	c.expect("定制产品，交期由业务员确认")
	c.press("下一步")
	c.press("Wei Zhang")
	c.contact("+86 139 0000 0000")
	c.text("上海市浦东新区世纪大道1号")
	c.text("12月20日")
	c.press("微信支付")
	c.press("跳过")
	c.expect("交货日期待业务员确认", "应付订金：¥8,800.00（定制产品须预付100%）")
	c.press("确认")
	c.expect("已收到", "定制产品的交期由业务员确定")

	for _, n := range []string{"SO-20261127-0001", "SO-20261127-0002"} {
		o, err := bed.Service.Order(context.Background(), n)
		if err != nil || o.Status != orders.StatusPendingReview || !o.PromisedDate.IsZero() {
			t.Errorf("%s = %+v, %v; want pending_review without a promised date", n, o, err)
		}
	}
	p, _ := bed.Service.Product(context.Background(), "CHAIR-300")
	if p.Reserved != 0 {
		t.Errorf("production lines must not reserve stock: reserved = %d", p.Reserved)
	}
}

// 200 chairs bring the complimentary spare parts, connectors only with a writing board.
func TestBigOrderComplimentaryLines(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 6001, "en")
	d.cmd("/neworder")
	d.text("CHAIR-200")
	d.press("grey")
	d.press("with writing board")
	d.text("100")
	d.press("Add another product")
	d.text("CHAIR-100")
	d.press("blue")
	d.text("100")
	d.expect("＋ Screw set × 10 set · complimentary", "＋ Writing-board connector × 5 pcs · complimentary", "Total: ¥68,800.00")
	d.press("Continue")
	d.press("Wei Zhang")
	d.text("13800138000")
	d.text("Training Centre, 5 Park Road, Hangzhou")
	d.text("2026-12-10")
	d.press("Bank transfer")
	d.press("Skip")
	d.press("Confirm")
	d.expect("SO-20261127-0001 is confirmed")
	o, _ := bed.Service.Order(context.Background(), "SO-20261127-0001")
	free := 0
	for _, l := range o.Lines {
		if l.Complimentary {
			free++
		}
	}
	if len(o.Lines) != 6 || free != 4 || o.Total.String() != "68800" {
		t.Errorf("order lines = %+v total %s; want 2 + 4 complimentary, 68800", o.Lines, o.Total)
	}
}

// A second engine (a restarted or second bot) continues the conversation where it was;
// a repeated Confirm or a stale button never makes a second order.
func TestResumeAfterRestartAndDoubleConfirm(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 7001, "en")
	orderChair(d, "2")
	confirm, _ := d.button("Confirm")
	d.e = bed.NewEngine() // the bot restarted
	d.text("hello?")
	d.expect("Please choose one of the buttons", "Please check your order")
	d.pressData(confirm.Data)
	d.expect("is confirmed")
	d.pressData(confirm.Data) // double tap
	d.expect("Order SO-20261127-0001 is already placed")
	os, _ := bed.Service.Orders(context.Background(), orders.OrderFilter{})
	if len(os) != 1 {
		t.Fatalf("%d orders, want 1", len(os))
	}
	// /neworder offers to resume an unfinished draft.
	d.cmd("/neworder")
	d.text("PHONE-X1")
	d.press("green")
	d.text("1")
	d.cmd("/start")
	d.cmd("/neworder")
	d.expect("You have an unfinished order with 1 line(s)")
	d.press("Resume")
	d.expect("Phone X1 128GB (green) × 1")
}

func TestExpiredSessionSaidPolitely(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 8001, "en")
	d.e = bed.NewEngineWithTTL(300 * time.Millisecond)
	d.cmd("/neworder")
	d.text("CHAIR-100")
	time.Sleep(700 * time.Millisecond)
	d.press("black")
	d.expect("expired after a long pause", "What would you like to do?")
}

// Customers see only their own orders: another's number reads exactly like a missing one.
func TestStatusOnlyOwnOrders(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	a := newDriver(t, bed, 9001, "en")
	orderChair(a, "1")
	a.press("Confirm")
	a.cmd("/status SO-20261127-0001")
	a.expect("Order SO-20261127-0001", "Status: confirmed", "Timeline:")
	b := newDriver(t, bed, 9002, "en")
	b.cmd("/status SO-20261127-0001")
	other := b.shown()
	b.cmd("/status SO-20261127-0999")
	missing := strings.ReplaceAll(b.shown(), "0999", "0001")
	if other != missing || !strings.Contains(other, "No order SO-20261127-0001 was found") {
		t.Errorf("another's order: %q; a missing one: %q", other, missing)
	}
	b.cmd("/myorders")
	b.expect("You have no orders yet")
}

// A product that left the catalog is refused with the reason, by SKU and in the cart.
func TestInactiveProductRefused(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 9501, "en")
	d.cmd("/neworder")
	d.text("JACKET-02")
	d.press("black")
	d.press("L")
	d.text("3")
	d.expect("Work jacket (black, L) × 3")
	p, err := bed.Service.Product(t.Context(), "JACKET-02")
	if err != nil {
		t.Fatal(err)
	}
	p.Active = false
	if _, err := bed.Service.ImportProducts(t.Context(), []orders.Product{p}); err != nil {
		t.Fatal(err)
	}
	d.press("Continue")
	d.expect("no longer available and was removed", "Which product")
	d.text("JACKET-02")
	d.expect("Work jacket is no longer available to order", "Which product")
	d.text("jacket")
	d.expect("No product matches “jacket”")
}
