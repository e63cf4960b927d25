package main

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// placeDemoOrder places two classic chairs from stock as a customer would.
func placeDemoOrder(t *testing.T, c *cli) {
	t.Helper()
	placeOrderFor(t, c, "k1", orders.Customer{TelegramID: 7, Name: "Wei", Phone: "+8613800138000"})
}

// placeOrderFor places two classic chairs from stock for the customer, under key.
func placeOrderFor(t *testing.T, c *cli, key string, cu orders.Customer) {
	t.Helper()
	ctx := context.Background()
	st, err := pgstore.Open(ctx, c.vars["ORDERBOT_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
	svc := orders.NewService(st, orders.DefaultRules(), orders.WithLocation(loc), orders.WithClock(func() time.Time { return now }))
	_, _, err = svc.Place(ctx, orders.Draft{
		Key: key, Customer: cu,
		Lines:   []orders.DraftLine{{SKU: "CHAIR-100", Variant: "colour=black", Quantity: 2}},
		Address: "1 Century Avenue", WantedDate: orders.Date{Year: 2026, Month: 12, Day: 10}, PaymentMethod: "alipay",
		Notes: "Please call before delivery",
	}, orders.CustomerActor(cu.TelegramID).String())
	if err != nil {
		t.Fatal(err)
	}
}

func envOr(name string) string { return os.Getenv(name) }

// syncWriter serializes writes of concurrent goroutines (the server's logs).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
