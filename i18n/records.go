package i18n

// records are the texts of what an order records: its payment status with what is paid
// and owed, cancellation requests, and the catalog's units.
var records = map[string]Text{
	// Payment status partly_paid, in the dialog and in notifications.
	"payment.partly_paid":          {"partly paid", "部分付款"},
	"notice.paystate.partly_paid":  {"partly paid", "部分付款"},
	"payment.paid_owed":            {"%s (paid %s, owed %s)", "%s（已付 %s，未付 %s）"},
	"notice.payment.next.partly":   {"Paid so far: %s; still owed: %s.", "已付 %s，尚欠 %s。"},
	"notice.payment.next.deposit2": {"Deposit due before production: %s; paid so far: %s.", "生产前应付订金 %s，目前已付 %s。"},

	// A customer's cancellation request: its own button, question, answers and decision.
	"btn.request_change_only":         {"✏️ Request a change", "✏️ 申请修改订单"},
	"btn.request_cancellation":        {"✖ Request cancellation", "✖ 申请取消订单"},
	"ask.cancellation_reason":         {"Why would you like to cancel order %s? Type the reason.", "请说明取消订单 %s 的原因："},
	"btn.cancellation.keep":           {"Keep the order", "不取消了"},
	"cancellation.done":               {"Order %s is cancelled as you asked.", "已按您的要求取消订单 %s。"},
	"cancellation.requested":          {"Your request to cancel order %s was sent to a manager; you will be told the outcome.", "您取消订单 %s 的申请已提交给主管，审批结果将通知您。"},
	"cancellation.pending":            {"✖ Cancellation requested: %s", "✖ 客户申请取消订单，原因：%s"},
	"btn.cancellation.approve":        {"✅ Approve the cancellation", "✅ 批准取消"},
	"btn.cancellation.reject":         {"❌ Reject the cancellation", "❌ 驳回取消"},
	"cancellation.decided.approved":   {"Approved: order %s is cancelled and the customer is told.", "已批准：订单 %s 已取消，并已通知客户。"},
	"cancellation.decided.rejected":   {"Rejected: order %s goes on; the customer is told.", "已驳回：订单 %s 继续处理，并已通知客户。"},
	"cancellation.already":            {"Cancellation request %d is already %s.", "取消申请 %d 已%s。"},
	"notice.cancellation.requested":   {"✖ Order %s: %s asks to cancel it. Reason: %s", "✖ 订单 %s：%s 申请取消订单，原因：%s"},
	"notice.btn.cancellation.approve": {"✅ Approve the cancellation", "✅ 批准取消"},
	"notice.btn.cancellation.reject":  {"✖ Reject the cancellation", "✖ 驳回取消"},
	"notice.cancellation.rejected":    {"✖ Your request to cancel order %s was not approved: %s. The order goes on.", "✖ 您取消订单 %s 的申请未获批准：%s。订单将继续处理。"},
}
