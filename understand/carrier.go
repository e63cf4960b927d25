package understand

import (
	"strings"
)

// Carrier is a shipping company and the names people call it by.
type Carrier struct {
	Code    string   // a stable code, like "sf"
	EN, ZH  string   // its name in each language
	Aliases []string // other names, in any language (顺丰, SF, shunfeng)
}

// DefaultCarriers are the common Chinese express carriers.
func DefaultCarriers() []Carrier {
	return []Carrier{
		{Code: "sf", EN: "SF Express", ZH: "顺丰速运", Aliases: []string{"顺丰", "顺丰快递", "顺丰速递", "sf", "shunfeng"}},
		{Code: "zto", EN: "ZTO Express", ZH: "中通快递", Aliases: []string{"中通", "zto"}},
		{Code: "yto", EN: "YTO Express", ZH: "圆通速递", Aliases: []string{"圆通", "圆通快递", "yto"}},
		{Code: "sto", EN: "STO Express", ZH: "申通快递", Aliases: []string{"申通", "sto"}},
		{Code: "yunda", EN: "Yunda Express", ZH: "韵达快递", Aliases: []string{"韵达", "yunda"}},
		{Code: "jd", EN: "JD Logistics", ZH: "京东物流", Aliases: []string{"京东", "京东快递", "jd", "jdl", "jingdong"}},
		{Code: "ems", EN: "EMS", ZH: "中国邮政EMS", Aliases: []string{"ems", "邮政", "中国邮政", "邮政ems", "china post"}},
		{Code: "deppon", EN: "Deppon Logistics", ZH: "德邦物流", Aliases: []string{"德邦", "德邦快递", "deppon"}},
		{Code: "jt", EN: "J&T Express", ZH: "极兔速递", Aliases: []string{"极兔", "j&t", "jt express", "jandt"}},
		{Code: "dhl", EN: "DHL", ZH: "DHL", Aliases: []string{"dhl"}},
		{Code: "fedex", EN: "FedEx", ZH: "联邦快递", Aliases: []string{"fedex", "联邦"}},
		{Code: "ups", EN: "UPS", ZH: "UPS", Aliases: []string{"ups"}},
	}
}

// Name returns the carrier's name in lang ("zh" or "en").
func (c Carrier) Name(lang string) string {
	if lang == "zh" && c.ZH != "" {
		return c.ZH
	}
	return c.EN
}

// Shipment is a carrier and tracking number understood from text.
type Shipment struct {
	// Carrier is the known carrier named, or the zero Carrier when none is known.
	Carrier Carrier
	// CarrierText is the carrier as typed when it is not a known one (a local company),
	// else "".
	CarrierText string
	// Tracking is the tracking number, upper-cased, or "" when none was given.
	Tracking string
}

// Shipment reads a carrier and/or a tracking number: 顺丰 SF1234567890, SF Express
// SF1234567890, 中通 75312345678901, 这个订单发货了，顺丰 SF1234567890, 运单号SF1234567890.
// A tracking number starting with SF means SF Express even without its name.
func (p *Parser) Shipment(s string) Shipment {
	return findShipment(norm(s), fold(strings.TrimSpace(s)), p.carriers)
}
