package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
)

// orderSelect reads orders with their customers; conditions refer to o (orders) and
// c (customers). An order's customer is named by the order's own contact (migration
// 0015): the name, phone and company given when it was placed, whatever the customer's
// profile says now.
const orderSelect = `
SELECT o.id, o.number, o.status, o.payment_status, o.total, o.deposit_due, o.delivery_address,
	o.wanted_date, o.promised_date, o.estimated_date, o.payment_method, o.notes, o.source, o.reference,
	o.approved_by, o.approved_at, o.created_at, o.carrier, o.tracking,
	COALESCE(o.rep_telegram_id, 0) AS rep_telegram_id, o.modified, COALESCE(o.rating, 0) AS rating,
	o.rating_comment,
	c.id AS customer_id, COALESCE(c.telegram_id, 0) AS customer_telegram_id,
	COALESCE(NULLIF(o.contact_name, ''), c.name) AS customer_name,
	COALESCE(NULLIF(o.contact_phone, ''), c.phone) AS customer_phone,
	o.contact_company AS customer_company, c.language AS customer_language,
	c.unreachable AS customer_unreachable
FROM orders o JOIN customers c ON c.id = o.customer_id`

// orderRow is a row of orderSelect.
type orderRow struct {
	ID              int64           `db:"id"`
	Number          string          `db:"number"`
	Status          string          `db:"status"`
	PaymentStatus   string          `db:"payment_status"`
	Total           decimal.Decimal `db:"total"`
	DepositDue      decimal.Decimal `db:"deposit_due"`
	DeliveryAddress string          `db:"delivery_address"`
	WantedDate      date            `db:"wanted_date"`
	PromisedDate    date            `db:"promised_date"`
	EstimatedDate   date            `db:"estimated_date"`
	PaymentMethod   string          `db:"payment_method"`
	Notes           string          `db:"notes"`
	Source          string          `db:"source"`
	Reference       string          `db:"reference"`
	ApprovedBy      string          `db:"approved_by"`
	ApprovedAt      sql.NullTime    `db:"approved_at"`
	CreatedAt       time.Time       `db:"created_at"`
	Carrier         string          `db:"carrier"`
	Tracking        string          `db:"tracking"`
	Rep             int64           `db:"rep_telegram_id"`
	Modified        bool            `db:"modified"`
	Rating          int             `db:"rating"`
	RatingComment   string          `db:"rating_comment"`

	CustomerID          int64  `db:"customer_id"`
	CustomerTelegramID  int64  `db:"customer_telegram_id"`
	CustomerName        string `db:"customer_name"`
	CustomerPhone       string `db:"customer_phone"`
	CustomerCompany     string `db:"customer_company"`
	CustomerLanguage    string `db:"customer_language"`
	CustomerUnreachable bool   `db:"customer_unreachable"`
}

func (r orderRow) order() orders.Order {
	o := orders.Order{
		ID:            r.ID,
		Number:        r.Number,
		Status:        orders.Status(r.Status),
		PaymentStatus: orders.PaymentStatus(r.PaymentStatus),
		Customer: orders.Customer{
			ID: r.CustomerID, TelegramID: r.CustomerTelegramID, Name: r.CustomerName, Phone: r.CustomerPhone,
			Company: r.CustomerCompany, Language: r.CustomerLanguage, Unreachable: r.CustomerUnreachable,
		},
		Total:           r.Total,
		DepositDue:      r.DepositDue,
		DeliveryAddress: r.DeliveryAddress,
		WantedDate:      r.WantedDate.Date,
		PromisedDate:    r.PromisedDate.Date,
		EstimatedDate:   r.EstimatedDate.Date,
		PaymentMethod:   r.PaymentMethod,
		Notes:           r.Notes,
		Source:          r.Source,
		Reference:       r.Reference,
		CreatedAt:       r.CreatedAt,
		ApprovedBy:      r.ApprovedBy,
		Carrier:         r.Carrier,
		Tracking:        r.Tracking,
		Rep:             r.Rep,
		Modified:        r.Modified,
		Rating:          r.Rating,
		RatingComment:   r.RatingComment,
		Lines:           []orders.Line{},
		History:         []orders.HistoryEntry{},
	}
	if r.ApprovedAt.Valid {
		o.ApprovedAt = r.ApprovedAt.Time
	}
	return o
}

// lineRow is a row of order_lines.
type lineRow struct {
	OrderID       int64           `db:"order_id"`
	SKU           string          `db:"sku"`
	Name          string          `db:"name"`
	NameZH        string          `db:"name_zh"`
	Variant       string          `db:"variant"`
	VariantZH     string          `db:"variant_zh"`
	VariantEN     string          `db:"variant_en"`
	Quantity      int             `db:"quantity"`
	Unit          string          `db:"unit"`
	UnitZH        string          `db:"unit_zh"`
	UnitPrice     decimal.Decimal `db:"unit_price"`
	Complimentary bool            `db:"complimentary"`
	FromStock     bool            `db:"from_stock"`
}

