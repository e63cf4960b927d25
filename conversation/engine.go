// Package conversation is orderbot's dialog engine. It knows no Telegram: given who wrote
// and what (an Update), it locks the chat, loads the session, runs one step of the dialog,
// saves the session and hands the Replies, plain values of text and buttons, to a Sink.
package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// Role is who is writing.
type Role string

// Roles.
const (
	RoleCustomer Role = "customer"
	RoleRep      Role = "rep"
	RoleManager  Role = "manager"
)

// Staff reports whether the role is a rep or a manager.
func (r Role) Staff() bool { return r == RoleRep || r == RoleManager }

// User is the person writing in a private chat.
type User struct {
	ID           int64
	ChatID       int64
	Name         string
	LanguageCode string
	Role         Role
}

// InputKind says what kind of input arrived.
type InputKind int

// Kinds of input.
const (
	InputText InputKind = iota
	InputCommand
	InputButton
	InputContact
	InputLocation
	InputPhoto // a photo: its file id in Photo, its caption in Text
)

// Input is one thing the user did.
type Input struct {
	Kind    InputKind
	Text    string // Text: the message; Command: the whole message
	Command string // Command: the command without "/" and bot name, lower case
	Args    string // Command: the rest of the message
	Data    string // Button: the button's data
	Phone   string // Contact
	Lat     float64
	Lon     float64
	Photo   string // Photo: the Telegram file id of the largest size
}

// Update is one input with the key that identifies it for de-duplication (for Telegram,
// "u:<update_id>").
type Update struct {
	Key   string
	User  User
	Input Input
}

// Keyboard is what the reply does with the keyboard under the text field.
type Keyboard int

// Keyboards.
const (
	KeepKeyboard    Keyboard = iota
	RequestContact           // a button that shares the user's phone number
	RequestLocation          // a button that shares a location
	RemoveKeyboard
)

// Button is an inline button.
type Button struct {
	Text string `json:"t"`
	Data string `json:"d"`
}

// Reply is one message to send.
type Reply struct {
	ChatID   int64      `json:"c"`
	Text     string     `json:"x"`
	Buttons  [][]Button `json:"b,omitempty"`
	Keyboard Keyboard   `json:"k,omitempty"`
	// KeyboardText labels the RequestContact or RequestLocation button.
	KeyboardText string `json:"kt,omitempty"`
	// File, when set, is sent with Text as its caption (a text longer than a caption allows
	// goes first as a message of its own) and Buttons under it.
	File *File `json:"f,omitempty"`
}

// FileKind says how a file is shown: as a picture in the chat or as a document to open.
type FileKind string

// File kinds.
const (
	FilePhoto    FileKind = "photo"    // a PNG or JPEG shown in the chat (a chart)
	FileDocument FileKind = "document" // any file, shown with its name (a PDF, an XLSX)
)

// File is a file a reply carries.
type File struct {
	Kind FileKind `json:"k"`
	Name string   `json:"n"` // the file name the user sees, e.g. SO-20261201-0001-confirmation-v1.pdf
	Data []byte   `json:"d"`
}

// Sink delivers replies, in order. An error means they may not have arrived: the update is
// then not marked handled and its replies are delivered again when it comes again.
type Sink interface {
	Deliver(ctx context.Context, replies []Reply) error
}

// Chats keeps the chats' state between updates, shared by every process of the bot: a lock
// that serializes each chat's updates, the chats' sessions, and which updates were handled.
type Chats interface {
	// Begin takes the chat's lock, waiting while another holder has it, until ctx ends, and
	// returns the turn: whether the update with key (none when empty) was handled, and the
	// chat's session.
	Begin(ctx context.Context, chatID int64, key string) (Turn, error)
	// SaveSession stores the chat's session for ttl.
	SaveSession(ctx context.Context, chatID int64, data []byte, ttl time.Duration) error
}

// ErrLockLost is the error of a turn whose hold on the chat was lost (it outlived the lock,
// or the store could not extend it): another turn may have the chat now, so this one saves
// nothing and sends nothing. Handling the update again later is safe.
var ErrLockLost = errors.New("conversation: the chat's lock was lost")

// Turn is one update's hold on its chat, with what was known when it began.
type Turn struct {
	Handled bool   // the update was handled before
	Session []byte // the chat's session; nil when there is none
	Expired bool   // there is none because it timed out (told to one turn only)
	// Context, when set, is the turn's context: it is cancelled, with cause ErrLockLost,
	// once the hold on the chat is known to be lost.
	Context context.Context
	// Save, when set, stores the chat's session for ttl only while the turn still holds the
	// chat (fenced by the lock's token), and fails with ErrLockLost otherwise; when nil,
	// Chats.SaveSession is used.
	Save func(ctx context.Context, data []byte, ttl time.Duration) error
	// End releases the chat; with handled, it first marks the update handled. Only its
	// first call does anything.
	End func(ctx context.Context, handled bool) error
}

