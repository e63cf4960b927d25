package documents

import (
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// extract returns the text of every page of the PDF as a reader copies it: the PDF is
// validated by pdfcpu, parsed by ledongthuc/pdf, each page's content stream interpreted,
// and every string shown (Tj, TJ, ', ") decoded through its font's ToUnicode map. A
// character whose map is missing or wrong comes back as something else.
//
// The decoding of the ToUnicode map is our own: ledongthuc/pdf's keeps only the last byte
// of a range's destination, and fpdf writes its identity map as one range over all
// two-byte codes (<0000> <FFFF> <0000>), which PDF readers (pdfium, poppler, Acrobat)
// read as CID = Unicode.
func extract(t testing.TB, data []byte) string {
	t.Helper()
	if err := api.Validate(bytes.NewReader(data), model.NewDefaultConfiguration()); err != nil {
		t.Fatalf("pdfcpu: the PDF does not validate: %v", err)
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the PDF does not parse: %v", err)
	}
	var b strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		page := r.Page(i)
		maps := map[string]*cmap{}
		for _, name := range page.Fonts() {
			f := page.Font(name)
			tu := f.V.Key("ToUnicode")
			if tu.IsNull() {
				t.Fatalf("page %d: font %s (%s) has no ToUnicode map", i, name, f.BaseFont())
			}
			maps[name] = readCMap(tu)
		}
		var cur *cmap
		show := func(s string) {
			if cur == nil {
				t.Fatalf("page %d: text shown without a font", i)
			}
			b.WriteString(cur.decode(s))
		}
		pdf.Interpret(page.V.Key("Contents"), func(stk *pdf.Stack, op string) {
			n := stk.Len()
			args := make([]pdf.Value, n)
			for k := n - 1; k >= 0; k-- {
				args[k] = stk.Pop()
			}
			switch op {
			case "Tf":
				if n == 2 {
					cur = maps[args[0].Name()]
				}
			case "Tj", "'", `"`:
				show(args[n-1].RawString())
			case "TJ":
				a := args[0]
				for k := 0; k < a.Len(); k++ {
					if a.Index(k).Kind() == pdf.String {
						show(a.Index(k).RawString())
					}
				}
			case "BT":
				b.WriteString("\n")
			}
		})
		b.WriteString("\n")
	}
	return b.String()
}

// cmap is a ToUnicode map: ranges of two-byte codes to Unicode.
type cmap struct {
	ranges []cmapRange
}

type cmapRange struct {
	lo, hi int
	dst    []rune // dst[0] + (code - lo) when len(dst) == 1; else one per code
}

var (
	bfBlock  = regexp.MustCompile(`(?s)begin(bfrange|bfchar)(.*?)endbf(?:range|char)`)
	bfRange  = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])`)
	bfChar   = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	hexToken = regexp.MustCompile(`<([0-9A-Fa-f]+)>`)
)

func hexInt(s string) int {
	v, _ := strconv.ParseUint(s, 16, 32)
	return int(v)
}

// utf16Hex decodes hex digits of UTF-16BE code units (no surrogates needed here).
func utf16Hex(s string) []rune {
	var out []rune
	for k := 0; k+4 <= len(s); k += 4 {
		out = append(out, rune(hexInt(s[k:k+4])))
	}
	return out
}

// readCMap reads the bfchar and bfrange entries of a ToUnicode CMap.
func readCMap(v pdf.Value) *cmap {
	raw, _ := io.ReadAll(v.Reader())
	m := &cmap{}
	for _, blk := range bfBlock.FindAllStringSubmatch(string(raw), -1) {
		if blk[1] == "bfchar" {
			for _, e := range bfChar.FindAllStringSubmatch(blk[2], -1) {
				c := hexInt(e[1])
				m.ranges = append(m.ranges, cmapRange{lo: c, hi: c, dst: utf16Hex(e[2])})
			}
			continue
		}
		for _, e := range bfRange.FindAllStringSubmatch(blk[2], -1) {
			r := cmapRange{lo: hexInt(e[1]), hi: hexInt(e[2])}
			if strings.HasPrefix(e[3], "[") {
				for _, h := range hexToken.FindAllStringSubmatch(e[3], -1) {
					r.dst = append(r.dst, utf16Hex(h[1])...)
				}
			} else {
				r.dst = utf16Hex(strings.Trim(e[3], "<>"))
			}
			m.ranges = append(m.ranges, r)
		}
	}
	return m
}

func (m *cmap) decode(s string) string {
	var b strings.Builder
	for k := 0; k+1 < len(s); k += 2 {
		c := int(s[k])<<8 | int(s[k+1])
		r := rune('\uFFFD')
		for _, rg := range m.ranges {
			if c >= rg.lo && c <= rg.hi && len(rg.dst) > 0 {
				if len(rg.dst) == 1 {
					r = rg.dst[0] + rune(c-rg.lo)
				} else if c-rg.lo < len(rg.dst) {
					r = rg.dst[c-rg.lo]
				}
				break
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
