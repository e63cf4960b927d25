package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// The states of a change request.
const (
	changePending  = "pending"
	changeApproved = "approved"
	changeRejected = "rejected"
)

// CountOrders counts the orders f selects, with the conditions of Orders; f.Limit and
// f.Offset are ignored.
func (s *Store) CountOrders(ctx context.Context, f orders.OrderFilter) (int, error) {
	q := newQuery(`SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id`)
	filterOrders(q, f)
	var n int
	if err := s.db.GetContext(ctx, &n, q.String(), q.args...); err != nil {
		return 0, fail("count orders", err)
	}
	return n, nil
}

// RecordPayment adds a payment of req.Amount to the order and sets its payment status to
// req.Status, in one transaction with a history entry (from = to = the order's status, note
// "payment <amount> <method>") and req.Notifications. It returns the order as Order reads
// it, Paid included, or orders.ErrNotFound.
func (s *Store) RecordPayment(ctx context.Context, req orders.PaymentRequest) (orders.Order, error) {
	op := "record payment for " + req.Number
	if err := checkPayment(req); err != nil {
		return orders.Order{}, fail(op, err)
	}
	var o orders.Order
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		if err := claimAction(ctx, tx, req.Key, orders.ActionPayment); err != nil {
			return err
		}
		cur, err := lockOrder(ctx, tx, `number = $1`, req.Number)
		if err != nil {
			return err
		}
		if err := settleAction(ctx, tx, req.Key, cur.ID, 0); err != nil {
			return err
		}
		var paid decimal.Decimal
		if err := tx.GetContext(ctx, &paid, `SELECT COALESCE(sum(amount), 0) FROM payments WHERE order_id = $1`, cur.ID); err != nil {
			return err
		}
		if !paid.Equal(req.PaidBefore) {
			return fmt.Errorf("paid %s, not %s as expected: %w", paid, req.PaidBefore, orders.ErrConflict)
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `
			INSERT INTO payments (order_id, amount, method, actor, at) VALUES ($1, $2, $3, $4, $5)`,
			cur.ID, req.Amount, req.Method, req.Actor, now)
		if err != nil {
			return fmt.Errorf("payment: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE orders SET payment_status = $2, updated_at = $3 WHERE id = $1`,
			cur.ID, string(req.Status), now)
		if err != nil {
			return err
		}
		note := orders.PaymentNote(req.Amount, req.Method)
		o, err = s.recordChange(ctx, tx, cur.ID, historyEntry{cur.Status, cur.Status, req.Actor, note, now}, req.Notifications)
		return err
	})
	if err != nil {
		return orders.Order{}, fail(op, err)
	}
	return o, nil
}

// checkPayment rejects a payment the database would refuse or silently round.
func checkPayment(req orders.PaymentRequest) error {
	if !req.Status.Valid() {
		return &orders.ValidationError{Field: "payment_status", Reason: fmt.Sprintf("%q is not a payment status", req.Status)}
	}
	if !req.Amount.IsPositive() {
		return &orders.ValidationError{Field: "amount", Reason: req.Amount.String() + " is not positive"}
	}
	if reason := badMoney(req.Amount); reason != "" {
		return &orders.ValidationError{Field: "amount", Reason: reason}
	}
	return checkNotifications(req.Notifications)
}

// lockedOrder is an order locked for update by lockOrder.
type lockedOrder struct {
	ID         int64         `db:"id"`
	Status     orders.Status `db:"status"`
	CustomerID int64         `db:"customer_id"`
}

// lockOrder locks the order that cond (a condition on orders with parameter $1) selects.
func lockOrder(ctx context.Context, tx *sqlx.Tx, cond string, arg any) (lockedOrder, error) {
	var o lockedOrder
	err := tx.GetContext(ctx, &o, `SELECT id, status, customer_id FROM orders WHERE `+cond+` FOR UPDATE`, arg)
	return o, err
}

// changeSelect reads change requests with the numbers of their orders; conditions refer to
// r (change_requests).
const changeSelect = `
SELECT r.id, o.number, r.kind, r.line, r.quantity, r.wanted_date, r.address, r.reason, r.requested_by,
	r.status, r.decided_by, r.note, r.created_at, COALESCE(r.handler_telegram_id, 0) AS handler,
	COALESCE(hs.name, '') AS handler_name
FROM change_requests r JOIN orders o ON o.id = r.order_id LEFT JOIN staff hs ON hs.telegram_id = r.handler_telegram_id`

