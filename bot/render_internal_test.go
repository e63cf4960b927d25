package bot

import (
	"reflect"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/conversation"
)

func TestCoalesce(t *testing.T) {
	back := [][]conversation.Button{{{Text: "Back", Data: "1:back"}}}
	text := func(s string) conversation.Reply { return conversation.Reply{ChatID: 1, Text: s} }
	withButtons := func(s string) conversation.Reply { return conversation.Reply{ChatID: 1, Text: s, Buttons: back} }
	withKeyboard := func(s string, k conversation.Keyboard) conversation.Reply {
		return conversation.Reply{ChatID: 1, Text: s, Keyboard: k, KeyboardText: "📍"}
	}
	for _, tc := range []struct {
		name     string
		in, want []conversation.Reply
	}{
		{"one", []conversation.Reply{text("a")}, []conversation.Reply{text("a")}},
		{"text then question", []conversation.Reply{text("Added."), withButtons("Next?")},
			[]conversation.Reply{withButtons("Added.\n\nNext?")}},
		{"three texts", []conversation.Reply{text("a"), text("b"), withButtons("c")},
			[]conversation.Reply{withButtons("a\n\nb\n\nc")}},
		{"buttons stay on their message", []conversation.Reply{withButtons("a"), withButtons("b")},
			[]conversation.Reply{withButtons("a"), withButtons("b")}},
		{"a removal before a new keyboard is dropped",
			[]conversation.Reply{withKeyboard("Phone: 1", conversation.RemoveKeyboard), withKeyboard("Address?", conversation.RequestLocation)},
			[]conversation.Reply{withKeyboard("Phone: 1\n\nAddress?", conversation.RequestLocation)}},
		{"a removal before inline buttons stays",
			[]conversation.Reply{withKeyboard("Address: x", conversation.RemoveKeyboard), withButtons("Date?")},
			[]conversation.Reply{withKeyboard("Address: x", conversation.RemoveKeyboard), withButtons("Date?")}},
		{"other chats apart", []conversation.Reply{text("a"), {ChatID: 2, Text: "b"}},
			[]conversation.Reply{text("a"), {ChatID: 2, Text: "b"}}},
		{"too long together", []conversation.Reply{text(strings.Repeat("x", 3000)), withButtons(strings.Repeat("y", 1500))},
			[]conversation.Reply{text(strings.Repeat("x", 3000)), withButtons(strings.Repeat("y", 1500))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := coalesce(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
