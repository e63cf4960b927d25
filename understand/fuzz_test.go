package understand

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
)

// fuzzSeeds are messages of every kind, for the fuzz targets to start from.
func fuzzSeeds() []string {
	s := []string{"", "10", "十", "一百二", "1.2万", "a dozen", "12月5号", "下周一", "月底", "3天后", "next Friday",
		"13800138000", "+86 138 0013 8000", "¥5,000", "五千元", "顺丰 SF1234567890", "收到货款5000元 银行转账",
		"可以，按15号交货", "今天有哪些订单要审核", "还是上海那个", "\xff\xfe", strings.Repeat("9", 300), strings.Repeat("把", 500),
		"十百千万亿", "零零零", "二〇二六年十二月五日", "x", "×", "dozen dozen", "送到送到送到", "备注", "phone phone 1"}
	for _, c := range quickOrderCases {
		s = append(s, c.msg)
	}
	return s
}

func FuzzQuickOrder(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	p := testParser()
	f.Fuzz(func(t *testing.T, s string) {
		d := p.QuickOrder(s, testNow)
		for _, l := range d.Lines {
			if l.Quantity < 0 || l.Quantity > 100000 {
				t.Fatalf("QuickOrder(%q): quantity %d", s, l.Quantity)
			}
			if l.SKU != "" && len(l.Candidates) > 0 {
				t.Fatalf("QuickOrder(%q): a line with a SKU and candidates", s)
			}
			if l.SKU != "" {
				if _, ok := p.cat.products[l.SKU]; !ok {
					t.Fatalf("QuickOrder(%q): unknown SKU %s", s, l.SKU)
				}
			}
			for k, v := range l.Options {
				ok := false
				for _, o := range p.cat.products[l.SKU].Options {
					if o.Name == k && contains(o.Values, v) {
						ok = true
					}
				}
				if !ok {
					t.Fatalf("QuickOrder(%q): option %s=%s is not the product's", s, k, v)
				}
			}
		}
		if (d.DateState == Understood) == d.Date.Date.IsZero() {
			t.Fatalf("QuickOrder(%q): date state %v with date %v", s, d.DateState, d.Date.Date)
		}
		if (d.PhoneState == Understood) != (d.Phone != "") || (d.AddressState == Understood) != (d.Address != "") ||
			(d.PaymentState == Understood) != (d.PaymentMethod != "") || (d.NameState == Understood) != (d.Name != "") {
			t.Fatalf("QuickOrder(%q): a state disagrees with its value: %+v", s, d)
		}
		for _, v := range []string{d.Address, d.Name, d.Notes, d.Phone} {
			if !utf8.ValidString(v) {
				t.Fatalf("QuickOrder(%q): invalid UTF-8 %q", s, v)
			}
		}
	})
}

func FuzzQuantity(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Quantity(s, 1000)
		if err == nil && (n < 1 || n > 1000) {
			t.Fatalf("Quantity(%q) = %d outside 1..1000", s, n)
		}
		if err != nil && KindOf(err) == "" {
			t.Fatalf("Quantity(%q): error %v is not an *Error", s, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	today := orders.Date{Year: 2026, Month: 11, Day: 27}
	cal := orders.DefaultRules()
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, today, cal)
		if err != nil {
			if KindOf(err) == "" {
				t.Fatalf("ParseDate(%q): error %v is not an *Error", s, err)
			}
			return
		}
		if _, perr := orders.ParseISODate(d.Date.String()); perr != nil {
			t.Fatalf("ParseDate(%q) = %v, not a real date", s, d.Date)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Phone(s)
		if err != nil {
			return
		}
		digits := strings.TrimPrefix(p, "+")
		if len(digits) < 7 || len(digits) > 15 {
			t.Fatalf("Phone(%q) = %q", s, p)
		}
		for _, r := range digits {
			if r < '0' || r > '9' {
				t.Fatalf("Phone(%q) = %q has a non-digit", s, p)
			}
		}
	})
}

func FuzzAmount(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Amount(s)
		if err == nil && (!a.IsPositive() || !a.Equal(a.Round(2))) {
			t.Fatalf("Amount(%q) = %s", s, a)
		}
	})
}

func FuzzAnswers(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	p := testParser()
	saved := []string{"上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号"}
	f.Fuzz(func(t *testing.T, s string) {
		YesNo(s)
		IsNone(s)
		Language(s)
		if a := CleanAddress(s); !utf8.ValidString(a) {
			t.Fatalf("CleanAddress(%q) = %q", s, a)
		}
		r := Address(s, saved)
		if r.Index >= len(saved) || r.Index < -1 || r.Index >= 0 && r.Value != saved[r.Index] {
			t.Fatalf("Address(%q) = %+v", s, r)
		}
		Name(s)
		pm := p.Product(s)
		if pm.SKU != "" && len(pm.Candidates) > 0 {
			t.Fatalf("Product(%q) = %+v", s, pm)
		}
		p.PaymentMethod(s)
		p.Shipment(s)
		p.Staff(s, testNow)
		QueueName(s)
	})
}

// BenchmarkQuickOrder reads the quick-order table's messages, one per iteration: ns/op is
// the time of one message.
func BenchmarkQuickOrder(b *testing.B) {
	p := testParser()
	msgs := make([]string, len(quickOrderCases))
	for i, c := range quickOrderCases {
		msgs[i] = c.msg
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.QuickOrder(msgs[i%len(msgs)], testNow)
	}
}

// BenchmarkQuickOrderLong reads a message of MaxQuickOrder characters, the longest read.
func BenchmarkQuickOrderLong(b *testing.B) {
	p := testParser()
	msg := string([]rune(strings.Repeat("我要10把黑色办公椅和2张会议桌，明天送到浦东世纪大道100号，电话13800138000，", 20))[:MaxQuickOrder])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.QuickOrder(msg, testNow)
	}
}
