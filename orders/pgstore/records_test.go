package pgstore_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// An order keeps the contact given for it. Orders 0001 and 0002 were placed by 王小明
// 13800138000; order 0003 by the same customer under the new contact 李娟 13912345678.
// 0002 still reads 王小明, in Order, Orders and its JSON, and is found by either contact.
func TestOrderKeepsItsContact(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	place := func(key, name, phone, company string) orders.Order {
		t.Helper()
		req := placeRequest(key, 42, "CH-200", 1)
		req.Order.Customer.Name, req.Order.Customer.Phone, req.Order.Customer.Company = name, phone, company
		o, _, err := s.PlaceOrder(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if o.Customer.Name != name || o.Customer.Phone != phone {
			t.Errorf("placed %s: contact %q %q, want %q %q", o.Number, o.Customer.Name, o.Customer.Phone, name, phone)
		}
		return o
	}
	o1 := place("d1", "王小明", "13800138000", "明达贸易")
	o2 := place("d2", "王小明", "13800138000", "")
	o3 := place("d3", "李娟", "13912345678", "")

	profile, err := s.Customer(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	if profile.Name != "李娟" || profile.Phone != "13912345678" {
		t.Errorf("profile %q %q, want the latest contact", profile.Name, profile.Phone)
	}
	got, err := s.Order(ctx, o2.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Customer.Name != "王小明" || got.Customer.Phone != "13800138000" || got.Customer.TelegramID != 42 {
		t.Errorf("order %s: customer %+v, want 王小明 13800138000", o2.Number, got.Customer)
	}
	// A company not given for an order is the profile's at the time.
	if got.Customer.Company != "明达贸易" {
		t.Errorf("order %s: company %q, want the one on file when placed", o2.Number, got.Customer.Company)
	}
	var j struct {
		Customer struct {
			TelegramID int64  `json:"telegram_id"`
			Name       string `json:"name"`
			Phone      string `json:"phone"`
			Company    string `json:"company"`
		} `json:"customer"`
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if j.Customer.Name != "王小明" || j.Customer.Phone != "13800138000" || j.Customer.Company != "明达贸易" {
		t.Errorf("JSON customer %+v", j.Customer)
	}

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"王", []string{o2.Number, o1.Number}},
		{"13800138000", []string{o2.Number, o1.Number}},
		{"138-0013-8000", []string{o2.Number, o1.Number}},
		// The customer's profile now: every order of the customer.
		{"李娟", []string{o3.Number, o2.Number, o1.Number}},
		{"13912345678", []string{o3.Number, o2.Number, o1.Number}},
		{"赵", nil},
	} {
		list, err := s.Orders(ctx, orders.OrderFilter{Query: c.query})
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(list); !slices.Equal(got, c.want) {
			t.Errorf("Orders(%q) = %v, want %v", c.query, got, c.want)
		}
		n, err := s.CountOrders(ctx, orders.OrderFilter{Query: c.query})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(c.want) {
			t.Errorf("CountOrders(%q) = %d, want %d", c.query, n, len(c.want))
		}
		for _, o := range list {
			if o.Number == o1.Number || o.Number == o2.Number {
				if o.Customer.Name != "王小明" {
					t.Errorf("Orders(%q): %s shows %q", c.query, o.Number, o.Customer.Name)
				}
			}
		}
	}
}

// Migrations 0015 and 0016 fill what existing orders lack: their contact from their
// customer, and partly_paid where something was paid on an order left unpaid.
func TestMigrationFillsContactAndPartlyPaid(t *testing.T) {
	t.Parallel()
	url := testenv.CreateDatabase(t, testenv.RandomName("orderbot_t_"), "")
	s, err := pgstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	p, err := goose.NewProvider(goose.DialectPostgres, s.DB().DB, pgstore.Migrations(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 14); err != nil {
		t.Fatalf("migrate to 14: %v", err)
	}
	db := s.DB()
	for _, q := range []string{
		`INSERT INTO customers (id, telegram_id, name, phone, company) VALUES (1, 42, '王小明', '13800138000', '明达贸易')`,
		`INSERT INTO products (sku, name_en, price, on_hand) VALUES ('CH-1', 'Chair', 10, 100)`,
		`INSERT INTO orders (id, number, status, payment_status, customer_id, total, deposit_due, wanted_date)
			VALUES (1, 'SO-20261205-0001', 'confirmed', 'unpaid', 1, 5980, 0, '2026-12-10'),
			       (2, 'SO-20261205-0002', 'confirmed', 'unpaid', 1, 100, 0, '2026-12-10')`,
		`INSERT INTO payments (order_id, amount) VALUES (1, 5000)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := s.Order(ctx, "SO-20261205-0001")
	if err != nil {
		t.Fatal(err)
	}
	if o.PaymentStatus != orders.PaymentPartlyPaid {
		t.Errorf("paid 5000 of 5980: %s, want partly_paid", o.PaymentStatus)
	}
	if n := count(t, s, `SELECT count(*) FROM orders WHERE contact_name = '王小明' AND contact_phone = '13800138000'
		AND contact_company = '明达贸易'`); n != 2 {
		t.Errorf("%d orders got their customer's contact, want 2", n)
	}
	// A later change of the profile leaves the orders' contact alone.
	if _, err := db.ExecContext(ctx, `UPDATE customers SET name = '李娟', phone = '13912345678' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	o2, err := s.Order(ctx, "SO-20261205-0002")
	if err != nil {
		t.Fatal(err)
	}
	if o2.PaymentStatus != orders.PaymentUnpaid || o2.Customer.Name != "王小明" || o2.Customer.Phone != "13800138000" {
		t.Errorf("order 0002: %s, %q %q", o2.PaymentStatus, o2.Customer.Name, o2.Customer.Phone)
	}
}

// The database accepts partly_paid and refuses unknown payment statuses.
func TestPartlyPaidStored(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	req := placeRequest("d1", 42, "CH-100", 3) // 597.00
	req.Order.DepositDue = money("179.10")
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.RecordPayment(ctx, orders.PaymentRequest{Number: o.Number, Amount: money("100"), Method: "cash",
		Actor: "rep:7", Status: orders.PaymentPartlyPaid})
	if err != nil {
		t.Fatal(err)
	}
	if got.PaymentStatus != orders.PaymentPartlyPaid || !got.Paid.Equal(money("100")) {
		t.Errorf("%s paid %s", got.PaymentStatus, got.Paid)
	}
	if _, err := s.RecordPayment(ctx, orders.PaymentRequest{Number: o.Number, Amount: money("1"), Method: "cash",
		PaidBefore: money("100"), Actor: "rep:7", Status: "half"}); err == nil {
		t.Error("an unknown payment status was stored")
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE orders SET payment_status = 'half' WHERE id = $1`, o.ID); err == nil {
		t.Error("the database took an unknown payment status")
	}
}

// The catalog's Chinese names are stored, and an order's lines keep those they were
// ordered with: a later import that renames them does not rewrite the order.
func TestCatalogChineseNamesStored(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	importCSV(t, s, `sku,name_en,name_zh,category,unit,price,stock,standard,options,unit_zh
CH-100,Office chair,办公椅,chairs,pcs,199.00,10,true,colour=black:黑色|grey:灰色;size=S|M|L,把
`)
	ps, err := s.ProductsBySKU(ctx, []string{"CH-100", "CH-200"})
	if err != nil {
		t.Fatal(err)
	}
	p := ps["CH-100"]
	if p.UnitZH != "把" || p.Options[0].ZH["grey"] != "灰色" || p.Options[1].ZH != nil {
		t.Errorf("stored product %+v", p)
	}
	if p2 := ps["CH-200"]; p2.UnitZH != "" || p2.Options != nil {
		t.Errorf("a product without Chinese names: %+v", p2)
	}
	req := placeRequest("d1", 42, "CH-100", 1)
	req.Order.Lines[0].NameZH, req.Order.Lines[0].UnitZH = p.NameZH, p.UnitZH
	req.Order.Lines[0].VariantZH = p.VariantZH(req.Order.Lines[0].Variant)
	o, _, err := s.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	importCSV(t, s, `sku,name_en,name_zh,category,unit,price,stock,standard,options,unit_zh
CH-100,Office chair,新办公椅,chairs,pcs,199.00,10,true,colour=black:乌黑|grey:灰色;size=S|M|L,张
`)
	got, err := s.Order(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	l := got.Lines[0]
	if l.NameZH != "办公椅" || l.UnitZH != "把" || l.VariantZH != "colour=黑色;size=M" {
		t.Errorf("stored line %+v", l)
	}
	if l.Label("zh") != "办公椅（黑色，M）" || l.UnitName("zh") != "把" || l.Label("en") != "Office chair (black, M)" || l.UnitName("en") != "pcs" {
		t.Errorf("line labels %q %q %q %q", l.Label("zh"), l.UnitName("zh"), l.Label("en"), l.UnitName("en"))
	}
}
