package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"hull/runtime"
)

// componentsVersion is a version with the app, a child "limiter" (public
// lib:check, internal lib:secret), its child "limiter/worker", and an
// unmounted "old".
func componentsVersion() *Version {
	fns := func(m map[string]string) map[string]FunctionInfo {
		out := map[string]FunctionInfo{}
		for name, vis := range m {
			out[name] = FunctionInfo{Kind: runtime.KindQuery, Visibility: vis}
		}
		return out
	}
	return &Version{
		Code: Code{Functions: fns(map[string]string{"messages.js:list": "public"})},
		Components: map[string]*Component{
			"limiter":        {Code: Code{Functions: fns(map[string]string{"lib.js:check": "public", "lib.js:secret": "internal", "dir/sub.js:deep": "public"})}},
			"limiter/worker": {Code: Code{Functions: fns(map[string]string{"work.js:run": "public"})}},
			"old":            {Unmounted: true},
		},
	}
}

func TestResolveReference(t *testing.T) {
	v := componentsVersion()
	tests := []struct {
		name, caller, ref string
		want              string // Target.String(), or "error: <substring>"
	}{
		{"a child's public function", "", "_reference/childComponent/limiter/lib/check", "limiter/lib:check"},
		{"a child's function in a nested module", "", "_reference/childComponent/limiter/dir/sub/deep", "limiter/dir/sub:deep"},
		{"a grandchild through its parent", "limiter", "_reference/childComponent/worker/work/run", "limiter/worker/work:run"},
		{"the caller's own function", "limiter", "_reference/function/lib.js:secret", "limiter/lib:secret"},
		{"a child's internal function is not exported", "", "_reference/childComponent/limiter/lib/secret", `error: Child component "limiter" does not export ["lib", "secret"]`},
		{"a missing function is not exported", "", "_reference/childComponent/limiter/lib/nope", `error: does not export ["lib", "nope"]`},
		{"a child needs a module and a function", "", "_reference/childComponent/limiter/check", "error: does not export"},
		{"a grandchild is not the app's child", "", "_reference/childComponent/worker/work/run", `error: Child component "worker" not found`},
		{"an unmounted child is not found", "", "_reference/childComponent/old/lib/x", `error: Child component "old" not found`},
		{"a component argument is not a function", "", "_reference/componentArgument/x", "error: InvalidResource"},
		{"an unknown kind of reference", "", "_reference/elsewhere/x", "error: Invalid reference"},
		{"not a reference", "", "lib:check", "error: Invalid reference"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveReference(v, tc.caller, tc.ref)
			if want, isErr := strings.CutPrefix(tc.want, "error: "); isErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("got %v, %v; want an error containing %q", got, err, want)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestFunctionHandles(t *testing.T) {
	a := &App{opts: Options{HandleKey: []byte("key one")}}
	other := &App{opts: Options{HandleKey: []byte("key two")}}
	target := Target{Component: "workflow/workpool", Path: FunctionPath{Module: "lib.js", Export: "enqueue"}}
	h := a.functionHandle(target)
	if !strings.HasPrefix(h, "function://") {
		t.Fatalf("handle %q does not start with function://", h)
	}
	t.Run("a handle names its function", func(t *testing.T) {
		got, err := a.parseHandle(h)
		if err != nil || got != target {
			t.Fatalf("parseHandle = %v, %v; want %v", got, err, target)
		}
	})
	t.Run("the app's functions have handles too", func(t *testing.T) {
		app := Target{Path: FunctionPath{Module: "messages.js", Export: "send"}}
		if got, err := a.parseHandle(a.functionHandle(app)); err != nil || got != app {
			t.Fatalf("parseHandle = %v, %v", got, err)
		}
	})
	for _, tc := range []struct{ name, handle string }{
		{"a handle with another target is refused", strings.Replace(h, "enqueue", "internalOnly", 1)},
		{"a handle of another deployment is refused", other.functionHandle(target)},
		{"a handle without a signature is refused", strings.Split(h, "#")[0]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.parseHandle(tc.handle); err == nil || !strings.Contains(err.Error(), "FunctionHandleNotFound") {
				t.Fatalf("parseHandle(%q) = %v", tc.handle, err)
			}
		})
	}
}

func TestDefinitionCycles(t *testing.T) {
	a := &App{}
	for _, tc := range []struct {
		name string
		deps map[string][]string // definition path -> the definitions it uses
		want string
	}{
		{"two definitions using each other", map[string][]string{"": {"a"}, "a": {"b"}, "b": {"a"}}, "CyclicImport"},
		{"a definition using itself", map[string][]string{"": {"a"}, "a": {"a"}}, "CyclicImport"},
		{"a definition using the app", map[string][]string{"": {"a"}, "a": {""}}, "CyclicImport"},
		{"a definition that was not pushed", map[string][]string{"": {"a"}}, "Component definition not found: a"},
		{"a diamond is no cycle", map[string][]string{"": {"a", "b"}, "a": {"c"}, "b": {"c"}, "c": nil}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := &pushedDefinition{deps: tc.deps[""]}
			defs := map[string]*pushedDefinition{}
			for p, d := range tc.deps {
				if p != "" && p != "missing" {
					defs[p] = &pushedDefinition{path: p, deps: d}
				}
			}
			if tc.name == "a definition that was not pushed" {
				delete(defs, "a")
			}
			err := a.evaluateDefinitions(context.Background(), root, defs, nil)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestInstantiate(t *testing.T) {
	def := func(path, meta string) *pushedDefinition {
		d := &pushedDefinition{path: path, code: Code{Functions: map[string]FunctionInfo{}}}
		if err := json.Unmarshal([]byte(meta), &d.meta); err != nil {
			t.Fatal(err)
		}
		return d
	}
	child := def("../c", `{"definitionType":{"type":"childComponent","name":"c"},"childComponents":[],
		"envVars":[["LEVEL",{"type":"value","value":"{\"type\":\"union\",\"value\":[{\"type\":\"literal\",\"value\":\"A\"},{\"type\":\"literal\",\"value\":\"B\"}]}","optional":true}],
		["KEY",{"type":"value","value":"{\"type\":\"string\"}"}]]}`)
	tests := []struct {
		name     string
		children string
		want     string // "" = accepted
	}{
		{"a child with its required variable", `[{"name":"c","path":"../c","env":[["KEY",{"type":"value","value":"k"}]]}]`, ""},
		{"a variable bound to one of the deployment's", `[{"name":"c","path":"../c","env":[["KEY",{"type":"envVar","name":"APP_KEY"}]]}]`, ""},
		{"a missing required variable", `[{"name":"c","path":"../c","env":[]}]`, `Component "c" is missing required env var "KEY"`},
		{"an undeclared variable", `[{"name":"c","path":"../c","env":[["KEY",{"type":"value","value":"k"}],["NOPE",{"type":"value","value":"x"}]]}]`, `has no env var named "NOPE"`},
		{"a value its validator refuses", `[{"name":"c","path":"../c","env":[["KEY",{"type":"value","value":"k"}],["LEVEL",{"type":"value","value":"C"}]]}]`, `invalid value for env var "LEVEL"`},
		{"two children with one name", `[{"name":"c","path":"../c","env":[["KEY",{"type":"value","value":"k"}]]},{"name":"c","path":"../c","env":[["KEY",{"type":"value","value":"k"}]]}]`, "multiple child components with the same name"},
		{"a name that is not an identifier", `[{"name":"c-1","path":"../c","env":[]}]`, `Invalid component name "c-1"`},
		{"a definition that was not pushed", `[{"name":"d","path":"../d","env":[]}]`, "Component definition not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := def("", `{"definitionType":{"type":"app"},"childComponents":`+tc.children+`}`)
			out := map[string]*Component{}
			err := instantiate(map[string]*pushedDefinition{"": root, "../c": child}, root, "", out, true)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := out["c"]; !ok {
					t.Fatalf("no instance at c: %v", out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestComponentEnv(t *testing.T) {
	a := &App{opts: Options{CloudURL: func() string { return "http://cloud" }, SiteURL: func() string { return "http://site/" }}}
	v := &Version{Components: map[string]*Component{
		"c": {HTTPPrefix: "/c/", Env: map[string]EnvBinding{
			"FIXED": {Type: "value", Value: "v"},
			"FROM":  {Type: "envVar", Name: "DEPLOYMENT_VAR"},
			"UNSET": {Type: "envVar", Name: "NOT_SET"},
		}},
	}}
	deployment := map[string]string{"DEPLOYMENT_VAR": "d", "OTHER": "o"}
	app := a.componentEnv(v, "", deployment)
	if app["OTHER"] != "o" || app["CONVEX_CLOUD_URL"] != "http://cloud" {
		t.Errorf("the app's environment: %v", app)
	}
	c := a.componentEnv(v, "c", deployment)
	want := map[string]string{"FIXED": "v", "FROM": "d", "CONVEX_CLOUD_URL": "http://cloud", "CONVEX_SITE_URL": "http://site/c"}
	if len(c) != len(want) {
		t.Errorf("the component's environment %v, want %v", c, want)
	}
	for k, w := range want {
		if c[k] != w {
			t.Errorf("%s = %q, want %q", k, c[k], w)
		}
	}
}

func TestRouteHTTP(t *testing.T) {
	routes := func(rs ...string) []runtime.HTTPRoute {
		var out []runtime.HTTPRoute
		for _, r := range rs {
			method, path, _ := strings.Cut(r, " ")
			rt := runtime.HTTPRoute{Method: method, Path: strings.TrimSuffix(path, "*"), PathPrefix: strings.HasSuffix(path, "*")}
			out = append(out, rt)
		}
		return out
	}
	http := []ModuleHash{{Path: "http.js"}}
	v := &Version{
		Code: Code{Modules: http, HTTPRoutes: routes("GET /hello", "POST /api/*", "GET /notes/exact")},
		Components: map[string]*Component{
			"notes":        {HTTPPrefix: "/notes/", Code: Code{Modules: http, HTTPRoutes: routes("GET /hello", "GET /files/*")}},
			"notes/inner":  {HTTPPrefix: "/files/deep/", Code: Code{Modules: http, HTTPRoutes: routes("GET /x")}},
			"quiet":        {Code: Code{Modules: http, HTTPRoutes: routes("GET /hello")}},
			"gone":         {HTTPPrefix: "/gone/", Unmounted: true},
			"notes/nohttp": {HTTPPrefix: "/plain/"},
		},
	}
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/hello", ": /hello"},
		{"HEAD", "/hello", ": /hello"},
		{"POST", "/api/x", ": /api/x"},
		{"GET", "/notes/hello", "notes: /hello"},
		{"GET", "/notes/exact", ": /notes/exact"},
		{"GET", "/notes/files/a", "notes: /files/a"},
		{"GET", "/notes/files/deep/x", "notes/inner: /x"},
		{"GET", "/notes/nothing", "notes: /nothing"},
		{"GET", "/gone/hello", ": /gone/hello"},
		{"GET", "/nothing", ": /nothing"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			comp, routed, ok := routeHTTP(v, tc.method, tc.path)
			if got := comp + ": " + routed; !ok || got != tc.want {
				t.Fatalf("routeHTTP = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
	if _, _, ok := routeHTTP(&Version{}, "GET", "/x"); ok {
		t.Error("a deployment without routers routed a request")
	}
	if got := sitePrefix(v, "notes/inner"); got != "/notes/files/deep" {
		t.Errorf("sitePrefix = %q", got)
	}
}

func TestVersionStoredByDefinition(t *testing.T) {
	code := Code{Functions: map[string]FunctionInfo{"lib.js:f": {Kind: runtime.KindQuery, Visibility: "public"}}, Modules: []ModuleHash{{Path: "lib.js", SHA256: "ab"}}}
	v := &Version{Components: map[string]*Component{
		"a":   {Code: code, DefinitionPath: "../def"},
		"b":   {Code: code, DefinitionPath: "../def"},
		"old": {Code: Code{Schema: json.RawMessage(`{"tables":[]}`), Functions: map[string]FunctionInfo{}}, DefinitionPath: "../gone", Unmounted: true},
	}}
	stored, defs, err := v.splitDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 1 {
		t.Fatalf("one definition shared by two instances is stored %d times", len(defs))
	}
	if stored.Components["a"].Functions != nil || v.Components["a"].Functions == nil {
		t.Fatal("the stored version keeps the instance's code, or the live one lost it")
	}
	body, _ := json.Marshal(stored)
	var back Version
	if err := json.Unmarshal(body, &back); err != nil {
		t.Fatal(err)
	}
	strs := map[string]string{}
	for k, d := range defs {
		strs[k] = string(d)
	}
	if err := back.withDefinitions(strs); err != nil {
		t.Fatal(err)
	}
	if _, ok := back.code("b").Functions["lib.js:f"]; !ok {
		t.Fatalf("instance b lost its functions: %+v", back.code("b"))
	}
	if string(back.Components["old"].Schema) != `{"tables":[]}` || back.code("old") != nil {
		t.Fatal("the unmounted instance changed")
	}
	if err := back.withDefinitions(map[string]string{}); err != nil {
		t.Fatal("filled instances are not filled again")
	}
	missing := Version{Components: map[string]*Component{"a": {DefinitionPath: "../x"}}}
	if err := missing.withDefinitions(nil); err == nil {
		t.Fatal("a definition that is not stored went unnoticed")
	}
}
