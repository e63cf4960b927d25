package main

import (
	"regexp"
	"strings"
	"testing"
)

// rawMoney finds an amount written without its currency ("0 of 4485", "598.00"), and a code
// is an identifier shown to a person (partly_paid, bank_transfer, in_production).
var (
	rawMoney = regexp.MustCompile(`(?:^|[^¥\d,.])(\d+\.\d\d)\b`)
	rawCode  = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)
)

func wordsLikeTheChat(t *testing.T, what, out string) {
	t.Helper()
	if m := rawMoney.FindStringSubmatch(out); m != nil {
		t.Errorf("%s: the amount %s without its currency:\n%s", what, m[1], out)
	}
	if m := rawCode.FindString(out); m != "" {
		t.Errorf("%s: the code %q instead of its name:\n%s", what, m, out)
	}
}

// The command line writes money and words as the chat does: "paid ¥100.00 of ¥598.00",
// "partly paid", "Alipay", never "paid 0 of 4485" or partly_paid; `orders show` gives a
// rep the customer's notes and payment method.
func TestCLIMoneyAndWords(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("products", "import", "../../demo/catalog.csv"); err != nil {
		t.Fatal(err)
	}
	placeDemoOrder(t, c) // 2 × ¥299 = ¥598, Alipay
	_, err := c.run("orders", "pay", "so-20261127-0001", "1000", "--method", "bank_transfer")
	if err == nil || !strings.Contains(err.Error(), "¥1,000.00 is more than the ¥598.00 still owed") {
		t.Errorf("overpaying: %v", err)
	} else {
		wordsLikeTheChat(t, "orders pay (too much)", err.Error())
	}
	out, err := c.run("orders", "pay", "so-20261127-0001", "100", "--method", "bank_transfer")
	if err != nil || !strings.Contains(out, "paid ¥100.00 of ¥598.00") || !strings.Contains(out, "partly paid") {
		t.Errorf("orders pay: %v %q", err, out)
	}
	wordsLikeTheChat(t, "orders pay", out)

	out, err = c.run("orders", "show", "SO-20261127-0001")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"confirmed", "partly paid", "Alipay", "¥598.00", "paid ¥100.00", "owed ¥498.00", "payment ¥100.00 (Bank transfer)", "notes      Please call before delivery"} {
		if !strings.Contains(out, want) {
			t.Errorf("orders show lacks %q:\n%s", want, out)
		}
	}
	wordsLikeTheChat(t, "orders show", out)

	out, err = c.run("orders", "list")
	if err != nil || !strings.Contains(out, "¥598.00") || !strings.Contains(out, "partly paid") {
		t.Errorf("orders list: %v\n%s", err, out)
	}
	wordsLikeTheChat(t, "orders list", out)

	if _, err := c.run("orders", "set-status", "so-20261127-0001", "shipped", "--carrier", "SF Express", "--tracking", "SF1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.run("orders", "set-status", "so-20261127-0001", "delivered"); err != nil {
		t.Fatal(err)
	}
	_, err = c.run("orders", "set-status", "so-20261127-0001", "completed")
	if err == nil || !strings.Contains(err.Error(), "¥100.00 of ¥598.00 is paid") {
		t.Errorf("completing a partly paid order: %v", err)
	}
	if _, err := c.run("orders", "pay", "so-20261127-0001", "498", "--method", "alipay"); err != nil {
		t.Fatal(err)
	}
	out, err = c.run("orders", "set-status", "so-20261127-0001", "completed")
	if err != nil || !strings.Contains(out, "SO-20261127-0001 is now completed") {
		t.Errorf("completing: %v %q", err, out)
	}
	out, _ = c.run("orders", "show", "SO-20261127-0001")
	if strings.Contains(strings.ToLower(out), "deposit") {
		t.Errorf("a completed order shows a deposit:\n%s", out)
	}
	wordsLikeTheChat(t, "orders show (completed)", out)
}
