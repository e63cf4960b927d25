package understand

import (
	"regexp"
	"strings"
)

// reTracking is a tracking number: letters and digits, at least 8 characters with at
// least 6 digits (SF1234567890, 75312345678901, JD0012345678901).
var reTracking = regexp.MustCompile(`(?i)\b([a-z]{0,4}\d{6,20}[a-z]{0,2})\b`)

func findShipment(low, orig string, carriers []Carrier) Shipment {
	var sh Shipment
	// The tracking number: the longest fitting token that is not a phone number.
	best := ""
	for _, m := range reTracking.FindAllStringSubmatchIndex(low, -1) {
		t := low[m[2]:m[3]]
		digits := 0
		for i := 0; i < len(t); i++ {
			if isDigit(t[i]) {
				digits++
			}
		}
		if len(t) < 8 || digits < 6 {
			continue
		}
		if len(t) > len(best) {
			best = t
		}
	}
	sh.Tracking = strings.ToUpper(best)
	// The carrier: the longest alias or name found in the text.
	bestLen := 0
	rest := low
	if best != "" {
		rest = strings.Replace(low, best, " ", 1)
	}
	for _, c := range carriers {
		for _, l := range append([]string{c.Code, c.EN, c.ZH}, c.Aliases...) {
			l = lowerASCII(fold(l))
			if l == "" || len(l) <= bestLen {
				continue
			}
			i := strings.Index(rest, l)
			if i < 0 {
				continue
			}
			e := i + len(l)
			if isLetter(l[0]) && i > 0 && isLetter(rest[i-1]) || isLetter(l[len(l)-1]) && e < len(rest) && isLetter(rest[e]) {
				continue
			}
			sh.Carrier, bestLen = c, len(l)
		}
	}
	if sh.Carrier.Code == "" && strings.HasPrefix(sh.Tracking, "SF") {
		for _, c := range carriers {
			if c.Code == "sf" {
				sh.Carrier = c
			}
		}
	}
	if sh.Carrier.Code == "" {
		// An unknown carrier: what is left once the tracking number and the words around
		// it are gone, when it is short enough to be a name.
		t := rest
		for _, w := range shipWords {
			t = strings.ReplaceAll(t, w, " ")
		}
		t = trimPunct(strings.Join(strings.Fields(t), " "))
		if t != "" && len([]rune(t)) <= 20 && strings.IndexFunc(t, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
			// Take the same span from the original text, to keep its case.
			if i := strings.Index(lowerASCII(orig), t); i >= 0 {
				sh.CarrierText = orig[i : i+len(t)]
			} else {
				sh.CarrierText = t
			}
		}
	}
	return sh
}

var shipWords = []string{"这个订单", "该订单", "订单", "已经", "已", "发货了", "发货", "发出", "寄出", "发了", "运单号码", "运单号", "快递单号", "物流单号", "单号", "用", "走", "是", ":", ",", "了",
	"tracking number", "tracking no", "tracking", "shipped with", "shipped via", "shipped by", "shipped", "ship", "via", "carrier", "number", "no.", "the order", "order", "has been", "is", "was", "with", "by"}
