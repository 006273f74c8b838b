package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestParseFunctionPath(t *testing.T) {
	tests := []struct {
		in, module, export string
		bad                bool
	}{
		{in: "messages:list", module: "messages.js", export: "list"},
		{in: "messages", module: "messages.js", export: "default"},
		{in: "messages.js:list", module: "messages.js", export: "list"},
		{in: "dir/file:fn", module: "dir/file.js", export: "fn"},
		{in: "convex/messages:list", module: "messages.js", export: "list"},
		{in: "", bad: true},
		{in: "a:b:c", bad: true},
		{in: "../x:y", bad: true},
		{in: "_deps/abc:f", bad: true},
		{in: "a//b:c", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParseFunctionPath(tt.in)
			if tt.bad {
				var ae *Error
				if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != "BadConvexFunctionIdentifier" {
					t.Fatalf("ParseFunctionPath(%q) = %v, %v; want a 400 BadConvexFunctionIdentifier", tt.in, p, err)
				}
				return
			}
			if err != nil || p.Module != tt.module || p.Export != tt.export {
				t.Fatalf("ParseFunctionPath(%q) = %+v, %v; want %s:%s", tt.in, p, err, tt.module, tt.export)
			}
		})
	}
}

func strp(s string) *string { return &s }

func TestEnvChangesAreValidated(t *testing.T) {
	cur := map[string]string{"KEEP": "1", "GONE": "2"}
	tests := []struct {
		name    string
		changes []EnvChange
		want    map[string]string
		code    string
	}{
		{"set and remove apply together", []EnvChange{{Name: "NEW", Value: strp("x")}, {Name: "GONE"}}, map[string]string{"KEEP": "1", "NEW": "x"}, ""},
		{"a name starting with a digit is refused", []EnvChange{{Name: "1X", Value: strp("x")}}, nil, "InvalidEnvVarName"},
		{"a name with a dash is refused", []EnvChange{{Name: "A-B", Value: strp("x")}}, nil, "InvalidEnvVarName"},
		{"a value over 8 KiB is refused", []EnvChange{{Name: "BIG", Value: strp(strings.Repeat("x", 8<<10+1))}}, nil, "InvalidEnvVarValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := validateEnvChanges(cur, tt.changes)
			if tt.code != "" {
				var ae *Error
				if !errors.As(err, &ae) || ae.Code != tt.code {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestReadBodyRefusesBadBodies(t *testing.T) {
	compress := func(b []byte) []byte {
		var buf bytes.Buffer
		w := brotli.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	good := compress([]byte(`{"a":1}`))
	bomb := compress(bytes.Repeat([]byte(" "), 10<<20))
	tests := []struct {
		name     string
		body     []byte
		encoding string
		limit    int64
		status   int
	}{
		{"a brotli body decodes", good, "br", 1 << 20, 0},
		{"a plain body passes through", []byte(`{"a":1}`), "", 1 << 20, 0},
		{"a corrupt brotli body is a 400", []byte("not brotli at all"), "br", 1 << 20, 400},
		{"a truncated brotli body is a 400", good[:len(good)-2], "br", 1 << 20, 400},
		{"a decompression bomb stops at the limit with 413", bomb, "br", 1 << 20, 413},
		{"an unknown encoding is a 415", good, "gzip", 1 << 20, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := ReadBody(bytes.NewReader(tt.body), tt.encoding, tt.limit)
			if tt.status == 0 {
				if err != nil || string(data) != `{"a":1}` {
					t.Fatalf("ReadBody = %q, %v", data, err)
				}
				return
			}
			var ae *Error
			if !errors.As(err, &ae) || ae.Status != tt.status {
				t.Fatalf("ReadBody err = %v, want status %d", err, tt.status)
			}
		})
	}
}

func TestLogStreamLongPoll(t *testing.T) {
	s := NewLogStream(3)
	ctx := context.Background()
	if got, next := s.Since(ctx, 0, 10*time.Millisecond); len(got) != 0 || next != 0 {
		t.Fatalf("empty stream returned %v, %v", got, next)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		s.Add(Execution{Identifier: "a:b"})
	}()
	got, next := s.Since(ctx, 0, 5*time.Second)
	if len(got) != 1 || got[0].Identifier != "a:b" || next <= 0 {
		t.Fatalf("waiting reader got %v, %v", got, next)
	}
	for i := 0; i < 5; i++ {
		s.Add(Execution{Identifier: "x"})
	}
	all, _ := s.Since(ctx, 0, 0)
	if len(all) != 3 {
		t.Fatalf("stream kept %d entries, want its cap of 3", len(all))
	}
	if more, _ := s.Since(ctx, next+1e12, time.Millisecond); len(more) != 0 {
		t.Fatalf("a cursor past the end returned %v", more)
	}
}

func TestIndexDiff(t *testing.T) {
	schema := func(indexes string) json.RawMessage {
		return json.RawMessage(`{"tables":[{"tableName":"m","indexes":[` + indexes + `]}],"schemaValidation":true}`)
	}
	cur := schema(`{"indexDescriptor":"by_a","fields":["a"]},{"indexDescriptor":"by_b","fields":["b"]}`)
	next := schema(`{"indexDescriptor":"by_a","fields":["a"]},{"indexDescriptor":"by_b","fields":["b","c"]},{"indexDescriptor":"by_d","fields":["d"]}`)
	d, err := diffIndexes(cur, next)
	if err != nil {
		t.Fatal(err)
	}
	names := func(ix []indexConfig) string {
		var s []string
		for _, i := range ix {
			s = append(s, i.Name)
		}
		return strings.Join(s, ",")
	}
	if names(d.Added) != "m.by_b,m.by_d" || names(d.Removed) != "m.by_b" {
		t.Fatalf("added %s removed %s", names(d.Added), names(d.Removed))
	}
	if _, err := diffIndexes(nil, json.RawMessage(`{"tables":5}`)); err == nil {
		t.Fatal("a malformed schema was accepted")
	}
}
