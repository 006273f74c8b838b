// Package node runs Convex "use node" actions in Node.js child processes.
//
// It owns a bounded pool of `node` processes, each running hull's own
// runner script (runner.mjs, embedded in the binary) and serving one
// action at a time; the folders the processes load code from (one per code
// version, written from the modules hull keeps in its database); and the
// installation of a version's external npm packages. A Node action's
// syscalls travel back over the process's frame stream to the same
// runtime.Host an action of the default runtime uses, so everything the
// host serves works in both.
//
// Why one action per process: a crash, a hang or an exhausted heap then
// ends exactly one action, the memory limit (--max-old-space-size) bounds
// one action, and console output and process.env belong to it alone.
// Processes are reused for later actions of the same code version (module
// state persists between them, as in Convex's Node runtime) and reaped
// when idle.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configures an Executor. Zero fields take the defaults.
type Options struct {
	// Node is the node executable: a path, or a name looked up on PATH
	// (default "node").
	Node string
	// NPM is the npm executable (default: "npm" next to Node, else on
	// PATH).
	NPM string
	// Dir is the working folder: code versions, installed packages, the
	// runner script. Everything in it can be rebuilt from the database.
	// Default: a folder in the system temp dir.
	Dir string
	// MaxProcesses bounds the Node processes running actions at once
	// (default 4); more actions wait. An action called from a Node action
	// (ctx.runAction) may go over the bound, so nested calls cannot
	// deadlock.
	MaxProcesses int
	// IdleTimeout is how long an idle process is kept (default 1 minute).
	IdleTimeout time.Duration
	// MemoryLimit is the V8 heap limit of each process, in bytes
	// (--max-old-space-size; default 64 MiB, at least 16 MiB).
	MemoryLimit int64
	// ActionTimeout bounds one action (default 10 minutes): the process
	// running it is killed then.
	ActionTimeout time.Duration
	// AnalyzeTimeout bounds importing each module at push time (default
	// 4 s; a push's analysis gets this times one plus a module count /8).
	AnalyzeTimeout time.Duration
	// InstallTimeout bounds installing a version's external packages
	// (default 10 minutes).
	InstallTimeout time.Duration
	// Archives keeps archives of installed external packages, so a fresh
	// container restores them instead of installing again. Nil keeps
	// none.
	Archives ArchiveStore
	Logger   *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Node == "" {
		o.Node = "node"
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(os.TempDir(), "hull-node")
	}
	if o.MaxProcesses <= 0 {
		o.MaxProcesses = 4
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = time.Minute
	}
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = 64 << 20
	}
	o.MemoryLimit = max(o.MemoryLimit, 16<<20)
	if o.ActionTimeout <= 0 {
		o.ActionTimeout = 10 * time.Minute
	}
	if o.AnalyzeTimeout <= 0 {
		o.AnalyzeTimeout = 4 * time.Second
	}
	if o.InstallTimeout <= 0 {
		o.InstallTimeout = 10 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// MinNodeMajor is the oldest Node.js major version the runner supports.
const MinNodeMajor = 18

// Executor runs Node actions. It is safe for concurrent use.
type Executor struct {
	opts Options
	log  *slog.Logger
	pool *pool

	infoMu sync.Mutex
	info   *Info // the node found last, nil until found

	codeMu    sync.Mutex
	preparing map[string]*flight // code and dependency folders being written
	inUse     map[string]int     // code key -> runs and analyses using its folder
	active    string             // the live version's code key

	runnerOnce sync.Once
	runnerPath string
	runnerErr  error

	spawnOnce sync.Once
	spawnCh   chan spawnReq

	stop     chan struct{}
	stopOnce sync.Once
}

// errClosed is returned for work asked of a closed Executor.
var errClosed = errors.New("node: the Node.js executor is shut down")

// New returns an Executor; nothing starts until the first action.
func New(opts Options) *Executor {
	opts = opts.withDefaults()
	e := &Executor{
		opts: opts, log: opts.Logger,
		preparing: map[string]*flight{}, inUse: map[string]int{},
		stop: make(chan struct{}),
	}
	e.pool = newPool(e, opts.MaxProcesses)
	go e.reap()
	return e
}

// Close kills every process. Runs in progress fail.
func (e *Executor) Close() {
	e.stopOnce.Do(func() { close(e.stop) })
	e.pool.closeAll()
}

// Info describes the node executable in use.
type Info struct {
	Path    string // resolved path of the executable
	Version string // e.g. "v20.11.1"
	Major   int
}

// UnavailableError says why Node actions cannot run here and what to
// install; hull shows it to whoever pushed or called them.
type UnavailableError struct {
	What string // what is missing, e.g. `no "node" executable on the PATH`
	Hint string // what to do about it
}

func (e *UnavailableError) Error() string { return e.What + ". " + e.Hint }

var installHint = fmt.Sprintf("Install Node.js %d or newer (Debian: \"apt-get install nodejs npm\"; others: https://nodejs.org) so that \"node\" is on hull's PATH, or set HULL_NODE_PATH to its path, then push again", MinNodeMajor+2)

// Check finds node and reports its version. A node that was found stays
// in use; a missing one is looked for again on the next call, so
// installing Node.js needs no restart.
func (e *Executor) Check(ctx context.Context) (Info, error) {
	e.infoMu.Lock()
	defer e.infoMu.Unlock()
	if e.info != nil {
		return *e.info, nil
	}
	path, err := exec.LookPath(e.opts.Node)
	if err != nil {
		return Info{}, &UnavailableError{What: fmt.Sprintf("no %q executable was found on hull's PATH (%s)", e.opts.Node, os.Getenv("PATH")), Hint: installHint}
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = childEnv(nil)
	out, err := cmd.Output()
	if err != nil {
		return Info{}, &UnavailableError{What: fmt.Sprintf("%s --version failed: %v", path, err), Hint: installHint}
	}
	version := strings.TrimSpace(string(out))
	major, err := parseMajor(version)
	if err != nil {
		return Info{}, &UnavailableError{What: fmt.Sprintf("%s --version printed %q, not a Node.js version", path, version), Hint: installHint}
	}
	if major < MinNodeMajor {
		return Info{}, &UnavailableError{What: fmt.Sprintf("%s is Node.js %s; hull's Node actions need %d or newer", path, version, MinNodeMajor), Hint: installHint}
	}
	e.info = &Info{Path: path, Version: version, Major: major}
	return *e.info, nil
}

// CheckVersion reports whether the node in use satisfies the nodeVersion
// a project's convex.json asks for ("20", "v20", "20.x", "20.11"): the
// same major version, and at least the minor one when given.
func (e *Executor) CheckVersion(ctx context.Context, want string) error {
	info, err := e.Check(ctx)
	if err != nil {
		return err
	}
	w := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(want), "v"), ".x")
	parts := strings.Split(w, ".")
	major, err := strconv.Atoi(parts[0])
	if err != nil || major <= 0 {
		return fmt.Errorf("convex.json sets node.nodeVersion to %q; hull accepts a Node.js major version such as \"20\"", want)
	}
	mismatch := fmt.Errorf("convex.json sets node.nodeVersion to %q, but the Node.js hull runs (%s) is %s. Install Node.js %d on hull's PATH (or set HULL_NODE_PATH), or change node.nodeVersion", want, info.Path, info.Version, major)
	if info.Major != major {
		return mismatch
	}
	if len(parts) > 1 {
		minor, err := strconv.Atoi(parts[1])
		have := strings.Split(strings.TrimPrefix(info.Version, "v"), ".")
		if err == nil && len(have) > 1 {
			if hm, herr := strconv.Atoi(have[1]); herr == nil && hm < minor {
				return mismatch
			}
		}
	}
	return nil
}

func parseMajor(version string) (int, error) {
	v := strings.TrimPrefix(version, "v")
	i := strings.IndexByte(v, '.')
	if i < 0 {
		return 0, errors.New("no dot")
	}
	return strconv.Atoi(v[:i])
}

// childEnv is the environment of every child process: only what node and
// npm need to work, never hull's own settings (its secrets among them).
// extra holds more variables to pass through by name or prefix.
func childEnv(extra []string) []string {
	keep := []string{"PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR"}
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		for _, k := range append(keep, extra...) {
			if name == k || (strings.HasSuffix(k, "*") && strings.HasPrefix(name, strings.TrimSuffix(k, "*"))) {
				out = append(out, kv)
				break
			}
		}
	}
	return out
}
