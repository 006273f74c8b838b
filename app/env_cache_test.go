package app

import (
	"maps"
	"testing"

	"hull/runtime"
)

// process.env of a call is made once and kept while the deployment's
// variables and public URLs stay the same, and made again when either
// changes.
func TestCallEnvIsKeptUntilVariablesOrURLsChange(t *testing.T) {
	cloud := "http://127.0.0.1:3210"
	a := &App{
		opts:      Options{CloudURL: func() string { return cloud }, SiteURL: func() string { return "http://127.0.0.1:3211" }},
		instances: instances{m: map[modsKey]*instance{}},
	}
	vars := map[string]string{"GREETING": "hi"}
	a.env.Store(&vars)
	v := &Version{}
	first, firstKey := a.callEnvFor(v, "")
	steps := []struct {
		name   string
		change func()
		want   map[string]string
		same   bool
	}{
		{"nothing changed: the same env and key", func() {}, first, true},
		{"a variable set", func() {
			next := map[string]string{"GREETING": "hello"}
			a.env.Store(&next)
		}, map[string]string{"GREETING": "hello", "CONVEX_CLOUD_URL": cloud, "CONVEX_SITE_URL": "http://127.0.0.1:3211"}, false},
		{"the public URL changed", func() { cloud = "https://api.example.com" },
			map[string]string{"GREETING": "hello", "CONVEX_CLOUD_URL": "https://api.example.com", "CONVEX_SITE_URL": "http://127.0.0.1:3211"}, false},
	}
	if !maps.Equal(first, map[string]string{"GREETING": "hi", "CONVEX_CLOUD_URL": cloud, "CONVEX_SITE_URL": "http://127.0.0.1:3211"}) || firstKey != runtime.EnvKeyOf(first) {
		t.Fatalf("first env = %v (key %s)", first, firstKey)
	}
	prevKey := firstKey
	for _, s := range steps {
		s.change()
		got, key := a.callEnvFor(v, "")
		if !maps.Equal(got, s.want) || key != runtime.EnvKeyOf(got) || (key == prevKey) != s.same {
			t.Fatalf("%s: env %v (key %s, previous %s), want %v (same key %v)", s.name, got, key, prevKey, s.want, s.same)
		}
		prevKey = key
	}
}
