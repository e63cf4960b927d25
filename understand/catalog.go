package understand

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
)

// Candidate is a product that a text may mean, with how well it fits (0..1, 1 = exact).
type Candidate struct {
	SKU   string
	Score float64
}

// ProductMatch is what a product answer names.
type ProductMatch struct {
	// SKU is the one product meant, or "" when none or several fit.
	SKU string
	// Category is set when the text is a category word (椅子, chairs); Candidates then hold
	// the category's products.
	Category string
	// Candidates are the products to offer when SKU is "": those an ambiguous word names
	// (手机 → both phones), a category's products, or "did you mean …" suggestions for a
	// typo or a missing character, best first.
	Candidates []Candidate
	// Exact is set when SKU comes from a name, SKU, synonym or a part of a name found
	// as typed; a suggestion is never Exact and never in SKU.
	Exact bool
}

// Product reads an answer to the product question: a name in either language, a SKU, a
// configured synonym, a category word, or a part of a name that fits one product only.
// A typo or a missing character gives suggestions, not a SKU.
func (p *Parser) Product(s string) ProductMatch {
	low := trimPunct(norm(s))
	for changed := true; changed; {
		var ok bool
		low, ok = stripPrefix(low, productFillers...)
		changed = ok
		low = trimPunct(low)
	}
	low, _ = stripSuffix(low, "吗", "吧", "呢", "please", "的")
	toks := tokenize(low)
	if len(toks) == 0 {
		return ProductMatch{}
	}
	ms := p.cat.matchesMasked(toks, p.cat.optionMask(low, toks, 0))
	if len(ms) == 1 && ms[0].from == 0 && ms[0].to == len(toks) || len(ms) == 1 && coversBut(toks, ms[0]) {
		return p.cat.resolve(ms[0])
	}
	if len(ms) > 1 {
		// Several products named in one answer: offer them all.
		var c []Candidate
		for _, m := range ms {
			for _, sku := range p.cat.skusOf(m) {
				c = appendCandidate(c, Candidate{SKU: sku, Score: 1})
			}
		}
		return ProductMatch{Candidates: c}
	}
	if sku, ok := p.cat.partial(toks); ok {
		return ProductMatch{SKU: sku, Exact: true}
	}
	// Words we do not know beside a name (ofice chair, 办工椅): suggestions only.
	c := p.cat.fuzzy(toks)
	if len(c) > 0 && c[0].Score >= 0.6 || len(ms) == 0 {
		if len(c) == 0 {
			c = p.cat.containing(toks)
		}
		return ProductMatch{Candidates: c}
	}
	pm := p.cat.resolve(ms[0])
	if pm.SKU != "" {
		pm = ProductMatch{Candidates: appendCandidate(c, Candidate{SKU: pm.SKU, Score: 0.5})}
	}
	return pm
}

// containing lists the products whose names hold every token of toks (X1 → both phones).
func (x *catalogIndex) containing(toks []tok) []Candidate {
	var out []Candidate
	for _, sku := range x.order {
		all := true
		for _, t := range toks {
			if !x.prodToks[sku][t.s] {
				all = false
				break
			}
		}
		if all && len(toks) > 0 {
			out = append(out, Candidate{SKU: sku, Score: 0.5})
		}
	}
	return out
}

var productFillers = []string{"我想买", "我想要", "我要买", "我要订", "我要", "我想订", "想要", "想买", "要买", "要", "买", "订", "有没有", "有", "来点", "来",
	"i would like", "i'd like", "i want to buy", "i want", "i need", "do you have", "have you got", "we need", "some", "the", "a", "an"}

// coversBut reports whether the match covers all tokens but filler ones (的, 吗).
func coversBut(toks []tok, m match) bool {
	for i, t := range toks {
		if i >= m.from && i < m.to {
			continue
		}
		if !fillerTok[t.s] {
			return false
		}
	}
	return true
}

var fillerTok = map[string]bool{"的": true, "吗": true, "呢": true, "吧": true, "啊": true, "个": true, "please": true, "pls": true}

// tok is a token of text: one Chinese character, or a run of ASCII letters and digits
// (stemmed: a plural s is dropped).
type tok struct {
	s          string
	start, end int // byte offsets in the text tokenized
}

