package conversation

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
	"github.com/shopspring/decimal"
)

// The small words of every text: statuses, units, option values, lists and notes, each in
// the reader's language and from the reader's point of view.

// statusName names an order status for the reader: staff read "awaiting the customer's
// confirmation" where the customer reads "awaiting your confirmation".
func (st *step) statusName(s orders.Status) string {
	if st.u.Role.Staff() {
		if k := "status.staff." + string(s); i18n.Has(k) {
			return st.t(k)
		}
	}
	return st.t("status." + string(s))
}

// paymentStatusName names a payment status.
func (st *step) paymentStatusName(p orders.PaymentStatus) string {
	return st.t("payment." + string(p))
}

// methodName names a payment method by its code, never showing the code itself.
func (st *step) methodName(code string) string {
	if pm, ok := st.e.desk.Rules().PaymentMethod(code); ok {
		return pm.Label(st.s.Lang)
	}
	return code
}

// methodNames lists the payment methods, for a refusal that says which ones there are.
func (st *step) methodNames() string {
	var names []string
	for _, pm := range st.e.desk.Rules().PaymentMethods {
		names = append(names, pm.Label(st.s.Lang))
	}
	return st.list(names)
}

// list joins words with the reader's comma.
func (st *step) list(words []string) string {
	if st.s.Lang == i18n.ZH {
		return strings.Join(words, "、")
	}
	return strings.Join(words, ", ")
}

// comma joins parts of one statement: "王小明，13800138000", "Wang, 13800138000".
func (st *step) comma(parts ...string) string {
	if st.s.Lang == i18n.ZH {
		return strings.Join(parts, "，")
	}
	return strings.Join(parts, ", ")
}

// paren adds a remark in brackets; in Chinese, full-width brackets with no space, and never
// brackets inside brackets.
func (st *step) paren(s, remark string) string {
	if remark == "" {
		return s
	}
	if st.s.Lang == i18n.ZH {
		return s + "（" + innerParensZH.Replace(remark) + "）"
	}
	return s + " (" + innerParens.Replace(remark) + ")"
}

// innerParens and innerParensZH take the brackets out of a remark that paren puts in
// brackets (built once: a Replacer builds its tables on first use).
var (
	innerParens   = strings.NewReplacer("(", "", ")", "")
	innerParensZH = strings.NewReplacer("（", "·", "）", "")
)

// unitNames are the Chinese names of the usual units, for catalogs without their own.
var unitNames = map[string]string{
	"pcs": "件", "pc": "件", "piece": "件", "pieces": "件", "set": "套", "sets": "套", "box": "箱",
	"boxes": "箱", "pair": "双", "pairs": "双", "kg": "公斤", "m": "米", "roll": "卷", "pack": "包",
}

// unitName names a unit in the reader's language.
func (st *step) unitName(unit string) string {
	if st.s.Lang == i18n.ZH {
		if zh, ok := unitNames[strings.ToLower(unit)]; ok {
			return zh
		}
	}
	return unit
}

// unitLabel names a unit in the reader's language: the catalog's Chinese name (zh) when it
// has one, else the texts'.
func (st *step) unitLabel(unit, zh string) string {
	if st.s.Lang == i18n.ZH && zh != "" {
		return zh
	}
	return st.unitName(unit)
}

// lineQty writes a line's quantity with its unit as the order recorded it.
func (st *step) lineQty(l orders.Line) string { return st.qty(l.Quantity, l.Unit, l.UnitZH) }

// qty writes a quantity with its unit (zh: the catalog's Chinese name, if any): "10件",
// "10 pcs".
func (st *step) qty(n int, unit, zh string) string {
	u := st.unitLabel(unit, zh)
	if st.s.Lang == i18n.ZH {
		return strconv.Itoa(n) + u
	}
	return strconv.Itoa(n) + " " + u
}

// valueName names an option value in the reader's language from the catalog: the name
// any product gives the value there (黑色 for black), else as the catalog spells it.
func (st *step) valueName(value string) string {
	n := st.e.valueNames(st.ctx)[strings.ToLower(value)]
	if st.s.Lang == i18n.ZH && n.zh != "" {
		return n.zh
	}
	if st.s.Lang != i18n.ZH && n.en != "" {
		return n.en
	}
	return value
}

