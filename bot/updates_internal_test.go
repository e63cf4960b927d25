package bot

import (
	"testing"
)

func TestPeek(t *testing.T) {
	for _, c := range []struct {
		raw      string
		id, chat int64
		cb       string
	}{
		{`{"update_id":42,"message":{"chat":{"id":7,"type":"private"},"from":{"id":7}}}`, 42, 7, ""},
		{`{"message":{"text":"x","chat":{"id":-5}},"update_id":99}`, 99, -5, ""},
		{`{"update_id":3,"callback_query":{"id":"q1","from":{"id":8},"message":{"chat":{"id":8}}}}`, 3, 8, "q1"},
		{`{"update_id":4,"callback_query":{"id":"q2","from":{"id":9}}}`, 4, 9, "q2"},
		{`{"update_id":5,"edited_message":{}}`, 5, 0, ""},
	} {
		u, cb, err := peek([]byte(c.raw))
		if err != nil || u.ID != c.id || u.ChatID != c.chat || cb != c.cb {
			t.Errorf("peek(%s) = %d, %d, %q, %v; want %d, %d, %q", c.raw, u.ID, u.ChatID, cb, err, c.id, c.chat, c.cb)
		}
	}
	for _, raw := range []string{`not json`, `{"message":{}}`} {
		if _, _, err := peek([]byte(raw)); err == nil {
			t.Errorf("peek(%s): no error", raw)
		}
	}
}

// peek never panics, and what it accepts has an id.
func FuzzPeek(f *testing.F) {
	for _, s := range []string{
		`{"update_id":42,"message":{"chat":{"id":7},"from":{"id":7,"language_code":"zh"}}}`,
		`{"update_id":3,"callback_query":{"id":"q1","from":{"id":8},"message":{"chat":{"id":8}}}}`,
		`{"update_id":-1}`, `[]`, `null`, `{"update_id":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, _, err := peek(raw)
		if err == nil && u.ID <= 0 {
			t.Fatalf("peek(%q) accepted an update without an id", raw)
		}
		_ = languageOf(raw)
	})
}