func tokenize(low string) []tok {
	var out []tok
	i := 0
	for i < len(low) {
		c := low[i]
		if isDigit(c) || isLetter(c) {
			j := i
			for j < len(low) && (isDigit(low[j]) || isLetter(low[j])) {
				j++
			}
			out = append(out, tok{s: stem(low[i:j]), start: i, end: j})
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(low[i:])
		if isHan(r) {
			// 椅子 is 椅, 桌子 is 桌: the suffix 子 adds nothing to a name.
			if r == '子' && len(out) > 0 && strings.Contains("椅桌凳柜架", out[len(out)-1].s) && out[len(out)-1].end == i {
				out[len(out)-1].end = i + size
				i += size
				continue
			}
			out = append(out, tok{s: low[i : i+size], start: i, end: i + size})
		}
		i += size
	}
	return out
}

// stem drops an English plural ending.
func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes")):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !allDigits(w[:len(w)-1]):
		return w[:len(w)-1]
	}
	return w
}

// term is a word sequence that names products or a category.
type term struct {
	toks     []string
	skus     []string // the products it names; several when shared
	category string   // set for a category word
	synonym  bool     // a configured synonym (ranks above a category word)
	name     bool     // a product's name (found also by its first words)
}

type match struct {
	term     int
	from, to int      // token indexes
	prefix   bool     // only the beginning of the term was found
	extra    []string // other products named by the same words
}

type catalogIndex struct {
	products map[string]orders.Product
	order    []string // SKUs in catalog order
	terms    []term
	byFirst  map[string][]int
	prodToks map[string]map[string]bool // every token of every name of a product
	cats     map[string][]string        // category → SKUs
	values   map[string][]string        // value or option=value → normalized labels
	options  map[string][]string        // option name → normalized labels
	// labelCache holds the label entries of the catalog's options; distinctOpts the
	// catalog's options, each once.
	labelCache   map[string][]labelEntry
	distinctOpts []orders.Option
	termRunes    [][]rune     // each term's tokens joined, as runes
	allLabels    []labelEntry // every option label of the catalog, once
}

func buildCatalog(c Config) *catalogIndex {
	x := &catalogIndex{products: map[string]orders.Product{}, byFirst: map[string][]int{},
		prodToks: map[string]map[string]bool{}, cats: map[string][]string{}, values: map[string][]string{}, options: map[string][]string{}}
	keys := map[string]int{}
	var addTerm func(text, sku, category string, synonym, name bool)
	add := func(text, sku, category string, synonym bool) { addTerm(text, sku, category, synonym, false) }
	addName := func(text, sku string) { addTerm(text, sku, "", false, true) }
	addTerm = func(text, sku, category string, synonym, name bool) {
		ts := tokenize(norm(text))
		if len(ts) == 0 {
			return
		}
		ss := make([]string, len(ts))
		for i, t := range ts {
			ss[i] = t.s
		}
		k := strings.Join(ss, " ") + "\x00" + category
		if i, ok := keys[k]; ok {
			t := &x.terms[i]
			if sku != "" && !contains(t.skus, sku) {
				t.skus = append(t.skus, sku)
			}
			t.synonym = t.synonym || synonym
			t.name = t.name || name
			return
		}
		t := term{toks: ss, category: category, synonym: synonym, name: name}
		if sku != "" {
			t.skus = []string{sku}
		}
		keys[k] = len(x.terms)
		x.byFirst[ss[0]] = append(x.byFirst[ss[0]], len(x.terms))
		x.terms = append(x.terms, t)
		if sku != "" {
			if x.prodToks[sku] == nil {
				x.prodToks[sku] = map[string]bool{}
			}
			for _, s := range ss {
				x.prodToks[sku][s] = true
			}
		}
	}
	everyone := !anyActive(c.Products) // a catalog given without the Active flag set anywhere
	for _, pr := range c.Products {
		if !pr.Active && !everyone || pr.SKU == "" {
			continue
		}
		x.products[pr.SKU] = pr
		x.order = append(x.order, pr.SKU)
		x.cats[pr.Category] = append(x.cats[pr.Category], pr.SKU)
		add(pr.SKU, pr.SKU, "", false)
		for _, n := range []string{pr.NameEN, pr.NameZH} {
			addName(n, pr.SKU)
			if i := strings.IndexAny(n, "(（"); i > 0 {
				addName(n[:i], pr.SKU) // 培训椅（带写字板） is also 培训椅
			}
		}
		for _, syn := range c.Synonyms[pr.SKU] {
			add(syn, pr.SKU, "", true)
		}
	}
	for cat := range x.cats {
		add(cat, "", cat, false)
		add(strings.ReplaceAll(cat, "_", " "), "", cat, false)
		for _, l := range c.Categories[cat] {
			add(l, "", cat, false)
		}
	}
	for k, ls := range builtinValueLabels {
		for _, l := range ls {
			x.values[k] = appendUnique(x.values[k], norm(l))
		}
	}
	for k, ls := range c.ValueLabels {
		for _, l := range ls {
			x.values[strings.ToLower(k)] = appendUnique(x.values[strings.ToLower(k)], norm(l))
		}
	}
	for k, ls := range builtinOptionLabels {
		for _, l := range ls {
			x.options[k] = appendUnique(x.options[k], norm(l))
		}
	}
	for k, ls := range c.OptionLabels {
		for _, l := range ls {
			x.options[k] = appendUnique(x.options[k], norm(l))
		}
	}
	for _, t := range x.terms {
		x.termRunes = append(x.termRunes, []rune(strings.Join(t.toks, "")))
	}
	x.labelCache = map[string][]labelEntry{}
	seenLabel := map[string]bool{}
	for _, sku := range x.order {
		for _, o := range x.products[sku].Options {
			k := optionKey(o)
			if _, ok := x.labelCache[k]; ok {
				continue
			}
			x.distinctOpts = append(x.distinctOpts, o)
			x.labelCache[k] = x.makeEntries(o, false)
			for _, e := range x.labelCache[k] {
				if !seenLabel[e.label] {
					seenLabel[e.label] = true
					x.allLabels = append(x.allLabels, e)
				}
			}
			x.labelCache["\x01"+k] = x.makeEntries(o, true)
		}
	}
	return x
}

