package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/orderbot/orderbot/orders"
)

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// PlaceRequest is the body of POST /orders: the public contract of PRODUCT.md.
type PlaceRequest struct {
	Reference string `json:"reference,omitempty" maxLength:"100" doc:"Your own reference of the order, returned with it and in its webhooks"`
	// Customer is the end customer; a channel tied to a customer account may leave it out.
	Customer *CustomerBody `json:"customer,omitempty" doc:"The end customer (required unless the channel orders for its own account)"`
	Lines    []LineBody    `json:"lines" minItems:"1" maxItems:"100" doc:"The products ordered"`
	Address  string        `json:"address" minLength:"5" maxLength:"300" doc:"Delivery address"`
	// WantedDate is the wanted delivery day (YYYY-MM-DD).
	WantedDate    string `json:"wanted_date" format:"date" doc:"Wanted delivery date, YYYY-MM-DD, not before the earliest possible delivery"`
	PaymentMethod string `json:"payment_method" enum:"bank_transfer,cash_on_delivery,alipay,wechat_pay" doc:"How the customer pays"`
	Notes         string `json:"notes,omitempty" maxLength:"1000"`
	// Backorder accepts production for lines that lack stock (the order then waits for a
	// sales rep's review, as in chat); without it such an order is refused with
	// insufficient-stock.
	Backorder bool `json:"backorder,omitempty" doc:"Accept production for lines that lack stock (the order then needs review); default: refuse with insufficient-stock"`
}

// CustomerBody is the end customer of an order.
type CustomerBody struct {
	Name    string `json:"name" minLength:"1" maxLength:"100"`
	Phone   string `json:"phone" minLength:"5" maxLength:"30" doc:"Digits, spaces, +, - and parentheses"`
	Company string `json:"company,omitempty" maxLength:"200"`
}

// LineBody is one product line of a placement.
type LineBody struct {
	SKU      string            `json:"sku" minLength:"1" maxLength:"64"`
	Quantity int               `json:"quantity" minimum:"1" doc:"At least 1, at most the desk's largest quantity"`
	Options  map[string]string `json:"options,omitempty" doc:"The product's options, e.g. {\"colour\": \"black\"}; every option of the product is needed"`
}

