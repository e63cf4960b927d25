package fonts_test

import (
	"testing"

	"golang.org/x/image/font/sfnt"

	"github.com/orderbot/orderbot/internal/fonts"
)

// The embedded font is a plain TrueType file with glyphs for Chinese, Latin and digits.
func TestFontHasChineseAndLatin(t *testing.T) {
	f, err := sfnt.Parse(fonts.WQYMicroHei)
	if err != nil {
		t.Fatal(err)
	}
	var b sfnt.Buffer
	for _, r := range "订单确认书销售合同壹万贰仟元整Order 0123456789¥" {
		i, err := f.GlyphIndex(&b, r)
		if err != nil || i == 0 {
			t.Errorf("no glyph for %q (%v)", r, err)
		}
	}
	name, err := f.Name(&b, sfnt.NameIDFamily)
	if err != nil || name != fonts.Name {
		t.Errorf("family %q (%v), want %q", name, err, fonts.Name)
	}
}
