package orders

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Sales channels — agents, distributors and online platforms — place and follow orders
// through the API. A channel's order follows every rule a chat order follows; the channel
// acts as the order's customer (it confirms a reviewed order and asks for cancellation),
// and sees only its own orders.

// Channel kinds.
const (
	ChannelAgent       = "agent"
	ChannelDistributor = "distributor"
	ChannelPlatform    = "platform"
)

// ValidChannelKind reports whether kind is a channel kind.
func ValidChannelKind(kind string) bool {
	return kind == ChannelAgent || kind == ChannelDistributor || kind == ChannelPlatform
}

const channelPrefix = "channel:"

// ChannelSource is the Source of an order placed through the channel named name.
func ChannelSource(name string) string { return channelPrefix + name }

// Channel returns the name of the channel that placed the order, "" when none did.
func (o Order) Channel() string {
	name, ok := strings.CutPrefix(o.Source, channelPrefix)
	if !ok {
		return ""
	}
	return name
}

// ChannelActor is the actor of the channel named name.
func ChannelActor(name string) Actor { return Actor{Kind: ActorChannel, Name: name} }

// PlaceThroughChannel places the draft as an order of the channel: the same rules as the
// customer's own Confirm (the channel's request is the customer's signature); the order
// records the channel as its source. It is idempotent by d.Key.
func (s *Service) PlaceThroughChannel(ctx context.Context, channel string, d Draft) (Order, bool, error) {
	if channel == "" {
		return Order{}, false, &ValidationError{Field: "channel", Reason: "missing"}
	}
	d.Source = ChannelSource(channel)
	return s.Place(ctx, d, ChannelActor(channel).String())
}

// ChannelOrder returns the order when the channel placed it; any other order is
// ErrNotFound, exactly like a number that does not exist.
func (s *Service) ChannelOrder(ctx context.Context, channel, number string) (Order, error) {
	o, err := s.store.Order(ctx, number)
	if err != nil {
		return Order{}, err
	}
	if channel == "" || o.Channel() != channel {
		return Order{}, fmt.Errorf("order %s: %w", number, ErrNotFound)
	}
	return o, nil
}

// ChannelCancel is the channel asking to cancel its order, under the customer's rules:
// before the order is confirmed it is cancelled at once; after, a manager decides (the
// returned change request is pending); once shipped it cannot be cancelled.
func (s *Service) ChannelCancel(ctx context.Context, channel, number, reason string) (ChangeRequest, Order, error) {
	o, err := s.ChannelOrder(ctx, channel, number)
	if err != nil {
		return ChangeRequest{}, Order{}, err
	}
	return s.askChange(ctx, "", o, ChannelActor(channel), ChangeRequest{Number: o.Number, Kind: ChangeCancel, Reason: reason})
}

// ChannelDecide records the channel's answer to its reviewed order (awaiting_customer):
// accept confirms it (the signature), otherwise it is cancelled.
func (s *Service) ChannelDecide(ctx context.Context, channel, number string, accept bool) (Order, error) {
	o, err := s.ChannelOrder(ctx, channel, number)
	if err != nil {
		return Order{}, err
	}
	return s.decide(ctx, "", o, ChannelActor(channel), accept)
}

// Channel is a sales channel that uses the API.
type Channel struct {
	ID   int64
	Name string
	Kind string
	// Customer is the customer account the channel orders for (ID 0: each order names its
	// end customer).
	Customer Customer
	// KeyPrefix is the start of the API key, to recognise it; the key is stored hashed.
	KeyPrefix string
	Revoked   bool
	// WebhookURL receives the events of the channel's orders; empty: none are sent.
	WebhookURL    string
	WebhookSecret string // whsec_…
	// WebhookFailures counts the failed deliveries in a row; at the configured limit the
	// webhooks are disabled (WebhookDisabled) until an operator enables them again.
	WebhookFailures int
	WebhookDisabled bool
	// ContactChatID is the Telegram chat of the channel's contact, 0 when none.
	ContactChatID int64
	CreatedAt     time.Time
}

// Webhook event states.
const (
	EventPending   = "pending"
	EventDelivered = "delivered"
	EventFailed    = "failed"  // given up
	EventHeld      = "held"    // the channel's webhooks are disabled
	EventSkipped   = "skipped" // the channel has no webhook URL
)

// ChannelEvent is a change of a channel's order, delivered to its webhook.
type ChannelEvent struct {
	ID          int64
	ChannelID   int64
	OrderID     int64
	Number      string // the order's
	Type        string // order.created, order.status_changed, order.date_changed, order.shipped, order.cancelled
	Data        []byte // JSON object
	Status      string
	Attempts    int
	LastError   string
	CreatedAt   time.Time
	DeliveredAt time.Time
}

// WebhookAttempt is one attempt to deliver an event.
type WebhookAttempt struct {
	EventID    int64
	At         time.Time
	StatusCode int // 0: no answer
	Error      string
	Duration   time.Duration
}

// NoticeWebhooksDisabled tells a channel's contact and the reps that the channel's
// webhooks were disabled after failing too often (Notice.Customer is the channel, Note the
// last error).
const NoticeWebhooksDisabled = "webhooks_disabled"

// ChannelOrderFilter selects a channel's orders, oldest change first.
type ChannelOrderFilter struct {
	Channel      string
	Statuses     []Status
	UpdatedSince time.Time // changed at or after; zero: any time
	// AfterUpdated and AfterID continue a listing after the order last seen (its last
	// change and id); zero: from the start.
	AfterUpdated time.Time
	AfterID      int64
	Limit        int
}

// IdempotencyRecord is what is kept of the first request with an idempotency key.
type IdempotencyRecord struct {
	Hash      string // of the request
	Status    int    // of the response; 0 while the request is in flight
	Body      []byte // of the response
	CreatedAt time.Time
}
