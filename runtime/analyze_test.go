package runtime_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"hull/runtime"
)

// analyzeBundle analyzes the fixture app's bundle.
func analyzeBundle(t *testing.T) *runtime.Analysis {
	t.Helper()
	an, err := newTestPool(runtime.Options{}).Analyze(context.Background(), loadBundle(t), map[string]string{"GREETING": "x"})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return an
}

func TestAnalysisFindsTheBundlesFunctions(t *testing.T) {
	an := analyzeBundle(t)
	fns := map[string]runtime.Function{}
	for _, m := range an.Modules {
		for _, f := range m.Functions {
			fns[m.Path+":"+f.Name] = f
		}
	}
	tests := []struct {
		name, path  string
		kind        runtime.Kind
		visibility  string
		args, retns string
	}{
		{"a public query with an optional arg", "messages.js:list", runtime.KindQuery, "public",
			`{"type":"object","value":{"limit":{"fieldType":{"type":"number"},"optional":true}}}`, ""},
		{"a mutation with a returns validator", "messages.js:send", runtime.KindMutation, "public",
			`{"type":"object","value":{"author":{"fieldType":{"type":"string"},"optional":false},"body":{"fieldType":{"type":"string"},"optional":false}}}`,
			`{"type":"id","tableName":"messages"}`},
		{"an internal query", "messages.js:secret", runtime.KindQuery, "internal",
			`{"type":"object","value":{"x":{"fieldType":{"type":"number"},"optional":false}}}`, ""},
		{"an action", "messages.js:run", runtime.KindAction, "public",
			`{"type":"object","value":{"body":{"fieldType":{"type":"string"},"optional":false}}}`, ""},
		{"an HTTP action export", "http.js:hello", runtime.KindHTTPAction, "public", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := fns[tc.path]
			if !ok {
				t.Fatalf("%s not found among %v", tc.path, keys(fns))
			}
			if f.Kind != tc.kind || f.Visibility != tc.visibility {
				t.Fatalf("got %s %s, want %s %s", f.Visibility, f.Kind, tc.visibility, tc.kind)
			}
			if tc.args != "" {
				jsonEqual(t, f.Args, tc.args)
			}
			if tc.retns == "" && f.Returns != nil {
				t.Fatalf("returns = %s, want none", f.Returns)
			}
			if tc.retns != "" {
				jsonEqual(t, f.Returns, tc.retns)
			}
		})
	}
}

func TestAnalysisFindsRoutesCronsSchemaAndAuth(t *testing.T) {
	an := analyzeBundle(t)
	t.Run("the router's routes are listed, prefixes marked", func(t *testing.T) {
		// getRoutes lists exact paths sorted (methods sorted within a
		// path), then prefixes by method and prefix.
		want := []runtime.HTTPRoute{
			{Path: "/api/exact", Method: "GET", Function: "http.js:exact"},
			{Path: "/hello", Method: "GET", Function: "http.js:hello"},
			{Path: "/inspect", Method: "DELETE", Function: "http.js:inspect"},
			{Path: "/inspect", Method: "GET", Function: "http.js:inspect"},
			{Path: "/api/", PathPrefix: true, Method: "GET", Function: "http.js:shortPrefix"},
			{Path: "/api/v2/", PathPrefix: true, Method: "GET", Function: "http.js:longPrefix"},
			{Path: "/files/", PathPrefix: true, Method: "POST", Function: "http.js:hello"},
		}
		at := -1
		for _, w := range want {
			i := slices.Index(an.HTTPRoutes, w)
			if i < 0 || i < at {
				t.Fatalf("route %+v missing or out of order in %+v", w, an.HTTPRoutes)
			}
			at = i
		}
	})
	t.Run("crons are exported as JSON", func(t *testing.T) {
		var crons map[string]struct {
			Name     string          `json:"name"`
			Args     []any           `json:"args"`
			Schedule json.RawMessage `json:"schedule"`
		}
		if err := json.Unmarshal(an.Crons, &crons); err != nil {
			t.Fatalf("crons %s: %v", an.Crons, err)
		}
		if crons["bump often"].Name != "messages:bump" || crons["nightly"].Name != "messages:bump" {
			t.Fatalf("crons = %s", an.Crons)
		}
		jsonEqual(t, crons["bump often"].Schedule, `{"type":"interval","minutes":5}`)
	})
	t.Run("the schema is exported as JSON", func(t *testing.T) {
		var schema struct {
			Tables []struct {
				TableName string `json:"tableName"`
				Indexes   []struct {
					IndexDescriptor string   `json:"indexDescriptor"`
					Fields          []string `json:"fields"`
				} `json:"indexes"`
			} `json:"tables"`
			SchemaValidation bool `json:"schemaValidation"`
		}
		if err := json.Unmarshal(an.Schema, &schema); err != nil {
			t.Fatalf("schema %s: %v", an.Schema, err)
		}
		if len(schema.Tables) != 1 || schema.Tables[0].TableName != "messages" || !schema.SchemaValidation ||
			len(schema.Tables[0].Indexes) != 1 || schema.Tables[0].Indexes[0].IndexDescriptor != "by_author" {
			t.Fatalf("schema = %s", an.Schema)
		}
	})
	t.Run("the auth config is its default export as JSON", func(t *testing.T) {
		jsonEqual(t, an.AuthConfig, `{"providers":[{"domain":"https://issuer.example.com","applicationID":"convex"}]}`)
	})
	t.Run("schema and auth config are not function modules", func(t *testing.T) {
		for _, m := range an.Modules {
			if m.Path == "schema.js" || m.Path == "auth.config.js" || strings.HasPrefix(m.Path, "_deps/") {
				t.Errorf("module %s listed", m.Path)
			}
		}
	})
}

