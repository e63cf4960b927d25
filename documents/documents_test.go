package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// squash drops spaces and line breaks, which text extraction places as it likes.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

func render(t testing.TB, in Input) []byte {
	t.Helper()
	loc := time.FixedZone("CST", 8*3600)
	data, err := NewRenderer(orders.DefaultRules(), loc).Render(in)
	if err != nil {
		t.Fatalf("render %s/%s: %v", in.Kind, in.Lang, err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("render %s/%s: not a PDF", in.Kind, in.Lang)
	}
	return data
}

func fixedInput(kind, lang string) Input {
	o, payments := DemoOrder(lang, 4)
	in := Input{Kind: kind, Lang: lang, Order: o, Version: 1, Payments: payments,
		Issued: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	if kind == orders.DocConfirmation {
		in.Version = 2
		in.Acceptance = &orders.Acceptance{Name: "王建国", TelegramID: 4242, At: time.Date(2026, 12, 2, 8, 15, 0, 0, time.UTC), Key: "u:918273"}
		sum := sha256.Sum256([]byte("version 1"))
		in.AcceptedSHA256 = hex.EncodeToString(sum[:])
	}
	return in
}

// Every document, in both languages, holds what its reader looks for, as text that a PDF
// reader extracts as the same characters.
func TestDocumentsHoldTheirText(t *testing.T) {
	for _, kind := range orders.DocumentKinds {
		for _, lang := range []string{i18n.ZH, i18n.EN} {
			t.Run(kind+"/"+lang, func(t *testing.T) {
				in := fixedInput(kind, lang)
				text := squash(extract(t, render(t, in)))
				o := in.Order
				want := []string{o.Number, i18n.T(lang, "doc.title."+kind)}
				for _, l := range o.Lines {
					want = append(want, l.SKU, l.DisplayName(lang), l.UnitName(lang))
					want = append(want, l.VariantLabels(lang)...)
				}
				want = append(want, o.Customer.Name, o.Customer.Company)
				switch kind {
				case orders.DocConfirmation:
					want = append(want, i18n.Money("¥", o.Total), i18n.Money("¥", o.DepositDue), in.AcceptedSHA256, "u:918273",
						orders.Pick(lang, "Orderbot Demo Furniture Co., Ltd.", "演示家具有限公司"), "91440600MA00000000")
					if lang == i18n.ZH {
						want = append(want, ChineseCapital(o.Total), "合计人民币（大写）", "卖方（签字并盖章）", "争议由双方协商解决")
					} else {
						want = append(want, "Buyer (signature and company seal)", "Disputes are settled by negotiation")
					}
				case orders.DocDeliveryNote:
					want = append(want, o.Carrier, o.Tracking, i18n.T(lang, "doc.ship.receiver"))
				case orders.DocStatement:
					balance := o.Total.Sub(o.Paid)
					want = append(want, i18n.Money("¥", o.Total), i18n.Money("¥", balance), i18n.Money("¥", o.DepositDue),
						i18n.T(lang, "doc.stmt.not_invoice"))
					if lang == i18n.ZH {
						want = append(want, ChineseCapital(o.Total), ChineseCapital(balance), "微信支付", "不是增值税发票")
					} else {
						want = append(want, "WeChat Pay", "not a tax invoice (fapiao)")
					}
				case orders.DocProductionSchedule:
					want = append(want, i18n.T(lang, "doc.prod.produce"))
				}
				for _, w := range want {
					if !strings.Contains(text, squash(w)) {
						t.Errorf("the extracted text lacks %q", w)
					}
				}
				if lang == i18n.EN && kind != orders.DocProductionSchedule {
					if strings.Contains(text, "大写") {
						t.Errorf("the English %s holds Chinese labels", kind)
					}
				}
			})
		}
	}
}

// catalogWordsEN are the English words of the catalog the order's lines carry, each with
// the Chinese name a Chinese reader must see instead: product names, units, option values
// and the name of a yes-or-no option.
func catalogWordsEN(o orders.Order) map[string]string {
	words := map[string]string{}
	for _, l := range o.Lines {
		words[l.Name] = l.NameZH
		words[l.Unit] = l.UnitZH
		en, zh := l.VariantLabels(i18n.EN), l.VariantLabels(i18n.ZH)
		for i := range en {
			if en[i] != zh[i] {
				words[en[i]] = zh[i]
			}
		}
		if strings.Contains(string(l.Variant), "writing_board=") {
			words[i18n.T(i18n.EN, "option.writing_board")] = i18n.T(i18n.ZH, "option.writing_board")
		}
	}
	return words
}

// hasWord reports whether text holds w as a word (not inside a longer run of letters),
// ignoring case.
func hasWord(text, w string) bool {
	return regexp.MustCompile(`(?i)(^|[^\p{Latin}])` + regexp.QuoteMeta(w) + `($|[^\p{Latin}])`).MatchString(text)
}

// A Chinese document names what was ordered in Chinese: the products, their units and
// option values as the catalog names them in Chinese (kept with the order's lines), and no
// English word of the catalog is left. The same words are found in the English document,
// so the check finds them where they are.
func TestChineseDocumentsHaveNoEnglishCatalogWords(t *testing.T) {
	for _, kind := range orders.DocumentKinds {
		t.Run(kind, func(t *testing.T) {
			zh := extract(t, render(t, fixedInput(kind, i18n.ZH)))
			en := extract(t, render(t, fixedInput(kind, i18n.EN)))
			words := catalogWordsEN(fixedInput(kind, i18n.ZH).Order)
			if len(words) < 8 {
				t.Fatalf("only %d catalog words to look for: %v", len(words), words)
			}
			for w, chinese := range words {
				if hasWord(zh, w) {
					t.Errorf("the Chinese %s holds the English catalog word %q (its Chinese name is %q)", kind, w, chinese)
				}
				if !strings.Contains(squash(zh), squash(chinese)) {
					t.Errorf("the Chinese %s lacks %q", kind, chinese)
				}
				if !hasWord(en, w) && !strings.Contains(squash(en), squash(w)) {
					t.Errorf("the English %s lacks %q: the check would not see it", kind, w)
				}
			}
			// A yes-or-no option reads with its name.
			if !strings.Contains(squash(zh), "写字板：要") || !strings.Contains(squash(en), squash("writing board: yes")) {
				t.Errorf("the writing board option is not named: %q", squash(zh))
			}
		})
	}
}

// The extraction check is not vacuous: text drawn in a font without a Unicode map for it
// would not come back, and a label that is not in the PDF is not found.
func TestExtractionTellsMissingText(t *testing.T) {
	text := squash(extract(t, render(t, fixedInput(orders.DocConfirmation, i18n.ZH))))
	for _, absent := range []string{"订单确认书（采购合同）", "SO-20261201-0002", ChineseCapital(decimal.RequireFromString("1"))} {
		if strings.Contains(text, absent) {
			t.Errorf("found %q, which the document does not hold", absent)
		}
	}
}

// The same input gives the same bytes: what is archived can be made again identically.
func TestRenderIsDeterministic(t *testing.T) {
	for _, kind := range orders.DocumentKinds {
		a := render(t, fixedInput(kind, i18n.ZH))
		b := render(t, fixedInput(kind, i18n.ZH))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders of one input differ", kind)
		}
	}
}

// An amended confirmation says so, and why.
func TestAmendedConfirmation(t *testing.T) {
	in := fixedInput(orders.DocConfirmation, i18n.EN)
	in.Acceptance, in.AcceptedSHA256, in.Version = nil, "", 3
	in.Amended, in.AmendedNote = true, "change request no. 12 approved"
	text := squash(extract(t, render(t, in)))
	for _, w := range []string{"(Amended)", "change request no. 12 approved", "v3"} {
		if !strings.Contains(text, squash(w)) {
			t.Errorf("the amended confirmation lacks %q", w)
		}
	}
}

// A long order flows onto more pages, each with its footer.
func TestLongOrderPages(t *testing.T) {
	o, _ := DemoOrder(i18n.ZH, 80)
	data := render(t, Input{Kind: orders.DocConfirmation, Lang: i18n.ZH, Order: o, Version: 1, Issued: o.CreatedAt})
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if r.NumPage() < 3 {
		t.Fatalf("%d pages for 80 lines", r.NumPage())
	}
	text := squash(extract(t, data))
	for _, l := range o.Lines {
		if !strings.Contains(text, l.SKU) {
			t.Errorf("line %s is missing", l.SKU)
		}
	}
	if !strings.Contains(text, squash("第3页，共")) {
		t.Errorf("no footer on page 3")
	}
}

func TestRenderRefusesBadInput(t *testing.T) {
	r := NewRenderer(orders.DefaultRules(), nil)
	o, _ := DemoOrder(i18n.EN, 1)
	if _, err := r.Render(Input{Kind: "invoice", Order: o}); err == nil {
		t.Error("an unknown kind was rendered")
	}
	if _, err := r.Render(Input{Kind: orders.DocStatement}); err == nil {
		t.Error("an order without a number was rendered")
	}
}