// historyRow is a row of order_history.
type historyRow struct {
	OrderID int64          `db:"order_id"`
	From    sql.NullString `db:"from_status"`
	To      string         `db:"to_status"`
	Actor   string         `db:"actor"`
	Note    string         `db:"note"`
	Code    string         `db:"note_code"`
	Args    []byte         `db:"note_args"`
	At      time.Time      `db:"at"`
}

// loadOrders runs query, a select of orderSelect, and loads the lines, history and paid
// amounts of the orders it finds: four queries however many orders.
func loadOrders(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]orders.Order, error) {
	var rows []orderRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]orders.Order, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rows))
	index := make(map[int64]int, len(rows))
	for i, r := range rows {
		out[i] = r.order()
		ids[i] = r.ID
		index[r.ID] = i
	}

	var lines []lineRow
	err := sqlx.SelectContext(ctx, q, &lines, `
		SELECT order_id, sku, name, name_zh, variant, variant_zh, variant_en, quantity, unit, unit_zh, unit_price, complimentary, from_stock
		FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, position`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("order lines: %w", err)
	}
	for _, l := range lines {
		o := &out[index[l.OrderID]]
		o.Lines = append(o.Lines, orders.Line{
			SKU: l.SKU, Name: l.Name, NameZH: l.NameZH, Variant: orders.Variant(l.Variant), VariantZH: orders.Variant(l.VariantZH),
			VariantEN: orders.Variant(l.VariantEN), Quantity: l.Quantity, Unit: l.Unit, UnitZH: l.UnitZH,
			UnitPrice: l.UnitPrice, Complimentary: l.Complimentary, FromStock: l.FromStock,
		})
	}

	var history []historyRow
	err = sqlx.SelectContext(ctx, q, &history, `
		SELECT order_id, from_status, to_status, actor, note, note_code, note_args, at
		FROM order_history WHERE order_id = ANY($1) ORDER BY order_id, id`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("order history: %w", err)
	}
	for _, h := range history {
		o := &out[index[h.OrderID]]
		detail := orders.HistoryNote{Code: h.Code}
		if err := json.Unmarshal(h.Args, &detail.Args); err != nil {
			return nil, fmt.Errorf("order history of %s: note arguments: %w", o.Number, err)
		}
		if len(detail.Args) == 0 {
			detail.Args = nil
		}
		o.History = append(o.History, orders.HistoryEntry{
			From: orders.Status(h.From.String), To: orders.Status(h.To), Actor: h.Actor, Note: h.Note, Detail: detail, At: h.At,
		})
	}

	var paid []struct {
		OrderID int64           `db:"order_id"`
		Amount  decimal.Decimal `db:"amount"`
	}
	err = sqlx.SelectContext(ctx, q, &paid, `
		SELECT order_id, sum(amount) AS amount FROM payments WHERE order_id = ANY($1) GROUP BY order_id`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("order payments: %w", err)
	}
	for _, p := range paid {
		out[index[p.OrderID]].Paid = p.Amount
	}
	return out, nil
}

// loadOrder loads one order by id.
func loadOrder(ctx context.Context, q sqlx.QueryerContext, id int64) (orders.Order, error) {
	list, err := loadOrders(ctx, q, orderSelect+` WHERE o.id = $1`, id)
	if err != nil {
		return orders.Order{}, err
	}
	if len(list) == 0 {
		return orders.Order{}, orders.ErrNotFound
	}
	return list[0], nil
}

// Order returns the order with its customer (without addresses: the order has its delivery
// address), lines and history (oldest first), or orders.ErrNotFound.
func (s *Store) Order(ctx context.Context, number string) (orders.Order, error) {
	var o orders.Order
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		list, err := loadOrders(ctx, tx, orderSelect+` WHERE o.number = $1`, number)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return orders.ErrNotFound
		}
		o = list[0]
		return nil
	})
	if err != nil {
		return orders.Order{}, fail("order "+number, err)
	}
	return o, nil
}

