package i18n

// sentences are the texts of what the desk says back to a typed sentence (a customer's
// reply to an order awaiting their confirmation), and of the history's notes.
var sentences = map[string]Text{
	// A payment in an order's history recorded without its method.
	"history.payment.plain": {"payment %s", "收款%s"},

	"decide.decline_by_button": {"To decline order %s, which cancels it, press Decline on its card; to ask for another date or quantity, press Request a change.",
		"如需拒绝订单 %s（订单将被取消），请按订单下方的“拒绝”；如需修改交期或数量，请按“申请修改订单”。"},
	"decide.other_date": {"You named %s, but the date proposed for order %s is %s. Press Confirm to accept it, or Request a change to ask for another date.",
		"您说的是%s，但订单 %s 提议的交期是%s。接受请按“确认”；如需其他日期，请按“申请修改订单”。"},
}
