package understand

import (
	"strings"
	"unicode/utf8"
)

// In English the bare name is one to three capitalised words beside the phone number
// (「John Smith 13800138000」, 「phone 13800138000, John」), with nothing but punctuation
// (or the start or end of the message) on its other side; a word that greets, thanks,
// hurries, names a place, a day, a month, a payment or a word of the catalog is not one.

// A contact name is often written bare beside the phone number, without 联系人 or 我叫:
// 「电话13800138000，王小明，银行转账」, 「王小明 13800138000」. Such a word is read as the
// name only when it looks like a Chinese personal name — a common surname, one or two
// more characters (or a title: 王先生, 李总), nothing that is a place, a colour, a date,
// a product or a word of the order — and it stands beside the phone number with only
// spaces or punctuation between. Anything else is left unread: the name is then asked,
// never guessed.

// surnames are the common single-character Chinese surnames.
const surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"

// compoundSurnames are the two-character surnames.
var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "司徒", "夏侯", "尉迟", "公孙", "长孙", "宇文", "端木", "南宫"}

// nameTitles may follow a bare surname: 王先生, 李女士, 张经理, 刘总.
var nameTitles = []string{"先生", "女士", "小姐", "经理", "总监", "老师", "师傅", "主任", "总"}

// notNameRunes never appear in a name read beside a phone number: they belong to places,
// colours, dates, units, payments and the words of an order (a real name with one of them
// is asked instead).
const notNameRunes = "色市省区县路街道巷弄号楼层室镇村乡厂店司部货送寄到要订买购付款转账支宝信微现金天周月年日点时把张套个件台根箱盒包谢好吗呢的了吧啊呀哦嗯请帮麻烦急快上下前后左右中内外东西南北老旧多少高低长短价钱元块发票椅桌子柜床衣裤机板螺轮杆灰黑白红蓝绿黄紫棕银粉橙金木橡胡桃不没无是有也都再和或跟及等端档级质厚需"

// notNameWords are words made of name-like characters that are not names.
var notNameWords = []string{"马上", "尽快", "周末", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州",
	"云南", "陕西", "甘肃", "青海", "台湾", "宁夏", "新疆", "香港", "澳门", "上海", "北京", "天津", "重庆", "河北", "山西", "辽宁", "吉林", "苏州", "杭州", "南京",
	"武汉", "广州", "深圳", "成都", "西安", "郑州", "长沙", "宁波", "无锡", "厦门", "青岛", "大连", "沈阳", "合肥", "福州", "济南", "昆明", "东莞", "佛山", "温州",
	"常州", "嘉兴", "金华", "绍兴", "台州", "徐州", "南通", "扬州", "常熟", "昆山", "江阴", "义乌", "张江", "陆家嘴", "安装", "包装", "加急", "方便", "文件", "明细",
	"全部", "高端", "高档", "中档", "低档", "优质", "现货", "定制", "急需", "公司", "客户", "老板", "同事", "朋友", "自提", "自取", "常规", "正常", "一般", "师傅"}

// personName reports whether s (Han characters only) reads as a personal name.
func (p *Parser) personName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 4 {
		return false
	}
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	for _, w := range notNameWords {
		if strings.Contains(s, w) {
			return false
		}
	}
	rest := ""
	if c, ok := stripPrefix(s, compoundSurnames...); ok {
		rest = c
	} else if r, size := utf8.DecodeRuneInString(s); strings.ContainsRune(surnames, r) {
		rest = s[size:]
	} else {
		return false
	}
	if rest == "" {
		return false
	}
	for _, t := range nameTitles {
		if rest == t {
			return true
		}
	}
	if utf8.RuneCountInString(rest) > 2 || strings.ContainsAny(rest, notNameRunes) {
		return false
	}
	// A word of the catalog (a product, a category, an option value) is not a name.
	return len(p.cat.matches(tokenize(s))) == 0 && len(p.cat.anyOptionHits(s)) == 0
}

// isNameSep reports whether b separates a bare name from the phone number beside it.
func isNameSep(b byte) bool {
	return b == ' ' || b == ',' || b == ';' || b == ':' || b == '/' || b == '|' || b == '(' || b == ')' || b == '\t'
}

