package understand

import (
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

var cnDigits = map[rune]int64{
	'零': 0, '〇': 0, '一': 1, '壹': 1, '幺': 1, '二': 2, '贰': 2, '两': 2, '俩': 2, '三': 3, '叁': 3,
	'四': 4, '肆': 4, '五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7, '八': 8, '捌': 8,
	'九': 9, '玖': 9,
}

var cnUnits = map[rune]int64{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000}

var cnBig = map[rune]int64{'万': 10000, '萬': 10000, '亿': 100000000}

func isCNNumeral(r rune) bool {
	_, d := cnDigits[r]
	_, u := cnUnits[r]
	_, b := cnBig[r]
	return d || u || b
}

// cnNumber reads a whole Chinese numeral: 十 10, 十二 12, 二十 20, 一百二十 120, 一百二 120
// (the colloquial dropped unit), 两千五 2500, 一万二千 12000, 三百零五 305, and digit by
// digit 一二三 123. It reports false for anything else, and for values above 10^12.
func cnNumber(s string) (int64, bool) {
	if s == "" || utf8.RuneCountInString(s) > 16 {
		return 0, false
	}
	rs := []rune(s)
	// Digit by digit (一二三, 二〇二六) when there is no unit at all.
	plain := true
	for _, r := range rs {
		if _, ok := cnDigits[r]; !ok {
			plain = false
			break
		}
	}
	if plain {
		if len(rs) > 1 && rs[0] == '两' {
			return 0, false
		}
		var n int64
		for _, r := range rs {
			n = n*10 + cnDigits[r]
		}
		return n, true
	}
	var total, section, digit int64
	lastUnit := int64(0) // the unit of the last written digit, for 一百二 = 120
	pending := false     // a digit is waiting for its unit
	zero := false        // a 零 was seen since the last unit
	for i, r := range rs {
		switch {
		case isIn(cnDigits, r):
			if pending {
				return 0, false // two digits in a row inside a numeral with units
			}
			digit, pending = cnDigits[r], true
			if digit == 0 {
				pending, zero = false, true
			}
		case isIn(cnUnits, r):
			u := cnUnits[r]
			if lastUnit != 0 && u >= lastUnit && section != 0 {
				return 0, false // 十百, 百百: units must descend within a section
			}
			if !pending {
				if u != 10 || !(i == 0 || zero) {
					return 0, false
				}
				digit = 1 // 十 = 一十
			}
			section += digit * u
			digit, pending, lastUnit, zero = 0, false, u, false
		case isIn(cnBig, r):
			b := cnBig[r]
			if pending {
				section += digit
			}
			if section == 0 {
				return 0, false
			}
			total += section * b
			if total > 1e12 {
				return 0, false
			}
			section, digit, pending, lastUnit, zero = 0, 0, false, 0, false
		default:
			return 0, false
		}
	}
	if pending {
		if lastUnit >= 100 && !zero {
			section += digit * lastUnit / 10 // 一百二 = 120, 两千五 = 2500
		} else {
			section += digit
		}
	}
	return total + section, true
}

func isIn(m map[rune]int64, r rune) bool { _, ok := m[r]; return ok }

// number is a number read from text.
type number struct {
	val      decimal.Decimal
	end      int  // byte offset after the number (and its multiplier)
	fraction bool // written with a decimal point or exponent
	grouped  bool // written with thousands separators (1,000)
	cn       bool // written in Chinese numerals
}

var multipliers = []struct {
	word string
	mul  int64
}{{"万", 10000}, {"萬", 10000}, {"千", 1000}, {"百", 100}, {"亿", 100000000}, {"k", 1000}, {"w", 10000}}

// scanNumber reads a number starting at byte i of s (lower-cased, folded): ASCII digits with
// an optional decimal part, thousands separators when grouped is allowed, and a multiplier
// (1.2万, 5千, 3k); or a Chinese numeral. It reports false when there is no number at i.
func scanNumber(s string, i int, grouped bool) (number, bool) {
	if i >= len(s) {
		return number{}, false
	}
	if isDigit(s[i]) {
		j := i
		var digits strings.Builder
		n := number{}
		for j < len(s) {
			c := s[j]
			switch {
			case isDigit(c):
				digits.WriteByte(c)
				j++
				continue
			case c == ',' && grouped && !n.fraction && j+4 <= len(s) && allDigits(s[j+1:j+4]) && (j+4 == len(s) || !isDigit(s[j+4])):
				n.grouped = true
				j++
				continue
			case c == '.' && !n.fraction && j+1 < len(s) && isDigit(s[j+1]):
				n.fraction = true
				digits.WriteByte('.')
				j++
				continue
			}
			break
		}
		if digits.Len() > 20 {
			return number{}, false
		}
		v, err := decimal.NewFromString(digits.String())
		if err != nil {
			return number{}, false
		}
		n.val, n.end = v, j
		for _, m := range multipliers {
			if strings.HasPrefix(s[j:], m.word) {
				// "3k" and "2w" only when no letter follows (not "3kg", "2weeks").
				e := j + len(m.word)
				if len(m.word) == 1 && e < len(s) && isLetter(s[e]) {
					break
				}
				n.val, n.end = v.Mul(decimal.NewFromInt(m.mul)), e
				break
			}
		}
		return n, true
	}
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isCNNumeral(r) {
			break
		}
		j += size
	}
	if j == i {
		return number{}, false
	}
	v, ok := cnNumber(s[i:j])
	if !ok {
		return number{}, false
	}
	return number{val: decimal.NewFromInt(v), end: j, cn: true}, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

var decimalMaxInt = decimal.NewFromInt(1 << 40)

var decimalTwelve = decimal.NewFromInt(12)
