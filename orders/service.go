package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Service holds the order desk's use cases.
type Service struct {
	store   Store
	rules   Rules
	loc     *time.Location
	now     func() time.Time
	log     *slog.Logger
	catalog *catalog
}

// ServiceOption configures a Service.
type ServiceOption func(*Service)

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) ServiceOption { return func(s *Service) { s.now = now } }

// WithLocation sets the business time zone (default UTC).
func WithLocation(loc *time.Location) ServiceOption { return func(s *Service) { s.loc = loc } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) ServiceOption { return func(s *Service) { s.log = l } }

// WithCatalogTTL sets how long products read from the store serve the quotes shown in the
// dialog (default DefaultCatalogTTL; zero reads the store every time). Placing an order
// always reads the products afresh.
func WithCatalogTTL(d time.Duration) ServiceOption {
	return func(s *Service) { s.catalog = newCatalog(d) }
}

// NewService returns the order desk over store with rules.
func NewService(store Store, rules Rules, opts ...ServiceOption) *Service {
	s := &Service{rules: rules, loc: time.UTC, now: time.Now, log: slog.Default(), catalog: newCatalog(DefaultCatalogTTL)}
	for _, o := range opts {
		o(s)
	}
	s.store = stockWatch{Store: store, catalog: s.catalog}
	return s
}

// Rules returns the business rules in force.
func (s *Service) Rules() Rules { return s.rules }

// Location returns the business time zone.
func (s *Service) Location() *time.Location { return s.loc }

// Today returns the business's current date.
func (s *Service) Today() Date { return Today(s.now(), s.loc) }

// Categories lists the catalog's categories.
func (s *Service) Categories(ctx context.Context) ([]string, error) {
	return s.catalog.categoryList(ctx, s.store)
}

// Products lists active products.
func (s *Service) Products(ctx context.Context, f ProductFilter) ([]Product, error) {
	return s.store.Products(ctx, f)
}

// Product returns one active product.
func (s *Service) Product(ctx context.Context, sku string) (Product, error) {
	m, err := s.catalog.productsBySKU(ctx, s.store, []string{sku})
	if err != nil {
		return Product{}, err
	}
	p, ok := m[sku]
	if !ok {
		return Product{}, fmt.Errorf("product %s: %w", sku, ErrNotFound)
	}
	if !p.Active {
		return p, fmt.Errorf("product %s: %w", sku, ErrInactive)
	}
	return p, nil
}

// ImportProducts upserts the catalog.
func (s *Service) ImportProducts(ctx context.Context, ps []Product) (ImportResult, error) {
	return s.store.ImportProducts(ctx, ps)
}

// Customer returns the customer with the Telegram id.
func (s *Service) Customer(ctx context.Context, telegramID int64) (Customer, error) {
	return s.store.Customer(ctx, telegramID)
}

// RegisterCustomer records a customer who greeted the bot, keeping what is already known.
func (s *Service) RegisterCustomer(ctx context.Context, c Customer) (Customer, error) {
	old, err := s.store.Customer(ctx, c.TelegramID)
	switch {
	case errors.Is(err, ErrNotFound):
		return s.store.SaveCustomer(ctx, c)
	case err != nil:
		return Customer{}, err
	}
	if old.Language != c.Language && c.Language != "" {
		old.Language = c.Language
		return s.store.SaveCustomer(ctx, old)
	}
	return old, nil
}

// SaveCustomer stores the customer's details.
func (s *Service) SaveCustomer(ctx context.Context, c Customer) (Customer, error) {
	return s.store.SaveCustomer(ctx, c)
}

// FindCustomers finds customers by name or phone, for staff who may order on a customer's
// behalf: a member deactivated meanwhile is refused.
func (s *Service) FindCustomers(ctx context.Context, a Actor, text string, limit int) ([]Customer, error) {
	if err := s.authorize(ctx, a, ActPlaceForCustomer); err != nil {
		return nil, err
	}
	return s.store.FindCustomers(ctx, text, limit)
}

