package orders

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// catalogColumns are the columns every catalog CSV file has, in this order.
var catalogColumns = [...]string{"sku", "name_en", "name_zh", "category", "unit", "price", "stock", "standard", "options"}

// catalogExtraColumns are the columns a file may add after catalogColumns, in any order,
// each at most once: files without them stay valid.
var catalogExtraColumns = [...]string{"unit_zh"}

// catalogHeader is the required header line.
const catalogHeader = "sku,name_en,name_zh,category,unit,price,stock,standard,options"

// Limits of a catalog entry.
const (
	// maxSKULength is the longest SKU accepted, in characters.
	maxSKULength = 64
	// maxPriceIntegerDigits keeps prices within NUMERIC(12,2).
	maxPriceIntegerDigits = 10
)

// ParseCatalogCSV reads a product catalog in CSV (UTF-8, comma separated, a header row
// `sku,name_en,name_zh,category,unit,price,stock,standard,options`, optionally followed by
// `unit_zh`, the unit's Chinese name; a leading byte order mark is ignored). Options may
// name their values in Chinese too: `colour=black:黑色|grey:灰色`. Every product it
// returns is Active, with OnHand set to the stock column.
//
// The whole file is rejected at its first error, a *ValidationError naming the 1-based line
// (the header is line 1), the column and the reason.
func ParseCatalogCSV(r io.Reader) ([]Product, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // counted here, to name the line and the column
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ValidationError{Line: 1, Field: "header",
			Reason: "the file is empty; the first line must be the header " + catalogHeader}
	}
	if err != nil {
		return nil, csvError(err)
	}
	headerLine, _ := cr.FieldPos(0)
	columns, err := checkCatalogHeader(header, headerLine)
	if err != nil {
		return nil, err
	}

	products := []Product{}
	seen := map[string]int{} // SKU → line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return products, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		p, err := parseCatalogRecord(rec, columns, func(i int) int { l, _ := cr.FieldPos(i); return l })
		if err != nil {
			return nil, err
		}
		if first, dup := seen[p.SKU]; dup {
			return nil, &ValidationError{Line: line, Field: "sku",
				Reason: fmt.Sprintf("SKU %q appears twice, first on line %d", p.SKU, first)}
		}
		seen[p.SKU] = line
		products = append(products, p)
	}
}

// csvError turns an error of encoding/csv into a *ValidationError.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		field := "line"
		if pe.Column > 0 {
			field = "column " + strconv.Itoa(pe.Column)
		}
		reason := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
			reason += `; enclose values containing quotes in double quotes and double the inner quotes ("")`
		}
		return &ValidationError{Line: pe.Line, Field: field, Reason: reason}
	}
	return fmt.Errorf("read catalog: %w", err)
}

// checkCatalogHeader requires catalogColumns, in order, on the given line, optionally
// followed by catalogExtraColumns, and returns the file's columns.
func checkCatalogHeader(header []string, line int) ([]string, error) {
	bad := func(field, format string, args ...any) error {
		return &ValidationError{Line: line, Field: field,
			Reason: fmt.Sprintf(format, args...) + "; the header must be " + catalogHeader + " (optionally followed by unit_zh)"}
	}
	columns := make([]string, 0, len(header))
	for i, raw := range header {
		name := strings.TrimSpace(raw)
		known := slices.Contains(catalogColumns[:], name) || slices.Contains(catalogExtraColumns[:], name)
		switch {
		case !utf8.ValidString(name):
			return nil, bad(fmt.Sprintf("column %d", i+1), "the column name is not valid UTF-8")
		case name == "":
			return nil, bad(fmt.Sprintf("column %d", i+1), "column %d has no name", i+1)
		case !known:
			return nil, bad(name, "unknown column %q", name)
		case slices.Contains(columns, name):
			return nil, bad(name, "column %q appears twice", name)
		case i < len(catalogColumns) && name != catalogColumns[i]:
			return nil, bad(catalogColumns[i], "column %d must be %q, not %q", i+1, catalogColumns[i], name)
		}
		columns = append(columns, name)
	}
	if len(header) < len(catalogColumns) {
		missing := catalogColumns[len(header)]
		return nil, bad(missing, "missing column %q", missing)
	}
	return columns, nil
}

