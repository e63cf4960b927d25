// Command orderbot is a Telegram bot that takes sales orders by conversation and tells
// customers and sales reps where every order stands. Run `orderbot --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones also in a static image without tzdata
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orderbot:", err)
		os.Exit(1)
	}
}

const usage = `orderbot takes sales orders by Telegram chat.

Usage:
  orderbot serve                      the bot: long polling, or webhook when ORDERBOT_WEBHOOK_URL is set
  orderbot console [--as customer|rep] [--user ID]
                                      the same conversations in this terminal, no Telegram needed
  orderbot migrate                    apply database migrations
  orderbot products import FILE.csv   upsert the catalog (all or nothing)
  orderbot staff add --telegram-id N --role rep|manager --name NAME
  orderbot staff list
  orderbot staff deactivate --telegram-id N
  orderbot orders list [--status S] [--json]
  orderbot orders show SO-… [--json]
  orderbot orders set-status SO-… STATUS [--note TEXT] [--carrier C --tracking T]
  orderbot updates failed [--json]    updates the bot gave up on (dead letters)
  orderbot updates retry UPDATE_ID…   hand failed updates to the bot again
  orderbot notifications uncertain [--json]
                                      notifications that may or may not have arrived
  orderbot notifications resend ID    send an uncertain notification again
  orderbot notifications settle ID [--note TEXT]
                                      close an uncertain notification without a send
  orderbot orders pay SO-… AMOUNT --method M
  orderbot orders export [--period P] [--status S] --format csv|xlsx -o FILE
  orderbot report [--period P] [--json] [--png FILE]
  orderbot channels add NAME --kind agent|distributor|platform [--customer TELEGRAM_ID] [--webhook URL]
                                      a sales channel of the API; prints its API key once
  orderbot channels list | rotate NAME | revoke NAME | webhook NAME URL
  orderbot channels deliveries NAME [--redeliver EVENT_ID]
  orderbot rules                      print the default business rules file

Every command takes --help. Configuration is read from the environment: see the README.
`

// run is the whole program: main only passes it the process's context, arguments,
// environment and standard streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stdout, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "rules":
		return cmdRules(rest, stdout)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	a := &app{cfg: cfg, stdout: stdout, stdin: stdin}
	defer a.close()
	switch cmd {
	case "serve":
		return a.serve(ctx, rest)
	case "console":
		return a.console(ctx, rest)
	case "migrate":
		return a.migrate(ctx, rest)
	case "products":
		return a.products(ctx, rest)
	case "staff":
		return a.staff(ctx, rest)
	case "orders":
		return a.orders(ctx, rest)
	case "updates":
		return a.updates(ctx, rest)
	case "notifications":
		return a.notifications(ctx, rest)
	case "report":
		return a.report(ctx, rest)
	case "channels":
		return a.channels(ctx, rest)
	}
	fmt.Fprint(stdout, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
