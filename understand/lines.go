package understand

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// qty is a quantity found in a message.
type qty struct {
	start, end int
	n          int
	err        Kind
	strong     bool // written with a measure word, "x" or "dozen"
}

// item is a product named in a segment.
type item struct {
	start, end int // bytes
	m          match
	line       DraftLine
	hasQty     bool
	region     string
}

var lineSeps = []string{"以及", "还有", "另外", "再来", "再要", "加上", "外加", "和", "及", "跟", "+", "&", " and ", " plus ", " also ", " as well as "}

// segments splits w into the parts that may each hold one or more lines.
func segments(w string) [][2]int {
	var out [][2]int
	start := 0
	cut := func(i, next int) {
		if i > start {
			out = append(out, [2]int{start, i})
		}
		start = next
	}
	for i := 0; i < len(w); {
		c := w[i]
		switch {
		case c == '\n' || c == ',' || c == ';' || c == '!' || c == '?':
			cut(i, i+1)
			i++
			continue
		case c == '.' && !(i > 0 && isDigit(w[i-1]) && i+1 < len(w) && isDigit(w[i+1])):
			cut(i, i+1)
			i++
			continue
		}
		matched := false
		for _, s := range lineSeps {
			if strings.HasPrefix(w[i:], s) {
				cut(i, i+len(s))
				i += len(s)
				matched = true
				break
			}
		}
		if !matched {
			_, size := utf8.DecodeRuneInString(w[i:])
			i += size
		}
	}
	cut(len(w), len(w))
	return out
}

var enNumberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100, "a": 1, "an": 1}

var enUnits = []string{"pieces", "piece", "pcs", "pc", "units", "unit", "sets", "set", "items", "item", "boxes", "box", "pairs", "pair", "packs", "pack", "nos"}

// quantities finds the quantities in w[i:j], outside the spans taken by products.
func (p *Parser) quantities(w string, i, j int, taken func(k int) bool) []qty {
	var out []qty
	for k := i; k < j; {
		r, size := utf8.DecodeRuneInString(w[k:])
		if taken(k) {
			k += size
			continue
		}
		prevLetter := k > 0 && (isLetter(w[k-1]) || isDigit(w[k-1]))
		if (isDigit(w[k]) && !prevLetter) || isCNNumeral(r) && r != '万' && r != '亿' && r != '千' && r != '百' {
			n, ok := scanNumber(w[:j], k, false)
			if !ok {
				k += size
				continue
			}
			q := qty{start: k, end: n.end}
			e := n.end
			for e < j && w[e] == ' ' {
				e++
			}
			// What follows the number decides.
			if ms, ok := isCNMeasure(w[e:j]); ok {
				q.strong, q.end = true, e+ms
			} else if strings.HasPrefix(w[e:j], "打") {
				n.val = n.val.Mul(decimalTwelve)
				q.strong, q.end = true, e+len("打")
			} else if strings.HasPrefix(w[e:j], "dozen") {
				n.val = n.val.Mul(decimalTwelve)
				q.strong, q.end = true, e+len("dozen")
			} else if u := unitAt(w[:j], e); u > 0 && !n.cn {
				q.strong, q.end = true, e+u
			} else if n.cn {
				k = n.end
				continue // a Chinese numeral without a measure word is not a quantity
			} else if n.end < j && (isLetter(w[n.end]) && !(w[n.end] == 'x' && (n.end+1 >= j || !isLetter(w[n.end+1])))) {
				k = n.end // 128gb, 3rd
				continue
			} else if n.end < j && strings.ContainsAny(w[n.end:n.end+1], "%¥$") || hasAnyPrefix(w[e:j], "元", "块", "号", "日", "月", "年", "天", "点", "楼", "层", "室", "米", "公斤", "kg", "cm", "mm", "寸") {
				k = n.end
				continue
			} else if n.end < j && w[n.end] == 'x' {
				q.strong, q.end = true, n.end+1
			}
			// x10, ×10, *10
			b := k
			for b > i && w[b-1] == ' ' {
				b--
			}
			if b > i && (w[b-1] == 'x' || w[b-1] == '*') && (b-1 == i || !isLetter(w[b-2])) {
				q.strong, q.start = true, b-1
			} else if strings.HasSuffix(w[i:b], "×") {
				q.strong, q.start = true, b-len("×")
			}
			if n.fraction || n.grouped {
				if !n.val.IsInteger() {
					q.err = KindFraction
				}
			}
			if q.err == "" {
				v, err := checkQuantity(n.val.IntPart(), p.cfg.MaxQuantity)
				if n.val.GreaterThan(decimalMaxInt) {
					err = &Error{Field: FieldQuantity, Kind: KindTooLarge}
				}
				if err != nil {
					q.err = KindOf(err)
				}
				q.n = v
			}
			out = append(out, q)
			k = q.end
			continue
		}
		// English number words and "a dozen".
		if isLetter(w[k]) && !prevLetter {
			e := k
			for e < j && isLetter(w[e]) {
				e++
			}
			word := w[k:e]
			if word == "dozen" || word == "a" && strings.HasPrefix(w[e:j], " dozen") {
				end := e
				if word == "a" {
					end = e + len(" dozen")
				}
				out = append(out, qty{start: k, end: end, n: 12, strong: true})
				k = end
				continue
			}
			if v, ok := enNumberWords[word]; ok {
				q := qty{start: k, end: e, n: v}
				if strings.HasPrefix(w[e:j], " dozen") {
					q.n, q.end, q.strong = v*12, e+len(" dozen"), true
				}
				out = append(out, q)
				k = q.end
				continue
			}
			k = e
			continue
		}
		k += size
	}
	return out
}

