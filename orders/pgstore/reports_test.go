package pgstore_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func fixtureReports(t *testing.T) (*orders.Reports, context.Context) {
	t.Helper()
	s, ctx := setup(t)
	pgstoretest.ReportFixture(t, s)
	loc := shanghai(t)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, loc)
	return orders.NewReports(s, orders.DefaultRules(), orders.WithLocation(loc), orders.WithClock(func() time.Time { return now })), ctx
}

func TestReportFixture(t *testing.T) {
	t.Parallel()
	r, ctx := fixtureReports(t)
	manager := orders.Actor{Kind: orders.ActorStaff, TelegramID: 9001, Role: orders.RoleManager}
	rep, err := r.Report(ctx, manager, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Period.String() != "2026-11-01..2026-11-30" || rep.Previous.String() != "2026-10-01..2026-10-31" {
		t.Errorf("periods %s vs %s", rep.Period, rep.Previous)
	}
	g := rep.Current
	money := func(name string, got decimal.Decimal, want string) {
		t.Helper()
		if !got.Equal(dec(want)) {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	ints := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// Sales: SO-1 398 + SO-2 1250 + SO-5 597 (SO-3 and SO-4 cancelled, SO-6 is December's).
	money("sales", g.Sales, "2245")
	ints("orders", g.Orders, 3)
	ints("units", g.Units, 6) // 2 + 1 + 3; SO-2's free screws do not count
	money("average order", g.AverageOrder, "748.33")
	// By day: 11-01 SO-2 (placed 00:30 local), 11-02 SO-1, 11-30 SO-5 (23:59 local).
	ints("days", len(g.ByDay), 30)
	money("11-01", g.ByDay[0].Amount, "1250")
	money("11-02", g.ByDay[1].Amount, "398")
	money("11-30", g.ByDay[29].Amount, "597")
	ints("11-30 units", g.ByDay[29].Units, 3)
	money("11-15", g.ByDay[14].Amount, "0") // SO-3 cancelled
	ints("top products", []string{g.TopProducts[0].SKU, g.TopProducts[1].SKU}, []string{"DESK-1", "CH-100"})
	money("CH-100", g.TopProducts[1].Amount, "995")
	ints("CH-100 units and orders", []int{g.TopProducts[1].Units, g.TopProducts[1].Orders}, []int{5, 2})
	ints("categories", []string{g.Categories[0].Category, g.Categories[1].Category}, []string{"desks", "chairs"})
	ints("reps", []int64{g.Reps[0].Rep, g.Reps[1].Rep, g.Reps[2].Rep}, []int64{7002, 0, 7001})
	ints("rep names", []string{g.Reps[0].Name, g.Reps[2].Name}, []string{"Zhao", "Wang"})
	ints("rep units", []int{g.Reps[0].Units, g.Reps[1].Units, g.Reps[2].Units}, []int{1, 3, 2})
	ints("customers", []string{g.TopCustomers[0].Name, g.TopCustomers[1].Name, g.TopCustomers[2].Name}, []string{"Bob", "Carol", "Alice"})
	ints("sources", []string{g.Sources[0].Source, g.Sources[1].Source}, []string{"rep", "customer"})
	money("chat sales", g.Sources[1].Amount, "995")
	// Cancellation: 2 of the 5 placed, one reason given twice.
	ints("cancellation", g.Cancellation, orders.Rate{Num: 2, Den: 5})
	ints("reasons", g.CancelReasons, []orders.ReasonCount{{Reason: "Customer changed mind", Count: 2}})
	// Accuracy: confirmed SO-1, SO-2, SO-3 (then cancelled), SO-5; SO-2 changed.
	ints("accuracy", g.Accuracy, orders.Rate{Num: 3, Den: 4})
	// On time: SO-1 on its promised day; SO-2 Fri → Tue: Mon and Tue, 2 working days late.
	ints("on time", g.OnTime, orders.Rate{Num: 1, Den: 2})
	ints("late", g.Late, 1)
	ints("delay", g.AverageDelay, 2.0)
	// Review: 90 min (SO-2) and 300 min (SO-4): median 90, p90 300, one over 4 h.
	ints("reviewed", g.Reviewed, 2)
	ints("review median", g.ReviewMedian, 90*time.Minute)
	ints("review p90", g.ReviewP90, 300*time.Minute)
	ints("review over SLA", g.ReviewOverSLA, 1)
	// Collections of SO-1, SO-2, SO-5: deposits due 375, collected 375; balances due
	// 2245 - 375 = 1870, collected 398 + 375 - 375 = 398.
	money("deposit due", g.DepositDue, "375")
	money("deposit collected", g.DepositCollected, "375")
	money("balance due", g.BalanceDue, "1870")
	money("balance collected", g.BalanceCollected, "398")
	// Satisfaction of the delivered: 5 and 3.
	ints("ratings", g.Ratings, [5]int{0, 0, 1, 0, 1})
	ints("satisfaction", g.Satisfaction, 4.0)
	// October: SO-7 only (SO-2 was placed on November 1st local time).
	p := rep.Prior
	money("prior sales", p.Sales, "455")
	ints("prior orders and units", []int{p.Orders, p.Units, p.Placed}, []int{1, 10, 1})
	ints("prior accuracy", p.Accuracy, orders.Rate{Num: 1, Den: 1})
	ints("prior on time", p.OnTime, orders.Rate{Num: 1, Den: 1})
	if pct, ok := orders.PercentChange(g.Sales, p.Sales); !ok || pct < 393.40 || pct > 393.41 {
		t.Errorf("sales change %.3f%%, want 393.41%% ((2245-455)/455)", pct)
	}
	if pts, ok := orders.PointChange(g.Accuracy, p.Accuracy); !ok || pts != -25 {
		t.Errorf("accuracy change %v points, want -25", pts)
	}
	// Now: SO-2 delivered (not paid in full), SO-5 and SO-6 confirmed, SO-6 overdue.
	ints("open", rep.Now.Open, []orders.StatusCount{{Status: "confirmed", Count: 2}, {Status: "delivered", Count: 1}})
	ints("overdue", rep.Now.Overdue, 1)
	ints("unpaid", rep.Now.Unpaid, 1)
}

func TestReportScopes(t *testing.T) {
	t.Parallel()
	r, ctx := fixtureReports(t)
	wang := orders.Actor{Kind: orders.ActorStaff, TelegramID: 7001, Role: orders.RoleRep, Name: "Wang"}
	rep, err := r.Report(ctx, wang, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	// Wang's orders: SO-1 (398) and SO-3 (cancelled).
	if !rep.Current.Sales.Equal(dec("398")) || rep.Current.Placed != 2 || rep.Current.Cancelled != 1 || rep.Rep != 7001 || rep.RepName != "Wang" {
		t.Errorf("Wang's report: sales %s placed %d cancelled %d rep %d %q", rep.Current.Sales, rep.Current.Placed, rep.Current.Cancelled, rep.Rep, rep.RepName)
	}
	if len(rep.Current.Reps) != 1 || rep.Current.Reps[0].Rep != 7001 {
		t.Errorf("Wang sees reps %+v", rep.Current.Reps)
	}
	// Zhao entered SO-2 (source rep:7002) and was given SO-4.
	zhao := orders.Actor{Kind: orders.ActorStaff, TelegramID: 7002, Role: orders.RoleRep}
	rep, err = r.Report(ctx, zhao, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Current.Sales.Equal(dec("1250")) || rep.Current.Placed != 2 {
		t.Errorf("Zhao's report: sales %s placed %d", rep.Current.Sales, rep.Current.Placed)
	}
	if _, err := r.Report(ctx, orders.CustomerActor(101), "2026-11"); !errors.Is(err, orders.ErrForbidden) {
		t.Errorf("customer's report: %v, want ErrForbidden", err)
	}
	if _, err := r.Export(ctx, orders.CustomerActor(101), orders.ExportRequest{Period: "2026-11"}, func(orders.Order) error { return nil }); !errors.Is(err, orders.ErrForbidden) {
		t.Errorf("customer's export: %v, want ErrForbidden", err)
	}
	// A rep asking for another rep's orders still gets their own.
	var got []string
	if _, err := r.Export(ctx, wang, orders.ExportRequest{Period: "2026-11", Rep: 7002}, func(o orders.Order) error {
		got = append(got, o.Number)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"SO-20261102-0001", "SO-20261115-0001"}) {
		t.Errorf("Wang's export: %v", got)
	}
}

func TestReportEmptyPeriod(t *testing.T) {
	t.Parallel()
	r, ctx := fixtureReports(t)
	rep, err := r.Report(ctx, orders.Operator, "2026-06")
	if err != nil {
		t.Fatal(err)
	}
	g := rep.Current
	if g.Placed != 0 || !g.Sales.IsZero() || !g.AverageOrder.IsZero() || len(g.ByDay) != 30 || g.Reviewed != 0 || g.Rated != 0 {
		t.Errorf("empty period: %+v", g)
	}
	for _, rt := range []orders.Rate{g.Accuracy, g.OnTime, g.Cancellation} {
		if _, ok := rt.Value(); ok {
			t.Errorf("a rate of nothing has a value: %+v", rt)
		}
	}
}

func TestExportFilters(t *testing.T) {
	t.Parallel()
	r, ctx := fixtureReports(t)
	var got []orders.Order
	if _, err := r.Export(ctx, orders.Operator, orders.ExportRequest{Period: "2026-11", Statuses: []orders.Status{orders.StatusDelivered, orders.StatusCompleted}},
		func(o orders.Order) error { got = append(got, o); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Number != "SO-20261101-0001" || got[1].Number != "SO-20261102-0001" {
		t.Fatalf("delivered and completed of November: %+v", got)
	}
	if o := got[0]; len(o.Lines) != 2 || !o.Lines[1].Complimentary || !o.Paid.Equal(dec("375")) || o.Customer.Name != "Bob" || !o.Modified {
		t.Errorf("SO-2 exported as %+v", o)
	}
}

func TestReportComplaints(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	pgstoretest.ReportFixture(t, s)
	pgstoretest.ReportComplaintsFixture(t, s)
	loc := shanghai(t)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, loc)
	r := orders.NewReports(s, orders.DefaultRules(), orders.WithLocation(loc), orders.WithClock(func() time.Time { return now }))
	manager := orders.Actor{Kind: orders.ActorStaff, TelegramID: 9001, Role: orders.RoleManager}
	rep, err := r.Report(ctx, manager, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	want := orders.ComplaintFigures{Opened: 3, Resolved: 3, ResolvedInTime: 2, Response: orders.Rate{Num: 1, Den: 3}, Answered: 2,
		ResponseMedian: time.Hour, ResponseP90: 6 * time.Hour, Resolution: orders.Rate{Num: 1, Den: 3}}
	if rep.Current.Complaints != want {
		t.Errorf("November's complaints\n got %+v\nwant %+v", rep.Current.Complaints, want)
	}
	// October: the one opened then, answered after 30 min; resolved in November.
	wantOct := orders.ComplaintFigures{Opened: 1, Response: orders.Rate{Num: 1, Den: 1}, Answered: 1, ResponseMedian: 30 * time.Minute,
		ResponseP90: 30 * time.Minute, Resolution: orders.Rate{Num: 1, Den: 1}}
	if rep.Prior.Complaints != wantOct {
		t.Errorf("October's complaints\n got %+v\nwant %+v", rep.Prior.Complaints, wantOct)
	}
	// Wang sees the complaints he owns: SO-1's opened, SO-1's and SO-7's resolved.
	wang := orders.Actor{Kind: orders.ActorStaff, TelegramID: 7001, Role: orders.RoleRep}
	rep, err = r.Report(ctx, wang, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Current.Complaints; c.Opened != 1 || c.Resolved != 2 || c.ResolvedInTime != 2 || c.Response != (orders.Rate{Num: 1, Den: 1}) {
		t.Errorf("Wang's complaints %+v", c)
	}
}