// Orders lists the orders selected by f, newest first, with their customers, lines and
// history. The conditions of f all apply:
//   - f.Query matches an order by its number (ignoring case), by a part of a name
//     (ignoring case) or, when it has at least 4 digits, by a phone containing those
//     digits, whatever the punctuation of either; the name and phone are those of the
//     order's own contact and those of its customer's profile now, so an order is found
//     by any contact it had;
//   - f.PromisedBefore selects orders promised for an earlier day, f.PromisedOn orders
//     promised for that day (orders without a promised date are never selected by either).
func (s *Store) Orders(ctx context.Context, f orders.OrderFilter) ([]orders.Order, error) {
	q := newQuery(orderSelect)
	filterOrders(q, f)
	q.add(" ORDER BY o.created_at DESC, o.id DESC")
	q.page(f.Limit, f.Offset)
	var list []orders.Order
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		var err error
		list, err = loadOrders(ctx, tx, q.String(), q.args...)
		return err
	})
	if err != nil {
		return nil, fail("orders", err)
	}
	return list, nil
}

// minPhoneDigits is how many digits an order query needs to be matched against phones.
const minPhoneDigits = 4

// filterOrders adds the conditions of f to q, a select from orders o joined with customers c.
func filterOrders(q *query, f orders.OrderFilter) {
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			statuses[i] = string(st)
		}
		q.and("o.status = ANY(" + q.arg(pq.Array(statuses)) + ")")
	}
	if f.CustomerTelegramID != 0 {
		q.and("c.telegram_id = " + q.arg(f.CustomerTelegramID))
	}
	if !f.PromisedBefore.IsZero() {
		q.and("o.promised_date IS NOT NULL AND o.promised_date < " + q.arg(dateArg(f.PromisedBefore)) + "::date")
	}
	if f.NotPaid {
		q.and("o.payment_status <> 'paid'")
	}
	if !f.PromisedOn.IsZero() {
		q.and("o.promised_date = " + q.arg(dateArg(f.PromisedOn)) + "::date")
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		// Numbers are stored in upper case (SO-…), so the unique index finds them.
		name := q.arg(containsPattern(text))
		cond := fmt.Sprintf("(o.number = %s OR o.contact_name ILIKE %s OR c.name ILIKE %s", q.arg(strings.ToUpper(text)), name, name)
		if digits := onlyDigits(text); len(digits) >= minPhoneDigits {
			d := q.arg("%" + digits + "%")
			cond += fmt.Sprintf(" OR regexp_replace(o.contact_phone, '[^0-9]', '', 'g') LIKE %[1]s"+
				" OR regexp_replace(c.phone, '[^0-9]', '', 'g') LIKE %[1]s", d)
		}
		q.and(cond + ")")
	}
}

// PlaceOrder creates the order of req in one transaction: it records the customer and the
// delivery address, reserves the stock of the from-stock lines, numbers the order
// SO-YYYYMMDD-NNNN after req.Day, and writes the order, its lines, its first history entry
// and req.Notifications. It returns the order as Order reads it.
//
// When an order with req.Key exists, it returns that order and created=false, also when
// the same key is placed concurrently. When a from-stock line cannot be reserved it returns
// a *orders.StockShortage with every short product and changes nothing. An empty req.Key
// disables the idempotency check.
//
// Placements of many customers run in parallel: the rows they share are held only for a
// moment. One short statement before the transaction (begin_placement, migration 0075)
// finds an order already placed with the key, holds the stock of the from-stock lines and
// draws the day's number, like a sequence: numbers are unique and never reused, and a
// placement that fails after drawing one leaves a gap. That statement commits without
// waiting for the disk, so neither a product's row nor the day's counter stays locked
// while a commit record is flushed; the order's transaction, committed synchronously,
// takes the hold over (and its flush makes the hold durable with it). A placement that
// fails releases its hold.
func (s *Store) PlaceOrder(ctx context.Context, req orders.PlaceRequest) (orders.Order, bool, error) {
	if err := checkPlace(req); err != nil {
		return orders.Order{}, false, fail("place order", err)
	}
	begun, err := s.beginPlacement(ctx, req)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		if pq.As(err, errOutOfStock) != nil && req.Key != "" {
			// A placement with the same key may have taken the units meanwhile: its
			// order, or its hold while it runs, answers instead of the shortage.
			var k placement
			if kerr := s.db.QueryRowxContext(ctx, keyStateQuery, req.Key).Scan(&k.existing, &k.inflight); kerr != nil {
				return orders.Order{}, false, fail("place order", kerr)
			}
			if k.existing.Valid || k.inflight.Valid {
				begun, err = k, nil
			}
		}
		if err != nil || !begun.inflight.Valid {
			break
		}
		// Another placement with the key holds its stock: once it has ended (its
		// transaction deletes the hold, so the lock waits for its end), start again.
		if err = s.waitForHold(ctx, begun.inflight.Int64, wait); err == nil {
			begun, err = s.beginPlacement(ctx, req)
		}
	}
	if pqErr := pq.As(err, errOutOfStock); pqErr != nil {
		err = s.shortage(ctx, req.Order.Lines, pqErr.Detail)
	}
	if err != nil {
		return orders.Order{}, false, fail("place order", err)
	}
	if begun.existing.Valid {
		// A repeated placement (double tap, redelivery): answered without a number or stock.
		o, err := s.orderByID(ctx, begun.existing.Int64)
		if err != nil {
			return orders.Order{}, false, fail("place order", err)
		}
		return o, false, nil
	}
	var (
		o       orders.Order
		created bool
	)
	err = s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var err error
		o, err = s.placeOrder(ctx, tx, req, begun)
		created = err == nil
		return err
	})
	if err != nil && begun.hold.Valid {
		// The stock goes back at once; a release that fails leaves the hold to the
		// release of stale holds.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if _, rerr := s.db.ExecContext(rctx, releaseHoldQuery, begun.hold.Int64); rerr != nil {
			s.log.WarnContext(ctx, "stock hold not released", "hold", begun.hold.Int64, "err", rerr)
		}
		cancel()
	}
	if pqErr := pq.As(err, pqerror.UniqueViolation); pqErr != nil && pqErr.Constraint == "orders_idempotency_key_unique" {
		// A placement with the same key committed first.
		created = false
		o, err = s.orderByKey(ctx, req.Key)
	}
	if err != nil {
		return orders.Order{}, false, fail("place order", err)
	}
	return o, created, nil
}

