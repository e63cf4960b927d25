package documents

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
)

// DemoOrder is a fixed order with lines in both languages, a complimentary line, a
// deposit, a shipment and payments: the documents' tests, benchmark and sample pages are
// made from it. Its lines hold the catalog's names in both languages as a placed order
// keeps them (product, unit and option values; size M has no Chinese name). lang is the
// customer's language; lines is the number of product lines (at least 1).
func DemoOrder(lang string, lines int) (orders.Order, []orders.Payment) {
	loc := time.FixedZone("CST", 8*3600)
	created := time.Date(2026, 12, 1, 10, 30, 0, 0, loc)
	type product struct {
		sku, en, zh, unit, unitZH, variant, variantZH string
		price                                         string
		stock                                         bool
	}
	catalog := []product{
		{"CH-ERGO-01", "Ergonomic office chair", "人体工学办公椅", "pc", "把", "colour=black;size=M", "colour=黑色;size=M", "680", false},
		{"DSK-LIFT-14", "Electric standing desk 1.4 m", "电动升降桌 1.4米", "pc", "张", "colour=white", "colour=白色", "1450", true},
		{"CAB-3D", "Three-drawer mobile cabinet", "三抽活动柜", "pc", "个", "colour=grey", "colour=灰色", "320.5", true},
		{"CH-TRAIN-02", "Training chair with writing board", "带写字板培训椅", "pc", "把", "colour=blue;writing_board=yes",
			"colour=蓝色;writing_board=要", "215", false},
	}
	o := orders.Order{
		ID: 1, Number: "SO-20261201-0001", Status: orders.StatusShipped, PaymentStatus: orders.PaymentDepositPaid,
		Customer: orders.Customer{TelegramID: 4242, Name: "王建国", Phone: "+86 138 0000 1234",
			Company: "深圳前海科技有限公司", Language: lang},
		DeliveryAddress: "广东省深圳市南山区科技园南路 18 号 5 楼",
		WantedDate:      orders.Date{Year: 2026, Month: 12, Day: 18},
		PromisedDate:    orders.Date{Year: 2026, Month: 12, Day: 18},
		EstimatedDate:   orders.Date{Year: 2026, Month: 12, Day: 16},
		PaymentMethod:   "bank_transfer",
		Notes:           "请在工作日送货 / deliver on a working day",
		Source:          "customer",
		CreatedAt:       created,
		ApprovedAt:      created.Add(time.Hour),
		Carrier:         "顺丰速运",
		Tracking:        "SF1234567890",
		Rep:             7,
		History: []orders.HistoryEntry{
			{To: orders.StatusPendingReview, At: created},
			{From: orders.StatusInProduction, To: orders.StatusShipped, At: created.AddDate(0, 0, 15)},
		},
	}
	for i := range lines {
		p := catalog[i%len(catalog)]
		sku := p.sku
		if i >= len(catalog) {
			sku = fmt.Sprintf("%s-%02d", p.sku, i/len(catalog))
		}
		o.Lines = append(o.Lines, orders.Line{SKU: sku, Name: p.en, NameZH: p.zh,
			Variant: orders.Variant(p.variant), VariantZH: orders.Variant(p.variantZH),
			Quantity: 10 + 5*i, Unit: p.unit, UnitZH: p.unitZH, UnitPrice: decimal.RequireFromString(p.price), FromStock: p.stock})
	}
	o.Lines = append(o.Lines, orders.Line{SKU: "SPARE-CASTER", Name: "Spare casters", NameZH: "备用脚轮",
		Quantity: 5, Unit: "set", UnitZH: "套", UnitPrice: decimal.RequireFromString("12"), Complimentary: true, FromStock: true})
	for _, l := range o.Lines {
		o.Total = o.Total.Add(l.Amount())
	}
	o.DepositDue = o.Total.Mul(decimal.NewFromInt(30)).Div(decimal.NewFromInt(100)).Round(2)
	payments := []orders.Payment{
		{Amount: o.DepositDue, Method: "bank_transfer", Actor: "rep:7", At: created.Add(26 * time.Hour)},
		{Amount: decimal.RequireFromString("1000"), Method: "wechat_pay", Actor: "rep:7", At: created.AddDate(0, 0, 10)},
	}
	o.Paid = o.DepositDue.Add(decimal.RequireFromString("1000"))
	return o, payments
}
