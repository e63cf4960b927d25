package orders

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// noticeOf fills a Notice with what every notification about o may show.
func (s *Service) noticeOf(o Order, lang string) Notice {
	n := Notice{Lang: lang, Number: o.Number, Customer: o.Customer.Name, To: o.Status, Date: o.PromisedDate,
		Total: o.Total, DepositDue: o.DepositDue, PaymentStatus: o.PaymentStatus, Paid: o.Paid, Carrier: o.Carrier, Tracking: o.Tracking}
	if n.Date.IsZero() {
		n.Date = o.EstimatedDate
	}
	for _, l := range o.Lines {
		n.Lines = append(n.Lines, NoticeLine{Name: l.Label(lang), Quantity: l.Quantity, Unit: l.UnitName(lang), UnitPrice: l.UnitPrice,
			FromStock: l.FromStock, Complimentary: l.Complimentary})
	}
	return n
}

// forCustomer addresses a notice to the order's customer; none when the customer has no
// Telegram chat (registered by a rep).
func (s *Service) forCustomer(o Order, kind, key string, n Notice, runAt time.Time) []Notification {
	if o.Customer.TelegramID == 0 {
		return nil
	}
	return []Notification{NewNotification(kind, o.Customer.TelegramID, key, n, runAt)}
}

// customerNotice is a notice of kind about o to its customer, keyed by kind, number and
// the order's history length (so a status reached twice, as in rework, is told twice).
func (s *Service) customerNotice(kind string, o Order, note string, a Actor) []Notification {
	n := s.noticeOf(o, o.Customer.Language)
	n.Note, n.Actor = note, a.Display()
	return s.forCustomer(o, kind, kind+":"+o.Number+":"+strconv.Itoa(len(o.History)), n, time.Time{})
}

// statusNotice tells the customer that o moved from old's status to next's.
func (s *Service) statusNotice(old, next Order, note string, a Actor) []Notification {
	n := s.noticeOf(next, next.Customer.Language)
	n.From, n.Note, n.Actor = old.Status, note, a.Display()
	key := NoticeStatusChanged + ":" + next.Number + ":" + string(next.Status) + ":" + strconv.Itoa(len(old.History))
	return s.forCustomer(next, NoticeStatusChanged, key, n, time.Time{})
}

// reminder schedules the delivery reminder of a confirmed order: the working day before the
// promised date, at the configured hour. None when that moment has passed.
func (s *Service) reminder(o Order) []Notification {
	if o.PromisedDate.IsZero() {
		return nil
	}
	day := o.PromisedDate.AddDays(-1)
	for !s.rules.IsWorkingDay(day) {
		day = day.AddDays(-1)
	}
	at := day.Time(s.loc).Add(time.Duration(s.rules.ReminderHour) * time.Hour)
	if !at.After(s.now()) {
		return nil
	}
	n := s.noticeOf(o, o.Customer.Language)
	return s.forCustomer(o, NoticeDeliveryReminder, NoticeDeliveryReminder+":"+o.Number+":"+o.PromisedDate.String(), n, at)
}

// otherStaff lists active staff except one, only of roles when given.
func (s *Service) otherStaff(ctx context.Context, except int64, roles []Role) ([]Staff, error) {
	all, err := s.store.ListStaff(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []Staff
	for _, st := range all {
		if st.TelegramID == except {
			continue
		}
		if roles != nil && !slices.Contains(roles, st.Role) {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}

// repNotices tells the rep responsible for o (every active rep when none is) of kind.
// An error listing the staff is returned, never dropped: the change it would announce must
// not commit without its notices.
func (s *Service) repNotices(ctx context.Context, o Order, kind string, note HistoryNote, a Actor, to Status) ([]Notification, error) {
	staff, err := s.otherStaff(ctx, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("staff to tell: %w", err)
	}
	var out []Notification
	for _, st := range staff {
		if o.Rep != 0 && st.TelegramID != o.Rep {
			continue
		}
		n := s.noticeOf(o, st.Language)
		n.From, n.To, n.Note, n.Detail, n.Actor = o.Status, to, note.English(), note.orNil(), a.Display()
		if a.Kind == ActorCustomer && a.Name == "" {
			n.Actor = o.Customer.Name // "customer:42" means nothing to a rep
		}
		key := kind + ":" + o.Number + ":" + string(to) + ":" + strconv.Itoa(len(o.History)) + ":" + strconv.FormatInt(st.TelegramID, 10)
		out = append(out, NewNotification(kind, st.TelegramID, key, n, time.Time{}))
	}
	return out, nil
}