// changeRow is a row of changeSelect.
type changeRow struct {
	ID          int64     `db:"id"`
	Number      string    `db:"number"`
	Kind        string    `db:"kind"`
	Line        int       `db:"line"`
	Quantity    int       `db:"quantity"`
	Date        date      `db:"wanted_date"`
	Address     string    `db:"address"`
	Reason      string    `db:"reason"`
	RequestedBy string    `db:"requested_by"`
	Status      string    `db:"status"`
	DecidedBy   string    `db:"decided_by"`
	Note        string    `db:"note"`
	CreatedAt   time.Time `db:"created_at"`
	Handler     int64     `db:"handler"`
	HandlerName string    `db:"handler_name"`
}

func (r changeRow) change() orders.ChangeRequest {
	return orders.ChangeRequest{
		ID: r.ID, Number: r.Number, Kind: r.Kind, Line: r.Line, Quantity: r.Quantity, Date: r.Date.Date,
		Address: r.Address, Reason: r.Reason, RequestedBy: r.RequestedBy, Status: r.Status,
		DecidedBy: r.DecidedBy, Note: r.Note, CreatedAt: r.CreatedAt, Handler: r.Handler, HandlerName: r.HandlerName,
	}
}

func loadChange(ctx context.Context, q sqlx.QueryerContext, id int64) (orders.ChangeRequest, error) {
	var row changeRow
	if err := sqlx.GetContext(ctx, q, &row, changeSelect+` WHERE r.id = $1`, id); err != nil {
		return orders.ChangeRequest{}, err
	}
	return row.change(), nil
}

