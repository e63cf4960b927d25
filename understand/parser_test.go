package understand

import (
	"github.com/orderbot/orderbot/orders"
	"strings"
	"testing"
)

func TestProduct(t *testing.T) {
	p := testParser()
	tests := []struct {
		in       string
		sku      string
		category string
		cands    string // the first candidates, comma-separated
	}{
		{"经典办公椅", "CHAIR-100", "", ""},
		{"Office chair Classic", "CHAIR-100", "", ""},
		{"office chair", "CHAIR-100", "", ""},
		{"办公椅", "CHAIR-100", "", ""},
		{"椅子", "CHAIR-100", "", ""}, // a configured synonym beats the category word
		{"chair-100", "CHAIR-100", "", ""},
		{"CHAIR-300", "CHAIR-300", "", ""},
		{"大班椅", "CHAIR-300", "", ""},
		{"培训椅（带写字板）", "CHAIR-200", "", ""},
		{"培训椅", "CHAIR-200", "", ""},
		{"Training chair with writing board", "CHAIR-200", "", ""},
		{"会议桌", "DESK-CUSTOM", "", ""},
		{"X1 Pro", "PHONE-X1P", "", ""},
		{"x1 pro 手机", "PHONE-X1P", "", ""},
		{"纯棉T恤", "TSHIRT-01", "", ""},
		{"t-shirt", "TSHIRT-01", "", ""},
		{"T-shirts", "TSHIRT-01", "", ""},
		{"我要买螺丝包", "SPARE-SCREWS", "", ""},
		{"经典办公", "CHAIR-100", "", ""}, // a missing character at the end: the name's beginning
		{"手机", "", "phones", "PHONE-X1,PHONE-X1P"},
		{"phones", "", "phones", "PHONE-X1,PHONE-X1P"},
		{"配件", "", "parts", "SPARE-SCREWS,SPARE-CASTER,SPARE-GASLIFT,SPARE-BOARDLINK"},
		{"服装", "", "clothing", "TSHIRT-01,JACKET-02"},
		{"X1", "", "", "PHONE-X1,PHONE-X1P"},
		{"办工椅", "", "", "CHAIR-100"},         // a typo: a suggestion, never a SKU
		{"经典办椅", "", "", "CHAIR-100"},        // a missing character in the middle
		{"ofice chair", "", "", "CHAIR-100"}, // an English typo
		{"exectuive chair", "", "", "CHAIR-300"},
		{"培训椅子", "CHAIR-200", "", ""},
		{"培训桌", "", "", "CHAIR-200"},
		{"冰箱", "", "", ""},
		{"fridge", "", "", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		got := p.Product(tt.in)
		var cs []string
		for i, c := range got.Candidates {
			if i < strings.Count(tt.cands, ",")+1 {
				cs = append(cs, c.SKU)
			}
		}
		if tt.cands == "" && len(got.Candidates) > 0 && tt.sku == "" && tt.category == "" {
			cs = []string{got.Candidates[0].SKU}
		}
		if got.SKU != tt.sku || got.Category != tt.category || strings.Join(cs, ",") != tt.cands {
			t.Errorf("Product(%q) = %+v; want sku %q category %q candidates %q", tt.in, got, tt.sku, tt.category, tt.cands)
		}
		if got.SKU != "" && !got.Exact {
			t.Errorf("Product(%q): a SKU that is not Exact", tt.in)
		}
	}
}

func TestOptionValue(t *testing.T) {
	p := testParser()
	prods := map[string]int{}
	for i, pr := range testProducts() {
		prods[pr.SKU] = i
	}
	pr := func(sku string) orders.Product { return testProducts()[prods[sku]] }
	tests := []struct{ sku, option, in, want string }{
		{"CHAIR-100", "colour", "黑色", "black"},
		{"CHAIR-100", "colour", "黑的", "black"},
		{"CHAIR-100", "colour", "黑", "black"},
		{"CHAIR-100", "colour", "black", "black"},
		{"CHAIR-100", "colour", "Black", "black"},
		{"CHAIR-100", "colour", "灰色", "grey"},
		{"CHAIR-100", "colour", "grey", "grey"},
		{"CHAIR-100", "colour", "gray", "grey"},
		{"CHAIR-100", "colour", "要黑色的", "black"},
		{"CHAIR-100", "colour", "白色", ""}, // not a value of this product
		{"CHAIR-100", "colour", "黑色或者灰色", ""},
		{"DESK-CUSTOM", "material", "胡桃木", "walnut"},
		{"DESK-CUSTOM", "material", "walnut", "walnut"},
		{"DESK-CUSTOM", "material", "橡木", "oak"},
		{"CHAIR-200", "writing_board", "要", "yes"},
		{"CHAIR-200", "writing_board", "不要", "no"},
		{"CHAIR-200", "writing_board", "带写字板", "yes"},
		{"CHAIR-200", "writing_board", "不带写字板", "no"},
		{"CHAIR-200", "writing_board", "with writing board", "yes"},
		{"CHAIR-200", "writing_board", "without writing board", "no"},
		{"CHAIR-200", "writing_board", "yes", "yes"},
		{"CHAIR-200", "writing_board", "是", "yes"},
		{"CHAIR-200", "writing_board", "no", "no"},
		{"TSHIRT-01", "size", "L", "L"},
		{"TSHIRT-01", "size", "l码", "L"},
		{"TSHIRT-01", "size", "XL码", "XL"},
		{"TSHIRT-01", "size", "加大号", "XL"},
		{"TSHIRT-01", "colour", "藏青色", "navy"},
		{"JACKET-02", "colour", "卡其色", "khaki"},
		{"JACKET-02", "size", "S", ""},
		{"CHAIR-100", "material", "橡木", ""}, // no such option
	}
	for _, tt := range tests {
		got, ok := p.OptionValue(tt.in, pr(tt.sku), tt.option)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("OptionValue(%q, %s, %s) = %q, %v; want %q", tt.in, tt.sku, tt.option, got, ok, tt.want)
		}
	}
}

