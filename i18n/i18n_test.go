package i18n

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestEveryTextInBothLanguages(t *testing.T) {
	for _, k := range Keys() {
		m, _ := Lookup(k)
		if strings.TrimSpace(m.EN) == "" || strings.TrimSpace(m.ZH) == "" {
			t.Errorf("%s: missing a language: en=%q zh=%q", k, m.EN, m.ZH)
		}
		if strings.Count(m.EN, "%") != strings.Count(m.ZH, "%") {
			t.Errorf("%s: the languages take different arguments: en=%q zh=%q", k, m.EN, m.ZH)
		}
	}
}

func TestLang(t *testing.T) {
	for code, want := range map[string]string{"zh-hans": ZH, "zh": ZH, "ZH-TW": ZH, "en": EN, "": EN, "ru": EN} {
		if got := Lang(code); got != want {
			t.Errorf("Lang(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestUnknownKeyShowsKey(t *testing.T) {
	if got := T(EN, "no.such.key"); got != "no.such.key" {
		t.Errorf("T(unknown) = %q", got)
	}
}

func TestMoney(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "¥0.00"}, {"7.5", "¥7.50"}, {"999.999", "¥1,000.00"}, {"1495", "¥1,495.00"},
		{"11520", "¥11,520.00"}, {"1234567.8", "¥1,234,567.80"}, {"-3456", "¥-3,456.00"},
	} {
		if got := Money("¥", decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("Money(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEveryKeyInOneTable(t *testing.T) {
	seen := map[string]int{}
	for i, table := range tables {
		for k := range table {
			if j, ok := seen[k]; ok {
				t.Errorf("%s is in table %d and table %d", k, j, i)
			}
			seen[k] = i
		}
	}
}

// The desk says 审核 for a rep's review of an order, never 评审 (an appraisal).
func TestReviewIsShenhe(t *testing.T) {
	for _, k := range Keys() {
		if zh := T(ZH, k); strings.Contains(zh, "评审") {
			t.Errorf("%s: %q says 评审", k, zh)
		}
	}
}