// placement is what begin_placement gives a placement: the order already placed with its
// key, or the hold of its stock (none without from-stock lines) and its order number.
type placement struct {
	existing sql.NullInt64
	inflight sql.NullInt64 // the hold of another placement with the key, not committed yet
	hold     sql.NullInt64
	holds    int // hold rows: one per product of the from-stock lines
	number   string
}

const (
	beginPlacementQuery = `SELECT existing, inflight, hold, seq FROM begin_placement($1, $2, $3, $4)`
	waitForHoldQuery    = `SELECT count(*) FROM (SELECT 1 FROM stock_holds WHERE id = $1 FOR SHARE) h`
	// keyStateQuery reads, from one snapshot, the order placed with a key or else the hold
	// of a placement with the key still running (a hold 10 minutes old is a dead one's).
	keyStateQuery = `SELECT (SELECT id FROM orders WHERE idempotency_key = $1),
		(SELECT id FROM stock_holds WHERE key = $1 AND created_at >= now() - interval '10 minutes' LIMIT 1)`
	releaseHoldQuery = `SELECT release_stock_hold($1)`
)

// beginPlacement runs begin_placement (migration 0075) for req.
func (s *Store) beginPlacement(ctx context.Context, req orders.PlaceRequest) (placement, error) {
	wanted := map[string]int64{}
	var skus []string
	for _, l := range req.Order.Lines {
		if !l.FromStock {
			continue
		}
		if _, ok := wanted[l.SKU]; !ok {
			skus = append(skus, l.SKU)
		}
		wanted[l.SKU] += int64(l.Quantity)
	}
	quantities := make([]int64, len(skus))
	for i, k := range skus {
		quantities[i] = wanted[k]
	}
	p := placement{holds: len(skus)}
	var seq sql.NullInt64
	if err := s.db.QueryRowxContext(ctx, beginPlacementQuery, nullString(req.Key), dateArg(req.Day), pq.Array(skus), pq.Array(quantities)).
		Scan(&p.existing, &p.inflight, &p.hold, &seq); err != nil {
		return p, err
	}
	if !p.existing.Valid && !p.inflight.Valid {
		d := req.Day
		p.number = fmt.Sprintf("SO-%04d%02d%02d-%04d", d.Year, int(d.Month), d.Day, seq.Int64)
	}
	return p, nil
}

// waitForHold waits until the transaction taking the hold over has ended; while none has
// begun, it sleeps for pause.
func (s *Store) waitForHold(ctx context.Context, hold int64, pause time.Duration) error {
	var left int
	if err := s.db.QueryRowxContext(ctx, waitForHoldQuery, hold).Scan(&left); err != nil {
		return err
	}
	if left > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
	return nil
}

// orderByID reads the order from one snapshot.
func (s *Store) orderByID(ctx context.Context, id int64) (orders.Order, error) {
	var o orders.Order
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		var err error
		o, err = loadOrder(ctx, tx, id)
		return err
	})
	return o, err
}

// orderByKey returns the order placed with the idempotency key, or sql.ErrNoRows.
func (s *Store) orderByKey(ctx context.Context, key string) (orders.Order, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `SELECT id FROM orders WHERE idempotency_key = $1`, key); err != nil {
		return orders.Order{}, err
	}
	return s.orderByID(ctx, id)
}

