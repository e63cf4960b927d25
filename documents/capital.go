package documents

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Chinese capital numerals (大写数字) as cheques, contracts and invoices write amounts.
var (
	capitalDigits = []rune("零壹贰叁肆伍陆柒捌玖")
	capitalUnits  = []string{"", "拾", "佰", "仟"}
	capitalGroups = []string{"", "万", "亿", "万亿"}
)

// ChineseCapital writes an amount of yuan in Chinese capital numerals, rounded to the fen:
// 12000 → 壹万贰仟元整, 1005.3 → 壹仟零伍元叁角整, 0.07 → 柒分. It follows the usual rules
// of financial writing: one 零 for a run of zeros inside the number, none after a 万 or 亿
// that ends a group, 整 after 元 or 角 when no fen follow.
func ChineseCapital(d decimal.Decimal) string {
	d = d.Round(2)
	var b strings.Builder
	if d.IsNegative() {
		b.WriteString("负")
		d = d.Neg()
	}
	fen := d.Mul(decimal.NewFromInt(100)).IntPart()
	yuan, jiao, cents := fen/100, (fen/10)%10, fen%10
	if yuan > 0 {
		writeCapitalInteger(&b, yuan)
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && cents == 0:
		if yuan == 0 {
			b.WriteString("零元")
		}
		b.WriteString("整")
	case cents == 0:
		b.WriteRune(capitalDigits[jiao])
		b.WriteString("角整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteRune(capitalDigits[cents])
		b.WriteString("分")
	default:
		b.WriteRune(capitalDigits[jiao])
		b.WriteString("角")
		b.WriteRune(capitalDigits[cents])
		b.WriteString("分")
	}
	return b.String()
}

// writeCapitalInteger writes n > 0 (below 10^16) in capital numerals without the unit 元.
func writeCapitalInteger(b *strings.Builder, n int64) {
	digits := []byte(decimal.NewFromInt(n).String())
	zero := false // zeros seen since the last digit written
	for i, c := range digits {
		pos := len(digits) - 1 - i // 0 is the ones
		dg := int(c - '0')
		if dg == 0 {
			zero = true
		} else {
			if zero && b.Len() > 0 && !strings.HasSuffix(b.String(), "负") {
				b.WriteRune('零')
			}
			zero = false
			b.WriteRune(capitalDigits[dg])
			b.WriteString(capitalUnits[pos%4])
		}
		if pos%4 == 0 && pos > 0 {
			// The end of a group of four: name it when any of its digits is not zero.
			start := max(0, i-3)
			if strings.Trim(string(digits[start:i+1]), "0") != "" {
				b.WriteString(capitalGroups[pos/4])
				zero = false
			}
		}
	}
}
