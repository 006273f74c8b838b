package sync

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestTransitionsEncodeAsTheReflectionEncoderDoes(t *testing.T) {
	skew, now := int64(-12), int64(1795709118139000000)
	msg, data := "Uncaught Error: \"quoted\"\n\ttab <b> \u2028 é \x01", "journal\\x"
	tests := []transitionMsg{
		{Type: "Transition", Modifications: []stateChange{}},
		{
			Type:            "Transition",
			StartVersion:    StateVersion{QuerySet: 1, Identity: 0, TS: 101},
			EndVersion:      StateVersion{QuerySet: 4294967295, Identity: 2, TS: 1<<62 + 5},
			ClientClockSkew: &skew,
			ServerTS:        &now,
			Modifications: []stateChange{
				{Type: "QueryUpdated", QueryID: 0, Value: json.RawMessage(`{"a":[1,"x"]}`), LogLines: []string{"[LOG] 'hi'"}, Journal: &data},
				{Type: "QueryUpdated", QueryID: 7, Value: json.RawMessage(`null`)},
				{Type: "QueryFailed", QueryID: 1, ErrorMessage: &msg, ErrorData: json.RawMessage(`{"code":"X"}`)},
				{Type: "QueryFailed", QueryID: 2, ErrorMessage: &msg},
				{Type: "QueryRemoved", QueryID: 3},
			},
		},
	}
	for _, m := range tests {
		got := encodeTransition(m)
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("hand-encoded JSON does not parse: %v\n%s", err, got)
		}
		_ = json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("hand-encoded\n%s\nreflection\n%s", got, want)
		}
	}
}
