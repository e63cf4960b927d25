package notify

import "github.com/orderbot/orderbot/orders"

// webhooksDisabled tells a channel's contact and the reps that the channel's webhooks were
// switched off (n.Customer is the channel, n.Note the receiver's last status code, empty
// when it did not answer).
func (r renderer) webhooksDisabled(n orders.Notice) Message {
	last := r.t("notice.webhooks_disabled.noanswer")
	if n.Note != "" {
		last = r.t("notice.webhooks_disabled.status", n.Note)
	}
	return Message{Text: text(r.t("notice.webhooks_disabled", n.Customer), last, r.t("notice.webhooks_disabled.howto", n.Customer))}
}
