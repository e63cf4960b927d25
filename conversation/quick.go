package conversation

import (
	"cmp"
	"errors"
	"strings"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
)

// A quick order: a whole order typed in one message (「我要10把黑色办公椅，下周一送到浦东世纪大道
// 100号，银行转账」). What the message says is taken into the draft and shown, each field
// marked understood or missing; the dialog then asks only for what is missing and ends
// with the usual summary and Confirm.

// quick is what remains of a quick order to settle.
type quick struct {
	// Pending are lines the message named but not completely: a product to choose among
	// candidates, an option or a quantity to ask.
	Pending []pendingLine `json:"pending,omitempty"`
	// AddressRef is the message's reference to a saved address (还是广州那个) when it picks
	// none: said with the address question. AddressWhich: it matched several.
	AddressRef   string `json:"aref,omitempty"`
	AddressWhich bool   `json:"awhich,omitempty"`
}

type pendingLine struct {
	SKU        string            `json:"sku,omitempty"`
	Candidates []string          `json:"cands,omitempty"`
	Category   string            `json:"cat,omitempty"`
	Quantity   int               `json:"qty,omitempty"`
	Options    map[string]string `json:"opts,omitempty"`
	Text       string            `json:"text,omitempty"`
}

// quickOrder reads text as a quick order; ok is false when it is not one (it names no
// product), and nothing is done then.
func (st *step) quickOrder(text string, more bool) (bool, error) {
	qd := st.understood().QuickOrder(text, st.now())
	if !qd.IsOrder() || more && !saysMore(qd) {
		return false, nil
	}
	s := st.s
	if qd.Lang != "" && s.Fresh {
		s.Lang = i18n.Normalize(qd.Lang)
	}
	for_ := s.For
	// From the menu a quick order is a new order: an unfinished draft kept from earlier is
	// not silently added to (its quantities would add up to what nobody asked for).
	if s.Draft == nil || s.State == stateIdle {
		key := st.e.newKey()
		src := "customer"
		if for_ != nil {
			src = ""
		}
		st.reset(false)
		s.For = for_
		s.Draft = &orders.Draft{Key: key, Source: src}
	} else {
		st.reset(true)
		s.For = for_
	}
	q := &quick{}
	d := s.Draft
	var lines []string
	for _, l := range qd.Lines {
		if l.Understood() {
			p, err := st.e.desk.Product(st.ctx, l.SKU)
			if err == nil {
				v := orders.MakeVariant(p.Options, l.Options)
				var total int
				d.Lines, total = mergeLine(d.Lines, orders.DraftLine{SKU: l.SKU, Variant: v, Quantity: l.Quantity})
				line := "✓ " + st.lineName(l.SKU, v) + " × " + st.qty(l.Quantity, p.Unit, p.UnitZH)
				if total != l.Quantity { // added to the same line of the cart: say what it holds now
					line += st.t("quick.line_total", st.qty(total, p.Unit, p.UnitZH))
				}
				lines = append(lines, line)
				continue
			}
		}
		pl := pendingLine{SKU: l.SKU, Category: l.Category, Quantity: l.Quantity, Options: l.Options, Text: l.Text}
		for _, c := range l.Candidates {
			pl.Candidates = append(pl.Candidates, c.SKU)
		}
		q.Pending = append(q.Pending, pl)
		lines = append(lines, "？ "+st.pendingText(pl))
	}
	if qd.AddressState == understand.Understood && qd.Address != "" {
		d.Address = qd.Address
	} else if qd.AddressRef != "" {
		saved := st.savedAddresses()
		if ref := understand.Address(qd.AddressRef, saved); ref.Index >= 0 && ref.Index < len(saved) {
			d.Address = saved[ref.Index]
		} else {
			q.AddressRef, q.AddressWhich = qd.AddressRef, len(ref.Candidates) > 1
		}
	}
	if qd.DateState == understand.Understood {
		d.WantedDate = qd.Date.Date
	}
	if qd.PaymentState == understand.Understood {
		d.PaymentMethod = qd.PaymentMethod
	}
	if qd.PhoneState == understand.Understood {
		s.Phone = qd.Phone
	}
	if qd.NameState == understand.Understood {
		s.Name = qd.Name
	}
	if qd.Notes != "" {
		d.Notes = qd.Notes
	}
	if s.For == nil && (s.Name == "" || s.Phone == "") {
		// The contact saved with an earlier order; a name alone is the chat profile's,
		// which the customer never gave for an order: asked, not taken.
		if c, err := st.e.desk.Customer(st.ctx, st.u.ID); err == nil {
			if c.Name != "" && c.Phone != "" {
				s.Name = cmp.Or(s.Name, c.Name)
				s.Phone = cmp.Or(s.Phone, c.Phone)
			}
		} else if !errors.Is(err, orders.ErrNotFound) {
			return true, err
		}
	}
	s.Quick = q
	st.say(st.draftText(lines))
	return true, st.quickNext()
}

// saysMore reports whether a quick order says more than a product's name: a quantity,
// several products, a date, an address, a phone or a payment method. At the product
// question only such a message is taken as a quick order; a name alone is a search.
func saysMore(qd understand.Draft) bool {
	if len(qd.Lines) > 1 || qd.DateState != understand.Missing || qd.AddressState != understand.Missing ||
		qd.PhoneState != understand.Missing || qd.PaymentState != understand.Missing {
		return true
	}
	for _, l := range qd.Lines {
		if l.Quantity > 0 || l.QuantityError != "" {
			return true
		}
	}
	return false
}

