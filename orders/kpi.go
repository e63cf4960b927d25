package orders

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"
)

// The desk's KPIs. Each is defined here once, as a pure function of the facts a
// ReportStore returns for a period (sums and counts the database computes); pgstore owns
// the queries. Cohorts:
//
//   - Sales amount, volume, orders, average order value and their breakdowns count the
//     orders placed in the period (their creation time in the business time zone) that are
//     not cancelled; volume counts the units of charged lines (complimentary ones are free).
//   - Cancellation rate: cancelled ÷ placed, over the orders placed in the period.
//   - Order accuracy rate: of the orders placed in the period that the customer confirmed,
//     those never changed after confirmation.
//   - Review speed: of the orders placed in the period that went through review, the time
//     from placement to the rep's decision.
//   - Collections: of the orders placed in the period and not cancelled, the deposits due
//     and collected, and the balances (total minus deposit) due and collected.
//   - On-time delivery rate and satisfaction: the orders delivered in the period.
//   - Open orders by status and overdue orders: now.

// DefaultReviewSLA is how long a review may take before it counts as late: the same four
// hours after which the reps are reminded of an untouched review.
const DefaultReviewSLA = 4 * time.Hour

// TopN is how many products and customers a report lists.
const TopN = 10

// ReportScope selects what a report counts: the instants [Start, End), and the orders of
// one rep (Rep, a Telegram id: the orders they handle or entered) or of the whole desk (0).
type ReportScope struct {
	Start, End time.Time
	Loc        *time.Location
	Rep        int64
	// TopCustomers is how many customers, the best by sales amount, the facts list.
	TopCustomers int
}

// ReportFacts are the sums and counts of one period a report is computed from.
type ReportFacts struct {
	Days      []DayFacts      // placed and not cancelled, by local day of placement
	Products  []ProductFacts  // every product sold (charged lines)
	Reps      []RepFacts      // by responsible staff member (or who entered the order)
	Customers []CustomerFacts // the best TopCustomers customers by sales amount
	Sources   []SourceFacts   // by source kind: "customer" (chat), "rep" (on behalf), others

	Placed        int           // all orders placed, cancelled ones too
	Cancelled     int           // of those, cancelled now
	CancelReasons []ReasonCount // the cancellations' reasons (the history note), as given

	Confirmed int // placed orders the customer confirmed
	Changed   int // of those, changed after confirmation

	ReviewMinutes []MinuteCount // placed orders reviewed: minutes from placement to decision

	Total       decimal.Decimal // of the orders placed and not cancelled
	DepositDue  decimal.Decimal
	Paid        decimal.Decimal
	DepositPaid decimal.Decimal // Σ min(paid, deposit due)

	Deliveries []DeliveryFacts // orders delivered in the period
	Ratings    [5]int          // ratings 1..5 of the orders delivered in the period
}

// DayFacts are one day's sales.
type DayFacts struct {
	Day    Date
	Orders int
	Amount decimal.Decimal
	Units  int
}

// ProductFacts are one product's sales.
type ProductFacts struct {
	SKU      string
	NameEN   string
	NameZH   string
	Category string
	Orders   int
	Units    int
	Amount   decimal.Decimal
}

// RepFacts are the sales of the orders a staff member handles (0: nobody yet).
type RepFacts struct {
	Rep    int64
	Name   string
	Orders int
	Units  int
	Amount decimal.Decimal
}

// CustomerFacts are one customer's purchases.
type CustomerFacts struct {
	ID      int64
	Name    string
	Company string
	Orders  int
	Amount  decimal.Decimal
}

// SourceFacts are the sales by where orders come from.
type SourceFacts struct {
	Source string
	Orders int
	Amount decimal.Decimal
}

// ReasonCount is how often a reason was given.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// MinuteCount is how many reviews took Minutes whole minutes.
type MinuteCount struct {
	Minutes int
	Orders  int
}

// DeliveryFacts count the orders delivered on one day against one promised date.
type DeliveryFacts struct {
	Promised  Date // zero when none was promised
	Delivered Date
	Orders    int
}

// StatusCount is how many orders are in a status.
type StatusCount struct {
	Status Status `json:"status"`
	Count  int    `json:"count"`
}

// Snapshot is the desk now: open orders by status and the overdue ones.
type Snapshot struct {
	Open    []StatusCount `json:"open"`
	Overdue int           `json:"overdue"`
	Unpaid  int           `json:"delivered_unpaid"` // delivered and not paid in full
}

