package orders_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

const catalogCSV = `sku,name_en,name_zh,category,unit,price,stock,standard,options
CH-1,Chair,椅子,chairs,pcs,10.00,5,true,
`

// catalogService returns a Service with the catalog cache's ttl over a fresh database
// holding catalogCSV, and the database's store.
func catalogService(t *testing.T, ttl time.Duration) (*orders.Service, *pgstore.Store) {
	t.Helper()
	st := pgstoretest.New(t)
	ps, err := orders.ParseCatalogCSV(strings.NewReader(catalogCSV))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportProducts(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	return orders.NewService(st, orders.DefaultRules(), orders.WithCatalogTTL(ttl)), st
}

func onHand(t *testing.T, s *orders.Service) int {
	t.Helper()
	p, err := s.Product(t.Context(), "CH-1")
	if err != nil {
		t.Fatal(err)
	}
	return p.OnHand
}

func setOnHand(t *testing.T, st *pgstore.Store, n int) {
	t.Helper()
	if _, err := st.DB().Exec(`UPDATE products SET on_hand = $1 WHERE sku = 'CH-1'`, n); err != nil {
		t.Fatal(err)
	}
}

// The dialog's quotes are served from the cache for its TTL; a change made through the
// Service shows at once, one made elsewhere after the TTL.
func TestCatalogCache(t *testing.T) {
	t.Parallel()
	s, st := catalogService(t, time.Hour)
	ctx := t.Context()
	if n := onHand(t, s); n != 5 {
		t.Fatalf("on hand %d, want 5", n)
	}
	setOnHand(t, st, 7) // elsewhere: another process, or SQL
	if n := onHand(t, s); n != 5 {
		t.Errorf("on hand %d within the TTL, want the cached 5", n)
	}
	q, err := s.Quote(ctx, orders.Draft{Lines: []orders.DraftLine{{SKU: "CH-1", Quantity: 6}}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Lines[0].FromStock {
		t.Error("the quote used the database, not the cache: 6 of 5 cached units ship from stock")
	}

	// An import through the Service drops the cache.
	p, _ := s.Product(ctx, "CH-1")
	p.OnHand = 9
	if _, err := s.ImportProducts(ctx, []orders.Product{p}); err != nil {
		t.Fatal(err)
	}
	if n := onHand(t, s); n != 9 {
		t.Errorf("on hand %d after an import, want 9", n)
	}
	p.Active = false
	if _, err := s.ImportProducts(ctx, []orders.Product{p}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Product(ctx, "CH-1"); !errors.Is(err, orders.ErrInactive) {
		t.Errorf("Product after deactivation: %v, want ErrInactive", err)
	}
}

func TestCatalogCacheExpires(t *testing.T) {
	t.Parallel()
	s, st := catalogService(t, 20*time.Millisecond)
	onHand(t, s)
	setOnHand(t, st, 7)
	time.Sleep(40 * time.Millisecond)
	if n := onHand(t, s); n != 7 {
		t.Errorf("on hand %d after the TTL, want 7", n)
	}
}

func TestCatalogCacheOff(t *testing.T) {
	t.Parallel()
	s, st := catalogService(t, 0)
	onHand(t, s)
	setOnHand(t, st, 7)
	if n := onHand(t, s); n != 7 {
		t.Errorf("on hand %d without a cache, want 7", n)
	}
}

// Placing reads the products afresh: an order quoted from a stale cache is refused with
// the shortage, never placed, and the cache forgets the product.
func TestPlaceReadsTheCatalogAfresh(t *testing.T) {
	t.Parallel()
	s, st := catalogService(t, time.Hour)
	ctx := t.Context()
	d := quotedDraft(t, s, "draft-1", 3)
	setOnHand(t, st, 1) // elsewhere, while the cache still says 5
	_, _, err := s.Place(ctx, d, "customer:42")
	var short *orders.StockShortage
	if !errors.As(err, &short) {
		t.Fatalf("Place: %v, want a shortage", err)
	}
	if n := onHand(t, s); n != 1 {
		t.Errorf("on hand %d after the refused placement, want the fresh 1", n)
	}
}

// quotedDraft is customer 42's draft of quantity CH-1 under key, quoted by s, for a
// delivery a week after the earliest.
func quotedDraft(t *testing.T, s *orders.Service, key string, quantity int) orders.Draft {
	t.Helper()
	d := orders.Draft{
		Key:           key,
		Customer:      orders.Customer{TelegramID: 42, Name: "李雷", Phone: "+8613800138000"},
		Lines:         []orders.DraftLine{{SKU: "CH-1", Quantity: quantity}},
		Address:       "上海市人民路1号",
		PaymentMethod: "bank_transfer",
	}
	q, err := s.Quote(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	d.WantedDate, d.Seen = q.Earliest.AddDays(7), q.Fingerprint()
	return d
}

// slowReads lets a test hold a product read after it read the database.
type slowReads struct {
	*pgstore.Store
	read, release chan struct{}
}

func (s slowReads) ProductsBySKU(ctx context.Context, skus []string) (map[string]orders.Product, error) {
	ps, err := s.Store.ProductsBySKU(ctx, skus)
	if s.read != nil {
		s.read <- struct{}{}
		<-s.release
	}
	return ps, err
}

// A read that began before an import does not keep what it read in the cache.
func TestCatalogCacheKeepsNoReadOlderThanAChange(t *testing.T) {
	t.Parallel()
	_, st := catalogService(t, 0)
	slow := slowReads{Store: st, read: make(chan struct{}), release: make(chan struct{})}
	s := orders.NewService(slow, orders.DefaultRules(), orders.WithCatalogTTL(time.Hour))
	ctx := t.Context()
	done := make(chan int)
	go func() { done <- onHand(t, s) }()
	<-slow.read // it read 5 units
	p, err := st.ProductsBySKU(ctx, []string{"CH-1"})
	if err != nil {
		t.Fatal(err)
	}
	changed := p["CH-1"]
	changed.OnHand = 9
	if _, err := s.ImportProducts(ctx, []orders.Product{changed}); err != nil {
		t.Fatal(err)
	}
	slow.release <- struct{}{}
	if n := <-done; n != 5 {
		t.Fatalf("the read in flight found %d, want 5", n)
	}
	go func() { <-slow.read; slow.release <- struct{}{} }()
	if n := onHand(t, s); n != 9 {
		t.Errorf("on hand %d after the import, want 9: the older read was kept", n)
	}
}

// A Confirm repeated after its order was placed gets that order, never a second one:
// when the quote made again still holds (the store finds the key) and when it no longer
// does because the first order took the last units (a shortage that is the order's own).
func TestRepeatedPlaceGetsTheFirstOrder(t *testing.T) {
	t.Parallel()
	s, st := catalogService(t, 0)
	ctx := t.Context()
	for _, c := range []struct {
		name     string
		key      string
		quantity int // of the 5 on hand
	}{
		{"the quote still holds", "draft-some", 1},
		{"the order took the last units", "draft-all", 4},
	} {
		d := quotedDraft(t, s, c.key, c.quantity)
		first, created, err := s.Place(ctx, d, "customer:42")
		if err != nil || !created {
			t.Fatalf("%s: first Place: %v (created %v)", c.name, err, created)
		}
		again, created, err := s.Place(ctx, d, "customer:42")
		if err != nil || created || again.Number != first.Number {
			t.Errorf("%s: repeated Place: %s, created %v, %v; want %s again", c.name, again.Number, created, err, first.Number)
		}
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM orders`); err != nil || n != 2 {
		t.Errorf("%d orders (%v), want 2", n, err)
	}
}
