package orders

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Notification kinds. Each notification has one recipient chat; the Service writes them in
// the same transaction as the change that causes them, and notify renders and sends them.
const (
	// To each active rep: a new order to review, with Accept / Other date / Reject buttons.
	NoticeReviewRequested = "review_requested"
	// To the other reps once one took the review: their card is edited to say who.
	NoticeReviewTaken = "review_taken"
	// To reps: a review still untouched after the configured time (scheduled).
	NoticeReviewStale = "review_stale"
	// To the customer: the reviewed order to approve, with Confirm / Decline buttons.
	NoticeAwaitingCustomer = "awaiting_customer"
	// To the customer: the order's status changed (shipped carries carrier and tracking).
	NoticeStatusChanged = "status_changed"
	// To the customer: the promised date changed, with the reason.
	NoticeDateChanged = "date_changed"
	// To the customer: a payment was recorded.
	NoticePaymentRecorded = "payment_recorded"
	// To the customer: the working day before delivery (scheduled; dropped when the
	// order's promised date is no longer Date, or the order is cancelled or delivered).
	NoticeDeliveryReminder = "delivery_reminder"
	// To the customer after delivery: a 1–5 rating with buttons.
	NoticeSurvey = "survey"
	// To each manager: a customer asks to change or cancel a confirmed order.
	NoticeChangeRequested = "change_requested"
	// To the customer: the manager's decision on the change request.
	NoticeChangeDecided = "change_decided"
	// To reps: a customer blocked the bot and cannot be told about an order.
	NoticeCustomerUnreachable = "customer_unreachable"
	// To the customer: a rep placed an order on their behalf.
	NoticePlacedForYou = "placed_for_you"
)

// Notice is the payload of a notification: what its text needs, in the recipient's
// language. Fields a kind does not use are empty.
type Notice struct {
	Lang     string `json:"lang"`
	Number   string `json:"number"`
	Customer string `json:"customer,omitempty"` // the customer's name, for reps
	From     Status `json:"from,omitempty"`
	To       Status `json:"to,omitempty"`
	Note     string `json:"note,omitempty"` // a reason, a comment
	// Detail is the history note a notice tells of, as data (Note keeps its English text
	// for notices written before this field): rendered in the reader's language.
	Detail        *HistoryNote    `json:"detail,omitempty"`
	Actor         string          `json:"actor,omitempty"`
	Date          Date            `json:"date,omitempty"`     // promised or suggested date
	OldDate       Date            `json:"old_date,omitempty"` // for date changes
	Carrier       string          `json:"carrier,omitempty"`
	Tracking      string          `json:"tracking,omitempty"`
	Amount        decimal.Decimal `json:"amount,omitempty"`
	Total         decimal.Decimal `json:"total,omitempty"`
	DepositDue    decimal.Decimal `json:"deposit_due,omitempty"`
	PaymentStatus PaymentStatus   `json:"payment_status,omitempty"`
	Paid          decimal.Decimal `json:"paid,omitempty"` // paid so far
	Lines         []NoticeLine    `json:"lines,omitempty"`
	ChangeID      int64           `json:"change_id,omitempty"`
	// Change is the change request a notice is about, as data: the text is written in
	// the reader's language when the notice is rendered (Note keeps the English text of
	// notices written before this field).
	Change *NoticeChange `json:"change,omitempty"`
	// Complaints: the complaint, the survey answer that opened it, the deadline, how many
	// photos came with the message, and whether staff may still claim it.
	Complaint int64     `json:"complaint,omitempty"`
	Rating    int       `json:"rating,omitempty"`
	Due       time.Time `json:"due,omitempty"`
	Photos    int       `json:"photos,omitempty"`
	Claimable bool      `json:"claimable,omitempty"`
	// Group: the notice goes to the staff group (one message for the team, with Claim).
	Group bool `json:"group,omitempty"`
	// Owned: the notice is for the staff member responsible for its subject (the order's
	// rep, who claimed it): it stays in their private chat, never goes to the staff group.
	Owned bool `json:"owned,omitempty"`
	// PhotoIDs are the Telegram file ids of a complaint message's photos, forwarded with it.
	PhotoIDs []string `json:"photo_ids,omitempty"`
}

// NoticeChange is a change request as a notice carries it.
type NoticeChange struct {
	Kind     string `json:"kind"` // ChangeQuantity, ChangeDate, ChangeAddress, ChangeCancel
	Line     int    `json:"line,omitempty"`
	Quantity int    `json:"quantity,omitempty"`
	Date     Date   `json:"date,omitempty"`
	Address  string `json:"address,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// UnmarshalJSON also reads the earlier form of the field, the change's kind alone
// ("cancel"), whose reason the notice's Note holds.
func (c *NoticeChange) UnmarshalJSON(b []byte) error {
	var kind string
	if json.Unmarshal(b, &kind) == nil {
		*c = NoticeChange{Kind: kind}
		return nil
	}
	type plain NoticeChange
	return json.Unmarshal(b, (*plain)(c))
}

// NoticeLine is an order line as a notification shows it.
type NoticeLine struct {
	Name          string          `json:"name"`
	Quantity      int             `json:"quantity"`
	Unit          string          `json:"unit"`
	UnitPrice     decimal.Decimal `json:"unit_price"`
	FromStock     bool            `json:"from_stock"`
	Complimentary bool            `json:"complimentary"`
}

// NewNotification builds a notification of kind for chat with payload n, sent at or after
// runAt (zero: at once). key makes it unique.
func NewNotification(kind string, chat int64, key string, n Notice, runAt time.Time) Notification {
	p, err := json.Marshal(n)
	if err != nil {
		panic("orders: notice does not encode: " + err.Error()) // only plain values: cannot happen
	}
	return Notification{Kind: kind, ChatID: chat, Key: key, Payload: p, RunAt: runAt}
}