// ReportStore is what reports need of the storage; orders/pgstore implements it.
type ReportStore interface {
	ReportFacts(ctx context.Context, s ReportScope) (ReportFacts, error)
	// ReportSnapshot counts open orders by status now, and those promised before today
	// and not delivered.
	ReportSnapshot(ctx context.Context, rep int64, today Date) (Snapshot, error)
	// ExportOrders calls fn with each order of the filter, with its lines and paid amount
	// (no history), oldest first, streaming: it holds one order at a time.
	ExportOrders(ctx context.Context, f ExportFilter, fn func(Order) error) error
	Staff(ctx context.Context, telegramID int64) (Staff, error)
	ComplaintReportStore
}

// ExportFilter selects the orders an export holds: placed in [Start, End), in one of
// Statuses (all when empty), of one rep (all when 0).
type ExportFilter struct {
	Start, End time.Time
	Statuses   []Status
	Rep        int64
}

// Rate is a share: Num of Den. A rate of nothing (Den 0) has no value.
type Rate struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Value is the rate between 0 and 1; ok is false when there is nothing to divide.
func (r Rate) Value() (v float64, ok bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// Figures are the KPIs of one period.
type Figures struct {
	Sales  decimal.Decimal `json:"sales"`
	Units  int             `json:"units"`
	Orders int             `json:"orders"`
	// AverageOrder is Sales ÷ Orders, rounded to cents; zero without orders.
	AverageOrder decimal.Decimal `json:"average_order"`

	ByDay        []DayFigures      `json:"by_day"`
	TopProducts  []ProductFigures  `json:"top_products"`
	Categories   []CategoryFigures `json:"categories"`
	Reps         []RepFigures      `json:"reps"`
	TopCustomers []CustomerFigures `json:"top_customers"`
	Sources      []SourceFigures   `json:"sources"`

	Placed        int           `json:"placed"`
	Cancelled     int           `json:"cancelled"`
	Cancellation  Rate          `json:"cancellation_rate"`
	CancelReasons []ReasonCount `json:"cancel_reasons"`

	// Accuracy: confirmed orders not changed after confirmation ÷ confirmed orders.
	Accuracy Rate `json:"accuracy_rate"`

	// OnTime: orders delivered on or before the promised date ÷ orders delivered (those
	// without a promised date count as on time: nobody promised otherwise).
	OnTime Rate `json:"on_time_rate"`
	// Late is how many were delivered after the promised date, AverageDelay their mean
	// delay in working days (0 when none was late).
	Late         int     `json:"late"`
	AverageDelay float64 `json:"average_delay_working_days"`

	Reviewed      int           `json:"reviewed"`
	ReviewMedian  time.Duration `json:"review_median_ns"`
	ReviewP90     time.Duration `json:"review_p90_ns"`
	ReviewOverSLA int           `json:"review_over_sla"`

	DepositDue       decimal.Decimal `json:"deposit_due"`
	DepositCollected decimal.Decimal `json:"deposit_collected"`
	BalanceDue       decimal.Decimal `json:"balance_due"`
	BalanceCollected decimal.Decimal `json:"balance_collected"`

	Ratings [5]int `json:"ratings"` // how many gave 1..5 stars
	Rated   int    `json:"rated"`
	// Satisfaction is the average rating (1–5); 0 when nobody rated.
	Satisfaction float64 `json:"satisfaction"`

	// Complaints opened and resolved in the period, against their service levels.
	Complaints ComplaintFigures `json:"complaints"`
}

// DayFigures are one day's sales.
type DayFigures struct {
	Day    Date            `json:"day"`
	Orders int             `json:"orders"`
	Units  int             `json:"units"`
	Amount decimal.Decimal `json:"amount"`
}

// ProductFigures are one product's sales.
type ProductFigures struct {
	SKU      string          `json:"sku"`
	NameEN   string          `json:"name_en"`
	NameZH   string          `json:"name_zh"`
	Category string          `json:"category"`
	Orders   int             `json:"orders"`
	Units    int             `json:"units"`
	Amount   decimal.Decimal `json:"amount"`
}

// Name returns the product's name in lang.
func (p ProductFigures) Name(lang string) string {
	return Product{NameEN: p.NameEN, NameZH: p.NameZH}.Name(lang)
}

// CategoryFigures are one category's sales.
type CategoryFigures struct {
	Category string          `json:"category"`
	Units    int             `json:"units"`
	Amount   decimal.Decimal `json:"amount"`
}

// RepFigures are one staff member's sales; Rep 0 is the orders nobody handles yet.
type RepFigures struct {
	Rep    int64           `json:"rep"`
	Name   string          `json:"name"`
	Orders int             `json:"orders"`
	Units  int             `json:"units"`
	Amount decimal.Decimal `json:"amount"`
}

// CustomerFigures are one customer's purchases.
type CustomerFigures struct {
	Name    string          `json:"name"`
	Company string          `json:"company"`
	Orders  int             `json:"orders"`
	Amount  decimal.Decimal `json:"amount"`
}

// SourceFigures are the sales of one source.
type SourceFigures struct {
	Source string          `json:"source"`
	Orders int             `json:"orders"`
	Amount decimal.Decimal `json:"amount"`
}

// ComputeFigures computes the KPIs of a period from its facts, every day of p listed in
// ByDay (days without sales as zero), working days from rules, late reviews after sla.
func ComputeFigures(f ReportFacts, p Period, rules Rules, sla time.Duration) Figures {
	var g Figures
	byDay := make(map[Date]DayFacts, len(f.Days))
	for _, d := range f.Days {
		byDay[d.Day] = d
		g.Sales = g.Sales.Add(d.Amount)
		g.Units += d.Units
		g.Orders += d.Orders
	}
	for _, d := range p.Dates() {
		x := byDay[d]
		g.ByDay = append(g.ByDay, DayFigures{Day: d, Orders: x.Orders, Units: x.Units, Amount: x.Amount})
	}
	g.AverageOrder = AverageOrder(g.Sales, g.Orders)

	products := slices.Clone(f.Products)
	slices.SortFunc(products, func(a, b ProductFacts) int {
		return cmp.Or(b.Amount.Cmp(a.Amount), cmp.Compare(b.Units, a.Units), cmp.Compare(a.SKU, b.SKU))
	})
	cats := map[string]*CategoryFigures{}
	for i, x := range products {
		if i < TopN {
			g.TopProducts = append(g.TopProducts, ProductFigures(x))
		}
		c := cats[x.Category]
		if c == nil {
			c = &CategoryFigures{Category: x.Category}
			cats[x.Category] = c
		}
		c.Units += x.Units
		c.Amount = c.Amount.Add(x.Amount)
	}
	for _, c := range cats {
		g.Categories = append(g.Categories, *c)
	}
	slices.SortFunc(g.Categories, func(a, b CategoryFigures) int {
		return cmp.Or(b.Amount.Cmp(a.Amount), cmp.Compare(a.Category, b.Category))
	})
	for _, r := range f.Reps {
		g.Reps = append(g.Reps, RepFigures(r))
	}
	slices.SortFunc(g.Reps, func(a, b RepFigures) int {
		return cmp.Or(b.Amount.Cmp(a.Amount), cmp.Compare(a.Rep, b.Rep))
	})
	customers := slices.Clone(f.Customers)
	slices.SortFunc(customers, func(a, b CustomerFacts) int {
		return cmp.Or(b.Amount.Cmp(a.Amount), cmp.Compare(a.ID, b.ID))
	})
	for i, c := range customers {
		if i == TopN {
			break
		}
		g.TopCustomers = append(g.TopCustomers, CustomerFigures{Name: c.Name, Company: c.Company, Orders: c.Orders, Amount: c.Amount})
	}
	for _, s := range f.Sources {
		g.Sources = append(g.Sources, SourceFigures(s))
	}
	slices.SortFunc(g.Sources, func(a, b SourceFigures) int {
		return cmp.Or(b.Amount.Cmp(a.Amount), cmp.Compare(a.Source, b.Source))
	})

	g.Placed, g.Cancelled = f.Placed, f.Cancelled
	g.Cancellation = Rate{Num: f.Cancelled, Den: f.Placed}
	g.CancelReasons = CountReasons(f.CancelReasons)
	g.Accuracy = Rate{Num: f.Confirmed - f.Changed, Den: f.Confirmed}

	g.OnTime, g.Late, g.AverageDelay = OnTimeDelivery(f.Deliveries, rules)
	g.Reviewed, g.ReviewMedian, g.ReviewP90, g.ReviewOverSLA = ReviewSpeed(f.ReviewMinutes, sla)

	g.DepositDue, g.DepositCollected = f.DepositDue, f.DepositPaid
	g.BalanceDue = f.Total.Sub(f.DepositDue)
	g.BalanceCollected = f.Paid.Sub(f.DepositPaid)

	g.Ratings = f.Ratings
	sum := 0
	for i, n := range f.Ratings {
		g.Rated += n
		sum += (i + 1) * n
	}
	if g.Rated > 0 {
		g.Satisfaction = float64(sum) / float64(g.Rated)
	}
	return g
}

// AverageOrder is sales ÷ orders rounded to cents, zero without orders.
func AverageOrder(sales decimal.Decimal, orders int) decimal.Decimal {
	if orders == 0 {
		return decimal.Zero
	}
	return sales.DivRound(decimal.NewFromInt(int64(orders)), 2)
}

// OnTimeDelivery computes the on-time delivery rate of the deliveries: on time when
// delivered on or before the promised date (or with none promised); the late ones' count
// and their mean delay in working days after the promised date.
func OnTimeDelivery(ds []DeliveryFacts, rules Rules) (rate Rate, late int, avgDelay float64) {
	delay := 0
	for _, d := range ds {
		rate.Den += d.Orders
		if d.Promised.IsZero() || !d.Delivered.After(d.Promised) {
			rate.Num += d.Orders
			continue
		}
		late += d.Orders
		delay += d.Orders * WorkingDaysBetween(d.Promised, d.Delivered, rules)
	}
	if late > 0 {
		avgDelay = float64(delay) / float64(late)
	}
	return rate, late, avgDelay
}

// WorkingDaysBetween counts the working days after from up to and including to: a
// delivery promised on Friday and made on Monday is one working day late.
func WorkingDaysBetween(from, to Date, rules Rules) int {
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if rules.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// ReviewSpeed computes, from how many reviews took each number of minutes, their count,
// the median and 90th percentile (nearest rank) and how many took longer than sla.
func ReviewSpeed(ms []MinuteCount, sla time.Duration) (n int, median, p90 time.Duration, overSLA int) {
	sorted := slices.Clone(ms)
	slices.SortFunc(sorted, func(a, b MinuteCount) int { return cmp.Compare(a.Minutes, b.Minutes) })
	for _, m := range sorted {
		n += m.Orders
		if time.Duration(m.Minutes)*time.Minute > sla {
			overSLA += m.Orders
		}
	}
	if n == 0 {
		return 0, 0, 0, 0
	}
	rank := func(q float64) time.Duration {
		// nearest rank: the smallest value with at least q of the reviews at or below it
		k := int(q*float64(n) + 0.999999)
		k = max(k, 1)
		seen := 0
		for _, m := range sorted {
			seen += m.Orders
			if seen >= k {
				return time.Duration(m.Minutes) * time.Minute
			}
		}
		return time.Duration(sorted[len(sorted)-1].Minutes) * time.Minute
	}
	return n, rank(0.5), rank(0.9), overSLA
}

// CountReasons merges reasons that differ only in case and spacing, most frequent first.
func CountReasons(rs []ReasonCount) []ReasonCount {
	idx := map[string]int{}
	var out []ReasonCount
	for _, r := range rs {
		text := strings.Join(strings.Fields(r.Reason), " ")
		key := strings.ToLower(text)
		if i, ok := idx[key]; ok {
			out[i].Count += r.Count
			out[i].Reason = min(out[i].Reason, text) // whichever order the store gave them in
			continue
		}
		idx[key] = len(out)
		out = append(out, ReasonCount{Reason: text, Count: r.Count})
	}
	slices.SortStableFunc(out, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

// PercentChange is the change from prev to cur in percent; ok is false when prev is zero.
func PercentChange(cur, prev decimal.Decimal) (pct float64, ok bool) {
	if prev.IsZero() {
		return 0, false
	}
	f, _ := cur.Sub(prev).Div(prev).Mul(decimal.NewFromInt(100)).Float64()
	return f, true
}

// PointChange is the change of a rate from prev to cur in percentage points; ok is false
// when either has no value.
func PointChange(cur, prev Rate) (pts float64, ok bool) {
	c, ok1 := cur.Value()
	p, ok2 := prev.Value()
	if !ok1 || !ok2 {
		return 0, false
	}
	return (c - p) * 100, true
}

// Report is what /report shows: a period's figures beside the previous period's, and the
// desk now.
type Report struct {
	Period   Period   `json:"period"`
	Previous Period   `json:"previous_period"`
	Rep      int64    `json:"rep,omitempty"` // the rep whose orders it counts; 0: the whole desk
	RepName  string   `json:"rep_name,omitempty"`
	Current  Figures  `json:"current"`
	Prior    Figures  `json:"previous"`
	Now      Snapshot `json:"now"`
	// Generated is when the report was made.
	Generated time.Time `json:"generated"`
}

// Reports holds the reporting use cases: who may see which figures, and the periods.
type Reports struct {
	store ReportStore
	rules Rules
	loc   *time.Location
	now   func() time.Time
	sla   time.Duration
}

// NewReports returns the reporting use cases over store. Options WithClock and
// WithLocation apply as for the Service.
func NewReports(store ReportStore, rules Rules, opts ...ServiceOption) *Reports {
	s := &Service{loc: time.UTC, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return &Reports{store: store, rules: rules, loc: s.loc, now: s.now, sla: DefaultReviewSLA}
}

// Location is the business time zone.
func (r *Reports) Location() *time.Location { return r.loc }

// Rules are the business rules (working days, currency).
func (r *Reports) Rules() Rules { return r.rules }

// Today is the business's current date.
func (r *Reports) Today() Date { return Today(r.now(), r.loc) }

// scope returns whose orders the actor may see: 0 for the whole desk (managers and the
// operator), the rep's own id (reps), or ErrForbidden (customers).
func (r *Reports) scope(a Actor) (int64, error) {
	switch {
	case a.May(ActReportDesk):
		return 0, nil
	case a.May(ActReportOwn):
		return a.TelegramID, nil
	}
	return 0, fmt.Errorf("%s may not see reports: %w", a.String(), ErrForbidden)
}

// Report computes the report of the named period (see ParsePeriod) for the actor:
// managers see the whole desk, reps their own orders, customers nothing (ErrForbidden).
func (r *Reports) Report(ctx context.Context, a Actor, period string) (Report, error) {
	rep, err := r.scope(a)
	if err != nil {
		return Report{}, err
	}
	p, err := ParsePeriod(period, r.Today())
	if err != nil {
		return Report{}, err
	}
	return r.ReportFor(ctx, p, rep)
}

// ReportFor computes the report of period p for the rep's orders (0: the whole desk),
// without a permission check: for the scheduled reports and the operator.
func (r *Reports) ReportFor(ctx context.Context, p Period, rep int64) (Report, error) {
	out := Report{Period: p, Previous: p.Previous(), Rep: rep, Generated: r.now()}
	if rep != 0 {
		if st, err := r.store.Staff(ctx, rep); err == nil {
			out.RepName = st.Name
		}
	}
	// the two periods and the snapshot are independent reads: made at once, a report waits
	// for the slowest, not for their sum
	g, gctx := errgroup.WithContext(ctx)
	for i, per := range []Period{out.Period, out.Previous} {
		dst := &out.Current
		top := TopN
		if i == 1 {
			dst = &out.Prior
			top = 0 // nothing shows the previous period's best customers
		}
		g.Go(func() error {
			start, end := per.Bounds(r.loc)
			f, err := r.store.ReportFacts(gctx, ReportScope{Start: start, End: end, Loc: r.loc, Rep: rep, TopCustomers: top})
			if err != nil {
				return fmt.Errorf("report %s: %w", per, err)
			}
			fig := ComputeFigures(f, per, r.rules, r.sla)
			cs, err := r.store.ReportComplaints(gctx, ReportScope{Start: start, End: end, Loc: r.loc, Rep: rep})
			if err != nil {
				return fmt.Errorf("report %s complaints: %w", per, err)
			}
			fig.Complaints = ComputeComplaintFigures(cs, start, end, out.Generated)
			*dst = fig
			return nil
		})
	}
	var snap Snapshot
	g.Go(func() (err error) {
		if snap, err = r.store.ReportSnapshot(gctx, rep, r.Today()); err != nil {
			return fmt.Errorf("report snapshot: %w", err)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return Report{}, err
	}
	out.Now = snap
	return out, nil
}

// ExportRequest selects an export: a period (see ParsePeriod), statuses, a rep.
type ExportRequest struct {
	Period   string
	Statuses []Status
	Rep      int64 // a manager may choose one rep; a rep always gets their own orders
}

// Export streams the orders of the request the actor may see to fn (see
// ReportStore.ExportOrders) and returns the period they cover.
func (r *Reports) Export(ctx context.Context, a Actor, req ExportRequest, fn func(Order) error) (Period, error) {
	rep, err := r.scope(a)
	if err != nil {
		return Period{}, err
	}
	if rep == 0 {
		rep = req.Rep
	}
	p, err := ParsePeriod(req.Period, r.Today())
	if err != nil {
		return Period{}, err
	}
	for _, s := range req.Statuses {
		if !s.Valid() {
			return Period{}, &ValidationError{Field: "status", Reason: "unknown status " + strconv.Quote(string(s))}
		}
	}
	start, end := p.Bounds(r.loc)
	return p, r.store.ExportOrders(ctx, ExportFilter{Start: start, End: end, Statuses: req.Statuses, Rep: rep}, fn)
}
