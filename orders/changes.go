package orders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// RequestChange is a customer asking to change or cancel their order. Before they confirmed
// it the change applies at once: a quantity or date change re-quotes the order and sends it
// back to review when the new quote needs a rep (the rep's promised date is withdrawn).
// After, it waits for a manager. It returns the change request (ID 0 when applied at once)
// and the order as it now is. key identifies the request (see Review).
func (s *Service) RequestChange(ctx context.Context, key string, customer int64, c ChangeRequest) (ChangeRequest, Order, error) {
	if _, err := s.CustomerOrder(ctx, customer, c.Number); err != nil {
		return ChangeRequest{}, Order{}, err
	}
	key = actionKey(key, ActionChangeRequest, c.Number)
	return s.changeOnce(ctx, key, func() (ChangeRequest, Order, error) { return s.requestChange(ctx, key, customer, c) })
}

func (s *Service) requestChange(ctx context.Context, key string, customer int64, c ChangeRequest) (ChangeRequest, Order, error) {
	o, err := s.CustomerOrder(ctx, customer, c.Number)
	if err != nil {
		return ChangeRequest{}, Order{}, err
	}
	return s.askChange(ctx, key, o, CustomerActor(customer), c)
}

// askChange is the customer of o (or the channel that placed it), a, asking for c; key
// identifies the request (empty: none).
func (s *Service) askChange(ctx context.Context, key string, o Order, a Actor, c ChangeRequest) (ChangeRequest, Order, error) {
	c.RequestedBy = a.String()
	apply, err := s.applyOf(ctx, o, c)
	if err != nil {
		return ChangeRequest{}, o, err
	}
	switch {
	case o.Status == StatusPendingReview || o.Status == StatusAwaitingCustomer:
		if c.Kind == ChangeCancel {
			req := TransitionRequest{Key: key, Number: o.Number, From: o.Status, To: StatusCancelled, Actor: a.String(),
				Note: CancelledByCustomerNote(c.Reason).English(), Detail: CancelledByCustomerNote(c.Reason)}
			if req.Notifications, err = s.repNotices(ctx, o, NoticeStatusChanged, req.Detail, a, StatusCancelled); err != nil {
				return ChangeRequest{}, o, err
			}
			out, err := s.store.TransitionOrder(ctx, req)
			return ChangeRequest{}, out, err
		}
		if c.Kind == ChangeQuantity || c.Kind == ChangeDate {
			if apply, err = s.requote(ctx, o, apply); err != nil {
				return ChangeRequest{}, o, err
			}
		}
		var ns []Notification
		if apply.Review {
			ns, err = s.reviewAgain(ctx, o, apply)
		} else {
			ns, err = s.repNotices(ctx, o, NoticeChangeDecided, apply.Detail, a, o.Status)
			if err == nil && o.Status == StatusAwaitingCustomer {
				// The confirmation the customer was sent no longer holds: a new version.
				ns = append(ns, s.documentTo(o, DocConfirmation, DocConfirmation+":"+o.Number+":upd:"+randomID(), ReasonAmended, false, nil)...)
			}
		}
		if err != nil {
			return ChangeRequest{}, o, err
		}
		out, err := s.store.UpdateOrder(ctx, key, o.Number, o.Status, apply, a.String(), ns)
		return ChangeRequest{}, out, err
	case o.Status.Changeable():
	default:
		return ChangeRequest{}, o, fmt.Errorf("%s is %s and cannot be changed any more: %w", o.Number, o.Status, ErrInvalidTransition)
	}
	managers, err := s.otherStaff(ctx, 0, []Role{RoleManager})
	if err != nil {
		return ChangeRequest{}, o, err
	}
	var ns []Notification
	// Each request is a new event, even one like an earlier rejected request; its
	// managers' notices share one subject (the staff group gets one card of it).
	event := randomID()
	for _, m := range managers {
		n := s.noticeOf(o, m.Language)
		n.Note, n.Actor = changeText(c), o.Customer.Name
		n.Change = noticeChange(c)
		ns = append(ns, NewNotification(NoticeChangeRequested, m.TelegramID,
			NoticeChangeRequested+":"+o.Number+":"+event+":"+strconv.FormatInt(m.TelegramID, 10), n, time.Time{}))
	}
	cr, err := s.store.CreateChangeRequest(ctx, key, c, ns)
	return cr, o, err
}

