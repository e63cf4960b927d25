package orders

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

const testHeader = "sku,name_en,name_zh,category,unit,price,stock,standard,options\n"

func TestParseCatalogCSV(t *testing.T) {
	file := testHeader +
		"CH-100,Office chair,办公椅,chairs,pcs,199.00,25,true,colour=black|grey;size=S|M|L\n" +
		"SPARE-SCREWS,Screw set,螺丝套装,spares,set,0,1000,TRUE,\n" +
		`DESK-1,"Desk, oak",,desks,pcs,1250.5,0,false,` + "\n" +
		"\n" + // blank lines are skipped
		"  TBL-9 , ,折叠桌 , tables , pcs , 12 , 3 , false , finish = oak | walnut \n"
	got, err := ParseCatalogCSV(strings.NewReader(file))
	if err != nil {
		t.Fatalf("ParseCatalogCSV: %v", err)
	}
	want := []Product{
		{SKU: "CH-100", NameEN: "Office chair", NameZH: "办公椅", Category: "chairs", Unit: "pcs",
			Price: decimal.RequireFromString("199.00"), OnHand: 25, Standard: true, Active: true,
			Options: []Option{{Name: "colour", Values: []string{"black", "grey"}}, {Name: "size", Values: []string{"S", "M", "L"}}}},
		{SKU: "SPARE-SCREWS", NameEN: "Screw set", NameZH: "螺丝套装", Category: "spares", Unit: "set",
			Price: decimal.Zero, OnHand: 1000, Standard: true, Active: true},
		{SKU: "DESK-1", NameEN: "Desk, oak", Category: "desks", Unit: "pcs",
			Price: decimal.RequireFromString("1250.5"), Active: true},
		{SKU: "TBL-9", NameZH: "折叠桌", Category: "tables", Unit: "pcs",
			Price: decimal.NewFromInt(12), OnHand: 3, Active: true,
			Options: []Option{{Name: "finish", Values: []string{"oak", "walnut"}}}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d products, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Price.Equal(w.Price) {
			t.Errorf("product %d price = %s, want %s", i, g.Price, w.Price)
		}
		g.Price, w.Price = decimal.Zero, decimal.Zero
		if !reflect.DeepEqual(g, w) {
			t.Errorf("product %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestParseCatalogCSVAccepts(t *testing.T) {
	tests := []struct {
		name  string
		input string
		n     int
	}{
		{"BOM-prefixed header", "\uFEFF" + testHeader + "A,Chair,,c,pcs,1.50,1,true,\n", 1},
		{"BOM before a quoted header field", "\uFEFF\"sku\"" + testHeader[3:] + "A,Chair,,c,pcs,1.50,1,true,\n", 1},
		{"header only", testHeader, 0},
		{"CRLF line ends", strings.ReplaceAll(testHeader+"A,Chair,,c,pcs,1,1,false,\n", "\n", "\r\n"), 1},
		{"no final newline", testHeader + "A,Chair,,c,pcs,1,1,false,", 1},
		{"only the Chinese name", testHeader + "A,,椅子,c,pcs,1,1,false,\n", 1},
		{"SKU of 64 characters", testHeader + strings.Repeat("S", 64) + ",Chair,,c,pcs,1,1,false,\n", 1},
		{"largest price", testHeader + "A,Chair,,c,pcs,9999999999.99,1,false,\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCatalogCSV(strings.NewReader(tt.input))
			if err != nil {
				t.Fatalf("ParseCatalogCSV: %v", err)
			}
			if len(got) != tt.n {
				t.Fatalf("got %d products, want %d", len(got), tt.n)
			}
		})
	}
}

func TestParseCatalogCSVRejects(t *testing.T) {
	row := func(fields ...string) string { return strings.Join(fields, ",") + "\n" }
	good := row("CH-1", "Chair", "椅子", "chairs", "pcs", "10.00", "5", "true", "")
	tests := []struct {
		name      string
		input     string
		wantLine  int
		wantField string
		reason    string // a part of the reason
	}{
		{"empty file", "", 1, "header", "empty"},
		{"only a BOM", "\uFEFF", 1, "header", "empty"},
		{"wrong header order", "name_en,sku,name_zh,category,unit,price,stock,standard,options\n" + good, 1, "sku", `column 1 must be "sku"`},
		{"unknown column", strings.TrimSuffix(testHeader, "\n") + ",colour\n" + good, 1, "colour", "unknown column"},
		{"unknown column instead of a known one", "sku,name,name_zh,category,unit,price,stock,standard,options\n" + good, 1, "name", "unknown column"},
		{"missing column", "sku,name_en,name_zh,category,unit,price,stock,standard\n" + good, 1, "options", "missing column"},
		{"duplicate column", strings.TrimSuffix(testHeader, "\n") + ",sku\n" + good, 1, "sku", "twice"},
		{"header without names", "\n\n" + testHeader[:len(testHeader)-1] + ",\n" + good, 3, "column 10", "no name"},
		{"header not a header", good + good, 1, "CH-1", "unknown column"},
		{"data line with too few fields", testHeader + good + "CH-2,Chair,椅子,chairs,pcs,10.00,5,true\n", 3, "options", "8 fields"},
		{"data line with too many fields", testHeader + "CH-2,Chair, big,椅子,chairs,pcs,10.00,5,true,\n", 2, "field 10", "10 fields"},
		{"price with three decimals", testHeader + row("CH-1", "Chair", "", "c", "pcs", "12.345", "1", "true", ""), 2, "price", "2 decimal places"},
		{"price not a number", testHeader + row("CH-1", "Chair", "", "c", "pcs", "abc", "1", "true", ""), 2, "price", "not a number"},
		{"negative price", testHeader + row("CH-1", "Chair", "", "c", "pcs", "-1", "1", "true", ""), 2, "price", "negative"},
		{"price with exponent", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1e3", "1", "true", ""), 2, "price", "not a number"},
		{"price with comma", testHeader + row("CH-1", "Chair", "", "c", "pcs", `"12,50"`, "1", "true", ""), 2, "price", "not a number"},
		{"price too large", testHeader + row("CH-1", "Chair", "", "c", "pcs", "10000000000", "1", "true", ""), 2, "price", "too large"},
		{"empty price", testHeader + row("CH-1", "Chair", "", "c", "pcs", "", "1", "true", ""), 2, "price", "empty"},
		{"negative stock", testHeader + good + row("CH-2", "Chair", "", "c", "pcs", "1", "-3", "true", ""), 3, "stock", "negative"},
		{"fractional stock", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2.5", "true", ""), 2, "stock", "whole number"},
		{"stock too large", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "99999999999", "true", ""), 2, "stock", "too large"},
		{"standard not a boolean", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "yes", ""), 2, "standard", "true nor false"},
		{"duplicate SKU", testHeader + good + row("CH-2", "Desk", "", "c", "pcs", "1", "2", "true", "") + good, 4, "sku", "first on line 2"},
		{"empty SKU", testHeader + row("", "Chair", "", "c", "pcs", "1", "2", "true", ""), 2, "sku", "empty"},
		{"SKU with a space", testHeader + row("CH 1", "Chair", "", "c", "pcs", "1", "2", "true", ""), 2, "sku", "space"},
		{"SKU too long", testHeader + row(strings.Repeat("S", 65), "Chair", "", "c", "pcs", "1", "2", "true", ""), 2, "sku", "longer than 64"},
		{"no name", testHeader + row("CH-1", "", " ", "c", "pcs", "1", "2", "true", ""), 2, "name_en", "needs a name"},
		{"bad UTF-8 in a name", testHeader + good + row("CH-2", "Ch\xffir", "", "c", "pcs", "1", "2", "true", ""), 3, "name_en", "UTF-8"},
		{"bad UTF-8 in the header", "sku,name_en\xff,name_zh,category,unit,price,stock,standard,options\n", 1, "column 2", "UTF-8"},
		{"name with a line break", testHeader + row("CH-1", "\"Chair\nbig\"", "", "c", "pcs", "1", "2", "true", ""), 2, "name_en", "control character"},
		{"option without values", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "true", "colour"), 2, "options", "no values"},
		{"option without name", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "true", "=black"), 2, "options", "no name"},
		{"option with an empty value", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "true", "colour=black||grey"), 2, "options", "empty value"},
		{"duplicate option", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "true", "size=S;size=M"), 2, "options", "twice"},
		{"duplicate option value", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "true", "size=S|S"), 2, "options", "twice"},
		{"empty option", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "true", "size=S;"), 2, "options", "empty"},
		{"value with equals sign", testHeader + row("CH-1", "Chair", "", "c", "pcs", "1", "2", "true", "size=S=M"), 2, "options", `"="`},
		{"bare quote", testHeader + `CH-1,Chair "big",,c,pcs,1,2,true,` + "\n", 2, "column 12", "quote"},
		{"multi-line field moves the line", testHeader + "CH-1,\"Chair\",\"a\nb\",c,pcs,1,2,true,\n" + row("CH-2", "Chair", "", "c", "pcs", "x", "2", "true", ""), 2, "name_zh", "control character"},
		{"line after a multi-line field", testHeader + "CH-1,Chair,\"椅\",c,\"p\ncs\",1,2,true,\n" + row("CH-2", "Chair", "", "c", "pcs", "x", "2", "true", ""), 2, "unit", "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCatalogCSV(strings.NewReader(tt.input))
			if err == nil {
				t.Fatalf("ParseCatalogCSV succeeded with %d products, want an error", len(got))
			}
			if got != nil {
				t.Errorf("ParseCatalogCSV returned %d products with its error", len(got))
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			if ve.Line != tt.wantLine || ve.Field != tt.wantField {
				t.Errorf("error %q: line %d field %q, want line %d field %q", err, ve.Line, ve.Field, tt.wantLine, tt.wantField)
			}
			if !strings.Contains(ve.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", ve.Reason, tt.reason)
			}
		})
	}
}

