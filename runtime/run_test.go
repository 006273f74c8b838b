package runtime_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"hull/runtime"
)

func TestRunningTheBundledApp(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	tests := []struct {
		name    string
		kind    runtime.Kind
		export  string
		args    string
		want    string // JSON of the value, when the call succeeds
		wantErr string // a substring of the error message otherwise
	}{
		{"a query reads rows through the stream syscalls", runtime.KindQuery, "list", `{"limit":2}`, `["first","second"]`, ""},
		{"int64, float64 and bytes arguments round-trip", runtime.KindQuery, "echo",
			`{"n":{"$integer":"AQAAAAAAAAA="},"f":1.5,"b":{"$bytes":"AAEC"},"s":"x"}`,
			`{"n":{"$integer":"AgAAAAAAAAA="},"f":1.5,"b":{"$bytes":"AAEC"},"s":"x","len":3}`, ""},
		{"a mutation inserts and returns the new id", runtime.KindMutation, "send", `{"body":"hello","author":"ann"}`, `"id1"`, ""},
		{"an unknown sync op gets Convex's text", runtime.KindQuery, "unknownSync", `{}`, "", "Uncaught Error: Unknown operation 1.0/noSuchOp"},
		{"an unknown async op rejects with Convex's text", runtime.KindQuery, "unknownAsync", `{}`, `"Unknown async operation 1.0/noSuchAsyncOp"`, ""},
		{"a thrown Error becomes the call's error", runtime.KindQuery, "fails", `{}`, "", "Uncaught Error: plain failure"},
		{"a promise that can never settle is reported", runtime.KindQuery, "never", `{}`, "", "Returned promise will never resolve"},
		{"an export that is not a function is refused", runtime.KindQuery, "nope", `{}`, "", "messages:nope is not a Convex function"},
		{"a function called as the wrong kind is refused", runtime.KindMutation, "list", `{}`, "", "is not a registered mutation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := newFakeDB(pool, mods)
			db.seed("messages", map[string]any{"body": "first"}, map[string]any{"body": "second"}, map[string]any{"body": "third"})
			res := run(t, pool, mods, db, tc.kind, tc.export, tc.args)
			if tc.wantErr != "" {
				if res.Err == nil || !strings.Contains(res.Err.Message, tc.wantErr) {
					t.Fatalf("got value %s, err %+v; want error containing %q", res.Value, res.Err, tc.wantErr)
				}
				return
			}
			if res.Err != nil {
				t.Fatalf("unexpected error %q\n%s", res.Err.Message, res.Err.Stack)
			}
			jsonEqual(t, res.Value, tc.want)
		})
	}
}

