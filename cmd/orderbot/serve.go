package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pginbox"
	"github.com/orderbot/orderbot/documents"
	"github.com/orderbot/orderbot/notify"
	"github.com/orderbot/orderbot/orders"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (a *app) serve(ctx context.Context, args []string) error {
	fs := a.flags("serve", "orderbot serve\n\nRuns the bot: long polling, or a webhook when ORDERBOT_WEBHOOK_URL is set.\nHealth (/healthz, /readyz) and metrics (/metrics) are served on ORDERBOT_METRICS_ADDR,\nthe webhook on ORDERBOT_HTTP_ADDR.")
	if done, err := parse(fs, args); done {
		return err
	}
	if a.cfg.Token == "" {
		return &configError{"TELEGRAM_BOT_TOKEN", "not set: get a token from @BotFather, or try the bot without one with `orderbot console`"}
	}
	log := a.logger(a.stdout, true)
	username, err := bot.Username(ctx, a.cfg.Token, a.cfg.APIURL)
	if err != nil {
		log.Warn("the bot's username is unknown: invitations show a /start command instead of a link", "err", err)
	}
	engine, err := a.engine(ctx, username)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	inbox, err := pginbox.Open(ctx, a.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer inbox.Close()
	bcfg := bot.Config{
		Token: a.cfg.Token, APIURL: a.cfg.APIURL, WebhookURL: a.cfg.WebhookURL, WebhookSecret: a.cfg.WebhookSecret,
		Logger: log, Metrics: bot.NewMetrics(reg),
		Inbox: inbox, Customers: a.store,
		Group: orders.NewGroup(a.store, nil), Gate: notify.NewGroupGate(a.redis, a.cfg.RedisPrefix), Username: username,
	}
	a.cfg.Updates.apply(&bcfg)
	b, err := bot.New(bcfg, engine, a.service)
	if err != nil {
		return err
	}

	// Notifications: River works the outbox's jobs and sends them through the bot, within
	// the rate limits every instance shares in Redis.
	ncfg := a.notifyConfig(b, log)
	ncfg.Metrics = notify.NewMetrics(reg)
	notifier, err := notify.New(ncfg)
	if err != nil {
		return err
	}
	b.LimitReplies(notifier) // replies and notifications share ORDERBOT_NOTIFY_RATE, replies first
	if err := notifier.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	defer func() {
		// After the updates in flight: sends in flight finish (up to 10 s), the rest wait
		// in the outbox for the next start.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		if err := notifier.Stop(sctx); err != nil {
			log.Warn("notifications stopped uncleanly", "err", err)
		}
	}()

	// The channel API and its webhooks, on their own listener.
	stopAPI, err := a.startAPI(ctx, log)
	if err != nil {
		return err
	}
	defer stopAPI()

	// Health and metrics on their own listener, so that a public webhook port shows nothing
	// else; one listener when both addresses are the same.
	mux := http.NewServeMux()
	ops := mux
	if a.cfg.MetricsAddr != a.cfg.HTTPAddr {
		ops = http.NewServeMux()
	}
	ops.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	ops.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		cctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.store.Ping(cctx); err != nil {
			http.Error(w, "postgres unreachable", http.StatusServiceUnavailable)
			return
		}
		if err := a.redis.Ping(cctx).Err(); err != nil {
			http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	ops.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if a.cfg.WebhookURL != "" {
		u, _ := url.Parse(a.cfg.WebhookURL)
		path := u.Path
		if path == "" {
			path = "/"
		}
		mux.Handle("POST "+path, b.WebhookHandler())
	}
	errc := make(chan error, 3)
	srv, err := listen(a.cfg.HTTPAddr, "ORDERBOT_HTTP_ADDR", mux, errc)
	if err != nil {
		return err
	}
	log.Info("http listening", "addr", a.cfg.HTTPAddr)
	if ops != mux {
		opsSrv, err := listen(a.cfg.MetricsAddr, "ORDERBOT_METRICS_ADDR", ops, errc)
		if err != nil {
			return err
		}
		defer opsSrv.Close()
		log.Info("health and metrics listening", "addr", a.cfg.MetricsAddr)
	}

	if err := b.SetCommands(ctx); err != nil {
		log.Warn("command menus not set", "err", err)
	}
	if a.cfg.WebhookURL != "" {
		if err := b.SetWebhook(ctx); err != nil {
			return err
		}
		log.Info("serving webhook")
		go func() { errc <- b.Work(ctx) }()
		select {
		case <-ctx.Done():
			<-errc // the updates in flight are finished
		case err := <-errc:
			if err != nil {
				return err
			}
		}
	} else {
		if err := b.DeleteWebhook(ctx); err != nil {
			return err
		}
		go func() { errc <- b.Poll(ctx) }()
		select {
		case <-ctx.Done():
			<-errc // the updates in flight are finished
		case err := <-errc:
			if err != nil {
				return err
			}
		}
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// listen serves h on addr until the server is shut down; a failure to listen names the
// variable that set addr, and a failure while serving goes to errc.
func listen(addr, variable string, h http.Handler, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &configError{variable, fmt.Sprintf("cannot listen on %s: %v", addr, err)}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return srv, nil
}

// notifyConfig is the notifier's configuration of serve and of the terminal chat: the
// same outbox, documents, scheduled reports and complaints, sent through sender.
func (a *app) notifyConfig(sender notify.Sender, log *slog.Logger) notify.Config {
	return notify.Config{
		DB: a.store.DB().DB, Redis: a.redis, RedisPrefix: a.cfg.RedisPrefix, Outbox: a.store, Sender: sender,
		Rules: a.cfg.Rules, Location: a.cfg.Location, Logger: log.With("component", "notify"), GlobalRate: a.cfg.NotifyRate,
		Documents: documents.NewRenderer(a.cfg.Rules, a.cfg.Location), Archive: a.store,
		Reports: a.scheduledReports(), ReportHour: a.cfg.ReportHour,
		Complaints: a.complaints(), Prune: a.store,
	}
}
