package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// The desk's documents (package documents renders them as PDF). Their identifiers are a
// public interface: the archive, the command line's --kind, file names.
const (
	// DocConfirmation is the order confirmation / sales contract (订单确认书 / 销售合同):
	// sent with the request to Confirm, again as the record of the customer's acceptance,
	// and again, marked amended, after an approved change.
	DocConfirmation = "confirmation"
	// DocProductionSchedule (生产交期表) goes to the reps and the production chat when an
	// order goes into production.
	DocProductionSchedule = "production_schedule"
	// DocDeliveryNote (送货单) goes with the shipment.
	DocDeliveryNote = "delivery_note"
	// DocStatement (结算单) goes at delivery and on request: payments and balance, not a
	// tax invoice.
	DocStatement = "statement"
)

// DocumentKinds lists the document kinds.
var DocumentKinds = []string{DocConfirmation, DocProductionSchedule, DocDeliveryNote, DocStatement}

// ValidDocumentKind reports whether kind is one of DocumentKinds.
func ValidDocumentKind(kind string) bool { return slices.Contains(DocumentKinds, kind) }

// NoticeDocument is a notification that carries a document: notify renders it from the
// order as it is when the job runs, archives it (a new version, or the copy already archived
// for the same event and language) and sends it as a file. Its payload is a DocumentNotice.
const NoticeDocument = "document"

// NoticeDocumentFailed tells the responsible staff that a document could not be made.
const NoticeDocumentFailed = "document_failed"

// Reasons recorded with a document version.
const (
	ReasonReviewed  = "reviewed"                    // sent with the request to Confirm
	ReasonPlaced    = "placed"                      // placed confirmed at once
	ReasonAccepted  = "accepted"                    // the customer's Confirm: the electronic signature
	ReasonChange    = "change_approved"             // an approved change after confirmation: amended
	ReasonProduce   = "production_start"            // the order went into production
	ReasonShipped   = "shipped"                     // the goods left
	ReasonDelivered = "delivered"                   // the goods arrived
	ReasonRequested = "requested"                   // asked for from the order card
	ReasonAmended   = "changed_before_confirmation" // changed while awaiting the Confirm
)

// DocumentSettings are the seller's details and texts printed on documents, and where
// production schedules go: the "documents" section of the rules file.
type DocumentSettings struct {
	Seller Seller `json:"seller"`
	// TermsEN and TermsZH are the desk's standard terms, one clause per entry, printed on
	// the confirmation in the document's language.
	TermsEN []string `json:"terms_en,omitempty"`
	TermsZH []string `json:"terms_zh,omitempty"`
	// ProductionChat is a Telegram chat (a group's negative id) that receives every
	// production schedule besides the reps; 0: none.
	ProductionChat int64 `json:"production_chat,omitempty"`
	// ProductionLang is the language of the production chat's copy ("zh" by default).
	ProductionLang string `json:"production_lang,omitempty"`
}

// Seller is the company that sells, as its documents name it; fields ending in ZH are the
// Chinese form (the English one is used when empty, and the other way round).
type Seller struct {
	NameEN    string `json:"name_en"`
	NameZH    string `json:"name_zh"`
	AddressEN string `json:"address_en"`
	AddressZH string `json:"address_zh"`
	TaxID     string `json:"tax_id"`
	BankEN    string `json:"bank_en"`
	BankZH    string `json:"bank_zh"`
	Account   string `json:"account"`
	Contact   string `json:"contact"`
	Phone     string `json:"phone"`
	Email     string `json:"email,omitempty"`
}

// Pick returns zh for Chinese when set, else en, else zh.
func Pick(lang, en, zh string) string {
	if lang == "zh" && zh != "" {
		return zh
	}
	if en != "" {
		return en
	}
	return zh
}

// Acceptance is the customer's electronic signature of a confirmation: who pressed
// Confirm, when, and the idempotency key of that Confirm.
type Acceptance struct {
	Name       string    `json:"name"`
	TelegramID int64     `json:"telegram_id"`
	At         time.Time `json:"at"`
	Key        string    `json:"key,omitempty"`
}

// Document is one archived version of a document of an order in one language.
type Document struct {
	ID      int64
	Number  string // the order
	Kind    string
	Version int // 1, 2, … per order and kind; the languages of one version share it
	Lang    string
	SHA256  string // hex of Data
	Size    int
	Reason  string
	Amended bool // a confirmation issued again after a change
	// Acceptance is set on the confirmation version that records the customer's Confirm;
	// AcceptedSHA256 is then the SHA-256 of the version the customer was sent and accepted.
	Acceptance     *Acceptance
	AcceptedSHA256 string
	Event          string // what caused it; one version per event
	CreatedAt      time.Time
	Data           []byte // empty in lists
}

// FileName is the name the document is sent and written under, like
// SO-20261201-0001-confirmation-v2.pdf.
func (d Document) FileName() string {
	return d.Number + "-" + d.Kind + "-v" + strconv.Itoa(d.Version) + ".pdf"
}