// requote prices an order not yet confirmed again after a quantity or date change, as a
// placement would: lines (where each comes from), complimentary lines, total, deposit and
// estimate. When the new quote needs a rep, the order goes back to review and its promised
// date is withdrawn; otherwise the new wanted date, no earlier than the quote allows, is
// what an order awaiting the customer promises.
func (s *Service) requote(ctx context.Context, o Order, apply ChangeApply) (ChangeApply, error) {
	d := Draft{Key: o.Number}
	var names []string // the names the customer saw, in their language
	for i, l := range o.Lines {
		if l.Complimentary {
			continue
		}
		names = append(names, l.Name)
		q := l.Quantity
		if n, ok := apply.Quantities[i]; ok {
			q = n
		}
		d.Lines = append(d.Lines, DraftLine{SKU: l.SKU, Variant: l.Variant, Quantity: q})
	}
	products, err := s.products(ctx, d, true)
	if err != nil {
		return apply, err
	}
	// What the order itself holds is available to it.
	products = maps.Clone(products)
	for _, l := range o.Lines {
		if p, ok := products[l.SKU]; ok && l.FromStock {
			p.Reserved -= l.Quantity
			products[l.SKU] = p
		}
	}
	q, err := s.quote(d, products)
	if err != nil {
		return apply, err
	}
	wanted := o.WantedDate
	if !apply.WantedDate.IsZero() {
		wanted = apply.WantedDate
	}
	if err := s.checkWanted(wanted); err != nil {
		return apply, err
	}
	apply.Quantities = nil
	apply.Lines = nil
	for i, l := range q.Lines {
		l.Line.Name = names[i]
		apply.Lines = append(apply.Lines, l.Line)
	}
	apply.Lines = append(apply.Lines, q.Complimentary...)
	apply.Total, apply.DepositDue, apply.EstimatedDate = q.Total, q.DepositDue, q.EstimatedDate
	switch {
	case q.NeedsReview:
		apply.Review = true
	case wanted.Before(q.Earliest):
		return apply, &ValidationError{Field: "date", Reason: "before the earliest possible delivery " + q.Earliest.String()}
	case o.Status == StatusAwaitingCustomer:
		apply.PromisedDate = wanted
	}
	return apply, nil
}

// reviewAgain is the reps' review cards for an order that goes back to review after a
// change.
func (s *Service) reviewAgain(ctx context.Context, o Order, apply ChangeApply) ([]Notification, error) {
	staff, err := s.otherStaff(ctx, 0, nil)
	if err != nil {
		return nil, err
	}
	next := o
	next.Status, next.PromisedDate, next.EstimatedDate = StatusPendingReview, Date{}, apply.EstimatedDate
	next.Total, next.DepositDue = apply.Total, apply.DepositDue
	if !apply.WantedDate.IsZero() {
		next.WantedDate = apply.WantedDate
	}
	next.Lines = apply.Lines
	var out []Notification
	for _, st := range staff {
		n := s.noticeOf(next, st.Language)
		n.Date, n.Note, n.Detail = SuggestedDate(next), apply.Note, apply.Detail.orNil()
		out = append(out, NewNotification(NoticeReviewRequested, st.TelegramID,
			NoticeReviewRequested+":"+o.Number+":"+strconv.Itoa(len(o.History))+":"+strconv.FormatInt(st.TelegramID, 10), n, time.Time{}))
	}
	return out, nil
}

// noticeChange is change request c as a notice carries it.
func noticeChange(c ChangeRequest) *NoticeChange {
	return &NoticeChange{Kind: c.Kind, Line: c.Line, Quantity: c.Quantity, Date: c.Date, Address: c.Address, Reason: c.Reason}
}

