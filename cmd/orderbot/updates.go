package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pginbox"
)

// updatesConfig is the update pipeline's part of the configuration.
type updatesConfig struct {
	MaxAttempts int           // ORDERBOT_UPDATE_MAX_ATTEMPTS
	MaxAge      time.Duration // ORDERBOT_UPDATE_MAX_AGE
	RetryBase   time.Duration // ORDERBOT_UPDATE_RETRY_BASE
	ChatBacklog int           // ORDERBOT_CHAT_BACKLOG
}

func (u *updatesConfig) load(get func(name, def string) string) error {
	var err error
	if u.MaxAttempts, err = strconv.Atoi(get("ORDERBOT_UPDATE_MAX_ATTEMPTS", "10")); err != nil || u.MaxAttempts < 1 || u.MaxAttempts > 1000 {
		return &configError{"ORDERBOT_UPDATE_MAX_ATTEMPTS", "expected a number of attempts from 1 to 1000"}
	}
	if u.MaxAge, err = time.ParseDuration(get("ORDERBOT_UPDATE_MAX_AGE", "1h")); err != nil || u.MaxAge < time.Second {
		return &configError{"ORDERBOT_UPDATE_MAX_AGE", "expected a duration of at least 1s like 30m or 2h"}
	}
	if u.RetryBase, err = time.ParseDuration(get("ORDERBOT_UPDATE_RETRY_BASE", "500ms")); err != nil || u.RetryBase < time.Millisecond || u.RetryBase > time.Minute {
		return &configError{"ORDERBOT_UPDATE_RETRY_BASE", "expected a duration from 1ms to 1m like 500ms"}
	}
	if u.ChatBacklog, err = strconv.Atoi(get("ORDERBOT_CHAT_BACKLOG", "50")); err != nil || u.ChatBacklog < 1 || u.ChatBacklog > 100_000 {
		return &configError{"ORDERBOT_CHAT_BACKLOG", "expected a number of updates from 1 to 100000"}
	}
	return nil
}

// apply sets the pipeline's part of a bot's configuration.
func (u updatesConfig) apply(c *bot.Config) {
	c.MaxAttempts, c.MaxAge, c.RetryBase, c.MaxBacklog = u.MaxAttempts, u.MaxAge, u.RetryBase, u.ChatBacklog
}

// updates runs `orderbot updates failed|retry`: the dead letters of the update pipeline.
func (a *app) updates(ctx context.Context, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "failed":
		fs := a.flags("updates failed", "orderbot updates failed [--json] [--limit N]\n\nLists the updates given up on (dead letters), the most recent first.")
		asJSON := fs.Bool("json", false, "print JSON, with each update's raw JSON")
		limit := fs.Int("limit", 100, "at most this many")
		if done, err := parse(fs, args); done {
			return err
		}
		in, err := a.inbox(ctx)
		if err != nil {
			return err
		}
		ds, err := in.DeadLetters(ctx, *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			type item struct {
				pginbox.DeadLetter
				Update json.RawMessage `json:"update"`
			}
			out := make([]item, len(ds))
			for i, d := range ds {
				out[i] = item{DeadLetter: d, Update: json.RawMessage(d.Raw)}
				if !json.Valid(d.Raw) {
					out[i].Update, _ = json.Marshal(string(d.Raw))
				}
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		if len(ds) == 0 {
			fmt.Fprintln(a.stdout, "no failed updates")
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "UPDATE ID\tCHAT\tATTEMPTS\tFIRST SEEN\tLAST SEEN\tERROR")
		for _, d := range ds {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\n", d.UpdateID, d.ChatID, d.Attempts,
				d.FirstSeen.In(a.cfg.Location).Format(time.DateTime), d.LastSeen.In(a.cfg.Location).Format(time.DateTime),
				oneLine(d.Error, 120))
		}
		return tw.Flush()
	case "retry":
		fs := a.flags("updates retry", "orderbot updates retry UPDATE_ID…\n\nPuts failed updates back into the inbox: a running bot handles them within a second,\nin their chat's order, with their attempts counted afresh.")
		if done, err := parse(fs, args); done {
			return err
		}
		if fs.NArg() == 0 {
			return errors.New("usage: orderbot updates retry UPDATE_ID… (see `orderbot updates failed`)")
		}
		ids := make([]int64, fs.NArg())
		for i, s := range fs.Args() {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("%q is not an update id", s)
			}
			ids[i] = id
		}
		in, err := a.inbox(ctx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := in.Requeue(ctx, id); err != nil {
				if errors.Is(err, pginbox.ErrNoDeadLetter) {
					return fmt.Errorf("update %d is not among the failed updates (see `orderbot updates failed`)", id)
				}
				return err
			}
			fmt.Fprintf(a.stdout, "update %d queued again\n", id)
		}
		return nil
	case "-h", "--help":
		fmt.Fprintln(a.stdout, "Usage: orderbot updates failed [--json] | updates retry UPDATE_ID…")
		return nil
	}
	return errors.New("usage: orderbot updates failed|retry (each takes --help)")
}

// inbox opens the database (migrated) and returns its update inbox.
func (a *app) inbox(ctx context.Context) (*pginbox.Inbox, error) {
	if _, err := a.openStore(ctx, true); err != nil {
		return nil, err
	}
	return pginbox.New(a.store.DB().DB), nil
}

func oneLine(s string, most int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > most {
		return string(r[:most-1]) + "…"
	}
	return s
}
