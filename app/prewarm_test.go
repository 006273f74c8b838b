package app

import (
	"reflect"
	"testing"

	"hull/runtime"
)

func TestPrewarmTargets(t *testing.T) {
	fn := func(kind runtime.Kind, vis string, node bool) FunctionInfo {
		return FunctionInfo{Kind: kind, Visibility: vis, Node: node}
	}
	v := &Version{Code: Code{Functions: map[string]FunctionInfo{
		"a.js:internalQ": fn(runtime.KindQuery, "internal", false),
		"b.js:list":      fn(runtime.KindQuery, "public", false),
		"b.js:get":       fn(runtime.KindQuery, "public", false),
		"b.js:send":      fn(runtime.KindMutation, "public", false),
		"n.js:fetch":     fn(runtime.KindAction, "public", true),
		"http.js:route":  fn(runtime.KindHTTPAction, "public", false),
	}}}
	got := prewarmTargets(v)
	want := []runtime.Call{
		{Kind: runtime.KindQuery, Module: "b.js"},
		{Kind: runtime.KindMutation, Module: "b.js"},
		{Kind: runtime.KindQuery, Module: "a.js"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("prewarmTargets = %+v, want %+v (public first, one per module and kind, no Node or HTTP)", got, want)
	}
}