func FuzzParseCatalogCSV(f *testing.F) {
	f.Add(testHeader + "CH-100,Office chair,办公椅,chairs,pcs,199.00,25,true,colour=black|grey;size=S|M|L\n")
	f.Add("\uFEFF" + testHeader + "A,,椅,c,pcs,0.5,0,false,\n")
	f.Add(testHeader + "A,B,,c,pcs,12.345,1,true,\nA,B,,c,pcs,1,1,true,\n")
	f.Add(testHeader + "\"A\",\"B\"\"\",\"\n\",c,pcs,-1,x,maybe,a=|b\n")
	f.Add(testHeader + "A,B\xff,,c,pcs,1,1,true,;;\n")
	f.Add("")
	f.Add(testHeader[:len(testHeader)-1] + ",unit_zh\n" + "CH-100,Office chair,办公椅,chairs,pcs,199.00,25,true,colour=black:黑色|grey:灰色;size=S|M,把\n")
	f.Add(testHeader + "A,B,,c,pcs,1,1,true,colour=black:黑色|grey:黑色\n")
	f.Add(testHeader[:len(testHeader)-1] + ",unit_zh,unit_zh\n" + "A,B,,c,pcs,1,1,true,a=x:|y:,件,件\n")
	f.Add(testHeader + "A,B,,c,pcs,1,1,true,a=x:甲:乙|Y:y\n")
	f.Add(testHeader + "0,0,,0,0,0,0,true,0=0:乙:1\n")
	f.Fuzz(func(t *testing.T, input string) {
		ps, err := ParseCatalogCSV(strings.NewReader(input))
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
			}
			if ve.Line < 1 || ve.Field == "" || ve.Reason == "" {
				t.Fatalf("incomplete error %#v", ve)
			}
			if ps != nil {
				t.Fatalf("products returned with an error")
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range ps {
			if reason := invalidProduct(p); reason != "" {
				t.Fatalf("invalid product %+v: %s", p, reason)
			}
			if seen[p.SKU] {
				t.Fatalf("SKU %q returned twice", p.SKU)
			}
			seen[p.SKU] = true
		}
	})
}

