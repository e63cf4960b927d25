package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The staff group: one group chat of the team that receives the desk's cards and alerts as
// one message each, where the first staff member to press Claim owns the card. Staff keep
// private copies only when they ask for them (Staff.GroupCopies).

// StaffGroup is the group chat bound as the staff group; ChatID 0 when none is.
type StaffGroup struct {
	ChatID   int64
	Title    string
	Language string // the language of the group's messages (the binding manager's)
	BoundBy  string // Actor.String()
	BoundAt  time.Time
}

// CardClaim is the claim of a card (a message) in the staff group: the first wins. The
// claimer becomes responsible for what the card is about, in the claim's transaction (see
// GroupStore.ClaimCard): Kind and Number say what that was, Assigned the orders whose rep
// the claimer became and ChangeID the change request they now handle.
type CardClaim struct {
	ChatID    int64
	MessageID int
	StaffID   int64
	StaffName string
	At        time.Time
	Kind      string   // the card's notification kind
	Number    string   // the card's order, when it is about one
	Assigned  []string // orders whose rep the claimer became
	ChangeID  int64    // the change request the claimer handles, when a change card
}

// ErrManagersDecide is returned when a staff member who may not decide change requests
// claims a change request's card: its owner must be able to decide it.
var ErrManagersDecide = errors.New("only managers decide change requests")

// ErrChangeHandled is returned when a staff member decides a change request another one
// claimed in the staff group (ChangeRequest.Handler): its claimer decides it.
var ErrChangeHandled = errors.New("change request handled by another manager")

// ErrCardClaimed is returned when a card already has an owner; the claim returned with it
// names the owner.
var ErrCardClaimed = errors.New("card already claimed")

// NoticeReviewClaimed is sent to the staff members who keep private copies when the
// staff group's review card is claimed: their copy is edited to say who claimed it.
const NoticeReviewClaimed = "review_claimed"

// A claim waits at most cardRecordTries × cardRecordWait for the record of the card's message.
const (
	cardRecordTries = 20
	cardRecordWait  = 100 * time.Millisecond
)

// ErrNotGroup is returned when a group command is used outside a group chat.
var ErrNotGroup = errors.New("not a group chat")

// GroupStore is the storage of the staff group.
type GroupStore interface {
	// StaffGroup returns the bound group, or ErrNotFound.
	StaffGroup(ctx context.Context) (StaffGroup, error)
	// BindStaffGroup makes g the staff group, replacing any other.
	BindStaffGroup(ctx context.Context, g StaffGroup) error
	// UnbindStaffGroup removes the binding of the group chatID; false when it was not bound.
	UnbindStaffGroup(ctx context.Context, chatID int64) (bool, error)
	// MoveStaffGroup follows a group that became a supergroup with a new chat id; false
	// when from was not the staff group.
	MoveStaffGroup(ctx context.Context, from, to int64) (bool, error)
	// ClaimCard records the first claim of a card; a later one gets ErrCardClaimed with the
	// first claim. In the same transaction the first claimer becomes responsible for what
	// the card announced (the notification sent as the message):
	//   - a review card (review_requested, review_stale) of an order still in review, or an
	//     unreachable customer's card about an order: the claimer becomes the order's rep;
	//   - a change request's card: the claimer becomes the pending request's handler;
	//   - the overdue alert: the claimer becomes the rep of the overdue orders that have none
	//     (promised before the alert's day, not delivered).
	ClaimCard(ctx context.Context, c CardClaim) (CardClaim, error)
	// SetStaffGroupLanguage sets the language of the staff group's messages; false when
	// chatID is not the staff group.
	SetStaffGroupLanguage(ctx context.Context, chatID int64, lang string) (bool, error)
	// SetGroupCopies sets whether the staff member gets private copies of group messages.
	SetGroupCopies(ctx context.Context, telegramID int64, on bool) error
	// CardCopies returns what the card (a message in chatID) announced — its kind and
	// order number — and the private copies of it that were sent: staff member → language.
	CardCopies(ctx context.Context, chatID int64, messageID int) (kind, number string, copies map[int64]string, err error)
	// QueueNotices writes notifications with their jobs (the outbox).
	QueueNotices(ctx context.Context, number string, ns []Notification) error
}

