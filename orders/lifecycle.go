package orders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ErrDepositRequired: production cannot start before the required payment is recorded.
var ErrDepositRequired = errors.New("the required deposit is not paid")

// ErrNotSettled: an order is completed only after settlement, when it is paid in full.
var ErrNotSettled = errors.New("the order is not paid in full")

// staleError says an order moved on since the actor saw it.
func staleError(o Order) error {
	return fmt.Errorf("%s is %s now: %w", o.Number, o.Status, ErrConflict)
}

func (s *Service) forbidden(ctx context.Context, a Actor, act Action) error {
	s.log.WarnContext(ctx, "action refused", "actor", a.String(), "action", string(act))
	return fmt.Errorf("%s may not %s: %w", a.String(), act, ErrForbidden)
}

// SuggestedDate is the date a rep accepts with one tap: the customer's wanted date, or the
// estimate when that is later. Zero when there is no estimate (custom products).
func SuggestedDate(o Order) Date {
	if o.EstimatedDate.IsZero() {
		return Date{}
	}
	if o.WantedDate.After(o.EstimatedDate) {
		return o.WantedDate
	}
	return o.EstimatedDate
}

// ReviewDecision is a rep's answer to an order in review: Accept the suggested date, give
// another Date, or Reject with a Reason.
type ReviewDecision struct {
	Accept bool
	Date   Date
	Reject bool
	Reason string
}

// Review decides an order in pending_review. The first rep to act wins: the others get
// ErrConflict, and their cards are edited to say who took it.
func (s *Service) Review(ctx context.Context, number string, a Actor, d ReviewDecision) (Order, error) {
	if !a.May(ActReview) {
		return Order{}, s.forbidden(ctx, a, ActReview)
	}
	o, err := s.store.Order(ctx, number)
	if err != nil {
		return Order{}, err
	}
	if o.Status != StatusPendingReview {
		return o, staleError(o)
	}
	req := TransitionRequest{Number: number, From: StatusPendingReview, Actor: a.String(), Rep: a.TelegramID}
	switch {
	case d.Reject:
		if strings.TrimSpace(d.Reason) == "" {
			return Order{}, &ValidationError{Field: "reason", Reason: "a rejection needs a reason"}
		}
		req.To, req.Note = StatusCancelled, d.Reason
	case d.Accept:
		req.PromisedDate = SuggestedDate(o)
		if req.PromisedDate.IsZero() {
			return Order{}, &ValidationError{Field: "date", Reason: "no suggested date: set one"}
		}
		req.To, req.Note = StatusAwaitingCustomer, "date "+req.PromisedDate.String()
	default:
		if d.Date.IsZero() || d.Date.Before(s.Today()) {
			return Order{}, &ValidationError{Field: "date", Reason: "the date must not be in the past"}
		}
		req.To, req.PromisedDate, req.Note = StatusAwaitingCustomer, d.Date, "date "+d.Date.String()
	}
	if req.PromisedDate.Before(s.Today()) && !req.PromisedDate.IsZero() {
		req.PromisedDate = s.rules.NextWorkingDay(s.Today())
	}
	next := o
	next.Status, next.PromisedDate = req.To, req.PromisedDate
	if req.To == StatusAwaitingCustomer {
		req.Notifications = append(req.Notifications, s.customerNotice(NoticeAwaitingCustomer, next, "", a)...)
	} else {
		req.Notifications = append(req.Notifications, s.statusNotice(o, next, d.Reason, a)...)
	}
	others, err := s.otherStaff(ctx, a.TelegramID, nil)
	if err != nil {
		return Order{}, err
	}
	for _, st := range others {
		req.Notifications = append(req.Notifications, NewNotification(NoticeReviewTaken, st.TelegramID,
			NoticeReviewTaken+":"+number+":"+strconv.FormatInt(st.TelegramID, 10),
			Notice{Lang: st.Language, Number: number, Actor: a.Display(), To: req.To, Customer: o.Customer.Name}, time.Time{}))
	}
	out, err := s.store.TransitionOrder(ctx, req)
	if errors.Is(err, ErrConflict) {
		if cur, gerr := s.store.Order(ctx, number); gerr == nil {
			return cur, staleError(cur)
		}
	}
	return out, err
}

// CustomerDecide records the customer's answer to a reviewed order: Confirm is their
// signature (confirmed), Decline cancels it.
func (s *Service) CustomerDecide(ctx context.Context, number string, customer int64, accept bool) (Order, error) {
	o, err := s.CustomerOrder(ctx, customer, number)
	if err != nil {
		return Order{}, err
	}
	return s.customerDecide(ctx, o, CustomerActor(customer), accept)
}

