// Package console is a chat channel in a terminal: it drives the same conversation engine
// as Telegram, showing buttons as numbered choices, so that every flow can be tried without
// a Telegram bot token.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/notify"
)

// Handler runs one update; *conversation.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, u conversation.Update, out conversation.Sink) error
}

// Chat is one terminal conversation. It is also a notify.Sender: notifications for its
// user are printed into the chat as they arrive, marked as notifications, with buttons
// that can be pressed like any other.
type Chat struct {
	h    Handler
	user conversation.User
	log  *slog.Logger

	mu      sync.Mutex // the screen: replies and notifications print whole
	out     io.Writer
	buttons []conversation.Button // the choices on screen, numbered from 1
	notices int                   // message ids given to notifications
	files   string                // where files sent to the user are saved ("": not saved)
}

// New returns a chat of user on out.
func New(h Handler, user conversation.User, out io.Writer) *Chat {
	return &Chat{h: h, user: user, out: out, log: slog.New(slog.DiscardHandler)}
}

// WithFiles saves the files the user is sent (documents, charts, exports) in dir, and
// shows where each went.
func (c *Chat) WithFiles(dir string) *Chat {
	c.files = dir
	return c
}

// file tells of a file the user was sent, saving it when the chat has a directory for
// files, in the language of the message it came with. A file that cannot be saved is named
// with the reason; the chat goes on.
func (c *Chat) file(name string, data []byte, with string) string {
	lang := textLang(with)
	if name == "" {
		name = i18n.T(lang, "console.file.photo")
	}
	if c.files == "" || len(data) == 0 {
		return "📎 " + name
	}
	path := filepath.Join(c.files, filepath.Base(name))
	err := os.MkdirAll(c.files, 0o750)
	if err == nil {
		err = os.WriteFile(path, data, 0o600)
	}
	if err != nil {
		c.log.Warn("file not saved", "name", name, "err", err)
		return i18n.T(lang, "console.file.unsaved", name, err)
	}
	return i18n.T(lang, "console.file.saved", name, size(len(data)), path)
}

// textLang is the language a message is written in: Chinese when it has Chinese in it.
func textLang(text string) string {
	if strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return i18n.ZH
	}
	return i18n.EN
}

func size(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.0f KB", float64(n)/1024)
}

// WithLogger makes the chat log the notifications it does not show (those for other
// chats) to l.
func (c *Chat) WithLogger(l *slog.Logger) *Chat {
	c.log = l
	return c
}

// SendNotice implements notify.Sender: a notification for this chat's user is printed at
// once, between the chat's messages; one for another chat is only logged (it has no
// screen here) and counts as delivered.
func (c *Chat) SendNotice(_ context.Context, chatID int64, m notify.Message) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notices++
	if chatID != c.user.ChatID {
		c.log.Info("notification for another chat, not shown in this terminal", "chat", chatID)
		return c.notices, nil
	}
	c.printNotice(noticeMark(m, false), m)
	return c.notices, nil
}

// EditNotice implements notify.Sender: an edited notification is printed again.
func (c *Chat) EditNotice(_ context.Context, chatID int64, _ int, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if chatID != c.user.ChatID {
		return nil
	}
	c.printNotice(noticeMark(m, true), m)
	return nil
}

// noticeMark marks a notification in its own language: a notification written in Chinese
// (its reader's language) is marked 通知.
func noticeMark(m notify.Message, edited bool) string {
	key := "console.notice"
	if edited {
		key += ".edited"
	}
	return i18n.T(textLang(m.Text), key)
}

func (c *Chat) printNotice(mark string, m notify.Message) {
	fmt.Fprintf(c.out, "\n── %s ──\n", mark)
	r := conversation.Reply{Text: m.Text}
	for _, row := range m.Buttons {
		var rb []conversation.Button
		for _, b := range row {
			rb = append(rb, conversation.Button{Text: b.Text, Data: b.Data})
		}
		r.Buttons = append(r.Buttons, rb)
	}
	if m.File != nil {
		r.Text += "\n" + c.file(m.File.Name, m.File.Data, m.Text)
	}
	// The notification's buttons join those on screen, numbered after them.
	c.print(r)
	fmt.Fprint(c.out, "> ")
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
	c.mu.Lock()
	defer c.mu.Unlock()
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
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buttons = c.buttons[:0]
	for _, r := range replies {
		c.print(r)
	}
	return nil
}

// print shows one message with its buttons, numbered after those already on screen.
func (c *Chat) print(r conversation.Reply) {
	{
		if r.File != nil {
			r.Text += "\n" + c.file(r.File.Name, r.File.Data, r.Text)
		}
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
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
