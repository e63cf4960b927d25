package notify

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the notifier's Prometheus metrics.
type Metrics struct {
	// Sent counts notifications sent (or, for edits, applied).
	Sent prometheus.Counter
	// Failed counts notifications settled as failed: the recipient blocked the bot, Telegram
	// refused the message for good, or the notification cannot be rendered.
	Failed prometheus.Counter
	// Throttled counts sends put off by a limit: by "telegram" (a 429) or by "chat" (the
	// chat's one message a second, after MaxChatWait).
	Throttled *prometheus.CounterVec
	// Uncertain counts notifications settled as uncertain: a send began and its outcome is
	// unknown. Each waits for an operator: `orderbot notifications uncertain`.
	Uncertain prometheus.Counter
	// QueueLag is how long a notification waited, from when it was due (queued, or its run
	// time) until Telegram had it.
	QueueLag prometheus.Histogram
}

// NewMetrics creates the metrics and registers them with reg (when not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_notifications_sent_total", Help: "Notifications sent (or edits applied)."}),
		Failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_notifications_failed_total", Help: "Notifications settled as failed (blocked, refused, unrenderable)."}),
		Throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderbot_notifications_throttled_total", Help: "Sends put off by a rate limit, by which limit: telegram (429) or chat."},
			[]string{"by"}),
		Uncertain: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_notifications_uncertain_total", Help: "Notifications settled as uncertain: maybe sent, waiting for an operator."}),
		QueueLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "orderbot_notification_queue_lag_seconds", Help: "Time from a notification being due to Telegram having it.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}}),
	}
	if reg != nil {
		reg.MustRegister(m.Sent, m.Failed, m.Throttled, m.Uncertain, m.QueueLag)
	}
	return m
}
