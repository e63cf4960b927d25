package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/orders"
)

// Complaints is what the dialog needs of the complaints desk; *orders.Complaints
// implements it.
type Complaints interface {
	Open(ctx context.Context, customer int64, number, text string, photos []string) (orders.Complaint, error)
	OpenFromSurvey(ctx context.Context, customer int64, number string, rating int) (orders.Complaint, bool, error)
	Complaint(ctx context.Context, a orders.Actor, id int64) (orders.Complaint, []orders.ComplaintMessage, error)
	Claim(ctx context.Context, a orders.Actor, id int64) (orders.Complaint, error)
	Reply(ctx context.Context, a orders.Actor, id int64, text string, photos []string) (orders.Complaint, error)
	CustomerMessage(ctx context.Context, customer int64, id int64, text string, photos []string) (orders.Complaint, error)
	Resolve(ctx context.Context, a orders.Actor, id int64, note string) (orders.Complaint, error)
	Confirm(ctx context.Context, customer int64, id int64, solved bool) (orders.Complaint, error)
	ComplaintQueue(ctx context.Context, a orders.Actor, overdueOnly bool) ([]orders.Complaint, map[string]int, error)
	Now() time.Time
}

// States of complaints.
const (
	stateComplainOrder  = "complain_order"  // the customer chooses the order
	stateComplainText   = "complain_text"   // the customer describes the problem
	stateComplaintReply = "complaint_reply" // the next message goes to the other party
	stateComplaintNote  = "complaint_note"  // staff: the resolution's note
)

// maxComplaintPhotos is how many photos one message of a complaint keeps.
const maxComplaintPhotos = 10

// afterSales reports whether an order card offers the Complain button: once the order is
// on its way (before that, a change request is the way; /complain still works).
func afterSales(s orders.Status) bool {
	return s == orders.StatusShipped || s == orders.StatusDelivered || s == orders.StatusCompleted
}

func complaintHandler(state string) (handler, bool) {
	switch state {
	case stateComplainOrder:
		return handler{(*step).askComplainOrder, (*step).answerComplainOrder}, true
	case stateComplainText:
		return handler{(*step).askComplainText, (*step).answerComplainText}, true
	case stateComplaintReply:
		return handler{(*step).askComplaintReply, (*step).answerComplaintReply}, true
	case stateComplaintNote:
		return handler{(*step).askComplaintNote, (*step).answerComplaintNote}, true
	}
	return handler{}, false
}

// complaintCommand handles /complain and /complaints; handled is false for other commands.
func (st *step) complaintCommand(cmd, args string) (handled bool, err error) {
	switch cmd {
	case "complain":
		return true, st.complain(strings.TrimSpace(args))
	case "complaints":
		return true, st.complaintQueue(strings.TrimSpace(args))
	}
	return false, nil
}

// complain starts a complaint: about the order named, the only order, or one chosen.
func (st *step) complain(number string) error {
	if st.e.complaints == nil {
		st.say(st.t("complaint.unavailable"))
		return nil
	}
	if st.u.Role.Staff() {
		st.say(st.t("complaint.customers_only"))
		return nil
	}
	st.reset(true)
	if number != "" {
		return st.complainAbout(number)
	}
	os, err := st.e.desk.Orders(st.ctx, orders.OrderFilter{CustomerTelegramID: st.u.ID, Statuses: orders.ComplaintOrderStatuses, Limit: 8})
	if err != nil {
		return err
	}
	switch len(os) {
	case 0:
		st.say(st.t("complaint.no_orders"))
		return nil
	case 1:
		return st.complainAbout(os[0].Number)
	}
	st.s.List = st.s.List[:0]
	for _, o := range os {
		st.s.List = append(st.s.List, o.Number)
	}
	return st.goTo(stateComplainOrder)
}

func (st *step) complainAbout(number string) error {
	o, err := st.e.desk.CustomerOrder(st.ctx, st.u.ID, strings.ToUpper(number))
	if err != nil {
		return st.explain(err, orders.Order{Number: number})
	}
	if !orders.CanComplain(o) {
		st.say(st.t("complaint.not_yet", o.Number))
		return nil
	}
	st.s.Work = &work{Number: o.Number}
	return st.goTo(stateComplainText)
}

func (st *step) askComplainOrder() error {
	var rows [][]Button
	for _, n := range st.s.List {
		rows = append(rows, []Button{st.rawBtn(n, "ord", n)})
	}
	rows = append(rows, []Button{st.btn("btn.cancel", "cancel")})
	st.say(st.t("complaint.ask_order"), rows...)
	return nil
}

func (st *step) answerComplainOrder(in Input, action, arg string) error {
	n := arg
	if action != "ord" {
		n = strings.ToUpper(strings.TrimSpace(in.Text))
	}
	for _, x := range st.s.List {
		if x == n {
			st.s.State, st.s.Stack = stateIdle, nil
			return st.complainAbout(n)
		}
	}
	st.say(st.t("complaint.pick_order"))
	return st.reask()
}

