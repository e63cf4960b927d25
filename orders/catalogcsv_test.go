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
	for _, s := range []string{p.SKU, p.NameEN, p.NameZH, p.Category, p.Unit} {
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
			if v == "" || values[v] || strings.ContainsAny(v, "=;|") || !utf8.ValidString(v) {
				return "bad option value"
			}
			values[v] = true
		}
	}
	return ""
}
