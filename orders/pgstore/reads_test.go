package pgstore_test

import (
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

// The store's pool holds twice the CPUs and two more connections (README, Performance):
// more backends than that contend on a small server instead of adding throughput.
func TestPoolIsSizedByTheCPUs(t *testing.T) {
	s := pgstoretest.New(t)
	if got, want := s.DB().Stats().MaxOpenConnections, 2*runtime.NumCPU()+2; got != want {
		t.Errorf("pool of %d connections, want %d on %d CPUs", got, want, runtime.NumCPU())
	}
}

// Products and customers read by many chats at once (answered together, by shared
// statements) come back to each reader as its own answer: its products and none other,
// its customer with the latest addresses, or not found.
func TestConcurrentReadsGetTheirOwnAnswers(t *testing.T) {
	s, ctx := setup(t)
	all, err := s.ProductsBySKU(ctx, []string{"CH-100", "CH-200", "DESK-1"})
	if err != nil || len(all) != 3 {
		t.Fatalf("products: %v, %v", all, err)
	}
	for id := int64(1); id <= 10; id++ {
		c := orders.Customer{TelegramID: id, Name: fmt.Sprintf("客户%d", id), Addresses: []string{fmt.Sprintf("上海市%d号", id)}}
		if _, err := s.SaveCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	asks := [][]string{{"CH-200"}, {"DESK-1", "NOPE"}, {"CH-100", "CH-200"}, {"NOPE"}, {"DESK-1"}}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 100 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			ask := asks[i%len(asks)]
			got, err := s.ProductsBySKU(ctx, ask)
			if err != nil {
				errs <- err
				return
			}
			var want []string
			for _, k := range ask {
				if _, ok := all[k]; ok {
					want = append(want, k)
				}
			}
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, slices.Sorted(slices.Values(want))) {
				errs <- fmt.Errorf("products of %v: got %v", ask, keys)
			}
			for k, p := range got {
				if p.NameZH != all[k].NameZH || p.OnHand != all[k].OnHand || !p.Price.Equal(all[k].Price) {
					errs <- fmt.Errorf("product %s: got %+v", k, p)
				}
			}
		}()
		go func() {
			defer wg.Done()
			id := int64(i%15 + 1) // 11..15 are nobody
			c, err := s.Customer(ctx, id)
			switch {
			case id > 10 && !errors.Is(err, orders.ErrNotFound):
				errs <- fmt.Errorf("customer %d: %v, %v; want not found", id, c, err)
			case id <= 10 && err != nil:
				errs <- fmt.Errorf("customer %d: %v", id, err)
			case id <= 10 && (c.TelegramID != id || c.Name != fmt.Sprintf("客户%d", id) ||
				!slices.Equal(c.Addresses, []string{fmt.Sprintf("上海市%d号", id)})):
				errs <- fmt.Errorf("customer %d: got %+v", id, c)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