// variantText writes the option values of v, a variant of product p: "黑色，带写字板",
// "black, with writing board" (a yes/no option is named with its value). A value's name
// in the catalog comes first.
func (st *step) variantText(p orders.Product, v orders.Variant) string {
	if v == "" {
		return ""
	}
	var vals []string
	for _, part := range strings.Split(string(v), ";") {
		name, val, _ := strings.Cut(part, "=")
		if i := slices.IndexFunc(p.Options, func(o orders.Option) bool { return o.Name == name }); i >= 0 {
			if o := p.Options[i]; st.s.Lang == i18n.ZH && o.ZH[val] != "" || st.s.Lang != i18n.ZH && o.EN[val] != "" {
				vals = append(vals, o.Label(val, st.s.Lang))
				continue
			}
		}
		switch strings.ToLower(val) {
		case "yes":
			vals = append(vals, st.t("value.with", st.optionName(name)))
		case "no":
			vals = append(vals, st.t("value.without", st.optionName(name)))
		default:
			vals = append(vals, st.valueName(val))
		}
	}
	return st.comma(vals...)
}

// depositLine is the deposit due with the reason why, or "" when none is shown: nothing is
// due, or the order is cancelled or completed.
func (st *step) depositLine(due decimal.Decimal, status orders.Status, custom bool) string {
	if !due.IsPositive() || status == orders.StatusCancelled || status == orders.StatusCompleted {
		return ""
	}
	r := st.e.desk.Rules()
	why := st.t("deposit.production", r.DepositPercent.String())
	if custom {
		why = st.t("deposit.custom", r.CustomPrepayPercent.String())
	}
	return st.field("field.deposit", st.paren(st.money(due), why))
}

// orderHasCustom reports whether an order has a custom (non-standard) product.
func (st *step) orderHasCustom(o orders.Order) bool {
	for _, l := range o.Lines {
		if p, err := st.e.desk.Product(st.ctx, l.SKU); (err == nil || p.SKU != "") && !p.Standard && !l.Complimentary {
			return true
		}
	}
	return false
}

// historyNote writes a timeline entry's note in the reader's language from its code and
// arguments; a person's own words are shown as they wrote them.
func (st *step) historyNote(h orders.HistoryEntry) string {
	if s, ok := h.Detail.Words(noteWords{st}); ok {
		return s
	}
	return h.Note
}

// noteWords writes history notes in the step's reader's words.
type noteWords struct{ st *step }

func (w noteWords) T(key string, args ...any) string     { return w.st.t(key, args...) }
func (w noteWords) Money(d decimal.Decimal) string       { return w.st.money(d) }
func (w noteWords) Date(d orders.Date) string            { return w.st.date(d) }
func (w noteWords) Method(code string) string            { return w.st.methodName(code) }
func (w noteWords) Change(c orders.ChangeRequest) string { return w.st.changeText(c, nil) }

// changeText describes a change request in the reader's language, from its fields; with
// the order, a quantity change names the line's product.
func (st *step) changeText(c orders.ChangeRequest, o *orders.Order) string {
	var what string
	switch c.Kind {
	case orders.ChangeQuantity:
		what = st.t("change.quantity.short", c.Line+1, c.Quantity)
		if o != nil && c.Line >= 0 && c.Line < len(o.Lines) {
			l := o.Lines[c.Line]
			what = st.t("change.quantity", c.Line+1, st.lineName(l.SKU, l.Variant), c.Quantity)
		}
	case orders.ChangeDate:
		what = st.t("change.date", st.date(c.Date))
	case orders.ChangeAddress:
		what = st.t("change.address", c.Address)
	case orders.ChangeCancel:
		what = st.t("change.cancel")
	default:
		what = c.Kind
	}
	if c.Reason != "" {
		what = st.t("change.reason", what, c.Reason)
	}
	return what
}

// typedMethod is the payment method a typed answer names, in either language ("" when
// none): "Alipay", "支付宝", "用支付宝付".
func (st *step) typedMethod(text string) string {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" {
		return ""
	}
	for _, pm := range st.e.desk.Rules().PaymentMethods {
		for _, name := range []string{pm.EN, pm.ZH, pm.Code, strings.ReplaceAll(pm.Code, "_", " ")} {
			if name != "" && (t == strings.ToLower(name) || strings.Contains(t, strings.ToLower(name))) {
				return pm.Code
			}
		}
	}
	return ""
}

// optionValue labels a value of option o: 黑色, 带写字板, black, with writing board.
func (st *step) optionValue(o orders.Option, value string) string {
	return st.variantText(orders.Product{Options: []orders.Option{o}}, orders.Variant(o.Name+"="+value))
}