// Payment is money received for an order.
type Payment struct {
	Amount decimal.Decimal
	Method string
	Actor  string
	At     time.Time
}

// DocumentNotice is the payload of a NoticeDocument notification.
type DocumentNotice struct {
	Notice
	Document string `json:"document"`
	// Event names what caused the document (one version per event): every recipient's copy
	// of it shares the version.
	Event      string      `json:"event"`
	Reason     string      `json:"reason,omitempty"`
	Amended    bool        `json:"amended,omitempty"`
	Acceptance *Acceptance `json:"acceptance,omitempty"`
	// Resend is the id of an archived document to send again as it is.
	Resend int64 `json:"resend,omitempty"`
}

// DocumentStore is the archive of documents; orders/pgstore implements it.
type DocumentStore interface {
	// Payments lists the payments of the order, oldest first.
	Payments(ctx context.Context, number string) ([]Payment, error)
	// Documents lists the archived documents of the order (without Data), oldest first.
	Documents(ctx context.Context, number string) ([]Document, error)
	// Document returns one archived document with its Data: the kind's version (0: the
	// latest) in lang ("": any language of that version). ErrNotFound when none.
	Document(ctx context.Context, number, kind string, version int, lang string) (Document, error)
	// DocumentByID returns one archived document with its Data.
	DocumentByID(ctx context.Context, id int64) (Document, error)
	// DocumentVersion returns the version a document of the event would have: the event's
	// own when one of its languages is archived, else the next one.
	DocumentVersion(ctx context.Context, number, kind, event string) (int, error)
	// SaveDocument archives d (Number, Kind, Version, Lang, Event, Data …) and returns the
	// stored document: the one already archived for the same event and language, if any.
	// ErrConflict when d.Version is no longer the event's version (another event took it).
	SaveDocument(ctx context.Context, d Document) (Document, error)
	// QueueNotices writes notifications about the order with their jobs, in one
	// transaction (a resend, a statement on request).
	QueueNotices(ctx context.Context, number string, ns []Notification) error
}

// requestKey is the context key of the idempotency key of the request being handled.
type requestKey struct{}

// WithRequestKey returns ctx carrying the idempotency key of the request being handled (for
// a chat, the update's key): the customer's Confirm records it with the acceptance.
func WithRequestKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, requestKey{}, key)
}

// RequestKey returns the key WithRequestKey stored, or "".
func RequestKey(ctx context.Context) string {
	k, _ := ctx.Value(requestKey{}).(string)
	return k
}

// documentTo addresses a document about o to its customer: their chat, or else the
// responsible rep's (a customer registered by a rep has no chat).
func (s *Service) documentTo(o Order, kind, event, reason string, amended bool, acc *Acceptance) []Notification {
	dn := DocumentNotice{Notice: Notice{Lang: o.Customer.Language, Number: o.Number, Customer: o.Customer.Name},
		Document: kind, Event: event, Reason: reason, Amended: amended, Acceptance: acc}
	chat := o.Customer.TelegramID
	if chat == 0 {
		chat = o.Rep
	}
	if chat == 0 {
		return nil
	}
	return []Notification{documentNotification(chat, dn)}
}

func documentNotification(chat int64, dn DocumentNotice) Notification {
	key := NoticeDocument + ":" + dn.Event + ":" + strconv.FormatInt(chat, 10)
	if dn.Resend != 0 {
		key = NoticeDocument + ":resend:" + strconv.FormatInt(dn.Resend, 10) + ":" + strconv.FormatInt(chat, 10) + ":" + randomID()
	}
	n := NewNotification(NoticeDocument, chat, key, Notice{}, time.Time{})
	n.Payload = mustJSON(dn)
	return n
}

// documentEvent names the event that causes a document: the kind, the order and its
// history length at that moment.
func documentEvent(kind string, o Order) string {
	return kind + ":" + o.Number + ":" + strconv.Itoa(len(o.History))
}

// productionSchedules addresses the production schedule of o to the responsible rep (every
// active rep when none) and the production chat.
func (s *Service) productionSchedules(ctx context.Context, o Order) []Notification {
	event := documentEvent(DocProductionSchedule, o)
	var out []Notification
	staff, err := s.otherStaff(ctx, 0, nil)
	if err != nil {
		s.log.WarnContext(ctx, "staff not listed for the production schedule", "err", err)
	}
	for _, st := range staff {
		if o.Rep != 0 && st.TelegramID != o.Rep {
			continue
		}
		if o.Rep == 0 && st.Role != RoleRep {
			continue
		}
		out = append(out, documentNotification(st.TelegramID, DocumentNotice{
			Notice:   Notice{Lang: st.Language, Number: o.Number, Customer: o.Customer.Name},
			Document: DocProductionSchedule, Event: event, Reason: ReasonProduce}))
	}
	if chat := s.rules.Documents.ProductionChat; chat != 0 {
		lang := s.rules.Documents.ProductionLang
		if lang == "" {
			lang = "zh"
		}
		out = append(out, documentNotification(chat, DocumentNotice{
			Notice:   Notice{Lang: lang, Number: o.Number, Customer: o.Customer.Name},
			Document: DocProductionSchedule, Event: event, Reason: ReasonProduce}))
	}
	return out
}

