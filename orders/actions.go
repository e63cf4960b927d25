package orders

import (
	"context"
	"errors"
	"strconv"
)

// ErrAlreadyDone: a store found the action's key recorded, so the action was done before
// (a redelivered update, a repeated command) and this attempt changed nothing.
var ErrAlreadyDone = errors.New("the action was already done")

// Kinds of desk actions, recorded with their keys.
const (
	ActionPayment        = "payment"
	ActionReview         = "review"
	ActionAdvance        = "advance"
	ActionCustomerDecide = "customer_decide"
	ActionChangeRequest  = "change_request"
	ActionChange         = "change"
	ActionChangeDecision = "change_decision"
	ActionRate           = "rate"
)

// DeskAction is a state-changing action done once under its key: what it was and what it
// acted on, so that a repeat returns the first result.
type DeskAction struct {
	Key      string
	Kind     string
	Number   string // the order
	ChangeID int64  // the change request created or decided, 0 when none
}

// actionKey combines the key of what caused an action (an update's "u:<update_id>", a
// command's own key) with what the action is, so that one cause may drive several actions
// and each is done once. An empty key is no key: the action is not de-duplicated.
func actionKey(key, kind, subject string) string {
	if key == "" {
		return ""
	}
	return key + "|" + kind + ":" + subject
}

// done returns the action recorded under key, when there is one.
func (s *Service) done(ctx context.Context, key string) (DeskAction, bool, error) {
	if key == "" {
		return DeskAction{}, false, nil
	}
	a, err := s.store.DeskAction(ctx, key)
	switch {
	case err == nil:
		s.log.InfoContext(ctx, "action already done", "key", key, "kind", a.Kind, "order", a.Number)
		return a, true, nil
	case errors.Is(err, ErrNotFound):
		return DeskAction{}, false, nil
	}
	return DeskAction{}, false, err
}

// orderOnce runs act unless the action under key was done; then, or when act finds it
// done meanwhile, it returns the order as it now is: the first result, with what happened
// since.
func (s *Service) orderOnce(ctx context.Context, key, number string, act func() (Order, error)) (Order, error) {
	if _, ok, err := s.done(ctx, key); err != nil {
		return Order{}, err
	} else if ok {
		return s.store.Order(ctx, number)
	}
	o, err := act()
	if errors.Is(err, ErrAlreadyDone) {
		return s.store.Order(ctx, number)
	}
	return o, err
}

// changeOnce is orderOnce for actions on change requests: the request and its order.
func (s *Service) changeOnce(ctx context.Context, key string, act func() (ChangeRequest, Order, error)) (ChangeRequest, Order, error) {
	replay := func() (ChangeRequest, Order, error) {
		a, ok, err := s.done(ctx, key)
		if err != nil || !ok {
			return ChangeRequest{}, Order{}, errors.Join(err, ErrAlreadyDone)
		}
		o, err := s.store.Order(ctx, a.Number)
		if err != nil || a.ChangeID == 0 {
			return ChangeRequest{}, o, err
		}
		c, err := s.store.ChangeRequest(ctx, a.ChangeID)
		return c, o, err
	}
	if _, ok, err := s.done(ctx, key); err != nil {
		return ChangeRequest{}, Order{}, err
	} else if ok {
		return replay()
	}
	c, o, err := act()
	if errors.Is(err, ErrAlreadyDone) {
		return replay()
	}
	return c, o, err
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
