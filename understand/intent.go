package understand

import (
	"regexp"
	"strings"

	"github.com/orderbot/orderbot/orders"
)

func queueName(q string) (string, bool) {
	q = trimPunct(q)
	q, _ = stripPrefix(q, "/orders", "queue", "队列")
	q = trimPunct(q)
	q, _ = stripSuffix(q, "的订单", "订单", "的", "orders", "queue")
	q = trimPunct(q)
	switch q {
	case "review", "reviews", "待审核", "审核", "待评审", "评审", "待审", "需审核", "要审核", "需要审核", "pending review", "to review":
		return QueueReview, true
	case "active", "进行中", "在办", "处理中", "在产", "生产中", "执行中", "in progress", "open":
		return QueueActive, true
	case "overdue", "逾期", "超期", "延期", "过期", "已逾期", "late":
		return QueueOverdue, true
	case "today", "今日", "今天", "今天交货", "今日交货", "今天到期", "今日到期", "due today":
		return QueueToday, true
	case "unpaid", "待收款", "未付款", "未收款", "欠款", "待付款", "应收", "没付款":
		return QueueUnpaid, true
	}
	return "", false
}

var (
	reOrderNo   = regexp.MustCompile(`(?i)\bso-\d{8}-\d{4}\b`)
	reAmountAny = regexp.MustCompile(`(?:¥|rmb|cny|人民币)?\s*(?:\d[\d,]*(?:\.\d+)?\s*(?:万|千|k|w)?|[零一二两三四五六七八九十百千万]+)\s*(?:元整|元|块钱|块|rmb|yuan|cny)?`)
	queueWords  = []struct {
		queue string
		words []string
	}{
		{QueueOverdue, []string{"逾期", "超期", "过期", "延误", "overdue", "late orders", "are late"}},
		{QueueToday, []string{"今天交货", "今日交货", "今天到期", "今天要交", "今天要送", "今天送货", "今天发货", "今天的交货", "due today", "today's deliveries", "deliveries today", "delivering today"}},
		{QueueReview, []string{"审核", "评审", "待审", "review"}},
		{QueueUnpaid, []string{"待收款", "未付款", "未收款", "没付款", "欠款", "unpaid", "not paid"}},
		{QueueActive, []string{"进行中", "在办", "处理中", "生产中", "active orders", "in progress", "open orders"}},
	}
	findPrefixes = []string{"查找订单", "查询订单", "搜索订单", "查订单", "找订单", "查找", "查询", "搜索", "查一下", "查", "找一下", "找",
		"find orders of", "find orders for", "find order", "find orders", "find", "search for", "search", "look up", "lookup", "look for"}
)

