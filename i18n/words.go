package i18n

// words are the names of things the catalog spells in English: option values of the demo
// catalog (a catalog may give its own Chinese names), yes/no options.
var words = map[string]Text{
	"value.black":            {"black", "黑色"},
	"value.grey":             {"grey", "灰色"},
	"value.gray":             {"grey", "灰色"},
	"value.blue":             {"blue", "蓝色"},
	"value.brown":            {"brown", "棕色"},
	"value.white":            {"white", "白色"},
	"value.green":            {"green", "绿色"},
	"value.silver":           {"silver", "银色"},
	"value.navy":             {"navy", "藏青色"},
	"value.khaki":            {"khaki", "卡其色"},
	"value.red":              {"red", "红色"},
	"value.oak":              {"oak", "橡木"},
	"value.walnut":           {"walnut", "胡桃木"},
	"value.plain":            {"plain", "普通"},
	"value.with":             {"with %s", "带%s"},
	"value.without":          {"without %s", "不带%s"},
	"err.date.holiday":       {"%s is a holiday: we do not deliver then. The next working day is %s.", "%s是节假日，不安排送货。下一个工作日是%s。"},
	"err.address.which":      {"Which saved address do you mean? Choose one, or type the new address.", "您指的是哪个已保存的地址？请选择，或输入新地址。"},
	"product.didyoumean":     {"No product is called “%s”. Did you mean:", "没有名为「%s」的商品。您是不是要找："},
	"quick.title":            {"Here is your order as I understood it:", "您的订单，我理解如下："},
	"quick.missing":          {"missing — I will ask", "未提供，稍后询问"},
	"quick.missing.product":  {"“%s”: which product?", "「%s」：具体是哪款商品？"},
	"quick.missing.quantity": {"%s: how many?", "%s：需要多少？"},
	"quick.missing.option":   {"%s: which option?", "%s：请选择规格"},
}
