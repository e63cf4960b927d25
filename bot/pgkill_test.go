package bot_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// PostgreSQL is killed as the customer presses Confirm and is back 3 s later: the update is
// handled once the database answers again, exactly one order is placed, and the customer
// is told its number. The test runs its own PostgreSQL cluster, on its own port.
func TestPostgresKilledAtConfirmMakesOneOrder(t *testing.T) {
	t.Parallel()
	pg := testenv.StartCluster(t)
	ctx := context.Background()
	st, err := pgstore.Open(ctx, pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	bed := testbed.NewOn(t, st)
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	c := newChat(t, tg.Server, 1401, "en")
	toSummary(c, "CHAIR-100", "grey", "4")

	pg.Kill()
	c.press("Confirm")
	time.Sleep(3 * time.Second)
	pg.Start()

	m := c.expect("is confirmed")
	number := regexp.MustCompile(`SO-\d{8}-\d{4}`).FindString(m.Text)
	if number == "" {
		t.Fatalf("the customer was not told the order's number: %q", m.Text)
	}
	os, err := bed.Service.Orders(ctx, orders.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(os) != 1 || os[0].Number != number {
		t.Fatalf("%d orders after the database came back, want exactly %s", len(os), number)
	}
	if p, err := bed.Service.Product(ctx, "CHAIR-100"); err != nil || p.Reserved != 4 {
		t.Errorf("reserved %d (%v), want 4", p.Reserved, err)
	}
	// Nothing more arrives: the update is not handled a second time.
	c.send("/myorders")
	if got := c.expect("Your orders"); len(got.InlineKeyboard) != 1 {
		t.Errorf("my orders shows %d orders, want 1", len(got.InlineKeyboard))
	}
}
