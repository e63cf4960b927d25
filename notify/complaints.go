package notify

import (
	"context"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// Callback data of the complaint buttons: "m:cp:<verb>:<complaint id>"; the conversation
// engine handles them.
const (
	DataComplaintReply    = "m:cp:r:" // write the next message of the complaint
	DataComplaintClaim    = "m:cp:c:" // staff: own the complaint
	DataComplaintResolve  = "m:cp:s:" // staff: mark it resolved
	DataComplaintSolved   = "m:cp:y:" // the customer: it is solved
	DataComplaintUnsolved = "m:cp:n:" // the customer: it is not solved
)

// instant formats a moment in loc for the reader.
func (r renderer) instant(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "?"
	}
	t = t.In(loc)
	if r.lang == i18n.ZH {
		return t.Format("1月2日 15:04")
	}
	return t.Format("2 Jan 15:04")
}

// complaint renders the notifications of complaints; ok is false for other kinds.
func (r renderer) complaint(kind string, n orders.Notice, loc *time.Location) (Message, bool) {
	id := strconv.FormatInt(n.Complaint, 10)
	staffButtons := func() [][]Button {
		row := []Button{{Text: r.t("complaint.btn.reply"), Data: DataComplaintReply + id}}
		if n.Claimable {
			row = append(row, Button{Text: r.t("complaint.btn.claim"), Data: DataComplaintClaim + id})
		}
		return [][]Button{row, {{Text: r.t("complaint.btn.resolve"), Data: DataComplaintResolve + id}}}
	}
	photos := ""
	if n.Photos > 0 {
		photos = r.t("complaint.photos", n.Photos)
	}
	switch kind {
	case orders.NoticeComplaintNew:
		first := r.t("complaint.new", n.Complaint, n.Number, n.Customer)
		if n.Rating > 0 {
			first = r.t("complaint.new.survey", n.Complaint, n.Number, n.Customer, n.Rating)
		}
		lines := []string{first}
		if n.Note != "" {
			lines = append(lines, r.t("complaint.quote", n.Note))
		}
		lines = append(lines, photos, r.t("complaint.respond_by", r.instant(n.Due, loc)))
		if n.Claimable {
			lines = append(lines, r.t("complaint.unassigned"))
		}
		return Message{Text: text(lines...), Buttons: staffButtons()}, true
	case orders.NoticeComplaintMessage:
		if n.Customer != "" { // to staff: from the customer
			return Message{Text: text(r.t("complaint.from_customer", n.Complaint, n.Number, n.Customer),
				r.t("complaint.quote", n.Note), photos), Buttons: staffButtons()}, true
		}
		return Message{Text: text(r.t("complaint.from_desk", n.Complaint, n.Number, n.Actor), r.t("complaint.quote", n.Note), photos),
			Buttons: [][]Button{{{Text: r.t("complaint.btn.reply"), Data: DataComplaintReply + id}}}}, true
	case orders.NoticeComplaintResolved:
		lines := []string{r.t("complaint.resolved", n.Complaint, n.Number)}
		if n.Note != "" {
			lines = append(lines, r.t("complaint.quote", n.Note))
		}
		lines = append(lines, r.t("complaint.resolved.ask"))
		return Message{Text: text(lines...), Buttons: [][]Button{{
			{Text: r.t("complaint.btn.solved"), Data: DataComplaintSolved + id},
			{Text: r.t("complaint.btn.unsolved"), Data: DataComplaintUnsolved + id},
		}}}, true
	case orders.NoticeComplaintAnswered:
		if n.To == orders.Status(orders.ComplaintClosed) {
			return Message{Text: r.t("complaint.confirmed", n.Complaint, n.Number, n.Customer)}, true
		}
		return Message{Text: r.t("complaint.reopened", n.Complaint, n.Number, n.Customer), Buttons: staffButtons()}, true
	case orders.NoticeComplaintPhoto:
		return r.complaintPhoto(n)
	case orders.NoticeComplaintEscalated:
		key := "complaint.escalated.response"
		if n.Note == "resolution" {
			key = "complaint.escalated.resolution"
		}
		owner := n.Actor
		if owner == "" {
			owner = r.t("complaint.nobody")
		}
		return Message{Text: text(r.t(key, n.Complaint, n.Number, n.Customer, r.instant(n.Due, loc)), r.t("complaint.owner", owner)),
			Buttons: staffButtons()}, true
	}
	return Message{}, false
}

// DataCardClaim is the callback data of the Claim button of a card in the staff group; the
// bot handles it (the first press owns the card).
const DataCardClaim = "m:gc"

// cardKinds are the cards that get a Claim button in the staff group. Complaints have their
// own Claim (the complaint's owner); review_taken and complaint_taken are edits.
var cardKinds = map[string]bool{
	orders.NoticeReviewRequested: true, orders.NoticeReviewStale: true, orders.NoticeChangeRequested: true,
	orders.NoticeCustomerUnreachable: true, KindOverdue: true,
}

// complaintCards finds the cards of a complaint sent to a chat; *pgstore.Store has it.
type complaintCards interface {
	ComplaintCards(ctx context.Context, complaint int64, chatID int64) (messageIDs []int, unsent int, err error)
}

// complaintTaken is a complaint's card once somebody owns it: as it was, without Claim,
// saying who.
func (r renderer) complaintTaken(n orders.Notice, loc *time.Location) Message {
	n.Claimable = false
	m, _ := r.complaint(orders.NoticeComplaintNew, n, loc)
	m.Text = text(m.Text, r.t("group.claimed_by", n.Actor))
	return m
}

// complaintPhoto is one photo of a complaint's message, forwarded by its Telegram file id.
func (r renderer) complaintPhoto(n orders.Notice) (Message, bool) {
	if len(n.PhotoIDs) == 0 {
		return Message{}, false
	}
	caption := r.t("complaint.photo_of", n.Complaint, n.Number)
	return Message{Text: caption, File: &File{Photo: true, Name: "photo.jpg", ID: n.PhotoIDs[0]}}, true
}
