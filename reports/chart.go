package reports

import (
	"fmt"
	"strconv"

	"github.com/go-analyze/charts"
	"github.com/golang/freetype/truetype"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// fontFace is a parsed TrueType font.
type fontFace = *truetype.Font

// Chart size in pixels: sharp on a phone, far within Telegram's photo limits.
const (
	chartWidth  = 960
	chartHeight = 540
)

// Chart draws the report's sales by day as bars, the previous period's day by day as a
// line, on a value axis from zero, with its texts in lang, in the embedded font (so Chinese
// labels are drawn, not empty boxes).
func (r *Reports) Chart(rep orders.Report, lang string) ([]byte, error) {
	return r.chart(rep, lang, r.font)
}

func (r *Reports) chart(rep orders.Report, lang string, font fontFace) ([]byte, error) {
	cur, prev := rep.Current.ByDay, rep.Prior.ByDay
	n := max(len(cur), 1)
	bars := make([]float64, n)
	line := make([]float64, n)
	labels := make([]string, n)
	for i := range n {
		if i < len(cur) {
			bars[i], _ = cur[i].Amount.Float64()
			labels[i] = i18n.T(lang, "chart.day", int(cur[i].Day.Month), cur[i].Day.Day)
		}
		if i < len(prev) {
			line[i], _ = prev[i].Amount.Float64()
		}
	}
	style := func(size float64) charts.FontStyle {
		return charts.FontStyle{Font: font, FontSize: size, FontColor: charts.ColorBlack}
	}
	series := charts.NewSeriesListGeneric([][]float64{bars}, charts.ChartTypeBar)
	prevSeries := charts.NewSeriesListGeneric([][]float64{line}, charts.ChartTypeLine)
	series = append(series, prevSeries...)
	series[0].Name = i18n.T(lang, "chart.current")
	series[1].Name = i18n.T(lang, "chart.previous")
	opt := charts.ChartOption{
		OutputFormat: charts.ChartOutputPNG,
		Width:        chartWidth,
		Height:       chartHeight,
		Theme:        charts.GetTheme(charts.ThemeLight),
		Padding:      charts.NewBox(20, 20, 30, 20),
		Title: charts.TitleOption{
			Text:             i18n.T(lang, "chart.title"),
			Subtext:          periodLabel(rep.Period, lang),
			FontStyle:        style(18),
			SubtextFontStyle: style(13),
		},
		Legend: charts.LegendOption{
			SeriesNames: []string{series[0].Name, series[1].Name},
			FontStyle:   style(13),
			Offset:      charts.OffsetRight,
		},
		XAxis: charts.XAxisOption{
			Labels:         labels,
			LabelFontStyle: style(11),
			LabelCount:     min(n, 10),
		},
		YAxis: []charts.YAxisOption{{
			Min:            charts.Ptr(0.0),
			LabelFontStyle: style(11),
			ValueFormatter: func(v float64) string { return r.currency + groupThousands(int64(v)) },
		}},
		SeriesList:      series,
		LineStrokeWidth: 2.5,
		Symbol:          charts.Symbol{Shape: charts.SymbolNone},
	}
	p, err := charts.Render(opt)
	if err != nil {
		return nil, fmt.Errorf("reports: chart: %w", err)
	}
	return p.Bytes()
}

// groupThousands writes n with thousands separated by commas.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