// CreateChangeRequest stores c as a pending change request of order c.Number, with ns, and
// returns it with its ID, status and creation time. It returns orders.ErrNotFound when the
// order does not exist, and a *orders.ValidationError when c is incomplete: a quantity
// change needs an existing line and a positive quantity, a date change a date, an address
// change an address.
func (s *Store) CreateChangeRequest(ctx context.Context, key string, c orders.ChangeRequest, ns []orders.Notification) (orders.ChangeRequest, error) {
	op := "create change request for " + c.Number
	if err := checkChange(c, ns); err != nil {
		return orders.ChangeRequest{}, fail(op, err)
	}
	var created orders.ChangeRequest
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		if err := claimAction(ctx, tx, key, orders.ActionChangeRequest); err != nil {
			return err
		}
		var orderID int64
		if err := tx.GetContext(ctx, &orderID, `SELECT id FROM orders WHERE number = $1`, c.Number); err != nil {
			return err
		}
		if c.Kind == orders.ChangeQuantity {
			var lines int
			if err := tx.GetContext(ctx, &lines, `SELECT count(*) FROM order_lines WHERE order_id = $1`, orderID); err != nil {
				return err
			}
			if c.Line >= lines {
				return &orders.ValidationError{Field: "line", Reason: fmt.Sprintf("the order has no line %d", c.Line+1)}
			}
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO change_requests (order_id, kind, line, quantity, wanted_date, address, reason, requested_by,
				status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING id`,
			orderID, c.Kind, c.Line, c.Quantity, dateArg(c.Date), c.Address, c.Reason, c.RequestedBy,
			changePending, s.now())
		if err != nil {
			return err
		}
		if err := settleAction(ctx, tx, key, orderID, id); err != nil {
			return err
		}
		ns, err := withChangeID(ns, id)
		if err != nil {
			return err
		}
		if err := s.addNotifications(ctx, tx, orderID, ns); err != nil {
			return err
		}
		created, err = loadChange(ctx, tx, id)
		return err
	})
	if err != nil {
		return orders.ChangeRequest{}, fail(op, err)
	}
	return created, nil
}

// checkChange rejects an incomplete change request.
func checkChange(c orders.ChangeRequest, ns []orders.Notification) error {
	bad := func(field, format string, args ...any) error {
		return &orders.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch c.Kind {
	case orders.ChangeQuantity:
		switch {
		case c.Line < 0:
			return bad("line", "line %d does not exist", c.Line+1)
		case c.Quantity <= 0:
			return bad("quantity", "%d is not positive", c.Quantity)
		}
	case orders.ChangeDate:
		if c.Date.IsZero() {
			return bad("date", "the new date is missing")
		}
	case orders.ChangeAddress:
		if strings.TrimSpace(c.Address) == "" {
			return bad("address", "the new address is missing")
		}
	case orders.ChangeCancel:
	default:
		return bad("kind", "%q is not a kind of change", c.Kind)
	}
	return checkNotifications(ns)
}

// ChangeRequest returns the change request with the number of its order, or
// orders.ErrNotFound.
func (s *Store) ChangeRequest(ctx context.Context, id int64) (orders.ChangeRequest, error) {
	c, err := loadChange(ctx, s.db, id)
	if err != nil {
		return orders.ChangeRequest{}, fail(fmt.Sprintf("change request %d", id), err)
	}
	return c, nil
}

// PendingChanges returns the order's pending change requests, oldest first.
func (s *Store) PendingChanges(ctx context.Context, number string) ([]orders.ChangeRequest, error) {
	var rows []changeRow
	err := sqlx.SelectContext(ctx, s.db, &rows, changeSelect+` WHERE o.number = $1 AND r.status = $2 ORDER BY r.id`,
		number, changePending)
	if err != nil {
		return nil, fail("pending changes of "+number, err)
	}
	out := make([]orders.ChangeRequest, len(rows))
	for i, r := range rows {
		out[i] = r.change()
	}
	return out, nil
}

// DecideChange approves or rejects the pending change request req.ID in one transaction and
// returns it with its order as Order reads it. On approval it applies req.Apply to the order
// as UpdateOrder does, and marks the order modified; a rejection leaves the order as it is.
// Either way the request records the decision (req.Actor, req.Note, the time) and
// req.Notifications are queued.
//
// It returns orders.ErrNotFound for an unknown request, orders.ErrConflict when the request
// was already decided, and, when a quantity increase exceeds the available stock, a
// *orders.StockShortage; then nothing changes.
func (s *Store) DecideChange(ctx context.Context, req orders.DecideChangeRequest) (orders.ChangeRequest, orders.Order, error) {
	op := fmt.Sprintf("decide change request %d", req.ID)
	if err := checkNotifications(req.Notifications); err != nil {
		return orders.ChangeRequest{}, orders.Order{}, fail(op, err)
	}
	if req.Approve {
		if err := checkApply(req.Apply); err != nil {
			return orders.ChangeRequest{}, orders.Order{}, fail(op, err)
		}
	}
	var (
		c orders.ChangeRequest
		o orders.Order
	)
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		if err := claimAction(ctx, tx, req.Key, orders.ActionChangeDecision); err != nil {
			return err
		}
		var cur struct {
			OrderID int64  `db:"order_id"`
			Status  string `db:"status"`
		}
		if err := tx.GetContext(ctx, &cur, `SELECT order_id, status FROM change_requests WHERE id = $1 FOR UPDATE`, req.ID); err != nil {
			return err
		}
		if cur.Status != changePending {
			return fmt.Errorf("%w: the change request is already %s", orders.ErrConflict, cur.Status)
		}
		ord, err := lockOrder(ctx, tx, `id = $1`, cur.OrderID)
		if err != nil {
			return err
		}
		// Judged under the row lock: an order that shipped (or was cancelled) since the
		// manager looked at it takes no approved change.
		if req.Approve && !ord.Status.Changeable() {
			return fmt.Errorf("%w: the order is %s now", orders.ErrConflict, ord.Status)
		}
		if err := settleAction(ctx, tx, req.Key, ord.ID, req.ID); err != nil {
			return err
		}
		now := s.now()
		status := changeRejected
		if req.Approve {
			status = changeApproved
			if err := s.applyChange(ctx, tx, ord, req.Apply, req.Actor, true, now); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE change_requests SET status = $2, decided_by = $3, note = $4, decided_at = $5 WHERE id = $1`,
			req.ID, status, req.Actor, req.Note, now)
		if err != nil {
			return err
		}
		if err := s.addNotifications(ctx, tx, ord.ID, req.Notifications); err != nil {
			return err
		}
		if c, err = loadChange(ctx, tx, req.ID); err != nil {
			return err
		}
		o, err = loadOrder(ctx, tx, ord.ID)
		return err
	})
	if err != nil {
		return orders.ChangeRequest{}, orders.Order{}, fail(op, err)
	}
	return c, o, nil
}

