package notify_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/documents"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

var _ notify.DocumentArchive = (*pgstore.Store)(nil)

// withDocuments configures the notifier to render and archive documents, as serve does.
func (e *env) withDocuments(more func(*notify.Config)) func(*notify.Config) {
	return func(c *notify.Config) {
		c.Documents = documents.NewRenderer(e.bed.Rules, testbed.Shanghai)
		c.Archive = e.bed.Store
		if more != nil {
			more(c)
		}
	}
}

// expectDocument waits for a document named name in chat and returns it.
func expectDocument(t *testing.T, srv *telegramtest.Server, chat int64, name string) telegramtest.Sent {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	m, err := srv.WaitSent(ctx, chat, func(m telegramtest.Sent) bool { return m.Document != nil && m.Document.Name == name })
	if err != nil {
		t.Fatalf("chat %d: no document %s: %v", chat, name, err)
	}
	if m.Method != "sendDocument" {
		t.Errorf("%s came by %s, want sendDocument", name, m.Method)
	}
	return m
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// The confirmation goes with the request to Confirm, again with the customer's acceptance,
// and again, amended, after an approved change: three versions in the archive, each the
// very bytes sent through the Bot API.
func TestConfirmationVersionsAreArchivedAsSent(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	e.start(srv, e.withDocuments(nil))
	ctx := e.ctx
	asAlice, asMei := orders.StaffActor(alice), orders.StaffActor(mei)

	o := e.place(wang, "CHAIR-300", 20, e.today().AddDays(30)) // not in stock: reviewed
	num := o.Number
	if _, err := e.svc.Review(ctx, "", num, asAlice, orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	v1 := expectDocument(t, srv, wang.TelegramID, num+"-confirmation-v1.pdf")
	if !strings.Contains(v1.Caption, "订单确认书") || !strings.Contains(v1.Caption, num) {
		t.Errorf("caption %q", v1.Caption)
	}
	expectText(t, srv, wang.TelegramID, "请确认订单 "+num) // the chat text goes too, on its own

	// The customer's Confirm, with the key of its update.
	if _, err := e.svc.CustomerDecide(orders.WithRequestKey(ctx, "u:424242"), "u:424242", num, wang.TelegramID, true); err != nil {
		t.Fatal(err)
	}
	v2 := expectDocument(t, srv, wang.TelegramID, num+"-confirmation-v2.pdf")

	// A change after confirmation, approved: the third version, amended.
	cr, _, err := e.svc.RequestChange(ctx, "", wang.TelegramID, orders.ChangeRequest{Number: num, Kind: orders.ChangeDate,
		Date: e.today().AddDays(40), Reason: "site not ready"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.DecideChange(ctx, "", cr.ID, asMei, true, "ok"); err != nil {
		t.Fatal(err)
	}
	v3 := expectDocument(t, srv, wang.TelegramID, num+"-confirmation-v3.pdf")

	docs, err := e.svc.Documents(ctx, orders.Operator, num)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 {
		t.Fatalf("%d documents archived, want 3: %+v", len(docs), docs)
	}
	for i, sent := range []telegramtest.Sent{v1, v2, v3} {
		d := docs[i]
		if d.Kind != orders.DocConfirmation || d.Version != i+1 || d.Lang != "zh" {
			t.Errorf("document %d is %s v%d %s", i, d.Kind, d.Version, d.Lang)
		}
		if got := sha(sent.Document.Data); got != d.SHA256 {
			t.Errorf("v%d: archived SHA-256 %s, sent bytes %s", d.Version, d.SHA256, got)
		}
		full, err := e.svc.DocumentFile(ctx, num, orders.DocConfirmation, d.Version, "")
		if err != nil {
			t.Fatal(err)
		}
		if sha(full.Data) != d.SHA256 || full.Size != len(sent.Document.Data) {
			t.Errorf("v%d: the archived bytes are not the bytes sent", d.Version)
		}
	}
	if docs[0].Reason != orders.ReasonReviewed || docs[0].Amended || docs[0].Acceptance != nil {
		t.Errorf("v1: reason %q amended %v acceptance %v", docs[0].Reason, docs[0].Amended, docs[0].Acceptance)
	}
	acc := docs[1].Acceptance
	switch {
	case acc == nil:
		t.Fatal("v2 records no acceptance")
	case acc.Name != wang.Name || acc.TelegramID != wang.TelegramID || acc.Key != "u:424242" || acc.At.IsZero():
		t.Errorf("v2 acceptance %+v", acc)
	case docs[1].AcceptedSHA256 != docs[0].SHA256:
		t.Errorf("v2 says the customer accepted %s, v1 is %s", docs[1].AcceptedSHA256, docs[0].SHA256)
	}
	if !docs[2].Amended || !strings.HasPrefix(docs[2].Reason, orders.ReasonChange) || !strings.Contains(docs[2].Reason, "site not ready") {
		t.Errorf("v3: amended %v, reason %q", docs[2].Amended, docs[2].Reason)
	}

	// Sent again from the card: the same bytes, a new message.
	if _, err := e.svc.ResendDocument(ctx, orders.CustomerActor(wang.TelegramID), num, docs[0].ID, wang.TelegramID); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	again, err := srv.WaitSent(ctx2, wang.TelegramID, func(m telegramtest.Sent) bool {
		return m.Document != nil && strings.Contains(m.Caption, "重新发送")
	})
	if err != nil {
		t.Fatal(err)
	}
	if again.Document.Name != v1.Document.Name || sha(again.Document.Data) != docs[0].SHA256 {
		t.Errorf("resent %s %s, want the archived v1", again.Document.Name, sha(again.Document.Data))
	}
	// Another customer cannot have it.
	if _, err := e.svc.ResendDocument(ctx, orders.CustomerActor(smith.TelegramID), num, docs[0].ID, smith.TelegramID); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("another customer's resend: %v, want not found", err)
	}
	e.settled(30*time.Second, orders.NoticeDeliveryReminder)
	if n := len(e.sentDocuments(srv, wang.TelegramID)); n != 4 {
		t.Errorf("%d documents sent to the customer, want 4 (three versions and one resend)", n)
	}
}

func (e *env) sentDocuments(srv *telegramtest.Server, chat int64) []telegramtest.Sent {
	var out []telegramtest.Sent
	for _, m := range srv.SentTo(chat) {
		if m.Document != nil {
			out = append(out, m)
		}
	}
	return out
}

// Production: the schedule goes to the responsible rep and the production chat, one
// version in two languages; shipment brings the delivery note, delivery the statement.
func TestScheduleDeliveryNoteAndStatement(t *testing.T) {
	t.Parallel()
	e := setup(t)
	const production = -100777
	rules := e.bed.Rules
	rules.Documents.ProductionChat = production
	e.svc = orders.NewService(e.bed.Store, rules, orders.WithClock(e.clock.Now), orders.WithLocation(testbed.Shanghai), orders.WithLogger(e.bed.Log))
	srv := telegramtest.NewServer(t)
	e.start(srv, e.withDocuments(nil))
	ctx := e.ctx
	asAlice := orders.StaffActor(alice)

	o := e.place(smith, "CHAIR-100", 5, e.today().AddDays(10)) // from stock: confirmed at once
	num := o.Number
	placed := expectDocument(t, srv, smith.TelegramID, num+"-confirmation-v1.pdf")
	if !strings.Contains(placed.Caption, "order confirmation") {
		t.Errorf("caption %q", placed.Caption)
	}
	if _, err := e.svc.RecordPayment(ctx, "", num, o.DepositDue.Add(decimalOf(t, "100")), "alipay", asAlice); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Advance(ctx, "", num, orders.StatusInProduction, asAlice, orders.AdvanceOptions{}); err != nil {
		t.Fatal(err)
	}
	toRep := expectDocument(t, srv, alice.TelegramID, num+"-production_schedule-v1.pdf")
	toFloor := expectDocument(t, srv, production, num+"-production_schedule-v1.pdf")
	if toRep.Document.Data == nil || sha(toRep.Document.Data) == sha(toFloor.Document.Data) {
		t.Error("the rep (English) and the production chat (Chinese) got the same file")
	}
	for _, step := range []struct {
		to   orders.Status
		opt  orders.AdvanceOptions
		file string
	}{
		{orders.StatusQualityCheck, orders.AdvanceOptions{}, ""},
		{orders.StatusShipped, orders.AdvanceOptions{Carrier: "SF Express", Tracking: "SF1234567890"}, "-delivery_note-v1.pdf"},
		{orders.StatusDelivered, orders.AdvanceOptions{}, "-statement-v1.pdf"},
	} {
		if _, err := e.svc.Advance(ctx, "", num, step.to, asAlice, step.opt); err != nil {
			t.Fatalf("advance to %s: %v", step.to, err)
		}
		if step.file != "" {
			expectDocument(t, srv, smith.TelegramID, num+step.file)
		}
	}
	// A statement on request is a new version.
	if err := e.svc.RequestStatement(ctx, orders.CustomerActor(smith.TelegramID), num, smith.TelegramID); err != nil {
		t.Fatal(err)
	}
	expectDocument(t, srv, smith.TelegramID, num+"-statement-v2.pdf")
	docs, err := e.svc.Documents(ctx, orders.Operator, num)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Kind+" v"+string(rune('0'+d.Version))+" "+d.Lang)
	}
	slices.Sort(got) // the rep's and the production chat's copies are made at once
	want := "confirmation v1 en|delivery_note v1 en|production_schedule v1 en|production_schedule v1 zh|statement v1 en|statement v2 en"
	if strings.Join(got, "|") != want {
		t.Errorf("archive:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	if docs[0].Acceptance == nil || docs[0].Acceptance.TelegramID != smith.TelegramID {
		t.Errorf("the confirmation of an order placed by the customer's Confirm records no acceptance: %+v", docs[0].Acceptance)
	}
}

// failingRenderer stands in for a renderer that breaks (a bug, a corrupt font).
type failingRenderer struct{}

func (failingRenderer) Render(documents.Input) ([]byte, error) {
	return nil, errors.New("the renderer broke")
}

// A render that keeps failing is retried, then the rep is told; the customer still gets
// the chat text.
func TestFailedRenderIsReportedToTheRep(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	e.start(srv, e.withDocuments(func(c *notify.Config) {
		c.Documents = failingRenderer{}
		c.DocumentAttempts = 2
	}))
	o := e.place(wang, "CHAIR-300", 20, e.today().AddDays(30))
	if _, err := e.svc.Review(e.ctx, "", o.Number, orders.StaffActor(alice), orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, wang.TelegramID, "请确认订单 "+o.Number)
	expectText(t, srv, alice.TelegramID, "order confirmation of order "+o.Number+" could not be made")
	e.settled(60*time.Second, orders.NoticeDeliveryReminder)
	if docs := e.sentDocuments(srv, wang.TelegramID); len(docs) != 0 {
		t.Errorf("%d documents sent", len(docs))
	}
	if st := e.status(orders.NoticeDocument + ":" + orders.DocConfirmation + ":" + o.Number + ":1:" + "9001"); st != notify.StateFailed {
		t.Errorf("the document's notification is %s, want failed", st)
	}
}

// A document larger than Telegram's limit is not sent; the rep is told.
func TestDocumentOverTheSizeLimit(t *testing.T) {
	t.Parallel()
	e := setup(t)
	srv := telegramtest.NewServer(t)
	e.start(srv, e.withDocuments(func(c *notify.Config) { c.MaxDocumentSize = 10 << 10 }))
	o := e.place(wang, "CHAIR-300", 20, e.today().AddDays(30))
	if _, err := e.svc.Review(e.ctx, "", o.Number, orders.StaffActor(alice), orders.ReviewDecision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	expectText(t, srv, wang.TelegramID, "请确认订单 "+o.Number)
	expectText(t, srv, alice.TelegramID, "larger than Telegram accepts")
	e.settled(30*time.Second, orders.NoticeDeliveryReminder)
	if docs := e.sentDocuments(srv, wang.TelegramID); len(docs) != 0 {
		t.Errorf("%d documents sent over the limit", len(docs))
	}
}
