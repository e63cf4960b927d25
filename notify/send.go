package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/orderbot/orderbot/orders"
)

// cardWait is how long a notification that must follow another (a review_taken the card it
// edits, a survey the news of the delivery) waits for it, and cardPatience how long it
// keeps waiting before it goes anyway.
const (
	cardWait     = 3 * time.Second
	cardPatience = time.Hour
)

// plan is what one notification becomes.
type plan struct {
	msg   Message
	edits []int         // edit these messages instead of sending a new one
	drop  string        // do not send, because of this
	wait  time.Duration // not yet: try again after this long
	fail  string        // cannot be sent, ever, because of this
}

// deliver sends one notification at most once: see the package documentation.
// queuedAt is when the job was queued, by the wall clock (the database's); due when it
// was to run (queuedAt, or a later run time).
func (n *Notifier) deliver(ctx context.Context, a SendArgs, queuedAt, due time.Time) error {
	log := n.log.With("key", a.Key, "kind", a.Notice, "chat", a.ChatID)
	if a.ChatID == 0 {
		return n.expand(ctx, a)
	}
	var nt orders.Notice
	if len(a.Payload) > 0 {
		if err := json.Unmarshal(a.Payload, &nt); err != nil {
			log.ErrorContext(ctx, "notification payload does not decode", "err", err)
			return n.settle(ctx, a.Key, StateFailed, "payload: "+err.Error())
		}
	}
	if nt.Number == "" {
		nt.Number = a.Number
	}
	p, err := n.plan(ctx, a, nt, queuedAt)
	if err != nil {
		return err
	}
	if nt.Group && len(p.edits) == 0 && cardKinds[a.Notice] {
		p.msg.Buttons = append(p.msg.Buttons, []Button{{Text: newRenderer(nt.Lang, "").t("group.btn.claim"), Data: DataCardClaim}})
	}
	switch {
	case p.fail != "":
		log.ErrorContext(ctx, "notification cannot be sent", "reason", p.fail)
		return n.settle(ctx, a.Key, StateFailed, p.fail)
	case p.drop != "":
		log.DebugContext(ctx, "notification dropped", "reason", p.drop)
		return n.settle(ctx, a.Key, StateDropped, p.drop)
	case p.wait > 0:
		return river.JobSnooze(p.wait)
	}

	// A send slot, the claim, the chat's token, then the global token: see limiter.
	proceed, err := n.admit(ctx, log, a)
	if !proceed {
		return err
	}
	var id int
	if len(p.edits) == 0 {
		id, err = n.send.SendNotice(ctx, a.ChatID, p.msg)
	} else {
		for i, mid := range p.edits {
			if i > 0 { // each edit is one more message under the limits
				if err = n.waitLimits(ctx, a.ChatID); err != nil {
					break
				}
			}
			if err = n.send.EditNotice(ctx, a.ChatID, mid, p.msg); err != nil {
				break
			}
			id = mid
		}
	}
	if err == nil {
		if n.afterSend != nil {
			n.afterSend(ctx, a)
		}
		n.metrics.Sent.Inc()
		n.metrics.QueueLag.Observe(max(n.now().Sub(due), 0).Seconds())
		return n.recordSent(ctx, a.Key, id)
	}
	return n.sendFailed(ctx, log, a, nt, err)
}

