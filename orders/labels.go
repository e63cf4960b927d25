package orders

import (
	"strings"
	"unicode"
)

// The catalog speaks both languages: a product has a name in each, its unit may have a
// Chinese name (UnitZH) and each option value may have one (Option.ZH). What is shown in
// Chinese falls back to the English word where the catalog gives no Chinese one, and what
// a customer types is matched against both.

// UnitName returns the product's unit in the language ("zh" or "en").
func (p Product) UnitName(lang string) string {
	if lang == "zh" && p.UnitZH != "" {
		return p.UnitZH
	}
	return p.Unit
}

// Label returns the name of the option's value in the language: the catalog's name in
// that language, else the value as the catalog spells it.
func (o Option) Label(value, lang string) string {
	if lang == "zh" {
		if zh := o.ZH[value]; zh != "" {
			return zh
		}
	} else if en := o.EN[value]; en != "" {
		return en
	}
	return value
}

// Labels returns the names of all the option's values in the language, in order.
func (o Option) Labels(lang string) []string {
	out := make([]string, len(o.Values))
	for i, v := range o.Values {
		out[i] = o.Label(v, lang)
	}
	return out
}

// Match returns the value a customer means by text: a value or its Chinese name, ignoring
// case and surrounding space, also in the everyday forms of a colour or material without
// its last character (黑 or 黑的 for 黑色, 胡桃 for 胡桃木 is not matched: only 色 and 的 are
// dropped). It reports false when nothing, or more than one value, matches.
func (o Option) Match(text string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" {
		return "", false
	}
	for _, v := range o.Values { // an exact spelling wins
		if strings.ToLower(v) == t || (o.ZH[v] != "" && strings.ToLower(o.ZH[v]) == t) || (o.EN[v] != "" && strings.ToLower(o.EN[v]) == t) {
			return v, true
		}
	}
	short := plainForm(t)
	if short == "" {
		return "", false
	}
	found := ""
	for _, v := range o.Values {
		if zh := o.ZH[v]; zh != "" && plainForm(strings.ToLower(zh)) == short {
			if found != "" && found != v {
				return "", false
			}
			found = v
		}
	}
	return found, found != ""
}

// plainForm drops what everyday Chinese adds to or leaves off a colour's name: a trailing
// 的 and 色 (黑色的, 黑的, 黑色 → 黑).
func plainForm(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	s = strings.TrimSuffix(s, "的")
	s = strings.TrimSuffix(s, "色")
	return s
}

// VariantZH returns the variant with each value replaced by its Chinese name where the
// product's options give one ("colour=黑色;size=M"), for the order's lines to keep.
func (p Product) VariantZH(v Variant) Variant {
	if v == "" {
		return ""
	}
	parts := strings.Split(string(v), ";")
	for i, part := range parts {
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		for _, o := range p.Options {
			if o.Name == name {
				parts[i] = name + "=" + o.Label(val, "zh")
			}
		}
	}
	return Variant(strings.Join(parts, ";"))
}

// VariantEN returns the variant with each value replaced by its English name where the
// product's options give one ("writing_board=with writing board"), for the order's lines
// to keep; "" when no value has one (the values are then their own English names).
func (p Product) VariantEN(v Variant) Variant {
	if v == "" {
		return ""
	}
	named := false
	parts := strings.Split(string(v), ";")
	for i, part := range parts {
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		for _, o := range p.Options {
			if o.Name == name && o.EN[val] != "" {
				parts[i], named = name+"="+o.EN[val], true
			}
		}
	}
	if !named {
		return ""
	}
	return Variant(strings.Join(parts, ";"))
}

// VariantLabels returns the values of the variant in the language, in order.
func (p Product) VariantLabels(v Variant, lang string) []string {
	if lang == "zh" {
		return p.VariantZH(v).Values()
	}
	if en := p.VariantEN(v); en != "" {
		return en.Values()
	}
	return v.Values()
}

// DisplayName returns the line's product name in the language, as it was when ordered.
func (l Line) DisplayName(lang string) string {
	if lang == "zh" && l.NameZH != "" {
		return l.NameZH
	}
	if l.Name != "" {
		return l.Name
	}
	return l.NameZH
}

// UnitName returns the line's unit in the language, as it was when ordered.
func (l Line) UnitName(lang string) string {
	if lang == "zh" && l.UnitZH != "" {
		return l.UnitZH
	}
	return l.Unit
}

// VariantLabels returns the line's option values in the language, as they were named when
// ordered.
func (l Line) VariantLabels(lang string) []string {
	if lang == "zh" && l.VariantZH != "" {
		return l.VariantZH.Values()
	}
	if lang != "zh" && l.VariantEN != "" {
		return l.VariantEN.Values()
	}
	return l.Variant.Values()
}

// Label names the line in lang: the product and its option values as they were named when
// ordered, "经典办公椅（黑色）" or "Office chair Classic (black)".
func (l Line) Label(lang string) string {
	name := l.DisplayName(lang)
	vals := l.VariantLabels(lang)
	if len(vals) == 0 {
		return name
	}
	if lang == "zh" {
		return name + "（" + strings.Join(vals, "，") + "）"
	}
	return name + " (" + strings.Join(vals, ", ") + ")"
}