// Desk is what the dialog needs of the order desk; *orders.Service implements it.
type Desk interface {
	Rules() orders.Rules
	Today() orders.Date
	Location() *time.Location
	Categories(ctx context.Context) ([]string, error)
	Products(ctx context.Context, f orders.ProductFilter) ([]orders.Product, error)
	Product(ctx context.Context, sku string) (orders.Product, error)
	Quote(ctx context.Context, d orders.Draft) (orders.Quote, error)
	QuoteFresh(ctx context.Context, d orders.Draft) (orders.Quote, error)
	Place(ctx context.Context, d orders.Draft, approver string) (orders.Order, bool, error)
	Customer(ctx context.Context, telegramID int64) (orders.Customer, error)
	RegisterCustomer(ctx context.Context, c orders.Customer) (orders.Customer, error)
	CustomerOrder(ctx context.Context, customerTelegramID int64, number string) (orders.Order, error)
	Order(ctx context.Context, number string) (orders.Order, error)
	Orders(ctx context.Context, f orders.OrderFilter) ([]orders.Order, error)

	// Staff and the lifecycle.
	Staff(ctx context.Context, telegramID int64) (orders.Staff, error)
	SetStaffLanguage(ctx context.Context, telegramID int64, lang string) error
	FindCustomers(ctx context.Context, a orders.Actor, text string, limit int) ([]orders.Customer, error)
	StaffOrder(ctx context.Context, a orders.Actor, number string) (orders.Order, error)
	QueueFilter(name string) (orders.OrderFilter, error)
	Queue(ctx context.Context, a orders.Actor, f orders.OrderFilter) ([]orders.Order, int, error)
	// The state-changing actions take the update's key (Update.Key): a redelivered update
	// changes nothing twice and gets the first result.
	Review(ctx context.Context, key, number string, a orders.Actor, d orders.ReviewDecision) (orders.Order, error)
	CustomerDecide(ctx context.Context, key, number string, customer int64, accept bool) (orders.Order, error)
	Advance(ctx context.Context, key, number string, to orders.Status, a orders.Actor, opt orders.AdvanceOptions) (orders.Order, error)
	RecordPayment(ctx context.Context, key, number string, amount decimal.Decimal, method string, a orders.Actor) (orders.Order, error)
	RequestChange(ctx context.Context, key string, customer int64, c orders.ChangeRequest) (orders.ChangeRequest, orders.Order, error)
	DecideChange(ctx context.Context, key string, id int64, a orders.Actor, approve bool, note string) (orders.ChangeRequest, orders.Order, error)
	PendingChanges(ctx context.Context, a orders.Actor, number string) ([]orders.ChangeRequest, error)
	PlaceFor(ctx context.Context, d orders.Draft, a orders.Actor) (orders.Order, bool, error)
	Rate(ctx context.Context, key, number string, customer int64, rating int, comment string) error
	CheckWantedDate(d orders.Date) error
}

// Engine runs conversations.
type Engine struct {
	desk    Desk
	reports Reporter // nil: no reports
	team    Team
	// complaints is the complaints desk (nil: none).
	complaints Complaints
	group      GroupCopies
	// botUsername names the bot in links (t.me/<username>); empty where there is none.
	botUsername string
	chats       Chats
	log         *slog.Logger
	newKey      func() string
	ttl         time.Duration
	// parsers reads free text with the catalog's words (understand.go).
	parsers parsers
}

// Config wires an Engine.
type Config struct {
	Desk   Desk
	Chats  Chats
	Logger *slog.Logger
	// NewKey returns a fresh idempotency key for a draft (default: random).
	NewKey func() string
	// SessionTTL overrides the rules' session_ttl.
	SessionTTL time.Duration
	// Reports makes /report and /export (nil: refused).
	Reports Reporter
	// Team makes and takes invitations to join the staff (nil: none).
	Team Team
	// BotUsername is the bot's @username, for invitation links; empty in the terminal chat.
	BotUsername string
	// Complaints is the complaints desk (nil: no complaints).
	Complaints Complaints
	// Group sets staff members' private copies of the staff group's cards (nil: none).
	Group GroupCopies
}

