package understand

import (
	"strings"

	"github.com/orderbot/orderbot/orders"
)

// Choice is one of several answers offered (a button), with its labels in any language.
type Choice struct {
	Value  string   // what the caller gets back (a button's data, a code)
	Labels []string // what a person may type for it, in any language (the value itself counts too)
}

// PickLabel returns the Value of the choice whose label s names — exactly (ignoring case,
// width, spaces and punctuation), or as the only label that begins with or contains s, or
// that s contains (微信 for 微信支付, "Alipay please"). It reports false when no choice or
// more than one choice fits.
func PickLabel(s string, choices []Choice) (string, bool) {
	q := squash(norm(s))
	if q == "" {
		return "", false
	}
	pick := func(test func(label string) bool) (string, bool, bool) {
		found, n := "", 0
		for _, c := range choices {
			for _, l := range append([]string{c.Value}, c.Labels...) {
				if l = squash(norm(l)); l != "" && test(l) {
					if n == 0 || found != c.Value {
						n++
					}
					found = c.Value
					break
				}
			}
		}
		if n != 1 {
			found = ""
		}
		return found, n == 1, n > 1
	}
	if v, ok, many := pick(func(l string) bool { return l == q }); ok || many {
		return v, ok
	}
	if len([]rune(q)) >= 2 {
		if v, ok, many := pick(func(l string) bool { return strings.HasPrefix(l, q) }); ok || many {
			return v, ok
		}
		if v, ok, many := pick(func(l string) bool { return len([]rune(l)) >= 2 && strings.Contains(q, l) }); ok || many {
			return v, ok
		}
	}
	return "", false
}

// squash drops spaces, punctuation and a few polite words so "Bank transfer." == "banktransfer".
func squash(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == ' ' || r == '_' || r == '-' || r == '.' || r == ',' || r == '!' || r == ':' || r == ';' || r == '(' || r == ')' || r == '"' || r == '\'' || r == '?' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// paymentAliases are built-in extra labels for common payment method codes.
var paymentAliases = map[string][]string{
	"bank_transfer":    {"银行转账", "转账", "银行汇款", "汇款", "对公转账", "公对公", "对公", "电汇", "bank transfer", "transfer", "wire transfer", "wire", "bank"},
	"alipay":           {"支付宝", "支付宝付款", "ali pay", "alipay"},
	"wechat_pay":       {"微信支付", "微信", "微信付款", "wechat", "wechat pay", "weixin", "wx"},
	"wechat":           {"微信支付", "微信", "微信付款", "wechat", "wechat pay", "weixin", "wx"},
	"cash_on_delivery": {"货到付款", "到付", "送货付款", "收货付款", "cash on delivery", "cod", "pay on delivery"},
	"cash":             {"现金", "cash"},
	"card":             {"刷卡", "银行卡", "card", "credit card", "debit card"},
}

// PaymentChoices returns the choices of payment methods: each method's code, names in both
// languages and the built-in aliases of its code.
func PaymentChoices(methods []orders.PaymentMethod) []Choice {
	out := make([]Choice, 0, len(methods))
	for _, m := range methods {
		labels := []string{m.EN, m.ZH}
		labels = append(labels, paymentAliases[m.Code]...)
		out = append(out, Choice{Value: m.Code, Labels: labels})
	}
	return out
}

// PaymentMethod returns the code of the payment method s names in either language
// (银行转账/转账/bank transfer, 支付宝/Alipay, 微信/WeChat Pay, 货到付款/COD …).
func (p *Parser) PaymentMethod(s string) (string, bool) {
	return PickLabel(s, PaymentChoices(p.cfg.PaymentMethods))
}

// OptionValue returns the value of the product's option that s names in either language
// (黑色/黑的/black for "black", 胡桃木/walnut, 要/不要/带写字板/without writing board for a
// yes/no option), using the configured and built-in labels. It reports false when s names
// no value, or more than one.
func (p *Parser) OptionValue(s string, product orders.Product, option string) (string, bool) {
	for _, o := range product.Options {
		if o.Name != option {
			continue
		}
		if v, n := p.cat.optionValueIn(norm(s), o, true); n == 1 {
			return v, true
		}
		return "", false
	}
	return "", false
}