// admit claims the notification and waits until the limits let it go, in the order the
// limiter needs: a send slot, the claim, the chat's token, the global token. It reports
// whether to send now; when not, err is what the job returns (nil: it is done).
func (n *Notifier) admit(ctx context.Context, log *slog.Logger, a SendArgs) (bool, error) {
	deadline := time.Now().Add(n.cfg.MaxChatWait)
	bg := context.WithoutCancel(ctx)
	for {
		pass, snooze, err := n.limits.enter(ctx, a.ChatID, deadline)
		if err != nil {
			return false, err
		} else if snooze > 0 {
			n.metrics.Throttled.WithLabelValues("chat").Inc()
			return false, river.JobSnooze(snooze)
		}
		if n.beforeClaim != nil {
			n.beforeClaim(ctx, a)
		}
		if err := ctx.Err(); err != nil {
			pass.release()
			return false, err // stopping: claim nothing, the job runs again
		}
		c, err := n.claims.Do(a.Key)
		if err != nil {
			pass.release()
			return false, err
		}
		switch c.state {
		case StateClaimed:
		case StateSending:
			// A send of this notification began and never finished: the worker died
			// between the claim and the record. Telegram may have the message; sending
			// again could show it twice.
			pass.release()
			log.ErrorContext(ctx, "notification may or may not have been sent before its worker died; not sending it again")
			return false, n.settle(bg, a.Key, StateUncertain, "a send began and never finished")
		case StateMissing:
			pass.release()
			log.ErrorContext(ctx, "notification job without its outbox row; not sent")
			return false, nil
		default:
			pass.release()
			log.DebugContext(ctx, "notification already settled", "state", c.state, "message_id", c.messageID)
			return false, nil
		}
		ok, err := n.limits.chatToken(ctx, a.ChatID)
		if err == nil && ok {
			err = n.limits.takeGlobal(ctx)
			pass.release()
			if err != nil {
				return false, errors.Join(err, n.out.ReleaseNotice(bg, a.Key, err.Error()))
			}
			return true, nil
		}
		// The chat is busy (or Redis failed): give the claim and the slot back, then wait
		// for the chat without them, or snooze.
		pass.release()
		if rerr := n.out.ReleaseNotice(bg, a.Key, "the chat is busy"); rerr != nil || err != nil {
			return false, errors.Join(err, rerr)
		}
	}
}

// waitLimits waits for the limits to let one more message go to the chat, however long:
// for the edits after the first of a notification already claimed.
func (n *Notifier) waitLimits(ctx context.Context, chatID int64) error {
	for {
		pass, snooze, err := n.limits.enter(ctx, chatID, time.Now().Add(n.cfg.MaxChatWait))
		if err != nil {
			return err
		}
		if snooze > 0 {
			if err := sleep(ctx, snooze); err != nil {
				return err
			}
			continue
		}
		ok, err := n.limits.chatToken(ctx, chatID)
		if err == nil && ok {
			err = n.limits.takeGlobal(ctx)
		}
		pass.release()
		if err != nil || ok {
			return err
		}
	}
}

// recordSent records a send. Telegram has the message: the record is retried for a while
// even when the job's context ends, since a notification left claimed is never resent.
func (n *Notifier) recordSent(ctx context.Context, key string, messageID int) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	for attempt := range 6 {
		if _, err = n.sents.Do(sentMsg{key: key, messageID: messageID}); err == nil {
			return nil
		}
		_ = sleep(ctx, time.Duration(100<<attempt)*time.Millisecond)
	}
	n.log.ErrorContext(ctx, "notification sent but not recorded; it will not be sent again", "key", key,
		"message_id", messageID, "err", err)
	return nil
}

// sendFailed handles an error of Telegram: retry later, give up, or tell the rep.
func (n *Notifier) sendFailed(ctx context.Context, log *slog.Logger, a SendArgs, nt orders.Notice, err error) error {
	bg := context.WithoutCancel(ctx)
	var (
		ra interface{ RetryAfter() time.Duration }
		bl interface{ Blocked() bool }
		pe interface{ Permanent() bool }
		ms interface{ MaybeSent() bool }
	)
	switch {
	case errors.As(err, &ra):
		wait := max(ra.RetryAfter(), time.Second)
		log.WarnContext(ctx, "Telegram asked to slow down", "retry_after", wait)
		n.metrics.Throttled.WithLabelValues("telegram").Inc()
		n.limits.pause(wait)
		if rerr := n.out.ReleaseNotice(bg, a.Key, err.Error()); rerr != nil {
			return errors.Join(err, rerr)
		}
		return river.JobSnooze(wait)
	case errors.As(err, &bl) && bl.Blocked():
		if uerr := n.unreachable(bg, a, nt); uerr != nil {
			// Not settled: the job runs again, meets the block again and tells the rep then.
			return errors.Join(err, uerr, n.out.ReleaseNotice(bg, a.Key, err.Error()))
		}
		log.WarnContext(ctx, "the recipient blocked the bot")
		return n.settle(bg, a.Key, StateFailed, err.Error())
	case errors.As(err, &pe) && pe.Permanent():
		log.ErrorContext(ctx, "Telegram refused the notification", "err", err)
		return n.settle(bg, a.Key, StateFailed, err.Error())
	case errors.As(err, &ms) && ms.MaybeSent():
		if n.cfg.ResendUncertain {
			return errors.Join(err, n.out.ReleaseNotice(bg, a.Key, err.Error()))
		}
		log.ErrorContext(ctx, "no answer from Telegram: the notification may or may not have arrived; not sending it again", "err", err)
		return n.settle(bg, a.Key, StateUncertain, err.Error())
	}
	// Not sent: River retries with backoff.
	if rerr := n.out.ReleaseNotice(bg, a.Key, err.Error()); rerr != nil {
		return errors.Join(err, rerr)
	}
	return fmt.Errorf("send %s: %w", a.Notice, err)
}