// qNameBesidePhone reads a bare name written just after or just before the phone number.
func (p *Parser) qNameBesidePhone(m *msg, d *Draft) {
	if d.NameState != Missing || d.PhoneState != Understood || len(m.phones) != 1 {
		return
	}
	w := m.work
	i, j := m.phones[0][0], m.phones[0][1]
	var found [][2]int
	// After: separators, then Han characters up to a separator, the end or a word that
	// ends a name (要, 送到, 明天…).
	k := j
	for k < len(w) && isNameSep(w[k]) {
		k++
	}
	if k > j || k == len(w) || w[k] >= utf8.RuneSelf {
		s := k
		for k < len(w) {
			r, size := utf8.DecodeRune(w[k:])
			if !isHan(r) || k > s && hasAnyPrefix(string(w[k:]), "要", "订", "送到", "送货", "明天", "后天", "下周", "电话", "手机", "地址", "付款", "支付") {
				break
			}
			k += size
		}
		if k > s && (k == len(w) || isNameSep(w[k]) || w[k] >= utf8.RuneSelf) && p.personName(string(w[s:k])) {
			found = append(found, [2]int{s, k})
		}
	}
	// Before: separators (or the start), then Han characters back to a separator, a part
	// already understood or the start.
	k = i
	for k > 0 && isNameSep(w[k-1]) {
		k--
	}
	e := k
	for k > 0 {
		r, size := utf8.DecodeLastRune(w[:k])
		if !isHan(r) {
			break
		}
		k -= size
	}
	if k < e && (k == 0 || isNameSep(w[k-1]) || w[k-1] == consumed) && p.personName(string(w[k:e])) {
		found = append(found, [2]int{k, e})
	}
	found = append(found, p.englishNamesBesidePhone(m, i, j)...)
	if len(found) != 1 {
		return // none, or one on each side: ask
	}
	d.Name, d.NameState = m.orig[found[0][0]:found[0][1]], Understood
	m.take(found[0][0], found[0][1])
}

// notEnglishNames are capitalised words that are not a person's name (lower case).
var notEnglishNames = wordSet(`hi hello hey dear thanks thank thx please pls cheers regards best ok okay yes no sure asap urgent
		i we my our me us you the a an and or to for from at in on by of with this that order orders need want send ship deliver delivery
		address phone tel mobile call contact name note notes cash bank transfer alipay wechat pay payment cod invoice today tomorrow
		tonight morning afternoon evening next this week month monday tuesday wednesday thursday friday saturday sunday mon tue tues wed
		thu thur thurs fri sat sun january february march april may june july august september october november december jan feb mar apr
		jun jul aug sep sept oct nov dec road rd street st avenue ave lane ln boulevard blvd drive dr district city province county town
		village park building bldg floor room unit suite tower plaza centre center office company co ltd inc corp llc group factory
		shop store warehouse china shanghai beijing shenzhen guangzhou hangzhou suzhou nanjing tianjin chengdu wuhan xian chongqing
		pudong puxi minhang xuhui jingan huangpu changning putuo hongkou yangpu baoshan jiading songjiang qingpu fengxian jinshan
		chongming hong kong macau macao taiwan singapore london tokyo seoul usa uk new york paris berlin sydney
		mr mrs ms miss dr sir madam customer client user guest demo test admin bot manager boss team sales buyer purchasing`)

// wordSet is the set of the space-separated words of s.
func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		out[w] = true
	}
	return out
}

// englishNameWord reports whether w (as typed) reads as a word of a name: a capital and
// then lower-case letters, an apostrophe or a hyphen (O'Neil, Jean-Luc, McDonald).
func englishNameWord(w string) bool {
	if len(w) < 2 || len(w) > 20 || w[0] < 'A' || w[0] > 'Z' || notEnglishNames[strings.ToLower(strings.TrimSuffix(w, "."))] {
		return false
	}
	upper := 1
	for i := 1; i < len(w); i++ {
		switch c := w[i]; {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z', c == '\'', c == '-':
		default:
			return false
		}
	}
	return upper < len(w) // ASAP, SF, VIP are not names
}