// Group holds the use cases of the staff group.
type Group struct {
	store GroupStore
	now   func() time.Time
}

// NewGroup returns the staff group's use cases; now is the clock (nil: time.Now).
func NewGroup(store GroupStore, now func() time.Time) *Group {
	if now == nil {
		now = time.Now
	}
	return &Group{store: store, now: now}
}

// Bind makes the group chat the staff group. Only managers may.
func (g *Group) Bind(ctx context.Context, a Actor, chatID int64, title, lang string) (StaffGroup, error) {
	if !a.May(ActBindGroup) {
		return StaffGroup{}, fmt.Errorf("%s may not bind the staff group: %w", a, ErrForbidden)
	}
	if chatID >= 0 {
		return StaffGroup{}, ErrNotGroup
	}
	sg := StaffGroup{ChatID: chatID, Title: title, Language: lang, BoundBy: a.String(), BoundAt: g.now()}
	if err := g.store.BindStaffGroup(ctx, sg); err != nil {
		return StaffGroup{}, err
	}
	return sg, nil
}

// Unbind stops sending to the group chat. Only managers may; false when it was not the
// staff group.
func (g *Group) Unbind(ctx context.Context, a Actor, chatID int64) (bool, error) {
	if !a.May(ActBindGroup) {
		return false, fmt.Errorf("%s may not unbind the staff group: %w", a, ErrForbidden)
	}
	return g.store.UnbindStaffGroup(ctx, chatID)
}

// SetLanguage sets the language of the staff group's cards ("en" or "zh"). Only managers
// may; ErrNotFound when chatID is not the staff group.
func (g *Group) SetLanguage(ctx context.Context, a Actor, chatID int64, lang string) error {
	if !a.May(ActBindGroup) {
		return fmt.Errorf("%s may not set the staff group's language: %w", a, ErrForbidden)
	}
	if lang != "en" && lang != "zh" {
		return fmt.Errorf("language %q: %w", lang, ErrInvalid)
	}
	ok, err := g.store.SetStaffGroupLanguage(ctx, chatID, lang)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("group %d: %w", chatID, ErrNotFound)
	}
	return nil
}

// Left records that the bot is no longer in the group chat (removed, or the group was
// deleted): it is no longer the staff group, and staff get their cards privately again.
func (g *Group) Left(ctx context.Context, chatID int64) (bool, error) {
	return g.store.UnbindStaffGroup(ctx, chatID)
}

// Migrated follows a group that became a supergroup.
func (g *Group) Migrated(ctx context.Context, from, to int64) (bool, error) {
	return g.store.MoveStaffGroup(ctx, from, to)
}

// Current returns the staff group, or ErrNotFound.
func (g *Group) Current(ctx context.Context) (StaffGroup, error) { return g.store.StaffGroup(ctx) }

// ClaimCard makes the staff member the owner of a card in the staff group: the first press
// wins, the others get ErrCardClaimed with the owner's claim.
func (g *Group) ClaimCard(ctx context.Context, a Actor, chatID int64, messageID int) (CardClaim, error) {
	if a.Kind != ActorStaff {
		return CardClaim{}, fmt.Errorf("%s may not claim cards: %w", a, ErrForbidden)
	}
	kind, number, copies, err := g.store.CardCopies(ctx, chatID, messageID)
	// The record of a card's message id may lag its delivery by a moment (sends are
	// recorded in batches): a press that quick waits for it, a little.
	for i := 0; err == nil && kind == "" && i < cardRecordTries; i++ {
		select {
		case <-ctx.Done():
			return CardClaim{}, ctx.Err()
		case <-time.After(cardRecordWait):
		}
		kind, number, copies, err = g.store.CardCopies(ctx, chatID, messageID)
	}
	if err != nil {
		return CardClaim{}, err
	}
	if kind == NoticeChangeRequested && !a.May(ActDecideChange) {
		return CardClaim{}, fmt.Errorf("%s may not own a change request: %w", a, ErrManagersDecide)
	}
	c, err := g.store.ClaimCard(ctx, CardClaim{ChatID: chatID, MessageID: messageID, StaffID: a.TelegramID,
		StaffName: a.Display(), At: g.now()})
	if err != nil {
		return c, err
	}
	// The private copies of a review card are edited to say who claimed it.
	if number == "" || (kind != NoticeReviewRequested && kind != NoticeReviewStale) {
		return c, nil
	}
	var ns []Notification
	for id, lang := range copies {
		ns = append(ns, NewNotification(NoticeReviewClaimed, id,
			NoticeReviewClaimed+":"+number+":"+strconv.FormatInt(id, 10), Notice{Lang: lang, Number: number, Actor: c.StaffName}, time.Time{}))
	}
	return c, g.store.QueueNotices(ctx, number, ns)
}