// UpdateOrder applies a change to the order in one transaction, with a history entry (note
// apply.Note) and ns, and returns the order as Order reads it. It does not mark the order
// modified: the customer has not confirmed it yet.
//
// apply.Cancel cancels the order and releases the stock its from-stock lines reserved;
// Address, PromisedDate and WantedDate replace the order's when given; Quantities set the
// quantities of the lines (by index) and reserve or release the difference of from-stock
// lines, with Total and DepositDue replacing the order's.
//
// It returns orders.ErrNotFound for an unknown number, orders.ErrConflict when the order is
// no longer in from, orders.ErrInvalidTransition when an order in from cannot be cancelled,
// and a *orders.StockShortage when stock cannot cover a quantity increase; then nothing
// changes.
func (s *Store) UpdateOrder(ctx context.Context, key, number string, from orders.Status, apply orders.ChangeApply,
	actor string, ns []orders.Notification) (orders.Order, error) {
	op := "update order " + number
	if err := checkApply(apply); err != nil {
		return orders.Order{}, fail(op, err)
	}
	if err := checkNotifications(ns); err != nil {
		return orders.Order{}, fail(op, err)
	}
	var o orders.Order
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		if err := claimAction(ctx, tx, key, orders.ActionChange); err != nil {
			return err
		}
		ord, err := lockOrder(ctx, tx, `number = $1`, number)
		if err != nil {
			return err
		}
		if ord.Status != from {
			return fmt.Errorf("%w: the order is %s, not %s", orders.ErrConflict, ord.Status, from)
		}
		if err := settleAction(ctx, tx, key, ord.ID, 0); err != nil {
			return err
		}
		if err := s.applyChange(ctx, tx, ord, apply, actor, false, s.now()); err != nil {
			return err
		}
		if err := s.addNotifications(ctx, tx, ord.ID, ns); err != nil {
			return err
		}
		o, err = loadOrder(ctx, tx, ord.ID)
		return err
	})
	if err != nil {
		return orders.Order{}, fail(op, err)
	}
	return o, nil
}

// checkApply rejects a change the database would refuse or silently round.
func checkApply(a orders.ChangeApply) error {
	if a.PaymentStatus != "" && !a.PaymentStatus.Valid() {
		return &orders.ValidationError{Field: "payment_status", Reason: fmt.Sprintf("%q is not a payment status", a.PaymentStatus)}
	}
	if len(a.Quantities) == 0 {
		return nil
	}
	if a.Cancel {
		return &orders.ValidationError{Field: "quantity", Reason: "a cancelled order's quantities cannot change"}
	}
	for _, i := range slices.Sorted(maps.Keys(a.Quantities)) {
		switch q := a.Quantities[i]; {
		case i < 0:
			return &orders.ValidationError{Field: "line", Reason: fmt.Sprintf("line %d does not exist", i+1)}
		case q <= 0:
			return &orders.ValidationError{Field: "quantity", Reason: fmt.Sprintf("line %d: quantity %d is not positive", i+1, q)}
		}
	}
	if reason := badMoney(a.Total); reason != "" {
		return &orders.ValidationError{Field: "total", Reason: reason}
	}
	if reason := badMoney(a.DepositDue); reason != "" {
		return &orders.ValidationError{Field: "deposit", Reason: reason}
	}
	return nil
}