func hasAnyPrefix(s string, ps ...string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// unitAt returns the length of an English unit word at w[e:], or 0.
func unitAt(w string, e int) int {
	for _, u := range enUnits {
		if strings.HasPrefix(w[e:], u) && (e+len(u) == len(w) || !isLetter(w[e+len(u)])) {
			return len(u)
		}
	}
	return 0
}

// residualStop are tokens that carry no product meaning.
var residualStop = map[string]bool{
	"我": true, "们": true, "要": true, "想": true, "买": true, "订": true, "来": true, "的": true, "请": true, "帮": true, "给": true, "下": true, "些": true,
	"再": true, "还": true, "也": true, "共": true, "了": true, "吧": true, "呢": true, "啊": true, "麻": true, "烦": true, "你": true, "需": true, "各": true,
	"货": true, "送": true, "交": true, "发": true, "到": true, "一": true, "个": true, "点": true, "就": true, "行": true, "好": true, "谢": true, "哈": true,
	"i": true, "we": true, "need": true, "want": true, "would": true, "like": true, "to": true, "order": true, "please": true, "pls": true, "buy": true,
	"get": true, "some": true, "the": true, "a": true, "an": true, "of": true, "for": true, "me": true, "u": true, "and": true, "with": true, "in": true,
	"deliver": true, "delivered": true, "delivery": true, "send": true, "ship": true, "hi": true, "hello": true, "thank": true, "thanks": true,
	"can": true, "you": true, "could": true, "id": true, "ll": true, "take": true, "place": true, "an order": true, "new": true, "total": true,
	"quantity": true, "qty": true, "each": true, "just": true, "also": true, "it": true, "them": true, "those": true, "these": true, "our": true, "my": true,
	"is": true, "are": true, "one": true, "ones": true, "be": true, "will": true, "that": true, "this": true, "by": true, "on": true, "at": true, "as": true, "soon": true, "possible": true,
	"你好": true, "您": true, "达": true, "过": true, "采": true, "购": true, "单": true,
}

func (p *Parser) qLines(m *msg, d *Draft) {
	w := string(m.work)
	type segResult struct {
		items   []*item
		orphans []qty
		opts    string // the segment text, for options of an orphan merge
		text    string // the same as typed
		resid   string
	}
	var results []segResult
	for _, sg := range segments(w) {
		i, j := sg[0], sg[1]
		toks := tokenize(w[i:j])
		for k := range toks {
			toks[k].start += i
			toks[k].end += i
		}
		ms := p.cat.matchesMasked(toks, p.cat.optionMask(w[i:j], toks, i))
		var items []*item
		for _, mt := range ms {
			items = append(items, &item{start: toks[mt.from].start, end: toks[mt.to-1].end, m: mt})
		}
		inProduct := func(k int) bool {
			for _, it := range items {
				if k >= it.start && k < it.end {
					return true
				}
			}
			return false
		}
		qs := p.quantities(w, i, j, inProduct)
		used := make([]bool, len(qs))
		// Quantities go with the product they come before ("10把椅子", "20 black chairs"),
		// or after when the segment begins with a product ("办公椅10把", "chairs x 20").
		productFirst := len(items) > 0 && (len(qs) == 0 || items[0].start < qs[0].start)
		for qi, q := range qs {
			var target *item
			if productFirst {
				for _, it := range items {
					if it.end <= q.start {
						target = it
					}
				}
			} else {
				for _, it := range items {
					if it.start >= q.end {
						target = it
						break
					}
				}
			}
			if target == nil || !q.strong && !p.glue(w, q, target) {
				continue
			}
			used[qi] = true
			if target.hasQty {
				target.line.Quantity, target.line.QuantityError = 0, ""
				target.line.Text = "\x01" // several quantities for one product: ask
				continue
			}
			target.hasQty = true
			target.line.Quantity, target.line.QuantityError = q.n, q.err
		}
		for k, it := range items {
			// The region of a product, for its options.
			var from, to int
			if productFirst {
				from, to = it.start, j
				if k == 0 {
					from = i // 黑色办公椅 10 把
				}
				if k+1 < len(items) {
					to = items[k+1].start
				}
			} else {
				from, to = i, it.end
				if k > 0 {
					from = items[k-1].end
				}
				if k == len(items)-1 {
					to = j
				}
			}
			if it.line.Text == "\x01" {
				it.line.Quantity = 0
			}
			it.line.Text = trimPunct(strings.TrimSpace(m.orig[from:to]))
			it.region = w[from:to]
			p.fillLine(&it.line, it.m, it.region)
		}
		var orphans []qty
		for qi, q := range qs {
			if !used[qi] && (q.strong || len(items) == 0) {
				orphans = append(orphans, q)
			}
		}
		// What is left: another product typed with a typo, or words not understood.
		resid := p.residual(w, toks, items, qs)
		// 手机 X1 Pro: a category or shared word made precise by the other words.
		if resid != "" {
			var amb []*item
			for _, it := range items {
				if it.line.SKU == "" && len(it.line.Candidates) > 1 {
					amb = append(amb, it)
				}
			}
			if len(amb) == 1 {
				if sku, ok := p.cat.partialAmong(tokenize(resid), amb[0].line.Candidates); ok {
					amb[0].line = DraftLine{SKU: sku, Quantity: amb[0].line.Quantity, QuantityError: amb[0].line.QuantityError, Text: amb[0].line.Text}
					p.fillLine(&amb[0].line, match{term: -1}, amb[0].region)
					resid = ""
				}
			}
		}
		// A word we do not know right next to a product name may change which product is
		// meant (ofice chairs, 办工椅): offer it as a suggestion instead.
		if resid != "" {
			spans := p.explained(w, toks, items, qs)
			for _, it := range items {
				if it.line.SKU == "" {
					continue
				}
				for _, k := range []int{it.m.from - 1, it.m.to} {
					if k < 0 || k >= len(toks) || spans[k] || residualStop[toks[k].s] {
						continue
					}
					if _, ok := isCNMeasure(toks[k].s); ok {
						continue
					}
					from, to := it.m.from, it.m.to
					if k < from {
						from = k
					} else {
						to = k + 1
					}
					c := p.cat.fuzzy(toks[from:to])
					c = appendCandidate(c, Candidate{SKU: it.line.SKU, Score: 0.5})
					it.line = DraftLine{Candidates: c, Quantity: it.line.Quantity, QuantityError: it.line.QuantityError, Text: it.line.Text}
					break
				}
			}
		}
		results = append(results, segResult{items: items, orphans: orphans, opts: w[i:j], text: trimPunct(strings.TrimSpace(m.orig[i:j])), resid: resid})
	}
	// Lines for segments without a product: a partial name, a typo, or quantities and
	// options that belong to a product named in another segment (经典办公椅，黑色，10把).
	var lines []*DraftLine
	var owner []*DraftLine // per segment, the line it belongs to
	for si, r := range results {
		owner = append(owner, nil)
		for _, it := range r.items {
			l := it.line
			lines = append(lines, &l)
			owner[si] = &l
		}
		if len(r.items) > 0 {
			if r.resid != "" {
				d.Unread = append(d.Unread, r.resid)
			}
			continue
		}
		// 50件白色L码 after 纯棉T恤50件黑色M码, "and 10 grey ones": the same product again,
		// with other options.
		if r.resid == "" && len(r.orphans) == 1 && si > 0 && owner[si-1] != nil && owner[si-1].SKU != "" && owner[si-1].Quantity > 0 {
			prev := owner[si-1]
			l := &DraftLine{SKU: prev.SKU, Quantity: r.orphans[0].n, QuantityError: r.orphans[0].err, Text: r.text}
			p.fillLine(l, match{term: -1}, r.opts)
			if len(l.Options) > 0 {
				lines = append(lines, l)
				owner[si] = l
				results[si].orphans = nil
				continue
			}
		}
		if r.resid != "" {
			rt := tokenize(r.resid)
			if sku, ok := p.cat.partial(rt); ok && len(r.orphans) > 0 {
				l := &DraftLine{SKU: sku, Text: r.text}
				if len(r.orphans) == 1 {
					l.Quantity, l.QuantityError = r.orphans[0].n, r.orphans[0].err
					r.orphans = nil
				}
				p.fillLine(l, match{term: -1}, r.opts)
				lines = append(lines, l)
				owner[si] = l
				results[si].orphans = r.orphans
				continue
			}
			if c := p.cat.fuzzy(rt); len(c) > 0 && (len(r.orphans) > 0 || c[0].Score >= 0.7) {
				l := &DraftLine{Candidates: c, Text: r.text}
				if len(r.orphans) == 1 {
					l.Quantity, l.QuantityError = r.orphans[0].n, r.orphans[0].err
					results[si].orphans = nil
				}
				lines = append(lines, l)
				owner[si] = l
				continue
			}
			d.Unread = append(d.Unread, r.resid)
		}
	}
	// Orphan quantities and options: to the one line without a quantity, when there is
	// exactly one such line.
	for si, r := range results {
		if owner[si] != nil || len(r.orphans) == 0 {
			continue
		}
		var open []*DraftLine
		for _, l := range lines {
			if l.Quantity == 0 && l.QuantityError == "" {
				open = append(open, l)
			}
		}
		if len(open) == 1 && len(r.orphans) == 1 {
			open[0].Quantity, open[0].QuantityError = r.orphans[0].n, r.orphans[0].err
			continue
		}
		if len(lines) == 0 && len(r.orphans) == 1 && r.orphans[0].strong {
			// A quantity with a measure word and nothing we know: a line whose product is to
			// be asked.
			l := &DraftLine{Quantity: r.orphans[0].n, QuantityError: r.orphans[0].err, Text: r.text}
			lines = append(lines, l)
		}
	}
	// Options typed in a segment of their own (黑色): to the one line that lacks them.
	for si, r := range results {
		if owner[si] != nil || len(r.items) > 0 {
			continue
		}
		for _, l := range lines {
			if l.SKU == "" || len(l.MissingOptions) == 0 {
				continue
			}
			p.fillOptions(l, r.opts)
		}
	}
	for _, l := range lines {
		d.Lines = append(d.Lines, *l)
	}
}

// glue reports whether only option words, spaces and fillers lie between a quantity
// without a measure word and its product ("20 black office chairs").
func (p *Parser) glue(w string, q qty, it *item) bool {
	var between string
	if q.end <= it.start {
		between = w[q.end:it.start]
	} else {
		between = w[it.end:q.start]
	}
	return utf8.RuneCountInString(strings.TrimSpace(between)) <= 24 && !strings.ContainsRune(between, consumed)
}

// explained marks the tokens that are products, quantities or option words.
func (p *Parser) explained(w string, toks []tok, items []*item, qs []qty) []bool {
	spans := p.spans(w, toks, items, qs)
	out := make([]bool, len(toks))
	for k, t := range toks {
		for _, s := range spans {
			if t.start >= s[0] && t.end <= s[1] {
				out[k] = true
			}
		}
	}
	return out
}

// residual is what is left of a segment once products, quantities, option words and
// fillers are gone.
func (p *Parser) residual(w string, toks []tok, items []*item, qs []qty) string {
	var b strings.Builder
	spans := p.spans(w, toks, items, qs)
	in := func(t tok) bool {
		for _, s := range spans {
			if t.start >= s[0] && t.end <= s[1] {
				return true
			}
		}
		return false
	}
	for _, t := range toks {
		if in(t) || residualStop[t.s] {
			continue
		}
		if _, ok := isCNMeasure(t.s); ok {
			continue
		}
		if b.Len() > 0 && (t.s[0] < 128) {
			b.WriteByte(' ')
		}
		b.WriteString(t.s)
	}
	return strings.TrimSpace(b.String())
}

func (p *Parser) spans(w string, toks []tok, items []*item, qs []qty) [][2]int {
	var spans [][2]int
	for _, it := range items {
		spans = append(spans, [2]int{it.start, it.end})
	}
	for _, q := range qs {
		spans = append(spans, [2]int{q.start, q.end})
	}
	if len(toks) > 0 {
		seg := w[toks[0].start:toks[len(toks)-1].end]
		for _, h := range p.cat.anyOptionHits(seg) {
			spans = append(spans, [2]int{toks[0].start + h.start, toks[0].start + h.end})
		}
	}
	return spans
}

// fillLine sets the product of a line from a match (or keeps l.SKU when the match is
// none) and its options from the text of its region.
func (p *Parser) fillLine(l *DraftLine, mt match, region string) {
	if mt.term >= 0 {
		pm := p.cat.resolve(mt)
		l.SKU, l.Category, l.Candidates = pm.SKU, pm.Category, pm.Candidates
	}
	if l.SKU == "" {
		return
	}
	pr := p.cat.products[l.SKU]
	l.MissingOptions = nil
	for _, o := range pr.Options {
		l.MissingOptions = append(l.MissingOptions, o.Name)
	}
	p.fillOptions(l, region)
}

// fillOptions sets the options of l that region names (one value each).
func (p *Parser) fillOptions(l *DraftLine, region string) {
	pr := p.cat.products[l.SKU]
	var missing []string
	for _, o := range pr.Options {
		if _, ok := l.Options[o.Name]; ok {
			continue
		}
		v, n := p.cat.optionValueIn(region, o, false)
		if n == 1 {
			if l.Options == nil {
				l.Options = map[string]string{}
			}
			l.Options[o.Name] = v
			continue
		}
		missing = append(missing, o.Name)
	}
	l.MissingOptions = missing
}

// anyOptionHits finds the option words of any product in s.
func (x *catalogIndex) anyOptionHits(s string) []valueHit {
	out := scanLabels(s, x.allLabels)
	sort.Slice(out, func(a, b int) bool { return out[a].start < out[b].start })
	return out
}
