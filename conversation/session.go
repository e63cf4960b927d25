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
)

// Session is what the dialog remembers of one chat between updates. It is stored as JSON.
type Session struct {
	Lang  string   `json:"lang"`
	State string   `json:"state,omitempty"`
	Stack []string `json:"stack,omitempty"` // earlier states, for Back
	Seq   int      `json:"seq"`             // numbers the question; buttons of older ones are stale

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

	LastKey     string  `json:"last_key,omitempty"`
	LastReplies []Reply `json:"last_replies,omitempty"`

	Expired bool `json:"-"`
}

type pick struct {
	SKU    string            `json:"sku"`
	Chosen map[string]string `json:"chosen,omitempty"`
}

func randomKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
