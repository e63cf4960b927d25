package understand

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// wl is an expected line: sku "?" means the product must be left ambiguous (candidates,
// no SKU); opts lists the options the message names, "name=value;…".
type wl struct {
	sku  string
	qty  int
	opts string
}

// qcase is a message and the draft a careful reader would make of it. Empty fields are
// not in the message: the parser must leave them missing (or ambiguous).
type qcase struct {
	msg                           string
	lines                         []wl
	date                          string // "2026-11-28", "<…" = at the latest, "…@morning"
	addr, phone, name, pay, notes string
}

func L(sku string, qty int, opts string) wl { return wl{sku, qty, opts} }

// quickOrderCases are real-looking orders, today being Friday 27 November 2026 with the
// default rules' holidays. Half are Chinese.
var quickOrderCases = []qcase{
	// Chinese.
	{msg: "我要10把椅子，明天送到浦东世纪大道100号", lines: []wl{L("CHAIR-100", 10, "")}, date: "2026-11-28", addr: "浦东世纪大道100号"},
	{msg: "10把黑色办公椅和2张会议桌", lines: []wl{L("CHAIR-100", 10, "colour=black"), L("DESK-CUSTOM", 2, "")}},
	{msg: "经典办公椅，黑色，10把", lines: []wl{L("CHAIR-100", 10, "colour=black")}},
	{msg: "培训椅带写字板30把，灰色，12月5号送到上海市闵行区莘庄工业区春申路8号，联系人王小明 13912345678", lines: []wl{L("CHAIR-200", 30, "colour=grey;writing_board=yes")}, date: "2026-12-05", addr: "上海市闵行区莘庄工业区春申路8号", name: "王小明", phone: "13912345678"},
	{msg: "来5台X1 Pro，银色，用支付宝付款", lines: []wl{L("PHONE-X1P", 5, "colour=silver")}, pay: "alipay"},
	{msg: "订20件纯棉T恤，白色，L码，下周一送", lines: []wl{L("TSHIRT-01", 20, "colour=white;size=L")}, date: "2026-11-30"},
	{msg: "大班椅2把 棕色 后天要", lines: []wl{L("CHAIR-300", 2, "colour=brown")}, date: "2026-11-29"},
	{msg: "我想订300把办公椅，灰色，月底前交货，银行转账", lines: []wl{L("CHAIR-100", 300, "colour=grey")}, date: "<2026-11-30", pay: "bank_transfer"},
	{msg: "要两张会议桌，胡桃木的，下个月5号送到北京市朝阳区建国路88号", lines: []wl{L("DESK-CUSTOM", 2, "material=walnut")}, date: "2026-12-05", addr: "北京市朝阳区建国路88号"},
	{msg: "螺丝包100套，脚轮50个", lines: []wl{L("SPARE-SCREWS", 100, ""), L("SPARE-CASTER", 50, "")}},
	{msg: "气杆二十个，货到付款", lines: []wl{L("SPARE-GASLIFT", 20, "")}, pay: "cash_on_delivery"},
	{msg: "办公椅一百二十把，蓝色，3天后送", lines: []wl{L("CHAIR-100", 120, "colour=blue")}, date: "2026-11-30"},
	{msg: "工装夹克 卡其色 XL码 15件", lines: []wl{L("JACKET-02", 15, "colour=khaki;size=XL")}},
	{msg: "我要十把培训椅，不要写字板，黑色", lines: []wl{L("CHAIR-200", 10, "colour=black;writing_board=no")}},
	{msg: "12月15日之前都行，要50把经典办公椅 黑色", lines: []wl{L("CHAIR-100", 50, "colour=black")}, date: "<2026-12-15"},
	{msg: "X1 手机 128GB 绿色 3台，微信支付", lines: []wl{L("PHONE-X1", 3, "colour=green")}, pay: "wechat_pay"},
	{msg: "1.2万个脚轮，下个月底送到苏州工业园区星湖街328号", lines: []wl{L("SPARE-CASTER", 12000, "")}, date: "2026-12-31", addr: "苏州工业园区星湖街328号"},
	{msg: "帮我订8把大班椅，黑色，周五送到公司，电话13800138000", lines: []wl{L("CHAIR-300", 8, "colour=black")}, date: "2026-12-04", phone: "13800138000"},
	{msg: "写字板连接件 20个", lines: []wl{L("SPARE-BOARDLINK", 20, "")}},
	{msg: "下周三送 办公椅 灰色 二十把", lines: []wl{L("CHAIR-100", 20, "colour=grey")}, date: "2026-12-02"},
	{msg: "我们公司要采购40把培训椅，带写字板，灰色的，12月10号之前送到杭州市西湖区文三路90号", lines: []wl{L("CHAIR-200", 40, "colour=grey;writing_board=yes")}, date: "<2026-12-10", addr: "杭州市西湖区文三路90号"},
	{msg: "订单：经典办公椅 x 10，黑色", lines: []wl{L("CHAIR-100", 10, "colour=black")}},
	{msg: "会议桌1套，橡木，备注：需要上门安装", lines: []wl{L("DESK-CUSTOM", 1, "material=oak")}, notes: "需要上门安装"},
	{msg: "两台X1 Pro手机 黑色", lines: []wl{L("PHONE-X1P", 2, "colour=black")}},
	{msg: "要5把椅子和5把大班椅", lines: []wl{L("CHAIR-100", 5, ""), L("CHAIR-300", 5, "")}},
	{msg: "老板椅3把棕色，送到深圳市南山区科技园南区8栋", lines: []wl{L("CHAIR-300", 3, "colour=brown")}, addr: "深圳市南山区科技园南区8栋"},
	{msg: "我是李娟，手机13912345678，订10把办公椅，黑色", lines: []wl{L("CHAIR-100", 10, "colour=black")}, name: "李娟", phone: "13912345678"},
	{msg: "50个气杆 30个脚轮 10套螺丝包", lines: []wl{L("SPARE-GASLIFT", 50, ""), L("SPARE-CASTER", 30, ""), L("SPARE-SCREWS", 10, "")}},
	{msg: "办公椅10把，会议桌2套", lines: []wl{L("CHAIR-100", 10, ""), L("DESK-CUSTOM", 2, "")}},
	{msg: "明天上午送10把黑色办公椅到世纪大道88号", lines: []wl{L("CHAIR-100", 10, "colour=black")}, date: "2026-11-28@morning", addr: "世纪大道88号"},
	{msg: "10把黑色经典办公椅，12/8送，支付宝", lines: []wl{L("CHAIR-100", 10, "colour=black")}, date: "2026-12-08", pay: "alipay"},
	{msg: "二十件白色T恤 M码，十件黑色T恤 L码", lines: []wl{L("TSHIRT-01", 20, "colour=white;size=M"), L("TSHIRT-01", 10, "colour=black;size=L")}},
	{msg: "大班椅 两把 黑色", lines: []wl{L("CHAIR-300", 2, "colour=black")}},
	{msg: "要一张定制会议桌 胡桃木", lines: []wl{L("DESK-CUSTOM", 1, "material=walnut")}},
	{msg: "X1手机黑色5台", lines: []wl{L("PHONE-X1", 5, "colour=black")}},
	{msg: "培训椅 20把 带写字板 黑色 后天送到 南京市鼓楼区中山路1号", lines: []wl{L("CHAIR-200", 20, "colour=black;writing_board=yes")}, date: "2026-11-29", addr: "南京市鼓楼区中山路1号"},
	{msg: "订购经典办公椅30把，颜色灰色，付款方式银行转账", lines: []wl{L("CHAIR-100", 30, "colour=grey")}, pay: "bank_transfer"},
	{msg: "我要买15件工装夹克，黑色，L码，地址是广州市天河区天河路385号", lines: []wl{L("JACKET-02", 15, "colour=black;size=L")}, addr: "广州市天河区天河路385号"},
	{msg: "脚轮 200个 气杆 100个", lines: []wl{L("SPARE-CASTER", 200, ""), L("SPARE-GASLIFT", 100, "")}},
	{msg: "麻烦送12把培训椅过来，不带写字板，灰色，下周五", lines: []wl{L("CHAIR-200", 12, "colour=grey;writing_board=no")}, date: "2026-12-04"},
	{msg: "10把椅子", lines: []wl{L("CHAIR-100", 10, "")}},
	{msg: "椅子要黑色的，20把，明天送", lines: []wl{L("CHAIR-100", 20, "colour=black")}, date: "2026-11-28"},
	{msg: "来一打纯棉T恤，白色，XL", lines: []wl{L("TSHIRT-01", 12, "colour=white;size=XL")}},
	{msg: "会议桌两套，材质橡木，送到上海市徐汇区漕溪北路18号，电话021-64871234", lines: []wl{L("DESK-CUSTOM", 2, "material=oak")}, addr: "上海市徐汇区漕溪北路18号", phone: "02164871234"},
	{msg: "我要10把黑色办公椅，12月3号上午送到，银行转账", lines: []wl{L("CHAIR-100", 10, "colour=black")}, date: "2026-12-03@morning", pay: "bank_transfer"},
	{msg: "5把大班椅 黑色 下下周一送", lines: []wl{L("CHAIR-300", 5, "colour=black")}, date: "2026-12-07"},
	{msg: "纯棉T恤50件黑色M码，50件白色L码", lines: []wl{L("TSHIRT-01", 50, "colour=black;size=M"), L("TSHIRT-01", 50, "colour=white;size=L")}},
	{msg: "20把办公椅 周一送", lines: []wl{L("CHAIR-100", 20, "")}, date: "2026-11-30"},
	{msg: "客户王先生要30把经典办公椅，蓝色，电话13600001111", lines: []wl{L("CHAIR-100", 30, "colour=blue")}, phone: "13600001111"},
	{msg: "我叫张伟，要3把大班椅，棕色，送到成都市高新区天府大道北段1700号", lines: []wl{L("CHAIR-300", 3, "colour=brown")}, name: "张伟", addr: "成都市高新区天府大道北段1700号"},
	{msg: "定制会议桌一张 胡桃木 12月20日前送达", lines: []wl{L("DESK-CUSTOM", 1, "material=walnut")}, date: "<2026-12-20"},
	{msg: "采购螺丝包500套", lines: []wl{L("SPARE-SCREWS", 500, "")}},
	{msg: "要X1 Pro 256GB 银色两台，支付宝", lines: []wl{L("PHONE-X1P", 2, "colour=silver")}, pay: "alipay"},
	{msg: "我要10把灰色培训椅带写字板，送到天津市和平区南京路189号", lines: []wl{L("CHAIR-200", 10, "colour=grey;writing_board=yes")}, addr: "天津市和平区南京路189号"},
	{msg: "10把办公椅，蓝色，下周二送到宁波市鄞州区天童南路588号，联系人陈静，电话15888886666，货到付款", lines: []wl{L("CHAIR-100", 10, "colour=blue")}, date: "2026-12-01", addr: "宁波市鄞州区天童南路588号", name: "陈静", phone: "15888886666", pay: "cash_on_delivery"},
	{msg: "黑色办公椅 10 把", lines: []wl{L("CHAIR-100", 10, "colour=black")}},
	{msg: "办公椅十把", lines: []wl{L("CHAIR-100", 10, "")}},
	{msg: "要二十五件纯棉T恤 藏青色 S码", lines: []wl{L("TSHIRT-01", 25, "colour=navy;size=S")}},
	{msg: "请帮我下单：大班椅一把，黑色", lines: []wl{L("CHAIR-300", 1, "colour=black")}},
	{msg: "脚轮100个，气杆50根", lines: []wl{L("SPARE-CASTER", 100, ""), L("SPARE-GASLIFT", 50, "")}},
	{msg: "3套会议桌 橡木 月底送", lines: []wl{L("DESK-CUSTOM", 3, "material=oak")}, date: "2026-11-30"},
	{msg: "我要200把培训椅，带写字板，黑色，下个月15号交货", lines: []wl{L("CHAIR-200", 200, "colour=black;writing_board=yes")}, date: "2026-12-15"},
	{msg: "经典办公椅 黑色 8把 灰色 2把", lines: []wl{L("CHAIR-100", 8, "colour=black"), L("CHAIR-100", 2, "colour=grey")}},
	{msg: "100个写字板连接件，周三前送到", lines: []wl{L("SPARE-BOARDLINK", 100, "")}, date: "<2026-12-02"},
	{msg: "订10件工装夹克 M码 卡其色，3个工作日内送到", lines: []wl{L("JACKET-02", 10, "colour=khaki;size=M")}, date: "<2026-12-02"},
	{msg: "纯棉T恤 白色 XL码 30件，用微信付", lines: []wl{L("TSHIRT-01", 30, "colour=white;size=XL")}, pay: "wechat_pay"},
	{msg: "我需要五把椅子，明天下午送，电话 138 0013 8000", lines: []wl{L("CHAIR-100", 5, "")}, date: "2026-11-28@afternoon", phone: "13800138000"},
	{msg: "螺丝包 二十套", lines: []wl{L("SPARE-SCREWS", 20, "")}},
	{msg: "要6把大班椅子，黑色", lines: []wl{L("CHAIR-300", 6, "colour=black")}},
	{msg: "培训椅（带写字板）灰色 25把", lines: []wl{L("CHAIR-200", 25, "colour=grey;writing_board=yes")}},
	{msg: "我们要15把黑色办公椅，送货地址：上海市长宁区延安西路2299号，12月8号前到货", lines: []wl{L("CHAIR-100", 15, "colour=black")}, addr: "上海市长宁区延安西路2299号", date: "<2026-12-08"},
	{msg: "你好，我想订10把经典办公椅，灰色，下周四送到无锡市滨湖区太湖大道1号，谢谢", lines: []wl{L("CHAIR-100", 10, "colour=grey")}, date: "2026-12-03", addr: "无锡市滨湖区太湖大道1号"},
	{msg: "二十把办公椅", lines: []wl{L("CHAIR-100", 20, "")}},
	{msg: "黑色的X1手机来两台", lines: []wl{L("PHONE-X1", 2, "colour=black")}},
	{msg: "50把灰色椅子 和 10张会议桌 胡桃木，后天送到厦门市思明区湖滨南路90号", lines: []wl{L("CHAIR-100", 50, "colour=grey"), L("DESK-CUSTOM", 10, "material=walnut")}, date: "2026-11-29", addr: "厦门市思明区湖滨南路90号"},
	{msg: "工装夹克20件 黑色 XL，支付宝，备注：绣公司logo", lines: []wl{L("JACKET-02", 20, "colour=black;size=XL")}, pay: "alipay", notes: "绣公司logo"},
	{msg: "买3个手机 X1 Pro 黑色", lines: []wl{L("PHONE-X1P", 3, "colour=black")}},
	{msg: "要10把办工椅", lines: []wl{L("?", 10, "")}},
	{msg: "经典办公 10把", lines: []wl{L("CHAIR-100", 10, "")}},
	{msg: "老地址，10把黑色办公椅，后天", lines: []wl{L("CHAIR-100", 10, "colour=black")}, date: "2026-11-29"},
	{msg: "２０把灰色办公椅，１２月１８日送", lines: []wl{L("CHAIR-100", 20, "colour=grey")}, date: "2026-12-18"},
	// A bare name beside the phone number is the contact; a short word beside it that is
	// not a name is left alone.
	{msg: "我要10把黑色办公椅，下周一送到上海市浦东新区世纪大道100号，电话13800138000，王小明，银行转账", lines: []wl{L("CHAIR-100", 10, "colour=black")}, date: "2026-11-30", addr: "上海市浦东新区世纪大道100号", phone: "13800138000", name: "王小明", pay: "bank_transfer"},
	{msg: "王小明 13800138000，10把黑色办公椅", lines: []wl{L("CHAIR-100", 10, "colour=black")}, name: "王小明", phone: "13800138000"},
	{msg: "10把灰色办公椅，李娟13912345678，后天送", lines: []wl{L("CHAIR-100", 10, "colour=grey")}, name: "李娟", phone: "13912345678", date: "2026-11-29"},
	{msg: "经典办公椅20把 灰色，电话：13600001111 张伟", lines: []wl{L("CHAIR-100", 20, "colour=grey")}, name: "张伟", phone: "13600001111"},
	{msg: "欧阳娜娜，15888886666，要5把大班椅 棕色", lines: []wl{L("CHAIR-300", 5, "colour=brown")}, name: "欧阳娜娜", phone: "15888886666"},
	{msg: "要3把大班椅 黑色，王先生 13800138000", lines: []wl{L("CHAIR-300", 3, "colour=black")}, name: "王先生", phone: "13800138000"},
	{msg: "10把黑色办公椅，电话13800138000，谢谢", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10把黑色办公椅，13800138000，尽快", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10把黑色办公椅，电话13800138000，马上要", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10把黑色办公椅 13800138000 江苏", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "13800138000 黄色 10把办公椅", lines: []wl{L("CHAIR-100", 10, "")}, phone: "13800138000"},
	{msg: "电话13800138000 高端 10把黑色办公椅", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10把黑色办公椅，手机13800138000，公司自提", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10把办公椅 灰色，13800138000，周末", lines: []wl{L("CHAIR-100", 10, "colour=grey")}, phone: "13800138000"},
	{msg: "王小明，10把黑色办公椅", lines: []wl{L("CHAIR-100", 10, "colour=black")}},

	// English.
	{msg: "I need 20 black office chairs delivered next Friday to 88 Century Ave, phone 13800138000, bank transfer", lines: []wl{L("CHAIR-100", 20, "colour=black")}, date: "2026-12-04", addr: "88 Century Ave", phone: "13800138000", pay: "bank_transfer"},
	{msg: "10 office chairs, grey, tomorrow", lines: []wl{L("CHAIR-100", 10, "colour=grey")}, date: "2026-11-28"},
	{msg: "Please send 5 executive chairs in brown to 12 Nanjing Road, Shanghai by Dec 10", lines: []wl{L("CHAIR-300", 5, "colour=brown")}, addr: "12 Nanjing Road, Shanghai", date: "<2026-12-10"},
	{msg: "2 custom conference tables, walnut, end of month", lines: []wl{L("DESK-CUSTOM", 2, "material=walnut")}, date: "2026-11-30"},
	{msg: "I'd like 30 training chairs with writing board, black, delivered on December 5th", lines: []wl{L("CHAIR-200", 30, "colour=black;writing_board=yes")}, date: "2026-12-05"},
	{msg: "3 Phone X1 Pro in silver, pay with Alipay", lines: []wl{L("PHONE-X1P", 3, "colour=silver")}, pay: "alipay"},
	{msg: "100 screw sets and 50 caster wheels", lines: []wl{L("SPARE-SCREWS", 100, ""), L("SPARE-CASTER", 50, "")}},
	{msg: "Order: 12 cotton t-shirts, white, size L", lines: []wl{L("TSHIRT-01", 12, "colour=white;size=L")}},
	{msg: "20 gas lifts, cash on delivery", lines: []wl{L("SPARE-GASLIFT", 20, "")}, pay: "cash_on_delivery"},
	{msg: "We need 40 training chairs without writing board in grey, in 3 days", lines: []wl{L("CHAIR-200", 40, "colour=grey;writing_board=no")}, date: "2026-11-30"},
	{msg: "5 work jackets khaki XL", lines: []wl{L("JACKET-02", 5, "colour=khaki;size=XL")}},
	{msg: "two dozen office chairs, blue", lines: []wl{L("CHAIR-100", 24, "colour=blue")}},
	{msg: "a dozen black t-shirts size M", lines: []wl{L("TSHIRT-01", 12, "colour=black;size=M")}},
	{msg: "8 executive chairs, black, deliver to 1 Infinite Loop, Cupertino, phone +1 408 996 1010", lines: []wl{L("CHAIR-300", 8, "colour=black")}, addr: "1 Infinite Loop, Cupertino", phone: "+14089961010"},
	{msg: "15 office chairs in blue, deliver on 12/18", lines: []wl{L("CHAIR-100", 15, "colour=blue")}, date: "2026-12-18"},
	{msg: "I want 10 chairs", lines: []wl{L("CHAIR-100", 10, "")}},
	{msg: "1 custom conference table in oak, by end of next month", lines: []wl{L("DESK-CUSTOM", 1, "material=oak")}, date: "<2026-12-31"},
	{msg: "50 caster wheels and 20 gas lifts, ship to 500 Pudong Ave, Shanghai", lines: []wl{L("SPARE-CASTER", 50, ""), L("SPARE-GASLIFT", 20, "")}, addr: "500 Pudong Ave, Shanghai"},
	{msg: "Hi, can I get 6 executive chairs (brown) for next Monday?", lines: []wl{L("CHAIR-300", 6, "colour=brown")}, date: "2026-11-30"},
	{msg: "25 grey training chairs with writing board, day after tomorrow, WeChat Pay", lines: []wl{L("CHAIR-200", 25, "colour=grey;writing_board=yes")}, date: "2026-11-29", pay: "wechat_pay"},
	{msg: "3 X1 phones in green", lines: []wl{L("?", 3, "")}},
	{msg: "300 office chairs, black, in 2 weeks, bank transfer", lines: []wl{L("CHAIR-100", 300, "colour=black")}, date: "2026-12-11", pay: "bank_transfer"},
	{msg: "Need 2 conference tables walnut delivered to 77 Jianguo Road, Beijing on Dec 15", lines: []wl{L("DESK-CUSTOM", 2, "material=walnut")}, addr: "77 Jianguo Road, Beijing", date: "2026-12-15"},
	{msg: "10 black office chairs and 10 grey ones", lines: []wl{L("CHAIR-100", 10, "colour=black"), L("CHAIR-100", 10, "colour=grey")}},
	{msg: "12 t-shirts navy size S, payment by alipay", lines: []wl{L("TSHIRT-01", 12, "colour=navy;size=S")}, pay: "alipay"},
	{msg: "4 training chairs, no writing board, black", lines: []wl{L("CHAIR-200", 4, "colour=black;writing_board=no")}},
	{msg: "Executive chair x 2, black", lines: []wl{L("CHAIR-300", 2, "colour=black")}},
	{msg: "office chair 10 pcs grey", lines: []wl{L("CHAIR-100", 10, "colour=grey")}},
	{msg: "7 jackets, size M, black, tomorrow morning", lines: []wl{L("JACKET-02", 7, "colour=black;size=M")}, date: "2026-11-28@morning"},
	{msg: "60 office chairs in grey, delivery in 5 days, contact John Smith, 13912345678", lines: []wl{L("CHAIR-100", 60, "colour=grey")}, date: "2026-12-02", name: "John Smith", phone: "13912345678"},
	{msg: "My name is Li Wei, phone 13600001111. I need 10 office chairs, blue, next Wednesday", lines: []wl{L("CHAIR-100", 10, "colour=blue")}, name: "Li Wei", phone: "13600001111", date: "2026-12-02"},
	{msg: "20 pcs of caster wheels", lines: []wl{L("SPARE-CASTER", 20, "")}},
	{msg: "5 screw sets, end of the month", lines: []wl{L("SPARE-SCREWS", 5, "")}, date: "2026-11-30"},
	{msg: "2 Phone X1 128GB white", lines: []wl{L("PHONE-X1", 2, "colour=white")}},
	{msg: "please deliver 15 training chairs with writing board in black to 3 Main Street on Monday", lines: []wl{L("CHAIR-200", 15, "colour=black;writing_board=yes")}, addr: "3 Main Street", date: "2026-11-30"},
	{msg: "10 blue office chairs, need them by tomorrow", lines: []wl{L("CHAIR-100", 10, "colour=blue")}, date: "<2026-11-28"},
	{msg: "I'd like to order 8 executive chairs, colour black, and 2 walnut conference tables", lines: []wl{L("CHAIR-300", 8, "colour=black"), L("DESK-CUSTOM", 2, "material=walnut")}},
	{msg: "100 writing-board connectors", lines: []wl{L("SPARE-BOARDLINK", 100, "")}},
	{msg: "30 cotton t-shirts white M and 20 cotton t-shirts black L", lines: []wl{L("TSHIRT-01", 30, "colour=white;size=M"), L("TSHIRT-01", 20, "colour=black;size=L")}},
	{msg: "1 executive chair brown, ship to 9 Harbour Road, Hong Kong, pay on delivery", lines: []wl{L("CHAIR-300", 1, "colour=brown")}, addr: "9 Harbour Road, Hong Kong", pay: "cash_on_delivery"},
	{msg: "50 office chairs black 2026-12-20", lines: []wl{L("CHAIR-100", 50, "colour=black")}, date: "2026-12-20"},
	{msg: "twelve training chairs with writing board, grey", lines: []wl{L("CHAIR-200", 12, "colour=grey;writing_board=yes")}},
	{msg: "I need 200 office chairs, grey, by 15 Dec, bank transfer", lines: []wl{L("CHAIR-100", 200, "colour=grey")}, date: "<2026-12-15", pay: "bank_transfer"},
	{msg: "Send 3 gas lifts and 3 caster wheels tomorrow", lines: []wl{L("SPARE-GASLIFT", 3, ""), L("SPARE-CASTER", 3, "")}, date: "2026-11-28"},
	{msg: "10 chiars black", lines: []wl{L("?", 10, "")}},
	{msg: "5 ofice chairs grey", lines: []wl{L("?", 5, "")}},
	{msg: "20 office chairs; deliver to 200 Century Avenue, Pudong; phone 13800138000; notes: call before delivery", lines: []wl{L("CHAIR-100", 20, "")}, addr: "200 Century Avenue, Pudong", phone: "13800138000", notes: "call before delivery"},
	{msg: "6 jackets khaki size L, next Thursday", lines: []wl{L("JACKET-02", 6, "colour=khaki;size=L")}, date: "2026-12-03"},
	{msg: "2 conference tables (oak) for the 10th of next month", lines: []wl{L("DESK-CUSTOM", 2, "material=oak")}, date: "2026-12-10"},
	{msg: "40 black training chairs with writing boards, Dec 8", lines: []wl{L("CHAIR-200", 40, "colour=black;writing_board=yes")}, date: "2026-12-08"},
	{msg: "we'd like 15 t-shirts, navy, size XL, delivered in a week", lines: []wl{L("TSHIRT-01", 15, "colour=navy;size=XL")}, date: "2026-12-04"},
	{msg: "I need 10 office chairs black, address: 45 Huaihai Road, Shanghai, phone 13711112222, Alipay", lines: []wl{L("CHAIR-100", 10, "colour=black")}, addr: "45 Huaihai Road, Shanghai", phone: "13711112222", pay: "alipay"},
	{msg: "3 executive chairs black + 3 brown executive chairs", lines: []wl{L("CHAIR-300", 3, "colour=black"), L("CHAIR-300", 3, "colour=brown")}},
	{msg: "Could you send 25 caster wheels to 18 Xinhua Road by Friday?", lines: []wl{L("SPARE-CASTER", 25, "")}, addr: "18 Xinhua Road", date: "<2026-12-04"},
	{msg: "9 grey office chairs, wechat", lines: []wl{L("CHAIR-100", 9, "colour=grey")}, pay: "wechat_pay"},
	{msg: "2 X1 Pro phones black", lines: []wl{L("PHONE-X1P", 2, "colour=black")}},
	{msg: "100 gas lifts, 100 caster wheels, 100 screw sets", lines: []wl{L("SPARE-GASLIFT", 100, ""), L("SPARE-CASTER", 100, ""), L("SPARE-SCREWS", 100, "")}},
	{msg: "7 office chairs in blue please, tomorrow afternoon", lines: []wl{L("CHAIR-100", 7, "colour=blue")}, date: "2026-11-28@afternoon"},
	{msg: "a conference table in walnut", lines: []wl{L("DESK-CUSTOM", 1, "material=walnut")}},
	{msg: "One executive chair, brown", lines: []wl{L("CHAIR-300", 1, "colour=brown")}},
	{msg: "5 office chairs, black, cash on delivery, deliver to 10 Downing Street, London", lines: []wl{L("CHAIR-100", 5, "colour=black")}, pay: "cash_on_delivery", addr: "10 Downing Street, London"},
	{msg: "10 chairs grey and 5 executive chairs black next Tuesday", lines: []wl{L("CHAIR-100", 10, "colour=grey"), L("CHAIR-300", 5, "colour=black")}, date: "2026-12-01"},
	{msg: "20 t-shirts white S", lines: []wl{L("TSHIRT-01", 20, "colour=white;size=S")}},
	{msg: "3 work jackets M black", lines: []wl{L("JACKET-02", 3, "colour=black;size=M")}},
	{msg: "I'd like 2 Executive chairs in black, delivered 5 Dec to 66 Nanjing West Road", lines: []wl{L("CHAIR-300", 2, "colour=black")}, date: "2026-12-05", addr: "66 Nanjing West Road"},
	{msg: "12 grey office chairs in 3 working days", lines: []wl{L("CHAIR-100", 12, "colour=grey")}, date: "2026-12-02"},
	{msg: "80 office chairs, blue, Jan 5", lines: []wl{L("CHAIR-100", 80, "colour=blue")}, date: "2027-01-05"},
	// A bare English name beside the phone number is the contact; a capitalised word that
	// is a place, a greeting or a word of the order is not.
	{msg: "John Smith 13800138000, 10 black office chairs", lines: []wl{L("CHAIR-100", 10, "colour=black")}, name: "John Smith", phone: "13800138000"},
	{msg: "10 grey office chairs, phone 13800138000, John", lines: []wl{L("CHAIR-100", 10, "colour=grey")}, name: "John", phone: "13800138000"},
	{msg: "5 executive chairs brown; Mary O'Neil, 13912345678; tomorrow", lines: []wl{L("CHAIR-300", 5, "colour=brown")}, name: "Mary O'Neil", phone: "13912345678", date: "2026-11-28"},
	{msg: "20 office chairs, 13600001111 Li Wei, bank transfer", lines: []wl{L("CHAIR-100", 20, "")}, name: "Li Wei", phone: "13600001111", pay: "bank_transfer"},
	{msg: "10 black office chairs, phone 13800138000, Thanks", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10 black office chairs, 13800138000 Shanghai", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10 black office chairs, phone 13800138000, ASAP", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "Hi 13800138000, 10 black office chairs", lines: []wl{L("CHAIR-100", 10, "colour=black")}, phone: "13800138000"},
	{msg: "10 office chairs for Pudong 13800138000", lines: []wl{L("CHAIR-100", 10, "")}, phone: "13800138000"},
	{msg: "5 conference tables oak, shipping address: 1 Science Park Road, Singapore", lines: []wl{L("DESK-CUSTOM", 5, "material=oak")}, addr: "1 Science Park Road, Singapore"},
	{msg: "10 office chairs black, name: Wang Fang, tel 13500001234", lines: []wl{L("CHAIR-100", 10, "colour=black")}, name: "Wang Fang", phone: "13500001234"},
	{msg: "4 t-shirts black M, 4 t-shirts white L, tomorrow", lines: []wl{L("TSHIRT-01", 4, "colour=black;size=M"), L("TSHIRT-01", 4, "colour=white;size=L")}, date: "2026-11-28"},
	{msg: "20 training chairs black with board", lines: []wl{L("CHAIR-200", 20, "colour=black")}},
	{msg: "I need 10 office chairs", lines: []wl{L("CHAIR-100", 10, "")}},
	{msg: "15 caster wheels by bank transfer", lines: []wl{L("SPARE-CASTER", 15, "")}, pay: "bank_transfer"},
	{msg: "6 gas lifts, deliver in 10 days", lines: []wl{L("SPARE-GASLIFT", 6, "")}, date: "2026-12-07"},
	{msg: "2 Phone X1 Pro 256GB silver, COD", lines: []wl{L("PHONE-X1P", 2, "colour=silver")}, pay: "cash_on_delivery"},
	{msg: "3 office chairs grey, Dec 25", lines: []wl{L("CHAIR-100", 3, "colour=grey")}, date: "2026-12-25"},
	{msg: "same address as last time, 10 office chairs grey", lines: []wl{L("CHAIR-100", 10, "colour=grey")}},
	// Written without tuning the reader to them first.
	{msg: "老板，帮我拿20把黑色的经典办公椅，下周一之前送到闵行区虹梅路1000号", lines: []wl{L("CHAIR-100", 20, "colour=black")}, date: "<2026-11-30", addr: "闵行区虹梅路1000号"},
	{msg: "再来两张胡桃木会议桌", lines: []wl{L("DESK-CUSTOM", 2, "material=walnut")}},
	{msg: "大班椅要棕色的两把，还有黑色的一把", lines: []wl{L("CHAIR-300", 2, "colour=brown"), L("CHAIR-300", 1, "colour=black")}},
	{msg: "气杆和脚轮各100个", lines: []wl{L("SPARE-GASLIFT", 100, ""), L("SPARE-CASTER", 100, "")}},
	{msg: "培训椅30把（要写字板），颜色随便", lines: []wl{L("CHAIR-200", 30, "writing_board=yes")}},
	{msg: "下单 X1 Pro 256GB 银色 ×3 周三送 微信付款", lines: []wl{L("PHONE-X1P", 3, "colour=silver")}, date: "2026-12-02", pay: "wechat_pay"},
	{msg: "纯棉T恤200件 黑色 L码，月底前到，公对公转账", lines: []wl{L("TSHIRT-01", 200, "colour=black;size=L")}, date: "<2026-11-30", pay: "bank_transfer"},
	{msg: "帮忙安排8件工装夹克，卡其色，M码，送到上海市嘉定区曹安公路4800号，收货人刘洋", lines: []wl{L("JACKET-02", 8, "colour=khaki;size=M")}, addr: "上海市嘉定区曹安公路4800号", name: "刘洋"},
	{msg: "螺丝包要1000套，急用，明天能送到吗", lines: []wl{L("SPARE-SCREWS", 1000, "")}, date: "2026-11-28"},
	{msg: "300个脚轮 12/10前送到 电话18912345678", lines: []wl{L("SPARE-CASTER", 300, "")}, date: "<2026-12-10", phone: "18912345678"},
	{msg: "Hey, we'd need 45 grey office chairs by the end of the month please", lines: []wl{L("CHAIR-100", 45, "colour=grey")}, date: "<2026-11-30"},
	{msg: "Can you do 3 executive chairs in brown? Deliver Thursday.", lines: []wl{L("CHAIR-300", 3, "colour=brown")}, date: "2026-12-03"},
	{msg: "order 500 screw sets + 200 gas lifts, bank transfer, ship to 8 Industrial Road, Suzhou", lines: []wl{L("SPARE-SCREWS", 500, ""), L("SPARE-GASLIFT", 200, "")}, pay: "bank_transfer", addr: "8 Industrial Road, Suzhou"},
	{msg: "Need a walnut conference table asap", lines: []wl{L("DESK-CUSTOM", 1, "material=walnut")}},
	{msg: "2 X1 Pro, silver, and 1 X1 in white", lines: []wl{L("PHONE-X1P", 2, "colour=silver"), L("PHONE-X1", 1, "colour=white")}},
	{msg: "20 t-shirts (white, M) for Monday", lines: []wl{L("TSHIRT-01", 20, "colour=white;size=M")}, date: "2026-11-30"},
	{msg: "please book 60 training chairs w/o writing board, black, delivery Dec 14", lines: []wl{L("CHAIR-200", 60, "colour=black")}, date: "2026-12-14"},
	{msg: "10 office chairs. Blue. Tomorrow. Alipay.", lines: []wl{L("CHAIR-100", 10, "colour=blue")}, date: "2026-11-28", pay: "alipay"},
	{msg: "I'll take 4 work jackets, size XL, khaki, and 4 more in black size L", lines: []wl{L("JACKET-02", 4, "colour=khaki;size=XL"), L("JACKET-02", 4, "colour=black;size=L")}},
	{msg: "15 caster wheels and 15 gas lifts to Room 502, 18 Zhangjiang Road please", lines: []wl{L("SPARE-CASTER", 15, ""), L("SPARE-GASLIFT", 15, "")}, addr: "Room 502, 18 Zhangjiang Road"},
}

func fmtDate(a DateAnswer) string {
	s := a.Date.String()
	if a.Latest {
		s = "<" + s
	}
	if a.Part != "" {
		s += "@" + string(a.Part)
	}
	return s
}

func fmtOpts(m map[string]string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ";")
}

