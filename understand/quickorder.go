package understand

import "github.com/orderbot/orderbot/orders"

func (p *Parser) quickOrder(s string, today orders.Date) Draft {
	return Draft{Lang: Language(s)}
}