// placeOrder writes the order in tx and returns it as Order would read it. A concurrent
// placement with the same key makes the insert fail on the key's unique index.
func (s *Store) placeOrder(ctx context.Context, tx *sqlx.Tx, req orders.PlaceRequest, p placement) (orders.Order, error) {
	number := p.number
	o := req.Order
	customer, err := s.saveCustomer(ctx, tx, o.Customer, true)
	if err != nil {
		return orders.Order{}, fmt.Errorf("customer: %w", err)
	}
	// The order's own contact: as given for it, what was not given as the profile has it.
	contact := orderContact(o.Customer, customer)
	if err := s.useAddresses(ctx, tx, customer.ID, append([]string{o.DeliveryAddress}, o.Customer.Addresses...)); err != nil {
		return orders.Order{}, fmt.Errorf("customer addresses: %w", err)
	}
	// PostgreSQL keeps times to the microsecond.
	o.CreatedAt = o.CreatedAt.Truncate(time.Microsecond)
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now().Truncate(time.Microsecond)
	}
	o.ApprovedAt = o.ApprovedAt.Truncate(time.Microsecond)
	if o.PaymentStatus == "" {
		o.PaymentStatus = orders.PaymentUnpaid
	}
	placed := orders.HistoryNote{Code: orders.NotePlaced}
	placedArgs, err := noteArgs(placed)
	if err != nil {
		return orders.Order{}, err
	}
	// One statement writes the order with its lines and its first history entry, and takes
	// the order's stock hold over: a hold released meanwhile (it went stale) leaves the
	// order unwritten. (The rows' triggers and foreign keys run after the whole statement,
	// so they see the order.)
	args := append([]any{
		number, string(o.Status), string(o.PaymentStatus), customer.ID, o.Total, o.DepositDue,
		o.DeliveryAddress, dateArg(o.WantedDate), dateArg(o.PromisedDate), dateArg(o.EstimatedDate), o.PaymentMethod,
		o.Notes, o.Source, nullString(req.Key), req.Approver, timeArg(o.ApprovedAt), o.CreatedAt,
		contact.Name, contact.Phone, contact.Company, o.Reference, p.hold, p.holds,
		placed.English(), placed.Code, placedArgs}, lineArrays(o.Lines)...)
	err = tx.GetContext(ctx, &o.ID, placeOrderQuery, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return orders.Order{}, fmt.Errorf("order %s: its stock hold was released before it was written: %w", number, orders.ErrConflict)
	}
	if err != nil {
		return orders.Order{}, err
	}
	// The order as Order reads it, without reading it back: the customer as stored (an
	// order's customer carries no address list), no payment yet, one history entry.
	o.Number, o.Customer, o.ApprovedBy = number, contact, req.Approver
	o.Customer.Addresses = nil
	o.Paid = decimal.Zero
	o.Lines = append([]orders.Line{}, o.Lines...)
	o.History = []orders.HistoryEntry{{To: o.Status, Actor: req.Approver, Note: placed.English(), Detail: placed, At: o.CreatedAt}}

	ns := req.Notifications
	if req.Notify != nil {
		ns = append(append([]orders.Notification(nil), ns...), req.Notify(o)...)
		if err := checkNotifications(ns); err != nil {
			return orders.Order{}, err
		}
	}
	if err := s.queueNotifications(ctx, tx, o.ID, number, ns); err != nil {
		return orders.Order{}, err
	}
	// The stock of the from-stock lines is reserved by the COMMIT (migration 0004).
	return o, nil
}

// orderContact is the customer of a new order as the order records it: the profile
// (id, Telegram id, language) with the name, phone and company given for the order, or
// the profile's where one was not given.
func orderContact(given, profile orders.Customer) orders.Customer {
	c := profile
	if n := strings.TrimSpace(given.Name); n != "" {
		c.Name = n
	}
	if p := strings.TrimSpace(given.Phone); p != "" {
		c.Phone = p
	}
	if co := strings.TrimSpace(given.Company); co != "" {
		c.Company = co
	}
	return c
}