// judge compares a draft with what was meant: missed lists the fields left missing or
// ambiguous that the message gave; wrong lists the fields understood wrongly — a value
// that was not meant.
func judge(c qcase, d Draft) (missed, wrong []string) {
	field := func(name, want, got string, st State) {
		switch {
		case st == Understood && got != want:
			wrong = append(wrong, fmt.Sprintf("%s = %q, want %q", name, got, want))
		case st != Understood && want != "":
			missed = append(missed, name)
		}
	}
	dateGot := ""
	if d.DateState == Understood {
		dateGot = fmtDate(d.Date)
	}
	field("date", c.date, dateGot, d.DateState)
	field("address", c.addr, d.Address, d.AddressState)
	field("phone", c.phone, d.Phone, d.PhoneState)
	field("name", c.name, d.Name, d.NameState)
	field("payment", c.pay, d.PaymentMethod, d.PaymentState)
	if c.notes != d.Notes {
		if d.Notes != "" {
			wrong = append(wrong, fmt.Sprintf("notes = %q, want %q", d.Notes, c.notes))
		} else {
			missed = append(missed, "notes")
		}
	}
	if len(d.Lines) > len(c.lines) {
		wrong = append(wrong, fmt.Sprintf("%d lines, want %d", len(d.Lines), len(c.lines)))
	}
	for i, w := range c.lines {
		if i >= len(d.Lines) {
			missed = append(missed, fmt.Sprintf("line %d", i+1))
			continue
		}
		g := d.Lines[i]
		switch {
		case w.sku == "?" && g.SKU != "":
			wrong = append(wrong, fmt.Sprintf("line %d product %s, want it ambiguous", i+1, g.SKU))
		case w.sku != "?" && g.SKU != "" && g.SKU != w.sku:
			wrong = append(wrong, fmt.Sprintf("line %d product %s, want %s", i+1, g.SKU, w.sku))
		case w.sku != "?" && g.SKU == "":
			missed = append(missed, fmt.Sprintf("line %d product", i+1))
		}
		switch {
		case g.Quantity != 0 && g.Quantity != w.qty:
			wrong = append(wrong, fmt.Sprintf("line %d quantity %d, want %d", i+1, g.Quantity, w.qty))
		case g.Quantity == 0:
			missed = append(missed, fmt.Sprintf("line %d quantity", i+1))
		}
		want := map[string]string{}
		for _, kv := range strings.Split(w.opts, ";") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				want[k] = v
			}
		}
		for k, v := range g.Options {
			if want[k] != v {
				wrong = append(wrong, fmt.Sprintf("line %d option %s=%s, want %q", i+1, k, v, want[k]))
			}
		}
		for k := range want {
			if _, ok := g.Options[k]; !ok {
				missed = append(missed, fmt.Sprintf("line %d option %s", i+1, k))
			}
		}
	}
	return missed, wrong
}

