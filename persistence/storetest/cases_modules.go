package storetest

import (
	"bytes"
	"errors"
	"testing"

	"hull/persistence"
)

func testModules(t *testing.T, h *harness) {
	ctx := t.Context()
	s := h.store()
	withMap := persistence.Module{Path: "messages.js", Environment: "isolate", SHA256: "aa11",
		Source: []byte("export const list = 1;"), SourceMap: []byte(`{"version":3}`)}
	noMap := persistence.Module{Path: "actions/send.js", Environment: "node", SHA256: "bb22",
		Source: []byte("export default 2;")}
	sameKey := withMap
	sameKey.Source = []byte("a different body under the same key")
	missing := persistence.ModuleKey{Path: "messages.js", Environment: "node", SHA256: "aa11"}

	if err := s.PutModules(ctx, []persistence.Module{withMap, noMap}); err != nil {
		t.Fatalf("put modules: %v", err)
	}
	if err := s.PutModules(ctx, []persistence.Module{sameKey, noMap}); err != nil {
		t.Fatalf("put modules again: %v", err)
	}
	s = h.store() // modules are durable across reopen
	has, err := s.HasModules(ctx, []persistence.ModuleKey{withMap.Key(), noMap.Key(), missing})
	if err != nil {
		t.Fatalf("has modules: %v", err)
	}
	if !has[withMap.Key()] || !has[noMap.Key()] || has[missing] || len(has) != 3 {
		t.Fatalf("has modules = %v", has)
	}
	cases := []struct {
		name string
		want persistence.Module
	}{
		{"a module with a source map round-trips, first put wins", withMap},
		{"a module without a source map has a nil one", noMap},
	}
	for _, c := range cases {
		got, err := s.GetModule(ctx, c.want.Key())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Key() != c.want.Key() || !bytes.Equal(got.Source, c.want.Source) ||
			!bytes.Equal(got.SourceMap, c.want.SourceMap) || (c.want.SourceMap == nil) != (got.SourceMap == nil) {
			t.Fatalf("%s: got %+v", c.name, got)
		}
	}
	if _, err := s.GetModule(ctx, missing); !errors.Is(err, persistence.ErrModuleNotFound) {
		t.Fatalf("get of a missing module: %v, want ErrModuleNotFound", err)
	}
}
