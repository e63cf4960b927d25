package understand

import (
	"strings"
	"unicode/utf8"
)

// DefaultMaxQuantity is the largest quantity when none is configured.
const DefaultMaxQuantity = 100000

// measureWords are Chinese measure words and English unit words that may follow a quantity.
var measureWords = []string{
	"把", "张", "套", "个", "件", "台", "只", "条", "支", "箱", "包", "盒", "袋", "双", "副", "组", "部", "块", "根", "份", "辆", "顶", "樘", "扇", "卷", "桶", "瓶", "打",
	"pieces", "piece", "pcs", "pc", "units", "unit", "sets", "set", "items", "item", "boxes", "box", "pairs", "pair", "packs", "pack", "nos", "no.",
}

// cnMeasure are the one-character Chinese measure words (the first part of measureWords).
func isCNMeasure(s string) (int, bool) {
	r, size := utf8.DecodeRuneInString(s)
	switch r {
	case '把', '张', '套', '个', '件', '台', '只', '条', '支', '箱', '包', '盒', '袋', '双', '副', '组', '部', '块', '根', '份', '辆', '顶', '樘', '扇', '卷', '桶', '瓶':
		return size, true
	}
	return 0, false
}

var quantityPrefixes = []string{
	"我想要", "我们要", "我要", "我订", "我买", "想要", "需要", "要", "订", "买", "来", "数量是", "数量为", "数量:", "数量", "共", "一共", "总共",
	"i would like", "i'd like", "we need", "i need", "i want", "we want", "quantity:", "quantity", "qty:", "qty", "need", "want",
	"x", "×", "*",
}

var quantitySuffixes = []string{"左右就行", "就行", "就好", "吧", "的", "个吧", "啊", "呀", "了", "please", "thanks", "in total", "total"}

// Quantity reads a quantity: 10, +7, １２ (full-width), 10把, 10 pcs, 我要10把, 十, 两个,
// 一百二十, 1.2万, 5千, "a dozen", "2 dozen", 一打. It must be a whole number from 1 to max
// (max <= 0 means DefaultMaxQuantity). The error is an *Error whose Kind says why: KindEmpty,
// KindNotNumber, KindZero, KindNegative, KindFraction (2.5, 1e9, 1,000), KindTooLarge
// (Error.Max holds max) or KindTooLong.
func Quantity(s string, max int) (int, error) {
	if max <= 0 {
		max = DefaultMaxQuantity
	}
	q := norm(s)
	if q == "" {
		return 0, fail(FieldQuantity, KindEmpty)
	}
	if utf8.RuneCountInString(q) > 40 {
		return 0, &Error{Field: FieldQuantity, Kind: KindTooLong, Max: max}
	}
	q = trimPunct(q)
	for changed := true; changed; {
		changed = false
		var ok bool
		if q, ok = stripPrefix(q, quantityPrefixes...); ok {
			changed = true
		}
		if q, ok = stripSuffix(q, quantitySuffixes...); ok {
			changed = true
		}
		q = trimPunct(q)
	}
	mul := int64(1)
	switch {
	case q == "a dozen" || q == "dozen" || q == "one dozen" || q == "打" || q == "一打":
		return checkQuantity(12, max)
	case strings.HasSuffix(q, " dozen") || strings.HasSuffix(q, "打"):
		q = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(q, " dozen"), "打"))
		mul = 12
	default:
		q, _ = stripSuffix(q, measureWords...)
	}
	if q == "" {
		return 0, fail(FieldQuantity, KindNotNumber)
	}
	if utf8.RuneCountInString(q) > 12 {
		return 0, &Error{Field: FieldQuantity, Kind: KindTooLong, Max: max}
	}
	neg := false
	if q[0] == '-' {
		neg, q = true, strings.TrimSpace(q[1:])
	} else if q[0] == '+' {
		q = strings.TrimSpace(q[1:])
	} else if strings.HasPrefix(q, "负") {
		neg, q = true, strings.TrimPrefix(q, "负")
	}
	n, ok := scanNumber(q, 0, false)
	if !ok || n.end != len(q) {
		if strings.ContainsAny(q, ".,eE") && strings.IndexFunc(q, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
			return 0, fail(FieldQuantity, KindFraction)
		}
		if neg {
			return 0, fail(FieldQuantity, KindNotNumber)
		}
		return 0, fail(FieldQuantity, KindNotNumber)
	}
	if !n.val.IsInteger() {
		return 0, fail(FieldQuantity, KindFraction)
	}
	if neg && !n.val.IsZero() {
		return 0, fail(FieldQuantity, KindNegative)
	}
	v := n.val.IntPart() * mul
	if n.val.GreaterThan(decimalMaxInt) {
		return 0, &Error{Field: FieldQuantity, Kind: KindTooLarge, Max: max}
	}
	return checkQuantity(v, max)
}

func checkQuantity(v int64, max int) (int, error) {
	switch {
	case v == 0:
		return 0, fail(FieldQuantity, KindZero)
	case v < 0:
		return 0, fail(FieldQuantity, KindNegative)
	case v > int64(max):
		return 0, &Error{Field: FieldQuantity, Kind: KindTooLarge, Max: max}
	}
	return int(v), nil
}
