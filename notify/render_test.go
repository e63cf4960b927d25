package notify

import (
	"strings"
	"testing"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// TestRenderEveryKindBothLanguages renders every kind and variant in English, in Chinese,
// and without a language (English): each names the order, is in the language asked for,
// and has no formatting slip.
func TestRenderEveryKindBothLanguages(t *testing.T) {
	const num = "SO-20261130-0042"
	d := orders.Date{Year: 2026, Month: 12, Day: 7}
	lines := []orders.NoticeLine{
		{Name: "Office chair", Quantity: 3, Unit: "pcs", UnitPrice: decimal.RequireFromString("299.00"), FromStock: true},
		{Name: "Executive chair", Quantity: 9, Unit: "pcs", UnitPrice: decimal.RequireFromString("1280.00")},
		{Name: "Screw set", Quantity: 10, Unit: "set", Complimentary: true},
	}
	base := orders.Notice{Number: num, Customer: "王芳", Actor: "Alice", Date: d, OldDate: d.AddDays(-3), Note: "force majeure",
		Carrier: "SF Express", Tracking: "SF1", Amount: decimal.RequireFromString("100"), Total: decimal.RequireFromString("12417.00"),
		DepositDue: decimal.RequireFromString("3725.10"), PaymentStatus: orders.PaymentDepositPaid, Lines: lines, ChangeID: 5}
	with := func(f func(*orders.Notice)) orders.Notice { n := base; f(&n); return n }
	list := []orders.Order{{Number: num, Customer: orders.Customer{Name: "王芳"}, PromisedDate: d, Status: orders.StatusShipped}}

	for _, lang := range []string{"en", "zh", ""} {
		r := newRenderer(lang, "¥")
		cases := map[string]Message{
			"review card":          r.reviewCard(base, 0),
			"review card, no date": r.reviewCard(with(func(n *orders.Notice) { n.Date = orders.Date{} }), 0),
			"review stale":         r.reviewCard(base, 5*3600e9),
			"review taken":         r.reviewTaken(with(func(n *orders.Notice) { n.To = orders.StatusAwaitingCustomer })),
			"confirmation":         r.confirmation(base),
			"placed for you":       r.placedForYou(with(func(n *orders.Notice) { n.To = orders.StatusConfirmed })),
			"date changed":         r.dateChanged(base),
			"date set":             r.dateChanged(with(func(n *orders.Notice) { n.OldDate = orders.Date{} })),
			"payment deposit":      r.payment(base),
			"payment paid":         r.payment(with(func(n *orders.Notice) { n.PaymentStatus = orders.PaymentPaid })),
			"payment unpaid":       r.payment(with(func(n *orders.Notice) { n.PaymentStatus = orders.PaymentUnpaid })),
			"payment partly":       r.payment(with(func(n *orders.Notice) { n.PaymentStatus, n.Paid = orders.PaymentPartlyPaid, n.Amount })),
			"payment partly, no deposit": r.payment(with(func(n *orders.Notice) {
				n.PaymentStatus, n.Paid, n.DepositDue = orders.PaymentPartlyPaid, n.Amount, decimal.Zero
			})),
			"cancellation requested": r.changeRequested(with(func(n *orders.Notice) { n.Change = &orders.NoticeChange{Kind: orders.ChangeCancel, Reason: "budget"} }), 5),
			"cancellation rejected": r.changeDecided(with(func(n *orders.Notice) {
				n.Change, n.To = &orders.NoticeChange{Kind: orders.ChangeCancel, Reason: "budget"}, ""
			})),
			"reminder":         r.reminder(base),
			"survey":           r.survey(base),
			"change requested": r.changeRequested(base, 5),
			"change approved":  r.changeDecided(with(func(n *orders.Notice) { n.To = orders.StatusConfirmed })),
			"change rejected":  r.changeDecided(with(func(n *orders.Notice) { n.To = "" })),
			"cancel approved":  r.changeDecided(with(func(n *orders.Notice) { n.To = orders.StatusCancelled })),
			"change applied":   r.changeApplied(base),
			"unreachable":      r.unreachable(with(func(n *orders.Notice) { n.Note = orders.NoticeStatusChanged })),
			"overdue":          r.overdue(list),
			"staff status":     r.staffStatus(with(func(n *orders.Notice) { n.From, n.To = orders.StatusAwaitingCustomer, orders.StatusConfirmed })),
			"rework":           r.statusChanged(with(func(n *orders.Notice) { n.From, n.To = orders.StatusQualityCheck, orders.StatusInProduction })),
		}
		for _, st := range orders.Statuses {
			cases["status "+string(st)] = r.statusChanged(with(func(n *orders.Notice) { n.To = st }))
		}
		for name, m := range cases {
			if !strings.Contains(m.Text, num) {
				t.Errorf("%s (%q): %q lacks the order number", name, lang, m.Text)
			}
			if strings.Contains(m.Text, "%!") || strings.Contains(m.Text, "notice.") {
				t.Errorf("%s (%q): a formatting slip in %q", name, lang, m.Text)
			}
			if zh := hasHan(strings.ReplaceAll(m.Text, "王芳", "")); zh != (lang == "zh") {
				t.Errorf("%s (%q): Chinese text %v in %q", name, lang, zh, m.Text)
			}
		}
		if got := cases["status shipped"].Text; !strings.Contains(got, "SF Express") || !strings.Contains(got, "SF1") {
			t.Errorf("shipped (%q) without carrier and tracking: %q", lang, got)
		}
		if got := cases["status cancelled"].Text; !strings.Contains(got, "force majeure") {
			t.Errorf("cancelled (%q) without the reason: %q", lang, got)
		}
		if got := cases["date changed"].Text; !strings.Contains(got, "force majeure") || !strings.Contains(got, i18n.Date(lang, 2026, 12, 4)) {
			t.Errorf("date changed (%q) without the reason or the old date: %q", lang, got)
		}
		if b := cases["review card, no date"].Buttons; len(b) != 1 || b[0][0].Data != DataReviewDate+num {
			t.Errorf("a review card without a date (%q) offers %v, want other date and reject only", lang, b)
		}
		if b := cases["change requested"].Buttons; len(b) != 1 || b[0][0].Data != "m:ca:5" || b[0][1].Data != "m:cr:5" {
			t.Errorf("change request buttons (%q) %v", lang, b)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// A part paid is told as partly paid with what is paid and owed; a cancellation request
// is told as a cancellation, with its own buttons.
func TestRenderPartlyPaidAndCancellation(t *testing.T) {
	n := orders.Notice{Number: "SO-20261130-0042", Customer: "王小明", Actor: "王小明", Note: "预算取消了",
		Amount: decimal.RequireFromString("5000"), Paid: decimal.RequireFromString("5000"), Total: decimal.RequireFromString("5980"),
		PaymentStatus: orders.PaymentPartlyPaid}
	zh := newRenderer("zh", "¥")
	if got := zh.payment(n).Text; !strings.Contains(got, "付款状态：部分付款") || !strings.Contains(got, "已付 ¥5,000.00，尚欠 ¥980.00") {
		t.Errorf("partly paid in Chinese:\n%s", got)
	}
	if got := newRenderer("en", "¥").payment(n).Text; !strings.Contains(got, "Payment status: partly paid") || !strings.Contains(got, "still owed: ¥980.00") {
		t.Errorf("partly paid in English:\n%s", got)
	}
	n.Change = &orders.NoticeChange{Kind: orders.ChangeCancel, Reason: "预算取消了"}
	m := zh.changeRequested(n, 7)
	if !strings.Contains(m.Text, "申请取消订单，原因：预算取消了") || strings.Contains(m.Text, "修改") {
		t.Errorf("cancellation request:\n%s", m.Text)
	}
	if len(m.Buttons) != 1 || m.Buttons[0][0].Text != "✅ 批准取消" || m.Buttons[0][0].Data != DataChangeApprove+"7" {
		t.Errorf("cancellation buttons %+v", m.Buttons)
	}
	n.To = ""
	if got := zh.changeDecided(n).Text; !strings.Contains(got, "您取消订单") || strings.Contains(got, "修改") {
		t.Errorf("rejected cancellation:\n%s", got)
	}
}
