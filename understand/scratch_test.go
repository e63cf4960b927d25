package understand

import (
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	p := testParser()
	for _, s := range []string{"今天有哪些订单要审核", "逾期的订单", "今天交货", "待收款", "查找订单 王", "这个订单发货了，顺丰 SF1234567890", "收到货款5000元 银行转账", "同意", "可以，按15号交货", "同意修改", "不同意", "拒绝，没有库存", "find 13800138000", "/orders 待审核"} {
		fmt.Printf("%s\n%+v\n\n", s, p.Staff(s, testNow))
	}
	for _, s := range []string{"联系人王小明 13912345678，10把办公椅", "5台X1 Pro 银色，用支付宝"} {
		fmt.Printf("%s\n%+v\n\n", s, p.QuickOrder(s, testNow))
	}
}