func anyActive(ps []orders.Product) bool {
	for _, p := range ps {
		if p.Active {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func appendUnique(ss []string, s string) []string {
	if s == "" || contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// matches finds the terms in toks, longest first, without overlaps, in text order.
func (x *catalogIndex) matches(toks []tok) []match { return x.matchesMasked(toks, nil) }

// matchesMasked is matches where a product name may also be found by its beginning
// ("Phone X1 Pro" for "Phone X1 Pro 256GB", 经典办公 for 经典办公椅): at least two tokens and
// half of the name, none of them blocked (option words: 写字板 in 带写字板 is no product).
func (x *catalogIndex) matchesMasked(toks []tok, blocked []bool) []match {
	var all []match
	for i := range toks {
		for _, ti := range x.byFirst[toks[i].s] {
			t := x.terms[ti]
			n := 0
			for n < len(t.toks) && i+n < len(toks) && toks[i+n].s == t.toks[n] {
				n++
			}
			switch {
			case n == len(t.toks):
				all = append(all, match{term: ti, from: i, to: i + n})
			case blocked != nil && t.name && n >= 3 && 2*n >= len(t.toks):
				ok := true
				for k := i; k < i+n; k++ {
					if blocked[k] {
						ok = false
					}
				}
				if ok {
					all = append(all, match{term: ti, from: i, to: i + n, prefix: true})
				}
			}
		}
	}
	rank := func(m match) int {
		t := x.terms[m.term]
		r := 0
		if t.category == "" {
			r = 2
			if t.synonym {
				r = 1
			}
			if !m.prefix {
				r += 2
			}
		}
		return r
	}
	sort.SliceStable(all, func(a, b int) bool {
		la, lb := all[a].to-all[a].from, all[b].to-all[b].from
		if la != lb {
			return la > lb
		}
		return rank(all[a]) > rank(all[b])
	})
	used := make([]bool, len(toks))
	var out []match
	for _, m := range all {
		free := true
		for i := m.from; i < m.to; i++ {
			if used[i] {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for i := m.from; i < m.to; i++ {
			used[i] = true
		}
		// The same words may begin the names of several products: they name them all.
		for _, o := range all {
			if o.from == m.from && o.to == m.to && o.term != m.term && rank(o) == rank(m) {
				for _, sku := range x.terms[o.term].skus {
					if !contains(x.terms[m.term].skus, sku) && !contains(m.extra, sku) {
						m.extra = append(m.extra, sku)
					}
				}
			}
		}
		out = append(out, m)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].from < out[b].from })
	return out
}

func (x *catalogIndex) skusOf(m match) []string {
	t := x.terms[m.term]
	if t.category != "" {
		return x.cats[t.category]
	}
	if len(m.extra) > 0 {
		return append(append([]string{}, t.skus...), m.extra...)
	}
	return t.skus
}

// resolve turns one match into a ProductMatch.
func (x *catalogIndex) resolve(m match) ProductMatch {
	t := x.terms[m.term]
	if t.category != "" {
		var c []Candidate
		for _, sku := range x.cats[t.category] {
			c = append(c, Candidate{SKU: sku, Score: 1})
		}
		if len(c) == 1 {
			return ProductMatch{SKU: c[0].SKU, Category: t.category, Exact: true}
		}
		return ProductMatch{Category: t.category, Candidates: c}
	}
	skus := x.skusOf(m)
	if len(skus) == 1 {
		return ProductMatch{SKU: skus[0], Exact: true}
	}
	var c []Candidate
	for _, sku := range skus {
		c = append(c, Candidate{SKU: sku, Score: 1})
	}
	return ProductMatch{Candidates: c}
}

// partial finds the one product whose names hold every token of toks (X1 Pro, 经典), when
// the tokens are enough to mean something: two Chinese characters or a word of three
// letters, or a word with a digit.
func (x *catalogIndex) partial(toks []tok) (string, bool) {
	weight := 0
	for _, t := range toks {
		switch {
		case len(t.s) >= 3 && t.s[0] < 128:
			weight += 2
		case t.s[0] < 128 && strings.IndexFunc(t.s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 && len(t.s) >= 2:
			weight += 2
		default:
			weight++
		}
	}
	if weight < 2 {
		return "", false
	}
	found := ""
	for _, sku := range x.order {
		all := true
		for _, t := range toks {
			if !x.prodToks[sku][t.s] {
				all = false
				break
			}
		}
		if all {
			if found != "" {
				return "", false
			}
			found = sku
		}
	}
	return found, found != ""
}

// fuzzy ranks products by how near toks come to one of their names (a typo, a missing or an
// extra character), for "did you mean …".
func (x *catalogIndex) fuzzy(toks []tok) []Candidate {
	q := joinToks(toks)
	if utf8.RuneCountInString(q) < 2 {
		return nil
	}
	best := map[string]float64{}
	qr := []rune(q)
	if len(qr) > 64 {
		return nil
	}
	var buf osaBuf
	for ti, t := range x.terms {
		tr := x.termRunes[ti]
		if n, m := len(qr), len(tr); n > 2*m+2 || m > 2*n+2 {
			continue // too different in length to be a typo of it
		}
		s := buf.similarity(qr, tr)
		if s < 0.55 {
			continue
		}
		for _, sku := range x.skusOfTerm(t) {
			if s > best[sku] {
				best[sku] = s
			}
		}
	}
	var out []Candidate
	for _, sku := range x.order {
		if s, ok := best[sku]; ok {
			out = append(out, Candidate{SKU: sku, Score: s})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

func (x *catalogIndex) skusOfTerm(t term) []string {
	if t.category != "" {
		return x.cats[t.category]
	}
	return t.skus
}

func joinToks(toks []tok) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.s)
	}
	return b.String()
}

// osaBuf holds the rows of the distance computation, reused from one term to the next.
type osaBuf struct{ a, b, c [66]int }

// similarity is 1 - the optimal-string-alignment distance / the longer length, on runes.
func (buf *osaBuf) similarity(ra, rb []rune) float64 {
	if len(ra) == 0 || len(rb) == 0 || len(ra) > 64 || len(rb) > 64 {
		return 0
	}
	d := buf.osa(ra, rb)
	n := len(ra)
	if len(rb) > n {
		n = len(rb)
	}
	return 1 - float64(d)/float64(n)
}

func (buf *osaBuf) osa(a, b []rune) int {
	prev2 := buf.a[:len(b)+1]
	prev := buf.b[:len(b)+1]
	cur := buf.c[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func appendCandidate(c []Candidate, x Candidate) []Candidate {
	for _, y := range c {
		if y.SKU == x.SKU {
			return c
		}
	}
	return append(c, x)
}

// partialAmong is partial restricted to the candidates: the one whose names hold every
// token of toks.
func (x *catalogIndex) partialAmong(toks []tok, cands []Candidate) (string, bool) {
	found := ""
	for _, c := range cands {
		all := true
		for _, t := range toks {
			if !x.prodToks[c.SKU][t.s] {
				all = false
				break
			}
		}
		if all {
			if found != "" {
				return "", false
			}
			found = c.SKU
		}
	}
	return found, found != ""
}

// optionMask marks the tokens of toks (offsets into low, less base) that are option words.
func (x *catalogIndex) optionMask(low string, toks []tok, base int) []bool {
	mask := make([]bool, len(toks))
	for _, h := range x.anyOptionHits(low) {
		for k, t := range toks {
			if t.start-base >= h.start && t.end-base <= h.end {
				mask[k] = true
			}
		}
	}
	return mask
}
