package orders

import (
	"context"
	"encoding/json"
	"time"
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
}

// TransitionRequest is one status change.
type TransitionRequest struct {
	Number        string
	From          Status
	To            Status
	Actor         string
	Note          string
	Carrier       string
	Tracking      string
	PromisedDate  Date // set when not zero
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