func TestConvexErrorData(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	tests := []struct {
		name     string
		kind     runtime.Kind
		export   string
		args     string
		wantMsg  string
		wantData string
	}{
		{"a ConvexError with a string keeps it as data", runtime.KindMutation, "failsConvex", `{}`,
			"Uncaught ConvexError: just a string", `"just a string"`},
		{"a ConvexError with an object keeps bigint fields encoded", runtime.KindMutation, "send", `{"body":"","author":"x"}`,
			"Uncaught ConvexError:", `{"code":"bad_body","length":{"$integer":"AAAAAAAAAAA="}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, pool, mods, newFakeDB(pool, mods), tc.kind, tc.export, tc.args)
			if res.Err == nil {
				t.Fatalf("got value %s, want an error", res.Value)
			}
			if !strings.HasPrefix(res.Err.Message, tc.wantMsg) {
				t.Fatalf("message %q, want prefix %q", res.Err.Message, tc.wantMsg)
			}
			jsonEqual(t, res.Err.Data, tc.wantData)
		})
	}
}

func TestHostErrorsReachJavaScript(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	res := run(t, pool, mods, newFakeDB(pool, mods), runtime.KindMutation, "hostConvexError", `{}`)
	if res.Err != nil {
		t.Fatalf("unexpected error %q", res.Err.Message)
	}
	jsonEqual(t, res.Value, `{"message":"rejected by host","data":{"code":"nope","n":{"$integer":"AgAAAAAAAAA="}},"isConvex":true}`)
}

func TestThrownErrorsCarryAStack(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	res := run(t, pool, mods, newFakeDB(pool, mods), runtime.KindQuery, "fails", `{}`)
	if res.Err == nil || !strings.Contains(res.Err.Stack, "messages.js") {
		t.Fatalf("want a stack through messages.js, got %+v", res.Err)
	}
}

func TestAnActionRunsNestedFunctionsThroughTheHost(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	db := newFakeDB(pool, mods)
	res := run(t, pool, mods, db, runtime.KindAction, "run", `{"body":"abc"}`)
	if res.Err != nil {
		t.Fatalf("unexpected error %q\n%s", res.Err.Message, res.Err.Stack)
	}
	jsonEqual(t, res.Value, `6`)
	if got := len(db.tables["messages"]); got != 1 {
		t.Fatalf("the nested mutation inserted %d rows, want 1", got)
	}
}

func TestQueriesSeeFrozenTimeSeededRandomnessAndEnv(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	first := run(t, pool, mods, newFakeDB(pool, mods), runtime.KindQuery, "globals", `{}`)
	second := run(t, pool, mods, newFakeDB(pool, mods), runtime.KindQuery, "globals", `{}`)
	if first.Err != nil {
		t.Fatalf("unexpected error %q\n%s", first.Err.Message, first.Err.Stack)
	}
	var got map[string]any
	if err := json.Unmarshal(first.Value, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"now": 1.7e12, "dateNow": 1.7e12, "env": "hi there", "missing": true, "utf8": 6.0,
		"roundTrip": "héllo", "b64": "aGkh", "unb64": "hi!", "asUintN": "18446744073709551615", "hasWindow": false,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if r, ok := got["random"].(float64); !ok || r < 0 || r >= 1 {
		t.Errorf("random = %v, want a number in [0, 1)", got["random"])
	}
	if string(first.Value) != string(second.Value) {
		t.Errorf("two calls with the same seed and time differ:\n%s\n%s", first.Value, second.Value)
	}
}

func TestConsoleLinesAreCaptured(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	res := run(t, pool, mods, newFakeDB(pool, mods), runtime.KindQuery, "logs", `{}`)
	if res.Err != nil {
		t.Fatalf("unexpected error %q", res.Err.Message)
	}
	want := []runtime.LogLine{
		{Level: "LOG", Message: `'a' 1 [ 1, 'x' ] { k: 'v' }`},
		{Level: "INFO", Message: `'info line'`},
		{Level: "WARN", Message: `'warn line'`},
		{Level: "ERROR", Message: `'error line'`},
		{Level: "DEBUG", Message: `'debug line'`},
	}
	if len(res.Logs) != len(want) {
		t.Fatalf("got %d lines %+v, want %d", len(res.Logs), res.Logs, len(want))
	}
	for i, w := range want {
		if res.Logs[i].Level != w.Level || res.Logs[i].Message != w.Message {
			t.Errorf("line %d = %s %q, want %s %q", i, res.Logs[i].Level, res.Logs[i].Message, w.Level, w.Message)
		}
		if res.Logs[i].Time.IsZero() {
			t.Errorf("line %d has no time", i)
		}
	}
}

func TestModuleStateDoesNotLeakBetweenCalls(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	for i := 0; i < 3; i++ {
		res := run(t, pool, mods, newFakeDB(pool, mods), runtime.KindQuery, "state", `{}`)
		if res.Err != nil {
			t.Fatalf("unexpected error %q", res.Err.Message)
		}
		jsonEqual(t, res.Value, `1`)
	}
}

func TestAnInfiniteLoopEndsAtTheTimeout(t *testing.T) {
	pool := runtime.NewPool(runtime.Options{Timeout: 200 * time.Millisecond})
	mods := loadBundle(t)
	res := run(t, pool, mods, newFakeDB(pool, mods), runtime.KindQuery, "spin", `{}`)
	if res.Err == nil || !strings.Contains(res.Err.Message, "timed out") {
		t.Fatalf("want a timeout error, got value %s err %+v", res.Value, res.Err)
	}
	// The pool still works afterwards.
	res = run(t, pool, mods, newFakeDB(pool, mods), runtime.KindQuery, "state", `{}`)
	if res.Err != nil {
		t.Fatalf("after a timeout: %q", res.Err.Message)
	}
}

func TestACancelledContextStopsTheRun(t *testing.T) {
	pool := runtime.NewPool(runtime.Options{Timeout: time.Minute})
	mods := loadBundle(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	res, err := pool.Run(ctx, mods, runtime.Call{Kind: runtime.KindQuery, Module: "messages.js", Export: "spin", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !strings.Contains(res.Err.Message, "cancelled") {
		t.Fatalf("want a cancellation error, got %+v", res.Err)
	}
}

func TestErrorsCarryFramesMappedToTheAppsSources(t *testing.T) {
	pool := runtime.NewPool(runtime.Options{})
	mods := loadBundle(t)
	res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "messages.js", Export: "fails", Args: []byte("[{}]"), Now: time.Now(), Host: newFakeDB(pool, mods)})
	if err != nil || res.Err == nil {
		t.Fatalf("%v %+v", err, res.Err)
	}
	want := regexp.MustCompile(`^Uncaught Error: plain failure\n    at handler \(\.\./convex/messages\.ts:71:\d+\)$`)
	if !want.MatchString(res.Err.Message) {
		t.Fatalf("message %q, want the handler's frame in ../convex/messages.ts and no frame of the convex package", res.Err.Message)
	}
}
