package conversation

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
)

const pageSize = 8

// handlerFor returns the handler of a state of the order dialog.
func handlerFor(state string) handler {
	switch state {
	case stateProduct:
		return handler{(*step).askProduct, (*step).answerProduct}
	case stateOption:
		return handler{(*step).askOption, (*step).answerOption}
	case stateQuantity:
		return handler{(*step).askQuantity, (*step).answerQuantity}
	case stateCart:
		return handler{(*step).askCart, (*step).answerCart}
	case stateRemove:
		return handler{(*step).askRemove, (*step).answerRemove}
	case stateContact:
		return handler{(*step).askContact, (*step).answerContact}
	case stateName:
		return handler{(*step).askName, (*step).answerName}
	case statePhone:
		return handler{(*step).askPhone, (*step).answerPhone}
	case stateAddress:
		return handler{(*step).askAddress, (*step).answerAddress}
	case stateDate:
		return handler{(*step).askDate, (*step).answerDate}
	case statePayment:
		return handler{(*step).askPayment, (*step).answerPayment}
	case stateNotes:
		return handler{(*step).askNotes, (*step).answerNotes}
	case stateSummary:
		return handler{(*step).askSummary, (*step).answerSummary}
	case stateEdit:
		return handler{(*step).askEdit, (*step).answerEdit}
	case stateResume:
		return handler{(*step).askResume, (*step).answerResume}
	case stateStatus:
		return handler{(*step).askStatus, (*step).answerStatus}
	case stateFind:
		return handler{(*step).askFind, (*step).answerFind}
	case stateForCustomer:
		return handler{(*step).askForCustomer, (*step).answerForCustomer}
	case stateNewCustName:
		return handler{(*step).askNewCustName, (*step).answerNewCustName}
	case stateNewCustPhone:
		return handler{(*step).askNewCustPhone, (*step).answerNewCustPhone}
	case stateReviewDate:
		return handler{(*step).askReviewDate, (*step).answerReviewDate}
	case stateRejectReason:
		return handler{(*step).askRejectReason, (*step).answerRejectReason}
	case stateShipCarrier:
		return handler{(*step).askShipCarrier, (*step).answerShipCarrier}
	case stateShipTracking:
		return handler{(*step).askShipTracking, (*step).answerShipTracking}
	case stateCancelReason:
		return handler{(*step).askCancelReason, (*step).answerCancelReason}
	case statePayAmount:
		return handler{(*step).askPayAmount, (*step).answerPayAmount}
	case statePayMethod:
		return handler{(*step).askPayMethod, (*step).answerPayMethod}
	case stateChangeNote:
		return handler{(*step).askChangeNote, (*step).answerChangeNote}
	case stateChangeKind:
		return handler{(*step).askChangeKind, (*step).answerChangeKind}
	case stateChangeQuantity:
		return handler{(*step).askChangeQuantity, (*step).answerChangeQuantity}
	case stateChangeDate:
		return handler{(*step).askChangeDate, (*step).answerChangeDate}
	case stateChangeAddress:
		return handler{(*step).askChangeAddress, (*step).answerChangeAddress}
	case stateChangeReason:
		return handler{(*step).askChangeReason, (*step).answerChangeReason}
	case stateRateComment:
		return handler{(*step).askRateComment, (*step).answerRateComment}
	case stateIntent:
		return handler{(*step).askIntent, (*step).answerIntent}
	}
	if h, ok := complaintHandler(state); ok {
		return h
	}
	return handler{
		ask:    func(st *step) error { st.reset(true); return st.menu() },
		answer: func(st *step, in Input, _, _ string) error { st.reset(true); return st.idleInput(in) },
	}
}

// newOrder starts an order, or offers to resume the unfinished one.
func (st *step) newOrder() error {
	s := st.s
	if s.Draft != nil && len(s.Draft.Lines) > 0 {
		s.State, s.Stack = stateIdle, nil
		return st.goTo(stateResume)
	}
	st.reset(false)
	s.Draft = &orders.Draft{Key: st.e.newKey(), Source: "customer"}
	return st.goTo(stateProduct)
}

