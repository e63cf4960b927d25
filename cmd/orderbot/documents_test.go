package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/documents"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// The archive's commands list an order's documents and write one, byte for byte.
func TestDocumentsCommands(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c)
	const num = "SO-20261127-0001"
	out, err := c.run("orders", "documents", num)
	if err != nil || !strings.Contains(out, "no documents for "+num) {
		t.Fatalf("documents of a new order: %q, %v", out, err)
	}

	// Two versions of the confirmation, as notify archives them: rendered, then saved.
	ctx := context.Background()
	st, err := pgstore.Open(ctx, c.vars["ORDERBOT_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o, err := st.Order(ctx, num)
	if err != nil {
		t.Fatal(err)
	}
	r := documents.NewRenderer(orders.DefaultRules(), time.UTC)
	var sums []string
	for v, reason := range []string{orders.ReasonPlaced, orders.ReasonChange + " #1: date → 2026-12-20"} {
		data, err := r.Render(documents.Input{Kind: orders.DocConfirmation, Lang: "zh", Order: o, Version: v + 1, Amended: v == 1, Issued: o.CreatedAt})
		if err != nil {
			t.Fatal(err)
		}
		d, err := st.SaveDocument(ctx, orders.Document{Number: num, Kind: orders.DocConfirmation, Version: v + 1, Lang: "zh",
			Event: "test:" + reason, Reason: reason, Amended: v == 1, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(data)
		if d.SHA256 != hex.EncodeToString(s[:]) {
			t.Fatalf("archived SHA-256 %s, bytes %x", d.SHA256, s)
		}
		sums = append(sums, d.SHA256)
	}

	out, err = c.run("orders", "documents", num)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"KIND", "confirmation  1", "confirmation  2", sums[0], sums[1], "amended: change_approved #1"} {
		if !strings.Contains(out, want) {
			t.Errorf("orders documents lacks %q:\n%s", want, out)
		}
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		sum  string
	}{
		{[]string{"--kind", "confirmation", "--version", "1"}, sums[0]},
		{[]string{"--kind", "confirmation"}, sums[1]}, // the latest
	} {
		file := filepath.Join(dir, "out.pdf")
		out, err := c.run(append(append([]string{"orders", "document", num}, tc.args...), "-o", file)...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(data)
		if hex.EncodeToString(s[:]) != tc.sum || !bytes.HasPrefix(data, []byte("%PDF-")) || !strings.Contains(out, tc.sum) {
			t.Errorf("%v wrote %x, want %s (%q)", tc.args, s, tc.sum, out)
		}
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"orders", "document", num, "--kind", "invoice", "-o", filepath.Join(dir, "x.pdf")}, "kind: one of confirmation"},
		{[]string{"orders", "document", num, "--kind", "statement", "-o", filepath.Join(dir, "x.pdf")}, "no statement of " + num},
		{[]string{"orders", "document", num, "--kind", "confirmation", "--version", "9", "-o", filepath.Join(dir, "x.pdf")}, "no confirmation"},
		{[]string{"orders", "document", num, "--kind", "confirmation"}, "usage: orderbot orders document"},
		{[]string{"orders", "documents", "SO-20991231-0001"}, "no order SO-20991231-0001"},
	} {
		if _, err := c.run(bad.args...); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: error %v, want %q", bad.args, err, bad.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.pdf")); !os.IsNotExist(err) {
		t.Errorf("a refused command wrote a file")
	}
}
