package conversation_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/internal/testbed"
)

var clockRE = regexp.MustCompile(`(• )(\d{4}年\d{1,2}月\d{1,2}日|\d{1,2} [A-Z][a-z]{2} \d{4}) \d{2}:\d{2}`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// driver is one user chatting with the engine directly, without Telegram.
type driver struct {
	t          *testing.T
	e          *conversation.Engine
	u          conversation.User
	last       []conversation.Reply
	n          int
	transcript strings.Builder
}

func newDriver(t *testing.T, bed *testbed.Bed, id int64, lang string) *driver {
	return &driver{t: t, e: bed.Engine, u: conversation.User{ID: id, ChatID: id, Name: "Wei Zhang",
		LanguageCode: lang, Role: conversation.RoleCustomer}}
}

func (d *driver) Deliver(_ context.Context, rs []conversation.Reply) error {
	d.last = append(d.last, rs...)
	return nil
}

func (d *driver) do(in conversation.Input, shown string) []conversation.Reply {
	d.t.Helper()
	d.n++
	d.last = nil
	if err := d.e.Handle(context.Background(), conversation.Update{Key: fmt.Sprintf("t:%d:%d", d.u.ID, d.n), User: d.u, Input: in}, d); err != nil {
		d.t.Fatalf("input %q: %v", shown, err)
	}
	fmt.Fprintf(&d.transcript, ">>> %s\n", shown)
	for _, r := range d.last {
		d.transcript.WriteString(render(r))
	}
	return d.last
}

func render(r conversation.Reply) string {
	var b strings.Builder
	b.WriteString(r.Text + "\n")
	for _, row := range r.Buttons {
		var cells []string
		for _, btn := range row {
			cells = append(cells, "["+btn.Text+"]")
		}
		b.WriteString("    " + strings.Join(cells, " ") + "\n")
	}
	switch r.Keyboard {
	case conversation.RequestContact:
		b.WriteString("    {contact button: " + r.KeyboardText + "}\n")
	case conversation.RequestLocation:
		b.WriteString("    {location button: " + r.KeyboardText + "}\n")
	case conversation.RemoveKeyboard:
		b.WriteString("    {keyboard removed}\n")
	}
	return b.String()
}

func (d *driver) text(s string) []conversation.Reply {
	d.t.Helper()
	return d.do(conversation.Input{Kind: conversation.InputText, Text: s}, s)
}

func (d *driver) cmd(c string) []conversation.Reply {
	d.t.Helper()
	name, args, _ := strings.Cut(strings.TrimPrefix(c, "/"), " ")
	return d.do(conversation.Input{Kind: conversation.InputCommand, Text: c, Command: name, Args: args}, c)
}

func (d *driver) contact(phone string) []conversation.Reply {
	d.t.Helper()
	return d.do(conversation.Input{Kind: conversation.InputContact, Phone: phone}, "(contact "+phone+")")
}

func (d *driver) location(lat, lon float64) []conversation.Reply {
	d.t.Helper()
	return d.do(conversation.Input{Kind: conversation.InputLocation, Lat: lat, Lon: lon}, fmt.Sprintf("(location %.4f %.4f)", lat, lon))
}

// button finds a button of the last replies whose text contains label.
func (d *driver) button(label string) (conversation.Button, bool) {
	for i := len(d.last) - 1; i >= 0; i-- {
		for _, row := range d.last[i].Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return b, true
				}
			}
		}
	}
	return conversation.Button{}, false
}

func (d *driver) press(label string) []conversation.Reply {
	d.t.Helper()
	b, ok := d.button(label)
	if !ok {
		d.t.Fatalf("no button %q in:\n%s", label, d.shown())
	}
	return d.do(conversation.Input{Kind: conversation.InputButton, Data: b.Data}, "["+b.Text+"]")
}

func (d *driver) pressData(data string) []conversation.Reply {
	d.t.Helper()
	return d.do(conversation.Input{Kind: conversation.InputButton, Data: data}, "[data "+data+"]")
}

func (d *driver) shown() string {
	var b strings.Builder
	for _, r := range d.last {
		b.WriteString(render(r))
	}
	return b.String()
}

// expect asserts that the last replies contain every part.
func (d *driver) expect(parts ...string) {
	d.t.Helper()
	s := d.shown()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			d.t.Fatalf("want %q in the replies:\n%s", p, s)
		}
	}
}

// golden compares the transcript with testdata/NAME, or rewrites it with -update.
func (d *driver) golden(name string) {
	d.t.Helper()
	path := filepath.Join("testdata", name)
	// A timeline's moments come from the database's clock, not the desk's test clock.
	got := clockRE.ReplaceAllString(d.transcript.String(), "${1}(time)")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			d.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		d.t.Fatalf("%v (run go test ./conversation -run %s -update to create it)", err, d.t.Name())
	}
	if got != string(want) {
		d.t.Errorf("transcript differs from %s (rerun with -update if the change is intended):\n%s", path, diff(string(want), got))
	}
}

func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, w, g)
		}
	}
	return ""
}
