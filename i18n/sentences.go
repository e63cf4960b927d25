package i18n

// sentences are the texts of what the desk says back to a typed sentence (a customer's
// reply to an order awaiting their confirmation), and of the history's notes.
var sentences = map[string]Text{
	// A reference to a saved address (还是上海那个) that names none of them.
	"err.address.no_saved": {"None of your saved addresses matches “%s”. Please type the full delivery address.", "没有找到与「%s」对应的已保存地址，请输入完整的收货地址。"},
	"err.address.no_saved.list": {"None of your saved addresses matches “%s”. Yours are: %s. Choose one, or type the full delivery address.",
		"没有找到与「%s」对应的已保存地址。您已保存的地址：%s。请选择其中一个，或输入完整的收货地址。"},
	"quick.address.no_saved": {"no saved address matches “%s” — I will ask", "没有与「%s」对应的已保存地址，稍后询问"},
	"quick.address.which":    {"“%s” matches several saved addresses — I will ask which", "「%s」对应多个已保存地址，稍后请您选择"},
	// A staff member's sentence the desk did not understand.
	"idle.hint.staff": {"Tell me what to do, like “orders to review”, “find order Wang”, or on an order's card “shipped, SF Express SF1234567890” or “received 5000 by bank transfer”; /help lists the commands.",
		"请直接说要办的事，例如「今天有哪些订单要审核」「查找订单 王」，或在订单下方说「发货了，顺丰 SF1234567890」「收到货款5000元 银行转账」；发送 /help 查看全部命令。"},
	// A payment in an order's history recorded without its method.
	"history.payment.plain": {"payment %s", "收款%s"},

	"decide.decline_by_button": {"To decline order %s, which cancels it, press Decline on its card; to ask for another date or quantity, press Request a change.",
		"如需拒绝订单 %s（订单将被取消），请按订单下方的“拒绝”；如需修改交期或数量，请按“申请修改订单”。"},
	"decide.other_date": {"You named %s, but the date proposed for order %s is %s. Press Confirm to accept it, or Request a change to ask for another date.",
		"您说的是%s，但订单 %s 提议的交期是%s。接受请按“确认”；如需其他日期，请按“申请修改订单”。"},
	// The terminal chat marks a notification as it arrives.
	"console.notice":        {"🔔 notification", "🔔 通知"},
	"console.notice.edited": {"🔔 notification (edited)", "🔔 通知（已更新）"},
	"console.file.saved":    {"📎 %s (%s) saved as %s", "📎 %s（%s）已保存为 %s"},
	"console.file.unsaved":  {"📎 %s (not saved: %v)", "📎 %s（未能保存：%v）"},
	"console.file.photo":    {"photo", "照片"},
}
