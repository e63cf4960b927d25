package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orderbot/orderbot/api"
	"github.com/orderbot/orderbot/orders"
)

// apiConfig is the channel API's part of the configuration.
type apiConfig struct {
	Addr        string // ORDERBOT_API_ADDR
	Rate        int    // ORDERBOT_API_RATE: requests per second per channel
	MaxFailures int    // ORDERBOT_WEBHOOK_MAX_FAILURES: failed deliveries in a row that disable a channel's webhooks
}

const defaultAPIAddr = "127.0.0.1:8081"

func loadAPIConfig(get func(name, def string) string) (apiConfig, error) {
	c := apiConfig{Addr: get("ORDERBOT_API_ADDR", defaultAPIAddr), Rate: 20, MaxFailures: 20}
	if !strings.Contains(c.Addr, ":") {
		return c, &configError{"ORDERBOT_API_ADDR", "expected host:port like 127.0.0.1:8081 or :8081"}
	}
	if v := get("ORDERBOT_API_RATE", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return c, &configError{"ORDERBOT_API_RATE", "expected requests per second per channel, from 1 to 100000"}
		}
		c.Rate = n
	}
	if v := get("ORDERBOT_WEBHOOK_MAX_FAILURES", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return c, &configError{"ORDERBOT_WEBHOOK_MAX_FAILURES", "expected a number of failed deliveries in a row, from 1 to 10000"}
		}
		c.MaxFailures = n
	}
	return c, nil
}

// startAPI starts the channel API on ORDERBOT_API_ADDR and the webhook deliveries; stop
// ends both.
func (a *app) startAPI(ctx context.Context, log *slog.Logger) (stop func(), err error) {
	srv, err := api.New(api.Config{
		Desk: a.service, Store: a.store, Redis: a.redis, RedisPrefix: a.cfg.RedisPrefix, Rate: a.cfg.API.Rate,
		Logger: log.With("component", "api"),
	})
	if err != nil {
		return nil, err
	}
	disp, err := api.NewDispatcher(api.DispatcherConfig{
		DB: a.store.DB().DB, Store: a.store, MaxFailures: a.cfg.API.MaxFailures, Logger: log.With("component", "webhooks"),
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", a.cfg.API.Addr)
	if err != nil {
		return nil, &configError{"ORDERBOT_API_ADDR", fmt.Sprintf("cannot listen on %s: %v", a.cfg.API.Addr, err)}
	}
	if err := disp.Start(context.WithoutCancel(ctx)); err != nil {
		_ = ln.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("channel API stopped", "err", err)
		}
	}()
	pctx, cancelPrune := context.WithCancel(context.WithoutCancel(ctx))
	go srv.PruneLoop(pctx, time.Hour)
	log.Info("channel API listening", "addr", ln.Addr().String())
	return func() {
		cancelPrune()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			log.Warn("channel API stopped uncleanly", "err", err)
		}
		if err := disp.Stop(sctx); err != nil {
			log.Warn("webhook deliveries stopped uncleanly", "err", err)
		}
	}, nil
}

// nameAndFlags parses "NAME --flag …" as well as "--flag … NAME".
func nameAndFlags(fs *flag.FlagSet, args []string) (name string, done bool, err error) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if done, err := parse(fs, args); done {
		return "", true, err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" {
		fs.Usage()
		return "", true, errors.New("the channel's name is missing")
	}
	return name, false, nil
}

func checkWebhookURL(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return fmt.Errorf("--webhook: expected an http(s) URL like https://shop.example.com/orderbot-events, not %q", u)
	}
	return nil
}

