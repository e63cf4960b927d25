package orders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// ComplaintStatus is where a complaint stands: open (waiting for the desk), replied (the
// desk answered, waiting for the customer), resolved (the desk says it is solved, waiting
// for the customer's confirmation) and closed.
type ComplaintStatus string

// Complaint statuses.
const (
	ComplaintOpen     ComplaintStatus = "open"
	ComplaintReplied  ComplaintStatus = "replied"
	ComplaintResolved ComplaintStatus = "resolved"
	ComplaintClosed   ComplaintStatus = "closed"
)

// Where a complaint came from.
const (
	ComplaintFromCustomer = "customer" // /complain or the order card's button
	ComplaintFromSurvey   = "survey"   // a survey answer of 1 or 2
)

// Notification kinds of complaints.
const (
	// To the order's rep, or to every active staff member (with a Claim button) when the
	// order has none: a new complaint.
	NoticeComplaintNew = "complaint_new"
	// To the other party: a message of the complaint, relayed.
	NoticeComplaintMessage = "complaint_message"
	// To the customer: the desk resolved the complaint; confirm or reopen.
	NoticeComplaintResolved = "complaint_resolved"
	// To each manager: a complaint missed its first-response or resolution deadline.
	NoticeComplaintEscalated = "complaint_escalated"
	// To the rep: the customer confirmed the resolution, or said it is not resolved.
	NoticeComplaintAnswered = "complaint_answered"
	// To the other staff (and the staff group) once one claimed an unowned complaint: their
	// cards are edited to say who owns it, without the Claim button.
	NoticeComplaintTaken = "complaint_taken"
	// One photo of a complaint's message, forwarded by its file id to whoever reads the
	// message: the staff, or the customer.
	NoticeComplaintPhoto = "complaint_photo"
)

// ComplaintRules are the service levels of complaints, in working hours of the working
// days of Rules (holidays and weekends do not count).
type ComplaintRules struct {
	// FirstResponseHours: the desk answers within this many working hours (default 4).
	FirstResponseHours int `json:"first_response_hours,omitempty"`
	// ResolutionDays: the desk resolves within this many working days (default 3).
	ResolutionDays int `json:"resolution_days,omitempty"`
	// AutoCloseDays: a resolved complaint the customer does not answer closes itself after
	// this many working days (default 3).
	AutoCloseDays int `json:"auto_close_days,omitempty"`
	// WorkStartHour and WorkEndHour bound the working day (defaults 9 and 18).
	WorkStartHour int `json:"work_start_hour,omitempty"`
	WorkEndHour   int `json:"work_end_hour,omitempty"`
}

// WithDefaults fills the unset service levels with the defaults.
func (c ComplaintRules) WithDefaults() ComplaintRules {
	if c.FirstResponseHours <= 0 {
		c.FirstResponseHours = 4
	}
	if c.ResolutionDays <= 0 {
		c.ResolutionDays = 3
	}
	if c.AutoCloseDays <= 0 {
		c.AutoCloseDays = 3
	}
	if c.WorkStartHour <= 0 && c.WorkEndHour <= 0 {
		c.WorkStartHour, c.WorkEndHour = 9, 18
	}
	if c.WorkEndHour <= c.WorkStartHour || c.WorkEndHour > 24 || c.WorkStartHour < 0 {
		c.WorkStartHour, c.WorkEndHour = 9, 18
	}
	return c
}

// dayLength is the length of a working day.
func (c ComplaintRules) dayLength() time.Duration {
	return time.Duration(c.WorkEndHour-c.WorkStartHour) * time.Hour
}

// AddWorkingHours returns the moment d of working time after t: only the working hours
// (WorkStartHour to WorkEndHour in loc) of working days count.
func (r Rules) AddWorkingHours(t time.Time, loc *time.Location, d time.Duration) time.Time {
	c := r.Complaints.WithDefaults()
	t = t.In(loc)
	for i := 0; i < 5000; i++ { // bounded: a calendar without working days never ends
		day := DateOf(t)
		start := day.Time(loc).Add(time.Duration(c.WorkStartHour) * time.Hour)
		end := day.Time(loc).Add(time.Duration(c.WorkEndHour) * time.Hour)
		if !r.IsWorkingDay(day) || !t.Before(end) {
			t = day.AddDays(1).Time(loc)
			continue
		}
		if t.Before(start) {
			t = start
		}
		if left := end.Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
		}
		t = day.AddDays(1).Time(loc)
	}
	return t
}

