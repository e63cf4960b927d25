package conversation_test

import (
	"context"
	"testing"

	"github.com/orderbot/orderbot/orders"
)

// A customer who only ever writes Chinese orders from a first 「你好」 to the final 确认
// (the only button pressed), and a rep who only writes Chinese ships the order and records
// a payment. Telegram says the customer's language is English: the first Chinese message
// decides.
func TestChineseOnlyOrderGolden(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	c := newDriver(t, k.bed, 8801, "en")
	c.u.Name = ""
	c.text("你好")
	c.expect("请直接告诉我您要订购什么")
	c.text("我要10把椅子")
	c.expect("椅子")
	c.text("经典办公椅")
	c.text("黑的")
	c.expect("已添加经典办公椅（黑色） × 10把")
	c.text("我叫王小明")
	c.text("13800138000")
	c.text("地址是上海市浦东新区世纪大道100号")
	c.text("12月7号")
	c.text("支付宝")
	c.expect("请核对您的订单", "2026年12月7日（周一）", "付款方式：支付宝")
	c.press("确认")
	c.expect("SO-20261127-0001 已确认")
	c.golden("chinese_only.customer.txt")
	o := k.order(t, "SO-20261127-0001")
	if o.DeliveryAddress != "上海市浦东新区世纪大道100号" || o.Customer.Name != "王小明" || o.Notes != "" ||
		o.PaymentMethod != "alipay" || o.Lines[0].Quantity != 10 || o.Lines[0].Variant != "colour=black" {
		t.Errorf("stored order %+v", o)
	}

	r := k.rep1
	r.u.LanguageCode = "zh"
	r.text("今天有哪些订单要审核")
	r.expect("待审核订单：0")
	r.text("查找订单 王")
	r.expect("与“王”匹配的订单：1")
	r.text("SO-20261127-0001")
	r.expect("客户：王小明，13800138000", "付款方式：支付宝")
	r.text("这个订单发货了，顺丰 SF1234567890")
	r.expect("将订单 SO-20261127-0001 标记为已发货，承运商顺丰速运，运单号 SF1234567890？")
	r.text("是")
	r.expect("订单 SO-20261127-0001 现为“已发货”")
	r.text("收到货款2000元 银行转账")
	r.expect("为订单 SO-20261127-0001 登记收款¥2,000.00，付款方式：银行转账？")
	r.text("好的")
	r.expect("已登记订单 SO-20261127-0001 收款¥2,000.00")
	r.golden("chinese_only.rep.txt")
	o = k.order(t, "SO-20261127-0001")
	if o.Status != orders.StatusShipped || o.Tracking != "SF1234567890" || !o.Paid.Equal(o.Paid.Sub(o.Paid).Add(o.Paid)) || o.Paid.String() != "2000" {
		t.Errorf("after the rep: %s, tracking %q, paid %s", o.Status, o.Tracking, o.Paid)
	}
	_ = context.Background
}