// TestQuickOrderTable reads every message of the table: none may be misunderstood, and at
// least 90 % must be understood in full.
func TestQuickOrderTable(t *testing.T) {
	p := testParser()
	zh, full := 0, 0
	for _, c := range quickOrderCases {
		if Language(c.msg) == "zh" {
			zh++
		}
		d := p.QuickOrder(c.msg, testNow)
		missed, wrong := judge(c, d)
		if len(wrong) > 0 {
			t.Errorf("MISUNDERSTOOD %q: %s\n  draft %+v", c.msg, strings.Join(wrong, "; "), d)
		}
		if len(missed) == 0 && len(wrong) == 0 {
			full++
		} else if len(wrong) == 0 {
			t.Logf("not fully understood %q: missing %s", c.msg, strings.Join(missed, ", "))
		}
		if !d.IsOrder() {
			t.Errorf("%q does not read as an order", c.msg)
		}
	}
	n := len(quickOrderCases)
	rate := float64(full) / float64(n) * 100
	t.Logf("quick orders: %d messages (%d Chinese), %d fully understood (%.1f %%), misunderstood: see errors", n, zh, full, rate)
	if n < 150 || zh*2 < n-1 {
		t.Errorf("the table has %d messages, %d Chinese; want at least 150, half Chinese", n, zh)
	}
	if rate < 90 {
		t.Errorf("fully understood %.1f %%, want at least 90 %%", rate)
	}
}