// changeText describes a change for people: "date 2026-12-20", "cancellation (too late)".
func changeText(c ChangeRequest) string {
	var what string
	switch c.Kind {
	case ChangeQuantity:
		what = fmt.Sprintf("quantity of line %d → %d", c.Line+1, c.Quantity)
	case ChangeDate:
		what = "date → " + c.Date.String()
	case ChangeAddress:
		what = "address → " + c.Address
	case ChangeCancel:
		what = "cancellation"
	}
	if c.Reason != "" {
		what += " (" + c.Reason + ")"
	}
	return what
}

// applyOf works out what a change does to the order: new dates, quantities, total and
// deposit.
func (s *Service) applyOf(ctx context.Context, o Order, c ChangeRequest) (ChangeApply, error) {
	apply := ChangeApply{Total: o.Total, DepositDue: o.DepositDue, Note: changeText(c), Detail: ChangeNote(c)}
	switch c.Kind {
	case ChangeCancel:
		if strings.TrimSpace(c.Reason) == "" {
			return apply, &ValidationError{Field: "reason", Reason: "a cancellation needs a reason"}
		}
		apply.Cancel = true
	case ChangeAddress:
		if n := len([]rune(strings.TrimSpace(c.Address))); n < 5 || n > 300 {
			return apply, &ValidationError{Field: "address", Reason: "5 to 300 characters"}
		}
		apply.Address = strings.TrimSpace(c.Address)
	case ChangeDate:
		if c.Date.IsZero() || c.Date.Before(s.Today()) {
			return apply, &ValidationError{Field: "date", Reason: "the date must not be in the past"}
		}
		if err := s.checkWanted(c.Date); err != nil {
			return apply, err
		}
		apply.WantedDate = c.Date
		if !o.PromisedDate.IsZero() {
			apply.PromisedDate = c.Date
		}
	case ChangeQuantity:
		if c.Line < 0 || c.Line >= len(o.Lines) || o.Lines[c.Line].Complimentary {
			return apply, &ValidationError{Field: "line", Reason: "no such line"}
		}
		if c.Quantity <= 0 || c.Quantity > s.rules.MaxQuantity {
			return apply, &ValidationError{Field: "quantity", Reason: fmt.Sprintf("must be between 1 and %d", s.rules.MaxQuantity)}
		}
		apply.Quantities = map[int]int{c.Line: c.Quantity}
		skus := make([]string, 0, len(o.Lines))
		lines := append([]Line(nil), o.Lines...)
		lines[c.Line].Quantity = c.Quantity
		for _, l := range lines {
			skus = append(skus, l.SKU)
		}
		products, err := s.store.ProductsBySKU(ctx, skus)
		if err != nil {
			return apply, err
		}
		apply.Total, apply.DepositDue = s.rules.Deposit(lines, products)
		apply.PaymentStatus = PaymentStatusOf(apply.Total, apply.DepositDue, o.Paid)
	default:
		return apply, &ValidationError{Field: "change", Reason: "one of quantity, date, address, cancel"}
	}
	return apply, nil
}

// DecideChange is a manager approving or rejecting a change request. On approval the order
// changes in the same transaction (stock adjusted) and counts as modified; the customer is
// told the outcome either way. The order must still be changeable when the decision
// commits: one that shipped meanwhile is ErrConflict. key identifies the decision (see
// Review).
func (s *Service) DecideChange(ctx context.Context, key string, id int64, a Actor, approve bool, note string) (ChangeRequest, Order, error) {
	if err := s.authorize(ctx, a, ActDecideChange); err != nil {
		return ChangeRequest{}, Order{}, err
	}
	key = actionKey(key, ActionChangeDecision, itoa(id))
	return s.changeOnce(ctx, key, func() (ChangeRequest, Order, error) { return s.decideChange(ctx, key, id, a, approve, note) })
}

