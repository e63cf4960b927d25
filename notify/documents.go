package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/documents"
	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// Documents. A notification of kind orders.NoticeDocument carries a PDF: the job renders it
// from the order as it is when the job runs, archives it — or takes the copy already
// archived for the same event and language, so that a job run again, or a second
// recipient, sends the very same bytes — and sends it as a file under the outbox's rules
// (claimed once, at the rate limits). The chat text that tells of the same change is a
// notification of its own and never waits for the PDF. A render that fails is retried with
// the job's backoff; after DocumentAttempts failures the responsible staff are told, and the
// document is not sent.

// DocumentRenderer makes a document's PDF; *documents.Renderer implements it.
type DocumentRenderer interface {
	Render(in documents.Input) ([]byte, error)
}

// DocumentArchive is the archive of documents; *pgstore.Store implements it.
type DocumentArchive interface {
	Payments(ctx context.Context, number string) ([]orders.Payment, error)
	Document(ctx context.Context, number, kind string, version int, lang string) (orders.Document, error)
	DocumentByID(ctx context.Context, id int64) (orders.Document, error)
	DocumentVersion(ctx context.Context, number, kind, event string) (int, error)
	SaveDocument(ctx context.Context, d orders.Document) (orders.Document, error)
}

// attemptKey carries the job's attempt number (1 for the first run) in its context.
type attemptKey struct{}

func withAttempt(ctx context.Context, attempt int) context.Context {
	return context.WithValue(ctx, attemptKey{}, attempt)
}

func attemptOf(ctx context.Context) int {
	a, _ := ctx.Value(attemptKey{}).(int)
	return max(a, 1)
}

// planDocument renders (or takes from the archive) the document of the notification.
func (n *Notifier) planDocument(ctx context.Context, a SendArgs) (plan, error) {
	if n.cfg.Documents == nil || n.cfg.Archive == nil {
		return plan{drop: "documents are not configured"}, nil
	}
	var dn orders.DocumentNotice
	if err := json.Unmarshal(a.Payload, &dn); err != nil {
		return plan{fail: "document payload: " + err.Error()}, nil
	}
	if dn.Number == "" {
		dn.Number = a.Number
	}
	lang := i18n.Normalize(dn.Lang)
	r := newRenderer(lang, n.cfg.Rules.Currency)
	if dn.Resend != 0 {
		d, err := n.cfg.Archive.DocumentByID(ctx, dn.Resend)
		if errors.Is(err, orders.ErrNotFound) {
			return plan{fail: "no archived document " + strconv.FormatInt(dn.Resend, 10)}, nil
		} else if err != nil {
			return plan{}, err
		}
		return n.documentMessage(ctx, a, r, d, true)
	}
	if !orders.ValidDocumentKind(dn.Document) || dn.Event == "" {
		return plan{fail: "unknown document " + strconv.Quote(dn.Document)}, nil
	}
	o, err := n.out.Order(ctx, dn.Number)
	if errors.Is(err, orders.ErrNotFound) {
		return plan{drop: "the order is gone"}, nil
	} else if err != nil {
		return plan{}, fmt.Errorf("order of the document: %w", err)
	}
	for try := 0; ; try++ {
		in, err := n.documentInput(ctx, dn, o, lang)
		if err != nil {
			return plan{}, err
		}
		data, err := n.cfg.Documents.Render(in)
		if err != nil {
			return n.renderFailed(ctx, a, dn, err)
		}
		d, err := n.cfg.Archive.SaveDocument(ctx, orders.Document{Number: o.Number, Kind: dn.Document, Version: in.Version,
			Lang: lang, Event: dn.Event, Reason: dn.Reason, Amended: dn.Amended, Acceptance: dn.Acceptance,
			AcceptedSHA256: in.AcceptedSHA256, Data: data})
		if errors.Is(err, orders.ErrConflict) && try < 5 {
			continue // another event took the version meanwhile: render with the next one
		} else if err != nil {
			return plan{}, fmt.Errorf("archive the document: %w", err)
		}
		return n.documentMessage(ctx, a, r, d, false)
	}
}