// Staff returns the active staff member with the Telegram id, or ErrNotFound.
func (s *Service) Staff(ctx context.Context, telegramID int64) (Staff, error) {
	st, err := s.store.Staff(ctx, telegramID)
	if err != nil {
		return Staff{}, err
	}
	if !st.Active {
		return Staff{}, fmt.Errorf("staff %d inactive: %w", telegramID, ErrNotFound)
	}
	return st, nil
}

// AddStaff adds or updates a staff member.
func (s *Service) AddStaff(ctx context.Context, st Staff) (Staff, error) {
	if st.TelegramID <= 0 {
		return Staff{}, &ValidationError{Field: "telegram-id", Reason: "must be a positive Telegram user id"}
	}
	if !st.Role.Valid() {
		return Staff{}, &ValidationError{Field: "role", Reason: "must be rep or manager"}
	}
	if st.Name == "" {
		return Staff{}, &ValidationError{Field: "name", Reason: "must not be empty"}
	}
	return s.store.SaveStaff(ctx, st)
}

// ListStaff lists staff members.
func (s *Service) ListStaff(ctx context.Context, activeOnly bool) ([]Staff, error) {
	return s.store.ListStaff(ctx, activeOnly)
}

// Order returns an order by number.
func (s *Service) Order(ctx context.Context, number string) (Order, error) {
	return s.store.Order(ctx, number)
}

// CustomerOrder returns the order when it belongs to the customer; another customer's order
// is ErrNotFound, exactly like a number that does not exist.
func (s *Service) CustomerOrder(ctx context.Context, customerTelegramID int64, number string) (Order, error) {
	o, err := s.store.Order(ctx, number)
	if err != nil {
		return Order{}, err
	}
	if o.Customer.TelegramID != customerTelegramID {
		return Order{}, fmt.Errorf("order %s: %w", number, ErrNotFound)
	}
	return o, nil
}

// Orders lists orders.
func (s *Service) Orders(ctx context.Context, f OrderFilter) ([]Order, error) {
	return s.store.Orders(ctx, f)
}

// DraftLine is a line the customer has chosen.
type DraftLine struct {
	SKU      string  `json:"sku"`
	Variant  Variant `json:"variant,omitempty"`
	Quantity int     `json:"quantity"`
}

// Draft is an order being composed.
type Draft struct {
	Key           string      `json:"key"`
	Customer      Customer    `json:"-"`
	Lines         []DraftLine `json:"lines"`
	Address       string      `json:"address"`
	WantedDate    Date        `json:"wanted_date"`
	PaymentMethod string      `json:"payment_method"`
	Notes         string      `json:"notes"`
	Source        string      `json:"source"`
	Reference     string      `json:"reference,omitempty"` // a channel's own reference
	// Seen is the Fingerprint of the quote the customer confirmed; when set, Place refuses
	// to place an order that would differ from it.
	Seen string `json:"seen,omitempty"`
}

// Quote is what a draft would become now: lines with prices and lead times, total, dates.
type Quote struct {
	Lines         []QuoteLine
	Complimentary []Line
	Total         decimal.Decimal
	DepositDue    decimal.Decimal
	NeedsReview   bool
	// EstimatedDate is the earliest delivery from lead times; zero when a line has no
	// automatic date (custom products, quantities beyond the tiers).
	EstimatedDate Date
	// Earliest is the earliest date a customer may ask for.
	Earliest Date
}

// QuoteLine is one priced line with its lead time.
type QuoteLine struct {
	Line
	Product Product
	Lead    LeadTime
	Date    Date // zero without an automatic date
}

