package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orderbot/orderbot/console"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
	"github.com/shopspring/decimal"
)

func (a *app) console(ctx context.Context, args []string) error {
	fs := a.flags("console", "orderbot console [--as customer|rep] [--user ID] [--lang en|zh] [--log FILE] [--files DIR] [--notify=false]\n\n"+
		"The bot's conversations in this terminal, on the same database and Redis, without Telegram.\n"+
		"Notifications for you appear in the chat as they arrive; the role comes from the staff table.")
	as := fs.String("as", "customer", "customer, or rep to talk as the demo manager (2000001) when --user is not given")
	userID := fs.Int64("user", 0, "your Telegram user id (default 1000001, or 2000001 with --as rep); staff get their role from the staff table")
	lang := fs.String("lang", "", "language: en or zh (default from LANG)")
	logFile := fs.String("log", "", "where the logs go (default console.log in ORDERBOT_STATE_DIR, else in the current directory)")
	filesDir := fs.String("files", "", "where files you are sent (documents, charts, exports) are saved (default files/ in ORDERBOT_STATE_DIR, else in the current directory)")
	notices := fs.Bool("notify", true, "deliver the notification outbox in this process: yours inline, other chats' only to the log; "+
		"use --notify=false when a `serve` works the same database")
	if done, err := parse(fs, args); done {
		return err
	}
	if *as != "customer" && *as != "rep" {
		return fmt.Errorf("--as: expected customer or rep, not %q", *as)
	}
	if *userID == 0 {
		*userID = 1000001
		if *as == "rep" {
			*userID = 2000001
		}
	}
	// The chat is on stdout: the logs go to a file.
	path := *logFile
	if path == "" {
		path = "console.log"
		if dir := os.Getenv("ORDERBOT_STATE_DIR"); dir != "" {
			path = filepath.Join(dir, "console.log")
		}
	}
	lf, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("--log %s: %w", path, err)
	}
	defer lf.Close()
	log := a.logger(lf, false)
	engine, err := a.engine(ctx, "")
	if err != nil {
		return err
	}
	// Who you are comes from the staff table: any active staff member is staff here,
	// whatever --as says; --as rep only picks the demo manager's id by default.
	role, name := conversation.RoleCustomer, ""
	st, err := a.service.Staff(ctx, *userID)
	switch {
	case err == nil:
		role, name = conversation.RoleRep, st.Name
		if st.Role == orders.RoleManager {
			role = conversation.RoleManager
		}
	case !errors.Is(err, orders.ErrNotFound):
		return err
	case *as == "rep":
		return fmt.Errorf("user %d is not active staff: add them with `orderbot staff add --telegram-id %d --role rep --name NAME`", *userID, *userID)
	default:
		if c, err := a.service.Customer(ctx, *userID); err == nil {
			name = c.Name
		}
	}
	code := *lang
	if code == "" {
		code = os.Getenv("LANG")
	}
	u := conversation.User{ID: *userID, ChatID: *userID, Name: name, LanguageCode: code, Role: role}
	files := *filesDir
	if files == "" {
		files = "files"
		if dir := os.Getenv("ORDERBOT_STATE_DIR"); dir != "" {
			files = filepath.Join(dir, "files")
		}
	}
	chat := console.New(engine, u, a.stdout).WithLogger(log).WithFiles(files)
	fmt.Fprintf(a.stdout, "(logs go to %s)\n", path)
	if *notices {
		n, err := notify.New(a.notifyConfig(chat, log))
		if err != nil {
			return err
		}
		if err := n.Start(context.WithoutCancel(ctx)); err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = n.Stop(sctx)
		}()
	}
	return chat.Run(ctx, a.stdin)
}

