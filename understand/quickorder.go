package understand

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
)

// consumed marks the bytes of a message already understood as some field.
const consumed = 0

// msg is a message being read: the folded text (case kept), the same lower-cased, and the
// lower-cased text with the parts already understood blanked out (same byte offsets).
type msg struct {
	orig, low string
	work      []byte
	phones    [][2]int // the spans taken by phone numbers, with their labels
}

func newMsg(s string) *msg {
	o := fold(s)
	l := lowerASCII(o)
	return &msg{orig: o, low: l, work: []byte(l)}
}

func (m *msg) take(i, j int) {
	for k := i; k < j && k < len(m.work); k++ {
		m.work[k] = consumed
	}
}

func (m *msg) free(i, j int) bool {
	for k := i; k < j; k++ {
		if m.work[k] == consumed {
			return false
		}
	}
	return true
}

func (p *Parser) quickOrder(s string, today orders.Date) Draft {
	d := Draft{Lang: Language(s)}
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "/") {
		return d // a command
	}
	m := newMsg(s)
	p.qNotes(m, &d)
	p.qPhone(m, &d)
	p.qDate(m, &d, today)
	p.qPayment(m, &d)
	p.qAddress(m, &d)
	p.qName(m, &d)
	p.qNameBesidePhone(m, &d)
	p.qLines(m, &d)
	if isQuestion(m.low) {
		d.Question = true
		for _, l := range d.Lines {
			if l.Quantity > 0 {
				d.Question = false
			}
		}
	}
	return d
}

var questionWords = []string{"多少钱", "价格", "价钱", "报价", "库存", "有没有", "有货吗", "还有吗", "怎么卖", "什么价", "能不能", "可不可以",
	"how much", "price", "in stock", "do you have", "is there", "are there", "what", "when", "how ", "can i", "could i", "available"}