// Fingerprint identifies what the customer is shown of a quote: lines, prices, where each
// line comes from, dates and the deposit.
func (q Quote) Fingerprint() string {
	var b strings.Builder
	for _, l := range q.Lines {
		fmt.Fprintf(&b, "%s|%s|%d|%s|%v|%s;", l.SKU, l.Variant, l.Quantity, l.UnitPrice.StringFixed(2), l.FromStock, l.Date)
	}
	for _, l := range q.Complimentary {
		fmt.Fprintf(&b, "+%s|%d|%v;", l.SKU, l.Quantity, l.FromStock)
	}
	fmt.Fprintf(&b, "%s|%s|%s|%v", q.Total.StringFixed(2), q.DepositDue.StringFixed(2), q.EstimatedDate, q.NeedsReview)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12])
}

// Quote prices the draft's lines against the current catalog and stock.
func (s *Service) Quote(ctx context.Context, d Draft) (Quote, error) {
	products, err := s.products(ctx, d, false)
	if err != nil {
		return Quote{}, err
	}
	return s.quote(d, products)
}

// QuoteFresh quotes the draft from products read from the store now, not through the
// catalog cache: what a customer sees after a placement found the stock gone.
func (s *Service) QuoteFresh(ctx context.Context, d Draft) (Quote, error) {
	products, err := s.products(ctx, d, true)
	if err != nil {
		return Quote{}, err
	}
	return s.quote(d, products)
}

// products reads the products the draft's quote needs: its lines' and the big-order
// rules' complimentary ones; fresh from the store, or else through the catalog cache.
func (s *Service) products(ctx context.Context, d Draft, fresh bool) (map[string]Product, error) {
	skus := make([]string, 0, len(d.Lines)+4)
	for _, l := range d.Lines {
		skus = append(skus, l.SKU)
	}
	for _, r := range s.rules.BigOrders {
		for _, c := range r.Lines {
			skus = append(skus, c.SKU)
		}
	}
	if fresh {
		return s.catalog.refresh(ctx, s.store, skus)
	}
	return s.catalog.productsBySKU(ctx, s.store, skus)
}

func (s *Service) quote(d Draft, products map[string]Product) (Quote, error) {
	today := s.Today()
	var q Quote
	used := map[string]int{}
	automatic := true
	var latest Date
	for _, dl := range d.Lines {
		p, ok := products[dl.SKU]
		if !ok {
			return Quote{}, fmt.Errorf("product %s: %w", dl.SKU, ErrNotFound)
		}
		if !p.Active {
			return Quote{}, fmt.Errorf("product %s: %w", dl.SKU, ErrInactive)
		}
		if dl.Quantity <= 0 || dl.Quantity > s.rules.MaxQuantity {
			return Quote{}, &ValidationError{Field: "quantity", Reason: fmt.Sprintf("must be between 1 and %d", s.rules.MaxQuantity)}
		}
		lead := s.rules.LeadTime(p, dl.Quantity, p.Available()-used[p.SKU])
		if lead.FromStock {
			used[p.SKU] += dl.Quantity
		}
		ql := QuoteLine{
			Line: Line{
				SKU: p.SKU, Name: p.NameEN, NameZH: p.NameZH, Variant: dl.Variant, VariantZH: p.VariantZH(dl.Variant), VariantEN: p.VariantEN(dl.Variant),
				Quantity: dl.Quantity, Unit: p.Unit, UnitZH: p.UnitZH,
				UnitPrice: p.Price, FromStock: lead.FromStock,
			},
			Product: p,
			Lead:    lead,
		}
		if lead.Automatic {
			ql.Date = s.rules.AddWorkingDays(today, lead.Days)
			if ql.Date.After(latest) {
				latest = ql.Date
			}
		} else {
			automatic = false
		}
		if !lead.FromStock || !p.Standard || lead.Estimate || !lead.Automatic {
			q.NeedsReview = true
		}
		q.Lines = append(q.Lines, ql)
	}
	lines := make([]Line, len(q.Lines))
	for i, l := range q.Lines {
		lines[i] = l.Line
	}
	// Complimentary lines take stock like any line; one the stock cannot cover needs a rep.
	// A rule naming a product the catalog lacks adds nothing.
	for _, c := range s.rules.Complimentary(lines, products) {
		p, ok := products[c.SKU]
		if !ok {
			continue
		}
		if p.Active && p.Standard && c.Quantity <= p.Available()-used[c.SKU] {
			c.FromStock = true
			used[c.SKU] += c.Quantity
		} else {
			q.NeedsReview = true
		}
		q.Complimentary = append(q.Complimentary, c)
	}
	q.Total, q.DepositDue = s.rules.Deposit(lines, products)
	if automatic && len(q.Lines) > 0 {
		q.EstimatedDate = latest
		q.Earliest = latest
	} else {
		q.Earliest = s.rules.AddWorkingDays(today, s.rules.StockLeadDays)
		if latest.After(q.Earliest) {
			q.Earliest = latest
		}
	}
	return q, nil
}

