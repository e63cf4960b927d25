package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

// catalog is a small catalog: CH-100 has 10 units on hand, DESK-1 is made to order.
const catalog = `sku,name_en,name_zh,category,unit,price,stock,standard,options
CH-100,Office chair,办公椅,chairs,pcs,199.00,10,true,colour=black|grey;size=S|M|L
CH-200,Stool,凳子,chairs,pcs,45.50,100,true,
DESK-1,Oak desk,橡木桌,desks,pcs,1250.00,0,false,finish=oak|walnut
SPARE-SCREWS,Screw set,螺丝套装,spares,set,2.00,1000,true,
`

// orderDay is the day of the orders of the tests.
func orderDay() orders.Date { return orders.Date{Year: 2026, Month: time.December, Day: 5} }

// setup returns a store on a fresh database holding catalog.
func setup(t *testing.T) (*pgstore.Store, context.Context) {
	t.Helper()
	s := pgstoretest.New(t)
	ctx := t.Context()
	importCSV(t, s, catalog)
	return s, ctx
}

func importCSV(t *testing.T, s *pgstore.Store, csv string) orders.ImportResult {
	t.Helper()
	ps, err := orders.ParseCatalogCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("ParseCatalogCSV: %v", err)
	}
	res, err := s.ImportProducts(t.Context(), ps)
	if err != nil {
		t.Fatalf("ImportProducts: %v", err)
	}
	return res
}

// placeRequest is a placement by customer telegramID of quantity units of sku from stock.
func placeRequest(key string, telegramID int64, sku string, quantity int) orders.PlaceRequest {
	price := decimal.RequireFromString("199.00")
	day := orderDay()
	return orders.PlaceRequest{
		Key: key,
		Day: day,
		Order: orders.Order{
			Status:        orders.StatusConfirmed,
			PaymentStatus: orders.PaymentUnpaid,
			Customer: orders.Customer{
				TelegramID: telegramID, Name: "Li Lei", Phone: "+86 138-0013-8000", Language: "zh",
			},
			Lines: []orders.Line{{
				SKU: sku, Name: "Office chair", Variant: "colour=black;size=M", Quantity: quantity, Unit: "pcs",
				UnitPrice: price, FromStock: true,
			}},
			Total:           price.Mul(decimal.NewFromInt(int64(quantity))),
			DepositDue:      decimal.Zero,
			DeliveryAddress: "1 Renmin Road, Shanghai",
			WantedDate:      day.AddDays(3),
			PromisedDate:    day.AddDays(3),
			EstimatedDate:   day.AddDays(2),
			PaymentMethod:   "bank_transfer",
			Source:          "customer",
			CreatedAt:       time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC),
			ApprovedAt:      time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC),
		},
		Approver: "customer:42",
		Notifications: []orders.Notification{
			{Kind: "order_placed", ChatID: telegramID, Key: "placed:" + key, Payload: []byte(`{"note":"thanks"}`)},
			{Kind: "review_requested", Key: "review:" + key},
		},
	}
}

// stock returns the on-hand and reserved units of sku.
func stock(t *testing.T, s *pgstore.Store, sku string) (onHand, reserved int) {
	t.Helper()
	ps, err := s.ProductsBySKU(t.Context(), []string{sku})
	if err != nil {
		t.Fatalf("ProductsBySKU: %v", err)
	}
	p, ok := ps[sku]
	if !ok {
		t.Fatalf("product %s not found", sku)
	}
	return p.OnHand, p.Reserved
}

func wantStock(t *testing.T, s *pgstore.Store, sku string, onHand, reserved int) {
	t.Helper()
	if h, r := stock(t, s, sku); h != onHand || r != reserved {
		t.Errorf("%s: on hand %d, reserved %d; want %d, %d", sku, h, r, onHand, reserved)
	}
}

func count(t *testing.T, s *pgstore.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().GetContext(t.Context(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
