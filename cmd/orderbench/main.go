// Command orderbench measures orderbot's whole order flow under load: simulated Telegram
// customers talk to the real bot (bot, conversation, orders) through the fake Bot API
// server of bot/telegramtest, with real PostgreSQL and Redis behind it, and the command
// prints throughput, reply latency and memory figures.
//
// Run it from the repository root with the local services up (scripts/services.sh up):
//
//	go run ./cmd/orderbench                                   # 200 customers × 3 orders, polling and webhook
//	go run ./cmd/orderbench -customers 100 -orders-per-customer 2 -mode polling
//	go run ./cmd/orderbench -cpuprofile cpu.pprof && go tool pprof -top cpu.polling.pprof
//
// For each mode (long polling, webhook) it creates a fresh database orderbench_<random>
// (migrated, demo catalog imported with 10,000,000 units of every product, so that every
// order ships from stock and is confirmed at once) and a fresh Redis key prefix, both
// removed at the end, and runs three phases:
//
//  1. Maximum throughput, closed loop: every customer (a distinct Telegram user) places
//     -orders-per-customer orders one after another, walking the whole dialog — /neworder,
//     a SKU, an option button, the quantity, Continue, the name button, the shared contact,
//     a shared location, the date, the payment button, Skip, Confirm — and waits for the
//     bot's reply to each update before sending the next. A returning customer is offered
//     the contact saved with the first order and presses "Use these" instead of giving
//     name and phone again, so a first order takes 12 updates and each later one 11. At
//     the end the database must hold exactly customers × orders-per-customer orders.
//  2. Latency at a fraction of that throughput (-latency-rate, default 0.5; or at
//     -latency-at updates/s, to compare two versions at the same load), open loop:
//     as many fresh customers walk the same dialog, each sending its updates on a fixed
//     schedule of one update every customers/rate seconds, so that the offered load is
//     rate updates/s whatever the replies do. The customers' first updates are spread
//     evenly over the slots of one order (11 updates), so that at every moment as many
//     customers are at each step of the dialog and the mix of steps is that of the whole
//     run. (With -lockstep they are spread over one slot instead: every customer is then at
//     the same step at the same time, and each Confirm comes in a burst of all customers'
//     Confirms: the figures show how the bot copes with such bursts.) Latencies are those
//     of the steady state: the updates sent while every customer was sending. An update
//     whose reply to the previous one came after its slot is sent as soon as that reply
//     arrives and is counted as a late send.
//  3. Echo ceiling: the same number of customers send the same number of updates per
//     customer (one text each, waiting for the reply each time: the same closed-loop shape)
//     to a bare github.com/go-telegram/bot echo bot on a fresh fake server in the same mode;
//     the run is short, so it is made three times and the best counts. orderbot's maximum
//     throughput is printed as a percentage of it.
//  4. The same echo bot making the Bot API calls of an order dialog, without its database
//     or Redis: every answer carries an inline button, every other update is a press of it,
//     which the bot answers (answerCallbackQuery) before it sends its answer, and one update
//     in five gets a message more (orderbot sends 1.21 messages per update and answers a
//     press on 0.53). Best of three runs, printed as a percentage of the echo ceiling: what
//     the Telegram side of an order costs on this machine before the bot does any work.
//
// Printed per phase: customers, updates, elapsed time, updates/s (and orders/s), reply
// latency percentiles — the time from putting an update into the fake server's queue to
// the server recording the bot's reply that the customer waits for —, allocations and
// bytes allocated per update, peak heap in use (HeapInuse sampled every 50 ms) and peak
// RSS (VmHWM, reset at the start of each phase through /proc/self/clear_refs). The memory
// figures are those of the whole process, so they include the fake Bot API server and the
// simulated customers, not only the bot.
//
// To show where the time goes, the order runs also print:
//
//   - the latency split at the moment the conversation engine starts on the update
//     (the bot's engine is wrapped to note it): "queued" is the bot's intake (the fake
//     server's queue, getUpdates or the webhook delivery, decoding, the role lookup),
//     "engine" the rest up to the reply (chat lock, session, the dialog step with its
//     database calls, sending), overall and for each dialog step;
//   - the Bot API calls the fake server received, per update;
//   - the database: waits for a connection of the bot's pool, and what the run database's
//     sessions were doing (pg_stat_activity sampled every 50 ms): how many were busy, how
//     many waited for a lock, and in which statements;
//   - CPU in cores: this process, the run database's PostgreSQL backends, redis-server,
//     interrupts, steal, and other processes. Figures taken while other processes kept the
//     machine busy are disturbed; a warning is printed when the machine was busy just
//     before the run.
//
// A summary table per mode ends the output, with, per mode, orderbot's throughput as a
// share of the dialog-echo ceiling (phase 4), and per update at the maximum: allocations
// and bytes (whole process), CPU core-milliseconds of this process, of the run database's
// PostgreSQL backends and of redis-server, and the latency users feel at half load (from
// the update entering the fake server's queue to the reply recorded there) beside the
// engine's share of it. With -memprofile an allocation profile is written after each
// maximum-throughput run.
//
// Targets the product wants: orderbot at 50 % of the dialog-echo ceiling or more, felt
// latency at half of the maximum p50 ≤ 10 ms and p99 ≤ 30 ms, at most 400 allocations and
// 48 KiB per update. The command reports what it
// measures; it fails (exit status 1) only when a phase cannot finish or the database does
// not hold the expected orders.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Shanghai also without a system tz database

	"github.com/orderbot/orderbot/internal/cpuprofile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orderbench:", err)
		os.Exit(1)
	}
}