// checkPlace rejects a placement the database would refuse or silently change.
func checkPlace(req orders.PlaceRequest) error {
	o := req.Order
	bad := func(field, format string, args ...any) error {
		return &orders.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case req.Day.IsZero():
		return bad("day", "the day of the order number is missing")
	case !o.Status.Valid():
		return bad("status", "%q is not an order status", o.Status)
	case o.PaymentStatus != "" && !o.PaymentStatus.Valid():
		return bad("payment_status", "%q is not a payment status", o.PaymentStatus)
	case o.WantedDate.IsZero():
		return bad("date", "the wanted delivery date is missing")
	case len(o.Lines) == 0:
		return bad("lines", "an order needs at least one line")
	}
	if reason := badMoney(o.Total); reason != "" {
		return bad("total", "%s", reason)
	}
	if reason := badMoney(o.DepositDue); reason != "" {
		return bad("deposit", "%s", reason)
	}
	for i, l := range o.Lines {
		switch {
		case l.SKU == "":
			return bad("sku", "line %d has no product", i+1)
		case l.Quantity <= 0:
			return bad("quantity", "line %d (%s): quantity %d is not positive", i+1, l.SKU, l.Quantity)
		}
		if reason := badMoney(l.UnitPrice); reason != "" {
			return bad("unit_price", "line %d (%s): %s", i+1, l.SKU, reason)
		}
	}
	return checkNotifications(req.Notifications)
}

// checkNotifications rejects notifications the outbox cannot hold.
func checkNotifications(ns []orders.Notification) error {
	for _, n := range ns {
		switch {
		case n.Kind == "":
			return &orders.ValidationError{Field: "notification", Reason: fmt.Sprintf("notification %q has no kind", n.Key)}
		case n.Key == "":
			return &orders.ValidationError{Field: "notification", Reason: fmt.Sprintf("a %s notification has no key", n.Kind)}
		case len(n.Payload) > 0 && !json.Valid(n.Payload):
			return &orders.ValidationError{Field: "notification", Reason: fmt.Sprintf("notification %q: the payload is not JSON", n.Key)}
		}
	}
	return nil
}

// errOutOfStock is the SQLSTATE of a failed reservation (migration 0004): a product of a
// from-stock line lacks the units, or is inactive. Its detail is the product's SKU.
const errOutOfStock = "OB409"

// shortage explains a failed reservation: a *orders.StockShortage naming each product of
// the from-stock lines that lacks the units now (sku, from the error, at least).
func (s *Store) shortage(ctx context.Context, lines []orders.Line, sku string) error {
	wanted := map[string]int{}
	var order []string // SKUs in the order of the lines
	for _, l := range lines {
		if !l.FromStock {
			continue
		}
		if _, ok := wanted[l.SKU]; !ok {
			order = append(order, l.SKU)
		}
		wanted[l.SKU] += l.Quantity
	}
	var rows []struct {
		SKU       string `db:"sku"`
		Available int    `db:"available"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT sku, CASE WHEN active THEN GREATEST(on_hand - reserved, 0) ELSE 0 END AS available
		FROM products WHERE sku = ANY($1)`, pq.Array(order))
	if err != nil {
		return fmt.Errorf("stock: %w", err)
	}
	available := make(map[string]int, len(order)) // a SKU not in the catalog has none
	for _, r := range rows {
		available[r.SKU] = r.Available
	}
	short := &orders.StockShortage{}
	for _, k := range order {
		if available[k] < wanted[k] || k == sku {
			short.Lines = append(short.Lines, orders.Shortage{SKU: k, Wanted: wanted[k], Available: available[k]})
		}
	}
	return short
}

func insertLines(ctx context.Context, tx *sqlx.Tx, orderID int64, lines []orders.Line) error {
	_, err := tx.ExecContext(ctx, insertLinesQuery, append([]any{orderID}, lineArrays(lines)...)...)
	if err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	return nil
}

// The statements that write order lines, built once.
var (
	// placeOrderQuery writes an order with its lines ($27…) and its first history entry
	// ($24–$26), taking its stock hold ($22, $23 rows) over: see placeOrder.
	placeOrderQuery = `
		WITH hold AS (DELETE FROM stock_holds WHERE id = $22 RETURNING 1),
		o AS (
			INSERT INTO orders (number, status, payment_status, customer_id, total, deposit_due, delivery_address,
				wanted_date, promised_date, estimated_date, payment_method, notes, source, idempotency_key,
				approved_by, approved_at, created_at, updated_at, contact_name, contact_phone, contact_company, reference)
			SELECT $1, $2, $3, $4, $5::numeric, $6::numeric, $7, $8::date, $9::date, $10::date, $11, $12, $13, $14, $15,
				$16::timestamptz, $17::timestamptz, $17::timestamptz, $18, $19, $20, $21
			WHERE (SELECT count(*) FROM hold) = $23
			RETURNING id),
		history AS (
			INSERT INTO order_history (order_id, from_status, to_status, actor, note, note_code, note_args, at)
			SELECT o.id, NULL, $2, $15, $24, $25, $26, $17::timestamptz FROM o),
		lines AS (
			INSERT INTO order_lines (order_id, ` + lineColumns + `)
			SELECT o.id, ` + lineColumns + ` FROM o, ` + lineValues(27) + `)
		SELECT id FROM o`
	// insertLinesQuery writes the lines ($2…) of order $1.
	insertLinesQuery = `INSERT INTO order_lines (order_id, ` + lineColumns + `)
		SELECT $1, ` + lineColumns + ` FROM ` + lineValues(2)
)

