package orders

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Store is the storage the order desk needs. orders/pgstore implements it on PostgreSQL.
// Each method is one transaction.
type Store interface {
	Categories(ctx context.Context) ([]string, error)
	// Products lists active products matching the filter, ordered by category and SKU.
	Products(ctx context.Context, f ProductFilter) ([]Product, error)
	// ProductsBySKU returns the named products, active or not; unknown SKUs are absent.
	ProductsBySKU(ctx context.Context, skus []string) (map[string]Product, error)
	// ImportProducts upserts the products by SKU, all or nothing.
	ImportProducts(ctx context.Context, ps []Product) (ImportResult, error)

	Customer(ctx context.Context, telegramID int64) (Customer, error)
	// FindCustomers finds customers by name or phone substring.
	FindCustomers(ctx context.Context, text string, limit int) ([]Customer, error)
	// SaveCustomer inserts or updates the customer by TelegramID (Addresses are
	// merged, most recent first) and returns it with its ID.
	SaveCustomer(ctx context.Context, c Customer) (Customer, error)

	Staff(ctx context.Context, telegramID int64) (Staff, error)
	ListStaff(ctx context.Context, activeOnly bool) ([]Staff, error)
	// SaveStaff inserts or updates the staff member by TelegramID.
	SaveStaff(ctx context.Context, s Staff) (Staff, error)

	// PlaceOrder creates the order in one transaction; see PlaceRequest.
	// A second call with the same Key returns the first order and created=false.
	// When a from-stock line cannot be reserved it returns a *StockShortage and changes nothing.
	PlaceOrder(ctx context.Context, req PlaceRequest) (o Order, created bool, err error)
	Order(ctx context.Context, number string) (Order, error)
	Orders(ctx context.Context, f OrderFilter) ([]Order, error)
	// TransitionOrder moves the order from req.From to req.To in one transaction, with its
	// history entry, stock effects and notifications. It returns ErrConflict when the order
	// is no longer in req.From.
	TransitionOrder(ctx context.Context, req TransitionRequest) (Order, error)
	// CountOrders counts the orders the filter selects (Limit and Offset ignored).
	CountOrders(ctx context.Context, f OrderFilter) (int, error)

	// RecordPayment adds a payment to the order and sets its payment status, in one
	// transaction with a history entry (from = to = the order's status, note "payment …")
	// and the notifications.
	RecordPayment(ctx context.Context, req PaymentRequest) (Order, error)

	// CreateChangeRequest stores a pending change request with its notifications.
	// key (empty: none) records the action, as TransitionRequest.Key does.
	CreateChangeRequest(ctx context.Context, key string, c ChangeRequest, ns []Notification) (ChangeRequest, error)
	ChangeRequest(ctx context.Context, id int64) (ChangeRequest, error)
	// PendingChanges lists the order's pending change requests, oldest first.
	PendingChanges(ctx context.Context, number string) ([]ChangeRequest, error)
	// DecideChange approves or rejects a pending change request in one transaction; on
	// approval it applies req.Apply to the order (stock adjusted, order marked modified),
	// with a history entry and the notifications. ErrConflict when it is no longer pending.
	// A quantity increase that stock cannot cover returns a *StockShortage and changes nothing.
	DecideChange(ctx context.Context, req DecideChangeRequest) (ChangeRequest, Order, error)
	// UpdateOrder applies a change directly (before the customer confirmed), with a history
	// entry and notifications; ErrConflict when the order is no longer in req.From.
	// key (empty: none) records the action, as TransitionRequest.Key does.
	UpdateOrder(ctx context.Context, key, number string, from Status, apply ChangeApply, actor string, ns []Notification) (Order, error)

	// SetStaffLanguage remembers a staff member's language.
	SetStaffLanguage(ctx context.Context, telegramID int64, lang string) error
	// RateOrder stores the customer's rating (1–5) and optional comment of a delivered order.
	// key (empty: none) records the action, as TransitionRequest.Key does.
	RateOrder(ctx context.Context, key, number string, rating int, comment string) error

	// DeskAction returns the action recorded under key, or ErrNotFound.
	DeskAction(ctx context.Context, key string) (DeskAction, error)
	// OrderByKey returns the order placed with the draft key, or ErrNotFound.
	OrderByKey(ctx context.Context, key string) (Order, error)

	// The archive of generated documents (documents.go).
	DocumentStore
}

// ProductFilter selects products. Zero fields select everything.
type ProductFilter struct {
	Category string
	Query    string // case-insensitive match on SKU or either name
	Limit    int
	Offset   int
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int
	Updated int
}

