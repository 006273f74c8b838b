// Package app is hull's application layer: deploys (push, analysis, the
// active code version), function calls (queries, mutations, actions) with
// their transactions, scheduled functions and crons (kept in system
// tables, run by the Scheduler), environment variables and the function
// log stream.
// It sits between the HTTP server above and the runtime and database below.
package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"hull/auth"
	"hull/blob"
	"hull/database"
	"hull/database/matcher"
	"hull/persistence"
	"hull/runtime"
	"hull/runtime/node"
)

// Options configures an App.
type Options struct {
	Logger *slog.Logger
	// CloudURL and SiteURL are exposed to functions as
	// process.env.CONVEX_CLOUD_URL and CONVEX_SITE_URL.
	CloudURL func() string
	SiteURL  func() string
	Runtime  runtime.Options
	// HandleKey signs function handles (createFunctionHandle), so they
	// survive restarts only if the key does; a random key is used when
	// empty.
	HandleKey []byte
	// Files configures file storage (see FilesOptions).
	Files FilesOptions
	// Snapshots keeps snapshot exports and backups; nil keeps them in the
	// file store (Files.Store) under "snapshots/".
	Snapshots blob.Store
	// TempDir holds uploads of imports while they run; default
	// os.TempDir().
	TempDir string
	// Node configures the Node.js processes of "use node" actions; unset
	// limits follow Runtime's.
	Node node.Options
	// Auth tunes the verification of users' tokens (the providers come
	// from the deployed auth.config.ts).
	Auth auth.Options
	// Observer, when set, is told of every user function run as it
	// completes (see Observer).
	Observer Observer
}

// App is one deployment. It is safe for concurrent use.
type App struct {
	store persistence.Store
	db    *database.DB
	pool  *runtime.Pool
	node  *node.Executor
	logs  *LogStream
	// metrics counts user function calls for dashboards' charts.
	metrics *Metrics
	opts    Options
	log     *slog.Logger

	active atomic.Pointer[Version]
	env    atomic.Pointer[map[string]string]
	// lastRange remembers the last commit range reactivity asked for.
	lastRange atomic.Pointer[commitRange]
	// watch indexes the read sets of live subscriptions (see Watch).
	watch         *matcher.Matcher
	watchedConfig atomic.Pointer[watchedConfig]

	// stateMu serializes changes of the active version and env vars.
	stateMu sync.Mutex

	validators validators

	instances instances

	// sched is the running scheduler, nil until StartScheduler.
	sched atomic.Pointer[Scheduler]
	files *Files
	// auth is the verifier of the active auth config (see verifier).
	auth   atomic.Pointer[authState]
	authMu sync.Mutex
	// imports are the snapshot imports running in this process.
	imports importRuns
}

// New builds an App over an open database and loads the active version.
func New(ctx context.Context, store persistence.Store, db *database.DB, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CloudURL == nil {
		opts.CloudURL = func() string { return "" }
	}
	if opts.SiteURL == nil {
		opts.SiteURL = func() string { return "" }
	}
	if len(opts.HandleKey) == 0 {
		opts.HandleKey = make([]byte, 32)
		if _, err := rand.Read(opts.HandleKey); err != nil {
			return nil, fmt.Errorf("generate the function handle key: %w", err)
		}
	}
	a := &App{
		store: store,
		db:    db,
		pool:  runtime.NewPool(opts.Runtime),
		node:  node.New(nodeOptions(opts, store)),
		logs:  NewLogStream(2000),
		// An hour of 10-second buckets.
		metrics:   NewMetrics(10*time.Second, 360),
		opts:      opts,
		log:       opts.Logger,
		instances: instances{m: map[modsKey]*instance{}},
		watch:     matcher.New(),
		files:     newFiles(db, opts.Files, opts.Logger),
	}
	if err := a.loadState(ctx); err != nil {
		a.node.Close()
		return nil, fmt.Errorf("load deployment state: %w", err)
	}
	if err := a.ensureSystemTables(ctx); err != nil {
		a.node.Close()
		return nil, err
	}
	if err := a.ensureSchedulerTables(ctx); err != nil {
		a.node.Close()
		return nil, err
	}
	a.syncActiveCrons(ctx)
	if err := a.files.ensureTables(ctx); err != nil {
		a.node.Close()
		return nil, fmt.Errorf("create the file storage tables: %w", err)
	}
	go a.warmNode(context.WithoutCancel(ctx))
	go a.precompile(context.WithoutCancel(ctx))
	return a, nil
}

// Logs returns the stream of recent function executions.
func (a *App) Logs() *LogStream { return a.logs }

// DB returns the database.
func (a *App) DB() *database.DB { return a.db }

// ActiveVersion returns the live code version, or nil before the first push.
func (a *App) ActiveVersion(ctx context.Context) (*Version, error) {
	return a.active.Load(), nil
}

// EnvVars returns a copy of the deployment's environment variables.
func (a *App) EnvVars(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	if m := a.env.Load(); m != nil {
		for k, v := range *m {
			out[k] = v
		}
	}
	return out, nil
}

// functionEnv is process.env as functions see it.
func (a *App) functionEnv(env map[string]string) map[string]string {
	out := make(map[string]string, len(env)+2)
	if u := a.opts.CloudURL(); u != "" {
		out["CONVEX_CLOUD_URL"] = u
	}
	if u := a.opts.SiteURL(); u != "" {
		out["CONVEX_SITE_URL"] = u
	}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// modsKey names the module set of one instance of one version.
type modsKey struct {
	v    *Version
	path string
}

// modulesFor returns the module set of the instance at path in a version,
// loading modules from the store once per version; the set keeps its key,
// so a call does not hash every module again.
func (a *App) modulesFor(ctx context.Context, v *Version, path string) (*runtime.KeyedMap, error) {
	code := v.code(path)
	if code == nil {
		return nil, fmt.Errorf("%s is not mounted", componentLabel(path))
	}
	key := modsKey{v, path}
	if set := a.instances.get(key).mods; set != nil {
		return set, nil
	}
	loaded := moduleSet{}
	for _, k := range code.Modules {
		m, err := a.store.GetModule(ctx, persistence.ModuleKey{Path: k.Path, Environment: k.Environment, SHA256: k.SHA256})
		if err != nil {
			return nil, fmt.Errorf("load module %s of %s: %w", k.Path, componentLabel(path), err)
		}
		addModule(loaded, m)
	}
	set := loaded.Keyed()
	a.instances.update(key, func(in *instance) { in.mods = set })
	return set, nil
}

// instances keeps, per instance of the current version, what its calls
// reuse: its module set and the process.env its functions see. Only one
// version's are kept: calls still running on an older one hold their own
// references, and a redeploy must not grow memory.
type instances struct {
	mu sync.Mutex
	m  map[modsKey]*instance
}

type instance struct {
	mods *runtime.KeyedMap
	env  *callEnv
}

// get returns what is kept for k (zero fields for what is not).
func (c *instances) get(k modsKey) instance {
	c.mu.Lock()
	defer c.mu.Unlock()
	if in := c.m[k]; in != nil {
		return *in
	}
	return instance{}
}

// update changes what is kept for k with f, dropping other versions'.
func (c *instances) update(k modsKey, f func(*instance)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for old := range c.m {
		if old.v != k.v {
			delete(c.m, old)
		}
	}
	in := c.m[k]
	if in == nil {
		in = &instance{}
		c.m[k] = in
	}
	f(in)
}