func (a *app) products(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(a.stdout, "Usage: orderbot products import FILE.csv")
			return nil
		}
		return errors.New("usage: orderbot products import FILE.csv")
	}
	fs := a.flags("products import", "orderbot products import FILE.csv\n\nUpserts the catalog from a CSV file with the columns\nsku,name_en,name_zh,category,unit,price,stock,standard,options.\nA bad file is rejected whole, naming the line and the reason.")
	if done, err := parse(fs, args[1:]); done {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: orderbot products import FILE.csv")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	ps, err := orders.ParseCatalogCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", fs.Arg(0), err)
	}
	svc, err := a.openStore(ctx, true)
	if err != nil {
		return err
	}
	res, err := svc.ImportProducts(ctx, ps)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", fs.Arg(0), err)
	}
	fmt.Fprintf(a.stdout, "imported %d products: %d new, %d updated\n", len(ps), res.Created, res.Updated)
	return nil
}

func (a *app) staff(ctx context.Context, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add":
		fs := a.flags("staff add", "orderbot staff add --telegram-id N --role rep|manager --name NAME")
		id := fs.Int64("telegram-id", 0, "the staff member's Telegram user id")
		role := fs.String("role", "rep", "rep or manager")
		name := fs.String("name", "", "the staff member's name")
		if done, err := parse(fs, args); done {
			return err
		}
		svc, err := a.openStore(ctx, true)
		if err != nil {
			return err
		}
		st, err := svc.AddStaff(ctx, orders.Staff{TelegramID: *id, Role: orders.Role(*role), Name: *name, Active: true})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s %s (%d) is active\n", st.Role, st.Name, st.TelegramID)
		return nil
	case "deactivate":
		fs := a.flags("staff deactivate", "orderbot staff deactivate --telegram-id N")
		id := fs.Int64("telegram-id", 0, "the staff member's Telegram user id")
		if done, err := parse(fs, args); done {
			return err
		}
		svc, err := a.openStore(ctx, true)
		if err != nil {
			return err
		}
		st, err := svc.Staff(ctx, *id)
		if err != nil {
			return fmt.Errorf("no active staff member %d: %w", *id, err)
		}
		st.Active = false
		if _, err := svc.AddStaff(ctx, st); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s %s (%d) is deactivated\n", st.Role, st.Name, st.TelegramID)
		return nil
	case "list":
		fs := a.flags("staff list", "orderbot staff list")
		if done, err := parse(fs, args); done {
			return err
		}
		svc, err := a.openStore(ctx, true)
		if err != nil {
			return err
		}
		all, err := svc.ListStaff(ctx, false)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TELEGRAM ID\tROLE\tNAME\tACTIVE")
		for _, s := range all {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%v\n", s.TelegramID, s.Role, s.Name, s.Active)
		}
		return tw.Flush()
	case "invite":
		return a.staffInvite(ctx, args)
	case "-h", "--help":
		fmt.Fprintln(a.stdout, "Usage: orderbot staff add|list|deactivate|invite …")
		return nil
	}
	return errors.New("usage: orderbot staff add|list|deactivate|invite (each takes --help)")
}