// customerDecide records the answer of o's customer (or of the channel that placed it), a.
func (s *Service) customerDecide(ctx context.Context, o Order, a Actor, accept bool) (Order, error) {
	number := o.Number
	if o.Status != StatusAwaitingCustomer {
		return o, staleError(o)
	}
	req := TransitionRequest{Number: number, From: StatusAwaitingCustomer, Actor: a.String()}
	next := o
	if accept {
		req.To, req.Approve, req.Note = StatusConfirmed, true, "confirmed by the customer"
		next.Status = StatusConfirmed
		req.Notifications = append(req.Notifications, s.reminder(next)...)
	} else {
		req.To, req.Note = StatusCancelled, "declined by the customer"
		next.Status = StatusCancelled
	}
	req.Notifications = append(req.Notifications, s.repNotices(ctx, o, NoticeStatusChanged, req.Note, a, next.Status)...)
	return s.store.TransitionOrder(ctx, req)
}

// AdvanceOptions are what some transitions need.
type AdvanceOptions struct {
	Note     string
	Carrier  string // for shipped
	Tracking string // for shipped
}

// Advance moves an order along its lifecycle as staff or the operator: production (once the
// required deposit is paid), quality check, rework, shipment (with carrier and tracking),
// delivery, completion, or cancellation with a reason.
func (s *Service) Advance(ctx context.Context, number string, to Status, a Actor, opt AdvanceOptions) (Order, error) {
	if !to.Valid() {
		return Order{}, &ValidationError{Field: "status", Reason: "unknown status " + string(to)}
	}
	act := ActAdvance
	if to == StatusCancelled {
		act = ActCancel
	}
	if !a.May(act) {
		return Order{}, s.forbidden(ctx, a, act)
	}
	o, err := s.store.Order(ctx, number)
	if err != nil {
		return Order{}, err
	}
	if !o.Status.CanTransition(to) {
		return o, fmt.Errorf("%s is %s, which cannot become %s: %w", number, o.Status, to, ErrInvalidTransition)
	}
	if (o.Status == StatusPendingReview || o.Status == StatusAwaitingCustomer) && to != StatusCancelled && a.Kind != ActorOperator {
		// Review and the customer's answer have their own use cases.
		return o, fmt.Errorf("%s is %s: %w", number, o.Status, ErrInvalidTransition)
	}
	switch to {
	case StatusInProduction:
		if o.DepositDue.IsPositive() && o.Paid.LessThan(o.DepositDue) {
			return o, fmt.Errorf("%s needs %s paid before production, %s is: %w", number, o.DepositDue, o.Paid, ErrDepositRequired)
		}
	case StatusCompleted:
		if o.Paid.LessThan(o.Total) {
			return o, fmt.Errorf("%s is paid %s of %s: %w", number, o.Paid, o.Total, ErrNotSettled)
		}
	case StatusShipped:
		if strings.TrimSpace(opt.Carrier) == "" || strings.TrimSpace(opt.Tracking) == "" {
			return o, &ValidationError{Field: "tracking", Reason: "a shipment needs a carrier and a tracking number"}
		}
	case StatusCancelled:
		if strings.TrimSpace(opt.Note) == "" {
			return o, &ValidationError{Field: "note", Reason: "a cancellation needs a reason"}
		}
	}
	req := TransitionRequest{Number: number, From: o.Status, To: to, Actor: a.String(), Note: opt.Note,
		Carrier: strings.TrimSpace(opt.Carrier), Tracking: strings.TrimSpace(opt.Tracking)}
	if a.Kind == ActorStaff && o.Rep == 0 {
		req.Rep = a.TelegramID
	}
	next := o
	next.Status, next.Carrier, next.Tracking = to, req.Carrier, req.Tracking
	req.Notifications = append(req.Notifications, s.statusNotice(o, next, opt.Note, a)...)
	if to == StatusDelivered {
		req.Notifications = append(req.Notifications, s.customerNotice(NoticeSurvey, next, "", a)...)
	}
	out, err := s.store.TransitionOrder(ctx, req)
	if errors.Is(err, ErrConflict) {
		if cur, gerr := s.store.Order(ctx, number); gerr == nil {
			return cur, staleError(cur)
		}
	}
	return out, err
}