// Place creates the order from the draft: the customer's Confirm. It is idempotent by
// d.Key. When stock went away since the quote, it returns a *StockShortage.
func (s *Service) Place(ctx context.Context, d Draft, approver string) (Order, bool, error) {
	if d.Key == "" {
		return Order{}, false, &ValidationError{Field: "key", Reason: "a draft needs an idempotency key"}
	}
	if len(d.Lines) == 0 {
		return Order{}, false, &ValidationError{Field: "product", Reason: "an order needs at least one line"}
	}
	if d.Address == "" {
		return Order{}, false, &ValidationError{Field: "address", Reason: "missing"}
	}
	if _, ok := s.rules.PaymentMethod(d.PaymentMethod); !ok {
		return Order{}, false, &ValidationError{Field: "payment", Reason: "unknown payment method"}
	}
	if d.Customer.Name == "" || d.Customer.Phone == "" {
		return Order{}, false, &ValidationError{Field: "phone", Reason: "name and phone are needed"}
	}
	req, err := s.placeRequest(ctx, d, approver)
	if err != nil {
		// A repeated Confirm (a double tap, a redelivered update after the order committed)
		// gets the order placed first, not the error of a quote made again after that
		// order took its stock. (A repeat whose quote still holds is answered by the store,
		// which finds the key before it writes anything.)
		switch o, kerr := s.store.OrderByKey(ctx, d.Key); {
		case kerr == nil:
			return o, false, nil
		case !errors.Is(kerr, ErrNotFound):
			return Order{}, false, kerr
		}
		return Order{}, false, err
	}
	placed, created, err := s.store.PlaceOrder(ctx, req)
	if err != nil {
		return Order{}, false, err
	}
	if created {
		s.log.InfoContext(ctx, "order placed", "order", placed.Number, "status", placed.Status,
			"lines", len(placed.Lines), "total", placed.Total.String())
	}
	return placed, created, nil
}

// placeRequest is the placement of draft d, quoted afresh, as Place makes it.
func (s *Service) placeRequest(ctx context.Context, d Draft, approver string) (PlaceRequest, error) {
	products, err := s.products(ctx, d, true)
	if err != nil {
		return PlaceRequest{}, err
	}
	q, err := s.quote(d, products)
	if err != nil {
		return PlaceRequest{}, err
	}
	if d.Seen != "" && q.Fingerprint() != d.Seen {
		return PlaceRequest{}, quoteChanged(q)
	}
	if d.WantedDate.IsZero() || d.WantedDate.Before(q.Earliest) {
		return PlaceRequest{}, &ValidationError{Field: "date", Reason: "before the earliest possible delivery " + q.Earliest.String()}
	}
	if err := s.checkWanted(d.WantedDate); err != nil {
		return PlaceRequest{}, err
	}
	now := s.now()
	status := StatusConfirmed
	if q.NeedsReview {
		status = StatusPendingReview
	}
	o := Order{
		Status:          status,
		PaymentStatus:   PaymentUnpaid,
		Customer:        d.Customer,
		Total:           q.Total,
		DepositDue:      q.DepositDue,
		DeliveryAddress: d.Address,
		WantedDate:      d.WantedDate,
		EstimatedDate:   q.EstimatedDate,
		PaymentMethod:   d.PaymentMethod,
		Notes:           d.Notes,
		Source:          d.Source,
		Reference:       d.Reference,
		CreatedAt:       now,
		ApprovedAt:      now,
	}
	if status == StatusConfirmed {
		o.PromisedDate = d.WantedDate
	}
	for _, l := range q.Lines {
		o.Lines = append(o.Lines, l.Line)
	}
	o.Lines = append(o.Lines, q.Complimentary...)
	o.Customer.Addresses = []string{d.Address}
	req := PlaceRequest{Key: d.Key, Order: o, Day: DateOf(now.In(s.loc)), Approver: approver}
	var staff []Staff
	if status == StatusPendingReview {
		if staff, err = s.otherStaff(ctx, 0, nil); err != nil {
			return PlaceRequest{}, err
		}
	}
	req.Notify = func(placed Order) []Notification { return s.placedNotifications(placed, staff, d.Key) }
	return req, nil
}