func (a *app) orders(ctx context.Context, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list":
		fs := a.flags("orders list", "orderbot orders list [--status S] [--json]")
		status := fs.String("status", "", "only orders in this status (comma-separated for several)")
		asJSON := fs.Bool("json", false, "print JSON")
		limit := fs.Int("limit", 100, "at most this many orders, newest first")
		if done, err := parse(fs, args); done {
			return err
		}
		var f orders.OrderFilter
		f.Limit = *limit
		for _, s := range strings.Split(*status, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			if !orders.Status(s).Valid() {
				return fmt.Errorf("--status: unknown status %q (one of %s)", s, statusNames())
			}
			f.Statuses = append(f.Statuses, orders.Status(s))
		}
		svc, err := a.openStore(ctx, true)
		if err != nil {
			return err
		}
		os, err := svc.Orders(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			if os == nil {
				os = []orders.Order{}
			}
			return writeJSON(a.stdout, os)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tSTATUS\tPAYMENT\tCUSTOMER\tTOTAL\tWANTED\tPROMISED\tCREATED")
		for _, o := range os {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.Number, statusWord(o.Status), paymentWord(o.PaymentStatus), o.Customer.Name,
				a.money(o.Total), o.WantedDate, o.PromisedDate, o.CreatedAt.In(a.cfg.Location).Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	case "show":
		fs := a.flags("orders show", "orderbot orders show SO-… [--json]")
		asJSON := fs.Bool("json", false, "print JSON")
		if done, err := parse(fs, reorder(args)); done {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("usage: orderbot orders show SO-… [--json]")
		}
		svc, err := a.openStore(ctx, true)
		if err != nil {
			return err
		}
		number := strings.ToUpper(strings.TrimSpace(fs.Arg(0))) // so-… is SO-…
		o, err := svc.Order(ctx, number)
		if errors.Is(err, orders.ErrNotFound) {
			return fmt.Errorf("no order %s", number)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, o)
		}
		return printOrder(a, o)
	case "set-status":
		fs := a.flags("orders set-status", "orderbot orders set-status SO-… STATUS [--note TEXT] [--carrier C --tracking T]\n\nMoves an order through the same rules as the reps' buttons: production needs the\nrequired deposit, shipment a carrier and tracking number, cancellation a reason (--note).")
		note := fs.String("note", "", "a note for the order's history (the reason, for cancelled)")
		carrier := fs.String("carrier", "", "the carrier, for shipped")
		tracking := fs.String("tracking", "", "the tracking number, for shipped")
		key := fs.String("key", "", "the action's key: a repeat with the same key changes nothing (default: a new key)")
		if done, err := parse(fs, reorder(args)); done {
			return err
		}
		if fs.NArg() != 2 {
			return errors.New("usage: orderbot orders set-status SO-… STATUS [--note TEXT]")
		}
		svc, err := a.openStore(ctx, true)
		if err != nil {
			return err
		}
		number := strings.ToUpper(strings.TrimSpace(fs.Arg(0)))
		if *key == "" {
			*key = commandKey()
		}
		o, err := svc.Advance(ctx, "cli:"+*key, number, orders.Status(fs.Arg(1)), orders.Operator,
			orders.AdvanceOptions{Note: *note, Carrier: *carrier, Tracking: *tracking})
		if err != nil {
			money := func(d decimal.Decimal) string { return i18n.Money(a.cfg.Rules.Currency, d) }
			if cur, oerr := svc.Order(ctx, number); oerr == nil {
				switch {
				case errors.Is(err, orders.ErrNotSettled):
					return fmt.Errorf("%s cannot be completed yet: %s of %s is paid; record the remaining %s first",
						number, money(cur.Paid), money(cur.Total), money(cur.Total.Sub(cur.Paid)))
				case errors.Is(err, orders.ErrDepositRequired):
					return fmt.Errorf("%s cannot go into production yet: the deposit of %s is not paid (paid so far: %s); record the payment first",
						number, money(cur.DepositDue), money(cur.Paid))
				}
			}
			return err
		}
		fmt.Fprintf(a.stdout, "%s is now %s\n", o.Number, statusWord(o.Status))
		return nil
	case "documents", "document":
		return a.documentsCmd(ctx, sub, args)
	case "export":
		return a.ordersExport(ctx, args)
	case "pay":
		return a.ordersPay(ctx, args)
	case "-h", "--help":
		fmt.Fprintln(a.stdout, "Usage: orderbot orders list|show|set-status|pay|export|documents|document … (each takes --help)")
		return nil
	}
	return errors.New("usage: orderbot orders list|show|set-status|pay|export|documents|document (each takes --help)")
}

// reorder moves flags before positional arguments, so `show SO-1 --json` works like
// `show --json SO-1`.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a)
			if !strings.Contains(a, "=") && a != "--json" && a != "-json" && !strings.HasSuffix(a, "help") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(flags, pos...)
}