// Complaint is a customer's complaint about an order, tracked to resolution.
type Complaint struct {
	ID           int64
	Number       string // the order's number
	Customer     int64  // the customer's Telegram id
	CustomerName string
	CustomerLang string
	Rep          int64 // the staff member who owns it (Telegram id); 0: unclaimed
	RepName      string
	Status       ComplaintStatus
	Source       string // ComplaintFromCustomer or ComplaintFromSurvey
	Rating       int    // the survey answer, for complaints from the survey
	Text         string // the first message
	OpenedAt     time.Time
	// The service levels: the first answer is due by RespondBy, the resolution by ResolveBy.
	RespondBy   time.Time
	ResolveBy   time.Time
	RespondedAt time.Time // zero until the desk's first answer
	ResolvedAt  time.Time // zero unless resolved
	ClosedAt    time.Time
	// Escalated to the managers for a missed deadline (once each).
	ResponseEscalated   bool
	ResolutionEscalated bool
}

// Overdue reports whether a deadline of the complaint has passed unmet at now.
func (c Complaint) Overdue(now time.Time) bool {
	if c.Status == ComplaintClosed || c.Status == ComplaintResolved {
		return false
	}
	return (c.RespondedAt.IsZero() && now.After(c.RespondBy)) || now.After(c.ResolveBy)
}

// ComplaintMessage is one message of a complaint, kept with it.
type ComplaintMessage struct {
	ID        int64
	Complaint int64
	From      string // Actor.String() of who wrote: "customer:42", "rep:7"
	Text      string
	Photos    []string // Telegram file ids
	At        time.Time
}

// ComplaintFilter selects complaints; empty fields select all.
type ComplaintFilter struct {
	Statuses     []ComplaintStatus
	Customer     int64
	Number       string
	OpenedFrom   time.Time
	OpenedBefore time.Time
	Limit        int
}

// ComplaintChange is what an update of a complaint does besides changing it: a message to
// keep and notifications to queue, in the same transaction.
type ComplaintChange struct {
	Message       *ComplaintMessage
	Notifications []Notification
}

// ComplaintStore is the storage of complaints.
type ComplaintStore interface {
	Order(ctx context.Context, number string) (Order, error)
	ListStaff(ctx context.Context, activeOnly bool) ([]Staff, error)
	// CreateComplaint stores c with its first message and the notifications ns returns for
	// the stored complaint. A second complaint from the survey of one order is not made:
	// created is false and the first is returned.
	CreateComplaint(ctx context.Context, c Complaint, m ComplaintMessage, ns func(Complaint) []Notification) (stored Complaint, created bool, err error)
	// UpdateComplaint runs fn on the complaint under its row lock and stores what it
	// changed (rep, status, times, escalation flags) with fn's message and notifications.
	// When fn fails nothing is stored and the complaint as it was is returned with the
	// error.
	UpdateComplaint(ctx context.Context, id int64, fn func(c *Complaint) (ComplaintChange, error)) (Complaint, error)
	Complaint(ctx context.Context, id int64) (Complaint, error)
	ComplaintMessages(ctx context.Context, id int64) ([]ComplaintMessage, error)
	Complaints(ctx context.Context, f ComplaintFilter) ([]Complaint, error)
}

// Complaints holds the use cases of complaints and after-sales service.
type Complaints struct {
	store ComplaintStore
	rules Rules
	loc   *time.Location
	now   func() time.Time
	log   *slog.Logger
}

// NewComplaints returns the complaints desk; now is the clock (nil: time.Now), loc the
// business time zone (nil: UTC).
func NewComplaints(store ComplaintStore, rules Rules, loc *time.Location, now func() time.Time, log *slog.Logger) *Complaints {
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		loc = time.UTC
	}
	if log == nil {
		log = slog.Default()
	}
	return &Complaints{store: store, rules: rules, loc: loc, now: now, log: log}
}

// Now returns the complaints desk's clock.
func (cs *Complaints) Now() time.Time { return cs.now() }

