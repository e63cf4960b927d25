package pgstore

import (
	"context"

	"github.com/lib/pq"

	"github.com/orderbot/orderbot/orders"
)

// The reads on the dialog's path of nearly every order, products by SKU and a customer by
// Telegram id, are made for concurrent chats by one statement (internal/batch: while one
// statement runs, the reads that come meanwhile wait for the next, which answers them all).
// A read is answered by a statement that began after it was asked, so it sees every write
// committed before it. Under load this saves most of these statements' round trips, which
// cost PostgreSQL more in the kernel than the statements themselves.

// maxBatchedReads bounds the reads one statement answers.
const maxBatchedReads = 128

// productRead is the answer to one read of products: those of its SKUs that exist, or
// the error of one of them (a row that cannot be read fails only the reads that ask for it).
type productRead struct {
	m   map[string]orders.Product
	err error
}

// readProducts answers each request (a list of SKUs) with the products among them that
// exist, active or not.
func (s *Store) readProducts(ctx context.Context, reqs [][]string) ([]productRead, error) {
	var skus []string
	seen := map[string]bool{}
	for _, r := range reqs {
		for _, k := range r {
			if !seen[k] {
				seen[k] = true
				skus = append(skus, k)
			}
		}
	}
	var rows []productRow
	err := s.db.SelectContext(ctx, &rows,
		`SELECT `+productColumns+` FROM products WHERE sku = ANY($1)`, pq.Array(skus))
	if err != nil {
		return nil, err
	}
	all := make(map[string]orders.Product, len(rows))
	bad := map[string]error{}
	for _, r := range rows {
		p, err := r.product()
		if err != nil {
			bad[r.SKU] = err
			continue
		}
		all[p.SKU] = p
	}
	out := make([]productRead, len(reqs))
	for i, r := range reqs {
		m := make(map[string]orders.Product, len(r))
		for _, k := range r {
			if err := bad[k]; err != nil {
				out[i].err = err
				break
			}
			if p, ok := all[k]; ok {
				m[k] = p
			}
		}
		if out[i].err == nil {
			out[i].m = m
		}
	}
	return out, nil
}

// customerRead is the answer to one customer read: the customer, when there is one.
type customerRead struct {
	c     orders.Customer
	found bool
}

// readCustomers reads the customers with the Telegram ids, with their latest addresses.
func (s *Store) readCustomers(ctx context.Context, ids []int64) ([]customerRead, error) {
	var rows []struct {
		customerRow
		Addresses pq.StringArray `db:"addresses"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT `+customerColumns+`, ARRAY(
			SELECT a.address FROM customer_addresses a WHERE a.customer_id = customers.id
			ORDER BY a.last_used_at DESC, a.id DESC LIMIT $2) AS addresses
		FROM customers WHERE telegram_id = ANY($1)`, pq.Array(ids), maxAddresses)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]orders.Customer, len(rows))
	for _, r := range rows {
		c := r.customer()
		if len(r.Addresses) > 0 {
			c.Addresses = r.Addresses
		}
		byID[c.TelegramID] = c
	}
	out := make([]customerRead, len(ids))
	for i, id := range ids {
		c, ok := byID[id]
		out[i] = customerRead{c: c, found: ok}
	}
	return out, nil
}
