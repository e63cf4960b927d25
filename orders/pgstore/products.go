package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
)

const productColumns = `sku, name_en, name_zh, category, unit, unit_zh, price, on_hand, reserved, standard, options, active`

// productRow is a row of products.
type productRow struct {
	SKU      string          `db:"sku"`
	NameEN   string          `db:"name_en"`
	NameZH   string          `db:"name_zh"`
	Category string          `db:"category"`
	Unit     string          `db:"unit"`
	UnitZH   string          `db:"unit_zh"`
	Price    decimal.Decimal `db:"price"`
	OnHand   int             `db:"on_hand"`
	Reserved int             `db:"reserved"`
	Standard bool            `db:"standard"`
	Options  []byte          `db:"options"`
	Active   bool            `db:"active"`
}

// optionJSON is an orders.Option in the products.options column.
type optionJSON struct {
	Name   string            `json:"name"`
	Values []string          `json:"values"`
	ZH     map[string]string `json:"zh,omitempty"` // value → its Chinese name
	EN     map[string]string `json:"en,omitempty"` // value → its English name, when the value is a code
}

func (r productRow) product() (orders.Product, error) {
	p := orders.Product{
		SKU: r.SKU, NameEN: r.NameEN, NameZH: r.NameZH, Category: r.Category, Unit: r.Unit, UnitZH: r.UnitZH,
		Price: r.Price, OnHand: r.OnHand, Reserved: r.Reserved, Standard: r.Standard, Active: r.Active,
	}
	var opts []optionJSON
	if err := json.Unmarshal(r.Options, &opts); err != nil {
		return orders.Product{}, fmt.Errorf("product %s: options: %w", r.SKU, err)
	}
	for _, o := range opts {
		p.Options = append(p.Options, orders.Option{Name: o.Name, Values: o.Values, ZH: o.ZH, EN: o.EN})
	}
	return p, nil
}

func optionsJSON(opts []orders.Option) ([]byte, error) {
	out := make([]optionJSON, len(opts))
	for i, o := range opts {
		out[i] = optionJSON{Name: o.Name, Values: o.Values, ZH: o.ZH, EN: o.EN}
		if out[i].Values == nil {
			out[i].Values = []string{}
		}
	}
	return json.Marshal(out)
}