// TestQuickOrderNotAnOrder: greetings, questions and answers to other questions are not
// orders.
func TestQuickOrderNotAnOrder(t *testing.T) {
	p := testParser()
	for _, s := range []string{"你好", "hello", "/start", "谢谢", "ok", "明天", "13800138000", "我想问一下价格",
		"订单SO-20261127-0001怎么样了", "what's the status of my order", "你们几点下班", "can I pay by alipay?",
		"how much is the office chair?", "办公椅多少钱？", "有没有大班椅的库存？", "do you have grey chairs?", "", "   ",
		strings.Repeat("我要10把椅子，", 100)} {
		if d := p.QuickOrder(s, testNow); d.IsOrder() {
			t.Errorf("QuickOrder(%q) reads as an order: %+v", s, d)
		}
	}
}

func TestQuickOrderFields(t *testing.T) {
	p := testParser()
	// A quantity without a product still starts an order: the product is asked.
	d := p.QuickOrder("我要10把", testNow)
	if !d.IsOrder() || len(d.Lines) != 1 || d.Lines[0].Quantity != 10 || d.Lines[0].SKU != "" {
		t.Errorf("我要10把: %+v", d)
	}
	// A quantity too large is refused with its reason, not cut.
	d = p.QuickOrder("200000把椅子", testNow)
	if len(d.Lines) != 1 || d.Lines[0].Quantity != 0 || d.Lines[0].QuantityError != KindTooLarge {
		t.Errorf("200000把椅子: %+v", d)
	}
	d = p.QuickOrder("2.5把椅子", testNow)
	if len(d.Lines) != 1 || d.Lines[0].Quantity != 0 || d.Lines[0].QuantityError != KindFraction {
		t.Errorf("2.5把椅子: %+v", d)
	}
	// A saved address referred to: resolved by the caller.
	d = p.QuickOrder("还是上海那个，10把椅子", testNow)
	if d.AddressState != Ambiguous || d.AddressRef != "还是上海那个" || d.Address != "" {
		t.Errorf("还是上海那个: %+v", d)
	}
	if r := Address(d.AddressRef, []string{"上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号"}); r.Index != 0 {
		t.Errorf("Address(%q) = %+v", d.AddressRef, r)
	}
	d = p.QuickOrder("same address as last time, 5 executive chairs black", testNow)
	if d.AddressState != Ambiguous || d.AddressRef == "" {
		t.Errorf("same address as last time: %+v", d)
	}
	// Two of a field: ask.
	for _, c := range []struct {
		msg   string
		state func(Draft) State
	}{
		{"10把椅子，明天或者后天", func(d Draft) State { return d.DateState }},
		{"10 chairs, Monday or Tuesday", func(d Draft) State { return d.DateState }},
		{"10把椅子，支付宝或者微信", func(d Draft) State { return d.PaymentState }},
		{"10把椅子 13800138000 13900139000", func(d Draft) State { return d.PhoneState }},
		{"10把椅子，下个月底", func(d Draft) State { return Understood }},
		{"10把椅子，13月40日送", func(d Draft) State { return d.DateState }},
	} {
		d := p.QuickOrder(c.msg, testNow)
		if got := c.state(d); got != Ambiguous && !strings.Contains(c.msg, "下个月底") {
			t.Errorf("%q: state %v, want Ambiguous: %+v", c.msg, got, d)
		}
	}
	// Complete: every field a customer must give.
	d = p.QuickOrder("10把黑色办公椅，明天送到浦东世纪大道100号，支付宝", testNow)
	if !d.Complete() || !d.Lines[0].Understood() {
		t.Errorf("complete order not Complete: %+v", d)
	}
	if d := p.QuickOrder("10把办公椅，明天送到浦东世纪大道100号，支付宝", testNow); d.Complete() {
		t.Errorf("an order without the chair's colour is Complete: %+v", d)
	}
	// What was not understood is kept for the caller.
	d = p.QuickOrder("10把黑色办公椅，另外帮我开增值税发票", testNow)
	if len(d.Unread) == 0 {
		t.Errorf("nothing Unread: %+v", d)
	}
	// The language of the message.
	if d := p.QuickOrder("I need 10 chairs", testNow); d.Lang != "en" {
		t.Errorf("Lang = %q", d.Lang)
	}
	if d := p.QuickOrder("10把椅子", testNow); d.Lang != "zh" {
		t.Errorf("Lang = %q", d.Lang)
	}
	// A house number is no date, a model number no quantity.
	d = p.QuickOrder("10把椅子送到张江路8号3楼", testNow)
	if d.DateState != Missing || d.Address != "张江路8号3楼" {
		t.Errorf("张江路8号3楼: %+v", d)
	}
	d = p.QuickOrder("2台X1 Pro 256GB 黑色", testNow)
	if len(d.Lines) != 1 || d.Lines[0].Quantity != 2 || d.Lines[0].SKU != "PHONE-X1P" {
		t.Errorf("2台X1 Pro 256GB: %+v", d)
	}
}