// RecordPayment records money received; the payment status follows: paid once the total
// is covered, deposit_paid once the deposit is.
func (s *Service) RecordPayment(ctx context.Context, number string, amount decimal.Decimal, method string, a Actor) (Order, error) {
	if !a.May(ActRecordPayment) {
		return Order{}, s.forbidden(ctx, a, ActRecordPayment)
	}
	if !amount.IsPositive() || amount.Exponent() < -2 {
		return Order{}, &ValidationError{Field: "amount", Reason: "a positive amount with at most 2 decimals"}
	}
	for attempt := 0; ; attempt++ {
		o, err := s.recordPayment(ctx, number, amount, method, a)
		if errors.Is(err, ErrConflict) && attempt < 10 {
			continue // another payment came in meanwhile: judge again against the new balance
		}
		return o, err
	}
}

func (s *Service) recordPayment(ctx context.Context, number string, amount decimal.Decimal, method string, a Actor) (Order, error) {
	o, err := s.store.Order(ctx, number)
	if err != nil {
		return Order{}, err
	}
	if o.Status == StatusCancelled {
		return o, staleError(o)
	}
	balance := o.Total.Sub(o.Paid)
	if amount.GreaterThan(balance) {
		return o, &ValidationError{Field: "amount", Reason: "more than the balance " + balance.StringFixed(2)}
	}
	paid := o.Paid.Add(amount)
	status := PaymentUnpaid
	switch {
	case paid.GreaterThanOrEqual(o.Total):
		status = PaymentPaid
	case o.DepositDue.IsPositive() && paid.GreaterThanOrEqual(o.DepositDue):
		status = PaymentDepositPaid
	}
	next := o
	next.Paid, next.PaymentStatus = paid, status
	n := s.noticeOf(next, next.Customer.Language)
	n.Amount, n.Actor = amount, a.Display()
	ns := s.forCustomer(next, NoticePaymentRecorded, NoticePaymentRecorded+":"+number+":"+paid.StringFixed(2), n, time.Time{})
	return s.store.RecordPayment(ctx, PaymentRequest{Number: number, Amount: amount, Method: method, Actor: a.String(),
		Status: status, PaidBefore: o.Paid, Notifications: ns})
}

// Queue names.
const (
	QueueReview  = "review"
	QueueActive  = "active"
	QueueOverdue = "overdue"
	QueueToday   = "today"
)

// activeStatuses are those of orders being worked on.
var activeStatuses = []Status{StatusConfirmed, StatusInProduction, StatusQualityCheck, StatusShipped}

// QueueFilter returns the filter of a work queue.
func (s *Service) QueueFilter(name string) (OrderFilter, error) {
	switch name {
	case QueueReview:
		return OrderFilter{Statuses: []Status{StatusPendingReview}}, nil
	case QueueActive, "":
		return OrderFilter{Statuses: activeStatuses}, nil
	case QueueOverdue:
		return OrderFilter{Statuses: activeStatuses, PromisedBefore: s.Today()}, nil
	case QueueToday:
		return OrderFilter{Statuses: activeStatuses, PromisedOn: s.Today()}, nil
	}
	return OrderFilter{}, &ValidationError{Field: "queue", Reason: "one of review, active, overdue, today"}
}

// Queue lists a page of a work queue, newest first, with the queue's size.
func (s *Service) Queue(ctx context.Context, a Actor, f OrderFilter) ([]Order, int, error) {
	if !a.May(ActViewAll) {
		return nil, 0, s.forbidden(ctx, a, ActViewAll)
	}
	n, err := s.store.CountOrders(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	os, err := s.store.Orders(ctx, f)
	return os, n, err
}

// StaffOrder returns any order, for staff.
func (s *Service) StaffOrder(ctx context.Context, a Actor, number string) (Order, error) {
	if !a.May(ActViewAll) {
		return Order{}, s.forbidden(ctx, a, ActViewAll)
	}
	return s.store.Order(ctx, number)
}

// SetStaffLanguage remembers a staff member's language.
func (s *Service) SetStaffLanguage(ctx context.Context, telegramID int64, lang string) error {
	return s.store.SetStaffLanguage(ctx, telegramID, lang)
}

// Rate stores the customer's rating of a delivered order.
func (s *Service) Rate(ctx context.Context, number string, customer int64, rating int, comment string) error {
	o, err := s.CustomerOrder(ctx, customer, number)
	if err != nil {
		return err
	}
	if o.Status != StatusDelivered && o.Status != StatusCompleted {
		return staleError(o)
	}
	if rating < 1 || rating > 5 {
		return &ValidationError{Field: "rating", Reason: "from 1 to 5"}
	}
	return s.store.RateOrder(ctx, number, rating, comment)
}
