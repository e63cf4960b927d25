package reports

import (
	"strconv"
	"testing"

	"github.com/golang/freetype/truetype"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
)

// ChartWithFont draws the chart with another font, for the test that a font without
// Chinese glyphs is caught.
func (r *Reports) ChartWithFont(rep orders.Report, lang string, f *truetype.Font) ([]byte, error) {
	return r.chart(rep, lang, f)
}

// An xlsx amount is the double nearest its decimal, by the quick path (two decimals at
// most) as by parsing its text.
func TestMoneyCellNumbers(t *testing.T) {
	for _, v := range []string{"0", "0.1", "0.01", "45.5", "199", "1250.00", "0.07", "12345678.91", "9999999999.99", "-3.30", "1.005", "2.345678", "1e3"} {
		d := decimal.RequireFromString(v)
		want, _ := strconv.ParseFloat(d.StringFixed(2), 64)
		if got := moneyCell(d, true); got != want {
			t.Errorf("moneyCell(%s) = %v, want %v", v, got, want)
		}
	}
}