// englishName reports whether the words (as typed) read as a person's name.
func (p *Parser) englishName(words []string) bool {
	if len(words) == 0 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		if !englishNameWord(w) {
			return false
		}
	}
	low := strings.ToLower(strings.Join(words, " "))
	return len(p.cat.matches(tokenize(low))) == 0 && len(p.cat.anyOptionHits(low)) == 0
}

// isEnglishNameRune reports whether b may be part of an English name as typed.
func isEnglishNameRune(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '\'' || b == '-'
}

// nameEdge reports whether b, the byte on the far side of a name, ends it: punctuation or
// a part already understood (never a letter, a digit or another word).
func nameEdge(b byte) bool {
	return b == consumed || b == ',' || b == ';' || b == ':' || b == '.' || b == '!' || b == '/' || b == '|' || b == '(' || b == ')' || b == '\n' || b >= utf8.RuneSelf
}

// englishNamesBesidePhone returns the spans of an English name written just after or just
// before the phone number at w[i:j].
func (p *Parser) englishNamesBesidePhone(m *msg, i, j int) [][2]int {
	w, o := m.work, m.orig
	var found [][2]int
	// After: separators, then capitalised words up to punctuation or the end.
	k := j
	for k < len(w) && isNameSep(w[k]) {
		k++
	}
	if k > j {
		s := k
		var words []string
		for k < len(w) && isEnglishNameRune(w[k]) {
			e := k
			for e < len(w) && isEnglishNameRune(w[e]) {
				e++
			}
			words = append(words, o[k:e])
			k = e
			if k+1 < len(w) && w[k] == ' ' && isEnglishNameRune(w[k+1]) {
				k++
				continue
			}
			break
		}
		end := k
		for end < len(w) && w[end] == ' ' {
			end++
		}
		if len(words) > 0 && (end == len(w) || nameEdge(w[end])) && p.englishName(words) {
			found = append(found, [2]int{s, k})
		}
	}
	// Before: separators, then capitalised words back to punctuation or the start.
	k = i
	for k > 0 && isNameSep(w[k-1]) {
		k--
	}
	if k < i {
		e := k
		var words []string
		for k > 0 && isEnglishNameRune(w[k-1]) {
			b := k
			for b > 0 && isEnglishNameRune(w[b-1]) {
				b--
			}
			words = append([]string{o[b:k]}, words...)
			k = b
			if k > 1 && w[k-1] == ' ' && isEnglishNameRune(w[k-2]) {
				k--
				continue
			}
			break
		}
		start := k
		for start > 0 && w[start-1] == ' ' {
			start--
		}
		if len(words) > 0 && (start == 0 || nameEdge(w[start-1])) && p.englishName(words) {
			found = append(found, [2]int{k, e})
		}
	}
	return found
}

// placeholderNames are the words of profile names that name nobody: a demo or test
// account, "Customer", "Telegram User", 客户, 用户 (lower case).
var placeholderNames = wordSet(`demo test tester testing customer client user guest admin administrator bot telegram unknown anonymous
	anon nobody noname null none sample example default new 客户 用户 顾客 测试 游客 匿名 演示 管理员 新用户 新客户 无名`)

// ProfileName returns a chat profile's name when it reads as a person's name worth
// offering as the order's contact ("Wei Zhang", "王小明", "Mary O'Neil"), else "": empty,
// a placeholder ("Demo Customer", "Test User", 客户), digits ("user123"), emoji only, or
// longer than a name.
func ProfileName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	if n == 0 || n > 40 {
		return ""
	}
	letters := 0
	for _, r := range s {
		switch {
		case isHan(r), r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r > 0xBF && r < 0x250:
			letters++
		case r == ' ', r == '\'', r == '-', r == '.', r == '·', r == '•', r == '’':
		default:
			return "" // digits, emoji, symbols
		}
	}
	if letters == 0 {
		return ""
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '.' || r == '-' }) {
		if placeholderNames[w] {
			return ""
		}
	}
	return s
}
