package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/conversation/redisstore"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
	"github.com/redis/go-redis/v9"
)

// app opens what a command needs, once, and closes it at the end.
type app struct {
	cfg    config
	stdout io.Writer
	stdin  io.Reader
	log    *slog.Logger

	store   *pgstore.Store
	redis   *redis.Client
	service *orders.Service
}

func (a *app) close() {
	if a.store != nil {
		a.store.Close()
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
}

func (a *app) logger(w io.Writer, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: a.cfg.LogLevel}
	if json {
		a.log = slog.New(slog.NewJSONHandler(w, opts))
	} else {
		a.log = slog.New(slog.NewTextHandler(w, opts))
	}
	return a.log
}

// redactURL hides a password in a connection URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// openStore connects to PostgreSQL; migrate applies the migrations first.
func (a *app) openStore(ctx context.Context, migrate bool) (*orders.Service, error) {
	if a.log == nil {
		a.logger(io.Discard, false)
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := pgstore.Open(cctx, a.cfg.DatabaseURL, pgstore.WithLogger(a.log))
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s is not reachable (%v): start it (`make run` starts a local one) or set ORDERBOT_DATABASE_URL",
			redactURL(a.cfg.DatabaseURL), err)
	}
	a.store = st
	if migrate {
		if err := st.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("migrate database: %w", err)
		}
	}
	a.service = orders.NewService(st, a.cfg.Rules, orders.WithLocation(a.cfg.Location), orders.WithLogger(a.log))
	return a.service, nil
}

func (a *app) openRedis(ctx context.Context) (*redisstore.Store, error) {
	opt, err := redis.ParseURL(a.cfg.RedisURL)
	if err != nil {
		return nil, &configError{"ORDERBOT_REDIS_URL", "expected a URL like redis://host:6379/0"}
	}
	opt.PoolSize = 128
	a.redis = redis.NewClient(opt)
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.redis.Ping(cctx).Err(); err != nil {
		return nil, fmt.Errorf("redis at %s is not reachable (%v): start it (`make run` starts a local one) or set ORDERBOT_REDIS_URL",
			redactURL(a.cfg.RedisURL), err)
	}
	return redisstore.New(a.redis, a.cfg.RedisPrefix), nil
}

// engine wires the conversation engine; botUsername makes invitation links (empty: none).
func (a *app) engine(ctx context.Context, botUsername string) (*conversation.Engine, error) {
	svc, err := a.openStore(ctx, true)
	if err != nil {
		return nil, err
	}
	rs, err := a.openRedis(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := a.reportsOf()
	if err != nil {
		return nil, err
	}
	return conversation.New(conversation.Config{
		Desk: svc, Chats: rs, Logger: a.log, Reports: rep,
		Team: orders.NewTeam(a.store, nil, a.log), BotUsername: botUsername,
		Complaints: a.complaints(), Group: orders.NewGroup(a.store, nil),
	}), nil
}

// complaints is the complaints desk over the open store.
func (a *app) complaints() *orders.Complaints {
	return orders.NewComplaints(a.store, a.cfg.Rules, a.cfg.Location, nil, a.log)
}

// flags returns a flag set that prints its usage to stdout.
func (a *app) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stdout)
	fs.Usage = func() {
		fmt.Fprintf(a.stdout, "Usage: %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; done is true when help was printed and the command should stop.
func parse(fs *flag.FlagSet, args []string) (done bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	return err != nil, err
}

func (a *app) migrate(ctx context.Context, args []string) error {
	fs := a.flags("migrate", "orderbot migrate\n\nApplies the database migrations that are not applied yet.")
	if done, err := parse(fs, args); done {
		return err
	}
	if _, err := a.openStore(ctx, true); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "database is up to date")
	return nil
}

func cmdRules(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintln(stdout, "Usage: orderbot rules\n\nPrints the default business rules; save them, edit, and point ORDERBOT_RULES_FILE at the file.")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	_, err := stdout.Write(orders.DefaultRulesJSON())
	return err
}