// NonWorkingDayError: a wanted delivery date on a configured holiday; Next is the first
// working day after it, which the customer is offered instead.
type NonWorkingDayError struct {
	Date, Next Date
}

func (e *NonWorkingDayError) Error() string {
	return fmt.Sprintf("date: %s is a holiday; the next working day is %s", e.Date, e.Next)
}

// Is makes errors.Is(err, ErrInvalid) true for a *NonWorkingDayError.
func (e *NonWorkingDayError) Is(target error) bool { return target == ErrInvalid }

// CheckWantedDate refuses a wanted delivery date on a configured holiday, offering the
// next working day.
func (s *Service) CheckWantedDate(d Date) error { return s.checkWanted(d) }

func (s *Service) checkWanted(d Date) error {
	if slices.Contains(s.rules.Holidays, d) {
		return &NonWorkingDayError{Date: d, Next: s.rules.NextWorkingDay(d)}
	}
	return nil
}

// quoteChanged explains why a quote differs from the one the customer saw: the lines that
// no longer ship from stock, or ErrQuoteChanged for other changes (a price).
func quoteChanged(q Quote) error {
	var short StockShortage
	for _, l := range q.Lines {
		if l.Product.Standard && !l.FromStock {
			short.Lines = append(short.Lines, Shortage{SKU: l.SKU, Wanted: l.Quantity, Available: max(l.Product.Available(), 0)})
		}
	}
	if len(short.Lines) > 0 {
		return &short
	}
	return ErrQuoteChanged
}

// placedNotifications are what a new order causes: the reps' review cards when it needs
// review, the delivery reminder when it is confirmed, and a word to the customer when a
// rep placed it for them.
func (s *Service) placedNotifications(o Order, staff []Staff, key string) []Notification {
	var out []Notification
	switch o.Status {
	case StatusPendingReview:
		for _, st := range staff {
			n := s.noticeOf(o, st.Language)
			n.Date = SuggestedDate(o)
			out = append(out, NewNotification(NoticeReviewRequested, st.TelegramID,
				NoticeReviewRequested+":"+o.Number+":"+strconv.FormatInt(st.TelegramID, 10), n, time.Time{}))
		}
	case StatusConfirmed:
		out = append(out, s.reminder(o)...)
		var acc *Acceptance
		if o.Source == "" || o.Source == "customer" {
			// Placed by the customer's own Confirm: this version records the acceptance.
			acc = &Acceptance{Name: o.Customer.Name, TelegramID: o.Customer.TelegramID, At: o.ApprovedAt, Key: key}
		}
		out = append(out, s.documentTo(o, DocConfirmation, documentEvent(DocConfirmation, o), ReasonPlaced, false, acc)...)
	}
	if strings.HasPrefix(o.Source, "rep:") {
		out = append(out, s.forCustomer(o, NoticePlacedForYou, NoticePlacedForYou+":"+o.Number, s.noticeOf(o, o.Customer.Language), time.Time{})...)
	}
	return out
}
