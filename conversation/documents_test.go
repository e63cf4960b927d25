package conversation_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/documents"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
)

// documentNotices returns the payloads of the order's document notifications, oldest first.
func documentNotices(t *testing.T, k *desk, number string) []orders.DocumentNotice {
	t.Helper()
	var raw []string
	err := k.bed.Store.DB().Select(&raw, `SELECT n.payload::text FROM notifications n JOIN orders o ON o.id = n.order_id
		WHERE o.number = $1 AND n.kind = $2 ORDER BY n.id`, number, orders.NoticeDocument)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]orders.DocumentNotice, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal([]byte(r), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// The customer's Confirm writes the acceptance version's notice in its transaction, with
// the update's key; the card lists archived documents and sends one again on request.
func TestCardDocumentsAndAcceptanceKey(t *testing.T) {
	t.Parallel()
	k := newDesk(t)
	n := k.place(t, "CHAIR-300", "black", "20") // production: reviewed
	k.rep1.cmd("/status " + n)
	k.rep1.press("Accept")
	k.customer.cmd("/status " + n)
	k.customer.press("Confirm")
	confirmKey := "t:1000:" + itoa(k.customer.n)
	ns := documentNotices(t, k, n)
	if len(ns) != 2 || ns[0].Reason != orders.ReasonReviewed || ns[1].Reason != orders.ReasonAccepted {
		t.Fatalf("document notices %+v, want the reviewed and the accepted confirmation", ns)
	}
	if a := ns[1].Acceptance; a == nil || a.Key != confirmKey || a.TelegramID != 1000 || a.Name != "Wei Zhang" {
		t.Errorf("acceptance %+v, want the Confirm's key %s", a, confirmKey)
	}

	// What notify archives for the first version.
	o := k.order(t, n)
	data, err := documents.NewRenderer(k.bed.Rules, testbed.Shanghai).Render(documents.Input{Kind: orders.DocConfirmation,
		Lang: "en", Order: o, Version: 1, Issued: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	d, err := k.bed.Store.SaveDocument(context.Background(), orders.Document{Number: n, Kind: orders.DocConfirmation,
		Version: 1, Lang: "en", Event: ns[0].Event, Reason: ns[0].Reason, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []*driver{k.rep1, k.customer} {
		who.cmd("/status " + n)
		who.expect("Documents:", "order confirmation v1")
		who.press("Send again: order confirmation v1")
		who.expect("The order confirmation v1 of " + n + " is on its way.")
	}
	var resends []struct {
		Chat    int64  `db:"chat_id"`
		Payload string `db:"payload"`
	}
	if err := k.bed.Store.DB().Select(&resends, `SELECT chat_id, payload::text AS payload FROM notifications
		WHERE kind = $1 AND key LIKE 'document:resend:%' ORDER BY id`, orders.NoticeDocument); err != nil {
		t.Fatal(err)
	}
	if len(resends) != 2 || resends[0].Chat != 3001 || resends[1].Chat != 1000 || !strings.Contains(resends[0].Payload, `"resend": `+itoa(int(d.ID))) {
		t.Errorf("resends %+v", resends)
	}
	// Another customer's forged button is refused like an unknown order.
	other := newDriver(t, k.bed, 1001, "en")
	other.cmd("/start")
	other.pressData("m:dr:" + n + ":" + itoa(int(d.ID)))
	if strings.Contains(other.shown(), "on its way") {
		t.Errorf("another customer got the document: %s", other.shown())
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
