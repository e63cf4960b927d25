package understand

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxInput bounds the work done on one message: longer text is cut (by runes).
const maxInput = 2000

// fold turns the text typed with a Chinese input method into its plain form: full-width
// letters, digits and punctuation become ASCII, the ideographic space a space, Chinese
// commas, colons and full stops their ASCII equivalents, and ￥ becomes ¥. Case is kept.
// Invalid UTF-8 is dropped. Text longer than maxInput runes is cut.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for _, r := range s {
		if n++; n > maxInput {
			break
		}
		switch {
		case r == utf8.RuneError:
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000 || r == '\t' || r == 0xA0:
			r = ' '
		case r == '、':
			r = ','
		case r == '。':
			r = '.'
		case r == '【' || r == '〔' || r == '「' || r == '『' || r == '《':
			r = '('
		case r == '】' || r == '〕' || r == '」' || r == '』' || r == '》':
			r = ')'
		case r == '“' || r == '”':
			r = '"'
		case r == '‘' || r == '’':
			r = '\''
		case r == '—' || r == '–' || r == '－':
			r = '-'
		case r == '～' || r == '〜':
			r = '~'
		case r == '￥':
			r = '¥'
		case r == '\r':
			r = '\n'
		case unicode.IsControl(r) && r != '\n':
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lowerASCII lower-cases ASCII letters only, so that byte offsets stay those of s.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// norm is fold, lower-case and trimmed: the form most answers are compared in.
func norm(s string) string { return strings.TrimSpace(lowerASCII(fold(s))) }

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// trimPunct trims spaces and punctuation from both ends.
func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",.;:!?~\"'`，。；：！？", r)
	})
}

// stripPrefix removes the first of prefixes that s starts with (longest first is the
// caller's business), reporting whether one was removed.
func stripPrefix(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			// An English word is a word: "on" does not begin "one".
			if n := len(p); n > 0 && n < len(s) && isLetter(p[n-1]) && isLetter(s[n]) {
				continue
			}
			return strings.TrimSpace(s[len(p):]), true
		}
	}
	return s, false
}

// stripSuffix removes the first of suffixes that s ends with.
func stripSuffix(s string, suffixes ...string) (string, bool) {
	for _, p := range suffixes {
		if strings.HasSuffix(s, p) {
			if n := len(s) - len(p); n > 0 && len(p) > 0 && isLetter(p[0]) && isLetter(s[n-1]) {
				continue
			}
			return strings.TrimSpace(s[:len(s)-len(p)]), true
		}
	}
	return s, false
}

// words splits s at anything that is not a letter, digit or Chinese character.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
}

// Language guesses the language of a message: "zh" when it holds a Chinese character,
// "en" when it holds a Latin letter, "" when it holds neither (digits, emoji, stickers).
func Language(s string) string {
	latin := false
	for _, r := range s {
		if isHan(r) {
			return "zh"
		}
		if r < 128 && isLetter(byte(r)) || r >= 0xFF21 && r <= 0xFF5A {
			latin = true
		}
	}
	if latin {
		return "en"
	}
	return ""
}
