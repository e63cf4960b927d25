package understand

import (
	"time"

	"testing"

	"github.com/orderbot/orderbot/orders"
)

func TestQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want int
		kind Kind
	}{
		// The behaviours of the dialog's first parser.
		{"5", 5, ""},
		{" 12 ", 12, ""},
		{"+7", 7, ""},
		{"１２", 12, ""},
		{"100000", 100000, ""},
		{"", 0, KindEmpty},
		{"abc", 0, KindNotNumber},
		{"0", 0, KindZero},
		{"-3", 0, KindNegative},
		{"1e9", 0, KindFraction},
		{"2.5", 0, KindFraction},
		{"1,000", 0, KindFraction},
		{"100001", 0, KindTooLarge},
		{"99999999999999999999999", 0, KindTooLong},
		// Chinese numerals and measure words.
		{"五", 5, ""},
		{"10把", 10, ""},
		{"10张", 10, ""},
		{"10套", 10, ""},
		{"10个", 10, ""},
		{"10件", 10, ""},
		{"10台", 10, ""},
		{"300把", 300, ""},
		{"我要10把", 10, ""},
		{"要十把吧", 10, ""},
		{"十", 10, ""},
		{"两", 2, ""},
		{"两个", 2, ""},
		{"十二", 12, ""},
		{"二十", 20, ""},
		{"一百二十", 120, ""},
		{"一百二", 120, ""},
		{"两千五", 2500, ""},
		{"三百零五", 305, ""},
		{"一万二千", 12000, ""},
		{"1.2万", 12000, ""},
		{"5千", 5000, ""},
		{"一打", 12, ""},
		{"两打", 24, ""},
		{"１０把", 10, ""},
		{"零", 0, KindZero},
		{"负5", 0, KindNegative},
		{"1.5把", 0, KindFraction},
		{"1.25万", 12500, ""},
		{"20万", 0, KindTooLarge},
		{"十万零一", 0, KindTooLarge},
		{"很多", 0, KindNotNumber},
		{"把", 0, KindNotNumber},
		// English.
		{"10 pcs", 10, ""},
		{"10pcs", 10, ""},
		{"10 pieces", 10, ""},
		{"12 sets", 12, ""},
		{"a dozen", 12, ""},
		{"2 dozen", 24, ""},
		{"I need 10", 10, ""},
		{"x 3", 3, ""},
		{"ten", 0, KindNotNumber},
		{"-0", 0, KindZero},
	}
	for _, tt := range tests {
		got, err := Quantity(tt.in, 100000)
		if got != tt.want || KindOf(err) != tt.kind {
			t.Errorf("Quantity(%q) = %d, %v; want %d, %q", tt.in, got, err, tt.want, tt.kind)
		}
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Field != FieldQuantity || tt.kind == KindTooLarge && e.Max != 100000 {
				t.Errorf("Quantity(%q) error %#v", tt.in, err)
			}
		}
	}
}

