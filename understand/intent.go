package understand

import "github.com/orderbot/orderbot/orders"

func queueName(q string) (string, bool) {
	q = trimPunct(q)
	q, _ = stripPrefix(q, "/orders", "queue", "队列")
	q = trimPunct(q)
	switch q {
	case "review", "reviews", "待审核", "审核", "待评审", "评审", "待审", "需审核", "要审核", "pending review", "to review":
		return QueueReview, true
	case "active", "进行中", "在办", "处理中", "在产", "生产中", "执行中", "in progress", "open":
		return QueueActive, true
	case "overdue", "逾期", "超期", "延期", "过期", "逾期的", "late":
		return QueueOverdue, true
	case "today", "今日", "今天", "今天交货", "今日交货", "今天到期", "due today":
		return QueueToday, true
	case "unpaid", "待收款", "未付款", "未收款", "欠款", "待付款", "应收":
		return QueueUnpaid, true
	}
	return "", false
}

func (p *Parser) staff(s string, today orders.Date) Intent {
	return Intent{}
}