// ErrComplaintClaimed is returned when a complaint already has an owner.
var ErrComplaintClaimed = errors.New("complaint already claimed")

// MaxComplaintText is the longest message of a complaint, in characters.
const MaxComplaintText = 2000

// ComplaintOrderStatuses are the statuses of the orders a customer may complain about.
var ComplaintOrderStatuses = []Status{
	StatusConfirmed, StatusInProduction, StatusQualityCheck, StatusShipped, StatusDelivered, StatusCompleted,
}

// CanComplain reports whether a complaint can be opened about the order.
func CanComplain(o Order) bool {
	for _, s := range ComplaintOrderStatuses {
		if o.Status == s {
			return true
		}
	}
	return false
}

func checkMessage(text string, photos []string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" && len(photos) == 0 {
		return "", &ValidationError{Field: "text", Reason: "empty"}
	}
	if len([]rune(text)) > MaxComplaintText {
		return "", &ValidationError{Field: "text", Reason: "too long"}
	}
	return text, nil
}

// Open opens a complaint of the customer about their order, with its first message.
func (cs *Complaints) Open(ctx context.Context, customer int64, number, text string, photos []string) (Complaint, error) {
	text, err := checkMessage(text, photos)
	if err != nil {
		return Complaint{}, err
	}
	c, _, err := cs.open(ctx, customer, number, ComplaintFromCustomer, 0, text, photos)
	return c, err
}

// OpenFromSurvey opens a complaint when a survey answer is 1 or 2 (once per order);
// opened is false for a better answer or when the survey opened one before.
func (cs *Complaints) OpenFromSurvey(ctx context.Context, customer int64, number string, rating int) (Complaint, bool, error) {
	if rating < 1 || rating > 2 {
		return Complaint{}, false, nil
	}
	return cs.open(ctx, customer, number, ComplaintFromSurvey, rating, "", nil)
}

func (cs *Complaints) open(ctx context.Context, customer int64, number, source string, rating int, text string, photos []string) (Complaint, bool, error) {
	o, err := cs.store.Order(ctx, number)
	if err != nil {
		return Complaint{}, false, err
	}
	if o.Customer.TelegramID != customer {
		return Complaint{}, false, fmt.Errorf("order %s: %w", number, ErrNotFound)
	}
	if source == ComplaintFromCustomer && !CanComplain(o) {
		return Complaint{}, false, fmt.Errorf("complaint about order %s in status %s: %w", number, o.Status, ErrInvalidTransition)
	}
	now := cs.now()
	sl := cs.rules.Complaints.WithDefaults()
	c := Complaint{
		Number: o.Number, Customer: customer, CustomerName: o.Customer.Name, CustomerLang: o.Customer.Language,
		Rep: o.Rep, Status: ComplaintOpen, Source: source, Rating: rating, Text: text, OpenedAt: now,
		RespondBy: cs.rules.AddWorkingHours(now, cs.loc, time.Duration(sl.FirstResponseHours)*time.Hour),
		ResolveBy: cs.rules.AddWorkingHours(now, cs.loc, time.Duration(sl.ResolutionDays)*sl.dayLength()),
	}
	if c.Rep != 0 {
		if st, err := cs.staffMember(ctx, c.Rep); err == nil {
			c.RepName = st.Name
		} else {
			c.Rep = 0 // the rep left the desk: every staff member may claim it
		}
	}
	staff, err := cs.store.ListStaff(ctx, true)
	if err != nil {
		return Complaint{}, false, err
	}
	m := ComplaintMessage{From: CustomerActor(customer).String(), Text: text, Photos: photos, At: now}
	stored, created, err := cs.store.CreateComplaint(ctx, c, m, func(c Complaint) []Notification {
		return cs.newNotices(c, staff, photos)
	})
	if err != nil {
		return Complaint{}, false, err
	}
	if created {
		cs.log.InfoContext(ctx, "complaint opened", "complaint", stored.ID, "order", stored.Number, "source", source, "rep", stored.Rep)
	}
	return stored, created, nil
}