func (s *Service) decideChange(ctx context.Context, key string, id int64, a Actor, approve bool, note string) (ChangeRequest, Order, error) {
	c, err := s.store.ChangeRequest(ctx, id)
	if err != nil {
		return ChangeRequest{}, Order{}, err
	}
	o, err := s.store.Order(ctx, c.Number)
	if err != nil {
		return c, Order{}, err
	}
	if c.Status != "pending" {
		return c, o, fmt.Errorf("change request %d is %s: %w", id, c.Status, ErrConflict)
	}
	if c.Handler != 0 && a.Kind == ActorStaff && a.TelegramID != c.Handler {
		// Claimed in the staff group: the claimer owns the decision.
		return c, o, fmt.Errorf("change request %d is handled by %d: %w", id, c.Handler, ErrChangeHandled)
	}
	req := DecideChangeRequest{Key: key, ID: id, Approve: approve, Actor: a.String(), Note: note}
	if approve {
		if !o.Status.Changeable() {
			return c, o, staleError(o)
		}
		if req.Apply, err = s.applyOf(ctx, o, c); err != nil {
			return c, o, err
		}
	}
	n := s.noticeOf(o, o.Customer.Language)
	n.Note, n.Actor = changeText(c), a.Display()
	n.Change = noticeChange(c)
	n.To = StatusConfirmed
	if !approve {
		n.To = "" // rejected
		if strings.TrimSpace(note) != "" {
			n.Note = note // the manager's reason is what the customer needs to read
		}
	}
	if approve && req.Apply.Cancel {
		n.To = StatusCancelled
	}
	req.Notifications = s.forCustomer(o, NoticeChangeDecided, NoticeChangeDecided+":"+strconv.FormatInt(id, 10), n, time.Time{})
	if approve && !req.Apply.PromisedDate.IsZero() {
		next := o
		next.PromisedDate = req.Apply.PromisedDate
		dn := s.noticeOf(next, o.Customer.Language)
		dn.OldDate, dn.Note = o.PromisedDate, c.Reason
		req.Notifications = append(req.Notifications, s.forCustomer(next, NoticeDateChanged, NoticeDateChanged+":"+strconv.FormatInt(id, 10), dn, time.Time{})...)
		req.Notifications = append(req.Notifications, s.reminder(next)...)
	}
	if approve && !req.Apply.Cancel {
		req.Notifications = append(req.Notifications, s.amendedConfirmation(o, c)...)
	}
	cr, out, err := s.store.DecideChange(ctx, req)
	if errors.Is(err, ErrConflict) {
		if cur, gerr := s.store.ChangeRequest(ctx, id); gerr == nil && cur.Status != "pending" {
			return cur, o, fmt.Errorf("change request %d is %s: %w", id, cur.Status, ErrConflict)
		}
		if cur, gerr := s.store.Order(ctx, c.Number); gerr == nil && !cur.Status.Changeable() {
			return c, cur, staleError(cur)
		}
	}
	return cr, out, err
}

// PendingChanges lists an order's pending change requests, for staff.
func (s *Service) PendingChanges(ctx context.Context, a Actor, number string) ([]ChangeRequest, error) {
	if err := s.authorize(ctx, a, ActViewAll); err != nil {
		return nil, err
	}
	return s.store.PendingChanges(ctx, number)
}

// ChangeText describes a change request for people.
func ChangeText(c ChangeRequest) string { return changeText(c) }

// ChangeRequestByID returns a change request.
func (s *Service) ChangeRequestByID(ctx context.Context, id int64) (ChangeRequest, error) {
	return s.store.ChangeRequest(ctx, id)
}

// PlaceFor places an order on behalf of a customer, as a rep: the same rules as the
// customer's own Confirm; the order records the rep as its source and the customer is told.
// Like Place it is idempotent by d.Key: a repeat returns the order placed first.
func (s *Service) PlaceFor(ctx context.Context, d Draft, a Actor) (Order, bool, error) {
	if err := s.authorize(ctx, a, ActPlaceForCustomer); err != nil {
		return Order{}, false, err
	}
	d.Source = "rep:" + strconv.FormatInt(a.TelegramID, 10)
	return s.Place(ctx, d, a.String())
}

// randomID tells apart events that have nothing else unique about them.
func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
