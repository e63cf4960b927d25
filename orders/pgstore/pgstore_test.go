package pgstore_test

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	_, err := pgstore.Open(t.Context(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "connect to PostgreSQL") {
		t.Fatalf("Open of a closed port: %v, want a connection error", err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	s := pgstoretest.New(t) // already migrated
	for range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	files, err := fs.Glob(pgstore.Migrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`); n != len(files) {
		t.Errorf("%d migrations recorded, want %d", n, len(files))
	}
}

func TestMigrateEmptyDatabaseConcurrently(t *testing.T) {
	t.Parallel()
	url := testenv.CreateDatabase(t, testenv.RandomName("orderbot_t_"), "")
	s, err := pgstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	if n := count(t, s, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN
		('customers', 'customer_addresses', 'staff', 'products', 'orders', 'order_lines', 'order_history', 'order_counters', 'notifications')`); n != 9 {
		t.Errorf("%d tables, want 9", n)
	}
}

func TestImportProducts(t *testing.T) {
	t.Parallel()
	s := pgstoretest.New(t)
	ctx := t.Context()
	if res := importCSV(t, s, catalog); res != (orders.ImportResult{Created: 4}) {
		t.Errorf("first import: %+v, want 4 created", res)
	}
	ps, err := s.Products(ctx, orders.ProductFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var skus []string
	for _, p := range ps {
		skus = append(skus, p.SKU)
	}
	if want := []string{"CH-100", "CH-200", "DESK-1", "SPARE-SCREWS"}; !reflect.DeepEqual(skus, want) {
		t.Errorf("products %v, want %v", skus, want)
	}
	ch := ps[0]
	want := orders.Product{SKU: "CH-100", NameEN: "Office chair", NameZH: "办公椅", Category: "chairs", Unit: "pcs",
		Price: ch.Price, OnHand: 10, Standard: true, Active: true,
		Options: []orders.Option{{Name: "colour", Values: []string{"black", "grey"}}, {Name: "size", Values: []string{"S", "M", "L"}}}}
	if !reflect.DeepEqual(ch, want) || !ch.Price.Equal(decimal.RequireFromString("199")) {
		t.Errorf("CH-100 = %+v (price %s), want %+v", ch, ch.Price, want)
	}

	// Reserve 4 chairs, then re-import: the stock is replaced, the reservation kept.
	if _, _, err := s.PlaceOrder(ctx, placeRequest("k1", 42, "CH-100", 4)); err != nil {
		t.Fatal(err)
	}
	res := importCSV(t, s, `sku,name_en,name_zh,category,unit,price,stock,standard,options
CH-100,Office chair II,办公椅,chairs,pcs,189.99,7,true,
LAMP-1,Lamp,台灯,lamps,pcs,30,5,true,
CH-200,Stool,凳子,chairs,pcs,45.50,100,true,
`)
	if res != (orders.ImportResult{Created: 1, Updated: 2}) {
		t.Errorf("re-import: %+v, want 1 created, 2 updated", res)
	}
	got, err := s.ProductsBySKU(ctx, []string{"CH-100", "LAMP-1", "NOPE"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("ProductsBySKU returned %d products, want 2", len(got))
	}
	c := got["CH-100"]
	if c.NameEN != "Office chair II" || !c.Price.Equal(decimal.RequireFromString("189.99")) || c.OnHand != 7 ||
		c.Reserved != 4 || len(c.Options) != 0 {
		t.Errorf("updated CH-100 = %+v", c)
	}
}

func TestImportBelowReservedFailsWhole(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	if _, _, err := s.PlaceOrder(ctx, placeRequest("k1", 42, "CH-100", 6)); err != nil {
		t.Fatal(err)
	}
	ps, err := orders.ParseCatalogCSV(strings.NewReader(`sku,name_en,name_zh,category,unit,price,stock,standard,options
NEW-1,New,,chairs,pcs,1,1,true,
CH-200,Stool,凳子,chairs,pcs,45.50,1,true,
CH-100,Office chair,办公椅,chairs,pcs,199.00,5,true,
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ImportProducts(ctx, ps)
	var ve *orders.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, orders.ErrInvalid) {
		t.Fatalf("import below reserved: %v, want a *orders.ValidationError", err)
	}
	if ve.Field != "stock" || !strings.Contains(ve.Reason, "CH-100") || !strings.Contains(ve.Reason, "6 units reserved") {
		t.Errorf("error %q does not name CH-100 and its 6 reserved units", err)
	}
	wantStock(t, s, "CH-100", 10, 6)
	wantStock(t, s, "CH-200", 100, 0)
	if m, _ := s.ProductsBySKU(ctx, []string{"NEW-1"}); len(m) != 0 {
		t.Error("NEW-1 was created by a failed import")
	}
	// Exactly the reserved units is fine.
	ps[2].OnHand = 6
	if _, err := s.ImportProducts(ctx, ps); err != nil {
		t.Fatalf("import of the reserved units: %v", err)
	}
	wantStock(t, s, "CH-100", 6, 6)
}

func TestImportProductsRejects(t *testing.T) {
	t.Parallel()
	s := pgstoretest.New(t)
	p := orders.Product{SKU: "A", NameEN: "A", Price: decimal.RequireFromString("1.00"), OnHand: 1, Active: true}
	for name, ps := range map[string][]orders.Product{
		"duplicate SKU":   {p, p},
		"three decimals":  {{SKU: "B", Price: decimal.RequireFromString("1.005")}},
		"negative price":  {{SKU: "B", Price: decimal.NewFromInt(-1)}},
		"negative stock":  {{SKU: "B", OnHand: -1}},
		"empty SKU":       {{NameEN: "x"}},
		"too large price": {{SKU: "B", Price: decimal.New(1, 10)}},
	} {
		if _, err := s.ImportProducts(t.Context(), ps); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM products`); n != 0 {
		t.Errorf("%d products after rejected imports", n)
	}
}

func TestConstraintsHoldForRawSQL(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	o, _, err := s.PlaceOrder(ctx, placeRequest("k1", 42, "CH-100", 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		stmt string
		code pqerror.Code
	}{
		{`UPDATE products SET reserved = on_hand + 1 WHERE sku = 'CH-100'`, pqerror.CheckViolation},
		{`UPDATE products SET on_hand = 1 WHERE sku = 'CH-100'`, pqerror.CheckViolation}, // 2 reserved
		{`UPDATE products SET on_hand = -1 WHERE sku = 'DESK-1'`, pqerror.CheckViolation},
		{`UPDATE products SET reserved = -1 WHERE sku = 'DESK-1'`, pqerror.CheckViolation},
		{`UPDATE products SET price = -0.01 WHERE sku = 'DESK-1'`, pqerror.CheckViolation},
		{`UPDATE order_lines SET quantity = 0`, pqerror.CheckViolation},
		{`UPDATE order_lines SET quantity = -3`, pqerror.CheckViolation},
		{`UPDATE order_lines SET sku = 'NOPE'`, pqerror.ForeignKeyViolation},
		{`UPDATE orders SET status = 'lost'`, pqerror.CheckViolation},
		{`UPDATE orders SET payment_status = 'maybe'`, pqerror.CheckViolation},
		{`UPDATE orders SET number = 'SO-1'`, pqerror.CheckViolation},
		{`INSERT INTO staff (telegram_id, name, role) VALUES (5, 'x', 'boss')`, pqerror.CheckViolation},
		{`UPDATE notifications SET status = 'lost'`, pqerror.CheckViolation},
		{fmt.Sprintf(`INSERT INTO orders (number, status, customer_id, total, wanted_date) VALUES ('%s', 'confirmed', %d, 1, '2026-12-05')`,
			o.Number, o.Customer.ID), pqerror.UniqueViolation},
	} {
		_, err := s.DB().ExecContext(ctx, tt.stmt)
		if pq.As(err, tt.code) == nil {
			t.Errorf("%s: %v, want %s", tt.stmt, err, tt.code.Name())
		}
	}
	wantStock(t, s, "CH-100", 10, 2)
}

func TestProductsFilter(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	importCSV(t, s, `sku,name_en,name_zh,category,unit,price,stock,standard,options
X_1,100% wool rug,地毯,rugs,pcs,1,1,true,
X21,Wool rug,,rugs,pcs,1,1,true,
`)
	if _, err := s.DB().ExecContext(ctx, `UPDATE products SET active = false WHERE sku = 'SPARE-SCREWS'`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		f    orders.ProductFilter
		want string
	}{
		{orders.ProductFilter{}, "CH-100 CH-200 DESK-1 X21 X_1"},
		{orders.ProductFilter{Category: "chairs"}, "CH-100 CH-200"},
		{orders.ProductFilter{Query: "CHAIR"}, "CH-100"},
		{orders.ProductFilter{Query: "ch-"}, "CH-100 CH-200"},
		{orders.ProductFilter{Query: "桌"}, "DESK-1"},
		{orders.ProductFilter{Query: "x_"}, "X_1"},
		{orders.ProductFilter{Query: "100%"}, "X_1"},
		{orders.ProductFilter{Query: "%"}, "X_1"},
		{orders.ProductFilter{Query: "screw"}, ""},
		{orders.ProductFilter{Category: "rugs", Query: "wool"}, "X21 X_1"},
		{orders.ProductFilter{Limit: 2, Offset: 1}, "CH-200 DESK-1"},
	} {
		ps, err := s.Products(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.SKU)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("Products(%+v) = %v, want %s", tt.f, got, tt.want)
		}
	}
	cats, err := s.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"chairs", "desks", "rugs"}; !reflect.DeepEqual(cats, want) {
		t.Errorf("Categories = %v, want %v", cats, want)
	}
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	s := pgstoretest.New(t)
	ctx := t.Context()
	if _, err := s.Customer(ctx, 7); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("Customer of nobody: %v, want ErrNotFound", err)
	}
	c, err := s.SaveCustomer(ctx, orders.Customer{TelegramID: 7, Name: "Han Meimei", Phone: "+86 139 0000 1111",
		Language: "zh", Addresses: []string{"a1", "a2"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || !reflect.DeepEqual(c.Addresses, []string{"a1", "a2"}) {
		t.Errorf("saved %+v", c)
	}
	for i := 3; i <= 7; i++ {
		c.Addresses = []string{fmt.Sprintf("a%d", i)}
		if c, err = s.SaveCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	c.Addresses = []string{"a2", " ", "a2"} // used again: the most recent
	c.Company = "Acme"
	if _, err = s.SaveCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Customer(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := orders.Customer{ID: c.ID, TelegramID: 7, Name: "Han Meimei", Phone: "+86 139 0000 1111", Company: "Acme",
		Language: "zh", Addresses: []string{"a2", "a7", "a6", "a5", "a4"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Customer = %+v\nwant %+v", got, want)
	}

	// A customer a rep registered has no Telegram id: inserted, then updated by ID.
	walkIn, err := s.SaveCustomer(ctx, orders.Customer{Name: "Walk-in Wang", Phone: "021-5555-0100"})
	if err != nil {
		t.Fatal(err)
	}
	walkIn.Company = "Wang Trading"
	if again, err := s.SaveCustomer(ctx, walkIn); err != nil || again.ID != walkIn.ID || again.Company != "Wang Trading" {
		t.Errorf("update by ID: %+v, %v", again, err)
	}
	if _, err := s.SaveCustomer(ctx, orders.Customer{ID: walkIn.ID + 100}); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("update of an unknown ID: %v, want ErrNotFound", err)
	}

	for _, tt := range []struct {
		text  string
		limit int
		want  string
	}{
		{"meimei", 0, "Han Meimei"},
		{"139 0000", 0, "Han Meimei"},
		{"13900001111", 0, "Han Meimei"},
		{"55550100", 0, "Walk-in Wang"},
		{"%", 0, ""},
		{"", 0, "Han Meimei,Walk-in Wang"},
		{"", 1, "Han Meimei"},
	} {
		cs, err := s.FindCustomers(ctx, tt.text, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		if strings.Join(names, ",") != tt.want {
			t.Errorf("FindCustomers(%q, %d) = %v, want %s", tt.text, tt.limit, names, tt.want)
		}
	}
}

func TestStaff(t *testing.T) {
	t.Parallel()
	s := pgstoretest.New(t)
	ctx := t.Context()
	if _, err := s.Staff(ctx, 1); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("Staff of nobody: %v, want ErrNotFound", err)
	}
	rep, err := s.SaveStaff(ctx, orders.Staff{TelegramID: 1, Name: "Zhang", Role: orders.RoleRep, Active: true})
	if err != nil || rep.ID == 0 {
		t.Fatalf("SaveStaff: %+v, %v", rep, err)
	}
	if _, err := s.SaveStaff(ctx, orders.Staff{TelegramID: 2, Name: "Boss", Role: orders.RoleManager, Active: true}); err != nil {
		t.Fatal(err)
	}
	rep.Role, rep.Active = orders.RoleManager, false
	if got, err := s.SaveStaff(ctx, rep); err != nil || got != rep {
		t.Fatalf("update: %+v, %v; want %+v", got, err, rep)
	}
	if got, err := s.Staff(ctx, 1); err != nil || got != rep {
		t.Errorf("Staff = %+v, %v; want %+v", got, err, rep)
	}
	if _, err := s.SaveStaff(ctx, orders.Staff{TelegramID: 3, Role: "boss"}); !errors.Is(err, orders.ErrInvalid) {
		t.Errorf("bad role: %v, want ErrInvalid", err)
	}
	all, err := s.ListStaff(ctx, false)
	if err != nil || len(all) != 2 || all[0].Name != "Boss" {
		t.Errorf("ListStaff(false) = %+v, %v", all, err)
	}
	active, err := s.ListStaff(ctx, true)
	if err != nil || len(active) != 1 || active[0].TelegramID != 2 {
		t.Errorf("ListStaff(true) = %+v, %v", active, err)
	}
}