// OrderFilter selects orders, newest first. Zero fields select everything.
type OrderFilter struct {
	Statuses           []Status
	CustomerTelegramID int64
	PromisedBefore     Date   // promised date set and before this day
	PromisedOn         Date   // promised for this day
	NotPaid            bool   // payment status other than paid
	Query              string // an order number, or part of a customer's name or phone
	Limit              int
	Offset             int
}

// PlaceRequest is everything one placement writes.
type PlaceRequest struct {
	Key   string // idempotency key of the draft
	Order Order  // Number and ID are assigned by the store
	Day   Date   // local day of creation, for the order number
	// Approver records who confirmed (the customer's signature); the time is Order.ApprovedAt.
	Approver      string
	Notifications []Notification
	// Notify, when set, returns more notifications about the placed order (which then has
	// its number); they are written in the same transaction.
	Notify func(Order) []Notification
}

// TransitionRequest is one status change.
type TransitionRequest struct {
	// Key, when set, is recorded with the change in its transaction, before anything else
	// is checked; when it is recorded already the store returns ErrAlreadyDone and changes
	// nothing. The other requests' keys work alike.
	Key          string
	Number       string
	From         Status
	To           Status
	Actor        string
	Note         string      // for the notifications; the history's note unless Detail is set
	Detail       HistoryNote // the history's note, when set
	Carrier      string
	Tracking     string
	PromisedDate Date  // set when not zero
	Rep          int64 // the staff member now responsible (Telegram id), set when not zero
	// Approve records Actor and the time as the customer's approval (signature).
	Approve       bool
	Notifications []Notification
}

// PaymentRequest records money received for an order.
type PaymentRequest struct {
	Key    string // see TransitionRequest.Key
	Number string
	Amount decimal.Decimal
	Method string
	Actor  string
	// PaidBefore is what the Service saw paid; the store refuses with ErrConflict when it
	// differs, so two payments recorded at once cannot both count on the same balance.
	PaidBefore decimal.Decimal
	// Status is the payment status after this payment, computed by the Service.
	Status        PaymentStatus
	Notifications []Notification
}

// Change kinds a customer may ask for.
const (
	ChangeQuantity = "quantity"
	ChangeDate     = "date"
	ChangeAddress  = "address"
	ChangeCancel   = "cancel"
)

// ChangeRequest is a customer's request to change or cancel a confirmed order.
type ChangeRequest struct {
	ID          int64
	Number      string // the order
	Kind        string // ChangeQuantity, ChangeDate, ChangeAddress or ChangeCancel
	Line        int    // for ChangeQuantity: the line's index in Order.Lines
	Quantity    int
	Date        Date
	Address     string
	Reason      string
	RequestedBy string
	Status      string // "pending", "approved" or "rejected"
	DecidedBy   string
	Note        string // the manager's note
	CreatedAt   time.Time
	Handler     int64 // the manager who claimed it in the staff group (Telegram id); 0: nobody
	HandlerName string
}

// ChangeApply is what an approved change does to the order.
type ChangeApply struct {
	Cancel       bool
	Address      string      // set when not empty
	PromisedDate Date        // set when not zero
	WantedDate   Date        // set when not zero
	Quantities   map[int]int // line index → new quantity
	// Lines, when not nil, replace the order's lines (a re-quote before confirmation): the
	// stock of the old from-stock lines is released and that of the new ones reserved.
	Lines         []Line
	EstimatedDate Date // set with Lines
	// Review sends the order back to pending_review and withdraws its promised date.
	Review     bool
	Total      decimal.Decimal
	DepositDue decimal.Decimal
	// PaymentStatus, when set, is the payment status after the change (a new total may be
	// covered by what is paid, or no longer be).
	PaymentStatus PaymentStatus
	Note          string      // for the notifications; the history's note unless Detail is set
	Detail        HistoryNote // the history's note, when set
}

// DecideChangeRequest is a manager's decision.
type DecideChangeRequest struct {
	Key           string // see TransitionRequest.Key
	ID            int64
	Approve       bool
	Actor         string
	Note          string
	Apply         ChangeApply
	Notifications []Notification
}

// Notification is a message to send after a change commits (the transactional outbox).
type Notification struct {
	Kind    string          // one of the Notice… kinds
	ChatID  int64           // the recipient's chat
	Key     string          // unique: the same notification is never queued twice
	Payload json.RawMessage // a Notice
	RunAt   time.Time       // not before this time; zero: at once
}