// TestNameBesidePhone: a bare name written beside the phone number is the contact, in
// Chinese and in English; a word there that is not a name is never taken for one.
func TestNameBesidePhone(t *testing.T) {
	p := testParser()
	for _, c := range []struct{ msg, name string }{
		{"王小明 13800138000，10把黑色办公椅", "王小明"},
		{"10把黑色办公椅，电话13800138000，王小明", "王小明"},
		{"John Smith 13800138000, 10 black office chairs", "John Smith"},
		{"10 grey office chairs, phone 13800138000, John", "John"},
		{"5 executive chairs brown; Mary O'Neil, 13912345678; tomorrow", "Mary O'Neil"},
		{"20 office chairs, 13600001111 Li Wei, bank transfer", "Li Wei"},
		{"10 black office chairs, phone 13800138000, Thanks", ""},
		{"10 black office chairs, 13800138000 Shanghai", ""},
		{"10 black office chairs, phone 13800138000, ASAP", ""},
		{"Hi 13800138000, 10 black office chairs", ""},
		{"10 office chairs for Pudong 13800138000", ""},
		{"10 office chairs 13800138000 Black", ""},
		{"John 13800138000 Smith, 10 office chairs", ""}, // one on each side: asked
	} {
		d := p.QuickOrder(c.msg, testNow)
		if d.PhoneState != Understood {
			t.Errorf("%q: phone not read: %+v", c.msg, d)
		}
		if c.name == "" && d.NameState != Missing {
			t.Errorf("%q: name read as %q, want it asked", c.msg, d.Name)
		}
		if c.name != "" && (d.NameState != Understood || d.Name != c.name) {
			t.Errorf("%q: name %q (%v), want %q", c.msg, d.Name, d.NameState, c.name)
		}
	}
}

func TestProfileName(t *testing.T) {
	for in, want := range map[string]string{
		"Wei Zhang": "Wei Zhang", "王小明": "王小明", " Mary  O'Neil ": "Mary O'Neil", "José": "José",
		"Demo Customer": "", "Test User": "", "客户": "", "user123": "", "🙂": "", "": "", "Telegram User": "", "新用户": "",
	} {
		if got := ProfileName(in); got != want {
			t.Errorf("ProfileName(%q) = %q, want %q", in, got, want)
		}
	}
}