func (a *app) channels(ctx context.Context, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add":
		fs := a.flags("channels add", "orderbot channels add NAME --kind agent|distributor|platform [--customer TELEGRAM_ID] [--webhook URL] [--contact TELEGRAM_ID]\n\n"+
			"Adds a sales channel of the API and prints its API key once, on its own line (only its hash is kept).")
		kind := fs.String("kind", "", "agent, distributor or platform")
		customer := fs.Int64("customer", 0, "the Telegram id of the customer account the channel orders for (an agent ordering for itself); without it each order names its end customer")
		webhook := fs.String("webhook", "", "the URL that receives the events of the channel's orders")
		contact := fs.Int64("contact", 0, "the Telegram id of the channel's contact, told when its webhooks fail too often")
		name, done, err := nameAndFlags(fs, args)
		if done {
			return err
		}
		if !orders.ValidChannelKind(*kind) {
			return fmt.Errorf("--kind: expected agent, distributor or platform, not %q", *kind)
		}
		if err := checkWebhookURL(*webhook); err != nil {
			return err
		}
		if _, err := a.openStore(ctx, true); err != nil {
			return err
		}
		key, prefix := api.NewKey()
		c := orders.Channel{Name: name, Kind: *kind, Customer: orders.Customer{TelegramID: *customer}, KeyPrefix: prefix,
			WebhookURL: *webhook, WebhookSecret: api.NewSecret(), ContactChatID: *contact}
		c, err = a.store.CreateChannel(ctx, c, api.HashKey(key))
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "channel %s (%s) added. Its API key, shown only this once:\n%s\n", c.Name, c.Kind, key)
		fmt.Fprintf(a.stdout, "webhook signing secret:\n%s\n", c.WebhookSecret)
		return nil
	case "rotate", "revoke":
		fs := a.flags("channels "+sub, "orderbot channels "+sub+" NAME")
		name, done, err := nameAndFlags(fs, args)
		if done {
			return err
		}
		if _, err := a.openStore(ctx, true); err != nil {
			return err
		}
		if sub == "revoke" {
			if err := a.store.RevokeChannel(ctx, name); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "channel %s revoked: its API key no longer works (`orderbot channels rotate %s` issues a new one)\n", name, name)
			return nil
		}
		key, prefix := api.NewKey()
		if err := a.store.RotateChannelKey(ctx, name, api.HashKey(key), prefix); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "channel %s has a new API key (the old one no longer works), shown only this once:\n%s\n", name, key)
		return nil
	case "webhook":
		fs := a.flags("channels webhook", "orderbot channels webhook NAME URL [--new-secret]\n\n"+
			"Sets where the channel's order events go and switches its webhooks on again; events held while they were off are sent.")
		newSecret := fs.Bool("new-secret", false, "also issue a new signing secret (printed once)")
		name, done, err := nameAndFlags(fs, args)
		if done {
			return err
		}
		rest := fs.Args()
		if len(rest) > 0 && rest[0] == name {
			rest = rest[1:]
		}
		if len(rest) != 1 {
			return errors.New("expected: orderbot channels webhook NAME URL (an empty URL \"\" stops the webhooks)")
		}
		if err := checkWebhookURL(rest[0]); err != nil {
			return err
		}
		if _, err := a.openStore(ctx, true); err != nil {
			return err
		}
		secret := ""
		if *newSecret {
			secret = api.NewSecret()
		}
		c, queued, err := a.store.SetChannelWebhook(ctx, name, rest[0], secret)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "channel %s: webhooks to %q are on; %d held events queued again\n", c.Name, c.WebhookURL, queued)
		if secret != "" {
			fmt.Fprintf(a.stdout, "new webhook signing secret:\n%s\n", secret)
		}
		return nil
	case "list":
		fs := a.flags("channels list", "orderbot channels list")
		if done, err := parse(fs, args); done {
			return err
		}
		if _, err := a.openStore(ctx, true); err != nil {
			return err
		}
		list, err := a.store.ListChannels(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tCUSTOMER\tKEY\tSTATE\tWEBHOOK\tWEBHOOK STATE")
		for _, c := range list {
			state := "active"
			if c.Revoked {
				state = "revoked"
			}
			customer := "per order"
			if c.Customer.ID != 0 {
				customer = c.Customer.Name
				if c.Customer.TelegramID != 0 {
					customer += " (" + strconv.FormatInt(c.Customer.TelegramID, 10) + ")"
				}
			}
			wstate := "on"
			switch {
			case c.WebhookURL == "":
				wstate = "-"
			case c.WebhookDisabled:
				wstate = fmt.Sprintf("off after %d failures", c.WebhookFailures)
			case c.WebhookFailures > 0:
				wstate = fmt.Sprintf("on, %d failures in a row", c.WebhookFailures)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s…\t%s\t%s\t%s\n", c.Name, c.Kind, customer, c.KeyPrefix, state, c.WebhookURL, wstate)
		}
		return tw.Flush()
	case "deliveries":
		fs := a.flags("channels deliveries", "orderbot channels deliveries NAME [--limit N] [--redeliver EVENT_ID]\n\n"+
			"The channel's latest webhook events with each delivery attempt; --redeliver sends an event again.")
		limit := fs.Int("limit", 20, "how many events")
		redeliver := fs.String("redeliver", "", "the id of an event to send again (evt_N or N)")
		name, done, err := nameAndFlags(fs, args)
		if done {
			return err
		}
		if _, err := a.openStore(ctx, true); err != nil {
			return err
		}
		if *redeliver != "" {
			id, err := strconv.ParseInt(strings.TrimPrefix(*redeliver, "evt_"), 10, 64)
			if err != nil {
				return fmt.Errorf("--redeliver: expected an event id like evt_12, not %q", *redeliver)
			}
			if err := a.store.RedeliverEvent(ctx, name, id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "event %s of channel %s queued for delivery again\n", api.EventID(id), name)
			return nil
		}
		evs, attempts, err := a.store.ChannelEvents(ctx, name, *limit)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EVENT\tTYPE\tORDER\tAT\tSTATE\tATTEMPTS\tLAST")
		for _, e := range evs {
			last := e.LastError
			if as := attempts[e.ID]; len(as) > 0 {
				l := as[len(as)-1]
				last = fmt.Sprintf("%s %s", l.At.Format(time.RFC3339), strings.TrimSpace(fmt.Sprintf("%s %s", statusText(l.StatusCode), l.Error)))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", api.EventID(e.ID), e.Type, e.Number,
				e.CreatedAt.Format(time.RFC3339), e.Status, e.Attempts, last)
		}
		return tw.Flush()
	}
	fmt.Fprint(a.stdout, "Usage: orderbot channels add|list|rotate|revoke|webhook|deliveries …\n")
	return fmt.Errorf("unknown channels command %q", sub)
}

func statusText(code int) string {
	if code == 0 {
		return ""
	}
	return strconv.Itoa(code)
}
