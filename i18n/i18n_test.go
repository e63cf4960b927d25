package i18n

import (
	"strings"
	"testing"
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