// New returns an Engine.
func New(c Config) *Engine {
	e := &Engine{desk: c.Desk, reports: c.Reports, team: c.Team, complaints: c.Complaints, group: c.Group, botUsername: c.BotUsername, chats: c.Chats, log: c.Logger, newKey: c.NewKey, ttl: c.Desk.Rules().SessionTTL.Duration}
	if e.log == nil {
		e.log = slog.Default()
	}
	if c.SessionTTL > 0 {
		e.ttl = c.SessionTTL
	}
	if e.newKey == nil {
		e.newKey = randomKey
	}
	return e
}

// Handle runs one update: lock the chat, skip it when already handled, step the dialog,
// save the session, deliver the replies, mark it handled. It is safe to call again with the
// same update after a failure: the same replies are delivered and nothing is done twice.
func (e *Engine) Handle(ctx context.Context, u Update, out Sink) error {
	chat := u.User.ChatID
	turn, err := e.chats.Begin(ctx, chat, u.Key)
	if err != nil {
		return fmt.Errorf("lock chat: %w", err)
	}
	// Releases the chat when the step fails; after the End below, End does nothing.
	defer func() { _ = turn.End(ctx, false) }()
	if turn.Context != nil {
		ctx = turn.Context // cancelled when the turn loses the chat
	}
	if turn.Handled {
		e.log.DebugContext(ctx, "update already handled", "key", u.Key)
		return nil
	}
	s, err := e.load(ctx, u.User, turn)
	if err != nil {
		return err
	}
	var replies []Reply
	if u.Key != "" && s.LastKey == u.Key {
		// Stepped and saved before, but the replies may not have arrived.
		replies = s.LastReplies
	} else {
		st := &step{e: e, ctx: orders.WithRequestKey(ctx, u.Key), s: s, u: u.User, key: u.Key}
		if err := e.step(st, u.Input); err != nil {
			return err
		}
		replies = st.out
		for i := range replies {
			if replies[i].ChatID == 0 {
				replies[i].ChatID = chat
			}
		}
		s.LastKey, s.LastReplies = u.Key, replies
		if err := e.save(ctx, turn, chat, s); err != nil {
			return err
		}
	}
	if errors.Is(context.Cause(ctx), ErrLockLost) {
		return ErrLockLost // another turn may have the chat: its replies, not these, go out
	}
	if err := out.Deliver(ctx, replies); err != nil {
		return fmt.Errorf("deliver replies: %w", err)
	}
	return turn.End(ctx, u.Key != "")
}

// step runs one step. A panic is a bug, never the user's fault: it is logged, the
// conversation starts afresh with an apology, and the update counts as handled, so one bad
// update cannot block its chat.
func (e *Engine) step(st *step, in Input) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e.log.ErrorContext(st.ctx, "conversation step panicked", "chat", st.u.ChatID, "state", st.s.State,
				"panic", r, "stack", string(debug.Stack()))
			lang := st.s.Lang
			*st.s = Session{Lang: lang, Seq: st.s.Seq + 1}
			st.out = nil
			st.say(st.t("err.internal"))
			err = st.menu()
		}
	}()
	return st.run(in)
}

func (e *Engine) load(ctx context.Context, u User, turn Turn) (*Session, error) {
	s := &Session{}
	if turn.Session != nil {
		if err := json.Unmarshal(turn.Session, s); err != nil {
			// A session we cannot read (e.g. from an incompatible version) is started afresh.
			e.log.WarnContext(ctx, "unreadable session dropped", "chat", u.ChatID, "err", err)
			s = &Session{}
		}
	}
	s.Expired = turn.Expired
	s.Fresh = turn.Session == nil
	if s.Lang == "" {
		s.Lang = i18n.Lang(u.LanguageCode)
		if u.Role == RoleCustomer {
			c, err := e.desk.Customer(ctx, u.ID)
			switch {
			case err == nil && c.Language != "":
				s.Lang = i18n.Normalize(c.Language)
			case err != nil && !errors.Is(err, orders.ErrNotFound):
				return nil, err
			}
		}
	}
	return s, nil
}

func (e *Engine) save(ctx context.Context, turn Turn, chat int64, s *Session) error {
	s.Expired = false
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	if errors.Is(context.Cause(ctx), ErrLockLost) {
		return ErrLockLost
	}
	save := turn.Save
	if save == nil {
		save = func(ctx context.Context, data []byte, ttl time.Duration) error {
			return e.chats.SaveSession(ctx, chat, data, ttl)
		}
	}
	if err := save(ctx, data, e.ttl); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}