// invalidProduct checks a parsed product independently of the parser's own code.
func invalidProduct(p Product) string {
	for _, s := range []string{p.SKU, p.NameEN, p.NameZH, p.Category, p.Unit, p.UnitZH} {
		if !utf8.ValidString(s) {
			return "invalid UTF-8"
		}
	}
	switch {
	case !p.Active:
		return "not active"
	case p.SKU == "" || strings.IndexFunc(p.SKU, unicode.IsSpace) >= 0 || utf8.RuneCountInString(p.SKU) > 64:
		return "bad SKU"
	case p.NameEN == "" && p.NameZH == "":
		return "no name"
	case p.Price.IsNegative() || !p.Price.Equal(p.Price.Round(2)):
		return "bad price"
	case p.Price.GreaterThan(decimal.RequireFromString("9999999999.99")):
		return "price out of range"
	case p.OnHand < 0 || p.Reserved != 0:
		return "bad stock"
	}
	names := map[string]bool{}
	for _, o := range p.Options {
		if o.Name == "" || names[o.Name] || len(o.Values) == 0 || !utf8.ValidString(o.Name) {
			return "bad option name"
		}
		names[o.Name] = true
		values := map[string]bool{}
		for _, v := range o.Values {
			if v == "" || values[v] || strings.ContainsAny(v, "=;|:") || !utf8.ValidString(v) {
				return "bad option value"
			}
			values[v] = true
			// Every spelling of a value, in either language, means that value.
			if got, ok := o.Match(v); !ok || got != v {
				return "a value does not match itself"
			}
			if zh, ok := o.ZH[v]; ok {
				if zh == "" || strings.ContainsAny(zh, "=;|:") || !utf8.ValidString(zh) {
					return "bad Chinese name"
				}
				if got, ok := o.Match(zh); !ok || got != v {
					return "a Chinese name does not match its value"
				}
				if o.Label(v, "zh") != zh {
					return "labels differ from the file"
				}
			}
			wantEN := v
			if en, ok := o.EN[v]; ok {
				if en == "" || strings.ContainsAny(en, "=;|:") || !utf8.ValidString(en) {
					return "bad English name"
				}
				if got, ok := o.Match(en); !ok || got != v {
					return "an English name does not match its value"
				}
				wantEN = en
			}
			if o.Label(v, "en") != wantEN {
				return "labels differ from the file"
			}
		}
		for v := range o.ZH {
			if !values[v] {
				return "a Chinese name of no value"
			}
		}
		for v := range o.EN {
			if !values[v] {
				return "an English name of no value"
			}
		}
	}
	return ""
}

