package understand

import (
	"time"

	"github.com/shopspring/decimal"
)

// IntentKind is what a staff member's sentence asks the desk to do.
type IntentKind string

// Staff intents.
const (
	IntentNone          IntentKind = ""               // not a desk sentence
	IntentQueue         IntentKind = "queue"          // show a work queue (Intent.Queue)
	IntentFind          IntentKind = "find"           // find orders (Intent.Query)
	IntentShow          IntentKind = "show"           // show an order (Intent.Order)
	IntentShip          IntentKind = "ship"           // mark shipped (Intent.Shipment)
	IntentPayment       IntentKind = "payment"        // record a payment (Intent.Amount, Intent.Method)
	IntentAccept        IntentKind = "accept"         // accept a review (Intent.Date when a date was given)
	IntentReject        IntentKind = "reject"         // reject a review (Intent.Reason)
	IntentApproveChange IntentKind = "approve_change" // approve a change request
	IntentRejectChange  IntentKind = "reject_change"  // reject a change request (Intent.Reason)
)

// Queue names understood (orders.QueueReview … and "unpaid").
const (
	QueueReview  = "review"
	QueueActive  = "active"
	QueueOverdue = "overdue"
	QueueToday   = "today"
	QueueUnpaid  = "unpaid"
)

// Intent is a staff sentence understood. Fields not given are zero; every intent must be
// confirmed by the person before it acts.
type Intent struct {
	Kind     IntentKind
	Queue    string          // IntentQueue
	Query    string          // IntentFind: a name, phone or order number
	Order    string          // an order number mentioned (SO-20261130-0001, upper-cased), any intent
	Shipment Shipment        // IntentShip: carrier and tracking, when given
	Amount   decimal.Decimal // IntentPayment: zero when not given
	Method   string          // IntentPayment: payment method code, "" when not given
	Date     DateAnswer      // IntentAccept: the date given (同意，按15号交货), zero when none
	Reason   string          // IntentReject / IntentRejectChange: the reason given, if any
}

// Staff reads a sentence a sales rep or manager types to the desk, in Chinese or English:
// 今天有哪些订单要审核 / 逾期的订单 / 今天交货 / 待收款 (queues), 查找订单 王 / find 138… (find),
// 这个订单发货了，顺丰 SF1234567890 (ship), 收到货款5000元 银行转账 (payment), 同意 / 可以，按15号交货
// (accept), 拒绝，没有库存 (reject), 同意修改 / 不同意修改 (a change request).
func (p *Parser) Staff(s string, now time.Time) Intent {
	return p.staff(s, p.Today(now))
}

// QueueName returns the queue a word names, in either language: 待审核/审核/评审/review,
// 进行中/在办/active, 逾期/超期/overdue, 今日/今天/today, 待收款/未付款/unpaid.
func QueueName(s string) (string, bool) {
	return queueName(norm(s))
}