func (st *step) askResume() error {
	st.say(st.t("resume.ask", len(st.s.Draft.Lines)),
		[]Button{st.btn("btn.resume", "resume"), st.btn("btn.startover", "over")},
		[]Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerResume(in Input, action, _ string) error {
	switch action {
	case "resume":
		st.s.State, st.s.Stack = stateIdle, nil
		return st.goTo(stateCart)
	case "over":
		st.s.Draft = nil
		return st.newOrder()
	}
	st.say(st.t("err.choose_button"))
	return st.reask()
}

// --- product ---

func (st *step) askProduct() error {
	s := st.s
	s.Pick = nil
	switch {
	case s.Category != "" || s.Query != "":
		return st.listProducts()
	}
	cats, err := st.e.desk.Categories(st.ctx)
	if err != nil {
		return err
	}
	s.List = cats
	var rows [][]Button
	for i := 0; i < len(cats); i += 2 {
		row := []Button{st.rawBtn(st.categoryName(cats[i]), "cat", strconv.Itoa(i))}
		if i+1 < len(cats) {
			row = append(row, st.rawBtn(st.categoryName(cats[i+1]), "cat", strconv.Itoa(i+1)))
		}
		rows = append(rows, row)
	}
	rows = append(rows, st.navRow())
	st.say(st.t("ask.product"), rows...)
	return nil
}

func (st *step) listProducts() error {
	s := st.s
	ps, err := st.e.desk.Products(st.ctx, orders.ProductFilter{
		Category: s.Category, Query: s.Query, Limit: pageSize + 1, Offset: s.Page * pageSize,
	})
	if err != nil {
		return err
	}
	more := len(ps) > pageSize
	if more {
		ps = ps[:pageSize]
	}
	s.List = s.List[:0]
	var rows [][]Button
	for i, p := range ps {
		s.List = append(s.List, p.SKU)
		rows = append(rows, []Button{st.rawBtn(
			fmt.Sprintf("%s · %s", p.Name(s.Lang), st.money(p.Price)), "prod", strconv.Itoa(i))})
	}
	var pager []Button
	if s.Page > 0 {
		pager = append(pager, st.btn("btn.prev", "page", strconv.Itoa(s.Page-1)))
	}
	if more {
		pager = append(pager, st.btn("btn.next", "page", strconv.Itoa(s.Page+1)))
	}
	if len(pager) > 0 {
		rows = append(rows, pager)
	}
	rows = append(rows, []Button{st.btn("btn.categories", "cats")}, st.navRow())
	title := st.t("ask.product.in_category", st.categoryName(s.Category))
	if s.Query != "" {
		title = st.t("ask.product.results", s.Query)
	}
	st.say(title, rows...)
	return nil
}

func (st *step) answerProduct(in Input, action, arg string) error {
	s := st.s
	switch action {
	case "cat":
		i, err := strconv.Atoi(arg)
		if err != nil || i < 0 || i >= len(s.List) {
			st.say(st.t("err.stale_button"))
			return st.reask()
		}
		s.Category, s.Query, s.Page = s.List[i], "", 0
		s.Seq++
		return st.listProducts()
	case "cats":
		s.Category, s.Query, s.Page = "", "", 0
		s.Seq++
		return st.askProduct()
	case "page":
		p, err := strconv.Atoi(arg)
		if err != nil || p < 0 {
			return st.reask()
		}
		s.Page = p
		s.Seq++
		return st.listProducts()
	case "prod":
		i, err := strconv.Atoi(arg)
		if err != nil || i < 0 || i >= len(s.List) {
			st.say(st.t("err.stale_button"))
			return st.reask()
		}
		return st.choose(s.List[i])
	case "":
	default:
		st.say(st.t("err.choose_button"))
		return st.reask()
	}
	if in.Kind != InputText {
		st.say(st.t("err.product.type"))
		return st.reask()
	}
	if ok, err := st.quickOrder(in.Text, true); ok || err != nil {
		return err // a whole order typed at the product question
	}
	q := strings.TrimSpace(in.Text)
	if q == "" || utf8.RuneCountInString(q) > 64 {
		st.say(st.t("err.product.query"))
		return st.reask()
	}
	// An exact SKU, even of an inactive product, gets a precise answer.
	if p, err := st.e.desk.Product(st.ctx, strings.ToUpper(q)); err == nil {
		return st.choose(p.SKU)
	} else if errors.Is(err, orders.ErrInactive) {
		st.say(st.t("err.product.inactive", p.Name(s.Lang)))
		return st.reask()
	} else if !errors.Is(err, orders.ErrNotFound) {
		return err
	}
	// Names in either language, synonyms, category words, typos.
	m := st.understood().Product(q)
	if m.SKU != "" {
		if _, err := st.e.desk.Product(st.ctx, m.SKU); err != nil {
			m.SKU = "" // left the catalog since the parser read it
		}
	}
	switch {
	case m.SKU != "":
		return st.choose(m.SKU)
	case m.Category != "":
		s.Category, s.Query, s.Page = m.Category, "", 0
		s.Seq++
		return st.listProducts()
	case len(m.Candidates) > 0:
		return st.offerProducts(q, m.Candidates)
	}
	ps, err := st.e.desk.Products(st.ctx, orders.ProductFilter{Query: q, Limit: 2})
	if err != nil {
		return err
	}
	switch len(ps) {
	case 0:
		st.say(st.t("err.product.none", q))
		s.Query, s.Category = "", ""
		return st.askProduct()
	case 1:
		return st.choose(ps[0].SKU)
	}
	s.Query, s.Category, s.Page = q, "", 0
	s.Seq++
	return st.listProducts()
}

// offerProducts asks "did you mean …" with a button for each candidate.
func (st *step) offerProducts(q string, cands []understand.Candidate) error {
	s := st.s
	s.Seq++
	s.List = s.List[:0]
	var rows [][]Button
	for _, c := range cands {
		p, err := st.e.desk.Product(st.ctx, c.SKU)
		if err != nil {
			continue
		}
		rows = append(rows, []Button{st.rawBtn(fmt.Sprintf("%s · %s", p.Name(s.Lang), st.money(p.Price)), "prod", strconv.Itoa(len(s.List)))})
		s.List = append(s.List, p.SKU)
		if len(s.List) == pageSize {
			break
		}
	}
	rows = append(rows, []Button{st.btn("btn.categories", "cats")}, st.navRow())
	if st.s.Quick != nil {
		st.say(q, rows...) // the line of the quick order, and its question
		return nil
	}
	st.say(st.t("product.didyoumean", q), rows...)
	return nil
}

// choose starts adding the product: its options, then the quantity.
func (st *step) choose(sku string) error {
	p, err := st.e.desk.Product(st.ctx, sku)
	switch {
	case errors.Is(err, orders.ErrInactive):
		st.say(st.t("err.product.inactive", p.Name(st.s.Lang)))
		return st.reask()
	case errors.Is(err, orders.ErrNotFound):
		st.say(st.t("err.product.gone"))
		return st.reask()
	case err != nil:
		return err
	}
	st.s.Pick = &pick{SKU: p.SKU, Chosen: map[string]string{}}
	if q := st.s.Quick; q != nil && len(q.Pending) > 0 {
		// A line of a quick order: what the message said of it is kept.
		for k, v := range q.Pending[0].Options {
			st.s.Pick.Chosen[k] = v
		}
		st.s.Pick.Quantity = q.Pending[0].Quantity
		q.Pending = q.Pending[1:]
	}
	if _, more := st.nextOption(p); more {
		return st.goTo(stateOption)
	}
	if st.s.Pick.Quantity > 0 {
		return st.addLine(p, st.s.Pick.Quantity)
	}
	return st.goTo(stateQuantity)
}

func (st *step) picked() (orders.Product, error) {
	if st.s.Pick == nil {
		return orders.Product{}, fmt.Errorf("no product picked: %w", orders.ErrNotFound)
	}
	return st.e.desk.Product(st.ctx, st.s.Pick.SKU)
}

// nextOption is the first option of p not chosen yet.
func (st *step) nextOption(p orders.Product) (orders.Option, bool) {
	for _, o := range p.Options {
		if _, ok := st.s.Pick.Chosen[o.Name]; !ok {
			return o, true
		}
	}
	return orders.Option{}, false
}

func (st *step) askOption() error {
	p, err := st.picked()
	if err != nil {
		return st.productGone(err)
	}
	o, ok := st.nextOption(p)
	if !ok {
		st.s.State = stateQuantity
		return st.askQuantity()
	}
	var rows [][]Button
	var row []Button
	for i, v := range o.Values {
		row = append(row, st.rawBtn(st.optionValue(o, v), "opt", strconv.Itoa(i)))
		if len(row) == 3 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, st.navRow())
	st.say(st.t("ask.option", p.Name(st.s.Lang), st.optionName(o.Name)), rows...)
	return nil
}

// categoryName names a catalog category in the user's language when the catalog of texts
// knows it, else as the catalog spells it.
func (st *step) categoryName(c string) string {
	if k := "category." + c; st.t(k) != k {
		return st.t(k)
	}
	return c
}

func (st *step) optionName(name string) string {
	if k := "option." + name; st.t(k) != k {
		return st.t(k)
	}
	return strings.ReplaceAll(name, "_", " ")
}

func (st *step) answerOption(in Input, action, arg string) error {
	p, err := st.picked()
	if err != nil {
		return st.productGone(err)
	}
	o, ok := st.nextOption(p)
	if !ok {
		return st.goTo(stateQuantity)
	}
	value := ""
	switch {
	case action == "opt":
		if i, err := strconv.Atoi(arg); err == nil && i >= 0 && i < len(o.Values) {
			value = o.Values[i]
		}
	case in.Kind == InputText:
		if v, ok := o.Match(in.Text); ok { // a value or the catalog's Chinese name
			value = v
		} else if v, ok := st.understood().OptionValue(in.Text, p, o.Name); ok {
			value = v
		} else {
			value = st.typedValue(o, in.Text)
		}
	}
	if value == "" {
		var names []string
		for _, v := range o.Values {
			names = append(names, st.optionValue(o, v))
		}
		st.say(st.t("err.option", st.optionName(o.Name), st.list(names)))
		return st.reask()
	}
	if st.s.Pick.Chosen == nil {
		st.s.Pick.Chosen = map[string]string{}
	}
	st.s.Pick.Chosen[o.Name] = value
	if _, more := st.nextOption(p); more {
		st.s.Seq++
		return st.askOption()
	}
	if st.s.Pick.Quantity > 0 {
		return st.addLine(p, st.s.Pick.Quantity)
	}
	return st.goTo(stateQuantity)
}

func (st *step) productGone(err error) error {
	if errors.Is(err, orders.ErrNotFound) || errors.Is(err, orders.ErrInactive) {
		st.say(st.t("err.product.gone"))
		st.s.Pick = nil
		st.s.State = stateProduct
		st.s.Seq++
		return st.askProduct()
	}
	return err
}

func (st *step) askQuantity() error {
	p, err := st.picked()
	if err != nil {
		return st.productGone(err)
	}
	name := st.productLabel(p, orders.MakeVariant(p.Options, st.s.Pick.Chosen))
	st.say(st.t("ask.quantity", name, st.unitLabel(p.Unit, p.UnitZH), st.e.desk.Rules().MaxQuantity), st.navRow())
	return nil
}

func (st *step) answerQuantity(in Input, action, _ string) error {
	p, err := st.picked()
	if err != nil {
		return st.productGone(err)
	}
	if in.Kind != InputText || action != "" {
		st.say(st.t("err.quantity.type"))
		return st.reask()
	}
	n, err := ParseQuantity(in.Text, st.e.desk.Rules().MaxQuantity)
	if err != nil {
		return st.invalid(err)
	}
	return st.addLine(p, n)
}

// addLine adds n of the picked product with its chosen options to the draft, says how it
// ships, and moves on: to the cart, or in a quick order to what is still missing.
func (st *step) addLine(p orders.Product, n int) error {
	d := st.s.Draft
	line := orders.DraftLine{SKU: p.SKU, Variant: orders.MakeVariant(p.Options, st.s.Pick.Chosen), Quantity: n}
	merged := false
	for i := range d.Lines {
		if d.Lines[i].SKU == line.SKU && d.Lines[i].Variant == line.Variant {
			if d.Lines[i].Quantity+n > st.e.desk.Rules().MaxQuantity {
				return st.invalid(inputErr("err.quantity.max", st.e.desk.Rules().MaxQuantity))
			}
			d.Lines[i].Quantity += n
			merged = true
		}
	}
	if !merged {
		d.Lines = append(d.Lines, line)
	}
	st.s.Pick = nil
	q, err := st.e.desk.Quote(st.ctx, *d)
	if err != nil {
		return st.quoteFailed(err)
	}
	for _, ql := range q.Lines {
		if ql.SKU == line.SKU && ql.Variant == line.Variant {
			st.say(st.lineAdded(ql))
		}
	}
	st.s.Stack = nil
	st.s.State = stateIdle
	if st.s.Quick != nil {
		return st.quickNext()
	}
	return st.goTo(stateCart)
}

// quoteFailed handles a draft that no longer quotes: a product left the catalog.
func (st *step) quoteFailed(err error) error {
	if !errors.Is(err, orders.ErrNotFound) && !errors.Is(err, orders.ErrInactive) {
		return err
	}
	d := st.s.Draft
	kept := d.Lines[:0]
	for _, l := range d.Lines {
		if _, perr := st.e.desk.Product(st.ctx, l.SKU); perr == nil {
			kept = append(kept, l)
		}
	}
	d.Lines = kept
	st.say(st.t("err.product.removed"))
	st.s.State, st.s.Stack = stateIdle, nil
	if len(d.Lines) == 0 {
		return st.goTo(stateProduct)
	}
	return st.goTo(stateCart)
}

// --- cart ---

func (st *step) askCart() error {
	q, err := st.e.desk.Quote(st.ctx, *st.s.Draft)
	if err != nil {
		return st.quoteFailed(err)
	}
	st.say(st.t("cart.title")+"\n"+st.cartText(q),
		[]Button{st.btn("btn.add", "add"), st.btn("btn.remove", "rm")},
		[]Button{st.btn("btn.continue", "next")},
		[]Button{st.btn("btn.cancel", "cancel")})
	return nil
}

func (st *step) answerCart(in Input, action, _ string) error {
	switch action {
	case "add":
		st.s.Category, st.s.Query, st.s.Page = "", "", 0
		return st.goTo(stateProduct)
	case "rm":
		return st.goTo(stateRemove)
	case "next":
		if len(st.s.Draft.Lines) == 0 {
			st.say(st.t("err.cart.empty"))
			return st.goTo(stateProduct)
		}
		if _, err := st.e.desk.Quote(st.ctx, *st.s.Draft); err != nil {
			return st.quoteFailed(err) // a product left the catalog meanwhile
		}
		if st.s.For != nil {
			return st.next(stateAddress) // the rep chose the customer: name and phone are known
		}
		return st.next(st.contactState())
	}
	if in.Kind == InputText {
		// A product name typed here adds another product.
		st.s.Category, st.s.Query, st.s.Page = "", "", 0
		st.s.Stack = append(st.s.Stack, stateCart)
		st.s.State = stateProduct
		st.s.Seq++
		return st.answerProduct(in, "", "")
	}
	st.say(st.t("err.choose_button"))
	return st.reask()
}

func (st *step) askRemove() error {
	d := st.s.Draft
	var rows [][]Button
	for i, l := range d.Lines {
		rows = append(rows, []Button{st.rawBtn(fmt.Sprintf("✕ %s × %d", st.lineName(l.SKU, l.Variant), l.Quantity), "del", strconv.Itoa(i))})
	}
	rows = append(rows, st.navRow())
	st.say(st.t("ask.remove"), rows...)
	return nil
}

func (st *step) answerRemove(_ Input, action, arg string) error {
	i, err := strconv.Atoi(arg)
	if action != "del" || err != nil || i < 0 || i >= len(st.s.Draft.Lines) {
		st.say(st.t("err.choose_button"))
		return st.reask()
	}
	d := st.s.Draft
	d.Lines = append(d.Lines[:i], d.Lines[i+1:]...)
	st.say(st.t("cart.removed"))
	st.s.State, st.s.Stack = stateIdle, nil
	if len(d.Lines) == 0 {
		return st.goTo(stateProduct)
	}
	return st.goTo(stateCart)
}

// --- contact ---

func (st *step) contactState() string {
	if st.s.Name != "" && st.s.Phone != "" {
		return stateContact
	}
	c, err := st.e.desk.Customer(st.ctx, st.u.ID)
	if err == nil && c.Name != "" && c.Phone != "" {
		return stateContact
	}
	return stateName
}

func (st *step) askContact() error {
	name, phone := st.s.Name, st.s.Phone
	if name == "" || phone == "" {
		c, err := st.e.desk.Customer(st.ctx, st.u.ID)
		if err != nil && !errors.Is(err, orders.ErrNotFound) {
			return err
		}
		name, phone = c.Name, c.Phone
	}
	if name == "" || phone == "" {
		st.s.State = stateName
		return st.askName()
	}
	st.s.Name, st.s.Phone = name, phone
	st.say(st.t("ask.contact.saved", name, phone),
		[]Button{st.btn("btn.use_saved", "use"), st.btn("btn.change", "change")}, st.navRow())
	return nil
}

func (st *step) answerContact(in Input, action, _ string) error {
	if in.Kind == InputText {
		switch understand.YesNo(in.Text) {
		case understand.Yes:
			action = "use"
		case understand.No:
			action = "change"
		}
	}
	switch action {
	case "use":
		return st.next(stateAddress)
	case "change":
		return st.goTo(stateName)
	}
	st.say(st.t("err.choose_button"))
	return st.reask()
}

func (st *step) askName() error {
	rows := [][]Button{}
	key := "ask.name.typed"
	if name := understand.ProfileName(st.u.Name); name != "" {
		rows = append(rows, []Button{st.rawBtn(name, "tgname")})
		key = "ask.name"
	}
	// (a chat without a name of its own, like the terminal's, or with a placeholder one
	// like "Demo Customer", offers none)
	rows = append(rows, st.navRow())
	st.say(st.t(key), rows...)
	return nil
}

func (st *step) answerName(in Input, action, _ string) error {
	name := ""
	switch {
	case action == "tgname":
		name = understand.ProfileName(st.u.Name)
	case in.Kind == InputText:
		name = strings.Join(strings.Fields(in.Text), " ")
		if n := understand.Name(name); n != "" {
			name = n // without 我叫 / my name is
		}
	}
	if _, err := understand.Quantity(name, 1<<30); name != "" && action != "tgname" &&
		(err == nil || understand.YesNo(name) != understand.Unclear || understand.IsNone(name)) {
		// 「两套」「好了」「没有」 answer another question: not a name.
		st.say(st.t("err.name.not_a_name", name))
		return st.reask()
	}
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		st.say(st.t("err.name.empty"))
		return st.reask()
	case n > 80:
		st.say(st.t("err.name.long"))
		return st.reask()
	}
	st.s.Name = name
	if st.s.Quick != nil {
		return st.quickNext()
	}
	return st.goTo(statePhone)
}

func (st *step) askPhone() error {
	r := st.say(st.t("ask.phone"), st.navRow())
	r.Keyboard, r.KeyboardText = RequestContact, st.t("btn.share_phone")
	return nil
}

func (st *step) answerPhone(in Input, _, _ string) error {
	var raw string
	switch in.Kind {
	case InputContact:
		raw = in.Phone
	case InputText:
		raw = in.Text
	default:
		st.say(st.t("err.phone.type"))
		return st.reask()
	}
	phone, err := ParsePhone(raw)
	if err != nil {
		return st.invalid(err)
	}
	st.s.Phone = phone
	st.say(st.t("phone.saved", phone)).Keyboard = RemoveKeyboard
	return st.next(stateAddress)
}

// --- address ---

func (st *step) askAddress() error {
	var c orders.Customer
	var err error
	if st.s.For != nil {
		c = *st.s.For
	} else if c, err = st.e.desk.Customer(st.ctx, st.u.ID); err != nil && !errors.Is(err, orders.ErrNotFound) {
		return err
	}
	st.s.List = c.Addresses
	var rows [][]Button
	for i, a := range c.Addresses {
		rows = append(rows, []Button{st.rawBtn(truncate(a, 60), "addr", strconv.Itoa(i))})
	}
	rows = append(rows, st.navRow())
	key := "ask.address"
	if len(c.Addresses) > 0 {
		key = "ask.address.saved"
	}
	r := st.say(st.t(key), rows...)
	r.Keyboard, r.KeyboardText = RequestLocation, st.t("btn.share_location")
	return nil
}

func (st *step) answerAddress(in Input, action, arg string) error {
	addr := ""
	switch {
	case action == "addr":
		i, err := strconv.Atoi(arg)
		if err != nil || i < 0 || i >= len(st.s.List) {
			st.say(st.t("err.stale_button"))
			return st.reask()
		}
		addr = st.s.List[i]
	case in.Kind == InputLocation:
		addr = st.t("address.location", in.Lat, in.Lon)
	case in.Kind == InputText:
		ref := understand.Address(strings.Join(strings.Fields(in.Text), " "), st.s.List)
		switch {
		case ref.Ref && ref.Index >= 0 && ref.Index < len(st.s.List):
			addr = st.s.List[ref.Index]
		case ref.Ref && len(ref.Candidates) == 0:
			// 还是上海那个 with no saved address in Shanghai (or none at all): say so.
			st.say(st.noSavedAddress(strings.TrimSpace(in.Text), st.s.List))
			return st.reask()
		case ref.Ref:
			st.say(st.t("err.address.which"))
			return st.reask()
		default:
			addr = ref.Value
		}
		if ref.Ref {
			break
		}
		switch n := utf8.RuneCountInString(addr); {
		case n < 5:
			st.say(st.t("err.address.short"))
			return st.reask()
		case n > 300:
			st.say(st.t("err.address.long"))
			return st.reask()
		}
	default:
		st.say(st.t("err.address.type"))
		return st.reask()
	}
	st.s.Draft.Address = addr
	st.say(st.t("address.saved", addr)).Keyboard = RemoveKeyboard
	return st.next(stateDate)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// --- date ---

func (st *step) earliest() (orders.Date, error) {
	q, err := st.e.desk.Quote(st.ctx, *st.s.Draft)
	if err != nil {
		return orders.Date{}, err
	}
	return q.Earliest, nil
}

func (st *step) askDate() error {
	earliest, err := st.earliest()
	if err != nil {
		return st.quoteFailed(err)
	}
	month := st.s.CalMonth
	if month == "" || month < earliest.String()[:7] {
		month = earliest.String()[:7]
	}
	st.s.CalMonth = month
	rows := st.calendar(month, earliest)
	rows = append(rows, st.navRow())
	st.say(st.t("ask.date", st.date(earliest)), rows...)
	return nil
}

func (st *step) answerDate(in Input, action, arg string) error {
	earliest, err := st.earliest()
	if err != nil {
		return st.quoteFailed(err)
	}
	var d orders.Date
	switch {
	case action == "cal":
		if _, err := orders.ParseISODate(arg + "-01"); err != nil {
			return st.reask()
		}
		st.s.CalMonth = arg
		st.s.Seq++
		return st.askDate()
	case action == "day":
		if d, err = orders.ParseISODate(arg); err != nil {
			return st.reask()
		}
	case in.Kind == InputText:
		if d, err = ParseDate(in.Text, st.e.desk.Today(), st.e.desk.Rules()); err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				st.say(st.t(ie.Key, ie.Args...))
				return st.reask()
			}
			return err
		}
	default:
		st.say(st.t("err.date.type"))
		return st.reask()
	}
	switch {
	case d.Before(st.e.desk.Today()):
		st.say(st.t("err.date.past", st.date(earliest)))
		return st.reask()
	case d.Before(earliest):
		st.say(st.t("err.date.early", st.date(earliest)))
		return st.reask()
	}
	if ok, err := st.workingDay(d); !ok {
		return err
	}
	st.s.Draft.WantedDate = d
	st.s.CalMonth = ""
	return st.next(statePayment)
}