func statusNames() string {
	names := make([]string, len(orders.Statuses))
	for i, s := range orders.Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printOrder(a *app, o orders.Order) error {
	w := a.stdout
	fmt.Fprintf(w, "%s  %s  payment %s\n", o.Number, statusWord(o.Status), paymentWord(o.PaymentStatus))
	contact := o.Customer.Name + ", " + o.Customer.Phone
	if o.Customer.Company != "" {
		contact += ", " + o.Customer.Company
	}
	fmt.Fprintf(w, "customer   %s (%d)\n", contact, o.Customer.TelegramID)
	fmt.Fprintf(w, "address    %s\n", o.DeliveryAddress)
	fmt.Fprintf(w, "wanted     %s   promised %s   estimated %s\n", o.WantedDate, o.PromisedDate, o.EstimatedDate)
	money := a.money
	deposit := ""
	// As on the cards: the deposit only while it is due.
	if o.DepositOutstanding() && o.Status != orders.StatusCancelled && o.Status != orders.StatusCompleted {
		deposit = "   deposit due " + money(o.DepositDue)
	}
	fmt.Fprintf(w, "payment    %s   total %s%s   paid %s   owed %s\n", a.methodWord(o.PaymentMethod), money(o.Total),
		deposit, money(o.Paid), money(o.Total.Sub(o.Paid)))
	if o.Notes != "" {
		fmt.Fprintf(w, "notes      %s\n", o.Notes)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSKU\tPRODUCT\tQTY\tUNIT PRICE\tNOTE")
	for _, l := range o.Lines {
		note := ""
		switch {
		case l.Complimentary:
			note = "complimentary"
		case l.FromStock:
			note = "from stock"
		default:
			note = "production"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d %s\t%s\t%s\n", l.SKU, l.Label(i18n.EN), l.Quantity, l.UnitName(i18n.EN), money(l.UnitPrice), note)
	}
	fmt.Fprintln(tw, "\nAT\tFROM\tTO\tACTOR\tNOTE")
	for _, h := range o.History {
		from := ""
		if h.From != "" {
			from = statusWord(h.From)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.At.In(a.cfg.Location).Format("2006-01-02 15:04"), from, statusWord(h.To), h.Actor, a.noteWords(h))
	}
	return tw.Flush()
}

// The command line writes what it shows a person as the chat does in English: money with
// its currency, statuses and payment methods by their names.

func (a *app) money(d decimal.Decimal) string { return i18n.Money(a.cfg.Rules.Currency, d) }

func statusWord(s orders.Status) string {
	if k := "status." + string(s); i18n.Has(k) {
		return i18n.T(i18n.EN, k)
	}
	return string(s)
}

func paymentWord(p orders.PaymentStatus) string {
	if k := "payment." + string(p); i18n.Has(k) {
		return i18n.T(i18n.EN, k)
	}
	return string(p)
}

func (a *app) methodWord(code string) string {
	if pm, ok := a.cfg.Rules.PaymentMethod(code); ok {
		return pm.Label(i18n.EN)
	}
	return code
}

// noteWords is a history entry's note in English words (the JSON keeps the stored text);
// a note with no words of its own (the placing) shows the stored text.
func (a *app) noteWords(h orders.HistoryEntry) string {
	if s, ok := h.Detail.Words(cliWords{a}); ok && s != "" {
		return s
	}
	return h.Note
}

// cliWords writes history notes in the command line's English words.
type cliWords struct{ a *app }

func (w cliWords) T(key string, args ...any) string     { return i18n.T(i18n.EN, key, args...) }
func (w cliWords) Money(d decimal.Decimal) string       { return w.a.money(d) }
func (w cliWords) Date(d orders.Date) string            { return d.String() }
func (w cliWords) Method(code string) string            { return w.a.methodWord(code) }
func (w cliWords) Change(c orders.ChangeRequest) string { return orders.ChangeNote(c).English() }

// commandKey is a new key for a command's desk action: each run is an action of its own
// unless the operator repeats one with --key.
func commandKey() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
