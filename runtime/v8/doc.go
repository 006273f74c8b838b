// Package v8 is hull's JavaScript engine for builds with cgo and the
// hull_v8 build tag: V8 13.6 (the prebuilt static library of the
// github.com/tommie/v8go/deps modules, headers in third_party/v8) behind
// hull's own small binding (hv8.cc). It gives the runtime what the
// QuickJS engine does — ES modules loaded straight from the pushed module
// set, microtasks run when the runtime asks, continuation data carried
// along promise reactions (AsyncLocalStorage), a memory ceiling, a stack
// limit, termination from any goroutine, CPU-time checks — and keeps
// every call on freshly evaluated module state by snapshots:
//
// A VM records how it was prepared (the scripts and calls up to
// Snapshot). Its first call runs on that prepared context. Restore then
// replays the preparation once per distinct recipe in a V8 snapshot
// creator, turns the result into a startup blob shared by every VM with
// that recipe, and from then on replaces the VM's context after each call
// with a new copy deserialized from the blob. V8 cannot restore a heap in
// place, so this is the cheapest state that is fresh by construction.
//
// Without cgo or without the tag the package only reports that V8 is not
// compiled in (Available is false).
package v8