// --- payment and notes ---

func (st *step) askPayment() error {
	var rows [][]Button
	for _, pm := range st.e.desk.Rules().PaymentMethods {
		rows = append(rows, []Button{st.rawBtn(pm.Label(st.s.Lang), "pay", pm.Code)})
	}
	rows = append(rows, st.navRow())
	st.say(st.t("ask.payment"), rows...)
	return nil
}

func (st *step) answerPayment(in Input, action, arg string) error {
	code := ""
	rules := st.e.desk.Rules()
	switch {
	case action == "pay":
		if _, ok := rules.PaymentMethod(arg); ok {
			code = arg
		}
	case in.Kind == InputText:
		if c, ok := st.understood().PaymentMethod(in.Text); ok {
			code = c
		} else {
			code = st.typedMethod(in.Text)
		}
	}
	if code == "" {
		st.say(st.t("err.payment", st.methodNames()))
		return st.reask()
	}
	st.s.Draft.PaymentMethod = code
	return st.next(stateNotes)
}

func (st *step) askNotes() error {
	st.say(st.t("ask.notes"), []Button{st.btn("btn.skip", "skip")}, st.navRow())
	return nil
}

func (st *step) answerNotes(in Input, action, _ string) error {
	switch {
	case action == "skip":
		st.s.Draft.Notes = ""
	case in.Kind == InputText && understand.IsNone(in.Text):
		st.s.Draft.Notes = "" // 没有, 不用了, none: no notes
	case in.Kind == InputText:
		n := strings.TrimSpace(in.Text)
		if utf8.RuneCountInString(n) > 500 {
			st.say(st.t("err.notes.long"))
			return st.reask()
		}
		st.s.Draft.Notes = n
	default:
		st.say(st.t("err.notes.type"))
		return st.reask()
	}
	return st.next(stateSummary)
}
