package i18n

// notices are the texts of notifications: messages the bot sends without being asked.
// Keys start with "notice.". notify renders them; every text that names an order takes the
// order number as its first argument.
var notices = map[string]Text{
	// A status change told to the customer: what the new status means and what happens next.
	"notice.status.pending_review":    {"📝 Order %s is waiting for a sales rep's review. Next: the rep confirms the delivery date, then you are asked to approve the order.", "📝 订单 %s 正在等待业务员审核。下一步：业务员确认交期后，请您确认订单。"},
	"notice.status.awaiting_customer": {"📝 Order %s is reviewed and waits for your confirmation. Next: approve it with Confirm, or Decline it.", "📝 订单 %s 已审核完毕，等待您的确认。下一步：点击“确认”批准订单，或点击“拒绝”。"},
	"notice.status.confirmed":         {"✅ Order %s is confirmed. Next: we prepare it — production starts once the required deposit is paid; goods in stock are packed for shipment.", "✅ 订单 %s 已确认。下一步：我们开始备货——需生产的订单在收到订金后开始生产，现货将打包发货。"},
	"notice.status.in_production":     {"🏭 Order %s is in production. Next: quality check, then shipment.", "🏭 订单 %s 正在生产。下一步：质检，然后发货。"},
	"notice.status.rework":            {"🔧 Order %s goes back to production after the quality check (rework). Next: a new quality check, then shipment.", "🔧 订单 %s 质检后返工生产。下一步：重新质检，然后发货。"},
	"notice.status.quality_check":     {"🔍 Order %s is in quality check. Next: shipment; anything that fails the check goes back to production.", "🔍 订单 %s 正在质检。下一步：发货；未通过质检的将返工生产。"},
	"notice.status.shipped":           {"🚚 Order %s has shipped. Next: delivery to your address; please sign for it when it arrives.", "🚚 订单 %s 已发货。下一步：送货到您的地址，到货时请签收。"},
	"notice.status.delivered":         {"📦 Order %s is delivered. Next: settlement and invoice; we will ask how satisfied you are.", "📦 订单 %s 已签收。下一步：结算并开具发票；我们会请您评价本次服务。"},
	"notice.status.completed":         {"🏁 Order %s is completed: settled and invoiced. Thank you for your order!", "🏁 订单 %s 已完成：已结算并开票。感谢您的订购！"},
	"notice.status.cancelled":         {"❌ Order %s is cancelled. Nothing more happens with it and its reserved stock is released. Contact us if you did not expect this.", "❌ 订单 %s 已取消，不再继续处理，预留库存已释放。如有疑问请联系我们。"},

	// A status change told to staff.
	"notice.staff.status": {"🔔 Order %s (%s) is now %s, was %s.", "🔔 订单 %s（%s）当前状态：%s，原为：%s。"},

	// Lines added under a notice.
	"notice.line.promised":     {"Promised delivery: %s", "承诺交期：%s"},
	"notice.line.estimated":    {"Estimated delivery: %s (to be confirmed)", "预计交期：%s（待确认）"},
	"notice.line.shipment":     {"Carrier: %s · Tracking number: %s", "承运商：%s · 运单号：%s"},
	"notice.line.reason":       {"Reason: %s", "原因：%s"},
	"notice.line.note":         {"Note: %s", "备注：%s"},
	"notice.line.by":           {"By: %s", "操作人：%s"},
	"notice.actor.operator":    {"the back office", "后台管理员"},
	"notice.line.total":        {"Total: %s", "合计：%s"},
	"notice.line.deposit":      {"Deposit due before production: %s", "生产前应付订金：%s"},
	"notice.line.deposit.none": {"No deposit is needed.", "无需支付订金。"},
	"notice.line.status":       {"Status: %s", "状态：%s"},
	"notice.line.item":         {"• %s × %d %s at %s = %s", "• %s × %d %s，单价 %s，金额 %s"},
	"notice.line.item.free":    {"• %s × %d %s — complimentary", "• %s × %d %s — 赠送"},
	"notice.line.item.stock":   {"• %s × %d %s — in stock", "• %s × %d %s — 有现货"},
	"notice.line.item.short":   {"• %s × %d %s — ⚠️ not enough stock: production needed", "• %s × %d %s — ⚠️ 库存不足：需要生产"},
	"notice.date":              {"%s (%s)", "%s（%s）"},
	"notice.weekday.0":         {"Sun", "周日"},
	"notice.weekday.1":         {"Mon", "周一"},
	"notice.weekday.2":         {"Tue", "周二"},
	"notice.weekday.3":         {"Wed", "周三"},
	"notice.weekday.4":         {"Thu", "周四"},
	"notice.weekday.5":         {"Fri", "周五"},
	"notice.weekday.6":         {"Sat", "周六"},

	// Order states as staff read them.
	"notice.state.pending_review":    {"pending review", "待审核"},
	"notice.state.awaiting_customer": {"awaiting the customer's confirmation", "待客户确认"},
	"notice.state.confirmed":         {"confirmed", "已确认"},
	"notice.state.in_production":     {"in production", "生产中"},
	"notice.state.quality_check":     {"in quality check", "质检中"},
	"notice.state.shipped":           {"shipped", "已发货"},
	"notice.state.delivered":         {"delivered", "已签收"},
	"notice.state.completed":         {"completed", "已完成"},
	"notice.state.cancelled":         {"cancelled", "已取消"},
	"notice.state.none":              {"new", "新建"},

	// Payment states.
	"notice.paystate.unpaid":       {"unpaid", "未付款"},
	"notice.paystate.deposit_paid": {"deposit paid", "已付订金"},
	"notice.paystate.paid":         {"paid in full", "已付清"},

	// Promised date changes.
	"notice.date.changed": {"📅 The delivery date of order %s changed from %s to %s.", "📅 订单 %s 的交货日期由%s改为%s。"},
	"notice.date.set":     {"📅 The delivery date of order %s is now %s.", "📅 订单 %s 的交货日期现为%s。"},
	"notice.date.next":    {"We will remind you the working day before delivery.", "我们会在交货前一个工作日提醒您。"},

	// Payments.
	"notice.payment":              {"💰 Payment received for order %s: %s. Payment status: %s.", "💰 已收到订单 %s 的付款：%s。付款状态：%s。"},
	"notice.payment.next.unpaid":  {"Deposit due before production: %s.", "生产前应付订金：%s。"},
	"notice.payment.next.deposit": {"The deposit is paid: production can start.", "订金已付清：可以开始生产。"},
	"notice.payment.next.paid":    {"The order is fully paid. Thank you!", "订单已全部付清，谢谢！"},

	// Delivery reminder, the working day before delivery.
	"notice.reminder": {"⏰ Reminder: order %s will be delivered on %s. Please make sure someone can receive it and sign for it.", "⏰ 提醒：订单 %s 将于%s送达，请确保有人收货并签收。"},

	// Satisfaction survey after delivery.
	"notice.survey":   {"⭐ Order %s was delivered. How satisfied are you? Tap 1 (poor) to 5 (excellent); you can add a comment afterwards.", "⭐ 订单 %s 已送达。您对本次服务满意吗？请点击 1（很差）到 5（很好），之后可以补充意见。"},
	"notice.btn.rate": {"%d ⭐", "%d ⭐"},

	// The customer's confirmation of a reviewed order.
	"notice.confirm.title": {"📝 Please confirm order %s:", "📝 请确认订单 %s："},
	"notice.confirm.terms": {"Confirm is your signature on this order and is recorded with the time; Decline cancels the order.", "点击“确认”即视为您签字确认本订单（记录确认时间）；点击“拒绝”将取消订单。"},
	"notice.btn.confirm":   {"✅ Confirm", "✅ 确认"},
	"notice.btn.decline":   {"✖ Decline", "✖ 拒绝"},

	// A rep placed an order for the customer.
	"notice.placed_for_you": {"🛒 A sales rep placed order %s for you:", "🛒 业务员已为您下单，订单号 %s："},

	// Review cards for reps.
	"notice.review.title":     {"📝 Order %s needs review.", "📝 订单 %s 需要审核。"},
	"notice.review.stale":     {"⏳ Order %s is still waiting for review, %d h after it was placed.", "⏳ 订单 %s 下单已 %d 小时，仍待审核。"},
	"notice.review.customer":  {"Customer: %s", "客户：%s"},
	"notice.review.wanted":    {"Wanted by the customer: %s", "客户期望交期：%s"},
	"notice.review.suggested": {"Suggested date: %s", "建议交期：%s"},
	"notice.review.nodate":    {"No automatic date (custom product or large quantity): set one.", "无自动交期（定制产品或数量较大）：请设定日期。"},
	"notice.review.taken":     {"✔️ Order %s was taken by %s: %s.", "✔️ 订单 %s 已由 %s 处理：%s。"},
	"notice.btn.accept":       {"✅ Accept %s", "✅ 接受 %s"},
	"notice.btn.other_date":   {"📅 Other date", "📅 其他日期"},
	"notice.btn.reject":       {"✖ Reject", "✖ 拒绝"},

	// Change requests.
	"notice.change.requested": {"✏️ Order %s: %s asks for a change: %s", "✏️ 订单 %s：%s 申请修改：%s"},
	"notice.change.approved":  {"✅ Your change to order %s is approved: %s", "✅ 您对订单 %s 的修改申请已批准：%s"},
	"notice.change.cancelled": {"✅ Your request to cancel order %s is approved: the order is cancelled. (%s)", "✅ 您取消订单 %s 的申请已批准，订单已取消。（%s）"},
	"notice.change.rejected":  {"✖ Your change to order %s was not approved: %s. The order stays as it was.", "✖ 您对订单 %s 的修改申请未获批准：%s。订单保持不变。"},
	"notice.change.applied":   {"✏️ Order %s was changed by %s: %s", "✏️ 订单 %s 已被 %s 修改：%s"},
	"notice.btn.approve":      {"✅ Approve", "✅ 批准"},
	"notice.btn.reject_chg":   {"✖ Reject", "✖ 驳回"},

	// A customer who blocked the bot, told to the responsible rep.
	"notice.unreachable":          {"🚫 Order %s: customer %s blocked the bot and did not get the %s. Please contact them another way.", "🚫 订单 %s：客户 %s 已屏蔽机器人，未收到“%s”。请通过其他方式联系客户。"},
	"notice.unreachable.nonumber": {"🚫 Customer %s blocked the bot and did not get the %s. Please contact them another way.", "🚫 客户 %s 已屏蔽机器人，未收到“%s”。请通过其他方式联系客户。"},

	// What a notification was about, as reps read it.
	"notice.kind.review_requested":     {"review request", "审核请求"},
	"notice.kind.review_taken":         {"review update", "审核更新"},
	"notice.kind.review_stale":         {"review reminder", "审核提醒"},
	"notice.kind.awaiting_customer":    {"order confirmation request", "订单确认请求"},
	"notice.kind.status_changed":       {"status update", "状态更新"},
	"notice.kind.date_changed":         {"delivery date change", "交期变更通知"},
	"notice.kind.payment_recorded":     {"payment receipt", "付款通知"},
	"notice.kind.delivery_reminder":    {"delivery reminder", "交货提醒"},
	"notice.kind.survey":               {"satisfaction survey", "满意度调查"},
	"notice.kind.change_requested":     {"change request", "修改申请"},
	"notice.kind.change_decided":       {"decision on the change request", "修改申请结果"},
	"notice.kind.customer_unreachable": {"unreachable-customer alert", "客户无法联系提醒"},
	"notice.kind.placed_for_you":       {"order placed on their behalf", "代下单通知"},
	"notice.kind.overdue_alert":        {"overdue alert", "逾期提醒"},
	"notice.kind.other":                {"notification", "通知"},

	// The daily overdue alert to reps.
	"notice.overdue.title": {"⚠️ %d order(s) are past their promised date and not delivered:", "⚠️ 有 %d 个订单已超过承诺交期仍未交货："},
	"notice.overdue.line":  {"• %s — %s, promised %s, %s", "• %s — %s，承诺交期 %s，%s"},
	"notice.overdue.more":  {"… and %d more: /orders overdue", "……另有 %d 个：/orders 逾期"},
}
