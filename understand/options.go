package understand

import (
	"sort"
	"strings"

	"github.com/orderbot/orderbot/orders"
)

// builtinValueLabels are labels of common option values (keys lower-case).
var builtinValueLabels = map[string][]string{
	"black":  {"黑色", "黑的", "黑", "黑色款"},
	"grey":   {"灰色", "灰的", "灰", "gray", "浅灰色", "深灰色"},
	"gray":   {"灰色", "灰的", "灰", "grey"},
	"blue":   {"蓝色", "蓝的", "蓝"},
	"brown":  {"棕色", "棕的", "棕", "咖啡色", "褐色"},
	"white":  {"白色", "白的", "白"},
	"green":  {"绿色", "绿的", "绿"},
	"red":    {"红色", "红的", "红"},
	"yellow": {"黄色", "黄的", "黄"},
	"pink":   {"粉色", "粉红色", "粉的"},
	"purple": {"紫色", "紫的"},
	"orange": {"橙色", "橘色"},
	"silver": {"银色", "银的", "银"},
	"gold":   {"金色", "金的"},
	"navy":   {"藏青色", "藏青", "藏蓝色", "藏蓝", "海军蓝", "navy blue"},
	"khaki":  {"卡其色", "卡其", "卡其的"},
	"beige":  {"米色", "米白色"},
	"oak":    {"橡木", "橡木色", "橡木的", "oak wood", "oakwood"},
	"walnut": {"胡桃木", "胡桃木色", "胡桃", "胡桃木的", "walnut wood"},
	"xs":     {"xs码", "xs号", "size xs", "加小", "加小号"},
	"s":      {"s码", "s号", "size s", "小号", "small"},
	"m":      {"m码", "m号", "size m", "中号", "medium"},
	"l":      {"l码", "l号", "size l", "大号", "large"},
	"xl":     {"xl码", "xl号", "size xl", "加大", "加大号", "extra large"},
	"xxl":    {"xxl码", "xxl号", "2xl", "size xxl", "加加大"},
	"yes":    {"是", "要", "有", "需要", "带", "要的", "y"},
	"no":     {"否", "不要", "没有", "不带", "不需要", "无", "n"},
}

// builtinOptionLabels are labels of common option names.
var builtinOptionLabels = map[string][]string{
	"colour":        {"颜色", "color", "colour"},
	"color":         {"颜色", "color", "colour"},
	"size":          {"尺码", "尺寸", "码数", "size"},
	"material":      {"材质", "材料", "木材", "material"},
	"writing_board": {"写字板", "writing board", "writing-board", "writing tablet", "写字台板"},
}

// isYesNo reports whether an option's values are yes and no.
func isYesNo(o orders.Option) bool {
	return len(o.Values) == 2 && contains(o.Values, "yes") && contains(o.Values, "no")
}

// valueLabels returns the normalized labels of a value of option o (the value first).
func (x *catalogIndex) valueLabels(o orders.Option, v string) []string {
	lv := strings.ToLower(v)
	ls := []string{lv}
	for _, k := range []string{o.Name + "=" + lv, lv} {
		ls = append(ls, x.values[k]...)
	}
	if zh := o.ZH[v]; zh != "" { // the catalog's own Chinese name of the value
		ls = append(ls, strings.ToLower(zh))
	}
	if isYesNo(o) {
		names := append([]string{strings.ReplaceAll(o.Name, "_", " ")}, x.options[o.Name]...)
		for _, n := range names {
			if v == "yes" {
				ls = append(ls, "带"+n, "有"+n, "要"+n, "加"+n, "含"+n, "配"+n, "需要"+n, "with "+n, "with a "+n, "with the "+n, "+"+n, n)
			} else {
				ls = append(ls, "不带"+n, "没有"+n, "不要"+n, "无"+n, "不需要"+n, "不配"+n, "不加"+n, "without "+n, "without a "+n, "no "+n, "without the "+n)
			}
		}
	}
	return ls
}

type valueHit struct {
	value      string
	start, end int
}

// optionValueIn finds the values of option o named in low. With whole, low is an answer to
// the option question (any label counts, even one letter or one character); without, low
// is a longer message and labels of one letter or character, and bare yes/no words, are
// ignored. It returns the value and how many distinct values were named.
func (x *catalogIndex) optionValueIn(low string, o orders.Option, whole bool) (string, int) {
	hits := x.optionHits(low, o, whole)
	if whole && len(hits) == 0 && isYesNo(o) {
		switch YesNo(low) {
		case Yes:
			return "yes", 1
		case No:
			return "no", 1
		}
	}
	vals := map[string]bool{}
	v := ""
	for _, h := range hits {
		if !vals[h.value] {
			vals[h.value] = true
			v = h.value
		}
	}
	return v, len(vals)
}

type labelEntry struct{ value, label string }

// optionKey names an option with its values (the same option of several products shares it).
func optionKey(o orders.Option) string { return o.Name + "\x00" + strings.Join(o.Values, "\x00") }

// entries returns the labels of every value of o that may be looked for in a longer
// message (with whole false) or in an answer to the option question (whole true).
func (x *catalogIndex) entries(o orders.Option, whole bool) []labelEntry {
	k := optionKey(o)
	if whole {
		k = "\x01" + k
	}
	if e, ok := x.labelCache[k]; ok {
		return e
	}
	return x.makeEntries(o, whole)
}

func (x *catalogIndex) makeEntries(o orders.Option, whole bool) []labelEntry {
	var out []labelEntry
	for _, v := range o.Values {
		for _, l := range x.valueLabels(o, v) {
			if l == "" || !whole && (len([]rune(l)) < 2 && !(o.Name == "size" && isLetter(l[0])) || isYesNo(o) && (yesWords[l] || noWords[l] || l == "带" || l == "不带")) {
				continue
			}
			out = append(out, labelEntry{v, l})
		}
	}
	return out
}

func (x *catalogIndex) optionHits(low string, o orders.Option, whole bool) []valueHit {
	if whole {
		low = trimPunct(low)
		for _, v := range o.Values {
			for _, l := range x.valueLabels(o, v) {
				if squash(l) == squash(low) {
					return []valueHit{{value: v, start: 0, end: len(low)}}
				}
			}
		}
	}
	return scanLabels(low, x.entries(o, whole))
}

// scanLabels finds the labels in low, longest first, without overlaps: 不带写字板 wins over
// 带写字板, navy blue over blue. An English label is a whole word (a plural s may follow).
func scanLabels(low string, entries []labelEntry) []valueHit {
	var all []valueHit
	for _, e := range entries {
		v, l := e.value, e.label
		for from := 0; from < len(low); {
			i := strings.Index(low[from:], l)
			if i < 0 {
				break
			}
			i += from
			e := i + len(l)
			from = i + 1
			if isLetter(l[0]) && i > 0 && (isLetter(low[i-1]) || isDigit(low[i-1])) {
				continue
			}
			if isLetter(l[len(l)-1]) && e < len(low) && (isLetter(low[e]) || isDigit(low[e])) {
				if !(low[e] == 's' && (e+1 == len(low) || !isLetter(low[e+1]))) {
					continue
				}
			}
			all = append(all, valueHit{value: v, start: i, end: e})
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].end-all[a].start > all[b].end-all[b].start })
	var out []valueHit
	for _, h := range all {
		overlap := false
		for _, g := range out {
			if h.start < g.end && g.start < h.end {
				overlap = true
				break
			}
		}
		if !overlap {
			out = append(out, h)
		}
	}
	return out
}
