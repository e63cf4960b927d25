// Package i18n holds every text orderbot shows, in Chinese and English, side by side.
//
// A text is looked up by key and formatted with fmt verbs. The catalog is a Go table so that
// both languages of one message stand together and a test checks that none is missing.
package i18n

import (
	"fmt"
	"strings"
)

// The supported languages.
const (
	EN = "en"
	ZH = "zh"
)

// Lang picks the language for a Telegram language_code: zh* is Chinese, anything else English.
func Lang(code string) string {
	if strings.HasPrefix(strings.ToLower(code), "zh") {
		return ZH
	}
	return EN
}

// Normalize returns lang when supported, else EN.
func Normalize(lang string) string {
	if lang == ZH {
		return ZH
	}
	return EN
}

// Text is one message in both languages.
type Text struct{ EN, ZH string }

// T formats the message key in lang. An unknown key renders as the key itself, so a missing
// text shows up in tests rather than as an empty message.
func T(lang, key string, args ...any) string {
	m, ok := Lookup(key)
	if !ok {
		return key
	}
	f := m.EN
	if lang == ZH && m.ZH != "" {
		f = m.ZH
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// Has reports whether key is in the catalog.
func Has(key string) bool { _, ok := Lookup(key); return ok }

// tables are the parts of the catalog, each in a file of its own: the dialog's texts, the
// notifications'. A key is in one table only (tested).
var tables = []map[string]Text{catalog, notices, team, words, pipeline, deskrules, records, documents, report, complaints, channelAPI, group, sentences}

// Keys lists every key of the catalog.
func Keys() []string {
	var out []string
	for _, t := range tables {
		for k := range t {
			out = append(out, k)
		}
	}
	return out
}

// Lookup returns both languages of key.
func Lookup(key string) (Text, bool) {
	for _, t := range tables {
		if m, ok := t[key]; ok {
			return m, true
		}
	}
	return Text{}, false
}
