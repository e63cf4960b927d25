package i18n

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
)

// sample fills a text's verbs with data a reader would see: money already written as
// money, dates as dates, names in the text's language.
func sample(lang, en, format string) string {
	// Both languages of a text get the same arguments: those the English one takes, each
	// of the type its verb wants.
	verb := regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)
	var args []any
	next := 0
	for _, m := range verb.FindAllStringSubmatch(en, -1) {
		if m[2] == "%" {
			continue
		}
		i := next
		if m[1] != "" {
			fmt.Sscan(m[1], &i)
			i--
		}
		next = i + 1
		for len(args) <= i {
			args = append(args, nil)
		}
		switch m[2] {
		case "d":
			args[i] = 3
		case "f":
			args[i] = 31.23
		default:
			if lang == ZH {
				args[i] = Money("¥", decimal.RequireFromString("1234.5"))
			} else {
				args[i] = Date(EN, 2026, time.December, 7)
			}
		}
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Texts whose very point is the other language (the language switch) or a code the reader
// types (command names and /orders arguments, order numbers, SKUs in examples); Excel is
// named as Chinese readers name it.
var bilingual = map[string]bool{"menu.language": true}

var (
	latinWord   = regexp.MustCompile(`[A-Za-z]{2,}`)
	rawDecimal  = regexp.MustCompile(`(^|[^¥,\d])\d+\.\d{2}\b`)
	identifier  = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)
	allowedZHEN = regexp.MustCompile(`/orders [a-z]+|/[a-z]+|SO-[\dA-Z…-]+|SF\d+|SF|Excel|[A-Z]{1,3}\b|%[a-z]`)
)

// Every text, rendered with sample data, is clean for its reader: Chinese texts carry no
// English word, no identifier and no raw decimal; English texts no Chinese.
func TestNoLeaksInAnyText(t *testing.T) {
	for _, k := range Keys() {
		if bilingual[k] {
			continue
		}
		m, _ := Lookup(k)
		zh := sample(ZH, m.EN, m.ZH)
		clean := allowedZHEN.ReplaceAllString(zh, "")
		if w := latinWord.FindString(clean); w != "" {
			t.Errorf("%s: English %q in the Chinese text %q", k, w, zh)
		}
		if id := identifier.FindString(zh); id != "" {
			t.Errorf("%s: identifier %q in the Chinese text %q", k, id, zh)
		}
		if d := rawDecimal.FindString(zh); d != "" && !strings.Contains(k, "location") {
			t.Errorf("%s: raw decimal %q in the Chinese text %q", k, d, zh)
		}
		if strings.Contains(m.ZH, ", ") {
			t.Errorf("%s: an English comma in the Chinese text %q", k, m.ZH)
		}
		en := sample(EN, m.EN, m.EN)
		for _, r := range en {
			if unicode.Is(unicode.Han, r) {
				t.Errorf("%s: Chinese in the English text %q", k, en)
				break
			}
		}
		if identifier.MatchString(en) {
			t.Errorf("%s: identifier %q in the English text %q", k, identifier.FindString(en), en)
		}
	}
}