func products(rows []productRow) ([]orders.Product, error) {
	ps := make([]orders.Product, len(rows))
	for i, r := range rows {
		p, err := r.product()
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	return ps, nil
}

// Categories returns the categories of active products, sorted; products without a
// category are left out.
func (s *Store) Categories(ctx context.Context) ([]string, error) {
	cats := []string{}
	err := s.db.SelectContext(ctx, &cats,
		`SELECT DISTINCT category FROM products WHERE active AND category <> '' ORDER BY category`)
	if err != nil {
		return nil, fail("categories", err)
	}
	return cats, nil
}

// Products lists the active products matching f, ordered by category and SKU. f.Query
// matches a part of the SKU or of either name, ignoring case.
func (s *Store) Products(ctx context.Context, f orders.ProductFilter) ([]orders.Product, error) {
	q := newQuery(`SELECT ` + productColumns + ` FROM products`)
	q.and("active")
	if f.Category != "" {
		q.and("category = " + q.arg(f.Category))
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		p := q.arg(containsPattern(text))
		q.and(fmt.Sprintf("(sku ILIKE %[1]s OR name_en ILIKE %[1]s OR name_zh ILIKE %[1]s)", p))
	}
	q.add(" ORDER BY category, sku")
	q.page(f.Limit, f.Offset)
	var rows []productRow
	if err := s.db.SelectContext(ctx, &rows, q.String(), q.args...); err != nil {
		return nil, fail("products", err)
	}
	ps, err := products(rows)
	if err != nil {
		return nil, fail("products", err)
	}
	return ps, nil
}

// ProductsBySKU returns the named products, active or not, by SKU; unknown SKUs are absent.
func (s *Store) ProductsBySKU(ctx context.Context, skus []string) (map[string]orders.Product, error) {
	if len(skus) == 0 {
		return map[string]orders.Product{}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fail("products by SKU", err)
	}
	r, err := s.productReads.Do(skus)
	if err == nil {
		err = r.err
	}
	if err != nil {
		return nil, fail("products by SKU", err)
	}
	return r.m, nil
}

// upsertProduct inserts a product or updates it by SKU, keeping its reserved units. It does
// not update, and returns no row, when the new stock is below what is reserved.
const upsertProduct = `
INSERT INTO products AS p (sku, name_en, name_zh, category, unit, price, on_hand, standard, options, active, created_at, updated_at, unit_zh)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
ON CONFLICT (sku) DO UPDATE SET
	name_en = EXCLUDED.name_en,
	name_zh = EXCLUDED.name_zh,
	category = EXCLUDED.category,
	unit = EXCLUDED.unit,
	unit_zh = EXCLUDED.unit_zh,
	price = EXCLUDED.price,
	on_hand = EXCLUDED.on_hand,
	standard = EXCLUDED.standard,
	options = EXCLUDED.options,
	active = EXCLUDED.active,
	updated_at = EXCLUDED.updated_at
WHERE p.reserved <= EXCLUDED.on_hand
RETURNING (xmax = 0) AS created`

// ImportProducts inserts or updates the products by SKU in one transaction, all or nothing.
// A product's stock (OnHand) is replaced and its reserved units are kept (Product.Reserved
// is ignored): when the new stock
// is below the units reserved by open orders, the import fails with a
// *orders.ValidationError naming the product.
func (s *Store) ImportProducts(ctx context.Context, ps []orders.Product) (orders.ImportResult, error) {
	if err := checkImport(ps); err != nil {
		return orders.ImportResult{}, fail("import products", err)
	}
	var res orders.ImportResult
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		res = orders.ImportResult{}
		stmt, err := tx.PrepareContext(ctx, upsertProduct)
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := s.now()
		// In SKU order, like placements lock products, so that the two cannot deadlock.
		sorted := slices.SortedFunc(slices.Values(ps), func(a, b orders.Product) int { return strings.Compare(a.SKU, b.SKU) })
		for _, p := range sorted {
			opts, err := optionsJSON(p.Options)
			if err != nil {
				return err
			}
			var created bool
			err = stmt.QueryRowContext(ctx, p.SKU, p.NameEN, p.NameZH, p.Category, p.Unit, p.Price,
				p.OnHand, p.Standard, string(opts), p.Active, now, p.UnitZH).Scan(&created)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				var reserved int
				if err := tx.GetContext(ctx, &reserved, `SELECT reserved FROM products WHERE sku = $1`, p.SKU); err != nil {
					return err
				}
				return belowReserved(p, reserved)
			case pq.As(err, pqerror.CheckViolation) != nil && pq.As(err).Constraint == "products_reserved_within_on_hand":
				return belowReserved(p, -1)
			case err != nil:
				return fmt.Errorf("product %s: %w", p.SKU, translate(err))
			case created:
				res.Created++
			default:
				res.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return orders.ImportResult{}, fail("import products", err)
	}
	return res, nil
}

// belowReserved is the error of an import that would leave fewer units on hand than are
// reserved; reserved is -1 when unknown.
func belowReserved(p orders.Product, reserved int) error {
	reason := fmt.Sprintf("product %s: stock %d is less than the units reserved by open orders", p.SKU, p.OnHand)
	if reserved >= 0 {
		reason = fmt.Sprintf("product %s: stock %d is less than the %d units reserved by open orders; import at least %d",
			p.SKU, p.OnHand, reserved, reserved)
	}
	return &orders.ValidationError{Field: "stock", Reason: reason}
}

// checkImport rejects products the database would refuse or silently round.
func checkImport(ps []orders.Product) error {
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		bad := func(field, format string, args ...any) error {
			return &orders.ValidationError{Field: field, Reason: fmt.Sprintf("product %q: ", p.SKU) + fmt.Sprintf(format, args...)}
		}
		switch {
		case p.SKU == "":
			return bad("sku", "the SKU is empty")
		case seen[p.SKU]:
			return bad("sku", "appears twice")
		case p.OnHand < 0:
			return bad("stock", "%d is negative", p.OnHand)
		}
		if reason := badMoney(p.Price); reason != "" {
			return bad("price", "%s", reason)
		}
		seen[p.SKU] = true
	}
	return nil
}

// badMoney says why NUMERIC(12,2) cannot hold the amount exactly (negative, more than two
// decimal places, ten billion or more), or returns "".
func badMoney(d decimal.Decimal) string {
	switch {
	case d.IsNegative():
		return d.String() + " is negative"
	case !d.Equal(d.Round(2)):
		return d.String() + " has more than 2 decimal places"
	case d.Abs().Cmp(decimal.New(1, 10)) >= 0:
		return d.String() + " is too large"
	}
	return ""
}