func TestParseDate(t *testing.T) {
	today := orders.Date{Year: 2026, Month: 11, Day: 27} // a Friday
	cal := orders.DefaultRules()
	tests := []struct{ in, want string }{
		// The behaviours of the dialog's first parser.
		{"2026-12-05", "2026-12-05"},
		{"2026/12/05", "2026-12-05"},
		{"12/05", "2026-12-05"},
		{"5 Dec", "2026-12-05"},
		{"Dec 5", "2026-12-05"},
		{"5 december 2027", "2027-12-05"},
		{"12月5日", "2026-12-05"},
		{"2027年1月3日", "2027-01-03"},
		{"1月3日", "2027-01-03"},
		{"01/03", "2027-01-03"},
		{"tomorrow", "2026-11-28"},
		{"明天", "2026-11-28"},
		{"后天", "2026-11-29"},
		{"Today", "2026-11-27"},
		{"2026-11-01", "2026-11-01"},
		{"", "!empty"},
		{"2026-02-30", "!impossible"},
		{"13/01", "!impossible"},
		{"31 Apr", "!impossible"},
		{"next week", "!format"},
		{"5", "!format"},
		{"26-12-05", "!format"},
		{"-1/-1", "!format"},
		{"1111111111111111111111111111111111111111111111111", "!format"},
		// Chinese forms.
		{"12月5号", "2026-12-05"},
		{"十二月五日", "2026-12-05"},
		{"十二月五号", "2026-12-05"},
		{"２０２６年１２月５日", "2026-12-05"},
		{"明天送", "2026-11-28"},
		{"明天送货", "2026-11-28"},
		{"大后天", "2026-11-30"},
		{"下周一", "2026-11-30"},
		{"下星期三", "2026-12-02"},
		{"下礼拜五", "2026-12-04"},
		{"下下周一", "2026-12-07"},
		{"周五", "2026-12-04"}, // the coming Friday, never today
		{"星期五", "2026-12-04"},
		{"周一", "2026-11-30"}, // the coming Monday
		{"周六", "2026-11-28"},
		{"本周五", "2026-11-27"},
		{"月底", "2026-11-30"},
		{"月底前", "<2026-11-30"},
		{"下个月底", "2026-12-31"},
		{"3天后", "2026-11-30"},
		{"三天后", "2026-11-30"},
		{"10天以后", "2026-12-07"},
		{"一周后", "2026-12-04"},
		{"两周后", "2026-12-11"},
		{"3个工作日后", "2026-12-02"},
		{"5个工作日内", "<2026-12-04"},
		{"12月3号上午", "2026-12-03@morning"},
		{"12月3日下午", "2026-12-03@afternoon"},
		{"明天上午", "2026-11-28@morning"},
		{"下个月5号", "2026-12-05"},
		{"下月5日", "2026-12-05"},
		{"15号", "2026-12-15"}, // past this month: next month
		{"28号", "2026-11-28"}, // still to come this month
		{"按15号交货", "2026-12-15"},
		{"12月15日之前都行", "<2026-12-15"},
		{"12月15日前", "<2026-12-15"},
		{"最晚12月20日", "<2026-12-20"},
		{"请在12月5日送到", "2026-12-05"},
		{"2月30日", "!impossible"},
		{"13月1日", "!impossible"},
		{"下周", "!format"},
		{"尽快", "!format"},
		{"过几天", "!format"},
		// English forms.
		{"next Friday", "2026-12-04"},
		{"next monday", "2026-11-30"},
		{"friday", "2026-12-04"},
		{"on Monday", "2026-11-30"},
		{"this Friday", "2026-11-27"},
		{"in 3 days", "2026-11-30"},
		{"in a week", "2026-12-04"},
		{"in 2 weeks", "2026-12-11"},
		{"in 3 working days", "2026-12-02"},
		{"within 5 business days", "<2026-12-04"},
		{"end of month", "2026-11-30"},
		{"end of the month", "2026-11-30"},
		{"end of next month", "2026-12-31"},
		{"by Friday", "<2026-12-04"},
		{"before Dec 5", "<2026-12-05"},
		{"December 5th", "2026-12-05"},
		{"the 5th of December", "2026-12-05"},
		{"the 5th of next month", "2026-12-05"},
		{"the 15th", "2026-12-15"},
		{"deliver on the 15th", "2026-12-15"},
		{"day after tomorrow", "2026-11-29"},
		{"tomorrow morning", "2026-11-28@morning"},
		{"Dec 3 pm", "2026-12-03@afternoon"},
		{"Feb 29", "2028-02-29"},
		{"asap", "!format"},
		{"next year", "!format"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, today, cal)
		var g string
		if err != nil {
			g = "!" + string(KindOf(err))
		} else {
			g = fmtDate(got)
		}
		if g != tt.want {
			t.Errorf("ParseDate(%q) = %s; want %s", tt.in, g, tt.want)
		}
	}
	// The month's end is its last working day: 31 January 2027 is a Sunday.
	if got, _ := ParseDate("月底", orders.Date{Year: 2027, Month: 1, Day: 10}, cal); got.Date.String() != "2027-01-29" {
		t.Errorf("月底 in January 2027 = %s; want 2027-01-29", got.Date)
	}
	// Working days skip the holidays of the calendar: 2026-12-25 is one.
	if got, _ := ParseDate("3个工作日后", orders.Date{Year: 2026, Month: 12, Day: 23}, cal); got.Date.String() != "2026-12-29" {
		t.Errorf("3个工作日后 from 2026-12-23 = %s; want 2026-12-29", got.Date)
	}
	// Relative answers say so.
	if got, _ := ParseDate("明天", today, nil); !got.Relative {
		t.Errorf("明天 is not Relative")
	}
}

func TestToday(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC) // 01:00 on the 28th in Shanghai
	if got := Today(now, sh); got.String() != "2026-11-28" {
		t.Errorf("Today = %s; want 2026-11-28", got)
	}
	if got := Today(now, nil); got.String() != "2026-11-27" {
		t.Errorf("Today(UTC) = %s; want 2026-11-27", got)
	}
	p := testParser()
	if d, err := p.Date("明天", now); err != nil || d.Date.String() != "2026-11-29" {
		t.Errorf("Parser.Date(明天) at 01:00 Shanghai = %v, %v; want 2026-11-29", d.Date, err)
	}
}

