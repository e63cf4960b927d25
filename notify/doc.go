// Package notify delivers the notifications the order desk writes: status changes,
// promised-date changes, payments, review cards, confirmations, surveys, change requests,
// delivery reminders, overdue alerts and stale-review alerts, in the recipient's language.
//
// # Outbox
//
// orders/pgstore writes each notification in the transaction of the change that causes it,
// twice: a row in the notifications table (the record of what happened to it) and a River
// job (github.com/riverqueue/river) in the queue [Queue]. River, on the same PostgreSQL
// database through lib/pq, brings retries with backoff, scheduled jobs (delivery reminders
// carry a run time) and periodic jobs. A Notifier is a River client that works those jobs.
//
// pgstore and notify never import each other. The job is described twice, as pgstore's
// outboxJob and as [SendArgs] here: both have the kind [SendKind], the queue [Queue] and the
// JSON shape {"key", "notice", "chat_id", "number", "payload"}; change them together
// (tests on both sides pin the shape). The rest of the storage notify needs is the [Outbox]
// interface, which *pgstore.Store implements.
//
// # Sending at most once
//
// Before a message goes to Telegram its row is claimed (pending → sending) in a committed
// statement; after Telegram answered, the row records the message id (sending → sent).
// Claims and records of concurrent workers are batched into one statement each, like a
// group commit. A job that runs again — a retry, a job rescued from a dead worker — finds
// the row sent and does nothing, so a notification is never sent twice.
//
// What remains is one window: a worker that dies after the claim and before the record
// leaves the row in "sending", and nobody can tell whether Telegram got the message (the
// Bot API has no idempotency key). By default such a notification is settled as
// "uncertain" and not sent again, which keeps "at most once" strict; the cost is that a
// worker killed between the claim and the request reaching Telegram — the chat's rate
// token and the wait for a global one, a few tens of milliseconds at most — loses that
// message (the row says "uncertain", and the log says so). Config.ResendUncertain chooses
// the other side: at least once, a duplicate instead of a loss. A worker that dies before
// the claim — while rendering or waiting for a send slot — loses nothing: River runs the
// job again. Errors that say the message was not sent (an API error answer, a refused
// connection, a context already done) release the claim; errors after which it may have
// been sent (a timeout, a connection cut mid-request) are treated like a dead worker.
//
// # Rate limits
//
// All Notifiers share the limits through Redis (github.com/go-redis/redis_rate): a global
// rate (default 30 messages/s) and one message per chat per ChatInterval (default 1.1 s,
// a tenth of a second to spare). A message takes, in order, one of its process's few send
// slots, its claim, the chat's token and a global token, and leaves at once: nothing slow
// stands between the global token and the request, so Telegram sees what the limiter let
// through, give or take a little jitter. The global limit runs a few percent under the rate
// (Headroom) with a small burst to absorb late wake-ups; see Config.Headroom for the
// arithmetic. A chat that is busy for longer than MaxChatWait snoozes the job instead of
// holding a worker. Telegram should never have to answer 429; when it does anyway, the job
// is snoozed by its retry_after and this process pauses sending for as long.
//
// A 403 (the user blocked the bot) marks the customer unreachable, stops retrying, and
// queues a customer_unreachable notice to the staff member who last acted on the order, or
// to every active rep.
//
// # Periodic checks
//
// A River periodic job runs [Notifier.Tick] every TickInterval on the leader: inside working
// hours of the business time zone (working days of the rules, WorkStart to WorkEnd) it queues
// the daily overdue alert to staff (once a day, from OverdueAt) and an alert for each review
// request left untouched for StaleReviewAfter (once per order).
package notify
