package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/understand"
)

// step is the handling of one update: the session, who wrote, and the replies so far.
type step struct {
	e   *Engine
	ctx context.Context
	s   *Session
	u   User
	out []Reply
	act *orders.Actor // who the user is for the order desk, once looked up
	key string        // the update's key, which the desk actions of the step carry
}

func (st *step) t(key string, args ...any) string { return i18n.T(st.s.Lang, key, args...) }

func (st *step) say(text string, buttons ...[]Button) *Reply {
	st.out = append(st.out, Reply{Text: text, Buttons: buttons})
	return &st.out[len(st.out)-1]
}

// btn makes a button of the current question.
func (st *step) btn(labelKey, action string, arg ...string) Button {
	return st.rawBtn(st.t(labelKey), action, arg...)
}

func (st *step) rawBtn(label, action string, arg ...string) Button {
	d := strconv.Itoa(st.s.Seq) + ":" + action
	if len(arg) > 0 {
		d += ":" + arg[0]
	}
	return Button{Text: label, Data: d}
}

// navRow is the Back and Cancel row every question of the order flow carries.
func (st *step) navRow() []Button {
	return []Button{st.btn("btn.back", "back"), st.btn("btn.cancel", "cancel")}
}

// handler is one state of the dialog: ask poses its question, answer takes the reply
// (text, contact, location, or a button's action and argument).
type handler struct {
	ask    func(st *step) error
	answer func(st *step, in Input, action, arg string) error
}

func (st *step) run(in Input) error {
	s := st.s
	if s.Expired {
		s.Expired = false
		if in.Kind != InputCommand {
			st.say(st.t("session.expired"))
			*s = Session{Lang: s.Lang}
			return st.menu()
		}
	}
	switch in.Kind {
	case InputCommand:
		return st.command(in.Command, strings.TrimSpace(in.Args))
	case InputButton:
		return st.button(in.Data)
	case InputText:
		// A first message in Chinese is answered in Chinese; so is a first free message
		// after /start (not an answer to a question: 椅子 typed at an English product
		// question keeps the chat English).
		if s.Lang != i18n.ZH && hasHan(in.Text) && (s.Fresh || !s.LangSure && s.State == stateIdle) {
			s.Lang = i18n.ZH
		}
		if hasHan(in.Text) || strings.ContainsFunc(in.Text, unicode.IsLetter) {
			s.LangSure = true
		}
		switch {
		case isWord(in.Text, "btn.cancel"):
			return st.cancel()
		case isWord(in.Text, "btn.back"):
			return st.back()
		case isWord(in.Text, "cmd.help") || strings.EqualFold(strings.TrimSpace(in.Text), "help"):
			// 帮助 typed at a question: the help, then the same question again.
			if err := st.command("help", ""); err != nil || s.State == stateIdle {
				return err
			}
			return handlerFor(s.State).ask(st)
		}
		if data, ok := st.typedButton(in.Text); ok {
			return st.button(data)
		}
	}
	if s.State == stateIdle {
		return st.idleInput(in)
	}
	return handlerFor(s.State).answer(st, in, "", "")
}

// isWord reports whether text is the label of key in either language, like "Back" or "返回".
func isWord(text, key string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	w, _ := i18n.Lookup(key)
	return t == strings.ToLower(w.EN) || t == w.ZH
}

func (st *step) command(cmd, args string) error {
	if handled, err := st.complaintCommand(cmd, args); handled {
		return err
	}
	switch cmd {
	case "whoami":
		st.say(st.t("whoami", st.u.ID, st.t("role."+string(st.u.Role))))
		return nil
	case "start":
		if orders.IsInvite(args) {
			return st.join(args)
		}
		if st.u.Role == RoleCustomer {
			if _, err := st.e.desk.RegisterCustomer(st.ctx, orders.Customer{
				TelegramID: st.u.ID, Name: understand.ProfileName(st.u.Name), Language: st.s.Lang,
			}); err != nil {
				return err
			}
		}
		st.reset(true) // an unfinished order is kept: /neworder offers to resume it
		if understand.ProfileName(st.u.Name) == "" && st.u.Role == RoleCustomer {
			st.say(st.t("start.greeting.anon"))
		} else {
			st.say(st.t("start.greeting."+st.roleKey(), st.u.Name))
		}
		return st.menu()
	case "help":
		help := st.t("help." + st.roleKey())
		if st.u.Role.Staff() {
			help += "\n" + st.t("help.reports") + "\n" + st.t("help.team")
			if st.u.Role == RoleManager {
				help += "\n" + st.t("help.team.manager")
			}
		} else if st.e.complaints != nil {
			help += "\n" + st.t("help.complain")
		}
		st.say(help)
		return nil
	case "groupcopies":
		return st.groupCopies(args)
	case "bindgroup", "unbindgroup":
		st.say(st.t("group.in_group_only"))
		return nil
	case "language":
		return st.chooseLanguage()
	case "cancel":
		return st.cancel()
	case "neworder":
		if st.u.Role.Staff() {
			return st.startForCustomer()
		}
		return st.newOrder()
	case "orders":
		return st.queue(args, 0)
	case "find":
		return st.find(args)
	case "report":
		return st.report(args)
	case "export":
		return st.export(args)
	case "invite":
		return st.invite(args)
	case "myorders":
		return st.myOrders(0)
	case "status":
		if args == "" {
			st.s.Stack = nil
			return st.goTo(stateStatus)
		}
		return st.showOrder(args)
	}
	st.say(st.t("err.unknown_command", cmd))
	return nil
}

