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

// authorize checks that the actor may take the action now. Staff are read again, so a
// member deactivated (or given another role) since the dialog looked them up is refused.
func (s *Service) authorize(ctx context.Context, a Actor, act Action) error {
	if !a.May(act) {
		return s.forbidden(ctx, a, act)
	}
	if a.Kind != ActorStaff {
		return nil
	}
	st, err := s.store.Staff(ctx, a.TelegramID)
	switch {
	case errors.Is(err, ErrNotFound):
		return s.forbidden(ctx, a, act)
	case err != nil:
		return err
	case !st.Active || !StaffActor(st).May(act):
		return s.forbidden(ctx, a, act)
	}
	return nil
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
// ErrConflict, and their cards are edited to say who took it. key identifies the decision
// (an update's key): a repeat of it changes nothing and returns the order.
func (s *Service) Review(ctx context.Context, key, number string, a Actor, d ReviewDecision) (Order, error) {
	if err := s.authorize(ctx, a, ActReview); err != nil {
		return Order{}, err
	}
	key = actionKey(key, ActionReview, number)
	return s.orderOnce(ctx, key, number, func() (Order, error) { return s.review(ctx, key, number, a, d) })
}

func (s *Service) review(ctx context.Context, key, number string, a Actor, d ReviewDecision) (Order, error) {
	o, err := s.store.Order(ctx, number)
	if err != nil {
		return Order{}, err
	}
	if o.Status != StatusPendingReview {
		return o, staleError(o)
	}
	req := TransitionRequest{Key: key, Number: number, From: StatusPendingReview, Actor: a.String(), Rep: a.TelegramID}
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
		req.To, req.Detail = StatusAwaitingCustomer, DateNote(req.PromisedDate)
		req.Note = req.Detail.English()
	default:
		if d.Date.IsZero() || d.Date.Before(s.Today()) {
			return Order{}, &ValidationError{Field: "date", Reason: "the date must not be in the past"}
		}
		req.To, req.PromisedDate, req.Detail = StatusAwaitingCustomer, d.Date, DateNote(d.Date)
		req.Note = req.Detail.English()
	}
	if req.PromisedDate.Before(s.Today()) && !req.PromisedDate.IsZero() {
		req.PromisedDate = s.rules.NextWorkingDay(s.Today())
	}
	next := o
	next.Status, next.PromisedDate = req.To, req.PromisedDate
	if req.To == StatusAwaitingCustomer {
		req.Notifications = append(req.Notifications, s.customerNotice(NoticeAwaitingCustomer, next, "", a)...)
		req.Notifications = append(req.Notifications, s.documentTo(next, DocConfirmation, documentEvent(DocConfirmation, next), ReasonReviewed, false, nil)...)
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
// signature (confirmed), Decline cancels it. key identifies the answer (see Review).
func (s *Service) CustomerDecide(ctx context.Context, key, number string, customer int64, accept bool) (Order, error) {
	if _, err := s.CustomerOrder(ctx, customer, number); err != nil {
		return Order{}, err
	}
	key = actionKey(key, ActionCustomerDecide, number)
	return s.orderOnce(ctx, key, number, func() (Order, error) { return s.customerDecide(ctx, key, number, customer, accept) })
}

func (s *Service) customerDecide(ctx context.Context, key, number string, customer int64, accept bool) (Order, error) {
	o, err := s.CustomerOrder(ctx, customer, number)
	if err != nil {
		return Order{}, err
	}
	return s.decide(ctx, key, o, CustomerActor(customer), accept)
}

// decide records the answer of o's customer (or of the channel that placed it), a.
func (s *Service) decide(ctx context.Context, key string, o Order, a Actor, accept bool) (Order, error) {
	number := o.Number
	if o.Status != StatusAwaitingCustomer {
		return o, staleError(o)
	}
	req := TransitionRequest{Key: key, Number: number, From: StatusAwaitingCustomer, Actor: a.String()}
	next := o
	if accept {
		req.To, req.Approve, req.Detail = StatusConfirmed, true, HistoryNote{Code: NoteConfirmedByCustomer}
		req.Note = req.Detail.English()
		next.Status = StatusConfirmed
		req.Notifications = append(req.Notifications, s.reminder(next)...)
		acc := &Acceptance{Name: o.Customer.Name, TelegramID: a.TelegramID, At: s.now(), Key: RequestKey(ctx)}
		req.Notifications = append(req.Notifications, s.documentTo(next, DocConfirmation, documentEvent(DocConfirmation, next), ReasonAccepted, false, acc)...)
	} else {
		req.To, req.Detail = StatusCancelled, HistoryNote{Code: NoteDeclinedByCustomer}
		req.Note = req.Detail.English()
		next.Status = StatusCancelled
	}
	reps, err := s.repNotices(ctx, o, NoticeStatusChanged, req.Detail, a, next.Status)
	if err != nil {
		return Order{}, err
	}
	req.Notifications = append(req.Notifications, reps...)
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
// delivery, completion, or cancellation with a reason. key identifies the move (see
// Review); the same key moving the order to another status is another move.
func (s *Service) Advance(ctx context.Context, key, number string, to Status, a Actor, opt AdvanceOptions) (Order, error) {
	if !to.Valid() {
		return Order{}, &ValidationError{Field: "status", Reason: "unknown status " + string(to)}
	}
	act := ActAdvance
	if to == StatusCancelled {
		act = ActCancel
	}
	if err := s.authorize(ctx, a, act); err != nil {
		return Order{}, err
	}
	key = actionKey(key, ActionAdvance, number+":"+string(to))
	return s.orderOnce(ctx, key, number, func() (Order, error) { return s.advance(ctx, key, number, to, a, opt) })
}

func (s *Service) advance(ctx context.Context, key, number string, to Status, a Actor, opt AdvanceOptions) (Order, error) {
	o, err := s.store.Order(ctx, number)
	if err != nil {
		return Order{}, err
	}
	if err := CheckTransition(o, to); err != nil {
		return o, err
	}
	if (o.Status == StatusPendingReview || o.Status == StatusAwaitingCustomer) && to != StatusCancelled && a.Kind != ActorOperator {
		// Review and the customer's answer have their own use cases.
		return o, fmt.Errorf("%s is %s: %w", number, o.Status, ErrInvalidTransition)
	}
	switch to {
	case StatusShipped:
		if strings.TrimSpace(opt.Carrier) == "" || strings.TrimSpace(opt.Tracking) == "" {
			return o, &ValidationError{Field: "tracking", Reason: "a shipment needs a carrier and a tracking number"}
		}
	case StatusCancelled:
		if strings.TrimSpace(opt.Note) == "" {
			return o, &ValidationError{Field: "note", Reason: "a cancellation needs a reason"}
		}
	}
	req := TransitionRequest{Key: key, Number: number, From: o.Status, To: to, Actor: a.String(), Note: opt.Note,
		Carrier: strings.TrimSpace(opt.Carrier), Tracking: strings.TrimSpace(opt.Tracking)}
	if a.Kind == ActorStaff && o.Rep == 0 {
		req.Rep = a.TelegramID
	}
	next := o
	next.Status, next.Carrier, next.Tracking = to, req.Carrier, req.Tracking
	req.Notifications = append(req.Notifications, s.statusNotice(o, next, opt.Note, a)...)
	if req.Rep != 0 {
		next.Rep = req.Rep
	}
	req.Notifications = append(req.Notifications, s.transitionDocuments(ctx, o, next)...)
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

// RecordPayment records money received; the payment status follows (PaymentStatusOf): paid
// once the total is covered, deposit_paid once a required deposit is, partly_paid when
// something is paid but neither. key identifies the payment (see Review): a redelivered
// update records no second payment and returns the order.
func (s *Service) RecordPayment(ctx context.Context, key, number string, amount decimal.Decimal, method string, a Actor) (Order, error) {
	if err := s.authorize(ctx, a, ActRecordPayment); err != nil {
		return Order{}, err
	}
	if !amount.IsPositive() || amount.Exponent() < -2 {
		return Order{}, &ValidationError{Field: "amount", Reason: "a positive amount with at most 2 decimals"}
	}
	key = actionKey(key, ActionPayment, number)
	return s.orderOnce(ctx, key, number, func() (Order, error) {
		for attempt := 0; ; attempt++ {
			o, err := s.recordPayment(ctx, key, number, amount, method, a)
			if errors.Is(err, ErrConflict) && attempt < 10 {
				continue // another payment came in meanwhile: judge again against the new balance
			}
			return o, err
		}
	})
}

func (s *Service) recordPayment(ctx context.Context, key, number string, amount decimal.Decimal, method string, a Actor) (Order, error) {
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
	status := PaymentStatusOf(o.Total, o.DepositDue, paid)
	next := o
	next.Paid, next.PaymentStatus = paid, status
	n := s.noticeOf(next, next.Customer.Language)
	n.Amount, n.Actor = amount, a.Display()
	ns := s.forCustomer(next, NoticePaymentRecorded, NoticePaymentRecorded+":"+number+":"+paid.StringFixed(2), n, time.Time{})
	return s.store.RecordPayment(ctx, PaymentRequest{Key: key, Number: number, Amount: amount, Method: method, Actor: a.String(),
		Status: status, PaidBefore: o.Paid, Notifications: ns})
}

// Queue names.
const (
	QueueReview  = "review"
	QueueActive  = "active"
	QueueOverdue = "overdue"
	QueueToday   = "today"
	QueueUnpaid  = "unpaid" // delivered and not paid in full
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
	case QueueUnpaid:
		return OrderFilter{Statuses: []Status{StatusDelivered}, NotPaid: true}, nil
	}
	return OrderFilter{}, &ValidationError{Field: "queue", Reason: "one of review, active, overdue, today, unpaid"}
}

// Queue lists a page of a work queue, newest first, with the queue's size.
func (s *Service) Queue(ctx context.Context, a Actor, f OrderFilter) ([]Order, int, error) {
	if err := s.authorize(ctx, a, ActViewAll); err != nil {
		return nil, 0, err
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
	if err := s.authorize(ctx, a, ActViewAll); err != nil {
		return Order{}, err
	}
	return s.store.Order(ctx, number)
}

// SetStaffLanguage remembers a staff member's language.
func (s *Service) SetStaffLanguage(ctx context.Context, telegramID int64, lang string) error {
	return s.store.SetStaffLanguage(ctx, telegramID, lang)
}

// Rate stores the customer's rating of a delivered order. key identifies the answer (see
// Review).
func (s *Service) Rate(ctx context.Context, key, number string, customer int64, rating int, comment string) error {
	key = actionKey(key, ActionRate, number)
	if _, ok, err := s.done(ctx, key); err != nil || ok {
		return err
	}
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
	err = s.store.RateOrder(ctx, key, number, rating, comment)
	if errors.Is(err, ErrAlreadyDone) {
		return nil
	}
	return err
}
