package understand

import (
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Answer is a yes/no answer.
type Answer int

// Answers.
const (
	Unclear Answer = iota // neither yes nor no
	Yes
	No
)

var yesWords = map[string]bool{
	"是": true, "是的": true, "好": true, "好的": true, "好吧": true, "可以": true, "行": true, "要": true, "对": true, "对的": true,
	"确认": true, "确定": true, "没问题": true, "同意": true, "嗯": true, "嗯嗯": true, "恩": true, "ok": true, "okay": true, "好啊": true,
	"可以的": true, "行的": true, "需要": true, "要的": true, "有": true, "当然": true, "没错": true, "是啊": true, "好滴": true, "中": true,
	"yes": true, "y": true, "yeah": true, "yep": true, "yup": true, "sure": true, "of course": true, "right": true, "correct": true,
	"confirm": true, "agree": true, "fine": true, "alright": true, "all right": true, "please": true, "yes please": true, "👍": true,
}

var noWords = map[string]bool{
	"不": true, "不用": true, "不要": true, "否": true, "不是": true, "不行": true, "不可以": true, "不对": true, "不需要": true,
	"不用了": true, "不要了": true, "算了": true, "没有": true, "无": true, "不同意": true, "不确认": true, "别": true, "取消": true,
	"no": true, "n": true, "nope": true, "nah": true, "not": true, "no thanks": true, "no thank you": true, "don't": true,
	"dont": true, "never": true, "cancel": true, "disagree": true, "not needed": true, "none": true, "👎": true,
}

// yesNoTail are words that may follow an answer without changing it (好的，谢谢 / yes, thanks).
var yesNoTail = []string{"谢谢", "谢了", "吧", "啊", "呀", "呢", "的", "了", "!", "thanks", "thank you", "please"}

// YesNo reads a yes/no answer: 是/好的/好/可以/行/要/对/确认/yes/ok/sure are Yes,
// 不/不用/不要/否/不是/no/nope are No; anything else is Unclear.
func YesNo(s string) Answer {
	q := trimPunct(norm(s))
	if utf8.RuneCountInString(q) > 30 {
		return Unclear
	}
	for i := 0; i < 3; i++ {
		if yesWords[q] {
			return Yes
		}
		if noWords[q] {
			return No
		}
		// "好的，谢谢", "yes, thanks", "不用了谢谢": drop a polite tail and try again.
		t := q
		for _, w := range yesNoTail {
			t = trimPunct(strings.TrimSuffix(t, w))
		}
		if i := strings.IndexAny(t, ",.!"); i > 0 {
			t = trimPunct(t[:i])
		}
		if t == q {
			break
		}
		q = t
	}
	return Unclear
}

var noneWords = map[string]bool{
	"没有": true, "无": true, "不用": true, "不用了": true, "跳过": true, "没": true, "没了": true, "没有了": true, "不需要": true,
	"暂无": true, "无备注": true, "没有备注": true, "不要": true, "略": true, "空": true, "不填": true, "没什么": true, "没啥": true,
	"no": true, "none": true, "nothing": true, "-": true, "--": true, "—": true, "n/a": true, "na": true, "nil": true, "skip": true,
	"no notes": true, "no note": true, "nothing else": true, "not needed": true, "nope": true, "/": true, ".": true, "无。": true,
}

// IsNone reports whether s is a "none" answer to an optional question: 没有/无/不用/不用了/
// 跳过/没/no/none/nothing/- and the like. Such an answer means "leave it empty".
func IsNone(s string) bool {
	q := norm(s)
	if noneWords[q] {
		return true
	}
	q = trimPunct(q)
	for _, w := range yesNoTail {
		q = trimPunct(strings.TrimSuffix(q, w))
	}
	return noneWords[q]
}

// addressPrefixes are the words people put before an address.
var addressPrefixes = []string{
	"收货地址是", "收货地址为", "收货地址:", "收货地址", "送货地址是", "送货地址:", "送货地址", "地址是", "地址为", "地址:", "地址",
	"请送到", "请寄到", "请发到", "麻烦送到", "送货到", "送到", "寄到", "发到", "运到", "送至", "寄至", "发往", "送往",
	"delivery address:", "delivery address is", "delivery address", "shipping address:", "shipping address is", "shipping address",
	"the address is", "address:", "address is", "address", "please deliver to", "please ship to", "deliver it to", "deliver them to",
	"deliver to", "delivered to", "ship to", "shipped to", "send to", "send it to", "to:",
}

// CleanAddress removes the words around an address (地址是, 送到, 收货地址：, deliver to,
// ship to …) and surrounding punctuation, keeping the address as typed.
func CleanAddress(s string) string {
	orig := strings.TrimSpace(fold(s))
	low := lowerASCII(orig)
	for changed := true; changed; {
		changed = false
		t := strings.TrimLeft(low, " ,.;:")
		orig = orig[len(low)-len(t):]
		low = t
		for _, p := range addressPrefixes {
			if strings.HasPrefix(low, p) && len(low) > len(p) {
				orig, low, changed = orig[len(p):], low[len(p):], true
				break
			}
		}
	}
	return trimPunct(orig)
}

// SavedRef is an answer that may refer to a saved value instead of giving a new one.
type SavedRef struct {
	// Value is the new value typed (cleaned), when the answer is not a reference.
	Value string
	// Ref is set when the answer refers to a saved value (老地址, same as last time, 还是上海那个).
	Ref bool
	// Index is the saved value meant (an index into saved), or -1 when none or several match.
	Index int
	// Candidates are the indexes of the saved values that match when several do (ambiguous);
	// all saved values when the reference names none in particular and there are several.
	Candidates []int
}

var refMarkers = []string{
	"还是", "跟上次一样", "和上次一样", "同上次", "上次那个", "上次的", "上次", "老地址", "原地址", "原来的", "原来那个", "之前的", "之前那个",
	"以前的", "一样的", "同上", "还是那个", "那个", "默认地址", "默认",
	"same as last time", "same as before", "same address", "same one", "same as usual", "the usual", "as usual", "as before",
	"last time", "the old one", "old address", "previous address", "previous one", "saved address", "same",
}

// Address reads an answer to the address question, given the saved addresses (most recent
// first). A new address comes back in Value, cleaned of its leading words; a reference to a
// saved one (还是上海那个, 老地址, same as last time, "the Shanghai one") picks it when
// exactly one saved address matches (Index), and lists the candidates otherwise.
func Address(s string, saved []string) SavedRef {
	return savedRef(s, saved, CleanAddress)
}

func savedRef(s string, saved []string, clean func(string) string) SavedRef {
	q := trimPunct(norm(s))
	ref := false
	rest := q
	for _, m := range refMarkers {
		if strings.Contains(rest, m) {
			ref = true
			rest = strings.ReplaceAll(rest, m, " ")
		}
	}
	if !ref {
		// A typed saved value itself (exactly) is a pick too.
		for i, v := range saved {
			if norm(v) == q && q != "" {
				return SavedRef{Value: v, Ref: true, Index: i}
			}
		}
		return SavedRef{Value: clean(s), Index: -1}
	}
	for _, w := range []string{"地址", "的", "那个", "那", "个", "吧", "送", "到", "用", "就", "address", "the", "one", "please", "use", "as", "to", "deliver", "in"} {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	keys := words(rest)
	var cands []int
	for i, v := range saved {
		nv := norm(v)
		all := true
		for _, k := range keys {
			if !strings.Contains(nv, k) {
				all = false
				break
			}
		}
		if all {
			cands = append(cands, i)
		}
	}
	if len(keys) > 0 && len(cands) == 0 {
		// The words name no saved value: not a reference after all when they look like an
		// address of their own, else an unresolved reference.
		return SavedRef{Ref: true, Index: -1}
	}
	if len(cands) == 1 {
		return SavedRef{Value: saved[cands[0]], Ref: true, Index: cands[0]}
	}
	return SavedRef{Ref: true, Index: -1, Candidates: cands}
}

var namePrefixes = []string{
	"我的名字是", "我的名字叫", "名字是", "名字:", "名字叫", "我叫", "我是", "姓名是", "姓名:", "姓名", "联系人是", "联系人:", "联系人", "收货人是", "收货人:", "收货人", "收件人:", "收件人",
	"my name is", "my name's", "name:", "name is", "this is", "i am", "i'm", "contact person:", "contact person", "contact:", "contact", "recipient:", "recipient",
}

// Name reads a person's name: 王小明, 我叫王小明, 联系人：李娟, "my name is John Smith". It returns
// "" when nothing like a name is left (empty, only digits or punctuation, or over 60 runes).
func Name(s string) string {
	orig := strings.TrimSpace(fold(s))
	low := lowerASCII(orig)
	for changed := true; changed; {
		changed = false
		t := strings.TrimLeft(low, " ,.;:")
		orig, low = orig[len(low)-len(t):], t
		for _, p := range namePrefixes {
			if strings.HasPrefix(low, p) && len(low) > len(p) {
				orig, low, changed = orig[len(p):], low[len(p):], true
				break
			}
		}
	}
	n := trimPunct(orig)
	if n == "" || utf8.RuneCountInString(n) > 60 || strings.IndexFunc(n, func(r rune) bool {
		return isHan(r) || r < 128 && isLetter(byte(r)) || r > 127
	}) < 0 {
		return ""
	}
	return n
}

// Phone reads a phone number: a Chinese mobile 13800138000, +86 138 0013 8000, 138-0013-8000,
// full-width digits, or an international number of 7 to 15 digits with an optional leading +,
// with spaces, dashes, dots or parentheses between digits, and words before it (电话, 手机,
// phone:, tel). It returns the number with only the + and digits. Errors: KindEmpty,
// KindFormat (letters or other characters), KindLength.
func Phone(s string) (string, error) {
	q := norm(s)
	q, _ = stripPrefix(q, "联系电话是", "联系电话:", "联系电话", "手机号码是", "手机号码:", "手机号码", "手机号是", "手机号:", "手机号", "手机:", "手机", "电话是", "电话:", "电话",
		"phone number:", "phone number is", "phone number", "phone:", "phone", "mobile:", "mobile", "tel:", "tel.", "tel", "cell:", "cell")
	q = strings.TrimSpace(q)
	if q == "" {
		return "", fail(FieldPhone, KindEmpty)
	}
	if utf8.RuneCountInString(q) > 32 {
		return "", fail(FieldPhone, KindFormat)
	}
	var b strings.Builder
	digits := 0
	for i, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", fail(FieldPhone, KindFormat)
		}
	}
	if digits < 7 || digits > 15 {
		return "", fail(FieldPhone, KindLength)
	}
	p := b.String()
	// A Chinese mobile must look like one: 1[3-9] and 11 digits (with or without +86).
	if cn := strings.TrimPrefix(p, "+86"); len(cn) == 11 && cn[0] == '1' && cn[1] < '3' {
		return "", fail(FieldPhone, KindFormat)
	}
	return p, nil
}