func TestYesNo(t *testing.T) {
	tests := []struct {
		in   string
		want Answer
	}{
		{"是", Yes}, {"是的", Yes}, {"好的", Yes}, {"好", Yes}, {"可以", Yes}, {"行", Yes}, {"要", Yes}, {"对", Yes},
		{"确认", Yes}, {"yes", Yes}, {"Yes!", Yes}, {"OK", Yes}, {"ok", Yes}, {"sure", Yes}, {"好的，谢谢", Yes}, {"yes, thanks", Yes},
		{"不", No}, {"不用", No}, {"不要", No}, {"否", No}, {"不是", No}, {"no", No}, {"No.", No}, {"nope", No}, {"不用了，谢谢", No},
		{"", Unclear}, {"也许", Unclear}, {"maybe", Unclear}, {"10把", Unclear}, {"明天", Unclear}, {"hello", Unclear},
	}
	for _, tt := range tests {
		if got := YesNo(tt.in); got != tt.want {
			t.Errorf("YesNo(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsNone(t *testing.T) {
	for _, s := range []string{"没有", "无", "不用", "不用了", "跳过", "没", "no", "No", "none", "nothing", "-", "—", "没有。", "n/a", "不用了谢谢"} {
		if !IsNone(s) {
			t.Errorf("IsNone(%q) = false", s)
		}
	}
	for _, s := range []string{"", "请下午送", "没有电梯，请送到一楼", "no stairs please", "None of the chairs should be grey", "无需发票以外的东西"} {
		if IsNone(s) {
			t.Errorf("IsNone(%q) = true", s)
		}
	}
}

func TestCleanAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"地址是上海市浦东新区世纪大道100号", "上海市浦东新区世纪大道100号"},
		{"送到北京市朝阳区建国路88号", "北京市朝阳区建国路88号"},
		{"寄到：广州市天河区天河路385号", "广州市天河区天河路385号"},
		{"收货地址：杭州市西湖区文三路90号", "杭州市西湖区文三路90号"},
		{"收货地址:杭州市西湖区文三路90号。", "杭州市西湖区文三路90号"},
		{"请送到 南京市鼓楼区中山路1号", "南京市鼓楼区中山路1号"},
		{"deliver to 88 Century Ave, Shanghai", "88 Century Ave, Shanghai"},
		{"Ship to: 1 Infinite Loop, Cupertino", "1 Infinite Loop, Cupertino"},
		{"Address: 10 Downing Street", "10 Downing Street"},
		{"上海市浦东新区世纪大道100号", "上海市浦东新区世纪大道100号"},
		{"  88 Century Ave  ", "88 Century Ave"},
		{"到达大厦5楼", "到达大厦5楼"}, // 到 alone is not stripped when it begins a name
	}
	for _, tt := range tests {
		if got := CleanAddress(tt.in); got != tt.want {
			t.Errorf("CleanAddress(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddress(t *testing.T) {
	saved := []string{"上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号", "上海市徐汇区漕溪北路18号"}
	one := []string{"上海市浦东新区世纪大道100号"}
	tests := []struct {
		in    string
		saved []string
		value string
		ref   bool
		index int
		cands int
	}{
		{"地址是上海市浦东新区世纪大道200号", saved, "上海市浦东新区世纪大道200号", false, -1, 0},
		{"送到深圳市南山区科技园8栋", saved, "深圳市南山区科技园8栋", false, -1, 0},
		{"还是北京那个", saved, "北京市朝阳区建国路88号", true, 1, 0},
		{"还是上海那个", saved, "", true, -1, 2}, // two in Shanghai: ask which
		{"还是上海那个", one, "上海市浦东新区世纪大道100号", true, 0, 0},
		{"还是世纪大道那个", saved, "上海市浦东新区世纪大道100号", true, 0, 0},
		{"老地址", one, "上海市浦东新区世纪大道100号", true, 0, 0},
		{"老地址", saved, "", true, -1, 3},
		{"same as last time", one, "上海市浦东新区世纪大道100号", true, 0, 0},
		{"same as last time", saved, "", true, -1, 3},
		{"the Beijing one, same as before", []string{"88 Century Ave, Shanghai", "5 Jianguo Road, Beijing"}, "5 Jianguo Road, Beijing", true, 1, 0},
		{"还是广州那个", saved, "", true, -1, 0}, // none in Guangzhou
		{"北京市朝阳区建国路88号", saved, "北京市朝阳区建国路88号", true, 1, 0},
	}
	for _, tt := range tests {
		got := Address(tt.in, tt.saved)
		if got.Value != tt.value || got.Ref != tt.ref || got.Index != tt.index || len(got.Candidates) != tt.cands {
			t.Errorf("Address(%q) = %+v; want value %q ref %v index %d, %d candidates", tt.in, got, tt.value, tt.ref, tt.index, tt.cands)
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"王小明", "王小明"},
		{"我叫王小明", "王小明"},
		{"我是李娟", "李娟"},
		{"联系人：陈静", "陈静"},
		{"姓名：张伟", "张伟"},
		{"My name is John Smith", "John Smith"},
		{"name: Li Wei", "Li Wei"},
		{"John", "John"},
		{"", ""},
		{"12345", ""},
		{"...", ""},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhone(t *testing.T) {
	tests := []struct {
		in, want string
		kind     Kind
	}{
		// The behaviours of the dialog's first parser.
		{"+86 138 0013 8000", "+8613800138000", ""},
		{"138-0013-8000", "13800138000", ""},
		{"(030) 123 4567", "0301234567", ""},
		{"１３８００１３８０００", "13800138000", ""},
		{"", "", KindEmpty},
		{"12345", "", KindLength},
		{"+1234567890123456", "", KindLength},
		{"call me", "", KindFormat},
		{"138+0013", "", KindFormat},
		// Words around it, and Chinese mobiles.
		{"13800138000", "13800138000", ""},
		{"手机：13912345678", "13912345678", ""},
		{"电话 021-64871234", "02164871234", ""},
		{"phone: +1 408 996 1010", "+14089961010", ""},
		{"+8613800138000", "+8613800138000", ""},
		{"12800138000", "", KindFormat}, // 11 digits from 1 must be a mobile: 1[3-9]
		{"一三八", "", KindFormat},
	}
	for _, tt := range tests {
		got, err := Phone(tt.in)
		if got != tt.want || KindOf(err) != tt.kind {
			t.Errorf("Phone(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.kind)
		}
	}
}

func TestAmount(t *testing.T) {
	tests := []struct {
		in, want string
		kind     Kind
	}{
		{"5000", "5000", ""},
		{"5000元", "5000", ""},
		{"5千", "5000", ""},
		{"¥5,000", "5000", ""},
		{"￥5,000", "5000", ""},
		{"5,000.50", "5000.5", ""},
		{"五千元", "5000", ""},
		{"五千", "5000", ""},
		{"1.2万", "12000", ""},
		{"1.2万元", "12000", ""},
		{"5000块", "5000", ""},
		{"RMB 5000", "5000", ""},
		{"5k", "5000", ""},
		{"收到货款5000元", "5000", ""},
		{"", "0", KindEmpty},
		{"abc", "0", KindNotNumber},
		{"0", "0", KindZero},
		{"-5", "0", KindNegative},
		{"5.555", "0", KindFraction},
		{"5,00", "0", KindNotNumber},
	}
	for _, tt := range tests {
		got, err := Amount(tt.in)
		if got.String() != tt.want || KindOf(err) != tt.kind {
			t.Errorf("Amount(%q) = %s, %v; want %s, %q", tt.in, got, err, tt.want, tt.kind)
		}
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"你好", "zh"}, {"我要10把椅子", "zh"}, {"hello", "en"}, {"I need 20 chairs", "en"}, {"X1 手机", "zh"},
		{"123", ""}, {"", ""}, {"👍", ""}, {"ＨＥＬＬＯ", "en"},
	}
	for _, tt := range tests {
		if got := Language(tt.in); got != tt.want {
			t.Errorf("Language(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestPickLabel(t *testing.T) {
	choices := []Choice{
		{Value: "address", Labels: []string{"Address", "地址"}},
		{Value: "date", Labels: []string{"Date", "日期"}},
		{Value: "phone", Labels: []string{"Phone", "电话"}},
		{Value: "lang:zh", Labels: []string{"中文", "Chinese"}},
		{Value: "lang:en", Labels: []string{"English", "英文", "英语"}},
	}
	tests := []struct{ in, want string }{
		{"地址", "address"}, {"address", "address"}, {"Address.", "address"}, {"日期", "date"}, {"中文", "lang:zh"},
		{"English", "lang:en"}, {"english", "lang:en"}, {"英语", "lang:en"}, {"改地址", "address"}, {"eng", "lang:en"},
		{"", ""}, {"hello", ""}, {"地址和电话", ""}, // two choices named: not sure
	}
	for _, tt := range tests {
		got, _ := PickLabel(tt.in, choices)
		if got != tt.want {
			t.Errorf("PickLabel(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestQueueName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"待审核", QueueReview}, {"审核", QueueReview}, {"待评审", QueueReview}, {"review", QueueReview},
		{"进行中", QueueActive}, {"active", QueueActive}, {"逾期", QueueOverdue}, {"逾期的订单", QueueOverdue},
		{"overdue", QueueOverdue}, {"今日", QueueToday}, {"今天", QueueToday}, {"today", QueueToday},
		{"待收款", QueueUnpaid}, {"unpaid", QueueUnpaid}, {"/orders 待审核", QueueReview}, {"hello", ""},
	}
	for _, tt := range tests {
		if got, _ := QueueName(tt.in); got != tt.want {
			t.Errorf("QueueName(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
