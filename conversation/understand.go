package conversation

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
	"github.com/shopspring/decimal"
)

// The dialog reads free text with the understand package: every question's answer, quick
// orders typed in one message, and staff sentences. This file turns its results and errors
// into the dialog's terms.

// parserTTL is how long a parser built from the catalog is used before it is built again
// (like the catalog's own cache, orders.DefaultCatalogTTL).
const parserTTL = 2 * time.Second

// parsers keeps one parser for the catalog as it was read at most parserTTL ago.
type parsers struct {
	mu    sync.Mutex
	p     *understand.Parser
	names map[string]valueName // the catalog's names of option values, built with p
	at    time.Time
}

// parser returns the engine's parser, built afresh when the catalog may have changed.
func (e *Engine) parser(ctx context.Context) (*understand.Parser, error) {
	c := &e.parsers
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p != nil && time.Since(c.at) < parserTTL {
		return c.p, nil
	}
	ps, err := e.desk.Products(ctx, orders.ProductFilter{Limit: 100000})
	if err != nil {
		return nil, err
	}
	r := e.desk.Rules()
	c.names = catalogValueNames(ps)
	c.p = understand.New(understand.Config{
		Products: ps, Categories: categoryWords(ps), ValueLabels: valueWords(c.names), OptionLabels: optionWords(ps),
		PaymentMethods: r.PaymentMethods, MaxQuantity: r.MaxQuantity,
		Location: e.desk.Location(), Calendar: r,
	})
	c.at = time.Now()
	return c.p, nil
}

// categoryWords are the names of the catalog's categories in both languages.
func categoryWords(ps []orders.Product) map[string][]string {
	out := map[string][]string{}
	for _, p := range ps {
		if _, ok := out[p.Category]; ok {
			continue
		}
		var words []string
		if m, ok := i18n.Lookup("category." + p.Category); ok {
			words = append(words, m.EN, m.ZH, strings.ToLower(m.EN))
		}
		out[p.Category] = words
	}
	return out
}

// valueName is what the catalog calls an option value in each language.
type valueName struct{ zh, en string }

// catalogValueNames are the names the catalog gives option values, by value in lower
// case: the one source of the values' names. A product whose option leaves a value
// unnamed borrows the name another product gives the same value (black is 黑色 for every
// product once one names it); yes/no values are named per option (带写字板), not here.
func catalogValueNames(ps []orders.Product) map[string]valueName {
	out := map[string]valueName{}
	for _, p := range ps {
		for _, o := range p.Options {
			if len(o.Values) == 2 && slices.Contains(o.Values, "yes") && slices.Contains(o.Values, "no") {
				continue
			}
			for _, v := range o.Values {
				k, n := strings.ToLower(v), out[strings.ToLower(v)]
				if n.zh == "" {
					n.zh = o.ZH[v]
				}
				if n.en == "" {
					n.en = o.EN[v]
				}
				if n != (valueName{}) {
					out[k] = n
				}
			}
		}
	}
	return out
}

// valueNames returns the catalog's names of option values (empty when the catalog
// cannot be read).
func (e *Engine) valueNames(ctx context.Context) map[string]valueName {
	if _, err := e.parser(ctx); err != nil {
		return nil
	}
	e.parsers.mu.Lock()
	defer e.parsers.mu.Unlock()
	return e.parsers.names
}

// valueWords are the option values' names in both languages, from the catalog, for the
// parser to read them for products that leave them unnamed.
func valueWords(names map[string]valueName) map[string][]string {
	out := map[string][]string{}
	for v, n := range names {
		for _, w := range []string{n.zh, n.en} {
			if w != "" {
				out[v] = append(out[v], w)
			}
		}
	}
	return out
}

// optionWords are the option names in both languages, from the texts.
func optionWords(ps []orders.Product) map[string][]string {
	out := map[string][]string{}
	for _, p := range ps {
		for _, o := range p.Options {
			if m, ok := i18n.Lookup("option." + o.Name); ok {
				out[o.Name] = []string{m.EN, m.ZH}
			}
		}
	}
	return out
}

// now is the desk's current moment as the parser needs it: noon of the desk's today (the
// desk's clock decides the day; the hour does not matter to any answer).
func (st *step) now() time.Time {
	return st.e.desk.Today().Time(st.e.desk.Location()).Add(12 * time.Hour)
}

// understood returns the parser, or nil when the catalog cannot be read (the answer is
// then read without the catalog's words).
func (st *step) understood() *understand.Parser {
	p, err := st.e.parser(st.ctx)
	if err != nil {
		st.e.log.WarnContext(st.ctx, "catalog unreadable for the parser", "err", err)
		return understand.New(understand.Config{PaymentMethods: st.e.desk.Rules().PaymentMethods,
			MaxQuantity: st.e.desk.Rules().MaxQuantity, Location: st.e.desk.Location(), Calendar: st.e.desk.Rules()})
	}
	return p
}

// ParseQuantity reads a quantity of at most max: 10, 10把, 10 pcs, 我要10把, 十, 两个,
// 一百二十, 1.2万, a dozen. Bad input is an *InputError naming the reason.
func ParseQuantity(s string, max int) (int, error) {
	n, err := understand.Quantity(s, max)
	if err != nil {
		return 0, quantityErr(err, max)
	}
	return n, nil
}

func quantityErr(err error, max int) error {
	switch understand.KindOf(err) {
	case understand.KindEmpty:
		return inputErr("err.quantity.empty")
	case understand.KindZero, understand.KindNegative:
		return inputErr("err.quantity.positive")
	case understand.KindFraction:
		return inputErr("err.quantity.whole")
	case understand.KindTooLarge:
		return inputErr("err.quantity.max", max)
	case understand.KindTooLong:
		return inputErr("err.quantity.toolong", max)
	}
	return inputErr("err.quantity.number")
}

// ParsePhone reads a phone number: a Chinese mobile, +86 …, spaces and dashes, or an
// international number of 7 to 15 digits. It returns only the + and the digits.
func ParsePhone(s string) (string, error) {
	p, err := understand.Phone(s)
	if err != nil {
		switch understand.KindOf(err) {
		case understand.KindEmpty:
			return "", inputErr("err.phone.empty")
		case understand.KindLength:
			return "", inputErr("err.phone.length")
		}
		return "", inputErr("err.phone.invalid")
	}
	return p, nil
}

// ParseDate reads a wanted date: 2026-12-05, 12/05, 5 Dec, 12月5日, 十二月五日, 明天, 下周一,
// 月底, 3天后, 下个月5号, next Friday … A date without a year is the next such date. Whether
// it is late enough is for the caller to judge.
func ParseDate(s string, today orders.Date, cal understand.Calendar) (orders.Date, error) {
	a, err := understand.ParseDate(s, today, cal)
	if err != nil {
		switch understand.KindOf(err) {
		case understand.KindEmpty:
			return orders.Date{}, inputErr("err.date.empty")
		case understand.KindImpossible:
			return orders.Date{}, inputErr("err.date.impossible")
		}
		return orders.Date{}, inputErr("err.date.format")
	}
	return a.Date, nil
}

// parseAmount reads an amount of money: 5000, 5000元, 5千, ¥5,000, 五千元, 1.2万.
func parseAmount(s string) (decimal.Decimal, bool) {
	a, err := understand.Amount(s)
	if err != nil || !a.IsPositive() || a.Exponent() < -2 {
		return decimal.Zero, false
	}
	return a, true
}