// applyChange applies a to the locked order o, with its stock effects and a history entry
// by actor (from = to = the order's status, unless a cancels it). With modified, the order is
// marked as changed after the customer's confirmation.
func (s *Store) applyChange(ctx context.Context, tx *sqlx.Tx, o lockedOrder, a orders.ChangeApply, actor string,
	modified bool, now time.Time) error {
	to := o.Status
	if a.Review {
		to = orders.StatusPendingReview
	}
	if a.Cancel {
		to = orders.StatusCancelled
		if !o.Status.CanTransition(to) {
			return fmt.Errorf("%w: from %s to %s", orders.ErrInvalidTransition, o.Status, to)
		}
		if holdsStock(o.Status) {
			if err := moveStock(ctx, tx, o.ID, `UPDATE products SET reserved = reserved - $2 WHERE sku = $1`); err != nil {
				return fmt.Errorf("release stock: %w", err)
			}
		}
	}
	if len(a.Quantities) > 0 {
		if err := changeQuantities(ctx, tx, o, a.Quantities); err != nil {
			return err
		}
	}
	if a.Lines != nil {
		if err := replaceLines(ctx, tx, o, a.Lines); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE orders SET status = $2, updated_at = $3,
			delivery_address = COALESCE(NULLIF($4, ''), delivery_address),
			promised_date = CASE WHEN $12 THEN NULL ELSE COALESCE($5::date, promised_date) END,
			wanted_date = COALESCE($6::date, wanted_date),
			total = CASE WHEN $7 THEN $8 ELSE total END,
			deposit_due = CASE WHEN $7 THEN $9 ELSE deposit_due END,
			estimated_date = CASE WHEN $11 THEN $13::date ELSE estimated_date END,
			modified = modified OR $10,
			payment_status = COALESCE(NULLIF($14, ''), payment_status)
		WHERE id = $1`,
		o.ID, string(to), now, strings.TrimSpace(a.Address), dateArg(a.PromisedDate), dateArg(a.WantedDate),
		len(a.Quantities) > 0 || a.Lines != nil, a.Total, a.DepositDue, modified, a.Lines != nil, a.Review,
		dateArg(a.EstimatedDate), string(a.PaymentStatus))
	if err != nil {
		return err
	}
	if err := s.useAddresses(ctx, tx, o.CustomerID, []string{a.Address}); err != nil {
		return fmt.Errorf("customer addresses: %w", err)
	}
	return addHistory(ctx, tx, o.ID, o.Status, to, actor, noteOf(a.Detail, a.Note), now)
}

// changeQuantities sets the quantities of the order's lines (line index → quantity). While
// the order holds stock, the reservations of its from-stock lines follow: an increase is
// reserved with a conditional update, so that stock is never oversold, and a decrease is
// released. Products are updated in SKU order, like placements lock them. When stock cannot
// cover an increase it returns a *orders.StockShortage naming every short product, with
// the units of the product the order would then hold from stock (Wanted) and the most it
// can hold (Available).
func changeQuantities(ctx context.Context, tx *sqlx.Tx, o lockedOrder, quantities map[int]int) error {
	var lines []struct {
		Position  int    `db:"position"`
		SKU       string `db:"sku"`
		Quantity  int    `db:"quantity"`
		FromStock bool   `db:"from_stock"`
	}
	err := tx.SelectContext(ctx, &lines, `
		SELECT position, sku, quantity, from_stock FROM order_lines WHERE order_id = $1 ORDER BY position`, o.ID)
	if err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	held := map[string]int{}  // units reserved for the order, by SKU
	delta := map[string]int{} // change of the reservation, by SKU
	for _, l := range lines {
		if l.FromStock {
			held[l.SKU] += l.Quantity
		}
	}
	var positions, values []int64
	for _, i := range slices.Sorted(maps.Keys(quantities)) {
		if i < 0 || i >= len(lines) {
			return &orders.ValidationError{Field: "line", Reason: fmt.Sprintf("the order has no line %d", i+1)}
		}
		l, q := lines[i], quantities[i]
		positions, values = append(positions, int64(l.Position)), append(values, int64(q))
		if l.FromStock && holdsStock(o.Status) {
			delta[l.SKU] += q - l.Quantity
		}
	}

	if err := moveStockBy(ctx, tx, delta, held, false); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE order_lines l SET quantity = u.quantity
		FROM unnest($2::int[], $3::int[]) AS u (position, quantity)
		WHERE l.order_id = $1 AND l.position = u.position`,
		o.ID, pq.Array(positions), pq.Array(values))
	if err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	return nil
}

