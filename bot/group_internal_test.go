package bot

import (
	"strings"
	"testing"
)

func TestGroupCommand(t *testing.T) {
	b := &Bot{cfg: Config{Username: "Desk_Bot"}}
	for _, c := range []struct {
		text, cmd string
		ok        bool
	}{
		{"/bindgroup", "bindgroup", true},
		{"/bindgroup@desk_bot", "bindgroup", true},
		{"/UnbindGroup@Desk_Bot now", "unbindgroup", true},
		{"/bindgroup@other_bot", "", false},
		{"/start", "start", false},
		{"/", "", false},
		{"/bindgroup\nplease", "bindgroup", true},
		{"/language@desk_bot 中文", "language", true},
	} {
		cmd, ok := b.groupCommand(c.text)
		if ok != c.ok || (ok && cmd != c.cmd) {
			t.Errorf("groupCommand(%q) = %q, %v; want %q, %v", c.text, cmd, ok, c.cmd, c.ok)
		}
	}
}

// Any text after "/" is read without a panic, and only bindgroup, unbindgroup and language are taken.
func FuzzGroupCommand(f *testing.F) {
	for _, s := range []string{"/bindgroup", "/bindgroup@desk_bot x", "/unbindgroup@", "/@", "/\n"} {
		f.Add(s)
	}
	b := &Bot{cfg: Config{Username: "desk_bot"}}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.HasPrefix(s, "/") {
			s = "/" + s
		}
		cmd, ok := b.groupCommand(s)
		if ok && cmd != "bindgroup" && cmd != "unbindgroup" && cmd != "language" {
			t.Errorf("groupCommand(%q) took %q", s, cmd)
		}
	})
}