// newNotices tells the owner of a new complaint, or every active staff member when it
// has none.
func (cs *Complaints) newNotices(c Complaint, staff []Staff, photos []string) []Notification {
	id := strconv.FormatInt(c.ID, 10)
	n := Notice{Number: c.Number, Customer: c.CustomerName, Note: c.Text, Complaint: c.ID, Rating: c.Rating,
		Due: c.RespondBy, Photos: len(photos)}
	var out []Notification
	for _, st := range staff {
		if c.Rep != 0 && st.TelegramID != c.Rep {
			continue
		}
		n.Lang = st.Language
		n.Claimable = c.Rep == 0
		key := NoticeComplaintNew + ":" + id
		out = append(out, NewNotification(NoticeComplaintNew, st.TelegramID, key+":"+strconv.FormatInt(st.TelegramID, 10), n, time.Time{}))
		out = append(out, photoNotices(n, photos, st.TelegramID, key)...)
	}
	return out
}

// photoNotices forwards the photos of a complaint's message to chat, one message each;
// key is the message's notification key without the recipient.
func photoNotices(n Notice, photos []string, chat int64, key string) []Notification {
	out := make([]Notification, 0, len(photos))
	for i, p := range photos {
		pn := Notice{Lang: n.Lang, Number: n.Number, Complaint: n.Complaint, Claimable: n.Claimable, PhotoIDs: []string{p}}
		out = append(out, NewNotification(NoticeComplaintPhoto, chat,
			key+":p"+strconv.Itoa(i)+":"+strconv.FormatInt(chat, 10), pn, time.Time{}))
	}
	return out
}

func (cs *Complaints) staffMember(ctx context.Context, id int64) (Staff, error) {
	staff, err := cs.store.ListStaff(ctx, true)
	if err != nil {
		return Staff{}, err
	}
	for _, st := range staff {
		if st.TelegramID == id {
			return st, nil
		}
	}
	return Staff{}, ErrNotFound
}

// Complaint returns a complaint to staff, or to its customer (a customer actor).
func (cs *Complaints) Complaint(ctx context.Context, a Actor, id int64) (Complaint, []ComplaintMessage, error) {
	c, err := cs.store.Complaint(ctx, id)
	if err != nil {
		return Complaint{}, nil, err
	}
	if a.Kind == ActorCustomer && c.Customer != a.TelegramID {
		return Complaint{}, nil, fmt.Errorf("complaint %d: %w", id, ErrNotFound)
	}
	if a.Kind == ActorStaff && !a.May(ActViewAll) {
		return Complaint{}, nil, ErrForbidden
	}
	ms, err := cs.store.ComplaintMessages(ctx, id)
	return c, ms, err
}

// Claim makes the staff member the owner of an unclaimed complaint: the first to claim it
// owns it; the others get ErrComplaintClaimed with the complaint, which names the owner.
func (cs *Complaints) Claim(ctx context.Context, a Actor, id int64) (Complaint, error) {
	if a.Kind != ActorStaff {
		return Complaint{}, fmt.Errorf("%s may not claim complaints: %w", a, ErrForbidden)
	}
	staff, err := cs.store.ListStaff(ctx, true)
	if err != nil {
		return Complaint{}, err
	}
	claimed := false
	c, err := cs.store.UpdateComplaint(ctx, id, func(c *Complaint) (ComplaintChange, error) {
		claimed = false
		if c.Rep == a.TelegramID {
			return ComplaintChange{}, nil
		}
		if c.Rep != 0 {
			return ComplaintChange{}, ErrComplaintClaimed
		}
		if c.Status == ComplaintClosed {
			return ComplaintChange{}, ErrInvalidTransition
		}
		c.Rep, c.RepName, claimed = a.TelegramID, a.Name, true
		return ComplaintChange{Notifications: takenNotices(*c, a, staff)}, nil
	})
	if err == nil && claimed {
		cs.log.InfoContext(ctx, "complaint claimed", "complaint", id, "by", a.String())
	}
	return c, err
}

