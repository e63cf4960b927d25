package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
)

// notifications reconciles the notifications whose delivery is uncertain.
func (a *app) notifications(ctx context.Context, args []string) error {
	const help = "Usage: orderbot notifications uncertain [--json] | resend ID | settle ID [--note TEXT] (each takes --help)"
	if len(args) == 0 {
		return errors.New(help)
	}
	switch args[0] {
	case "uncertain":
		fs := a.flags("notifications uncertain", "orderbot notifications uncertain [--json]\n\nLists the notifications whose send began and whose outcome is unknown (the worker died,\nor Telegram never answered). None is sent again by itself: resend or settle each.")
		asJSON := fs.Bool("json", false, "print JSON")
		if done, err := parse(fs, args[1:]); done {
			return err
		}
		if _, err := a.openStore(ctx, true); err != nil {
			return err
		}
		list, err := a.store.UncertainNotices(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, list)
		}
		if len(list) == 0 {
			fmt.Fprintln(a.stdout, "No uncertain notifications.")
			return nil
		}
		w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tKIND\tCHAT\tORDER\tATTEMPTS\tQUEUED\tLAST ERROR")
		for _, n := range list {
			fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%d\t%s\t%s\n", n.ID, n.Kind, n.ChatID, n.Order, n.Attempts,
				n.CreatedAt.In(a.cfg.Location).Format("2006-01-02 15:04"), n.LastError)
		}
		return w.Flush()
	case "resend", "settle":
		fs := a.flags("notifications "+args[0], "orderbot notifications resend ID | settle ID [--note TEXT]\n\nresend sends an uncertain notification again (its recipient may read it twice);\nsettle closes it without a send (it arrived, or is no longer needed).")
		note := fs.String("note", "", "why it is settled, for the record")
		if done, err := parse(fs, reorder(args[1:])); done {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: orderbot notifications %s ID", args[0])
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%q is not a notification id: see `orderbot notifications uncertain`", fs.Arg(0))
		}
		if _, err := a.openStore(ctx, true); err != nil {
			return err
		}
		if args[0] == "resend" {
			if err := a.store.ResendNotice(ctx, id, "operator"); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "notification %d queued to be sent again\n", id)
			return nil
		}
		if err := a.store.SettleUncertain(ctx, id, "operator", *note); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "notification %d settled\n", id)
		return nil
	case "-h", "--help":
		fmt.Fprintln(a.stdout, help)
		return nil
	}
	return errors.New(help)
}
