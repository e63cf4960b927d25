package bot

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestSplitResult(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string // nil: the fast path gives up
	}{
		{"empty", `{"ok":true,"result":[]}`, []string{}},
		{"two", `{"ok":true,"result":[{"update_id":1,"message":{"text":"a]}\"{"}},{"update_id":2}]}`,
			[]string{`{"update_id":1,"message":{"text":"a]}\"{"}}`, `{"update_id":2}`}},
		{"spaces", " {\n \"result\" : [ 1 , \"x\" ] ,\t\"ok\" : true } ", []string{`1`, `"x"`}},
		{"other keys", `{"ok":true,"description":"d","result":[{}]}`, []string{`{}`}},
		{"not ok", `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":3}}`, nil},
		{"no result", `{"ok":true}`, nil},
		{"not an array", `{"ok":true,"result":{}}`, nil},
		{"escaped key", `{"o\u006b":true,"result":[]}`, nil},
		{"trailing comma", `{"ok":true,"result":[],}`, nil},
		{"missing comma", `{"ok":true "result":[]}`, nil},
		{"cut short", `{"ok":true,"result":[{"update_id":1`, nil},
		{"garbage after", `{"ok":true,"result":[]}x`, nil},
		{"html", `<html>Bad Gateway</html>`, nil},
		{"empty body", ``, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := splitResult([]byte(tc.body))
			if tc.want == nil {
				if ok {
					t.Fatalf("fast path took %q: %q", tc.body, got)
				}
				return
			}
			if !ok {
				t.Fatalf("fast path gave up on %q", tc.body)
			}
			strs := []string{}
			for _, e := range got {
				strs = append(strs, string(e))
			}
			if !reflect.DeepEqual(strs, tc.want) {
				t.Errorf("got %q, want %q", strs, tc.want)
			}
		})
	}
}

// FuzzSplitResult checks the fast path against encoding/json: on a valid answer whose ok
// is true it finds the same elements, or gives up; it never panics.
func FuzzSplitResult(f *testing.F) {
	f.Add([]byte(`{"ok":true,"result":[{"update_id":1,"message":{"text":"hi"}}]}`))
	f.Add([]byte(`{"ok":true,"result":[{"update_id":2,"callback_query":{"data":"a\\\"b"}},{"update_id":3}]}`))
	f.Add([]byte(`{"ok":false,"error_code":502,"description":"Bad Gateway"}`))
	f.Add([]byte(` { "result" : [ [1,[2]] , {"a":"}"} ] , "ok" : true } `))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := splitResult(body)
		if !ok || !json.Valid(body) {
			return
		}
		var r struct {
			OK     bool            `json:"ok"`
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("valid JSON does not decode: %v", err)
		}
		var want []json.RawMessage
		if !r.OK || json.Unmarshal(r.Result, &want) != nil {
			t.Fatalf("fast path took %q, encoding/json finds ok=%v result %q", body, r.OK, r.Result)
		}
		if len(got) != len(want) {
			t.Fatalf("%d elements, encoding/json finds %d in %q", len(got), len(want), body)
		}
		for i := range got {
			if string(got[i]) != string(want[i]) {
				t.Fatalf("element %d: %q, encoding/json: %q", i, got[i], want[i])
			}
		}
	})
}
