package orders

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultCatalogTTL is how long a product read from the store serves the dialog's quotes.
const DefaultCatalogTTL = 2 * time.Second

// catalog keeps the products and categories recently read from the store, so that the
// quotes the dialog shows at almost every step (the cart, the earliest date, the summary)
// do not each read the database.
//
// What it serves may be up to ttl old: a price, a product's stock or its being active as
// they were a moment ago. That is only ever shown: placing an order reads the products
// afresh, refuses anything other than what the customer saw, and reserves the stock in the
// database. Changes made through the Service (an import, a placement) take effect at once;
// those made by another process after ttl. A non-positive ttl turns the cache off.
type catalog struct {
	ttl   time.Duration
	clock func() time.Time // wall time, not the business clock, which tests may stop

	mu         sync.Mutex
	products   map[string]cachedProduct
	categories []string
	catAt      time.Time
	// epoch counts what was forgotten: a read begun before a forget does not keep what
	// it read, which may predate the change that made the cache forget.
	epoch uint64
}

type cachedProduct struct {
	p  Product
	at time.Time
}

func newCatalog(ttl time.Duration) *catalog {
	return &catalog{ttl: ttl, clock: time.Now, products: map[string]cachedProduct{}}
}

// productsBySKU returns the products of skus that exist, from the cache where fresh.
func (c *catalog) productsBySKU(ctx context.Context, store Store, skus []string) (map[string]Product, error) {
	if c.ttl <= 0 {
		return store.ProductsBySKU(ctx, skus)
	}
	out := make(map[string]Product, len(skus))
	var missing []string
	now := c.clock()
	c.mu.Lock()
	epoch := c.epoch
	for _, sku := range skus {
		if e, ok := c.products[sku]; ok && now.Sub(e.at) < c.ttl {
			out[sku] = e.p
		} else if !slices.Contains(missing, sku) {
			missing = append(missing, sku)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	read, err := store.ProductsBySKU(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.put(read, now, epoch)
	for sku, p := range read {
		out[sku] = p
	}
	return out, nil
}

// refresh reads the products of skus from the store, whatever the cache holds, and keeps
// them.
func (c *catalog) refresh(ctx context.Context, store Store, skus []string) (map[string]Product, error) {
	at := c.clock()
	c.mu.Lock()
	epoch := c.epoch
	c.mu.Unlock()
	ps, err := store.ProductsBySKU(ctx, skus)
	if err != nil {
		return nil, err
	}
	c.put(ps, at, epoch)
	return ps, nil
}

// put stores products read at time at, unless the cache forgot anything since epoch.
func (c *catalog) put(ps map[string]Product, at time.Time, epoch uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	for sku, p := range ps {
		if e, ok := c.products[sku]; !ok || !e.at.After(at) {
			c.products[sku] = cachedProduct{p, at}
		}
	}
}

// forget drops the named products.
func (c *catalog) forget(skus ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, sku := range skus {
		delete(c.products, sku)
	}
}

// forgetAll drops every product and the categories.
func (c *catalog) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	clear(c.products)
	c.categories, c.catAt = nil, time.Time{}
}

// categoryList returns the catalog's categories, from the cache where fresh.
func (c *catalog) categoryList(ctx context.Context, store Store) ([]string, error) {
	if c.ttl <= 0 {
		return store.Categories(ctx)
	}
	now := c.clock()
	c.mu.Lock()
	if c.categories != nil && now.Sub(c.catAt) < c.ttl {
		cats := slices.Clone(c.categories)
		c.mu.Unlock()
		return cats, nil
	}
	epoch := c.epoch
	c.mu.Unlock()
	cats, err := store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.epoch == epoch {
		c.categories, c.catAt = slices.Clone(cats), now
	}
	c.mu.Unlock()
	return cats, nil
}

// stockWatch is the Service's store: every write that may change a product's stock, price
// or state drops what the catalog cache holds of it.
type stockWatch struct {
	Store
	catalog *catalog
}

func (w stockWatch) ImportProducts(ctx context.Context, ps []Product) (ImportResult, error) {
	defer w.catalog.forgetAll()
	return w.Store.ImportProducts(ctx, ps)
}

func (w stockWatch) PlaceOrder(ctx context.Context, req PlaceRequest) (Order, bool, error) {
	skus := make([]string, 0, len(req.Order.Lines))
	for _, l := range req.Order.Lines {
		skus = append(skus, l.SKU)
	}
	defer w.catalog.forget(skus...)
	return w.Store.PlaceOrder(ctx, req)
}

func (w stockWatch) TransitionOrder(ctx context.Context, req TransitionRequest) (Order, error) {
	defer w.catalog.forgetAll()
	return w.Store.TransitionOrder(ctx, req)
}

func (w stockWatch) DecideChange(ctx context.Context, req DecideChangeRequest) (ChangeRequest, Order, error) {
	defer w.catalog.forgetAll()
	return w.Store.DecideChange(ctx, req)
}

func (w stockWatch) UpdateOrder(ctx context.Context, key, number string, from Status, apply ChangeApply, actor string, ns []Notification) (Order, error) {
	defer w.catalog.forgetAll()
	return w.Store.UpdateOrder(ctx, key, number, from, apply, actor, ns)
}
