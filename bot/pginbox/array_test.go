package pginbox

import (
	"testing"

	"github.com/lib/pq"
)

// textArray encodes what lib/pq's StringArray encodes, in one buffer of the exact size.
func TestTextArrayIsStringArray(t *testing.T) {
	for _, in := range [][]string{
		{},
		{""},
		{`{"update_id":1}`},
		{`a"b`, `c\d`, `\"`, `{,}`, "NULL", "中文 🪑"},
	} {
		checkTextArray(t, in)
	}
}

func FuzzTextArray(f *testing.F) {
	f.Add("a", `"b\`)
	f.Add(`{"update_id":1,"message":{"text":"\"x\""}}`, "")
	f.Fuzz(func(t *testing.T, a, b string) {
		checkTextArray(t, []string{a, b})
	})
}

func checkTextArray(t *testing.T, in []string) {
	t.Helper()
	raws := make(textArray, len(in))
	for i, s := range in {
		raws[i] = []byte(s)
	}
	got, err := raws.Value()
	if err != nil {
		t.Fatal(err)
	}
	want, err := pq.StringArray(in).Value()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("textArray %q = %q, want %q", in, got, want)
	}
}
