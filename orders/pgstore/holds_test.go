package pgstore_test

import (
	"errors"
	"testing"

	"github.com/orderbot/orderbot/orders"
)

// A placement holds its stock in a statement of its own before its transaction
// (migration 0075). A hold whose placement died (the process was killed between the two)
// keeps its units from others while it may still be in flight, and gives them back once
// it is stale and a placement finds the product short.
func TestStockHoldOfADeadPlacement(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	var hold int64
	if err := s.DB().GetContext(ctx, &hold, `SELECT hold FROM begin_placement('dead', '2026-12-05', ARRAY['CH-100'], ARRAY[10])`); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "CH-100", 10, 10)

	_, _, err := s.PlaceOrder(ctx, placeRequest("alive", 43, "CH-100", 4))
	var short *orders.StockShortage
	if !errors.As(err, &short) {
		t.Fatalf("placing while the units are held: %v; want a stock shortage", err)
	}
	if n := count(t, s, `SELECT count(*) FROM orders`); n != 0 {
		t.Errorf("%d orders after the shortage, want 0", n)
	}
	if n := count(t, s, `SELECT count(*) FROM stock_holds WHERE id <> $1`, hold); n != 0 {
		t.Errorf("%d holds left by the refused placement, want 0", n)
	}

	if _, err := s.DB().ExecContext(ctx, `UPDATE stock_holds SET created_at = now() - interval '11 minutes'`); err != nil {
		t.Fatal(err)
	}
	o, created, err := s.PlaceOrder(ctx, placeRequest("alive", 43, "CH-100", 4))
	if err != nil || !created {
		t.Fatalf("placing once the dead hold is stale: created %v, %v", created, err)
	}
	wantStock(t, s, "CH-100", 10, 4)
	if n := count(t, s, `SELECT count(*) FROM stock_holds`); n != 0 {
		t.Errorf("%d holds after the order took its own over, want 0", n)
	}
	// The same key again: the order placed, no hold, no number drawn.
	again, created, err := s.PlaceOrder(ctx, placeRequest("alive", 43, "CH-100", 4))
	if err != nil || created || again.Number != o.Number {
		t.Errorf("placed again: %s created %v, %v; want %s, not created", again.Number, created, err, o.Number)
	}
	wantStock(t, s, "CH-100", 10, 4)
}

// An order whose hold was released before its transaction took it over (it went stale)
// is not written: it never takes units nobody holds for it.
func TestOrderWithoutItsHoldIsNotWritten(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	// Every release of a hold, even a fresh one, as if each were stale: the placement's
	// own hold disappears while it runs, before its order is inserted.
	if _, err := s.DB().ExecContext(ctx, `
		CREATE FUNCTION steal_holds() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM release_stale_stock_holds(interval '-1 hour');
			RETURN NEW;
		END $$;
		CREATE TRIGGER steal_holds BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION steal_holds();`); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.PlaceOrder(ctx, placeRequest("k", 43, "CH-100", 4))
	if !errors.Is(err, orders.ErrConflict) {
		t.Fatalf("placing without a hold: %v; want a conflict", err)
	}
	if n := count(t, s, `SELECT count(*) FROM orders`); n != 0 {
		t.Errorf("%d orders, want 0", n)
	}
	wantStock(t, s, "CH-100", 10, 0)
}