// parseCatalogRecord validates one product line of a file with the columns; lineOf gives
// the line of field i.
func parseCatalogRecord(rec []string, columns []string, lineOf func(i int) int) (Product, error) {
	bad := func(i int, format string, args ...any) error {
		return &ValidationError{Line: lineOf(i), Field: columns[i], Reason: fmt.Sprintf(format, args...)}
	}
	header := strings.Join(columns, ",")
	if n, want := len(rec), len(columns); n != want {
		if n < want {
			return Product{}, &ValidationError{Line: lineOf(0), Field: columns[n],
				Reason: fmt.Sprintf("the line has %d fields, want %d (%s)", n, want, header)}
		}
		return Product{}, &ValidationError{Line: lineOf(0), Field: "field " + strconv.Itoa(want+1),
			Reason: fmt.Sprintf("the line has %d fields, want %d (%s); enclose values containing commas in double quotes",
				n, want, header)}
	}
	f := make([]string, len(rec))
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return Product{}, bad(i, "not valid UTF-8; save the file as UTF-8")
		}
		f[i] = strings.TrimSpace(v)
	}
	const (
		colSKU = iota
		colNameEN
		colNameZH
		colCategory
		colUnit
		colPrice
		colStock
		colStandard
		colOptions
	)
	p := Product{
		SKU:      f[colSKU],
		NameEN:   f[colNameEN],
		NameZH:   f[colNameZH],
		Category: f[colCategory],
		Unit:     f[colUnit],
		Active:   true,
	}
	colUnitZH := slices.Index(columns, "unit_zh")
	if colUnitZH >= 0 {
		p.UnitZH = f[colUnitZH]
		if strings.ContainsFunc(p.UnitZH, unicode.IsControl) {
			return Product{}, bad(colUnitZH, "contains a control character such as a line break")
		}
	}
	if reason := checkSKU(p.SKU); reason != "" {
		return Product{}, bad(colSKU, "%s", reason)
	}
	if p.NameEN == "" && p.NameZH == "" {
		return Product{}, bad(colNameEN, "a product needs a name: fill name_en, name_zh or both")
	}
	for _, i := range []int{colNameEN, colNameZH, colCategory, colUnit} {
		if strings.ContainsFunc(f[i], unicode.IsControl) {
			return Product{}, bad(i, "contains a control character such as a line break")
		}
	}
	var reason string
	if p.Price, reason = parsePrice(f[colPrice]); reason != "" {
		return Product{}, bad(colPrice, "%s", reason)
	}
	if p.OnHand, reason = parseStock(f[colStock]); reason != "" {
		return Product{}, bad(colStock, "%s", reason)
	}
	switch strings.ToLower(f[colStandard]) {
	case "true":
		p.Standard = true
	case "false":
		p.Standard = false
	default:
		return Product{}, bad(colStandard, "%q is neither true nor false", f[colStandard])
	}
	opts, err := parseOptions(f[colOptions])
	if err != nil {
		return Product{}, bad(colOptions, "%v", err)
	}
	p.Options = opts
	return p, nil
}