// isQuestion reports whether the message asks something.
func isQuestion(low string) bool {
	t := strings.TrimSpace(low)
	if strings.HasSuffix(t, "?") || strings.HasSuffix(t, "吗") || strings.HasSuffix(t, "呢") {
		return true
	}
	for _, w := range questionWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

var reNotes = regexp.MustCompile(`(?:备注|留言|附言|其他要求|其它要求|\bnotes?\b|\bremarks?\b|\bp\.s\.|\bps\b)\s*(?:[:：是为]|\s)\s*`)

func (p *Parser) qNotes(m *msg, d *Draft) {
	loc := reNotes.FindStringIndex(string(m.work))
	if loc == nil {
		return
	}
	n := trimPunct(m.orig[loc[1]:])
	if n != "" && !IsNone(n) {
		d.Notes = n
	}
	m.take(loc[0], len(m.work))
}

var (
	reMobile    = regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}`)
	rePhoneWord = regexp.MustCompile(`(?:联系电话|手机号码|手机号|电话号码|电话|手机|联系方式|phone number|phone|mobile|tel\.?|cell|call me at|call|contact number)\s*(?:[:：是为]|is)?\s*(\+?\d[\d \-()]{5,20}\d)`)
	rePhoneLead = regexp.MustCompile(`(?:联系电话|手机号码|手机号|电话号码|电话|手机|联系方式|phone number|phone|mobile|tel\.?|cell|contact number)\s*(?:[:：是为]|is)?\s*$`)
)

func (p *Parser) qPhone(m *msg, d *Draft) {
	found := map[string]bool{}
	var first string
	take := func(i, j int, raw string) {
		ph, err := Phone(raw)
		if err != nil {
			d.PhoneState = Ambiguous
			m.take(i, j)
			return
		}
		if !found[strings.TrimPrefix(ph, "+86")] {
			found[strings.TrimPrefix(ph, "+86")] = true
			if first == "" {
				first = ph
			}
		}
		// The label before the number goes with it.
		if b, loc := lookBehind(m.work, i); true {
			if l := rePhoneLead.FindIndex(loc); l != nil {
				i = b + l[0]
			}
		}
		m.take(i, j)
		m.phones = append(m.phones, [2]int{i, j})
	}
	for _, loc := range rePhoneWord.FindAllStringSubmatchIndex(string(m.work), -1) {
		take(loc[0], loc[1], string(m.work[loc[2]:loc[3]]))
	}
	for _, loc := range reMobile.FindAllStringIndex(string(m.work), -1) {
		i, j := loc[0], loc[1]
		if i > 0 && (isDigit(m.work[i-1]) || isLetter(m.work[i-1])) || j < len(m.work) && (isDigit(m.work[j]) || isLetter(m.work[j])) {
			continue
		}
		take(i, j, string(m.work[i:j]))
	}
	switch {
	case len(found) == 1 && d.PhoneState != Ambiguous:
		d.Phone, d.PhoneState = first, Understood
	case len(found) > 1:
		d.PhoneState = Ambiguous
	}
}

// reDateZH and reDateEN find the phrases that may be dates in a longer message: those
// written with Chinese characters or digits, and those written with English words.
var reDateZH = regexp.MustCompile(`(?:` + strings.Join([]string{
	`(?:\d{4}年)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:日|号)?`,
	`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}`,
	`\b\d{1,2}/\d{1,2}\b`,
	`(?:下下个|下下|下个|下一个|下|本|这个|这)?(?:周|星期|礼拜)[一二三四五六日天]`,
	`大后天|后天|明天|明日|今天|今日`,
	`(?:\d{1,3}|[一二两三四五六七八九十]{1,3})(?:个)?(?:天|工作日|个工作日|周|星期|个星期|礼拜|个礼拜)(?:后|以后|之后|内|以内)`,
	`过(?:\d{1,3}|[一二两三四五六七八九十]{1,3})天`,
	`(?:下个月|下月|本月|这个月)(?:的)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:号|日)`,
	`(?:本月|这个月|下个月|下月)(?:的)?(?:底|末)|(?:本月|这个月|下个月|下月)?(?:的)?(?:月底|月末)`,
	`(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:号|日)`,
}, "|") + `)`)

var reDateEN = regexp.MustCompile(`(?:` + strings.Join([]string{
	`\b(?:next |this |coming |this coming )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`,
	`\b(?:next|this) (?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b`,
	`\b(?:the )?day after tomorrow\b|\btomorrow\b|\btoday\b`,
	`\b(?:in|within) (?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a couple of) (?:working days?|business days?|days?|weeks?)\b`,
	`\b(?:\d{1,3}) (?:days?|weeks?) from (?:now|today)\b`,
	`\b(?:the )?end of (?:the |this |next )?month\b`,
	`\b(?:the )?\d{1,2}(?:st|nd|rd|th)? of next month\b`,
	`\b\d{1,2}(?:st|nd|rd|th)?(?: of)? (?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?(?:,? \d{4}\b)?`,
	`\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.? \d{1,2}(?:st|nd|rd|th)?\b(?:,? \d{4}\b)?`,
}, "|") + `)`)

var (
	reDateBefore = regexp.MustCompile(`(?:no later than|not later than|最晚|最迟|不晚于|不迟于|before|by|until)\s*$`)
	reENModifier = regexp.MustCompile(`\b(?:next|last|this|every|previous|past)\s*$`)
	reDateLead   = regexp.MustCompile(`(?:\bon|\bfor|\bat|在|于)\s*$`)
	reDateAfter  = regexp.MustCompile(`^\s*(?:(?:上午|早上|中午|下午|晚上|傍晚|in the morning|in the afternoon|morning|afternoon|evening)\s*)?(?:之前都行|之前都可以|之前就行|以前都行|前都行|之前|以前|前|以内|at the latest|or earlier)?`)
)

// bareDayOK reports whether a bare "15号" at m.work[i:j] reads as a date and not a house
// or building number.
func bareDayOK(w []byte, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRune(w[:i])
		if isDigit(w[i-1]) || isLetter(w[i-1]) || w[i-1] == '-' || w[i-1] == '#' {
			return false
		}
		if isHan(r) && !strings.ContainsRune("按在于是约到前送就定", r) {
			return false
		}
	}
	if j < len(w) {
		r, _ := utf8.DecodeRune(w[j:])
		if isDigit(w[j]) || strings.ContainsRune("楼室门栋幢院库线仓店房车座馆厅铺弄单号位", r) {
			return false
		}
	}
	return true
}

func (p *Parser) qDate(m *msg, d *Draft, today orders.Date) {
	var got []DateAnswer
	bad := false
	for _, loc := range findDates(m.work) {
		i, j := loc[0], loc[1]
		if !m.free(i, j) {
			continue
		}
		if strings.HasSuffix(string(m.work[i:j]), "号") || strings.HasSuffix(string(m.work[i:j]), "日") {
			if !strings.ContainsRune(string(m.work[i:j]), '月') && !bareDayOK(m.work, i, j) {
				continue
			}
		}
		// A modifier the pattern left out (下 before 个月底, "next" before "month end") would
		// change the date: not sure, so ask.
		lb, before := lookBehind(m.work, i)
		if r, _ := utf8.DecodeLastRune(m.work[:i]); strings.ContainsRune("上下这本个每", r) || reENModifier.Match(before) {
			bad = true
			m.take(i, j)
			d.Unread = append(d.Unread, trimPunct(m.orig[i:j]))
			continue
		}
		if b := reDateBefore.FindIndex(before); b != nil {
			i = lb + b[0]
		} else if b := reDateLead.FindIndex(before); b != nil {
			i = lb + b[0]
		}
		if a := reDateAfter.FindIndex(m.work[j:]); a != nil {
			j += a[1]
		}
		phrase := string(m.work[i:j])
		a, err := ParseDate(phrase, today, p.cfg.Calendar)
		m.take(i, j)
		if err != nil {
			bad = true
			d.Unread = append(d.Unread, trimPunct(m.orig[i:j]))
			continue
		}
		got = append(got, a)
	}
	switch {
	case bad || len(got) > 1 && !sameDates(got):
		d.DateState = Ambiguous
	case len(got) >= 1:
		d.Date, d.DateState = got[0], Understood
	}
}

func sameDates(ds []DateAnswer) bool {
	for _, x := range ds[1:] {
		if x.Date != ds[0].Date {
			return false
		}
	}
	return true
}

var (
	rePayLead  = regexp.MustCompile(`(?:付款方式|支付方式|结算方式|付款用|付款走|用|走|通过|payment method|payment|paying by|paying with|pay by|pay with|pay via|pay|via|by|with)\s*(?:[:：是为]|is)?\s*$`)
	rePayTrail = regexp.MustCompile(`^\s*(?:付款|支付|付|结算|结账|的方式|方式)`)
)

func (p *Parser) qPayment(m *msg, d *Draft) {
	type lab struct{ code, l string }
	var labs []lab
	for _, c := range PaymentChoices(p.cfg.PaymentMethods) {
		for _, l := range append([]string{c.Value}, c.Labels...) {
			l = norm(l)
			if utf8.RuneCountInString(l) < 2 || l == "bank" || l == "transfer" || l == "wire" || l == "card" || l == "cash" && c.Value != "cash" {
				continue
			}
			labs = append(labs, lab{c.Value, l})
		}
	}
	sort.SliceStable(labs, func(a, b int) bool { return len(labs[a].l) > len(labs[b].l) })
	found := map[string]bool{}
	code := ""
	for _, l := range labs {
		w := string(m.work)
		for from := 0; ; {
			i := strings.Index(w[from:], l.l)
			if i < 0 {
				break
			}
			i += from
			j := i + len(l.l)
			from = j
			if isLetter(l.l[0]) && i > 0 && isLetter(w[i-1]) || isLetter(l.l[len(l.l)-1]) && j < len(w) && isLetter(w[j]) {
				continue
			}
			if lb, before := lookBehind([]byte(w), i); true {
				if b := rePayLead.FindIndex(before); b != nil {
					i = lb + b[0]
				}
			}
			if a := rePayTrail.FindStringIndex(w[j:]); a != nil {
				j += a[1]
			}
			m.take(i, j)
			w = string(m.work)
			if !found[l.code] {
				found[l.code] = true
				code = l.code
			}
		}
	}
	switch len(found) {
	case 0:
	case 1:
		d.PaymentMethod, d.PaymentState = code, Understood
	default:
		d.PaymentState = Ambiguous
	}
}

var (
	addrMarkers = []string{"收货地址是", "收货地址为", "收货地址", "送货地址是", "送货地址为", "送货地址", "地址是", "地址为", "地址", "请送到", "请寄到", "请发到", "送货到", "送到", "寄到", "发到", "运到", "送至", "寄至", "发往", "送往", "交到", "到货地址",
		"delivery address is", "delivery address", "shipping address is", "shipping address", "address is", "address", "deliver it to", "deliver them to", "delivered to", "deliver to", "shipped to", "ship to", "send it to", "send them to", "send to", "sent to"}
	addrWeakMarkers = []string{"送", "到", "to"}
	// Words that end an address: the start of another field.
	addrStops = []string{"联系人", "收货人", "收件人", "联系电话", "电话", "手机", "付款", "支付", "备注", "谢谢", "麻烦", "要", "我叫", "我是", " phone", " tel", " contact", " name", " pay", " thanks", " thank", " please", " deliver", " need", " want"}
	reCNAddr  = regexp.MustCompile(`(?:省|市|区|县|镇|乡|村|路|街|道|弄|巷|胡同|园区|园|大厦|广场|中心|小区|开发区|工业区)[\p{Han}\w\-#]*?\d+\s*(?:号|弄|栋|幢|楼|室|单元|号楼)`)
	reENAddr  = regexp.MustCompile(`\b\d{1,5}[a-z]?,? (?:[a-z.']+ ){0,4}(?:st|street|rd|road|ave|avenue|blvd|boulevard|lane|ln|dr|drive|way|hwy|highway|place|pl|square|sq|park|plaza)\b\.?`)
	addrRefs  = []string{"还是上海那个", "老地址", "原地址", "上次的地址", "上次那个地址", "跟上次一样", "和上次一样", "同上次", "上次地址", "默认地址", "same as last time", "same address", "the usual address", "usual address", "old address", "previous address", "same place", "as last time"}
)

func (p *Parser) qAddress(m *msg, d *Draft) {
	w := string(m.work)
	// A reference to a saved address.
	for _, r := range addrRefs {
		if i := strings.Index(w, r); i >= 0 {
			j := i + len(r)
			for _, mk := range addrMarkers {
				if strings.HasSuffix(w[:i], mk) {
					i -= len(mk)
					break
				}
			}
			d.AddressRef = trimPunct(m.orig[i:j])
			d.AddressState = Ambiguous
			m.take(i, j)
			return
		}
	}
	if i := strings.Index(w, "还是"); i >= 0 && strings.Contains(w[i:], "那个") {
		j := i + strings.Index(w[i:], "那个") + len("那个")
		if utf8.RuneCountInString(w[i:j]) <= 10 {
			d.AddressRef = trimPunct(m.orig[i:j])
			d.AddressState = Ambiguous
			m.take(i, j)
			return
		}
	}
	// After a marker.
	best, bi := "", -1
	for _, mk := range addrMarkers {
		for from := 0; ; {
			i := strings.Index(w[from:], mk)
			if i < 0 {
				break
			}
			i += from
			from = i + len(mk)
			if isLetter(mk[0]) && (i > 0 && isLetter(w[i-1]) || from < len(w) && isLetter(w[from])) {
				continue
			}
			if bi < 0 || i < bi || i == bi && len(mk) > len(best) {
				best, bi = mk, i
			}
		}
	}
	if bi >= 0 {
		if p.addrAfter(m, d, bi, bi+len(best), true) {
			return
		}
	}
	// After a weak marker (送, 到, to) only when an address follows.
	for _, mk := range addrWeakMarkers {
		for from := 0; ; {
			i := strings.Index(w[from:], mk)
			if i < 0 {
				break
			}
			i += from
			from = i + len(mk)
			if isLetter(mk[0]) && (i > 0 && isLetter(w[i-1]) || from < len(w) && isLetter(w[from])) {
				continue
			}
			if p.addrAfter(m, d, i, from, false) {
				return
			}
		}
	}
	// Without a marker: a part of the message that looks like an address.
	for _, re := range []*regexp.Regexp{reCNAddr, reENAddr} {
		if loc := re.FindStringIndex(w); loc != nil {
			// Widen to the whole chunk between separators.
			i, j := loc[0], loc[1]
			for i > 0 && !isAddrSep(w[i-1]) && !p.startsLine(w, i) {
				_, size := utf8.DecodeLastRuneInString(w[:i])
				i -= size
			}
			p.addrAfter(m, d, i, i, true)
			_ = j
			return
		}
	}
}

// startsLine reports whether a quantity or product seems to end just before i (so the
// address does not swallow "10把椅子").
func (p *Parser) startsLine(w string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(w[:i])
	_, isMeasure := isCNMeasure(string(r))
	return isMeasure || r == ' ' && false
}

func isAddrSep(c byte) bool {
	return c == ',' || c == ';' || c == '\n' || c == consumed || c == '.' || c == '!' || c == '?' || c == ':'
}

// addrAfter reads an address starting at j (the marker being i..j) and takes it when it
// holds enough to be one. strong says the marker alone shows an address follows.
func (p *Parser) addrAfter(m *msg, d *Draft, i, j int, strong bool) bool {
	w := string(m.work)
	k := j
	for k < len(w) && (w[k] == ' ' || w[k] == ':') {
		k++
	}
	start := k
	end := k
	for end < len(w) {
		c := w[end]
		if c == consumed || c == ';' || c == '\n' || c == '!' || c == '?' {
			break
		}
		if c == '.' && !(end > 0 && isDigit(w[end-1]) && end+1 < len(w) && isDigit(w[end+1])) && !(end > 0 && isLetter(w[end-1]) && (end+1 >= len(w) || w[end+1] == ' ' || w[end+1] == ',')) {
			break
		}
		if c == ',' {
			// An English address goes on after a comma with a district or a city; anything
			// else ends it.
			rest := w[end+1:]
			n := strings.IndexAny(rest, ",;\n\x00")
			if n < 0 {
				n = len(rest)
			}
			chunk := strings.TrimSpace(rest[:n])
			if Language(w[start:end]) == "en" && (isPlaceChunk(chunk) || reENAddrStart.MatchString(chunk)) && p.noProduct(chunk) {
				end++
				continue
			}
			break
		}
		stop := false
		for _, s := range addrStops {
			if strings.HasPrefix(w[end:], s) && end > start {
				stop = true
				break
			}
		}
		if stop {
			break
		}
		_, size := utf8.DecodeRuneInString(w[end:])
		end += size
	}
	addr := trimPunct(m.orig[start:end])
	if addr == "" {
		return false
	}
	looks := reCNAddr.MatchString(lowerASCII(addr)) || reENAddr.MatchString(lowerASCII(addr)) || strings.ContainsAny(addr, "0123456789") && utf8.RuneCountInString(addr) >= 5
	if !strong && !looks {
		return false
	}
	// An address holds no product: "送10把椅子" is not one; after a strong marker the
	// address ends where a product (or its quantity) begins.
	if ms := p.cat.matches(tokenize(lowerASCII(m.orig[start:end]))); len(ms) > 0 {
		if !strong {
			return false
		}
		cut := start + tokenize(lowerASCII(m.orig[start:end]))[ms[0].from].start
		for _, q := range p.quantities(w, start, cut, func(int) bool { return false }) {
			if q.strong && q.end >= cut-3 {
				cut = q.start
			}
		}
		end = cut
		addr = trimPunct(m.orig[start:end])
		if addr == "" {
			return false
		}
		looks = reCNAddr.MatchString(lowerASCII(addr)) || reENAddr.MatchString(lowerASCII(addr)) || strings.ContainsAny(addr, "0123456789") && utf8.RuneCountInString(addr) >= 5
	}
	m.take(i, end)
	if !looks && utf8.RuneCountInString(addr) < 5 {
		d.AddressState = Ambiguous
		d.Unread = append(d.Unread, addr)
		return true
	}
	d.Address, d.AddressState = addr, Understood
	return true
}

var reENAddrStart = regexp.MustCompile(`^\d{1,5}[a-z]?,? (?:[a-z.']+ ){0,4}(?:st|street|rd|road|ave|avenue|blvd|boulevard|lane|ln|dr|drive|way|hwy|highway|place|pl|square|sq|park|plaza)\b\.?`)

var rePlacePart = regexp.MustCompile(`^(?:room|floor|fl|unit|suite|apt|building|bldg|no\.?)\s*\d+\w*$|^\d{6}$|^\d+(?:st|nd|rd|th)? floor$`)

var placeStop = regexp.MustCompile(`\b(?:phone|tel|call|pay|payment|bank|transfer|alipay|wechat|cash|cod|by|before|on|next|tomorrow|today|deliver|delivery|name|contact|note|please|thanks|and|need|want|i|we|x)\b|\d`)

// isPlaceChunk reports whether an English chunk after a comma continues an address
// (Pudong, Shanghai, Room 5, 200120).
func isPlaceChunk(c string) bool {
	if c == "" || len(strings.Fields(c)) > 4 {
		return false
	}
	if loc := placeStop.FindStringIndex(c); loc != nil {
		// Room numbers, floors and postcodes are part of an address.
		if rePlacePart.MatchString(c) {
			return true
		}
		return false
	}
	return true
}

func (p *Parser) noProduct(c string) bool { return len(p.cat.matches(tokenize(c))) == 0 }

// nameStops are words that end a Chinese name written before them.
var nameStops = []string{"明天", "后天", "今天", "下周", "下个", "电话", "手机", "地址", "送到", "送货", "要", "订", "的", "联系", "收货", "在", "用", "付款", "支付", "先生", "女士", "小姐", "经理", "总", "和", "跟"}

var (
	reNameCN = regexp.MustCompile(`(?:联系人|收货人|收件人|我叫|我是|姓名|名字)\s*(?:[:：是为叫])?\s*`)
	reNameEN = regexp.MustCompile(`(?i)\b(?:my name is|name is|name:|name|contact person:|contact person|contact:|contact|recipient:|recipient|attn:?)\s*`)
	reNameTo = regexp.MustCompile(`^([A-Z][a-zA-Z'.-]*(?: [A-Z][a-zA-Z'.-]*){0,2})`)
)

func (p *Parser) qName(m *msg, d *Draft) {
	w := string(m.work)
	if loc := reNameCN.FindStringIndex(w); loc != nil {
		j := loc[1]
		rs := []rune{}
		k := j
	name:
		for k < len(w) && len(rs) < 4 {
			if len(rs) > 0 {
				for _, h := range []string{"先生", "女士", "小姐", "经理", "总"} {
					if strings.HasPrefix(w[k:], h) {
						rs = append(rs, []rune(h)...)
						k += len(h)
						break name
					}
				}
			}
			r, size := utf8.DecodeRuneInString(w[k:])
			if !isHan(r) || len(rs) > 0 && hasAnyPrefix(w[k:], nameStops...) {
				break
			}
			rs = append(rs, r)
			k += size
		}
		if len(rs) >= 2 && len(rs) <= 6 {
			// "我是" followed by a company or "我是新客户" is not a name.
			name := string(rs)
			if !strings.ContainsAny(name, "公司厂店客户") {
				d.Name, d.NameState = m.orig[j:k], Understood
				m.take(loc[0], k)
				return
			}
		}
	}
	wo := []byte(m.orig)
	for i := range wo {
		if m.work[i] == consumed {
			wo[i] = consumed
		}
	}
	if loc := reNameEN.FindIndex(wo); loc != nil {
		if n := reNameTo.FindSubmatchIndex(wo[loc[1]:]); n != nil {
			j, k := loc[1]+n[2], loc[1]+n[3]
			d.Name, d.NameState = m.orig[j:k], Understood
			m.take(loc[0], k)
		}
	}
}

// lookBehind returns the (at most 40) bytes before i, starting at a rune boundary, and
// their offset: the words before a field are looked for there only.
func lookBehind(w []byte, i int) (int, []byte) {
	b := i - 40
	if b < 0 {
		b = 0
	}
	for b < i && !utf8.RuneStart(w[b]) {
		b++
	}
	return b, w[b:i]
}

// findInChunks is re.FindAllIndex over the parts of w between separators (a date, phone
// or address never spans a comma or a new line): short inputs keep the regexp fast.
func findInChunks(re *regexp.Regexp, w []byte) [][]int {
	var out [][]int
	start := 0
	for k := 0; k <= len(w); k++ {
		if k < len(w) && w[k] != ',' && w[k] != ';' && w[k] != '\n' && w[k] != '!' && w[k] != '?' {
			continue
		}
		if k > start {
			for _, loc := range re.FindAllIndex(w[start:k], -1) {
				out = append(out, []int{start + loc[0], start + loc[1]})
			}
		}
		start = k + 1
	}
	return out
}

// findDates finds the date phrases of w, in order, without overlaps.
func findDates(w []byte) [][]int {
	var out [][]int
	start := 0
	for k := 0; k <= len(w); k++ {
		if k < len(w) && w[k] != ',' && w[k] != ';' && w[k] != '\n' && w[k] != '!' && w[k] != '?' {
			continue
		}
		chunk := w[start:k]
		han, digit, letter := false, false, false
		for _, r := range string(chunk) {
			switch {
			case r >= '0' && r <= '9':
				digit = true
			case r < 128 && isLetter(byte(r)):
				letter = true
			case r > 127 && isHan(r):
				han = true
			}
		}
		var locs [][]int
		if (han || digit) && bytes.ContainsAny(chunk, "月号日周期拜天底末今明后/-.") {
			locs = append(locs, reDateZH.FindAllIndex(chunk, -1)...)
		}
		if letter && hasDateWord(chunk) {
			locs = append(locs, reDateEN.FindAllIndex(chunk, -1)...)
		}
		sort.Slice(locs, func(a, b int) bool {
			if locs[a][0] != locs[b][0] {
				return locs[a][0] < locs[b][0]
			}
			return locs[a][1] > locs[b][1]
		})
		end := -1
		for _, l := range locs {
			if l[0] < end {
				continue
			}
			out = append(out, []int{start + l[0], start + l[1]})
			end = l[1]
		}
		start = k + 1
	}
	return out
}

var dateWords = [][]byte{[]byte("day"), []byte("mon"), []byte("tue"), []byte("wed"), []byte("thu"), []byte("fri"), []byte("sat"), []byte("sun"),
	[]byte("tomorrow"), []byte("week"), []byte("jan"), []byte("feb"), []byte("mar"), []byte("apr"), []byte("may"), []byte("jun"),
	[]byte("jul"), []byte("aug"), []byte("sep"), []byte("oct"), []byte("nov"), []byte("dec")}

// hasDateWord reports whether an English date pattern could match in chunk.
func hasDateWord(chunk []byte) bool {
	for _, w := range dateWords {
		if bytes.Contains(chunk, w) {
			return true
		}
	}
	return false
}
