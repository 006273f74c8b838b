package server

import (
	"testing"
	"time"

	"hull/app"
	"hull/runtime"
)

func TestFailuresReadAsConvexShowsThem(t *testing.T) {
	plain := &runtime.UserError{Message: "Uncaught Error: boom\n    at handler (../convex/x.ts:3:9)"}
	convex := &runtime.UserError{Message: "Uncaught ConvexError: nope", Data: []byte(`{"code":"NOPE"}`)}
	tests := []struct {
		name    string
		err     *runtime.UserError
		redact  bool
		message string
		data    string
	}{
		{"a development deployment shows the error after the request id", plain, false,
			"[Request ID: 0123456789abcdef] Server Error\nUncaught Error: boom\n    at handler (../convex/x.ts:3:9)", ""},
		{"a production deployment shows only the request id", plain, true, "[Request ID: 0123456789abcdef] Server Error", ""},
		{"ConvexError data survives redaction", convex, true, "[Request ID: 0123456789abcdef] Server Error", `{"code":"NOPE"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := showFailure(tt.err, "0123456789abcdef", tt.redact)
			if got.Message != tt.message || string(got.Data) != tt.data {
				t.Fatalf("got %q %s, want %q %s", got.Message, got.Data, tt.message, tt.data)
			}
		})
	}
	lines := []app.LogLine{{Level: "LOG", Message: "'hi'", Timestamp: time.Now()}}
	if got := shownLogs(lines, false); len(got) != 1 || got[0] != "[LOG] 'hi'" {
		t.Fatalf("log lines = %q", got)
	}
	if got := shownLogs(lines, true); got != nil {
		t.Fatalf("redacted log lines = %q, want none", got)
	}
}