func (st *step) roleKey() string {
	if st.u.Role.Staff() {
		return "staff"
	}
	return "customer"
}

// button handles an inline button press. Menu buttons ("m:…") work at any time; the
// buttons of a question carry its sequence number and are refused once it has passed.
func (st *step) button(data string) error {
	if rest, ok := strings.CutPrefix(data, "m:"); ok {
		return st.menuAction(rest)
	}
	seqStr, rest, _ := strings.Cut(data, ":")
	action, arg, _ := strings.Cut(rest, ":")
	seq, err := strconv.Atoi(seqStr)
	if err != nil || action == "" {
		st.say(st.t("err.stale_button"))
		return st.reask()
	}
	if seq != st.s.Seq {
		if action == "confirm" && st.s.PlacedNumber != "" {
			st.say(st.t("order.already_placed", st.s.PlacedNumber))
			return nil
		}
		st.say(st.t("err.stale_button"))
		return st.reask()
	}
	switch action {
	case "back":
		return st.back()
	case "cancel":
		return st.cancel()
	case "noop":
		return nil
	}
	if st.s.State == stateIdle {
		st.say(st.t("err.stale_button"))
		return st.menu()
	}
	return handlerFor(st.s.State).answer(st, Input{Kind: InputButton, Data: data}, action, arg)
}

func (st *step) menuAction(a string) error {
	if rest, ok := strings.CutPrefix(a, "cp:"); ok {
		return st.complaintAction(rest)
	}
	if done, err := st.reportMenu(a); done {
		return err
	}
	switch a {
	case "new":
		return st.command("neworder", "")
	case "review", "active", "overdue", "today", "unpaid":
		return st.queue(a, 0)
	case "find":
		return st.find("")
	case "orders":
		return st.myOrders(0)
	case "status":
		return st.command("status", "")
	case "help":
		return st.command("help", "")
	case "lang":
		return st.chooseLanguage()
	case "lang:en", "lang:zh":
		st.s.Lang, st.s.LangSure = strings.TrimPrefix(a, "lang:"), true
		if st.u.Role.Staff() {
			if err := st.e.desk.SetStaffLanguage(st.ctx, st.u.ID, st.s.Lang); err != nil && !errors.Is(err, orders.ErrNotFound) {
				return err
			}
		} else {
			if _, err := st.e.desk.RegisterCustomer(st.ctx, orders.Customer{
				TelegramID: st.u.ID, Name: understand.ProfileName(st.u.Name), Language: st.s.Lang,
			}); err != nil {
				return err
			}
		}
		st.say(st.t("language.set"))
		if st.s.State != stateIdle {
			return st.reask()
		}
		return st.menu()
	}
	if n, ok := strings.CutPrefix(a, "page:"); ok {
		p, _ := strconv.Atoi(n)
		return st.myOrders(p)
	}
	if n, ok := strings.CutPrefix(a, "order:"); ok {
		return st.showOrder(n)
	}
	if q, ok := strings.CutPrefix(a, "q:"); ok {
		name, page, _ := strings.Cut(q, ":")
		p, _ := strconv.Atoi(page)
		return st.queue(name, p)
	}
	if verb, rest, ok := strings.Cut(a, ":"); ok {
		switch verb {
		case "oc", "od", "rate", "chg", "cxl", "ca", "cr", "ra", "rd", "rr", "pay", "adv", "dr", "ds":
			return st.orderAction(verb, rest)
		}
	}
	st.say(st.t("err.stale_button"))
	return st.menu()
}

func (st *step) chooseLanguage() error {
	st.say(st.t("language.choose"), []Button{{Text: "中文", Data: "m:lang:zh"}, {Text: "English", Data: "m:lang:en"}})
	return nil
}