// The catalog's Chinese extensions: a unit_zh column after the required ones and Chinese
// names of option values after a colon. Today's files stay valid (the tests above).
func TestParseCatalogCSVChinese(t *testing.T) {
	file := strings.TrimSuffix(testHeader, "\n") + ",unit_zh\n" +
		"CH-200,Training chair,培训椅,chairs,pcs,389.00,120,true,colour=black:黑色|grey:灰色|blue;writing_board=yes:带写字板|no:不带写字板,把\n" +
		"SPARE-SCREWS,Screw set,螺丝包,parts,set,5.00,5000,true,,\n"
	got, err := ParseCatalogCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []Product{
		{SKU: "CH-200", NameEN: "Training chair", NameZH: "培训椅", Category: "chairs", Unit: "pcs", UnitZH: "把",
			Price: decimal.RequireFromString("389"), OnHand: 120, Standard: true, Active: true,
			Options: []Option{
				{Name: "colour", Values: []string{"black", "grey", "blue"}, ZH: map[string]string{"black": "黑色", "grey": "灰色"}},
				{Name: "writing_board", Values: []string{"yes", "no"}, ZH: map[string]string{"yes": "带写字板", "no": "不带写字板"}},
			}},
		{SKU: "SPARE-SCREWS", NameEN: "Screw set", NameZH: "螺丝包", Category: "parts", Unit: "set",
			Price: decimal.RequireFromString("5"), OnHand: 5000, Standard: true, Active: true},
	}
	for i := range want {
		g, w := got[i], want[i]
		g.Price, w.Price = decimal.Zero, decimal.Zero
		if !reflect.DeepEqual(g, w) {
			t.Errorf("product %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	p := got[0]
	if p.UnitName("zh") != "把" || p.UnitName("en") != "pcs" || got[1].UnitName("zh") != "set" {
		t.Errorf("units: %q %q %q", p.UnitName("zh"), p.UnitName("en"), got[1].UnitName("zh"))
	}
	colour := p.Options[0]
	if l := colour.Labels("zh"); !reflect.DeepEqual(l, []string{"黑色", "灰色", "blue"}) {
		t.Errorf("Chinese labels %v", l)
	}
	if l := colour.Labels("en"); !reflect.DeepEqual(l, []string{"black", "grey", "blue"}) {
		t.Errorf("English labels %v", l)
	}
	v := MakeVariant(p.Options, map[string]string{"colour": "grey", "writing_board": "yes"})
	if got := p.VariantLabels(v, "zh"); !reflect.DeepEqual(got, []string{"灰色", "带写字板"}) {
		t.Errorf("variant in Chinese: %v", got)
	}
	if got := p.VariantLabels(v, "en"); !reflect.DeepEqual(got, []string{"grey", "yes"}) {
		t.Errorf("variant in English: %v", got)
	}
}

// A value that is a code (yes/no) may carry its English name after a second colon, so
// that both languages read naturally: 「灰色，带写字板」 / "grey, with writing board".
func TestParseCatalogCSVEnglishNames(t *testing.T) {
	file := strings.TrimSuffix(testHeader, "\n") + ",unit_zh\n" +
		"CH-200,Training chair,培训椅,chairs,pcs,389.00,120,true,colour=black:黑色|grey:灰色;writing_board=yes:带写字板:with writing board|no:不带写字板:without writing board,把\n"
	got, err := ParseCatalogCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	p := got[0]
	board := p.Options[1]
	if !reflect.DeepEqual(board.EN, map[string]string{"yes": "with writing board", "no": "without writing board"}) || board.ZH["yes"] != "带写字板" {
		t.Fatalf("board option %+v", board)
	}
	v := MakeVariant(p.Options, map[string]string{"colour": "grey", "writing_board": "yes"})
	if got := p.VariantLabels(v, "zh"); !reflect.DeepEqual(got, []string{"灰色", "带写字板"}) {
		t.Errorf("variant in Chinese: %v", got)
	}
	if got := p.VariantLabels(v, "en"); !reflect.DeepEqual(got, []string{"grey", "with writing board"}) {
		t.Errorf("variant in English: %v", got)
	}
	if p.VariantEN(MakeVariant(p.Options, map[string]string{"colour": "grey"})) != "" {
		t.Error("a variant without English names has a VariantEN")
	}
	for text, want := range map[string]string{"With writing board": "yes", "without writing board": "no", "带写字板": "yes", "no": "no"} {
		if v, ok := board.Match(text); !ok || v != want {
			t.Errorf("Match(%q) = %q, %v; want %q", text, v, ok, want)
		}
	}
	l := Line{NameZH: "培训椅", Name: "Training chair", Variant: v, VariantZH: p.VariantZH(v), VariantEN: p.VariantEN(v)}
	if l.Label("zh") != "培训椅（灰色，带写字板）" || l.Label("en") != "Training chair (grey, with writing board)" {
		t.Errorf("line labels %q / %q", l.Label("zh"), l.Label("en"))
	}
	h := strings.TrimSuffix(testHeader, "\n")
	for _, bad := range []string{"writing_board=yes:带写字板:", "writing_board=yes:带写字板:with: board", "writing_board=yes:带写字板:no"} {
		if _, err := ParseCatalogCSV(strings.NewReader(h + "\nCH-1,Chair,椅子,chairs,pcs,10.00,5,true," + bad + "|no:不带\n")); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// What a customer types for an option value, in either language.
func TestOptionMatch(t *testing.T) {
	colour := Option{Name: "colour", Values: []string{"black", "grey", "blue"}, ZH: map[string]string{"black": "黑色", "grey": "灰色", "blue": "蓝色"}}
	wood := Option{Name: "material", Values: []string{"oak", "walnut"}, ZH: map[string]string{"oak": "橡木", "walnut": "胡桃木"}}
	board := Option{Name: "writing_board", Values: []string{"yes", "no"}, ZH: map[string]string{"yes": "要", "no": "不要"}}
	for _, c := range []struct {
		o    Option
		text string
		want string // "" means refused
	}{
		{colour, "黑色", "black"},
		{colour, "黑的", "black"},
		{colour, "黑", "black"},
		{colour, " 灰色 ", "grey"},
		{colour, "Black", "black"},
		{colour, "GREY", "grey"},
		{colour, "红色", ""},
		{colour, "色", ""},
		{colour, "", ""},
		{wood, "胡桃木", "walnut"},
		{wood, "橡木", "oak"},
		{wood, "Walnut", "walnut"},
		{wood, "木", ""},
		{board, "要", "yes"},
		{board, "不要", "no"},
		{board, "yes", "yes"},
	} {
		got, ok := c.o.Match(c.text)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("%s: Match(%q) = %q, %v; want %q", c.o.Name, c.text, got, ok, c.want)
		}
	}
}

func TestParseCatalogCSVChineseRejects(t *testing.T) {
	h := strings.TrimSuffix(testHeader, "\n")
	good := "CH-1,Chair,椅子,chairs,pcs,10.00,5,true,colour=black:黑色\n"
	for _, tt := range []struct {
		name, input, field, reason string
		line                       int
	}{
		{"empty Chinese name", testHeader + "CH-1,Chair,,c,pcs,1,1,true,colour=black:|grey\n", "options", "empty Chinese name", 2},
		{"Chinese name with a colon", testHeader + "CH-1,Chair,,c,pcs,1,1,true,colour=black:黑:色\n", "options", "contains", 2},
		{"one Chinese name for two values", testHeader + good + "CH-2,Chair,,c,pcs,1,1,true,colour=black:黑色|grey:黑色\n", "options", `"黑色" names both "black" and "grey"`, 3},
		{"a Chinese name that is another value", testHeader + "CH-1,Chair,,c,pcs,1,1,true,colour=black:Grey|grey\n", "options", "names both", 2},
		{"unit_zh twice", h + ",unit_zh,unit_zh\n" + good, "unit_zh", "twice", 1},
		{"unit_zh among the required columns", "sku,name_en,name_zh,category,unit,unit_zh,price,stock,standard,options\n", "price", `column 6 must be "price"`, 1},
		{"unit_zh missing on a line", h + ",unit_zh\n" + good, "unit_zh", "the line has 9 fields, want 10", 2},
		{"unit_zh with a line break", h + ",unit_zh\n" + "CH-1,Chair,,c,pcs,1,1,true,,\"把\n件\"\n", "unit_zh", "control character", 2},
		{"unknown extra column", h + ",unit_zh,colour_zh\n" + good, "colour_zh", "unknown column", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParseCatalogCSV(strings.NewReader(tt.input))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ParseCatalogCSV = %d products, %v; want a *ValidationError", len(ps), err)
			}
			if ps != nil {
				t.Errorf("products returned with the error")
			}
			if ve.Line != tt.line || ve.Field != tt.field || !strings.Contains(ve.Reason, tt.reason) {
				t.Errorf("error line %d field %q reason %q; want line %d field %q reason with %q", ve.Line, ve.Field, ve.Reason, tt.line, tt.field, tt.reason)
			}
		})
	}
}
