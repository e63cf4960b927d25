package conversation

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr string
	}{
		{"5", 5, ""},
		{" 12 ", 12, ""},
		{"+7", 7, ""},
		{"１２", 12, ""}, // full-width digits from a Chinese input method
		{"100000", 100000, ""},
		{"", 0, "err.quantity.empty"},
		{"abc", 0, "err.quantity.number"},
		{"0", 0, "err.quantity.positive"},
		{"-3", 0, "err.quantity.positive"},
		{"1e9", 0, "err.quantity.whole"},
		{"2.5", 0, "err.quantity.whole"},
		{"1,000", 0, "err.quantity.whole"},
		{"100001", 0, "err.quantity.max"},
		{"99999999999999999999999", 0, "err.quantity.toolong"},
		{"五", 5, ""}, // Chinese numerals are quantities too
		{"十把", 10, ""},
		{"我要10把", 10, ""},
		{"10 pcs", 10, ""},
		{"五个苹果香蕉", 0, "err.quantity.number"},
	}
	for _, tt := range tests {
		got, err := ParseQuantity(tt.in, 100000)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseQuantity(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Key != tt.wantErr {
			t.Errorf("ParseQuantity(%q) error = %v; want %s", tt.in, err, tt.wantErr)
		}
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"+86 138 0013 8000", "+8613800138000", ""},
		{"138-0013-8000", "13800138000", ""},
		{"(030) 123 4567", "0301234567", ""},
		{"１３８００１３８０００", "13800138000", ""},
		{"", "", "err.phone.empty"},
		{"12345", "", "err.phone.length"},
		{"+1234567890123456", "", "err.phone.length"},
		{"call me", "", "err.phone.invalid"},
		{"138+0013", "", "err.phone.invalid"},
	}
	for _, tt := range tests {
		got, err := ParsePhone(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParsePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Key != tt.wantErr {
			t.Errorf("ParsePhone(%q) error = %v; want %s", tt.in, err, tt.wantErr)
		}
	}
}

func TestParseDate(t *testing.T) {
	today := orders.Date{Year: 2026, Month: 11, Day: 27}
	tests := []struct{ in, want, wantErr string }{
		{"2026-12-05", "2026-12-05", ""},
		{"2026/12/05", "2026-12-05", ""},
		{"12/05", "2026-12-05", ""},
		{"5 Dec", "2026-12-05", ""},
		{"Dec 5", "2026-12-05", ""},
		{"5 december 2027", "2027-12-05", ""},
		{"12月5日", "2026-12-05", ""},
		{"2027年1月3日", "2027-01-03", ""},
		{"1月3日", "2027-01-03", ""}, // without a year: the next such date
		{"01/03", "2027-01-03", ""},
		{"tomorrow", "2026-11-28", ""},
		{"明天", "2026-11-28", ""},
		{"后天", "2026-11-29", ""},
		{"Today", "2026-11-27", ""},
		{"2026-11-01", "2026-11-01", ""}, // past with a year: the caller refuses it
		{"", "", "err.date.empty"},
		{"2026-02-30", "", "err.date.impossible"},
		{"13/01", "", "err.date.impossible"},
		{"31 Apr", "", "err.date.impossible"},
		{"next week", "", "err.date.format"},
		{"5", "", "err.date.format"},
		{"26-12-05", "", "err.date.format"},
		{"-1/-1", "", "err.date.format"},
		{strings.Repeat("1", 100), "", "err.date.format"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, today, nil)
		if tt.wantErr == "" {
			if err != nil || got.String() != tt.want {
				t.Errorf("ParseDate(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
			continue
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Key != tt.wantErr {
			t.Errorf("ParseDate(%q) error = %v; want %s", tt.in, err, tt.wantErr)
		}
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"5", "abc", "0", "-3", "1e9", "2.5", "１２", strings.Repeat("9", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseQuantity(s, 1000)
		if err == nil && (n < 1 || n > 1000) {
			t.Fatalf("ParseQuantity(%q) = %d outside 1..1000", s, n)
		}
		var ie *InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("ParseQuantity(%q): error %v is not an InputError", s, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-05", "12/05", "5 Dec", "12月5日", "明天", "2026年2月30日", "Feb 29"} {
		f.Add(s)
	}
	today := orders.Date{Year: 2026, Month: 11, Day: 27}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, today, nil)
		var ie *InputError
		if err != nil {
			if !errors.As(err, &ie) {
				t.Fatalf("ParseDate(%q): error %v is not an InputError", s, err)
			}
			return
		}
		if _, perr := orders.ParseISODate(d.String()); perr != nil {
			t.Fatalf("ParseDate(%q) = %v, not a real date", s, d)
		}
	})
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+86 138 0013 8000", "(030) 123", "abc", "++1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			return
		}
		digits := strings.TrimPrefix(p, "+")
		if len(digits) < 7 || len(digits) > 15 || !utf8.ValidString(p) {
			t.Fatalf("ParsePhone(%q) = %q", s, p)
		}
		for _, r := range digits {
			if r < '0' || r > '9' {
				t.Fatalf("ParsePhone(%q) = %q has a non-digit", s, p)
			}
		}
	})
}