// Reply relays the staff member's message to the customer. An unclaimed complaint becomes
// theirs; the first reply meets the first-response deadline.
func (cs *Complaints) Reply(ctx context.Context, a Actor, id int64, text string, photos []string) (Complaint, error) {
	if a.Kind != ActorStaff {
		return Complaint{}, fmt.Errorf("%s may not answer complaints: %w", a, ErrForbidden)
	}
	text, err := checkMessage(text, photos)
	if err != nil {
		return Complaint{}, err
	}
	now := cs.now()
	return cs.store.UpdateComplaint(ctx, id, func(c *Complaint) (ComplaintChange, error) {
		if c.Status == ComplaintClosed {
			return ComplaintChange{}, ErrInvalidTransition
		}
		if c.Rep == 0 {
			c.Rep, c.RepName = a.TelegramID, a.Name
		}
		if c.RespondedAt.IsZero() {
			c.RespondedAt = now
		}
		if c.Status == ComplaintOpen {
			c.Status = ComplaintReplied
		}
		n := Notice{Lang: c.CustomerLang, Number: c.Number, Complaint: c.ID, Note: text, Photos: len(photos),
			Actor: a.Display(), To: Status(c.Status)}
		return ComplaintChange{
			Message: &ComplaintMessage{From: a.String(), Text: text, Photos: photos, At: now},
			Notifications: append([]Notification{NewNotification(NoticeComplaintMessage, c.Customer,
				messageKey(c.ID, now, a), n, time.Time{})}, photoNotices(n, photos, c.Customer, messageKey(c.ID, now, a))...),
		}, nil
	})
}

func messageKey(id int64, at time.Time, a Actor) string {
	return NoticeComplaintMessage + ":" + strconv.FormatInt(id, 10) + ":" + a.String() + ":" + strconv.FormatInt(at.UnixNano(), 10)
}

// CustomerMessage relays the customer's message to the complaint's owner (to every active
// staff member while it has none). The complaint waits for the desk again (open).
func (cs *Complaints) CustomerMessage(ctx context.Context, customer int64, id int64, text string, photos []string) (Complaint, error) {
	text, err := checkMessage(text, photos)
	if err != nil {
		return Complaint{}, err
	}
	staff, err := cs.store.ListStaff(ctx, true)
	if err != nil {
		return Complaint{}, err
	}
	now := cs.now()
	a := CustomerActor(customer)
	return cs.store.UpdateComplaint(ctx, id, func(c *Complaint) (ComplaintChange, error) {
		if c.Customer != customer {
			return ComplaintChange{}, ErrNotFound
		}
		if c.Status == ComplaintClosed {
			return ComplaintChange{}, ErrInvalidTransition
		}
		if c.Status == ComplaintResolved {
			c.ResolvedAt = time.Time{}
		}
		c.Status = ComplaintOpen
		var ns []Notification
		for _, st := range staff {
			if c.Rep != 0 && st.TelegramID != c.Rep {
				continue
			}
			n := Notice{Lang: st.Language, Number: c.Number, Customer: c.CustomerName, Complaint: c.ID,
				Note: text, Photos: len(photos), Claimable: c.Rep == 0}
			ns = append(ns, NewNotification(NoticeComplaintMessage, st.TelegramID,
				messageKey(c.ID, now, a)+":"+strconv.FormatInt(st.TelegramID, 10), n, time.Time{}))
			ns = append(ns, photoNotices(n, photos, st.TelegramID, messageKey(c.ID, now, a))...)
		}
		return ComplaintChange{
			Message:       &ComplaintMessage{From: a.String(), Text: text, Photos: photos, At: now},
			Notifications: ns,
		}, nil
	})
}

