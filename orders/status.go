package orders

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// Status is an order's place in its lifecycle. The identifiers are a public
// interface: they appear in the database, the CLI's JSON and the reps' filters.
type Status string

// The order statuses.
const (
	StatusPendingReview    Status = "pending_review"
	StatusAwaitingCustomer Status = "awaiting_customer"
	StatusConfirmed        Status = "confirmed"
	StatusInProduction     Status = "in_production"
	StatusQualityCheck     Status = "quality_check"
	StatusShipped          Status = "shipped"
	StatusDelivered        Status = "delivered"
	StatusCompleted        Status = "completed"
	StatusCancelled        Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusPendingReview, StatusAwaitingCustomer, StatusConfirmed, StatusInProduction,
	StatusQualityCheck, StatusShipped, StatusDelivered, StatusCompleted, StatusCancelled,
}

// transitions is the lifecycle: the one place that says which status may follow which.
var transitions = map[Status][]Status{
	StatusPendingReview:    {StatusAwaitingCustomer, StatusCancelled},
	StatusAwaitingCustomer: {StatusConfirmed, StatusCancelled},
	StatusConfirmed:        {StatusInProduction, StatusShipped, StatusCancelled},
	StatusInProduction:     {StatusQualityCheck, StatusCancelled},
	StatusQualityCheck:     {StatusShipped, StatusInProduction, StatusCancelled},
	StatusShipped:          {StatusDelivered},
	StatusDelivered:        {StatusCompleted},
}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if k == s {
			return true
		}
	}
	return false
}

// CanTransition reports whether the lifecycle allows moving from s to next.
func (s Status) CanTransition(next Status) bool {
	for _, n := range transitions[s] {
		if n == next {
			return true
		}
	}
	return false
}

// Next lists the statuses that may follow s.
func (s Status) Next() []Status {
	return append([]Status(nil), transitions[s]...)
}

// Terminal reports whether no status may follow s.
func (s Status) Terminal() bool { return len(transitions[s]) == 0 }

// PaymentStatus is kept apart from the order status.
type PaymentStatus string

// The payment statuses. The identifiers are a public interface, like Status.
const (
	// PaymentUnpaid: nothing is paid.
	PaymentUnpaid PaymentStatus = "unpaid"
	// PaymentPartlyPaid: something is paid, but neither a required deposit nor the total.
	PaymentPartlyPaid PaymentStatus = "partly_paid"
	// PaymentDepositPaid: a required deposit is paid, the total is not.
	PaymentDepositPaid PaymentStatus = "deposit_paid"
	// PaymentPaid: the total is paid.
	PaymentPaid PaymentStatus = "paid"
)

// NeedsProduction reports whether the order needs production or purchase before it can
// ship: a line not reserved from stock (a custom product, a quantity beyond the stock, a
// complimentary line the stock could not cover) or a payment due in advance.
func (o Order) NeedsProduction() bool {
	if o.DepositDue.IsPositive() {
		return true
	}
	for _, l := range o.Lines {
		if !l.FromStock {
			return true
		}
	}
	return false
}

// CheckTransition is the one rule of moving order o to status to: the lifecycle's table,
// and what the order must be for some moves. Only an order entirely from stock, with
// nothing due in advance, ships straight from confirmed; production starts once the
// required deposit is paid; an order completes once it is paid in full. The Service checks
// it before a change and the store again under the order's row lock.
func CheckTransition(o Order, to Status) error {
	if !o.Status.CanTransition(to) {
		return fmt.Errorf("%s is %s, which cannot become %s: %w", o.Number, o.Status, to, ErrInvalidTransition)
	}
	switch to {
	case StatusShipped:
		if o.Status == StatusConfirmed && o.NeedsProduction() {
			return fmt.Errorf("%s needs production before it ships: %w", o.Number, ErrProductionRequired)
		}
	case StatusInProduction:
		if o.DepositOutstanding() {
			return fmt.Errorf("%s needs %s paid before production, %s is: %w", o.Number, o.DepositDue, o.Paid, ErrDepositRequired)
		}
	case StatusCompleted:
		if o.Paid.LessThan(o.Total) {
			return fmt.Errorf("%s is paid %s of %s: %w", o.Number, o.Paid, o.Total, ErrNotSettled)
		}
	}
	return nil
}

// ErrProductionRequired: an order that needs production (or a payment in advance) cannot
// ship straight from confirmed.
var ErrProductionRequired = fmt.Errorf("the order needs production before it ships: %w", ErrInvalidTransition)

// Changeable reports whether a change of an order in status s waits for a manager's
// approval: after the customer confirmed it and before it ships.
func (s Status) Changeable() bool {
	return s == StatusConfirmed || s == StatusInProduction || s == StatusQualityCheck
}

// DepositOutstanding reports whether the order has a deposit to pay before production that
// is not paid yet.
func (o Order) DepositOutstanding() bool {
	return o.DepositDue.IsPositive() && o.Paid.LessThan(o.DepositDue)
}

// PaymentStatuses lists every payment status, from nothing paid to everything.
var PaymentStatuses = []PaymentStatus{PaymentUnpaid, PaymentPartlyPaid, PaymentDepositPaid, PaymentPaid}

// Valid reports whether ps is one of the known payment statuses.
func (ps PaymentStatus) Valid() bool { return slices.Contains(PaymentStatuses, ps) }

// PaymentStatusOf is the payment status of an order of total with depositDue required
// before production, of which paid is paid: the one place that decides it.
func PaymentStatusOf(total, depositDue, paid decimal.Decimal) PaymentStatus {
	switch {
	case !paid.IsPositive():
		return PaymentUnpaid
	case paid.GreaterThanOrEqual(total):
		return PaymentPaid
	case depositDue.IsPositive() && paid.GreaterThanOrEqual(depositDue):
		return PaymentDepositPaid
	}
	return PaymentPartlyPaid
}