// lineColumns are the columns of order_lines that lineValues gives, besides order_id.
const lineColumns = `position, sku, name, variant, quantity, unit, unit_price, complimentary, from_stock,
	name_zh, variant_zh, unit_zh, variant_en`

// lineValues is the rows of lines (named l, with lineColumns) from the arrays of
// lineArrays passed as the statement's parameters $first to $first+12.
func lineValues(first int) string {
	types := []string{"int", "text", "text", "text", "int", "text", "numeric", "bool", "bool", "text", "text", "text", "text"}
	var b strings.Builder
	b.WriteString("unnest(")
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d::%s[]", first+i, t)
	}
	b.WriteString(") AS l (" + lineColumns + ")")
	return b.String()
}

// lineArrays are the parameters of lineValues: one array per column, a line each.
func lineArrays(lines []orders.Line) []any {
	n := len(lines)
	var (
		positions, quantities                = make([]int64, n), make([]int64, n)
		skus, names, variants, units, prices = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		namesZH, variantsZH, unitsZH         = make([]string, n), make([]string, n), make([]string, n)
		variantsEN                           = make([]string, n)
		complimentary, fromStock             = make([]bool, n), make([]bool, n)
	)
	for i, l := range lines {
		positions[i], quantities[i] = int64(i+1), int64(l.Quantity)
		skus[i], names[i], variants[i], units[i], prices[i] = l.SKU, l.Name, string(l.Variant), l.Unit, l.UnitPrice.String()
		namesZH[i], variantsZH[i], unitsZH[i] = l.NameZH, string(l.VariantZH), l.UnitZH
		variantsEN[i] = string(l.VariantEN)
		complimentary[i], fromStock[i] = l.Complimentary, l.FromStock
	}
	return []any{pq.Array(positions), pq.Array(skus), pq.Array(names), pq.Array(variants), pq.Array(quantities),
		pq.Array(units), pq.Array(prices), pq.Array(complimentary), pq.Array(fromStock),
		pq.Array(namesZH), pq.Array(variantsZH), pq.Array(unitsZH), pq.Array(variantsEN)}
}

// addHistory records a change of the order's status; from is empty for its creation.
// The note is stored as its code and arguments, with its English text beside them for
// the readers of the note column.
func addHistory(ctx context.Context, tx *sqlx.Tx, orderID int64, from, to orders.Status, actor string, note orders.HistoryNote, at time.Time) error {
	argsJSON, err := noteArgs(note)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO order_history (order_id, from_status, to_status, actor, note, note_code, note_args, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		orderID, nullString(string(from)), string(to), actor, note.English(), note.Code, argsJSON, at)
	if err != nil {
		return fmt.Errorf("order history: %w", err)
	}
	return nil
}

