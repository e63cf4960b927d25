package orders

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Errors of joining the staff by invitation.
var (
	ErrInviteUsed    = errors.New("invitation already used")
	ErrInviteExpired = errors.New("invitation expired")
)

// InvitePrefix starts every invitation token; it travels as the payload of a Telegram deep
// link, https://t.me/<bot>?start=inv-…
const InvitePrefix = "inv-"

// InviteTTL is how long an invitation can be used.
const InviteTTL = 24 * time.Hour

// Invite is an invitation to join the staff with a role, used once. Only its token's hash is
// stored: the token itself is shown once, to whoever made it.
type Invite struct {
	Hash      []byte
	Role      Role
	CreatedBy string // Actor.String() of who made it
	ExpiresAt time.Time
}

// TeamStore is the storage of the desk's team: invitations.
type TeamStore interface {
	CreateInvite(ctx context.Context, inv Invite) error
	// RedeemInvite marks the invitation with the hash used by st.TelegramID and makes st a
	// member of the staff with the invitation's role, in one transaction. ErrNotFound when
	// there is no such invitation, ErrInviteUsed when it was used, ErrInviteExpired when
	// it is past its expiry at now.
	RedeemInvite(ctx context.Context, hash []byte, now time.Time, st Staff) (Staff, error)
}

// Team holds the use cases of the desk's team: who may join the staff and how.
type Team struct {
	store TeamStore
	now   func() time.Time
	log   *slog.Logger
}

// NewTeam returns a Team on the store; now is the clock (nil: time.Now).
func NewTeam(store TeamStore, now func() time.Time, log *slog.Logger) *Team {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Team{store: store, now: now, log: log}
}

// Invite makes a one-time invitation to join the staff as role, valid for InviteTTL, and
// returns its token (to put in a link) and when it expires. Only managers and the operator
// may invite.
func (t *Team) Invite(ctx context.Context, a Actor, role Role) (token string, expires time.Time, err error) {
	if !a.May(ActInviteStaff) {
		return "", time.Time{}, fmt.Errorf("%s may not invite staff: %w", a, ErrForbidden)
	}
	if !role.Valid() {
		return "", time.Time{}, &ValidationError{Field: "role", Reason: "must be rep or manager"}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	token = InvitePrefix + base64.RawURLEncoding.EncodeToString(b)
	expires = t.now().Add(InviteTTL)
	if err := t.store.CreateInvite(ctx, Invite{Hash: inviteHash(token), Role: role, CreatedBy: a.String(), ExpiresAt: expires}); err != nil {
		return "", time.Time{}, err
	}
	t.log.InfoContext(ctx, "staff invitation made", "role", role, "by", a.String(), "expires", expires)
	return token, expires, nil
}

// IsInvite reports whether text (a /start payload) is an invitation token.
func IsInvite(text string) bool { return strings.HasPrefix(text, InvitePrefix) }

// Join makes the Telegram user a member of the staff with the invitation's role, once.
func (t *Team) Join(ctx context.Context, token string, telegramID int64, name, lang string) (Staff, error) {
	if !IsInvite(token) || telegramID <= 0 {
		return Staff{}, fmt.Errorf("invitation: %w", ErrNotFound)
	}
	if strings.TrimSpace(name) == "" {
		name = fmt.Sprintf("%d", telegramID)
	}
	st, err := t.store.RedeemInvite(ctx, inviteHash(token), t.now(), Staff{TelegramID: telegramID, Name: name, Active: true, Language: lang})
	if err != nil {
		return Staff{}, err
	}
	t.log.InfoContext(ctx, "staff joined by invitation", "staff", st.TelegramID, "role", st.Role)
	return st, nil
}

func inviteHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
