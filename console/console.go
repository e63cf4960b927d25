// Package console is a chat channel in a terminal: it drives the same conversation engine
// as Telegram, showing buttons as numbered choices, so that every flow can be tried without
// a Telegram bot token.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/orderbot/orderbot/conversation"
)

// Handler runs one update; *conversation.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, u conversation.Update, out conversation.Sink) error
}

// Chat is one terminal conversation.
type Chat struct {
	h       Handler
	user    conversation.User
	out     io.Writer
	buttons []conversation.Button // the choices on screen, numbered from 1
}

// New returns a chat of user on out.
func New(h Handler, user conversation.User, out io.Writer) *Chat {
	return &Chat{h: h, user: user, out: out}
}

const help = `Type as you would in Telegram: text, or commands like /start, /neworder, /status.
Press a button by typing its number, like #1 (a plain number is an answer, like a quantity).
/contact +8613800000000 shares a phone number, /location 31.23 121.47 a location, /quit leaves.`

// Run reads lines from in until it ends or ctx is done, starting with /start.
func (c *Chat) Run(ctx context.Context, in io.Reader) error {
	fmt.Fprintln(c.out, help)
	if err := c.Send(ctx, "/start"); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for {
		fmt.Fprint(c.out, "> ")
		if !sc.Scan() {
			fmt.Fprintln(c.out)
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line == "/quit" || line == "/exit" {
			return nil
		}
		if err := c.Send(ctx, line); err != nil {
			fmt.Fprintf(c.out, "(error: %v)\n", err)
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// Send handles one line typed by the user.
func (c *Chat) Send(ctx context.Context, line string) error {
	in, err := c.input(line)
	if err != nil {
		fmt.Fprintln(c.out, err)
		return nil
	}
	return c.h.Handle(ctx, conversation.Update{User: c.user, Input: in}, c)
}

func (c *Chat) input(line string) (conversation.Input, error) {
	if n, ok := strings.CutPrefix(line, "#"); ok {
		i, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || i < 1 || i > len(c.buttons) {
			return conversation.Input{}, fmt.Errorf("(there is no button %s on screen)", line)
		}
		return conversation.Input{Kind: conversation.InputButton, Data: c.buttons[i-1].Data}, nil
	}
	if !strings.HasPrefix(line, "/") {
		return conversation.Input{Kind: conversation.InputText, Text: line}, nil
	}
	cmd, args, _ := strings.Cut(line[1:], " ")
	args = strings.TrimSpace(args)
	switch strings.ToLower(cmd) {
	case "contact":
		return conversation.Input{Kind: conversation.InputContact, Phone: args}, nil
	case "location":
		var lat, lon float64
		if _, err := fmt.Sscan(args, &lat, &lon); err != nil {
			return conversation.Input{}, fmt.Errorf("(usage: /location LATITUDE LONGITUDE)")
		}
		return conversation.Input{Kind: conversation.InputLocation, Lat: lat, Lon: lon}, nil
	}
	return conversation.Input{Kind: conversation.InputCommand, Text: line, Command: strings.ToLower(cmd), Args: args}, nil
}

// Deliver prints replies, numbering their buttons.
func (c *Chat) Deliver(_ context.Context, replies []conversation.Reply) error {
	c.buttons = c.buttons[:0]
	for _, r := range replies {
		fmt.Fprintln(c.out, indent(r.Text))
		for _, row := range r.Buttons {
			var cells []string
			for _, b := range row {
				if strings.HasSuffix(b.Data, ":noop") { // a label, like a calendar's month or a past day
					cells = append(cells, fmt.Sprintf("%4s", b.Text))
					continue
				}
				c.buttons = append(c.buttons, b)
				cells = append(cells, fmt.Sprintf("[#%d %s]", len(c.buttons), b.Text))
			}
			fmt.Fprintln(c.out, "    "+strings.Join(cells, " "))
		}
		switch r.Keyboard {
		case conversation.RequestContact:
			fmt.Fprintf(c.out, "    (%s: /contact PHONE)\n", r.KeyboardText)
		case conversation.RequestLocation:
			fmt.Fprintf(c.out, "    (%s: /location LAT LON)\n", r.KeyboardText)
		}
	}
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