// documentInput gathers what the document shows.
func (n *Notifier) documentInput(ctx context.Context, dn orders.DocumentNotice, o orders.Order, lang string) (documents.Input, error) {
	arch := n.cfg.Archive
	version, err := arch.DocumentVersion(ctx, o.Number, dn.Document, dn.Event)
	if err != nil {
		return documents.Input{}, fmt.Errorf("document version: %w", err)
	}
	in := documents.Input{Kind: dn.Document, Lang: lang, Order: o, Version: version, Amended: dn.Amended,
		Acceptance: dn.Acceptance, Issued: n.now()}
	if dn.Amended {
		in.AmendedNote = i18n.T(lang, "doc.amended_before")
		if dn.ChangeID != 0 {
			in.AmendedNote = i18n.T(lang, "doc.amended_change", dn.ChangeID)
		}
	} else if dn.Reason == orders.ReasonAmended {
		in.Amended, in.AmendedNote = true, i18n.T(lang, "doc.amended_before")
	}
	if dn.Acceptance != nil && version > 1 {
		// The acceptance records what the customer accepted: the latest version before it.
		prev, err := arch.Document(ctx, o.Number, orders.DocConfirmation, version-1, lang)
		if errors.Is(err, orders.ErrNotFound) {
			prev, err = arch.Document(ctx, o.Number, orders.DocConfirmation, version-1, "")
		}
		switch {
		case err == nil:
			in.AcceptedSHA256 = prev.SHA256
		case !errors.Is(err, orders.ErrNotFound):
			return documents.Input{}, fmt.Errorf("the accepted confirmation: %w", err)
		}
	}
	if dn.Document == orders.DocStatement {
		if in.Payments, err = arch.Payments(ctx, o.Number); err != nil {
			return documents.Input{}, fmt.Errorf("payments: %w", err)
		}
	}
	return in, nil
}

// documentMessage is the message that carries the archived document d.
func (n *Notifier) documentMessage(ctx context.Context, a SendArgs, r renderer, d orders.Document, resend bool) (plan, error) {
	name := r.t("doc.name." + d.Kind)
	if len(d.Data) > n.cfg.MaxDocumentSize {
		n.tellStaff(ctx, a, d.Number, orders.Notice{Number: d.Number, Note: d.Kind, Actor: "too_big"})
		return plan{fail: fmt.Sprintf("%s is %d bytes, more than %d", d.FileName(), len(d.Data), n.cfg.MaxDocumentSize)}, nil
	}
	key := "doc.caption"
	if resend {
		key = "doc.caption_resend"
	}
	return plan{msg: Message{Text: r.t(key, name, d.Number, d.Version),
		File: &File{Name: d.FileName(), Data: d.Data}}}, nil
}

// renderFailed retries a failed render with the job's backoff and, after
// DocumentAttempts failures, tells the responsible staff and gives up.
func (n *Notifier) renderFailed(ctx context.Context, a SendArgs, dn orders.DocumentNotice, err error) (plan, error) {
	attempt := attemptOf(ctx)
	n.log.ErrorContext(ctx, "document not rendered", "key", a.Key, "order", dn.Number, "document", dn.Document,
		"attempt", attempt, "err", err)
	if attempt < n.cfg.DocumentAttempts {
		return plan{}, fmt.Errorf("render %s: %w", dn.Document, err)
	}
	n.tellStaff(ctx, a, dn.Number, orders.Notice{Number: dn.Number, Note: dn.Document})
	return plan{fail: "render: " + err.Error()}, nil
}

// tellStaff queues a document_failed notice about the order to its responsible staff.
func (n *Notifier) tellStaff(ctx context.Context, a SendArgs, number string, nt orders.Notice) {
	staff, err := n.out.ResponsibleStaff(ctx, number)
	if err != nil {
		n.log.ErrorContext(ctx, "responsible staff not found for a failed document", "err", err)
		return
	}
	var ns []orders.Notification
	for _, st := range staff {
		nt.Lang = st.Language
		ns = append(ns, orders.NewNotification(orders.NoticeDocumentFailed, st.TelegramID,
			orders.NoticeDocumentFailed+":"+a.Key+":"+strconv.FormatInt(st.TelegramID, 10), nt, time.Time{}))
	}
	if err := n.out.QueueNotices(ctx, number, ns); err != nil {
		n.log.ErrorContext(ctx, "failed document not reported", "err", err)
	}
}

// documentFailed tells staff that a document was not sent.
func (r renderer) documentFailed(nt orders.Notice) Message {
	key := "doc.failed"
	if nt.Actor == "too_big" {
		key = "doc.too_big"
	}
	return Message{Text: r.t(key, r.t("doc.name."+nt.Note), nt.Number)}
}