// mergeLine adds l to lines, adding up the quantity of a line of the same product and
// options, and returns the quantity of l's line now.
func mergeLine(lines []orders.DraftLine, l orders.DraftLine) ([]orders.DraftLine, int) {
	for i := range lines {
		if lines[i].SKU == l.SKU && lines[i].Variant == l.Variant {
			lines[i].Quantity += l.Quantity
			return lines, lines[i].Quantity
		}
	}
	return append(lines, l), l.Quantity
}

// pendingText describes a line not yet complete: what was typed and what is missing.
func (st *step) pendingText(pl pendingLine) string {
	what := strings.TrimSpace(pl.Text)
	if pl.Category != "" {
		what = st.categoryName(pl.Category)
	}
	if pl.SKU != "" {
		if p, err := st.e.desk.Product(st.ctx, pl.SKU); err == nil {
			what = p.Name(st.s.Lang)
		}
	}
	if pl.Quantity > 0 && (pl.SKU != "" || pl.Category != "") {
		what += " × " + strings.TrimSpace(st.qty(pl.Quantity, "", ""))
	}
	switch {
	case pl.SKU == "":
		return st.t("quick.missing.product", what)
	case pl.Quantity == 0:
		return st.t("quick.missing.quantity", what)
	}
	return st.t("quick.missing.option", what)
}

// savedAddresses are the addresses of the customer being ordered for.
func (st *step) savedAddresses() []string {
	if st.s.For != nil {
		return st.s.For.Addresses
	}
	c, err := st.e.desk.Customer(st.ctx, st.u.ID)
	if err != nil {
		return nil
	}
	return c.Addresses
}

// draftText shows what a quick order's message gave, field by field.
func (st *step) draftText(lines []string) string {
	s, d := st.s, st.s.Draft
	mark := func(key, value string) string {
		if value == "" {
			return "✗ " + st.field(key, st.t("quick.missing"))
		}
		return "✓ " + st.field(key, value)
	}
	var b strings.Builder
	b.WriteString(st.t("quick.title") + "\n")
	b.WriteString(st.t("field.products") + st.colon() + "\n")
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	if s.For == nil {
		contact := ""
		if s.Name != "" && s.Phone != "" {
			contact = st.comma(s.Name, s.Phone)
		}
		b.WriteString(mark("field.contact", contact) + "\n")
	}
	switch q := s.Quick; {
	case d.Address == "" && q != nil && q.AddressRef != "" && q.AddressWhich:
		b.WriteString("？ " + st.field("field.address", st.t("quick.address.which", q.AddressRef)) + "\n")
	case d.Address == "" && q != nil && q.AddressRef != "":
		b.WriteString("✗ " + st.field("field.address", st.t("quick.address.no_saved", q.AddressRef)) + "\n")
	default:
		b.WriteString(mark("field.address", d.Address) + "\n")
	}
	date := ""
	if !d.WantedDate.IsZero() {
		date = st.date(d.WantedDate)
	}
	b.WriteString(mark("field.date", date) + "\n")
	pm := ""
	if d.PaymentMethod != "" {
		pm = st.methodName(d.PaymentMethod)
	}
	b.WriteString(mark("field.payment", pm) + "\n")
	if d.Notes != "" {
		b.WriteString("✓ " + st.field("field.notes", d.Notes) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (st *step) colon() string {
	if st.s.Lang == i18n.ZH {
		return "："
	}
	return ":"
}

// quickNext asks for the first thing a quick order still lacks, or shows the summary.
func (st *step) quickNext() error {
	s, d := st.s, st.s.Draft
	q := s.Quick
	s.Stack = nil
	if q != nil && len(q.Pending) > 0 {
		pl := q.Pending[0]
		s.State = stateIdle
		if pl.SKU != "" {
			return st.choose(pl.SKU)
		}
		s.State = stateProduct
		if len(pl.Candidates) > 0 {
			var cands []understand.Candidate
			for _, c := range pl.Candidates {
				cands = append(cands, understand.Candidate{SKU: c})
			}
			return st.offerProducts(st.pendingText(pl), cands)
		}
		if pl.Category != "" {
			s.Category, s.Query, s.Page = pl.Category, "", 0
		}
		s.Seq++
		return st.askProduct()
	}
	s.State = stateIdle
	switch {
	case len(d.Lines) == 0:
		s.Quick = nil
		return st.goTo(stateProduct)
	case s.For == nil && s.Name == "":
		return st.goTo(stateName)
	case s.For == nil && s.Phone == "":
		return st.goTo(statePhone)
	case d.Address == "":
		if q != nil && q.AddressRef != "" {
			// 还是广州那个 picked no saved address: say so (once) with the question.
			if q.AddressWhich {
				st.say(st.t("err.address.which"))
			} else {
				st.say(st.noSavedAddress(q.AddressRef, st.savedAddresses()))
			}
			q.AddressRef, q.AddressWhich = "", false
		}
		return st.goTo(stateAddress)
	}
	earliest, err := st.earliest()
	if err != nil {
		return st.quoteFailed(err)
	}
	switch {
	case !d.WantedDate.IsZero() && d.WantedDate.Before(earliest):
		st.say(st.t("err.date.early", st.date(earliest)))
		d.WantedDate = orders.Date{}
		return st.goTo(stateDate)
	case d.WantedDate.IsZero():
		return st.goTo(stateDate)
	case d.PaymentMethod == "":
		return st.goTo(statePayment)
	}
	s.Quick = nil
	s.State = stateSummary
	s.Seq++
	return handlerFor(stateSummary).ask(st)
}

// noSavedAddress says that a reference to a saved address (还是广州那个) matches none of
// them, listing those there are.
func (st *step) noSavedAddress(ref string, saved []string) string {
	if len(saved) == 0 {
		return st.t("err.address.no_saved", ref)
	}
	return st.t("err.address.no_saved.list", ref, st.list(saved))
}