func (st *step) askComplainText() error {
	st.say(st.t("complaint.ask_text", st.s.Work.Number), []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

// message reads a message of a complaint: text, or a photo with or without a caption. A
// photo without words is kept and the words asked for; ok is false then, or when the input
// was refused (and explained).
func (st *step) complaintMessage(in Input) (text string, photos []string, ok bool) {
	w := st.s.Work
	switch in.Kind {
	case InputPhoto:
		if len(w.Photos) < maxComplaintPhotos {
			w.Photos = append(w.Photos, in.Photo)
		}
		if strings.TrimSpace(in.Text) == "" {
			st.say(st.t("complaint.photo_kept", len(w.Photos)), []Button{st.btn("complaint.btn.send", "send")})
			return "", nil, false
		}
	case InputText:
	default:
		st.say(st.t("complaint.text_please"))
		return "", nil, false
	}
	text = strings.TrimSpace(in.Text)
	if len([]rune(text)) > orders.MaxComplaintText {
		st.say(st.t("complaint.too_long", orders.MaxComplaintText))
		return "", nil, false
	}
	if text == "" && len(w.Photos) == 0 {
		st.say(st.t("complaint.text_please"))
		return "", nil, false
	}
	return text, w.Photos, true
}

func (st *step) answerComplainText(in Input, action, _ string) error {
	var text string
	var photos []string
	if action == "send" && len(st.s.Work.Photos) > 0 {
		photos = st.s.Work.Photos
	} else {
		var ok bool
		if text, photos, ok = st.complaintMessage(in); !ok {
			return nil
		}
	}
	number := st.s.Work.Number
	c, err := st.e.complaints.Open(st.ctx, st.u.ID, number, text, photos)
	st.reset(true)
	if err != nil {
		return st.explain(err, orders.Order{Number: number})
	}
	st.say(st.t("complaint.opened", c.ID, c.Number))
	return nil
}

// complaintAction handles the complaint buttons "m:cp:<verb>:<arg>".
func (st *step) complaintAction(rest string) error {
	if st.e.complaints == nil {
		st.say(st.t("complaint.unavailable"))
		return nil
	}
	verb, arg, _ := strings.Cut(rest, ":")
	if verb == "o" {
		return st.complain(arg)
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		st.say(st.t("err.stale_button"))
		return nil
	}
	switch verb {
	case "r":
		if st.u.Role.Staff() {
			if _, _, err := st.e.complaints.Complaint(st.ctx, st.actor(), id); err != nil {
				return st.complaintErr(err, orders.Complaint{ID: id})
			}
		} else if _, _, err := st.e.complaints.Complaint(st.ctx, orders.CustomerActor(st.u.ID), id); err != nil {
			return st.complaintErr(err, orders.Complaint{ID: id})
		}
		st.reset(true)
		st.s.Work = &work{Complaint: id}
		return st.goTo(stateComplaintReply)
	case "y", "n":
		c, err := st.e.complaints.Confirm(st.ctx, st.u.ID, id, verb == "y")
		if err != nil {
			return st.complaintErr(err, c)
		}
		st.say(st.t("complaint.answered."+verb, c.ID))
		return nil
	case "c", "s", "v":
		if !st.staffOnly() {
			return nil
		}
	default:
		st.say(st.t("err.stale_button"))
		return nil
	}
	switch verb {
	case "c":
		c, err := st.e.complaints.Claim(st.ctx, st.actor(), id)
		if err != nil {
			return st.complaintErr(err, c)
		}
		st.say(st.t("complaint.claimed", c.ID, c.Number))
		return nil
	case "s":
		st.reset(true)
		st.s.Work = &work{Complaint: id}
		return st.goTo(stateComplaintNote)
	}
	return st.showComplaint(id)
}

// complaintErr explains why a complaint action was refused, or returns err.
func (st *step) complaintErr(err error, c orders.Complaint) error {
	switch {
	case errors.Is(err, orders.ErrComplaintClaimed):
		st.say(st.t("complaint.already_claimed", c.ID, c.RepName))
	case errors.Is(err, orders.ErrInvalidTransition):
		st.say(st.t("complaint.moved", c.ID, st.t("complaint.status."+string(c.Status))))
	case errors.Is(err, orders.ErrNotFound):
		st.say(st.t("complaint.not_found"))
	case errors.Is(err, orders.ErrForbidden):
		st.say(st.t("err.forbidden"))
	default:
		var verr *orders.ValidationError
		if errors.As(err, &verr) {
			st.say(st.t("complaint.text_please"))
			return nil
		}
		return err
	}
	return nil
}

func (st *step) askComplaintReply() error {
	st.say(st.t("complaint.ask_reply", st.s.Work.Complaint), []Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerComplaintReply(in Input, action, _ string) error {
	w := st.s.Work
	var text string
	var photos []string
	if action == "send" && len(w.Photos) > 0 {
		photos = w.Photos
	} else {
		var ok bool
		if text, photos, ok = st.complaintMessage(in); !ok {
			return nil
		}
	}
	var c orders.Complaint
	var err error
	if st.u.Role.Staff() {
		c, err = st.e.complaints.Reply(st.ctx, st.actor(), w.Complaint, text, photos)
	} else {
		c, err = st.e.complaints.CustomerMessage(st.ctx, st.u.ID, w.Complaint, text, photos)
	}
	st.reset(true)
	if err != nil {
		return st.complaintErr(err, c)
	}
	st.say(st.t("complaint.relayed", c.ID))
	return nil
}

func (st *step) askComplaintNote() error {
	st.say(st.t("complaint.ask_note", st.s.Work.Complaint), []Button{st.btn("btn.skip", "skip"), st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerComplaintNote(in Input, action, _ string) error {
	note := ""
	if action != "skip" {
		if in.Kind != InputText {
			st.say(st.t("complaint.text_please"))
			return nil
		}
		note = in.Text
	}
	id := st.s.Work.Complaint
	st.reset(true)
	c, err := st.e.complaints.Resolve(st.ctx, st.actor(), id, note)
	if err != nil {
		return st.complaintErr(err, c)
	}
	st.say(st.t("complaint.resolved_by_you", c.ID))
	return nil
}

// showComplaint shows staff a complaint with its messages.
func (st *step) showComplaint(id int64) error {
	c, ms, err := st.e.complaints.Complaint(st.ctx, st.actor(), id)
	if err != nil {
		return st.complaintErr(err, orders.Complaint{ID: id})
	}
	owner := c.RepName
	if c.Rep == 0 {
		owner = st.t("complaint.nobody")
	}
	lines := []string{st.t("complaint.card", c.ID, c.Number, c.CustomerName, st.t("complaint.status."+string(c.Status)), owner),
		st.t("complaint.deadlines", st.instant(c.RespondBy), st.instant(c.ResolveBy))}
	for _, m := range ms {
		who := st.t("complaint.who.desk")
		if strings.HasPrefix(m.From, "customer:") {
			who = st.t("complaint.who.customer")
		}
		line := st.instant(m.At) + " " + who + ": " + m.Text
		if len(m.Photos) > 0 {
			line += " " + st.t("complaint.photos", len(m.Photos))
		}
		lines = append(lines, line)
	}
	n := strconv.FormatInt(c.ID, 10)
	var rows [][]Button
	if c.Status != orders.ComplaintClosed {
		row := []Button{{Text: st.t("complaint.btn.reply"), Data: "m:cp:r:" + n}}
		if c.Rep == 0 {
			row = append(row, Button{Text: st.t("complaint.btn.claim"), Data: "m:cp:c:" + n})
		}
		rows = append(rows, row)
		if c.Status == orders.ComplaintOpen || c.Status == orders.ComplaintReplied {
			rows = append(rows, []Button{{Text: st.t("complaint.btn.resolve"), Data: "m:cp:s:" + n}})
		}
	}
	st.say(strings.Join(lines, "\n"), rows...)
	return nil
}

// complaintQueue answers /complaints [overdue]: the complaints not closed, with counts.
func (st *step) complaintQueue(args string) error {
	if !st.staffOnly() {
		return nil
	}
	if st.e.complaints == nil {
		st.say(st.t("complaint.unavailable"))
		return nil
	}
	overdue := args == "overdue" || args == "逾期"
	list, counts, err := st.e.complaints.ComplaintQueue(st.ctx, st.actor(), overdue)
	if err != nil {
		return st.complaintErr(err, orders.Complaint{})
	}
	head := st.t("complaint.queue", counts["open"], counts["replied"], counts["resolved"], counts["overdue"])
	if len(list) == 0 {
		st.say(head + "\n" + st.t("complaint.queue.empty"))
		return nil
	}
	var rows [][]Button
	for i, c := range list {
		if i == 20 {
			break
		}
		label := st.t("complaint.queue.line", c.ID, c.Number, st.t("complaint.status."+string(c.Status)))
		if c.Overdue(st.e.complaints.Now()) {
			label = "⚠ " + label
		}
		rows = append(rows, []Button{{Text: label, Data: "m:cp:v:" + strconv.FormatInt(c.ID, 10)}})
	}
	st.say(head, rows...)
	return nil
}

// surveyComplaint opens a complaint for a survey answer of 1 or 2 and tells the customer;
// the comment that follows goes to it.
func (st *step) surveyComplaint(number string, rating int) error {
	if st.e.complaints == nil {
		return nil
	}
	c, opened, err := st.e.complaints.OpenFromSurvey(st.ctx, st.u.ID, number, rating)
	if err != nil || c.ID == 0 {
		return err
	}
	if opened {
		st.say(st.t("complaint.from_survey", c.ID))
	}
	st.s.Work.Complaint = c.ID
	return nil
}

// complaintComment passes the comment after a low rating to its complaint.
func (st *step) complaintComment(id int64, comment string) {
	if id == 0 || st.e.complaints == nil || strings.TrimSpace(comment) == "" {
		return
	}
	if _, err := st.e.complaints.CustomerMessage(st.ctx, st.u.ID, id, comment, nil); err != nil {
		st.e.log.WarnContext(st.ctx, "survey comment not added to its complaint", "complaint", id, "err", err)
	}
}
