package api

import (
	"testing"
	"time"
)

// A cursor decodes to what was encoded; anything else a client sends is refused, never a
// crash.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC), 42))
	f.Add("")
	f.Add("MjAyNi0xMS0yN3w0Mg")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		ts, id, ok := decodeCursor(s)
		if !ok {
			return
		}
		if again := encodeCursor(ts, id); again != s {
			if ts2, id2, ok2 := decodeCursor(again); !ok2 || !ts2.Equal(ts) || id2 != id {
				t.Errorf("%q decodes to %v %d, which does not round-trip", s, ts, id)
			}
		}
	})
}

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.FixedZone("CST", 8*3600))
	ts, id, ok := decodeCursor(encodeCursor(at, 42))
	if !ok || !ts.Equal(at) || id != 42 {
		t.Errorf("round trip: %v %d %v", ts, id, ok)
	}
	for _, bad := range []string{"", "x", "bm9ub25l", "MjAyNi0xMS0yN3w0Mg"} {
		if _, _, ok := decodeCursor(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
