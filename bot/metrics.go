package bot

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus metrics.
type Metrics struct {
	Updates  *prometheus.CounterVec
	Latency  prometheus.Histogram
	Errors   *prometheus.CounterVec
	Sends    *prometheus.CounterVec
	Rejected prometheus.Counter

	Accepted    prometheus.Counter
	Dropped     prometheus.Counter
	Retries     prometheus.Counter
	DeadLetters *prometheus.CounterVec
	PollErrors  prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg (when not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderbot_updates_total", Help: "Updates handled, by kind.",
		}, []string{"kind"}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "orderbot_update_duration_seconds",
			Help:    "Time to handle one update, replies sent included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderbot_update_errors_total", Help: "Updates whose handling failed, by kind.",
		}, []string{"kind"}),
		Sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderbot_sends_total", Help: "Messages sent to Telegram, by result.",
		}, []string{"result"}),
		Rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_webhook_rejected_total", Help: "Webhook requests rejected for a wrong secret.",
		}),
		Accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_updates_accepted_total", Help: "Updates written to the inbox.",
		}),
		Dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_updates_dropped_total", Help: "Updates dropped because their chat's backlog was full.",
		}),
		Retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_update_retries_total", Help: "Transient failures of an update, retried after a backoff.",
		}),
		DeadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderbot_updates_dead_lettered_total", Help: "Updates given up on and kept as dead letters, by reason (blocked, failed).",
		}, []string{"reason"}),
		PollErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderbot_get_updates_errors_total", Help: "getUpdates calls that failed.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Updates, m.Latency, m.Errors, m.Sends, m.Rejected,
			m.Accepted, m.Dropped, m.Retries, m.DeadLetters, m.PollErrors)
	}
	return m
}