func (p *Parser) staff(s string, today orders.Date) Intent {
	orig := strings.TrimSpace(fold(s))
	low := lowerASCII(orig)
	q := trimPunct(low)
	var it Intent
	if n := reOrderNo.FindString(low); n != "" {
		it.Order = strings.ToUpper(n)
	}
	if q == "" || len([]rune(q)) > 200 {
		return it
	}
	// Find: an explicit search word first, so a name that looks like anything else is kept.
	for _, f := range findPrefixes {
		if strings.HasPrefix(q, f) {
			rest := trimPunct(orig[len(f):])
			rest = trimPunct(strings.TrimPrefix(strings.TrimPrefix(rest, "订单"), "客户"))
			if rest != "" && !strings.HasPrefix(lowerASCII(rest), "的订单") {
				it.Kind, it.Query = IntentFind, rest
				return it
			}
		}
	}
	// A change request.
	for _, w := range []string{"不同意修改", "不同意变更", "拒绝修改", "拒绝变更", "驳回修改", "不批准修改", "修改不同意", "reject the change", "reject change", "decline the change", "decline change", "不同意取消", "拒绝取消"} {
		if strings.Contains(q, w) {
			it.Kind, it.Reason = IntentRejectChange, reasonAfter(orig, low, w)
			return it
		}
	}
	for _, w := range []string{"同意修改", "同意变更", "批准修改", "批准变更", "可以修改", "修改同意", "approve the change", "approve change", "accept the change", "accept change", "同意取消", "批准取消"} {
		if strings.Contains(q, w) {
			it.Kind = IntentApproveChange
			return it
		}
	}
	// Shipment.
	if containsAny(q, "发货", "已发", "发出", "寄出", "发走", "运单", "快递单", "shipped", "tracking", "dispatched") || p.Shipment(q).Tracking != "" && p.Shipment(q).Carrier.Code != "" {
		it.Kind, it.Shipment = IntentShip, findShipment(low, orig, p.carriers)
		return it
	}
	// Payment.
	if containsAny(q, "收到", "到账", "收款", "货款", "付款", "已付", "付了", "payment", "paid", "received") {
		for _, loc := range reAmountAny.FindAllStringIndex(q, -1) {
			a := strings.TrimSpace(q[loc[0]:loc[1]])
			if a == "" || reOrderNo.MatchString(q[max(0, loc[0]-3):min(len(q), loc[1]+5)]) {
				continue
			}
			if v, err := Amount(a); err == nil {
				it.Amount = v
				break
			}
		}
		if m, ok := p.paymentIn(q); ok {
			it.Method = m
		}
		if !it.Amount.IsZero() || it.Method != "" {
			it.Kind = IntentPayment
			return it
		}
	}
	// Review decisions.
	for _, w := range []string{"不同意", "不接受", "拒绝", "驳回", "不行", "不可以", "不通过", "reject", "decline", "refuse"} {
		if strings.HasPrefix(q, w) {
			it.Kind, it.Reason = IntentReject, reasonAfter(orig, low, w)
			return it
		}
	}
	for _, w := range []string{"审核通过", "同意", "可以", "接受", "通过", "没问题", "行", "好的", "确认", "批准", "accept", "approve", "approved", "ok", "okay", "yes", "fine"} {
		if strings.HasPrefix(q, w) && (len(q) == len(w) || !isLetter(q[len(w)])) {
			it.Kind = IntentAccept
			rest := trimPunct(q[len(w):])
			if rest != "" {
				if d, ok := dateIn(rest, today, p.cfg.Calendar); ok {
					it.Date = d
				}
			}
			return it
		}
	}
	// Queues.
	if name, ok := queueName(q); ok {
		it.Kind, it.Queue = IntentQueue, name
		return it
	}
	if containsAny(q, "订单", "order", "哪些", "有什么", "有多少", "列表", "list", "show", "which", "what") {
		for _, qw := range queueWords {
			if containsAny(q, qw.words...) {
				it.Kind, it.Queue = IntentQueue, qw.queue
				return it
			}
		}
	}
	if it.Order != "" && strings.EqualFold(trimPunct(q), it.Order) {
		it.Kind = IntentShow
	}
	return it
}

func containsAny(s string, ws ...string) bool {
	for _, w := range ws {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// reasonAfter returns the text after word w (a reason given with a refusal), as typed.
func reasonAfter(orig, low, w string) string {
	i := strings.Index(low, w)
	if i < 0 {
		return ""
	}
	r := trimPunct(orig[i+len(w):])
	for _, p := range []string{"因为", "原因是", "原因:", "原因", "理由是", "理由:", "理由", "because", "reason:", "reason"} {
		if strings.HasPrefix(lowerASCII(r), p) {
			r = trimPunct(r[len(p):])
			break
		}
	}
	return r
}

// dateIn finds one date in a short text (按15号交货, "deliver on the 15th").
func dateIn(s string, today orders.Date, cal Calendar) (DateAnswer, bool) {
	if a, err := ParseDate(s, today, cal); err == nil {
		return a, true
	}
	m := newMsg(s)
	var d Draft
	(&Parser{cfg: Config{Calendar: cal}}).qDate(m, &d, today)
	if d.DateState == Understood {
		return d.Date, true
	}
	return DateAnswer{}, false
}

// paymentIn finds the one payment method named in a longer text.
func (p *Parser) paymentIn(s string) (string, bool) {
	m := newMsg(s)
	var d Draft
	p.qPayment(m, &d)
	return d.PaymentMethod, d.PaymentState == Understood
}