// Resolve marks the complaint resolved by the staff member, with a note to the customer,
// who confirms or reopens it.
func (cs *Complaints) Resolve(ctx context.Context, a Actor, id int64, note string) (Complaint, error) {
	if a.Kind != ActorStaff {
		return Complaint{}, fmt.Errorf("%s may not resolve complaints: %w", a, ErrForbidden)
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > MaxComplaintText {
		return Complaint{}, &ValidationError{Field: "text", Reason: "too long"}
	}
	now := cs.now()
	return cs.store.UpdateComplaint(ctx, id, func(c *Complaint) (ComplaintChange, error) {
		if c.Status != ComplaintOpen && c.Status != ComplaintReplied {
			return ComplaintChange{}, ErrInvalidTransition
		}
		if c.Rep == 0 {
			c.Rep, c.RepName = a.TelegramID, a.Name
		}
		if c.RespondedAt.IsZero() {
			c.RespondedAt = now
		}
		c.Status, c.ResolvedAt = ComplaintResolved, now
		n := Notice{Lang: c.CustomerLang, Number: c.Number, Complaint: c.ID, Note: note, Actor: a.Display()}
		ch := ComplaintChange{Notifications: []Notification{NewNotification(NoticeComplaintResolved, c.Customer,
			NoticeComplaintResolved+":"+strconv.FormatInt(c.ID, 10)+":"+strconv.FormatInt(now.UnixNano(), 10), n, time.Time{})}}
		if note != "" {
			ch.Message = &ComplaintMessage{From: a.String(), Text: note, At: now}
		}
		return ch, nil
	})
}

// Confirm is the customer's answer to a resolution: solved closes the complaint, not
// solved opens it again. The owner is told either way.
func (cs *Complaints) Confirm(ctx context.Context, customer int64, id int64, solved bool) (Complaint, error) {
	now := cs.now()
	return cs.store.UpdateComplaint(ctx, id, func(c *Complaint) (ComplaintChange, error) {
		if c.Customer != customer {
			return ComplaintChange{}, ErrNotFound
		}
		if c.Status != ComplaintResolved {
			return ComplaintChange{}, ErrInvalidTransition
		}
		if solved {
			c.Status, c.ClosedAt = ComplaintClosed, now
		} else {
			c.Status, c.ResolvedAt = ComplaintOpen, time.Time{}
		}
		var ns []Notification
		if c.Rep != 0 {
			lang := ""
			if st, err := cs.staffMember(ctx, c.Rep); err == nil {
				lang = st.Language
			}
			ns = append(ns, NewNotification(NoticeComplaintAnswered, c.Rep,
				NoticeComplaintAnswered+":"+strconv.FormatInt(c.ID, 10)+":"+strconv.FormatInt(now.UnixNano(), 10),
				Notice{Lang: lang, Number: c.Number, Customer: c.CustomerName, Complaint: c.ID, To: Status(c.Status)}, time.Time{}))
		}
		return ComplaintChange{Notifications: ns}, nil
	})
}

// Sweep escalates the complaints past a deadline to the managers, once per deadline, and
// closes the complaints resolved for AutoCloseDays working days without an answer. It is
// run periodically.
func (cs *Complaints) Sweep(ctx context.Context) error {
	now := cs.now()
	list, err := cs.store.Complaints(ctx, ComplaintFilter{Statuses: []ComplaintStatus{ComplaintOpen, ComplaintReplied, ComplaintResolved}})
	if err != nil {
		return fmt.Errorf("complaints to check: %w", err)
	}
	var managers []Staff
	if staff, err := cs.store.ListStaff(ctx, true); err != nil {
		return err
	} else {
		for _, st := range staff {
			if st.Role == RoleManager {
				managers = append(managers, st)
			}
		}
	}
	sl := cs.rules.Complaints.WithDefaults()
	var errs []error
	for _, c := range list {
		switch {
		case c.Status == ComplaintResolved:
			if now.Before(cs.rules.AddWorkingHours(c.ResolvedAt, cs.loc, time.Duration(sl.AutoCloseDays)*sl.dayLength())) {
				continue
			}
			_, err := cs.store.UpdateComplaint(ctx, c.ID, func(c *Complaint) (ComplaintChange, error) {
				if c.Status != ComplaintResolved {
					return ComplaintChange{}, nil
				}
				c.Status, c.ClosedAt = ComplaintClosed, now
				return ComplaintChange{}, nil
			})
			if err == nil {
				cs.log.InfoContext(ctx, "complaint closed itself", "complaint", c.ID)
			}
			errs = append(errs, err)
		case c.RespondedAt.IsZero() && now.After(c.RespondBy) && !c.ResponseEscalated,
			now.After(c.ResolveBy) && !c.ResolutionEscalated:
			_, err := cs.store.UpdateComplaint(ctx, c.ID, func(c *Complaint) (ComplaintChange, error) {
				var what string
				switch {
				case c.Status == ComplaintResolved || c.Status == ComplaintClosed:
					return ComplaintChange{}, nil
				case c.RespondedAt.IsZero() && now.After(c.RespondBy) && !c.ResponseEscalated:
					c.ResponseEscalated, what = true, "response"
				case now.After(c.ResolveBy) && !c.ResolutionEscalated:
					c.ResolutionEscalated, what = true, "resolution"
				default:
					return ComplaintChange{}, nil
				}
				due := c.RespondBy
				if what == "resolution" {
					due = c.ResolveBy
				}
				var ns []Notification
				for _, m := range managers {
					ns = append(ns, NewNotification(NoticeComplaintEscalated, m.TelegramID,
						NoticeComplaintEscalated+":"+strconv.FormatInt(c.ID, 10)+":"+what+":"+strconv.FormatInt(m.TelegramID, 10),
						Notice{Lang: m.Language, Number: c.Number, Customer: c.CustomerName, Complaint: c.ID,
							Note: what, Actor: c.RepName, Due: due, Claimable: c.Rep == 0}, time.Time{}))
				}
				cs.log.WarnContext(ctx, "complaint escalated", "complaint", c.ID, "deadline", what, "managers", len(ns))
				return ComplaintChange{Notifications: ns}, nil
			})
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ComplaintQueue lists the complaints not closed for staff, oldest first; overdueOnly keeps
// those past a deadline. counts holds how many are open, replied, resolved and overdue.
func (cs *Complaints) ComplaintQueue(ctx context.Context, a Actor, overdueOnly bool) (list []Complaint, counts map[string]int, err error) {
	if a.Kind != ActorStaff && a.Kind != ActorOperator {
		return nil, nil, fmt.Errorf("%s may not list complaints: %w", a, ErrForbidden)
	}
	all, err := cs.store.Complaints(ctx, ComplaintFilter{Statuses: []ComplaintStatus{ComplaintOpen, ComplaintReplied, ComplaintResolved}})
	if err != nil {
		return nil, nil, err
	}
	now := cs.now()
	counts = map[string]int{}
	for _, c := range all {
		counts[string(c.Status)]++
		over := c.Overdue(now)
		if over {
			counts["overdue"]++
		}
		if !overdueOnly || over {
			list = append(list, c)
		}
	}
	return list, counts, nil
}

// ComplaintStats are the figures of the complaints opened in a period.
type ComplaintStats struct {
	Count          int // complaints opened
	Resolved       int // resolved or closed
	ResolvedInTime int // resolved by their resolution deadline
	Due            int // resolved, or past their resolution deadline unresolved
	// InTimeShare is ResolvedInTime / Due (0 when nothing is due yet).
	InTimeShare float64
}

// Stats counts the complaints opened from from (inclusive) to to (exclusive) and the share
// resolved within the resolution deadline among those resolved or past it.
func (cs *Complaints) Stats(ctx context.Context, from, to time.Time) (ComplaintStats, error) {
	list, err := cs.store.Complaints(ctx, ComplaintFilter{OpenedFrom: from, OpenedBefore: to})
	if err != nil {
		return ComplaintStats{}, err
	}
	now := cs.now()
	var s ComplaintStats
	for _, c := range list {
		s.Count++
		resolved := !c.ResolvedAt.IsZero()
		if resolved {
			s.Resolved++
			s.Due++
			if !c.ResolvedAt.After(c.ResolveBy) {
				s.ResolvedInTime++
			}
		} else if now.After(c.ResolveBy) {
			s.Due++
		}
	}
	if s.Due > 0 {
		s.InTimeShare = float64(s.ResolvedInTime) / float64(s.Due)
	}
	return s, nil
}

// takenNotices tells the other staff members (and, routed, the staff group) that a
// complaint has its owner now: their cards of it are edited to say who.
func takenNotices(c Complaint, a Actor, staff []Staff) []Notification {
	var out []Notification
	for _, st := range staff {
		if st.TelegramID == a.TelegramID {
			continue
		}
		n := Notice{Lang: st.Language, Number: c.Number, Customer: c.CustomerName, Note: c.Text, Complaint: c.ID,
			Rating: c.Rating, Due: c.RespondBy, Actor: a.Display()}
		out = append(out, NewNotification(NoticeComplaintTaken, st.TelegramID,
			NoticeComplaintTaken+":"+strconv.FormatInt(c.ID, 10)+":"+strconv.FormatInt(st.TelegramID, 10), n, time.Time{}))
	}
	return out
}