// SetCopies sets whether the staff member also gets private copies of the group's cards.
func (g *Group) SetCopies(ctx context.Context, a Actor, on bool) error {
	if a.Kind != ActorStaff {
		return fmt.Errorf("%s is not staff: %w", a, ErrForbidden)
	}
	return g.store.SetGroupCopies(ctx, a.TelegramID, on)
}

// groupKinds are the staff notifications the staff group receives once instead of each
// member: cards to act on and alerts. complaint_new, complaint_message and complaint_photo go there only
// while the complaint has no owner (Notice.Claimable); everything else stays private.
var groupKinds = map[string]bool{
	NoticeReviewRequested:     true,
	NoticeReviewStale:         true,
	NoticeReviewTaken:         true,
	NoticeChangeRequested:     true,
	NoticeCustomerUnreachable: true,
	NoticeComplaintEscalated:  true,
	NoticeComplaintTaken:      true,
	NoticeOverdueAlert:        true,
}

// NoticeOverdueAlert is the daily alert of overdue orders to staff (queued by notify).
const NoticeOverdueAlert = "overdue_alert"

// GroupKind reports whether notifications of kind go to the staff group (claimable: the
// complaint has no owner yet).
func GroupKind(kind string, claimable bool) bool {
	if groupKinds[kind] {
		return true
	}
	return claimable && (kind == NoticeComplaintNew || kind == NoticeComplaintMessage || kind == NoticeComplaintPhoto)
}

// RouteToGroup rewrites notifications to staff for the staff group g: of the notifications
// of a kind that goes to the group, addressed to active staff members, one per subject goes
// to the group (keyed by the subject, in the group's language, marked Group), and a
// member's own copy stays only when they asked for copies. Without a group (ChatID 0) ns is
// returned as it is. The subject is the key without its recipient's id (the keys of staff
// notifications end in ":<id>" or "@<id>").
func RouteToGroup(ns []Notification, g StaffGroup, staff []Staff) []Notification {
	if g.ChatID == 0 || len(ns) == 0 {
		return ns
	}
	members := make(map[int64]Staff, len(staff))
	for _, s := range staff {
		if s.Active {
			members[s.TelegramID] = s
		}
	}
	out := make([]Notification, 0, len(ns))
	seen := map[string]bool{}
	for _, n := range ns {
		st, isStaff := members[n.ChatID]
		if !isStaff {
			out = append(out, n)
			continue
		}
		var payload map[string]any
		if len(n.Payload) > 0 && json.Unmarshal(n.Payload, &payload) != nil {
			out = append(out, n)
			continue
		}
		claimable, _ := payload["claimable"].(bool)
		if owned, _ := payload["owned"].(bool); owned || !GroupKind(n.Kind, claimable) {
			out = append(out, n)
			continue
		}
		subject := subjectOf(n.Key, n.ChatID)
		if !seen[subject] {
			seen[subject] = true
			if payload == nil {
				payload = map[string]any{}
			}
			payload["lang"] = g.Language
			payload["group"] = true
			p, err := json.Marshal(payload)
			if err == nil {
				out = append(out, Notification{Kind: n.Kind, ChatID: g.ChatID, Key: subject + ":group", Payload: p, RunAt: n.RunAt})
			}
		}
		if st.GroupCopies {
			out = append(out, n)
		}
	}
	return out
}

// subjectOf is a staff notification's key without its recipient's id.
func subjectOf(key string, chat int64) string {
	id := strconv.FormatInt(chat, 10)
	for _, sep := range []string{":", "@"} {
		if s, ok := strings.CutSuffix(key, sep+id); ok {
			return s
		}
	}
	return key
}
