package reports

import (
	"github.com/golang/freetype/truetype"

	"github.com/orderbot/orderbot/orders"
)

// ChartWithFont draws the chart with another font, for the test that a font without
// Chinese glyphs is caught.
func (r *Reports) ChartWithFont(rep orders.Report, lang string, f *truetype.Font) ([]byte, error) {
	return r.chart(rep, lang, f)
}
