package pgstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/orderbot/orderbot/orders"
)

// Versions are numbered per order and kind, shared by the languages of one event; the same
// event and language is archived once (a job run again gets the first copy); a version
// rendered with a number another event took is refused.
func TestDocumentArchive(t *testing.T) {
	s, ctx := setup(t)
	o, _, err := s.PlaceOrder(ctx, placeRequest("k-doc", 42, "CH-100", 1))
	if err != nil {
		t.Fatal(err)
	}
	num := o.Number
	save := func(event, lang string, version int, data string) (orders.Document, error) {
		return s.SaveDocument(ctx, orders.Document{Number: num, Kind: orders.DocConfirmation, Version: version, Lang: lang,
			Event: event, Reason: "test", Data: []byte(data)})
	}
	version := func(event string) int {
		v, err := s.DocumentVersion(ctx, num, orders.DocConfirmation, event)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := version("e1"); v != 1 {
		t.Fatalf("first version %d", v)
	}
	d1, err := save("e1", "zh", 1, "first zh")
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte("first zh")); d1.SHA256 != hex.EncodeToString(sum[:]) || d1.Size != 8 {
		t.Errorf("archived %+v", d1)
	}
	again, err := save("e1", "zh", 1, "rendered again, other bytes")
	if err != nil || again.ID != d1.ID || string(again.Data) != "first zh" {
		t.Errorf("the same event and language again: %v, %+v; want the first copy", err, again)
	}
	if v := version("e1"); v != 1 {
		t.Errorf("the event's version is %d, want 1", v)
	}
	if _, err := save("e1", "en", 1, "first en"); err != nil {
		t.Errorf("the event's other language: %v", err)
	}
	if v := version("e2"); v != 2 {
		t.Errorf("a new event's version %d, want 2", v)
	}
	if _, err := save("e2", "zh", 2, "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := save("e3", "zh", 2, "stale"); !errors.Is(err, orders.ErrConflict) {
		t.Errorf("a version another event took: %v, want a conflict", err)
	}
	docs, err := s.Documents(ctx, num)
	if err != nil || len(docs) != 3 || docs[0].Data != nil {
		t.Fatalf("Documents: %v, %d docs", err, len(docs))
	}
	latest, err := s.Document(ctx, num, orders.DocConfirmation, 0, "")
	if err != nil || latest.Version != 2 || string(latest.Data) != "second" {
		t.Errorf("latest: %v %+v", err, latest)
	}
	en, err := s.Document(ctx, num, orders.DocConfirmation, 1, "en")
	if err != nil || string(en.Data) != "first en" {
		t.Errorf("v1 en: %v %q", err, en.Data)
	}
	if _, err := s.Document(ctx, num, orders.DocStatement, 0, ""); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("no statement: %v", err)
	}
	if _, err := s.SaveDocument(ctx, orders.Document{Number: num, Kind: "invoice", Version: 1, Event: "x", Data: []byte("x")}); err == nil {
		t.Error("an unknown kind was archived")
	}
}