// echoRuns is how often the echo ceiling is measured; the best run counts.
const echoRuns = 3

const (
	defaultDatabaseURL = "postgres://orderbot@127.0.0.1:55432/postgres?sslmode=disable"
	defaultRedisURL    = "redis://127.0.0.1:56379/2"
)

// options are the command's flags.
type options struct {
	customers   int
	orders      int
	modes       []string
	databaseURL string
	redisURL    string
	latencyRate float64
	latencyAt   float64 // offered updates/s of the latency run; when set, instead of latencyRate
	cpuProfile  string
	memProfile  string
	lockstep    bool
	log         *slog.Logger
}

// run is the whole program: main only passes it the process's context, arguments,
// environment and standard output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	name := "orderbench"
	if len(args) > 0 {
		name = filepath.Base(args[0])
		args = args[1:]
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: %s [flags]\n\nMeasures orderbot's order flow under load; see `go doc ./cmd/orderbench`.\n\n", name)
		fs.PrintDefaults()
	}
	var o options
	var mode string
	fs.IntVar(&o.customers, "customers", 200, "concurrent simulated customers")
	fs.IntVar(&o.orders, "orders-per-customer", 3, "orders each customer places")
	fs.StringVar(&mode, "mode", "both", "how the bot gets updates: polling, webhook or both")
	fs.StringVar(&o.databaseURL, "database-url", orDefault(getenv("ORDERBOT_TEST_DATABASE_URL"), defaultDatabaseURL),
		"PostgreSQL admin URL; a database is created and dropped on its server; $ORDERBOT_TEST_DATABASE_URL when set")
	fs.StringVar(&o.redisURL, "redis-url", orDefault(getenv("ORDERBOT_TEST_REDIS_URL"), defaultRedisURL),
		"Redis URL; keys go under a fresh prefix that is deleted at the end; $ORDERBOT_TEST_REDIS_URL when set")
	fs.Float64Var(&o.latencyRate, "latency-rate", 0.5,
		"offered load of the latency run, as a fraction of the measured maximum updates/s (0 skips the run)")
	fs.Float64Var(&o.latencyAt, "latency-at", 0,
		"offered load of the latency run in updates/s, instead of -latency-rate: to compare versions at the same load")
	fs.BoolVar(&o.lockstep, "lockstep", false,
		"latency run: start the customers within one slot, so that they walk the dialog in step (bursts of Confirms)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "",
		"write a CPU profile of each mode's maximum-throughput run to this file (FILE.polling.ext, FILE.webhook.ext with -mode both)")
	fs.StringVar(&o.memProfile, "memprofile", "",
		"write an allocation profile after each mode's maximum-throughput run to this file (named like -cpuprofile's)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.customers < 1:
		return errors.New("-customers must be at least 1")
	case o.orders < 1:
		return errors.New("-orders-per-customer must be at least 1")
	case o.latencyRate < 0:
		return errors.New("-latency-rate must not be negative")
	case o.latencyAt < 0:
		return errors.New("-latency-at must not be negative")
	}
	switch mode {
	case "polling", "webhook":
		o.modes = []string{mode}
	case "both":
		o.modes = []string{"polling", "webhook"}
	default:
		return fmt.Errorf("-mode %q: want polling, webhook or both", mode)
	}
	o.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	fmt.Fprintf(stdout, "orderbench: %d customers × %d orders, mode %s, %s\n",
		o.customers, o.orders, mode, machine())
	if busy, ok := machineBusy(ctx, time.Second); ok && busy > 0.25 {
		fmt.Fprintf(stdout, "WARNING: other processes kept %.2f of %d cores busy in the second before the run: the figures are disturbed\n",
			busy, runtime.NumCPU())
	}
	var failures []error
	var results []modeResult
	for _, m := range o.modes {
		if ctx.Err() != nil {
			break
		}
		r, err := runMode(ctx, o, m, stdout)
		if err != nil {
			fmt.Fprintf(stdout, "ERROR (%s): %v\n", m, err)
			failures = append(failures, fmt.Errorf("%s: %w", m, err))
		}
		if r.bot.updates > 0 {
			results = append(results, r)
		}
	}
	printSummary(stdout, results)
	return errors.Join(failures...)
}