// checkSKU returns why sku is not acceptable, or "".
func checkSKU(sku string) string {
	switch {
	case sku == "":
		return "the SKU is empty"
	case strings.ContainsFunc(sku, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return fmt.Sprintf("SKU %q contains a space", sku)
	case utf8.RuneCountInString(sku) > maxSKULength:
		return fmt.Sprintf("the SKU is longer than %d characters", maxSKULength)
	}
	return ""
}

// parsePrice parses a non-negative decimal with at most two decimal places, like "12.50".
func parsePrice(s string) (decimal.Decimal, string) {
	if s == "" {
		return decimal.Decimal{}, "the price is empty"
	}
	if strings.HasPrefix(s, "-") {
		if _, err := decimal.NewFromString(s); err == nil {
			return decimal.Decimal{}, fmt.Sprintf("price %s is negative", s)
		}
		return decimal.Decimal{}, fmt.Sprintf("price %q is not a number like 12.50", s)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasPoint && (frac == "" || !allDigits(frac))) {
		return decimal.Decimal{}, fmt.Sprintf("price %q is not a number like 12.50", s)
	}
	if len(frac) > 2 {
		return decimal.Decimal{}, fmt.Sprintf("price %s has more than 2 decimal places", s)
	}
	if len(strings.TrimLeft(whole, "0")) > maxPriceIntegerDigits {
		return decimal.Decimal{}, fmt.Sprintf("price %s is too large", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Sprintf("price %q is not a number like 12.50", s)
	}
	return d, ""
}

// parseStock parses a whole number of units, at least 0.
func parseStock(s string) (int, string) {
	switch {
	case s == "":
		return 0, "the stock is empty; write 0 for none"
	case strings.HasPrefix(s, "-") && len(s) > 1 && allDigits(s[1:]):
		return 0, fmt.Sprintf("stock %s is negative", s)
	case !allDigits(s):
		return 0, fmt.Sprintf("stock %q is not a whole number", s)
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Sprintf("stock %s is too large", s)
	}
	return int(n), ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseOptions parses product options written as "colour=black|grey;size=S|M|L": options
// separated by ";", each a name, "=" and its values separated by "|". A value may carry its
// Chinese name after a colon: "colour=black:黑色|grey:灰色", and its English name after a
// second one when the value's code does not read as English:
// "writing_board=yes:带写字板:with writing board|no:不带写字板:without writing board". Names and values are non-empty
// and unique within their list, and so are the Chinese names: every spelling a customer
// may type (a value or its Chinese name, ignoring case) means one value only. The empty
// string means no options.
func parseOptions(s string) ([]Option, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var opts []Option
	for part := range strings.SplitSeq(s, ";") {
		if strings.TrimSpace(part) == "" {
			return nil, fmt.Errorf("an option is empty: remove the extra \";\"")
		}
		name, list, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("option %q has no values: write it like colour=black|grey", strings.TrimSpace(part))
		}
		if name == "" {
			return nil, fmt.Errorf("an option has no name: write options like colour=black|grey;size=S|M")
		}
		if strings.ContainsFunc(name, unicode.IsControl) {
			return nil, fmt.Errorf("option %q contains a control character", name)
		}
		if slices.ContainsFunc(opts, func(o Option) bool { return o.Name == name }) {
			return nil, fmt.Errorf("option %q appears twice", name)
		}
		o := Option{Name: name}
		spelled := map[string]string{} // a spelling in lower case → the value it means
		for item := range strings.SplitSeq(list, "|") {
			v, zh, hasZH := strings.Cut(item, ":")
			zh, en, hasEN := strings.Cut(zh, ":")
			v, zh, en = strings.TrimSpace(v), strings.TrimSpace(zh), strings.TrimSpace(en)
			switch {
			case strings.ContainsFunc(v, unicode.IsControl):
				return nil, fmt.Errorf("option %q value %q contains a control character", name, v)
			case v == "":
				return nil, fmt.Errorf("option %q has an empty value", name)
			case strings.Contains(v, "="):
				return nil, fmt.Errorf("option %q value %q contains \"=\"", name, v)
			case slices.Contains(o.Values, v):
				return nil, fmt.Errorf("option %q lists value %q twice", name, v)
			case hasZH && zh == "":
				return nil, fmt.Errorf("option %q value %q has an empty Chinese name after \":\": write it like black:黑色", name, v)
			case strings.ContainsFunc(zh, unicode.IsControl):
				return nil, fmt.Errorf("option %q value %q: the Chinese name contains a control character", name, v)
			case strings.ContainsAny(zh, ":="):
				return nil, fmt.Errorf("option %q value %q: the Chinese name %q contains \":\" or \"=\"", name, v, zh)
			case hasEN && en == "":
				return nil, fmt.Errorf("option %q value %q has an empty English name after the second \":\": write it like yes:带写字板:with writing board", name, v)
			case strings.ContainsFunc(en, unicode.IsControl):
				return nil, fmt.Errorf("option %q value %q: the English name contains a control character", name, v)
			case strings.ContainsFunc(en, func(r rune) bool { return unicode.Is(unicode.Han, r) }):
				return nil, fmt.Errorf("option %q value %q: the English name %q contains Chinese characters (the Chinese name comes first: yes:带写字板:with writing board)", name, v, en)
			case strings.ContainsAny(en, ":=|;"):
				return nil, fmt.Errorf("option %q value %q: the English name %q contains \":\", \"=\", \"|\" or \";\"", name, v, en)
			}
			for _, sp := range []string{v, zh, en} {
				if sp == "" {
					continue
				}
				k := strings.ToLower(sp)
				if other, dup := spelled[k]; dup && other != v {
					return nil, fmt.Errorf("option %q: %q names both %q and %q", name, sp, other, v)
				}
				spelled[k] = v
			}
			o.Values = append(o.Values, v)
			if zh != "" {
				if o.ZH == nil {
					o.ZH = map[string]string{}
				}
				o.ZH[v] = zh
			}
			if en != "" {
				if o.EN == nil {
					o.EN = map[string]string{}
				}
				o.EN[v] = en
			}
		}
		opts = append(opts, o)
	}
	return opts, nil
}
