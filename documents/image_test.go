package documents

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

var update = flag.Bool("update", false, "rewrite the golden page images and docs/confirmation-*.png")

// TestPageImages renders the first page of the confirmation in both languages to an image
// with pdfium (compiled to WebAssembly, run by wazero: nothing to install) and compares it
// with the golden image in testdata, pixel by pixel with a small tolerance: a missing font,
// a glyph drawn as a box, a moved table or a lost line fails. With -update it writes the
// golden images and the README's page images (docs/confirmation-en.png, -zh.png) from the
// demo order:
//
//	go test ./documents -run TestPageImages -update
func TestPageImages(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the WebAssembly PDF renderer takes seconds to start")
	}
	if raceEnabled {
		t.Skip("under the race detector the WebAssembly PDF renderer takes minutes to start; make test runs this test without it")
	}
	pool, err := webassembly.Init(webassembly.Config{MinIdle: 1, MaxIdle: 1, MaxTotal: 1})
	if err != nil {
		t.Fatalf("pdfium: %v", err)
	}
	defer pool.Close()
	inst, err := pool.GetInstance(5 * time.Minute)
	if err != nil {
		t.Fatalf("pdfium: %v", err)
	}
	page := func(data []byte, dpi int) image.Image {
		doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
		if err != nil {
			t.Fatalf("pdfium opens the PDF: %v", err)
		}
		defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
		r, err := inst.RenderPageInDPI(&requests.RenderPageInDPI{DPI: dpi,
			Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: 0}}})
		if err != nil {
			t.Fatalf("pdfium renders page 1: %v", err)
		}
		defer r.Cleanup()
		img := image.NewRGBA(r.Result.Image.Bounds())
		copy(img.Pix, r.Result.Image.Pix)
		return img
	}
	for _, lang := range []string{i18n.EN, i18n.ZH} {
		t.Run(lang, func(t *testing.T) {
			data := render(t, fixedInput(orders.DocConfirmation, lang))
			got := page(data, 60)
			golden := filepath.Join("testdata", "confirmation-"+lang+".png")
			if *update {
				writePNG(t, golden, got)
				writePNG(t, filepath.Join("..", "docs", "confirmation-"+lang+".png"), page(data, 110))
				return
			}
			f, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden image: %v (make it with -update)", err)
			}
			want, err := png.Decode(bytes.NewReader(f))
			if err != nil {
				t.Fatal(err)
			}
			mean, far := compare(got, want)
			t.Logf("mean difference %.4f, pixels far apart %.4f%%", mean, far*100)
			if mean > 0.01 || far > 0.005 {
				writePNG(t, filepath.Join(t.TempDir(), "got.png"), got)
				t.Errorf("page 1 differs from %s: mean difference %.4f (at most 0.01), %.3f%% of pixels far apart (at most 0.5%%)",
					golden, mean, far*100)
			}
		})
	}
}

// compare returns the mean absolute difference of the two images' channels (0–1) and the
// share of pixels whose channels differ by more than a quarter; images of other sizes
// differ entirely.
func compare(a, b image.Image) (mean, far float64) {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 1, 1
	}
	ab, bb := a.Bounds(), b.Bounds()
	var sum float64
	var n, farN int
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			d := absDiff(r1, r2) + absDiff(g1, g2) + absDiff(b1, b2)
			sum += float64(d) / (3 * 65535)
			if max(absDiff(r1, r2), absDiff(g1, g2), absDiff(b1, b2)) > 65535/4 {
				farN++
			}
			n++
		}
	}
	return sum / float64(n), float64(farN) / float64(n)
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
