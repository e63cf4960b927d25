package understand

import (
	"time"

	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

// testCatalog mirrors demo/catalog.csv.
func testProducts() []orders.Product {
	p := func(sku, en, zh, cat, unit, price string, stock int, std bool, opts ...orders.Option) orders.Product {
		return orders.Product{SKU: sku, NameEN: en, NameZH: zh, Category: cat, Unit: unit, Price: decimal.RequireFromString(price),
			OnHand: stock, Standard: std, Options: opts, Active: true}
	}
	o := func(name string, values ...string) orders.Option { return orders.Option{Name: name, Values: values} }
	return []orders.Product{
		p("CHAIR-100", "Office chair Classic", "经典办公椅", "chairs", "pcs", "299.00", 500, true, o("colour", "black", "grey", "blue")),
		p("CHAIR-200", "Training chair with writing board", "培训椅（带写字板）", "chairs", "pcs", "389.00", 120, true, o("colour", "black", "grey"), o("writing_board", "yes", "no")),
		p("CHAIR-300", "Executive chair", "大班椅", "chairs", "pcs", "1280.00", 8, true, o("colour", "black", "brown")),
		p("DESK-CUSTOM", "Custom conference table", "定制会议桌", "furniture", "set", "8800.00", 0, false, o("material", "oak", "walnut")),
		p("PHONE-X1", "Phone X1 128GB", "X1 手机 128GB", "phones", "pcs", "2499.00", 60, true, o("colour", "black", "white", "green")),
		p("PHONE-X1P", "Phone X1 Pro 256GB", "X1 Pro 手机 256GB", "phones", "pcs", "3999.00", 15, true, o("colour", "black", "silver")),
		p("TSHIRT-01", "Cotton T-shirt", "纯棉T恤", "clothing", "pcs", "59.90", 300, true, o("colour", "white", "black", "navy"), o("size", "S", "M", "L", "XL")),
		p("JACKET-02", "Work jacket", "工装夹克", "clothing", "pcs", "189.00", 40, true, o("colour", "khaki", "black"), o("size", "M", "L", "XL")),
		p("SPARE-SCREWS", "Screw set", "螺丝包", "parts", "set", "5.00", 5000, true),
		p("SPARE-CASTER", "Caster wheel", "脚轮", "parts", "pcs", "8.00", 3000, true),
		p("SPARE-GASLIFT", "Gas lift", "气杆", "parts", "pcs", "25.00", 1000, true),
		p("SPARE-BOARDLINK", "Writing-board connector", "写字板连接件", "parts", "pcs", "6.00", 1000, true),
	}
}

func testMethods() []orders.PaymentMethod { return orders.DefaultRules().PaymentMethods }

// testParser is the parser of the test catalog, with the synonyms and labels a desk would
// configure, the default rules' calendar and Shanghai time.
func testParser() *Parser {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return New(Config{
		Products: testProducts(),
		Synonyms: map[string][]string{
			"CHAIR-100":     {"办公椅", "椅子", "office chair", "chair", "经典椅"},
			"CHAIR-200":     {"培训椅", "写字板椅", "training chair"},
			"CHAIR-300":     {"老板椅", "boss chair", "大班椅子"},
			"DESK-CUSTOM":   {"会议桌", "会议台", "conference table", "meeting table"},
			"TSHIRT-01":     {"T恤", "t恤衫", "tee", "t-shirt", "tshirt"},
			"JACKET-02":     {"夹克", "工作服", "jacket"},
			"SPARE-SCREWS":  {"螺丝", "screws"},
			"SPARE-CASTER":  {"轮子", "caster", "wheel"},
			"SPARE-GASLIFT": {"气压杆", "gas spring"},
		},
		Categories: map[string][]string{
			"chairs":    {"椅子", "椅", "chair"},
			"furniture": {"家具", "桌子", "table"},
			"phones":    {"手机", "phone"},
			"clothing":  {"服装", "衣服", "clothes"},
			"parts":     {"配件", "零件", "spare parts", "parts"},
		},
		ValueLabels: map[string][]string{
			"black": {"黑色"}, "grey": {"灰色"}, "blue": {"蓝色"}, "brown": {"棕色"}, "white": {"白色"}, "green": {"绿色"},
			"silver": {"银色"}, "navy": {"藏青色"}, "khaki": {"卡其色"}, "oak": {"橡木"}, "walnut": {"胡桃木"},
			"writing_board=yes": {"带写字板"}, "writing_board=no": {"不带写字板"},
		},
		OptionLabels:   map[string][]string{"colour": {"颜色"}, "writing_board": {"写字板"}, "material": {"材质"}, "size": {"尺码"}},
		PaymentMethods: testMethods(),
		MaxQuantity:    100000,
		Location:       loc,
		Calendar:       orders.DefaultRules(),
	})
}

// testNow is Friday 27 November 2026, 10:00 in Shanghai.
var testNow = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

var testToday = orders.Date{Year: 2026, Month: 11, Day: 27}