// transitionDocuments are the documents a status change causes, written in its transaction.
func (s *Service) transitionDocuments(ctx context.Context, old, next Order) []Notification {
	switch next.Status {
	case StatusInProduction:
		if old.Status != StatusConfirmed {
			return nil // rework: the schedule went out already
		}
		return s.productionSchedules(ctx, next)
	case StatusShipped:
		return s.documentTo(next, DocDeliveryNote, documentEvent(DocDeliveryNote, next), ReasonShipped, false, nil)
	case StatusDelivered:
		return s.documentTo(next, DocStatement, documentEvent(DocStatement, next), ReasonDelivered, false, nil)
	}
	return nil
}

// Documents lists the archived documents of an order: any order for staff, their own for a
// customer.
func (s *Service) Documents(ctx context.Context, a Actor, number string) ([]Document, error) {
	if _, err := s.orderFor(ctx, a, number); err != nil {
		return nil, err
	}
	return s.docs().Documents(ctx, number)
}

// DocumentFile returns one archived document with its bytes (version 0: the latest; lang
// "": the version's first language), for the operator.
func (s *Service) DocumentFile(ctx context.Context, number, kind string, version int, lang string) (Document, error) {
	if !ValidDocumentKind(kind) {
		return Document{}, &ValidationError{Field: "kind", Reason: "one of confirmation, production_schedule, delivery_note, statement"}
	}
	if version < 0 {
		return Document{}, &ValidationError{Field: "version", Reason: "a version is 1 or more"}
	}
	return s.docs().Document(ctx, number, kind, version, lang)
}

// ResendDocument queues an archived document of the order to be sent again, as it is, to
// chat (the actor's own chat).
func (s *Service) ResendDocument(ctx context.Context, a Actor, number string, id int64, chat int64) (Document, error) {
	o, err := s.orderFor(ctx, a, number)
	if err != nil {
		return Document{}, err
	}
	d, err := s.docs().DocumentByID(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if d.Number != o.Number {
		return Document{}, fmt.Errorf("document %d of %s: %w", id, number, ErrNotFound)
	}
	lang := a.Lang
	if a.Kind == ActorCustomer && lang == "" {
		lang = o.Customer.Language
	}
	n := documentNotification(chat, DocumentNotice{Notice: Notice{Lang: lang, Number: number},
		Document: d.Kind, Event: d.Event, Resend: d.ID})
	d.Data = nil
	return d, s.store.QueueNotices(ctx, number, []Notification{n})
}

// RequestStatement queues a new statement of the order to chat (the actor's own).
func (s *Service) RequestStatement(ctx context.Context, a Actor, number string, chat int64) error {
	o, err := s.orderFor(ctx, a, number)
	if err != nil {
		return err
	}
	if o.Status == StatusPendingReview || o.Status == StatusAwaitingCustomer || o.Status == StatusCancelled {
		return fmt.Errorf("%s is %s: no statement yet: %w", number, o.Status, ErrInvalidTransition)
	}
	dn := DocumentNotice{Notice: Notice{Lang: a.Lang, Number: number, Customer: o.Customer.Name},
		Document: DocStatement, Event: DocStatement + ":" + number + ":req:" + randomID(), Reason: ReasonRequested}
	if a.Kind == ActorCustomer && dn.Lang == "" {
		dn.Lang = o.Customer.Language
	}
	return s.store.QueueNotices(ctx, number, []Notification{documentNotification(chat, dn)})
}

// orderFor returns the order when the actor may see it.
func (s *Service) orderFor(ctx context.Context, a Actor, number string) (Order, error) {
	switch {
	case a.Kind == ActorCustomer:
		return s.CustomerOrder(ctx, a.TelegramID, number)
	case a.May(ActViewAll):
		return s.store.Order(ctx, number)
	}
	return Order{}, s.forbidden(ctx, a, ActViewAll)
}

// docs returns the store's archive.
func (s *Service) docs() DocumentStore { return s.store }

func mustJSON(v any) []byte {
	p, err := json.Marshal(v)
	if err != nil {
		panic("orders: payload does not encode: " + err.Error()) // only plain values: cannot happen
	}
	return p
}

// amendedConfirmation is the new confirmation version an approved change c of o causes,
// marked amended, with the change as its reason.
func (s *Service) amendedConfirmation(o Order, c ChangeRequest) []Notification {
	ns := s.documentTo(o, DocConfirmation, DocConfirmation+":"+o.Number+":change:"+strconv.FormatInt(c.ID, 10),
		ReasonChange+" #"+strconv.FormatInt(c.ID, 10)+": "+changeText(c), true, nil)
	for i := range ns {
		var dn DocumentNotice
		if json.Unmarshal(ns[i].Payload, &dn) == nil {
			dn.ChangeID = c.ID
			ns[i].Payload = mustJSON(dn)
		}
	}
	return ns
}
