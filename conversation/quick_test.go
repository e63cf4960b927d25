package conversation_test

import (
	"context"
	"testing"

	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
)

// One message becomes a draft with each field marked; the bot asks only what is missing,
// then the usual summary and Confirm make a confirmed order.
func TestQuickOrderGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, message, confirm string
	}{
		{"zh", "我要10把黑色经典办公椅，12月10日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账", "确认"},
		{"en", "Please send 10 black Office chair Classic to 100 Century Avenue, Pudong, Shanghai on 10 Dec, my name is Wei Zhang, phone 13800138000, bank transfer", "Confirm"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			bed := testbed.New(t)
			d := newDriver(t, bed, 7001, tc.lang)
			d.text(tc.message)
			d.expect("✓")
			d.press(tc.confirm)
			d.expect("SO-20261127-0001")
			d.golden("quick_order." + tc.lang + ".txt")
			o, err := bed.Service.Order(context.Background(), "SO-20261127-0001")
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != orders.StatusConfirmed || len(o.Lines) != 1 || o.Lines[0].SKU != "CHAIR-100" || o.Lines[0].Quantity != 10 ||
				o.Lines[0].Variant != "colour=black" || o.WantedDate.String() != "2026-12-10" || o.PaymentMethod != "bank_transfer" ||
				o.Customer.Phone != "13800138000" {
				t.Errorf("stored order = %+v", o)
			}
		})
	}
}

// A quick order sent from the menu is a new order: an unfinished draft kept from earlier is
// not added to, so 10 chairs asked twice are 10, not 20.
func TestQuickOrderFromMenuStartsAfresh(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 7002, "zh")
	const msg = "我要10把黑色经典办公椅，12月10日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000，银行转账"
	d.text(msg)
	d.expect("✓")
	d.cmd("/start") // back at the menu; the unfinished draft is kept for /neworder
	d.text(msg)
	d.expect("× 10把")
	d.press("确认")
	d.expect("SO-20261127-0001")
	o, err := bed.Service.Order(context.Background(), "SO-20261127-0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Lines) != 1 || o.Lines[0].Quantity != 10 {
		t.Errorf("lines %+v, want one line of 10", o.Lines)
	}
}

// Inside a resumed draft a quick order adds to the cart; a line of the same product and
// options then says what the cart holds in all, so that the summary's 20 is no surprise.
func TestQuickOrderInAResumedDraftSaysTheCartsTotal(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 7003, "zh")
	const msg = "我要10把黑色经典办公椅，12月10日送到上海市浦东新区世纪大道100号，联系人王小明，电话13800138000"
	d.text(msg)
	d.expect("× 10把")
	d.cmd("/start")
	d.cmd("/neworder")
	d.press("继续")
	d.text(msg)
	d.expect("× 10把（已加入购物车，共20把）")
	d.press("银行转账")
	d.expect("× 20把")
}