func keys(m map[string]runtime.Function) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestModulesThatFailAtImport(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	tests := []struct {
		name    string
		srcs    map[string]string
		wantErr []string
	}{
		{"a module that throws names the module and the error",
			map[string]string{"bad.js": `throw new Error("boom at import");`},
			[]string{"bad.js", "boom at import"}},
		{"a module importing a missing file names the missing path",
			map[string]string{"a.js": `import { x } from "./_deps/missing.js"; export const y = x;`},
			[]string{"a.js", "_deps/missing.js"}},
		{"a syntax error names the module",
			map[string]string{"syntax.js": `export const = 1;`},
			[]string{"syntax.js", "SyntaxError"}},
		{"a syscall at import time is refused",
			map[string]string{"db.js": `Convex.syscall("1.0/queryStream", "{}"); export const x = 1;`},
			[]string{"db.js", "at import time"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods := sourceModules(tc.srcs)
			_, err := pool.Analyze(context.Background(), mods, nil)
			if err == nil {
				t.Fatal("Analyze succeeded, want an error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Analyze error %q does not mention %q", err, w)
				}
			}
			// Calling into the module reports the import failure as the
			// call's error.
			var path string
			for p := range tc.srcs {
				path = p
			}
			res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: path, Export: "x", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Err == nil || !strings.Contains(res.Err.Message, tc.wantErr[1]) {
				t.Fatalf("Run error %+v, want one mentioning %q", res.Err, tc.wantErr[1])
			}
		})
	}
}

func TestAnalyzingAnEmptyModuleSet(t *testing.T) {
	an, err := newTestPool(runtime.Options{}).Analyze(context.Background(), memModules{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(an.Modules) != 0 || an.Schema != nil || an.Crons != nil || an.AuthConfig != nil || len(an.HTTPRoutes) != 0 {
		t.Fatalf("got %+v, want nothing", an)
	}
}

func TestALoopAtImportTimeEndsAtTheTimeout(t *testing.T) {
	pool := runtime.NewPool(runtime.Options{Timeout: 200 * time.Millisecond, AnalyzeTimeout: 200 * time.Millisecond})
	mods := sourceModules(map[string]string{
		"_deps/spin.js": `for (;;) {} export const z = 1;`,
		"loop.js":       `import { z } from "./_deps/spin.js"; export const x = z;`,
	})
	if _, err := pool.Analyze(context.Background(), mods, nil); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("Analyze: got %v, want a timeout", err)
	}
	res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "loop.js", Export: "x", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !strings.Contains(res.Err.Message, "timed out") {
		t.Fatalf("Run: got %+v, want a timeout", res.Err)
	}
}