// noteArgs is the note_args column of a history entry with note: its arguments as a JSON
// object.
func noteArgs(note orders.HistoryNote) (string, error) {
	args := note.Args
	if args == nil {
		args = map[string]string{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return "", fmt.Errorf("order history: %w", err)
	}
	return string(b), nil
}

// addNotifications queues the notifications of a change of the order in the outbox, in
// the change's transaction: a row and a River job each (see outbox.go); a notification
// whose key is already queued is not queued again.
func (s *Store) addNotifications(ctx context.Context, tx *sqlx.Tx, orderID int64, ns []orders.Notification) error {
	return s.queueNotifications(ctx, tx, orderID, "", ns)
}

// TransitionOrder moves the order from req.From to req.To in one transaction, with the
// history entry, the stock effects and req.Notifications, and returns the order as Order
// reads it.
//
// It returns orders.ErrConflict when the order is no longer in req.From (the error says
// where it is), and orders.ErrInvalidTransition when the lifecycle does not allow the move.
// Cancelling an order that has not shipped releases the stock reserved by its from-stock
// lines; shipping consumes it (on hand and reserved both go down). Carrier, Tracking,
// PromisedDate and Rep are recorded when given; with Approve, Actor and the time of the
// transition are recorded as the customer's approval.
func (s *Store) TransitionOrder(ctx context.Context, req orders.TransitionRequest) (orders.Order, error) {
	op := "transition order " + req.Number
	if !req.To.Valid() {
		return orders.Order{}, fail(op, &orders.ValidationError{Field: "status", Reason: fmt.Sprintf("%q is not an order status", req.To)})
	}
	if err := checkNotifications(req.Notifications); err != nil {
		return orders.Order{}, fail(op, err)
	}
	var o orders.Order
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		if err := claimAction(ctx, tx, req.Key, "transition"); err != nil {
			return err
		}
		var cur struct {
			ID     int64  `db:"id"`
			Status string `db:"status"`
		}
		if err := tx.GetContext(ctx, &cur, `SELECT id, status FROM orders WHERE number = $1 FOR UPDATE`, req.Number); err != nil {
			return err
		}
		if st := orders.Status(cur.Status); st != req.From {
			return fmt.Errorf("%w: the order is %s, not %s", orders.ErrConflict, st, req.From)
		}
		// The lifecycle's rules, judged on the order as it is under its row lock.
		locked, err := loadOrder(ctx, tx, cur.ID)
		if err != nil {
			return err
		}
		if err := orders.CheckTransition(locked, req.To); err != nil {
			return err
		}
		if err := settleAction(ctx, tx, req.Key, cur.ID, 0); err != nil {
			return err
		}
		switch {
		case req.To == orders.StatusCancelled && holdsStock(req.From):
			if err := moveStock(ctx, tx, cur.ID, `UPDATE products SET reserved = reserved - $2 WHERE sku = $1`); err != nil {
				return fmt.Errorf("release stock: %w", err)
			}
		case req.To == orders.StatusShipped:
			if err := moveStock(ctx, tx, cur.ID, `UPDATE products SET on_hand = on_hand - $2, reserved = reserved - $2 WHERE sku = $1`); err != nil {
				return fmt.Errorf("consume stock: %w", err)
			}
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `
			UPDATE orders SET status = $2, updated_at = $3,
				carrier = COALESCE(NULLIF($4, ''), carrier),
				tracking = COALESCE(NULLIF($5, ''), tracking),
				promised_date = COALESCE($6::date, promised_date),
				rep_telegram_id = COALESCE($7, rep_telegram_id),
				approved_by = CASE WHEN $8 THEN $9 ELSE approved_by END,
				approved_at = CASE WHEN $8 THEN $3 ELSE approved_at END
			WHERE id = $1`,
			cur.ID, string(req.To), now, req.Carrier, req.Tracking, dateArg(req.PromisedDate),
			sql.NullInt64{Int64: req.Rep, Valid: req.Rep != 0}, req.Approve, req.Actor)
		if err != nil {
			return err
		}
		o, err = s.recordChange(ctx, tx, cur.ID, historyEntry{req.From, req.To, req.Actor, noteOf(req.Detail, req.Note), now}, req.Notifications)
		return err
	})
	if err != nil {
		return orders.Order{}, fail(op, err)
	}
	return o, nil
}

// holdsStock reports whether an order in status st holds the stock reserved by its
// from-stock lines: from placement until it ships or is cancelled.
func holdsStock(st orders.Status) bool {
	switch st {
	case orders.StatusShipped, orders.StatusDelivered, orders.StatusCompleted, orders.StatusCancelled:
		return false
	}
	return true
}

// moveStock runs update (parameters: SKU, quantity) for the units of each product on the
// order's from-stock lines, in SKU byte order (COLLATE "C"), the one order in which every
// statement and the reservation trigger lock products, so that none can deadlock another.
func moveStock(ctx context.Context, tx *sqlx.Tx, orderID int64, update string) error {
	var rows []struct {
		SKU      string `db:"sku"`
		Quantity int    `db:"quantity"`
	}
	err := tx.SelectContext(ctx, &rows, `
		SELECT sku, sum(quantity) AS quantity FROM order_lines
		WHERE order_id = $1 AND from_stock GROUP BY sku ORDER BY sku COLLATE "C"`, orderID)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, update, r.SKU, r.Quantity); err != nil {
			return fmt.Errorf("%s: %w", r.SKU, err)
		}
	}
	return nil
}

// historyEntry is one line of an order's history.
type historyEntry struct {
	from, to orders.Status
	actor    string
	note     orders.HistoryNote
	at       time.Time
}

// noteOf is the history note of a request: its Detail, else its Note as a person's words.
func noteOf(detail orders.HistoryNote, note string) orders.HistoryNote {
	if detail.Code != "" {
		return detail
	}
	return orders.TextNote(note)
}

// recordChange finishes a change of an order: its history entry and notifications, then
// the order as it now is.
func (s *Store) recordChange(ctx context.Context, tx *sqlx.Tx, id int64, h historyEntry, ns []orders.Notification) (orders.Order, error) {
	if err := addHistory(ctx, tx, id, h.from, h.to, h.actor, h.note, h.at); err != nil {
		return orders.Order{}, err
	}
	if err := s.addNotifications(ctx, tx, id, ns); err != nil {
		return orders.Order{}, err
	}
	return loadOrder(ctx, tx, id)
}