// modeResult is what one mode measured.
type modeResult struct {
	mode    string
	bot     phase
	latency phase
	// latencyAt names the load of the latency run in the summary ("half load" by default).
	latencyAt string
	echo      phase
	shaped    phase // the echo bot making an order dialog's Bot API calls
}

// runMode sets up the bot for one mode and runs its three phases.
func runMode(ctx context.Context, o options, mode string, stdout io.Writer) (modeResult, error) {
	res := modeResult{mode: mode}
	fmt.Fprintf(stdout, "\n== %s ==\n", mode)
	env, err := setup(ctx, o, mode)
	if err != nil {
		return res, err
	}
	var problems []error
	defer func() {
		if err := env.close(); err != nil {
			fmt.Fprintf(stdout, "ERROR (%s): clean up: %v\n", mode, err)
		}
	}()

	// 1. Maximum throughput.
	stopProfile, err := startProfile(o.cpuProfile, mode, len(o.modes) > 1)
	if err != nil {
		return res, err
	}
	probe := env.probeDB(ctx)
	res.bot, err = runOrders(ctx, env, orderRun{firstUser: 100_000_001, customers: o.customers, orders: o.orders, loc: env.loc})
	dbs := probe.stop()
	res.bot.db = &dbs
	if perr := stopProfile(); perr != nil && err == nil {
		err = perr
	}
	if perr := writeAllocProfile(o.memProfile, mode, len(o.modes) > 1); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return res, fmt.Errorf("maximum-throughput run: %w", err)
	}
	want := o.customers * o.orders
	res.bot.orders = want
	if err := env.checkOrders(ctx, want, &res.bot); err != nil {
		problems = append(problems, err)
	}
	printPhase(stdout, fmt.Sprintf("orderbot, maximum throughput (closed loop: %d customers, each waits for every reply)", o.customers), res.bot)

	// 2. Latency at a fraction of the maximum.
	if (o.latencyRate > 0 || o.latencyAt > 0) && res.bot.updates > 0 {
		rate := o.latencyRate * res.bot.throughput()
		if o.latencyAt > 0 {
			rate = o.latencyAt
		}
		probe := env.probeDB(ctx)
		res.latency, err = runOrders(ctx, env, orderRun{firstUser: 200_000_001, customers: o.customers, orders: o.orders,
			loc: env.loc, rate: rate, lockstep: o.lockstep})
		dbs := probe.stop()
		res.latency.db = &dbs
		if err != nil {
			problems = append(problems, fmt.Errorf("latency run: %w", err))
		} else {
			want += o.customers * o.orders
			res.latency.orders = o.customers * o.orders
			if err := env.checkOrders(ctx, want, &res.latency); err != nil {
				problems = append(problems, err)
			}
			printPhase(stdout, fmt.Sprintf("orderbot at %.0f %% of the maximum (open loop: %d customers on fixed schedules, offered %.1f updates/s)",
				100*rate/res.bot.throughput(), o.customers, rate), res.latency)
			res.latencyAt = "half load"
			if o.latencyAt > 0 || o.latencyRate != 0.5 {
				res.latencyAt = fmt.Sprintf("%.0f updates/s", rate)
			}
		}
	}

	// 3. Echo ceiling: short, so the best of a few runs; then the same with an order
	// dialog's Bot API calls.
	perCustomer := res.bot.updates / o.customers
	for _, shaped := range []bool{false, true} {
		var best phase
		var rates []string
		for range echoRuns {
			p, err := runEchoCeiling(ctx, o, mode, perCustomer, shaped)
			if err != nil {
				problems = append(problems, fmt.Errorf("echo ceiling: %w", err))
				break
			}
			rates = append(rates, fmt.Sprintf("%.0f", p.throughput()))
			if p.throughput() > best.throughput() {
				best = p
			}
		}
		if best.updates == 0 {
			continue
		}
		if !shaped {
			res.echo = best
			printPhase(stdout, fmt.Sprintf("echo ceiling (bare go-telegram/bot echo bot: %d customers × %d texts, closed loop; best of %d runs: %s updates/s)",
				o.customers, perCustomer, len(rates), strings.Join(rates, ", ")), best)
			fmt.Fprintf(stdout, "orderbot / echo ceiling: %.1f %% (target ≥ 60 %%)\n", 100*res.bot.throughput()/best.throughput())
			continue
		}
		res.shaped = best
		printPhase(stdout, fmt.Sprintf("echo bot making an order dialog's Bot API calls (every other update a button press it answers, one in five with a message more; best of %d runs: %s updates/s)",
			len(rates), strings.Join(rates, ", ")), best)
		if res.echo.updates > 0 {
			fmt.Fprintf(stdout, "that echo / echo ceiling: %.1f %%; orderbot / that echo: %.1f %%\n",
				100*best.throughput()/res.echo.throughput(), 100*res.bot.throughput()/best.throughput())
		}
	}
	return res, errors.Join(problems...)
}

// profileFile is the file of a profile of mode's run: with several modes, the mode's name
// goes before the extension (FILE.polling.ext).
func profileFile(file, mode string, several bool) string {
	if file != "" && several {
		ext := filepath.Ext(file)
		file = strings.TrimSuffix(file, ext) + "." + mode + ext
	}
	return file
}

// startProfile starts a CPU profile when file is set and returns its stop function.
func startProfile(file, mode string, several bool) (stop func() error, err error) {
	file = profileFile(file, mode, several)
	stopCPU, err := cpuprofile.Start(file)
	if err != nil || file == "" {
		return stopCPU, err
	}
	return func() error {
		if err := stopCPU(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "orderbench: CPU profile of the %s run written to %s\n", mode, file)
		return nil
	}, nil
}

// writeAllocProfile writes the allocations made so far (pprof's "allocs" profile) to file,
// named like startProfile's.
func writeAllocProfile(file, mode string, several bool) error {
	if file = profileFile(file, mode, several); file == "" {
		return nil
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	fmt.Fprintf(os.Stderr, "orderbench: allocation profile of the %s run written to %s\n", mode, file)
	return f.Close()
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
