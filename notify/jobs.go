package notify

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
)

// The River job of a notification. orders/pgstore inserts it (its outboxJob) in the
// transaction of the change; keep SendKind, Queue and the JSON shape of SendArgs equal to
// pgstore's.
const (
	SendKind = "orderbot.notification"
	Queue    = "notifications"
)

// SendArgs are the arguments of a notification job: what pgstore's outboxJob holds.
type SendArgs struct {
	// Key identifies the notification: its row in the outbox, and River's unique key.
	Key string `json:"key" river:"unique"`
	// Notice is the kind, one of the orders.Notice… constants (or KindOverdue).
	Notice string `json:"notice"`
	// ChatID is the recipient; 0 means every active staff member.
	ChatID int64 `json:"chat_id"`
	// Number is the order's number; empty for notifications about no one order.
	Number string `json:"number,omitempty"`
	// Payload is an orders.Notice.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return SendKind }

// TickArgs are the arguments of the periodic checks.
type TickArgs struct{}

// Kind implements river.JobArgs.
func (TickArgs) Kind() string { return "orderbot.notify_tick" }

// KindOverdue is the daily overdue alert to staff; notify queues it itself.
const KindOverdue = "overdue_alert"

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	n *Notifier
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	due := job.CreatedAt
	if job.ScheduledAt.After(due) {
		due = job.ScheduledAt
	}
	return w.n.deliver(withAttempt(ctx, job.Attempt), job.Args, job.CreatedAt, due)
}

// NextRetry backs off exponentially from 2 s to at most 10 minutes, with jitter: a failed
// send is retried for about three hours (25 attempts) before River discards the job.
func (w *sendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	d := time.Duration(1<<min(job.Attempt, 10)) * time.Second
	d = min(d, 10*time.Minute)
	d += rand.N(d/4 + 1)
	return w.n.now().Add(d)
}

type tickWorker struct {
	river.WorkerDefaults[TickArgs]
	n *Notifier
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	return w.n.Tick(ctx)
}