// Amount reads an amount of money: 5000, 5000元, 5,000.50, ¥5,000, 5千, 1.2万, 五千元,
// 5000块, RMB 5000, 5k. Errors: KindEmpty, KindNotNumber, KindZero, KindNegative,
// KindFraction (more than two decimal places), KindTooLong.
func Amount(s string) (decimal.Decimal, error) {
	q := trimPunct(norm(s))
	if q == "" {
		return decimal.Zero, fail(FieldAmount, KindEmpty)
	}
	if utf8.RuneCountInString(q) > 40 {
		return decimal.Zero, fail(FieldAmount, KindTooLong)
	}
	q, _ = stripPrefix(q, "收到货款", "收到", "货款", "付款", "金额是", "金额:", "金额", "共", "amount:", "amount", "paid", "received")
	neg := false
	q, neg = stripPrefix(q, "-", "负")
	q, _ = stripPrefix(q, "¥", "rmb", "cny", "人民币", "$")
	q, _ = stripPrefix(q, "-")
	q, _ = stripSuffix(q, "元整", "元", "块钱", "块", "圆", "rmb", "cny", "yuan", "人民币")
	q = strings.TrimSpace(q)
	if q == "" {
		return decimal.Zero, fail(FieldAmount, KindNotNumber)
	}
	n, ok := scanNumber(q, 0, true)
	if !ok || n.end != len(q) {
		return decimal.Zero, fail(FieldAmount, KindNotNumber)
	}
	v := n.val
	switch {
	case neg || v.IsNegative():
		return decimal.Zero, fail(FieldAmount, KindNegative)
	case v.IsZero():
		return decimal.Zero, fail(FieldAmount, KindZero)
	case !v.Equal(v.Round(2)):
		return decimal.Zero, fail(FieldAmount, KindFraction)
	case v.GreaterThan(decimal.New(1, 12)):
		return decimal.Zero, fail(FieldAmount, KindTooLong)
	}
	return v, nil
}
