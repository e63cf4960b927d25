package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/orderbot/orderbot/orders"
)

// documentsCmd runs `orders documents SO-…` (the archive of an order's documents) and
// `orders document SO-… --kind K [--version N] [--lang L] -o FILE` (one archived PDF).
func (a *app) documentsCmd(ctx context.Context, sub string, args []string) error {
	if sub == "documents" {
		fs := a.flags("orders documents", "orderbot orders documents SO-…\n\nLists the documents archived for the order: kind, version, language, size, SHA-256, time and reason.")
		if done, err := parse(fs, reorder(args)); done {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("usage: orderbot orders documents SO-…")
		}
		svc, err := a.openStore(ctx, true)
		if err != nil {
			return err
		}
		docs, err := svc.Documents(ctx, orders.Operator, fs.Arg(0))
		if errors.Is(err, orders.ErrNotFound) {
			return fmt.Errorf("no order %s", fs.Arg(0))
		} else if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tVERSION\tLANG\tBYTES\tSHA-256\tCREATED\tREASON")
		for _, d := range docs {
			reason := d.Reason
			if d.Amended {
				reason = "amended: " + reason
			}
			if d.Acceptance != nil {
				reason += fmt.Sprintf(" (accepted by %s, Telegram %d, %s, key %s; accepted SHA-256 %s)", d.Acceptance.Name,
					d.Acceptance.TelegramID, d.Acceptance.At.In(a.cfg.Location).Format("2006-01-02 15:04:05"), d.Acceptance.Key, orNone(d.AcceptedSHA256))
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\t%s\n", d.Kind, d.Version, d.Lang, d.Size, d.SHA256,
				d.CreatedAt.In(a.cfg.Location).Format("2006-01-02 15:04:05"), reason)
		}
		if len(docs) == 0 {
			fmt.Fprintf(tw, "(no documents for %s yet)\n", fs.Arg(0))
		}
		return tw.Flush()
	}
	usage := "usage: orderbot orders document SO-… --kind confirmation|production_schedule|delivery_note|statement [--version N] [--lang en|zh] -o FILE"
	fs := a.flags("orders document", usage[len("usage: "):]+"\n\nWrites an archived document, byte for byte as it was sent (the latest version unless --version).")
	kind := fs.String("kind", "", "the document: confirmation, production_schedule, delivery_note or statement")
	version := fs.Int("version", 0, "the version (default the latest)")
	lang := fs.String("lang", "", "the language, en or zh (default the version's first)")
	out := fs.String("o", "", "the file to write (- for standard output)")
	if done, err := parse(fs, reorder(args)); done {
		return err
	}
	if fs.NArg() != 1 || *kind == "" || *out == "" {
		return errors.New(usage)
	}
	if *lang != "" && *lang != "en" && *lang != "zh" {
		return fmt.Errorf("--lang: expected en or zh, not %q", *lang)
	}
	svc, err := a.openStore(ctx, true)
	if err != nil {
		return err
	}
	d, err := svc.DocumentFile(ctx, fs.Arg(0), *kind, *version, *lang)
	if errors.Is(err, orders.ErrNotFound) {
		return fmt.Errorf("no %s of %s in the archive (see `orderbot orders documents %s`)", *kind, fs.Arg(0), fs.Arg(0))
	} else if err != nil {
		return err
	}
	if *out == "-" {
		_, err = a.stdout.Write(d.Data)
		return err
	}
	if err := os.WriteFile(*out, d.Data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %s (%s v%d %s, %d bytes, SHA-256 %s)\n", *out, d.Kind, d.Version, d.Lang, d.Size, d.SHA256)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