func (st *step) menu() error {
	rows := [][]Button{}
	if st.u.Role.Staff() {
		rows = append(rows,
			[]Button{{Text: st.t("menu.review"), Data: "m:review"}, {Text: st.t("menu.active"), Data: "m:active"}},
			[]Button{{Text: st.t("menu.overdue"), Data: "m:overdue"}, {Text: st.t("menu.today"), Data: "m:today"}},
			[]Button{{Text: st.t("menu.find"), Data: "m:find"}, {Text: st.t("menu.for_customer"), Data: "m:new"}})
	} else {
		rows = append(rows,
			[]Button{{Text: st.t("menu.neworder"), Data: "m:new"}, {Text: st.t("menu.myorders"), Data: "m:orders"}})
	}
	rows = append(rows,
		[]Button{{Text: st.t("menu.status"), Data: "m:status"}, {Text: st.t("menu.language"), Data: "m:lang"}},
		[]Button{{Text: st.t("menu.help"), Data: "m:help"}})
	st.say(st.t("menu.title"), rows...)
	return nil
}

// reset leaves the current question; keepDraft keeps an unfinished order for later.
func (st *step) reset(keepDraft bool) {
	s := st.s
	s.State, s.Stack, s.Pick, s.Editing, s.List, s.Category, s.Query, s.Page = stateIdle, nil, nil, false, nil, "", "", 0
	s.Work, s.CalMonth, s.Quick, s.Intent = nil, "", nil, nil
	if !keepDraft {
		s.Draft, s.For = nil, nil
	}
	s.Seq++
}

func (st *step) cancel() error {
	if st.s.State == stateIdle && st.s.Draft == nil {
		st.say(st.t("cancel.nothing"))
		return st.menu()
	}
	st.reset(false)
	st.say(st.t("cancel.done"))
	st.out[len(st.out)-1].Keyboard = RemoveKeyboard
	return st.menu()
}

// goTo asks the question of state, remembering the current one for Back.
func (st *step) goTo(state string) error {
	s := st.s
	if s.State != stateIdle && s.State != state {
		s.Stack = append(s.Stack, s.State)
	}
	s.State = state
	s.Seq++
	return handlerFor(state).ask(st)
}

// next moves on after an answer: back to the summary while editing, else to state.
func (st *step) next(state string) error {
	if st.s.Quick != nil && !st.s.Editing {
		return st.quickNext()
	}
	if st.s.Editing {
		st.s.Editing = false
		st.s.Stack = nil
		st.s.State = stateSummary
		st.s.Seq++
		return handlerFor(stateSummary).ask(st)
	}
	return st.goTo(state)
}

func (st *step) back() error {
	s := st.s
	if s.State == stateIdle {
		return st.menu()
	}
	if s.Editing && s.State != stateSummary && s.State != stateEdit {
		s.Editing = false
		s.State, s.Stack = stateSummary, nil
		s.Seq++
		return handlerFor(stateSummary).ask(st)
	}
	if s.State == stateProduct && (s.Category != "" || s.Query != "") {
		// Back from a category's products (or search results) is the list of categories.
		s.Category, s.Query, s.Page = "", "", 0
		s.Seq++
		return st.askProduct()
	}
	if len(s.Stack) == 0 {
		st.reset(true)
		switch {
		case s.Draft != nil && len(s.Draft.Lines) > 0:
			st.say(st.t("draft.kept"))
		case s.Draft != nil:
			s.Draft = nil
			st.say(st.t("cancel.done"))
		}
		return st.menu()
	}
	s.State = s.Stack[len(s.Stack)-1]
	s.Stack = s.Stack[:len(s.Stack)-1]
	s.Seq++
	if s.State == stateOption && s.Pick != nil {
		s.Pick.Chosen = nil // ask the options again from the first
	}
	return handlerFor(s.State).ask(st)
}

// reask poses the current question again.
func (st *step) reask() error {
	if st.s.State == stateIdle {
		return st.menu()
	}
	return handlerFor(st.s.State).ask(st)
}

// invalid explains bad input and asks the same question again.
func (st *step) invalid(err error) error {
	var ie *InputError
	if !errors.As(err, &ie) {
		return err
	}
	st.say(st.t(ie.Key, ie.Args...))
	return st.reask()
}

func (st *step) idleInput(in Input) error {
	if in.Kind == InputText {
		if n := findOrderNumber(in.Text); n != "" && !st.u.Role.Staff() {
			return st.showOrder(n)
		}
		if st.u.Role.Staff() {
			if ok, err := st.staffSentence(in.Text); ok || err != nil {
				return err
			}
			if n := findOrderNumber(in.Text); n != "" {
				return st.showOrder(n)
			}
		} else if ok, err := st.customerDecision(in.Text); ok || err != nil {
			return err
		} else if ok, err := st.quickOrder(in.Text, false); ok || err != nil {
			return err
		}
	}
	if st.u.Role.Staff() {
		st.say(st.t("idle.hint.staff")) // staff are not told how to place an order
	} else {
		st.say(st.t("idle.hint"))
	}
	return st.menu()
}

// date writes a date as the reader expects it: 2026年12月7日（周一）, Mon 7 Dec 2026.
func (st *step) date(d orders.Date) string {
	return i18n.Date(st.s.Lang, d.Year, d.Month, d.Day)
}