func (n *Notifier) settle(ctx context.Context, key, state, reason string) error {
	if err := n.out.SettleNotice(ctx, key, state, reason); err != nil {
		return fmt.Errorf("settle notification as %s: %w", state, err)
	}
	switch state {
	case StateFailed:
		n.metrics.Failed.Inc()
	case StateUncertain:
		n.metrics.Uncertain.Inc()
	}
	return nil
}

// unreachable marks a customer who blocked the bot and tells the responsible staff, once
// per order (or per customer for notifications about no order).
func (n *Notifier) unreachable(ctx context.Context, a SendArgs, nt orders.Notice) error {
	customer, err := n.out.MarkUnreachable(ctx, a.ChatID)
	if err != nil {
		return fmt.Errorf("mark customer unreachable: %w", err)
	}
	if !customer || a.Notice == orders.NoticeCustomerUnreachable {
		return nil // a staff member blocked the bot: nobody else to tell
	}
	name := nt.Customer
	var owner int64 // the order's rep: the notice is theirs, private
	if nt.Number != "" {
		if o, err := n.out.Order(ctx, nt.Number); err == nil {
			name, owner = o.Customer.Name, o.Rep
		}
	}
	if name == "" {
		name = strconv.FormatInt(a.ChatID, 10)
	}
	staff, err := n.out.ResponsibleStaff(ctx, nt.Number)
	if err != nil {
		return fmt.Errorf("responsible staff: %w", err)
	}
	subject := nt.Number
	if subject == "" {
		subject = "chat" + strconv.FormatInt(a.ChatID, 10)
	}
	var ns []orders.Notification
	for _, st := range staff {
		key := orders.NoticeCustomerUnreachable + ":" + subject + ":" + strconv.FormatInt(st.TelegramID, 10)
		ns = append(ns, orders.NewNotification(orders.NoticeCustomerUnreachable, st.TelegramID, key,
			orders.Notice{Lang: st.Language, Number: nt.Number, Customer: name, Note: a.Notice, Owned: owner != 0 && st.TelegramID == owner}, time.Time{}))
	}
	if len(ns) == 0 {
		n.log.WarnContext(ctx, "a customer blocked the bot and no active staff can be told", "order", nt.Number)
		return nil
	}
	return n.out.QueueNotices(ctx, nt.Number, ns)
}

// expand turns a notification to every active staff member (chat 0) into one per member,
// in the member's language.
func (n *Notifier) expand(ctx context.Context, a SendArgs) error {
	staff, _, err := n.staff.get(ctx)
	if err != nil {
		return err
	}
	var nt map[string]any
	if len(a.Payload) > 0 {
		if err := json.Unmarshal(a.Payload, &nt); err != nil {
			return n.settle(ctx, a.Key, StateFailed, "payload: "+err.Error())
		}
	}
	if nt == nil {
		nt = map[string]any{}
	}
	ns := make([]orders.Notification, 0, len(staff))
	for _, st := range staff {
		nt["lang"] = st.Language
		p, err := json.Marshal(nt)
		if err != nil {
			return err
		}
		ns = append(ns, orders.Notification{Kind: a.Notice, ChatID: st.TelegramID,
			Key: a.Key + "@" + strconv.FormatInt(st.TelegramID, 10), Payload: p})
	}
	if err := n.out.QueueNotices(ctx, a.Number, ns); err != nil {
		return fmt.Errorf("queue per staff member: %w", err)
	}
	return n.settle(ctx, a.Key, StateExpanded, fmt.Sprintf("to %d staff members", len(ns)))
}

