package understand

import (
	"strings"
	"unicode/utf8"
)

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
	if len(found) != 1 {
		return // none, or one on each side: ask
	}
	d.Name, d.NameState = m.orig[found[0][0]:found[0][1]], Understood
	m.take(found[0][0], found[0][1])
}