// SetStaffLanguage sets the language of the staff member with the Telegram user id, or
// returns orders.ErrNotFound.
func (s *Store) SetStaffLanguage(ctx context.Context, telegramID int64, lang string) error {
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE staff SET language = $2, updated_at = $3 WHERE telegram_id = $1`,
			telegramID, lang, s.now())
		return oneRow(res, err)
	})
	if err != nil {
		return fail(fmt.Sprintf("set language of staff %d", telegramID), err)
	}
	return nil
}

// RateOrder stores the customer's rating, 1 to 5, and comment of the order, replacing an
// earlier rating. It returns orders.ErrNotFound for an unknown number and a
// *orders.ValidationError for a rating out of range.
func (s *Store) RateOrder(ctx context.Context, key, number string, rating int, comment string) error {
	op := "rate order " + number
	if rating < 1 || rating > 5 {
		return fail(op, &orders.ValidationError{Field: "rating", Reason: fmt.Sprintf("%d is not between 1 and 5", rating)})
	}
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		if err := claimAction(ctx, tx, key, orders.ActionRate); err != nil {
			return err
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			UPDATE orders SET rating = $2, rating_comment = $3, updated_at = $4 WHERE number = $1 RETURNING id`,
			number, rating, comment, s.now())
		if err != nil {
			return err
		}
		return settleAction(ctx, tx, key, id, 0)
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// oneRow checks that an update changed a row: sql.ErrNoRows when it changed none.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// withChangeID gives the notifications about a new change request its id, which their
// buttons carry (the payload's "change_id").
func withChangeID(ns []orders.Notification, id int64) ([]orders.Notification, error) {
	out := make([]orders.Notification, len(ns))
	for i, n := range ns {
		if len(n.Payload) == 0 {
			out[i] = n
			continue
		}
		var p map[string]any
		if err := json.Unmarshal(n.Payload, &p); err != nil {
			return nil, fmt.Errorf("notification %s: %w", n.Key, err)
		}
		p["change_id"] = id
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		n.Payload = b
		out[i] = n
	}
	return out, nil
}

// replaceLines gives the locked order o new lines (a re-quote before the customer's
// confirmation). While the order holds stock, the reservation of each product moves by the
// difference between its new and old from-stock units, products in SKU byte order like
// every statement that locks them: an increase is reserved with a conditional update, so
// stock is never oversold, and a shortage is a *orders.StockShortage naming every short
// product; then nothing changes.
func replaceLines(ctx context.Context, tx *sqlx.Tx, o lockedOrder, lines []orders.Line) error {
	if len(lines) == 0 {
		return &orders.ValidationError{Field: "lines", Reason: "an order needs at least one line"}
	}
	var old []struct {
		SKU      string `db:"sku"`
		Quantity int    `db:"quantity"`
	}
	err := tx.SelectContext(ctx, &old, `SELECT sku, quantity FROM order_lines WHERE order_id = $1 AND from_stock`, o.ID)
	if err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	held, delta := map[string]int{}, map[string]int{}
	for _, l := range old {
		held[l.SKU] += l.Quantity
		delta[l.SKU] -= l.Quantity
	}
	for _, l := range lines {
		if l.FromStock {
			delta[l.SKU] += l.Quantity
		}
	}
	if holdsStock(o.Status) {
		if err := moveStockBy(ctx, tx, delta, held, true); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM order_lines WHERE order_id = $1`, o.ID); err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	return insertLines(ctx, tx, o.ID, lines)
}

// moveStockBy reserves (delta > 0) or releases (delta < 0) each product's units, in SKU
// order; held is what the order holds already, for the shortage it reports when a product
// lacks the units (then nothing is to be kept: the caller's transaction rolls back). With
// activeOnly, an inactive product reserves nothing.
func moveStockBy(ctx context.Context, tx *sqlx.Tx, delta, held map[string]int, activeOnly bool) error {
	cond := ""
	if activeOnly {
		cond = " AND active"
	}
	short := &orders.StockShortage{}
	for _, sku := range slices.Sorted(maps.Keys(delta)) {
		switch d := delta[sku]; {
		case d > 0:
			res, err := tx.ExecContext(ctx, `
				UPDATE products SET reserved = reserved + $2 WHERE sku = $1`+cond+` AND on_hand - reserved >= $2`, sku, d)
			if err != nil {
				return fmt.Errorf("reserve %s: %w", sku, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				continue
			}
			var free int
			err = tx.GetContext(ctx, &free, `SELECT GREATEST(on_hand - reserved, 0) FROM products WHERE sku = $1`, sku)
			if err != nil {
				return fmt.Errorf("stock of %s: %w", sku, err)
			}
			short.Lines = append(short.Lines, orders.Shortage{SKU: sku, Wanted: held[sku] + d, Available: held[sku] + free})
		case d < 0:
			if _, err := tx.ExecContext(ctx, `UPDATE products SET reserved = reserved - $2 WHERE sku = $1`, sku, -d); err != nil {
				return fmt.Errorf("release %s: %w", sku, err)
			}
		}
	}
	if len(short.Lines) > 0 {
		return short
	}
	return nil
}
