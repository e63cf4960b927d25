package i18n

// words are the small texts of the dialog: how a yes/no option's value reads ("带写字板"
// for writing_board=yes, when the catalog gives no name of its own), and the quick order's
// and staff sentences' texts. The names of option values come from the catalog only.
var words = map[string]Text{
	"value.with":             {"with %s", "带%s"},
	"value.without":          {"without %s", "不带%s"},
	"err.address.which":      {"Which saved address do you mean? Choose one, or type the new address.", "您指的是哪个已保存的地址？请选择，或输入新地址。"},
	"product.didyoumean":     {"No product is called “%s”. Did you mean:", "没有名为「%s」的商品。您是不是要找："},
	"quick.title":            {"Here is your order as I understood it:", "您的订单，我理解如下："},
	"quick.missing":          {"missing — I will ask", "未提供，稍后询问"},
	"quick.line_total":       {" (added to your cart: %s in all)", "（已加入购物车，共%s）"},
	"quick.missing.product":  {"%s: which product?", "%s：具体是哪款商品？"},
	"quick.missing.quantity": {"%s: how many?", "%s：需要多少？"},
	"quick.missing.option":   {"%s: which option?", "%s：请选择规格"},
	"intent.which_order":     {"Which order? Open its card (/status SO-…) or name its number in the sentence.", "请问是哪个订单？请先打开订单（/status 订单号），或在句子里写上订单号。"},
	"intent.no_change":       {"Order %s has no change request waiting for a decision.", "订单 %s 没有待审批的修改申请。"},
	"intent.ship":            {"Mark order %s as shipped? I will ask for the carrier and tracking number.", "将订单 %s 标记为已发货？接下来请提供承运商和运单号。"},
	"intent.ship.with":       {"Mark order %s as shipped with %s, tracking number %s?", "将订单 %s 标记为已发货，承运商%s，运单号 %s？"},
	"intent.payment":         {"Record a payment for order %s?", "为订单 %s 登记收款？"},
	"intent.payment.amount":  {"Record a payment of %[2]s for order %[1]s?", "为订单 %[1]s 登记收款%[2]s？"},
	"intent.payment.method":  {"Record a payment of %[2]s by %[3]s for order %[1]s?", "为订单 %[1]s 登记收款%[2]s，付款方式：%[3]s？"},
	"intent.accept":          {"Accept order %s with the suggested delivery date?", "按建议交期通过订单 %s 的审核？"},
	"intent.accept.date":     {"Accept order %s with delivery on %s?", "通过订单 %s 的审核，交期定为%s？"},
	"intent.reject":          {"Reject order %s?", "拒绝订单 %s？"},
	"intent.approve_change":  {"Approve the change request of order %s?", "批准订单 %s 的修改申请？"},
	"intent.reject_change":   {"Reject the change request of order %s?", "驳回订单 %s 的修改申请？"},
	"intent.dropped":         {"All right, nothing was done.", "好的，未做任何操作。"},
	"btn.yes":                {"Yes", "是"},
	"btn.no":                 {"No", "否"},
	"err.yes_no":             {"Please answer Yes or No.", "请回答“是”或“否”。"},
}
