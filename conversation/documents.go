package conversation

import (
	"context"
	"strconv"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// DocumentDesk is what the order card needs of the documents archive: the list, a resend
// of one archived document, a new statement. *orders.Service implements it; a Desk that
// does not leaves the card without documents.
type DocumentDesk interface {
	Documents(ctx context.Context, a orders.Actor, number string) ([]orders.Document, error)
	ResendDocument(ctx context.Context, a orders.Actor, number string, id int64, chat int64) (orders.Document, error)
	RequestStatement(ctx context.Context, a orders.Actor, number string, chat int64) error
}

// maxCardDocuments is how many archived documents an order card lists (the latest).
const maxCardDocuments = 6

func (st *step) documentDesk() (DocumentDesk, bool) {
	d, ok := st.e.desk.(DocumentDesk)
	return d, ok
}

// cardDocuments is the order card's list of archived documents, one line and one resend
// button each (one language per version: the reader's when there is one), and for an order
// past confirmation a button for a new statement.
func (st *step) cardDocuments(o orders.Order) (string, [][]Button) {
	dd, ok := st.documentDesk()
	if !ok {
		return "", nil
	}
	docs, err := dd.Documents(st.ctx, st.actor(), o.Number)
	if err != nil {
		st.e.log.WarnContext(st.ctx, "documents of the card not listed", "order", o.Number, "err", err)
		return "", nil
	}
	type version struct {
		kind string
		v    int
	}
	pick := map[version]orders.Document{}
	var order []version
	for _, d := range docs {
		k := version{d.Kind, d.Version}
		cur, seen := pick[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || (cur.Lang != st.s.Lang && d.Lang == st.s.Lang) {
			pick[k] = d
		}
	}
	if len(order) > maxCardDocuments {
		order = order[len(order)-maxCardDocuments:]
	}
	var text string
	var rows [][]Button
	if len(order) > 0 {
		text = "\n" + st.t("doc.card.title")
	}
	for _, k := range order {
		d := pick[k]
		name := st.t("doc.name." + d.Kind)
		mark := ""
		switch {
		case d.Amended:
			mark = st.t("doc.card.amended")
		case d.Acceptance != nil:
			mark = st.t("doc.card.accepted")
		}
		at := d.CreatedAt.In(st.e.desk.Location())
		text += "\n" + st.t("doc.card.line", name, d.Version, mark, st.cardDate(at))
		rows = append(rows, []Button{{Text: st.t("btn.doc.resend", name, d.Version),
			Data: "m:dr:" + o.Number + ":" + strconv.FormatInt(d.ID, 10)}})
	}
	switch o.Status {
	case orders.StatusShipped, orders.StatusDelivered, orders.StatusCompleted:
		rows = append(rows, []Button{{Text: st.t("btn.doc.statement"), Data: "m:ds:" + o.Number}})
	}
	return text, rows
}

func (st *step) cardDate(at interface{ Format(string) string }) string {
	if st.s.Lang == i18n.ZH {
		return at.Format("2006年1月2日 15:04")
	}
	return at.Format("2006-01-02 15:04")
}

// documentAction handles the card's document buttons: "dr" resends the archived document
// arg, "ds" makes a new statement. Both go out through the outbox, to this chat.
func (st *step) documentAction(verb, number, arg string) error {
	dd, ok := st.documentDesk()
	if !ok {
		st.say(st.t("doc.unavailable"))
		return nil
	}
	a := st.actor()
	a.Lang = st.s.Lang
	if verb == "ds" {
		if err := dd.RequestStatement(st.ctx, a, number, st.u.ChatID); err != nil {
			return st.explain(err, orders.Order{Number: number})
		}
		st.say(st.t("doc.statement.queued", number))
		return nil
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		st.say(st.t("doc.unavailable"))
		return nil
	}
	d, err := dd.ResendDocument(st.ctx, a, number, id, st.u.ChatID)
	if err != nil {
		return st.explain(err, orders.Order{Number: number})
	}
	st.say(st.t("doc.resend.queued", st.t("doc.name."+d.Kind), d.Version, number))
	return nil
}
