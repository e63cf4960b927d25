package i18n

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Money writes an amount as every text shows it: the currency sign, thousands grouped,
// two decimals, like ¥11,520.00.
func Money(currency string, d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(currency)
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteString(".")
	b.WriteString(frac)
	return b.String()
}
