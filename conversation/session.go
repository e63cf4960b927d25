package conversation

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/orderbot/orderbot/orders"
)

// States of the dialog.
const (
	stateIdle     = ""
	stateProduct  = "product"
	stateOption   = "option"
	stateQuantity = "quantity"
	stateCart     = "cart"
	stateRemove   = "remove"
	stateContact  = "contact"
	stateName     = "name"
	statePhone    = "phone"
	stateAddress  = "address"
	stateDate     = "date"
	statePayment  = "payment"
	stateNotes    = "notes"
	stateSummary  = "summary"
	stateEdit     = "edit"
	stateResume   = "resume"
	stateStatus   = "status"

	// staff
	stateFind         = "find"
	stateForCustomer  = "for_customer"
	stateNewCustName  = "new_customer_name"
	stateNewCustPhone = "new_customer_phone"
	stateReviewDate   = "review_date"
	stateRejectReason = "reject_reason"
	stateShipCarrier  = "ship_carrier"
	stateShipTracking = "ship_tracking"
	stateCancelReason = "cancel_reason"
	statePayAmount    = "pay_amount"
	statePayMethod    = "pay_method"
	stateChangeNote   = "change_note"

	// customer, about an order
	stateChangeKind     = "change_kind"
	stateChangeQuantity = "change_quantity"
	stateChangeDate     = "change_date"
	stateChangeAddress  = "change_address"
	stateChangeReason   = "change_reason"
	stateRateComment    = "rate_comment"
)

// Session is what the dialog remembers of one chat between updates. It is stored as JSON.
type Session struct {
	Lang string `json:"lang"`
	// LangSure: the language was chosen (/language) or decided by the first message the
	// person typed; until then a message in Chinese switches the chat to Chinese, even
	// after /start answered in Telegram's language.
	LangSure bool     `json:"lang_sure,omitempty"`
	State    string   `json:"state,omitempty"`
	Stack    []string `json:"stack,omitempty"` // earlier states, for Back
	Seq      int      `json:"seq"`             // numbers the question; buttons of older ones are stale

	Draft   *orders.Draft `json:"draft,omitempty"`
	Name    string        `json:"name,omitempty"`
	Phone   string        `json:"phone,omitempty"`
	Editing bool          `json:"editing,omitempty"` // answer goes back to the summary

	Pick     *pick    `json:"pick,omitempty"`     // the product being added
	Category string   `json:"category,omitempty"` // browsing this category
	Query    string   `json:"query,omitempty"`    // browsing these search results
	Page     int      `json:"page,omitempty"`
	List     []string `json:"list,omitempty"` // what numbered buttons refer to (SKUs, addresses …)
	CalMonth string   `json:"cal,omitempty"`  // calendar month shown, "2026-12"

	// Placed maps the draft key just placed to its order number, so a repeated Confirm
	// answers with the same order.
	PlacedKey    string `json:"placed_key,omitempty"`
	PlacedNumber string `json:"placed_number,omitempty"`

	// Work on one order (staff actions, change requests, rating): its number and the
	// answers so far.
	Work *work `json:"work,omitempty"`
	// Quick is an order typed in one message, while the dialog asks what it lacked.
	Quick *quick `json:"quick,omitempty"`
	// Intent is a staff sentence waiting for its Yes.
	Intent *intent `json:"intent,omitempty"`
	// Card is the order whose card was shown last: a staff sentence without an order
	// number is about it.
	Card string `json:"card,omitempty"`
	// For is the customer a rep orders for.
	For *orders.Customer `json:"for,omitempty"`

	LastKey     string  `json:"last_key,omitempty"`
	LastReplies []Reply `json:"last_replies,omitempty"`

	Expired bool `json:"-"`
	// Fresh: the chat had no session when this update came (a first message, or the first
	// after a long pause).
	Fresh bool `json:"-"`
}

type work struct {
	Number   string            `json:"number"`
	Carrier  string            `json:"carrier,omitempty"`
	Tracking string            `json:"tracking,omitempty"`
	Amount   string            `json:"amount,omitempty"`
	Method   string            `json:"method,omitempty"` // a payment method given with the amount
	Change   string            `json:"change,omitempty"` // change kind
	Line     int               `json:"line,omitempty"`
	Quantity int               `json:"quantity,omitempty"`
	Date     orders.Date       `json:"date,omitempty"`
	Address  string            `json:"address,omitempty"`
	ChangeID int64             `json:"change_id,omitempty"`
	Approve  bool              `json:"approve,omitempty"`
	Rating   int               `json:"rating,omitempty"`
	Name     string            `json:"name,omitempty"`
	Found    []orders.Customer `json:"found,omitempty"`
	// Complaint is the complaint being answered; Photos the photos of its next message.
	Complaint int64    `json:"complaint,omitempty"`
	Photos    []string `json:"photos,omitempty"`
}

type pick struct {
	SKU      string            `json:"sku"`
	Chosen   map[string]string `json:"chosen,omitempty"`
	Quantity int               `json:"qty,omitempty"` // known from a quick order: not asked
}

func randomKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