// typedValue is the value of option o a typed answer names, in either language ("" when
// none): "black", "黑色", "黑的", "带写字板", "要", "不要".
func (st *step) typedValue(o orders.Option, text string) string {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" {
		return ""
	}
	catalog := st.e.valueNames(st.ctx)
	for _, v := range o.Values {
		w := catalog[strings.ToLower(v)]
		lv := i18n.T(i18n.ZH, "value.with", st.optionName(o.Name))
		names := []string{strings.ToLower(v), strings.ToLower(w.en), w.zh,
			strings.ToLower(i18n.T(i18n.EN, "value.with", i18n.T(i18n.EN, "option."+o.Name))), lv}
		if strings.EqualFold(v, "no") {
			names = []string{"no", i18n.T(i18n.ZH, "value.without", i18n.T(i18n.ZH, "option."+o.Name)),
				strings.ToLower(i18n.T(i18n.EN, "value.without", i18n.T(i18n.EN, "option."+o.Name))), "不要", "不带", "没有", "不用", "否"}
		} else if strings.EqualFold(v, "yes") {
			names = append(names, "要", "带", "有", "是", "需要")
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			if t == n || (len([]rune(n)) >= 2 && strings.TrimSuffix(strings.TrimSuffix(t, "的"), "色") == strings.TrimSuffix(n, "色")) {
				return v
			}
		}
	}
	return ""
}

// hasHan reports whether s has a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// leaveLookup drops a pending "which order?" or "find what?" question once an order or a
// list is shown by other means, so that the next message is not taken as its answer.
func (st *step) leaveLookup() {
	if st.s.State == stateStatus || st.s.State == stateFind {
		st.reset(true)
	}
}

// queueName is the queue a typed name means, in either language (待审核, 逾期, review …).
func queueName(name string) string {
	if q, ok := understand.QueueName(name); ok {
		return q
	}
	return strings.ToLower(strings.TrimSpace(name))
}

// buttonWord reduces a label or a typed answer to its words: no emoji, arrows or spaces,
// lower case ("✅ Approve" and "approve" are alike).
func buttonWord(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// typedButton finds the button of the question on screen whose label the user typed, in
// either language: "地址" presses [地址], "English" presses [English]. It returns the button's
// data.
func (st *step) typedButton(text string) (string, bool) {
	w := buttonWord(text)
	if w == "" || utf8.RuneCountInString(w) > 30 {
		return "", false
	}
	seq := strconv.Itoa(st.s.Seq) + ":"
	for i := len(st.s.LastReplies) - 1; i >= 0; i-- {
		for _, row := range st.s.LastReplies[i].Buttons {
			for _, b := range row {
				if strings.HasSuffix(b.Data, ":noop") || !(strings.HasPrefix(b.Data, seq) || strings.HasPrefix(b.Data, "m:")) {
					continue
				}
				if labelMatches(w, b.Text) {
					return b.Data, true
				}
			}
		}
	}
	return "", false
}

// labelMatches reports whether the typed words w are the label, or the label's text in
// the other language.
func labelMatches(w, label string) bool {
	lw := buttonWord(label)
	if lw == "" {
		return false
	}
	if w == lw {
		return true
	}
	for _, twin := range labelTwins()[lw] {
		if w == twin {
			return true
		}
	}
	return false
}

// labelTwins maps the button word of every fixed text of the catalog (one without
// arguments) to the button words of its texts in both languages. It is built once, on
// first use, from the catalog, which never changes while the program runs.
var labelTwins = sync.OnceValue(func() map[string][]string {
	twins := make(map[string][]string)
	for _, k := range i18n.Keys() {
		m, _ := i18n.Lookup(k)
		if strings.Contains(m.EN, "%") || strings.Contains(m.ZH, "%") {
			continue
		}
		en, zh := buttonWord(m.EN), buttonWord(m.ZH)
		for _, from := range []string{en, zh} {
			if from == "" {
				continue
			}
			for _, to := range append([]string{en, zh}, buttonSynonyms[k]...) {
				if to = buttonWord(to); to != "" && !slices.Contains(twins[from], to) {
					twins[from] = append(twins[from], to)
				}
			}
		}
	}
	return twins
})

// buttonSynonyms are the other words people type for a button, by its text's key: 「再加一个」
// adds another product at the cart, 「好了」 goes on, 「日期」 picks the delivery date in the
// edit menu.
var buttonSynonyms = map[string][]string{
	"btn.add":        {"再加", "再加一个", "再加一些", "再来一个", "还要", "还要别的", "继续加", "加商品", "add more", "another one", "one more"},
	"btn.continue":   {"好了", "就这些", "就这样", "没了", "没有了", "够了", "下单", "结算", "that's all", "that is all", "done", "next"},
	"field.date":     {"日期", "交期", "交货日期", "送货日期", "送货时间", "时间", "date", "delivery date"},
	"field.contact":  {"联系方式", "电话", "手机", "姓名", "名字", "phone", "name"},
	"field.address":  {"收货地址", "送货地址", "delivery address"},
	"field.payment":  {"付款", "支付", "付款方式", "支付方式", "payment method"},
	"field.notes":    {"留言", "note"},
	"field.products": {"商品", "产品", "数量", "products", "quantity"},
}