// Order is an order as a channel sees it.
type Order struct {
	Number        string       `json:"number" example:"SO-20261127-0001"`
	Reference     string       `json:"reference"`
	Status        string       `json:"status" enum:"pending_review,awaiting_customer,confirmed,in_production,quality_check,shipped,delivered,completed,cancelled"`
	PaymentStatus string       `json:"payment_status" enum:"unpaid,deposit_paid,partly_paid,paid"`
	Customer      CustomerBody `json:"customer"`
	Lines         []OrderLine  `json:"lines"`
	Currency      string       `json:"currency"`
	Total         string       `json:"total" doc:"Decimal with 2 places" example:"2990.00"`
	DepositDue    string       `json:"deposit_due" doc:"To pay before production; 0.00 when none"`
	Paid          string       `json:"paid"`
	Address       string       `json:"address"`
	WantedDate    string       `json:"wanted_date" format:"date"`
	PromisedDate  string       `json:"promised_date,omitempty" format:"date" doc:"Set once the date is promised"`
	EstimatedDate string       `json:"estimated_date,omitempty" format:"date" doc:"The automatic estimate, to be confirmed by review; absent for custom products"`
	PaymentMethod string       `json:"payment_method"`
	Notes         string       `json:"notes"`
	Carrier       string       `json:"carrier,omitempty"`
	Tracking      string       `json:"tracking,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	History       []Change     `json:"history"`
}

// OrderLine is a priced line of an order.
type OrderLine struct {
	SKU           string            `json:"sku"`
	Name          string            `json:"name"`
	Options       map[string]string `json:"options,omitempty"`
	Quantity      int               `json:"quantity"`
	Unit          string            `json:"unit"`
	UnitPrice     string            `json:"unit_price"`
	Amount        string            `json:"amount"`
	Complimentary bool              `json:"complimentary" doc:"Added by the big-order rule, free of charge"`
	FromStock     bool              `json:"from_stock" doc:"Reserved from stock; false: made or bought for the order"`
}

// Change is one entry of an order's history.
type Change struct {
	From string    `json:"from,omitempty"`
	To   string    `json:"to"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// Product is a catalog entry as a channel sees it.
type Product struct {
	SKU       string          `json:"sku"`
	Name      string          `json:"name"`
	NameZH    string          `json:"name_zh"`
	Category  string          `json:"category"`
	Unit      string          `json:"unit"`
	Price     string          `json:"price"`
	Standard  bool            `json:"standard" doc:"false: made to order (custom), never from stock"`
	Available int             `json:"available" doc:"Units that can ship from stock now"`
	Options   []ProductOption `json:"options"`
}

// ProductOption is a choice a line makes.
type ProductOption struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

func money(d interface{ StringFixed(int32) string }) string { return d.StringFixed(2) }

func dateString(d orders.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func orderOut(o orders.Order, currency string) Order {
	out := Order{
		Number: o.Number, Reference: o.Reference, Status: string(o.Status), PaymentStatus: string(o.PaymentStatus),
		Customer: CustomerBody{Name: o.Customer.Name, Phone: o.Customer.Phone, Company: o.Customer.Company},
		Currency: currency, Total: money(o.Total), DepositDue: money(o.DepositDue), Paid: money(o.Paid),
		Address: o.DeliveryAddress, WantedDate: dateString(o.WantedDate), PromisedDate: dateString(o.PromisedDate),
		EstimatedDate: dateString(o.EstimatedDate), PaymentMethod: o.PaymentMethod, Notes: o.Notes,
		Carrier: o.Carrier, Tracking: o.Tracking, CreatedAt: o.CreatedAt.UTC(),
		Lines: make([]OrderLine, 0, len(o.Lines)), History: make([]Change, 0, len(o.History)),
	}
	if out.PaymentStatus == "" {
		out.PaymentStatus = string(orders.PaymentUnpaid)
	}
	for _, l := range o.Lines {
		var opts map[string]string
		if l.Variant != "" {
			opts = map[string]string{}
			for _, part := range strings.Split(string(l.Variant), ";") {
				if k, v, ok := strings.Cut(part, "="); ok {
					opts[k] = v
				}
			}
		}
		out.Lines = append(out.Lines, OrderLine{SKU: l.SKU, Name: l.Name, Options: opts, Quantity: l.Quantity, Unit: l.Unit,
			UnitPrice: money(l.UnitPrice), Amount: money(l.Amount()), Complimentary: l.Complimentary, FromStock: l.FromStock})
	}
	for _, h := range o.History {
		out.History = append(out.History, Change{From: string(h.From), To: string(h.To), At: h.At.UTC(), Note: h.Note})
	}
	return out
}

type orderOutput struct {
	Location string `header:"Location"`
	Body     Order
}

type numberInput struct {
	Number string `path:"number" pattern:"^[Ss][Oo]-[0-9]{8}-[0-9]{4,}$" doc:"The order number (case-insensitive)"`
}

type listInput struct {
	Status       string `query:"status" doc:"Only orders in these statuses, comma-separated"`
	UpdatedSince string `query:"updated_since" doc:"Only orders changed at or after this instant (RFC 3339)"`
	Cursor       string `query:"cursor" doc:"The next_cursor of the previous page"`
	Limit        int    `query:"limit" minimum:"1" maximum:"100" default:"50"`
}

// OrderList is a page of a channel's orders, oldest change first.
type OrderList struct {
	Orders []Order `json:"orders"`
	// NextCursor continues the listing; absent on the last page.
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
}

// CancelRequest is the body of a cancellation request.
type CancelRequest struct {
	Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the order is to be cancelled"`
}

// CancelResult says what became of a cancellation request.
type CancelResult struct {
	// Outcome is "cancelled" (at once: the order was not confirmed yet) or "requested"
	// (a manager decides; the order.cancelled webhook follows an approval).
	Outcome string `json:"outcome" enum:"cancelled,requested"`
	Order   Order  `json:"order"`
}

// postInput is what every POST on an order takes.
type postInput struct {
	Number         string `path:"number" pattern:"^[Ss][Oo]-[0-9]{8}-[0-9]{4,}$" doc:"The order number (case-insensitive)"`
	IdempotencyKey string `header:"Idempotency-Key" required:"true" maxLength:"255" doc:"A unique key per request (a UUID); a retry with the same key and body returns the first response"`
}

func (s *Server) register() {
	tags := []string{"orders"}
	huma.Register(s.api, huma.Operation{
		OperationID: "place-order", Method: http.MethodPost, Path: Prefix + "/orders", Tags: tags,
		Summary:       "Place an order",
		Description:   "Places an order under the desk's rules: stock, lead time, review, deposit, numbering. Retry with the same Idempotency-Key.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{400, 401, 409, 413, 415, 422, 429},
	}, func(ctx context.Context, in *struct {
		IdempotencyKey string `header:"Idempotency-Key" required:"true" maxLength:"255" doc:"A unique key per request (a UUID); a retry with the same key and body returns the first response"`
		Body           PlaceRequest
	}) (*orderOutput, error) {
		o, err := s.place(ctx, channelOf(ctx), in.Body)
		if err != nil {
			return nil, err
		}
		return &orderOutput{Location: Prefix + "/orders/" + o.Number, Body: o}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "get-order", Method: http.MethodGet, Path: Prefix + "/orders/{number}", Tags: tags,
		Summary: "One of the channel's orders", Errors: []int{401, 404, 429},
	}, func(ctx context.Context, in *numberInput) (*struct{ Body Order }, error) {
		o, err := s.desk.ChannelOrder(ctx, channelOf(ctx).Name, strings.ToUpper(in.Number))
		if err != nil {
			return nil, s.problemOf(ctx, err)
		}
		return &struct{ Body Order }{orderOut(o, s.desk.Rules().Currency)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-orders", Method: http.MethodGet, Path: Prefix + "/orders", Tags: tags,
		Summary:     "The channel's orders, oldest change first, a page at a time",
		Description: "Poll with updated_since and follow next_cursor: every change moves an order to the end of the listing.",
		Errors:      []int{400, 401, 422, 429},
	}, func(ctx context.Context, in *listInput) (*struct{ Body OrderList }, error) {
		return s.list(ctx, channelOf(ctx), in)
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "cancel-order", Method: http.MethodPost, Path: Prefix + "/orders/{number}/cancel", Tags: tags,
		Summary:     "Ask to cancel an order",
		Description: "Before the order is confirmed it is cancelled at once; after, a manager decides, as for a chat customer; shipped orders cannot be cancelled.",
		Errors:      []int{400, 401, 404, 409, 413, 415, 422, 429},
	}, func(ctx context.Context, in *struct {
		Number         string `path:"number" pattern:"^[Ss][Oo]-[0-9]{8}-[0-9]{4,}$" doc:"The order number (case-insensitive)"`
		IdempotencyKey string `header:"Idempotency-Key" required:"true" maxLength:"255" doc:"A unique key per request (a UUID)"`
		Body           CancelRequest
	}) (*struct{ Body CancelResult }, error) {
		cr, o, err := s.desk.ChannelCancel(ctx, channelOf(ctx).Name, strings.ToUpper(in.Number), in.Body.Reason)
		if err != nil {
			return nil, s.problemOf(ctx, err)
		}
		res := CancelResult{Outcome: "cancelled", Order: orderOut(o, s.desk.Rules().Currency)}
		if cr.ID != 0 {
			res.Outcome = "requested"
		}
		return &struct{ Body CancelResult }{res}, nil
	})
	for _, d := range []struct {
		path, id, summary string
		accept            bool
	}{
		{"confirm", "confirm-order", "Confirm a reviewed order (awaiting_customer): the customer's signature", true},
		{"decline", "decline-order", "Decline a reviewed order (awaiting_customer): it is cancelled", false},
	} {
		huma.Register(s.api, huma.Operation{
			OperationID: d.id, Method: http.MethodPost, Path: Prefix + "/orders/{number}/" + d.path, Tags: tags,
			Summary: d.summary, Errors: []int{400, 401, 404, 409, 415, 429},
		}, func(ctx context.Context, in *postInput) (*struct{ Body Order }, error) {
			o, err := s.desk.ChannelDecide(ctx, channelOf(ctx).Name, strings.ToUpper(in.Number), d.accept)
			if err != nil {
				return nil, s.problemOf(ctx, err)
			}
			return &struct{ Body Order }{orderOut(o, s.desk.Rules().Currency)}, nil
		})
	}
	huma.Register(s.api, huma.Operation{
		OperationID: "list-products", Method: http.MethodGet, Path: Prefix + "/products", Tags: []string{"products"},
		Summary: "The catalog with what is available from stock", Errors: []int{401, 429},
	}, func(ctx context.Context, in *struct {
		Category string `query:"category"`
	}) (*struct {
		Body struct {
			Products []Product `json:"products"`
		}
	}, error) {
		ps, err := s.desk.Products(ctx, orders.ProductFilter{Category: in.Category})
		if err != nil {
			return nil, s.problemOf(ctx, err)
		}
		out := &struct {
			Body struct {
				Products []Product `json:"products"`
			}
		}{}
		out.Body.Products = make([]Product, 0, len(ps))
		for _, p := range ps {
			opts := make([]ProductOption, 0, len(p.Options))
			for _, o := range p.Options {
				opts = append(opts, ProductOption{Name: o.Name, Values: o.Values})
			}
			out.Body.Products = append(out.Body.Products, Product{SKU: p.SKU, Name: p.Name("en"), NameZH: p.NameZH,
				Category: p.Category, Unit: p.Unit, Price: money(p.Price), Standard: p.Standard,
				Available: max(p.Available(), 0), Options: opts})
		}
		return out, nil
	})
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,29}$`)

// place checks what the schema cannot, and places the order.
func (s *Server) place(ctx context.Context, ch orders.Channel, b PlaceRequest) (Order, error) {
	rules := s.desk.Rules()
	d := orders.Draft{Address: strings.TrimSpace(b.Address), PaymentMethod: b.PaymentMethod,
		Notes: strings.TrimSpace(b.Notes), Reference: strings.TrimSpace(b.Reference)}
	switch {
	case b.Customer != nil:
		c := *b.Customer
		if !phoneRE.MatchString(strings.TrimSpace(c.Phone)) {
			return Order{}, invalidField("customer.phone", "digits, spaces, +, - and parentheses, 5 to 30 characters")
		}
		if strings.TrimSpace(c.Name) == "" {
			return Order{}, invalidField("customer.name", "must not be blank")
		}
		d.Customer = orders.Customer{Name: strings.TrimSpace(c.Name), Phone: strings.TrimSpace(c.Phone), Company: strings.TrimSpace(c.Company)}
		if ch.Customer.ID != 0 {
			d.Customer.ID, d.Customer.TelegramID = ch.Customer.ID, ch.Customer.TelegramID
		}
	case ch.Customer.ID != 0:
		d.Customer = ch.Customer
	default:
		p := problem(http.StatusUnprocessableEntity, TypeNoCustomer, "this channel names the end customer of each order: send customer.name and customer.phone")
		p.Errors = []FieldError{{Field: "customer", Message: "required"}}
		return Order{}, p
	}
	if _, ok := rules.PaymentMethod(b.PaymentMethod); !ok {
		return Order{}, invalidField("payment_method", "unknown payment method")
	}
	wanted, err := orders.ParseISODate(b.WantedDate)
	if err != nil {
		return Order{}, invalidField("wanted_date", "a date like 2027-01-15")
	}
	if wanted.Before(s.desk.Today()) {
		return Order{}, invalidField("wanted_date", "must not be in the past")
	}
	d.WantedDate = wanted
	for i, l := range b.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if l.Quantity > rules.MaxQuantity {
			return Order{}, invalidField(field+".quantity", fmt.Sprintf("at most %d", rules.MaxQuantity))
		}
		p, err := s.desk.Product(ctx, strings.TrimSpace(l.SKU))
		switch {
		case errors.Is(err, orders.ErrNotFound):
			pr := problem(http.StatusUnprocessableEntity, TypeUnknownSKU, fmt.Sprintf("%s: no product %q", field, l.SKU))
			pr.Errors = []FieldError{{Field: field + ".sku", Message: "unknown SKU"}}
			return Order{}, pr
		case errors.Is(err, orders.ErrInactive):
			pr := problem(http.StatusUnprocessableEntity, TypeProductUnavailable, fmt.Sprintf("%s: %s is not sold any more", field, l.SKU))
			pr.Errors = []FieldError{{Field: field + ".sku", Message: "not sold any more"}}
			return Order{}, pr
		case err != nil:
			return Order{}, s.problemOf(ctx, err)
		}
		variant, perr := variantOf(p, l.Options, field)
		if perr != nil {
			return Order{}, perr
		}
		d.Lines = append(d.Lines, orders.DraftLine{SKU: p.SKU, Variant: variant, Quantity: l.Quantity})
	}
	q, err := s.desk.Quote(ctx, d)
	if err != nil {
		return Order{}, s.problemOf(ctx, err)
	}
	if !b.Backorder {
		if short := shortLines(q); len(short) > 0 {
			return Order{}, insufficient(short)
		}
		d.Seen = q.Fingerprint() // placed only as quoted: from stock
	}
	if d.WantedDate.Before(q.Earliest) {
		p := problem(http.StatusUnprocessableEntity, TypeWantedDateTooEarly,
			"the earliest possible delivery is "+q.Earliest.String())
		p.EarliestDate = q.Earliest.String()
		p.Errors = []FieldError{{Field: "wanted_date", Message: "before the earliest possible delivery " + q.Earliest.String()}}
		return Order{}, p
	}
	// The key makes the placement itself idempotent, beside the stored response.
	d.Key = "api:" + strconv.FormatInt(ch.ID, 10) + ":" + idempotencyKey(ctx)
	o, _, err := s.desk.PlaceThroughChannel(ctx, ch.Name, d)
	if err != nil {
		return Order{}, s.problemOf(ctx, err)
	}
	return orderOut(o, rules.Currency), nil
}

// shortLines are the quote's standard lines that cannot ship from stock.
func shortLines(q orders.Quote) []ShortLine {
	var out []ShortLine
	for _, l := range q.Lines {
		if l.Product.Standard && !l.FromStock {
			out = append(out, ShortLine{SKU: l.SKU, Requested: l.Quantity, Available: max(l.Product.Available(), 0)})
		}
	}
	return out
}

func insufficient(lines []ShortLine) *Problem {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = fmt.Sprintf("%s: %d requested, %d available", l.SKU, l.Requested, l.Available)
	}
	p := problem(http.StatusConflict, TypeInsufficientStock,
		strings.Join(parts, "; ")+` (send "backorder": true to accept production)`)
	p.Lines = lines
	return p
}

// variantOf checks a line's options against the product's.
func variantOf(p orders.Product, opts map[string]string, field string) (orders.Variant, *Problem) {
	known := map[string][]string{}
	for _, o := range p.Options {
		known[o.Name] = o.Values
	}
	names := make([]string, 0, len(opts))
	for k := range opts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		values, ok := known[k]
		if !ok {
			return "", invalidField(field+".options."+k, fmt.Sprintf("%s has no option %q", p.SKU, k))
		}
		found := false
		for _, v := range values {
			found = found || v == opts[k]
		}
		if !found {
			return "", invalidField(field+".options."+k, "one of "+strings.Join(values, ", "))
		}
	}
	for _, o := range p.Options {
		if _, ok := opts[o.Name]; !ok {
			return "", invalidField(field+".options."+o.Name, "required: one of "+strings.Join(o.Values, ", "))
		}
	}
	return orders.MakeVariant(p.Options, opts), nil
}

type idemCtxKey struct{}

func idempotencyKey(ctx context.Context) string {
	if hc, ok := ctx.Value(idemCtxKey{}).(string); ok {
		return hc
	}
	return ""
}

// cursor encodes where a listing continues: the last order's change and id.
func encodeCursor(t time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (time.Time, int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, false
	}
	ts, ids, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, 0, false
	}
	id, err := strconv.ParseInt(ids, 10, 64)
	return t, id, err == nil
}

func (s *Server) list(ctx context.Context, ch orders.Channel, in *listInput) (*struct{ Body OrderList }, error) {
	f := orders.ChannelOrderFilter{Channel: ch.Name, Limit: in.Limit}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if in.Status != "" {
		for _, st := range strings.Split(in.Status, ",") {
			st := orders.Status(strings.TrimSpace(st))
			if !st.Valid() {
				p := problem(http.StatusBadRequest, TypeInvalidQuery, fmt.Sprintf("status: unknown status %q", st))
				p.Errors = []FieldError{{Field: "status", Message: "one of " + statusList()}}
				return nil, p
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if in.UpdatedSince != "" {
		t, err := time.Parse(time.RFC3339Nano, in.UpdatedSince)
		if err != nil {
			p := problem(http.StatusBadRequest, TypeInvalidQuery, "updated_since: an RFC 3339 instant like 2026-11-27T10:00:00Z")
			p.Errors = []FieldError{{Field: "updated_since", Message: "RFC 3339"}}
			return nil, p
		}
		f.UpdatedSince = t
	}
	if in.Cursor != "" {
		t, id, ok := decodeCursor(in.Cursor)
		if !ok {
			return nil, problem(http.StatusBadRequest, TypeInvalidCursor, "cursor: pass the next_cursor of the previous page as it is")
		}
		f.AfterUpdated, f.AfterID = t, id
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	os, times, err := s.store.ChannelOrders(ctx, f)
	if err != nil {
		return nil, s.problemOf(ctx, err)
	}
	out := &struct{ Body OrderList }{OrderList{Orders: make([]Order, 0, len(os))}}
	for i, o := range os {
		if i == limit {
			out.Body.NextCursor = encodeCursor(times[i-1], os[i-1].ID)
			break
		}
		out.Body.Orders = append(out.Body.Orders, orderOut(o, s.desk.Rules().Currency))
	}
	return out, nil
}

func statusList() string {
	ss := make([]string, len(orders.Statuses))
	for i, st := range orders.Statuses {
		ss[i] = string(st)
	}
	return strings.Join(ss, ", ")
}

// problemOf maps a domain error to a problem; unexpected errors are logged once here and
// answered 500 without their text.
func (s *Server) problemOf(ctx context.Context, err error) error {
	var (
		p     *Problem
		short *orders.StockShortage
		verr  *orders.ValidationError
	)
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &short):
		lines := make([]ShortLine, len(short.Lines))
		for i, l := range short.Lines {
			lines[i] = ShortLine{SKU: l.SKU, Requested: l.Wanted, Available: max(l.Available, 0)}
		}
		return insufficient(lines)
	case errors.Is(err, orders.ErrNotFound):
		return problem(http.StatusNotFound, TypeNotFound, "no such order")
	case errors.As(err, &verr):
		field := verr.Field
		switch field {
		case "date":
			field = "wanted_date"
		case "payment":
			field = "payment_method"
		case "phone":
			field = "customer.phone"
		}
		return invalidField(field, verr.Reason)
	case errors.Is(err, orders.ErrQuoteChanged):
		return problem(http.StatusConflict, TypeQuoteChanged, "prices or dates changed while the order was placed: place it again with a new Idempotency-Key")
	case errors.Is(err, orders.ErrInvalidTransition):
		return problem(http.StatusConflict, TypeCancelRefused, cleanDetail(err))
	case errors.Is(err, orders.ErrConflict):
		return problem(http.StatusConflict, TypeInvalidTransition, cleanDetail(err))
	case errors.Is(err, orders.ErrForbidden):
		return problem(http.StatusForbidden, TypeForbidden, "not allowed")
	}
	s.log.ErrorContext(ctx, "api request failed", "err", err)
	return problem(http.StatusInternalServerError, TypeInternal, "the request failed; retry with the same Idempotency-Key")
}

// cleanDetail is the domain error's message without its sentinel's suffix.
func cleanDetail(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i > 0 {
		return msg[:i]
	}
	return msg
}
