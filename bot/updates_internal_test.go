package bot

import (
	"encoding/json"
	"testing"
)

func TestUpdateID(t *testing.T) {
	for raw, want := range map[string]int64{
		`{"update_id":42,"message":{}}`:           42,
		`{"update_id": 7}`:                        7,
		`{"message":{"text":"x"},"update_id":99}`: 99,
	} {
		if got, ok := updateID(json.RawMessage(raw)); !ok || got != want {
			t.Errorf("updateID(%s) = %d, %v; want %d", raw, got, ok, want)
		}
	}
	if _, ok := updateID(json.RawMessage(`not json`)); ok {
		t.Error("updateID of garbage is ok")
	}
}