func TestPaymentMethod(t *testing.T) {
	p := testParser()
	tests := []struct{ in, want string }{
		{"银行转账", "bank_transfer"}, {"转账", "bank_transfer"}, {"Bank transfer", "bank_transfer"}, {"bank_transfer", "bank_transfer"},
		{"支付宝", "alipay"}, {"Alipay", "alipay"}, {"alipay", "alipay"}, {"微信", "wechat_pay"}, {"微信支付", "wechat_pay"},
		{"WeChat Pay", "wechat_pay"}, {"wechat", "wechat_pay"}, {"货到付款", "cash_on_delivery"}, {"Cash on delivery", "cash_on_delivery"},
		{"COD", "cash_on_delivery"}, {"用支付宝吧", "alipay"}, {"", ""}, {"信用卡", ""}, {"支付宝或者微信", ""},
	}
	for _, tt := range tests {
		got, ok := p.PaymentMethod(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("PaymentMethod(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestShipment(t *testing.T) {
	p := testParser()
	tests := []struct{ in, carrier, text, tracking string }{
		{"顺丰 SF1234567890", "sf", "", "SF1234567890"},
		{"顺丰SF1234567890", "sf", "", "SF1234567890"},
		{"SF Express SF1234567890", "sf", "", "SF1234567890"},
		{"sf1234567890", "sf", "", "SF1234567890"},
		{"中通 75312345678901", "zto", "", "75312345678901"},
		{"中通快递，单号75312345678901", "zto", "", "75312345678901"},
		{"圆通 YT1234567890123", "yto", "", "YT1234567890123"},
		{"京东物流 JD0012345678901", "jd", "", "JD0012345678901"},
		{"这个订单发货了，顺丰 SF1234567890", "sf", "", "SF1234567890"},
		{"shipped with DHL, tracking 1234567890", "dhl", "", "1234567890"},
		{"顺丰", "sf", "", ""},
		{"德邦", "deppon", "", ""},
		{"安能物流", "", "安能物流", ""},
		{"Acme Freight AB12345678", "", "Acme Freight", "AB12345678"},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		got := p.Shipment(tt.in)
		if got.Carrier.Code != tt.carrier || got.CarrierText != tt.text || got.Tracking != tt.tracking {
			t.Errorf("Shipment(%q) = %+v; want carrier %q text %q tracking %q", tt.in, got, tt.carrier, tt.text, tt.tracking)
		}
	}
	if n := DefaultCarriers()[0].Name("zh"); n != "顺丰速运" {
		t.Errorf("SF in Chinese = %q", n)
	}
}

func TestStaff(t *testing.T) {
	p := testParser()
	tests := []struct {
		in   string
		want string // kind and the fields that matter, as fmtIntent prints them
	}{
		{"今天有哪些订单要审核", "queue review"},
		{"有哪些待审核的订单", "queue review"},
		{"逾期的订单", "queue overdue"},
		{"哪些订单逾期了", "queue overdue"},
		{"今天交货", "queue today"},
		{"今天交货的订单有哪些", "queue today"},
		{"待审核", "queue review"},
		{"进行中", "queue active"},
		{"逾期", "queue overdue"},
		{"今日", "queue today"},
		{"待收款", "queue unpaid"},
		{"show orders to review", "queue review"},
		{"overdue orders", "queue overdue"},
		{"what is due today", "queue today"},
		{"查找订单 王", "find 王"},
		{"查找 13800138000", "find 13800138000"},
		{"找一下李娟的订单", "find 李娟的订单"},
		{"find Wang", "find Wang"},
		{"search 138", "find 138"},
		{"这个订单发货了，顺丰 SF1234567890", "ship sf SF1234567890"},
		{"发货了，顺丰 SF1234567890", "ship sf SF1234567890"},
		{"已发货 中通 75312345678901", "ship zto 75312345678901"},
		{"shipped via SF Express SF1234567890", "ship sf SF1234567890"},
		{"发货了", "ship  "},
		{"收到货款5000元 银行转账", "payment 5000 bank_transfer"},
		{"收到5千，支付宝", "payment 5000 alipay"},
		{"收到 ¥5,000 微信", "payment 5000 wechat_pay"},
		{"客户付了1.2万", "payment 12000 "},
		{"received 5000 by bank transfer", "payment 5000 bank_transfer"},
		{"同意", "accept "},
		{"可以", "accept "},
		{"可以，按15号交货", "accept 2026-12-15"},
		{"同意，12月20日交货", "accept 2026-12-20"},
		{"accept", "accept "},
		{"ok, deliver on Dec 18", "accept 2026-12-18"},
		{"拒绝，没有库存", "reject 没有库存"},
		{"不同意", "reject "},
		{"reject: out of stock", "reject out of stock"},
		{"同意修改", "approve_change"},
		{"批准修改", "approve_change"},
		{"不同意修改", "reject_change "},
		{"不同意修改，已经排产了", "reject_change 已经排产了"},
		{"approve the change", "approve_change"},
		{"SO-20261127-0001", "show SO-20261127-0001"},
		{"so-20261127-0001", "show SO-20261127-0001"},
		{"你好", ""},
		{"hello", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fmtIntent(p.Staff(tt.in, testNow)); got != tt.want {
			t.Errorf("Staff(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func fmtIntent(it Intent) string {
	switch it.Kind {
	case IntentQueue:
		return "queue " + it.Queue
	case IntentFind:
		return "find " + it.Query
	case IntentShow:
		return "show " + it.Order
	case IntentShip:
		return "ship " + it.Shipment.Carrier.Code + " " + it.Shipment.Tracking
	case IntentPayment:
		return "payment " + it.Amount.String() + " " + it.Method
	case IntentAccept:
		return "accept " + it.Date.Date.String()
	case IntentReject:
		return "reject " + it.Reason
	case IntentApproveChange:
		return "approve_change"
	case IntentRejectChange:
		return "reject_change " + it.Reason
	}
	return string(it.Kind)
}
