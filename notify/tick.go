package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/orders"
)

// overdueStatuses are the statuses of orders that are promised and not delivered yet: an
// order in one of them past its promised date is overdue.
var overdueStatuses = []orders.Status{
	orders.StatusConfirmed, orders.StatusInProduction, orders.StatusQualityCheck, orders.StatusShipped,
}

// Tick runs the periodic checks once, at the Notifier's clock. Inside working hours (a
// working day of the rules, from WorkStart to WorkEnd in the business time zone) it queues:
//   - from OverdueAt, the day's overdue alert to every active staff member, when orders are
//     past their promised date and not delivered (once a day: the key holds the date);
//   - for each order in review for StaleReviewAfter or longer, a reminder to every active
//     staff member, or to its rep alone when one claimed it (once per order).
//
// Outside working hours it does nothing: what is due is queued at the next tick inside
// them. A River periodic job runs it every TickInterval on one Notifier (the leader).
func (n *Notifier) Tick(ctx context.Context) error {
	if n.cfg.Complaints != nil {
		// Deadlines are counted in working hours already: checked at every tick.
		if err := n.cfg.Complaints.Sweep(ctx); err != nil {
			n.log.ErrorContext(ctx, "complaint sweep failed", "err", err)
		}
	}
	if n.cfg.Prune != nil {
		// Housekeeping at every tick, whatever the hour: desk action keys past KeepActions.
		// Cheap when there is nothing to do (an index on the time).
		pruned, err := n.cfg.Prune.PruneDeskActions(ctx, n.now().Add(-n.cfg.KeepActions))
		if err != nil {
			n.log.ErrorContext(ctx, "pruning desk action keys failed", "err", err)
		} else if pruned > 0 {
			n.log.InfoContext(ctx, "old desk action keys pruned", "keys", pruned)
		}
	}
	now := n.now().In(n.cfg.Location)
	day := orders.DateOf(now)
	if !n.cfg.Rules.IsWorkingDay(day) {
		return nil
	}
	since := now.Sub(day.Time(n.cfg.Location))
	if since < n.cfg.WorkStart || since >= n.cfg.WorkEnd {
		return nil
	}
	staff, _, err := n.staff.get(ctx)
	if err != nil || len(staff) == 0 {
		return err
	}
	var errs []error
	if since >= n.cfg.OverdueAt {
		errs = append(errs, n.queueOverdue(ctx, day, staff))
	}
	errs = append(errs, n.queueStaleReviews(ctx, now, staff))
	return errors.Join(errs...)
}

func (n *Notifier) queueOverdue(ctx context.Context, day orders.Date, staff []orders.Staff) error {
	list, err := n.overdueOrders(ctx)
	if err != nil || len(list) == 0 {
		return err
	}
	ns := make([]orders.Notification, 0, len(staff))
	for _, st := range staff {
		key := KindOverdue + ":" + day.String() + ":" + strconv.FormatInt(st.TelegramID, 10)
		ns = append(ns, orders.NewNotification(KindOverdue, st.TelegramID, key,
			orders.Notice{Lang: st.Language, Date: day}, time.Time{}))
	}
	if err := n.out.QueueNotices(ctx, "", ns); err != nil {
		return fmt.Errorf("queue overdue alerts: %w", err)
	}
	return nil
}

func (n *Notifier) queueStaleReviews(ctx context.Context, now time.Time, staff []orders.Staff) error {
	pending, err := n.out.Orders(ctx, orders.OrderFilter{Statuses: []orders.Status{orders.StatusPendingReview}})
	if err != nil {
		return fmt.Errorf("orders in review: %w", err)
	}
	var errs []error
	for _, o := range pending {
		if now.Sub(o.CreatedAt) < n.cfg.StaleReviewAfter {
			continue
		}
		// A review somebody claimed in the staff group is theirs: the reminder goes to them
		// alone, privately. Otherwise to every staff member (the staff group, when bound).
		owned := o.Rep != 0 && slices.ContainsFunc(staff, func(st orders.Staff) bool { return st.TelegramID == o.Rep })
		ns := make([]orders.Notification, 0, len(staff))
		for _, st := range staff {
			if owned && st.TelegramID != o.Rep {
				continue
			}
			key := orders.NoticeReviewStale + ":" + o.Number + ":" + strconv.FormatInt(st.TelegramID, 10)
			ns = append(ns, orders.NewNotification(orders.NoticeReviewStale, st.TelegramID, key,
				orders.Notice{Lang: st.Language, Number: o.Number, Owned: owned}, time.Time{}))
		}
		if err := n.out.QueueNotices(ctx, o.Number, ns); err != nil {
			errs = append(errs, fmt.Errorf("queue stale review %s: %w", o.Number, err))
		}
	}
	return errors.Join(errs...)
}

// overdueOrders lists the orders past their promised date and not delivered, the most
// overdue first.
func (n *Notifier) overdueOrders(ctx context.Context) ([]orders.Order, error) {
	today := orders.DateOf(n.now().In(n.cfg.Location))
	list, err := n.out.Orders(ctx, orders.OrderFilter{Statuses: overdueStatuses, PromisedBefore: today})
	if err != nil {
		return nil, fmt.Errorf("overdue orders: %w", err)
	}
	slices.SortStableFunc(list, func(a, b orders.Order) int {
		switch {
		case a.PromisedDate.Before(b.PromisedDate):
			return -1
		case b.PromisedDate.Before(a.PromisedDate):
			return 1
		}
		return 0
	})
	return list, nil
}