// plan decides what the notification says now, or that it is no longer to be sent.
func (n *Notifier) plan(ctx context.Context, a SendArgs, nt orders.Notice, queuedAt time.Time) (plan, error) {
	_, staff, err := n.staff.get(ctx)
	if err != nil {
		return plan{}, err
	}
	_, toStaff := staff[a.ChatID]
	r := newRenderer(nt.Lang, n.cfg.Rules.Currency)
	r.methods = n.cfg.Rules.PaymentMethods
	order := func() (orders.Order, error) {
		if nt.Number == "" {
			return orders.Order{}, orders.ErrNotFound
		}
		o, err := n.out.Order(ctx, nt.Number)
		if err != nil {
			return orders.Order{}, fmt.Errorf("order of the notification: %w", err)
		}
		return o, nil
	}

	switch a.Notice {
	case orders.NoticeStatusChanged:
		if toStaff {
			return plan{msg: r.staffStatus(nt)}, nil
		}
		return plan{msg: r.statusChanged(nt)}, nil

	case orders.NoticeDateChanged:
		return plan{msg: r.dateChanged(nt)}, nil

	case orders.NoticePaymentRecorded:
		return plan{msg: r.payment(nt)}, nil

	case orders.NoticeDeliveryReminder:
		o, err := order()
		if errors.Is(err, orders.ErrNotFound) {
			return plan{drop: "the order is gone"}, nil
		} else if err != nil {
			return plan{}, err
		}
		switch {
		case o.Status == orders.StatusCancelled || o.Status == orders.StatusDelivered || o.Status == orders.StatusCompleted:
			return plan{drop: "the order is " + string(o.Status)}, nil
		case o.PromisedDate != nt.Date:
			return plan{drop: "the promised date is now " + o.PromisedDate.String()}, nil
		case nt.Date.Before(orders.DateOf(n.now().In(n.cfg.Location))):
			return plan{drop: "the delivery date has passed"}, nil // late, after an outage
		}
		return plan{msg: r.reminder(nt)}, nil

	case orders.NoticeSurvey:
		// After the message that says the order is delivered, not before it.
		_, unsent, err := n.out.NoticeMessages(ctx, nt.Number, a.ChatID, []string{orders.NoticeStatusChanged})
		if err != nil {
			return plan{}, fmt.Errorf("status messages: %w", err)
		}
		if unsent > 0 && time.Since(queuedAt) < cardPatience {
			return plan{wait: cardWait}, nil
		}
		return plan{msg: r.survey(nt)}, nil

	case orders.NoticeAwaitingCustomer:
		o, err := order()
		if errors.Is(err, orders.ErrNotFound) {
			return plan{drop: "the order is gone"}, nil
		} else if err != nil {
			return plan{}, err
		}
		if o.Status != orders.StatusAwaitingCustomer {
			return plan{drop: "the order is " + string(o.Status)}, nil
		}
		nt = orderNotice(nt, o)
		nt.Date = o.PromisedDate
		return plan{msg: r.confirmation(nt)}, nil

	case orders.NoticePlacedForYou:
		if o, err := order(); err == nil {
			date := o.PromisedDate
			if date.IsZero() {
				date = o.EstimatedDate
			}
			nt = orderNotice(nt, o)
			nt.Date = date
		} else if !errors.Is(err, orders.ErrNotFound) {
			return plan{}, err
		}
		return plan{msg: r.placedForYou(nt)}, nil

	case orders.NoticeReviewRequested, orders.NoticeReviewStale:
		o, err := order()
		if errors.Is(err, orders.ErrNotFound) {
			return plan{drop: "the order is gone"}, nil
		} else if err != nil {
			return plan{}, err
		}
		if o.Status != orders.StatusPendingReview {
			return plan{drop: "already reviewed: the order is " + string(o.Status)}, nil
		}
		nt = orderNotice(nt, o)
		nt.Date, nt.OldDate = orders.SuggestedDate(o), o.WantedDate
		var stale time.Duration
		if a.Notice == orders.NoticeReviewStale {
			stale = max(n.now().Sub(o.CreatedAt), time.Hour)
		}
		return plan{msg: r.reviewCard(nt, stale)}, nil

	case orders.NoticeReviewClaimed:
		ids, unsent, err := n.out.NoticeMessages(ctx, nt.Number, a.ChatID,
			[]string{orders.NoticeReviewRequested, orders.NoticeReviewStale})
		if err != nil {
			return plan{}, fmt.Errorf("review cards: %w", err)
		}
		if unsent > 0 && time.Since(queuedAt) < cardPatience {
			return plan{wait: cardWait}, nil
		}
		o, err := order()
		if errors.Is(err, orders.ErrNotFound) {
			return plan{drop: "the order is gone"}, nil
		} else if err != nil {
			return plan{}, err
		}
		if len(ids) == 0 || o.Status != orders.StatusPendingReview {
			return plan{drop: "no review card to edit, or already reviewed"}, nil
		}
		claimer := nt.Actor
		nt = orderNotice(nt, o)
		nt.Date, nt.OldDate = orders.SuggestedDate(o), o.WantedDate
		m := r.reviewCard(nt, 0)
		m.Text = text(m.Text, r.t("group.claimed_by", claimer))
		return plan{msg: m, edits: ids}, nil

	case orders.NoticeReviewTaken:
		ids, unsent, err := n.out.NoticeMessages(ctx, nt.Number, a.ChatID,
			[]string{orders.NoticeReviewRequested, orders.NoticeReviewStale})
		if err != nil {
			return plan{}, fmt.Errorf("review cards: %w", err)
		}
		if unsent > 0 && time.Since(queuedAt) < cardPatience {
			return plan{wait: cardWait}, nil // the card is on its way: edit it once it is there
		}
		if len(ids) == 0 {
			return plan{drop: "no review card to edit"}, nil
		}
		return plan{msg: r.reviewTaken(nt), edits: ids}, nil

	case orders.NoticeChangeRequested:
		if nt.ChangeID == 0 {
			n.log.WarnContext(ctx, "change request notice without the request's id: sent without buttons", "key", a.Key)
		}
		return plan{msg: r.changeRequested(nt, nt.ChangeID)}, nil

	case orders.NoticeChangeDecided:
		if toStaff {
			return plan{msg: r.changeApplied(nt)}, nil
		}
		return plan{msg: r.changeDecided(nt)}, nil

	case orders.NoticeCustomerUnreachable:
		return plan{msg: r.unreachable(nt)}, nil

	case orders.NoticeDocument:
		return n.planDocument(ctx, a)

	case orders.NoticeDocumentFailed:
		return plan{msg: r.documentFailed(nt)}, nil
	case KindWeeklyReport, KindMonthlyReport:
		return n.reportPlan(ctx, a.Notice, nt)
	case orders.NoticeWebhooksDisabled:
		return plan{msg: r.webhooksDisabled(nt)}, nil

	case KindOverdue:
		list, err := n.overdueOrders(ctx)
		if err != nil {
			return plan{}, err
		}
		if len(list) == 0 {
			return plan{drop: "no order is overdue any more"}, nil
		}
		return plan{msg: r.overdue(list)}, nil

	case orders.NoticeComplaintTaken:
		cards, ok := n.out.(complaintCards)
		if !ok {
			return plan{drop: "the outbox cannot find complaint cards"}, nil
		}
		ids, unsent, err := cards.ComplaintCards(ctx, nt.Complaint, a.ChatID)
		if err != nil {
			return plan{}, fmt.Errorf("complaint cards: %w", err)
		}
		if unsent > 0 && time.Since(queuedAt) < cardPatience {
			return plan{wait: cardWait}, nil
		}
		if len(ids) == 0 {
			return plan{drop: "no complaint card to edit"}, nil
		}
		return plan{msg: r.complaintTaken(nt, n.cfg.Location), edits: ids}, nil
	}
	if m, ok := r.complaint(a.Notice, nt, n.cfg.Location); ok {
		return plan{msg: m}, nil
	}
	return plan{fail: "unknown notification kind " + strconv.Quote(a.Notice)}, nil
}
