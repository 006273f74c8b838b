// Package runtime runs Convex functions: it loads pushed ESM modules (the
// CLI's bundle, unchanged) into a JavaScript engine, provides the `Convex`
// global and the Web APIs the convex package needs, invokes queries,
// mutations and actions, and analyzes a module set at push time. The
// database and everything else is reached only through a Host's syscalls.
package runtime

import (
	"context"
	"net/http"
	goruntime "runtime"
	"time"
)

// Kind is the kind of a function.
type Kind string

// Function kinds.
const (
	KindQuery      Kind = "query"
	KindMutation   Kind = "mutation"
	KindAction     Kind = "action"
	KindHTTPAction Kind = "httpAction"
)

// Module is one pushed module.
type Module struct {
	Path      string
	Source    string
	SourceMap string
	SHA256    string
}

// Modules is one code version; Get returns a module by its path as pushed
// (e.g. "messages.js", "_deps/abc.js").
type Modules interface {
	Get(path string) (Module, bool)
	Paths() []string
}

// Host serves the syscalls of one function run.
type Host interface {
	// Syscall serves Convex.syscall; args and the result are JSON text.
	Syscall(ctx context.Context, op string, args []byte) ([]byte, error)
	// AsyncSyscall serves Convex.asyncSyscall.
	AsyncSyscall(ctx context.Context, op string, args []byte) ([]byte, error)
}

// ConvexErrorData is implemented by Host errors that carry ConvexError data
// (Convex-encoded JSON); they are thrown into JS with .data set.
type ConvexErrorData interface{ ConvexData() []byte }

// Call describes one function invocation.
type Call struct {
	Kind   Kind
	Module string // e.g. "messages.js"
	Export string // e.g. "list" or "default"
	Args   []byte // JSON array of Convex-encoded args, e.g. `[{"n":1}]`
	Env    map[string]string
	// EnvKey, when set, is EnvKeyOf(Env), worked out once by a caller
	// that passes the same environment to many calls; the pool then does
	// not hash it again. Env must not change while a key names it.
	EnvKey string
	Now    time.Time // frozen time for queries and mutations
	Seed   [32]byte  // RNG seed for queries and mutations
	Host   Host
	// RequestID is passed to actions (the convex package's invokeAction
	// takes it); empty derives one from Seed.
	RequestID string
	// HTTP is the request and responder of a KindHTTPAction call, which
	// runs the router exported by Module (http.js); Export and Args are
	// ignored.
	HTTP *HTTPCall
}

// LogLine is one console line.
type LogLine struct {
	Level   string // "LOG", "INFO", "WARN", "ERROR", "DEBUG"
	Message string
	Time    time.Time
}

// UserError is an error thrown by user code (or a limit it hit).
type UserError struct {
	Message string
	Data    []byte // Convex-encoded JSON, nil unless ConvexError
	Stack   string
}

func (e *UserError) Error() string { return e.Message }

// Result is the outcome of a call: Value on success, Err on a user-level
// failure.
type Result struct {
	Value []byte // Convex-encoded JSON
	Err   *UserError
	Logs  []LogLine
}

// Options bounds each run. Zero fields take the defaults.
type Options struct {
	// MemoryLimit is the engine heap limit per run (default 64 MiB).
	MemoryLimit int64
	// Timeout bounds the JS execution of a query or mutation (default 1 s).
	Timeout time.Duration
	// ActionTimeout bounds an action (default 10 minutes).
	ActionTimeout time.Duration
	// MaxStackSize bounds JS call depth in engine stack slots (QuickJS uses
	// about one per JS call; 0 keeps the engine default of 5000, and the
	// QuickJS engine caps it at 10000 because deeper recursion would
	// overflow the goroutine stack and end the process).
	MaxStackSize int64
	// AnalyzeTimeout bounds the import of each module during analysis
	// (default 4 s, as Convex).
	AnalyzeTimeout time.Duration
	// Engine creates the VMs (default: DefaultEngine, V8 in builds that
	// have it, else QuickJS).
	Engine Engine
	// FreshEngines gives every call a new engine that evaluates the module
	// graph again, instead of restoring a prepared engine's snapshot. Both
	// give each call fresh module state; this one costs milliseconds per
	// call and exists to measure against.
	FreshEngines bool
	// MaxConcurrent bounds the queries and mutations running at once
	// (default 32); MaxConcurrentActions bounds actions (default 64). They
	// are separate, so actions waiting on the network never hold up queries
	// and mutations. A call over the bound waits for a slot.
	MaxConcurrent        int
	MaxConcurrentActions int
	// MaxEnginesPerKey bounds the prepared engines of one function module
	// (default: four per CPU, at least 8: runs wait for the database
	// holding their engine); MaxIdleEngines bounds the idle
	// engines kept in all (default 64), least recently used first out.
	MaxEnginesPerKey int
	MaxIdleEngines   int
	// HTTPClient makes the requests of fetch in actions (default: a client
	// with the default transport; each request is bounded by the action's
	// time limit).
	HTTPClient *http.Client
}

func (o Options) withDefaults() Options {
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = 64 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.ActionTimeout <= 0 {
		o.ActionTimeout = 10 * time.Minute
	}
	if o.AnalyzeTimeout <= 0 {
		o.AnalyzeTimeout = 4 * time.Second
	}
	if o.Engine == nil {
		o.Engine = DefaultEngine()
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 32
	}
	if o.MaxConcurrentActions <= 0 {
		o.MaxConcurrentActions = 64
	}
	if o.MaxEnginesPerKey <= 0 {
		o.MaxEnginesPerKey = max(8, 4*goruntime.GOMAXPROCS(0))
	}
	if o.MaxIdleEngines <= 0 {
		o.MaxIdleEngines = 64
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	return o
}

// Analysis is what a module set defines.
type Analysis struct {
	Modules    []AnalyzedModule
	Schema     []byte // schema.js default export's JSON, or nil
	AuthConfig []byte // auth.config.js default export as JSON, or nil
	HTTPRoutes []HTTPRoute
	Crons      []byte // crons.js export() JSON, or nil
}

// AnalyzedModule lists the functions one module exports.
type AnalyzedModule struct {
	Path      string
	Functions []Function
}

// Function is one exported Convex function.
type Function struct {
	Name       string
	Kind       Kind
	Visibility string // "public" or "internal"
	Args       []byte // validator JSON, nil if none
	Returns    []byte // validator JSON, nil if none
}

// HTTPRoute is one route of the app's HTTP router. A prefix route has
// PathPrefix set and Path is the prefix ("/files/"); Pattern renders it the
// way the convex package's getRoutes does ("/files/*"). Function is the
// handler as "<module path>:<export>" (e.g. "http.js:hello") when http.js
// exports the handler, else empty.
type HTTPRoute struct {
	Path       string `json:"path"`
	PathPrefix bool   `json:"pathPrefix,omitempty"`
	Method     string `json:"method"`
	Function   string `json:"function,omitempty"`
}

// Pattern is the route's path as the convex package renders it: the path,
// with "*" appended for a prefix route.
func (r HTTPRoute) Pattern() string {
	if r.PathPrefix {
		return r.Path + "*"
	}
	return r.Path
}
