package node

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"time"

	"hull/runtime"
)

// Dependency is one external npm package of a code version, as the CLI
// lists it in nodeDependencies: installed at push time, not bundled.
type Dependency struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Code is one version's Node.js code: its "use node" modules with the
// chunks they import (paths as pushed: "actions.js", "_deps/node/X.js"),
// and the external packages they load.
type Code struct {
	Modules []runtime.Module
	Deps    []Dependency
}

// Entries are the modules that may export functions (not shared chunks).
func (c *Code) Entries() []string {
	var out []string
	for _, m := range c.Modules {
		if !strings.HasPrefix(m.Path, "_deps/") && strings.HasSuffix(m.Path, ".js") {
			out = append(out, m.Path)
		}
	}
	slices.Sort(out)
	return out
}

// depsID names a set of external packages installed for this platform
// and Node.js major version (packages with native parts differ per
// platform); "" for none.
func depsID(deps []Dependency, nodeMajor int) string {
	if len(deps) == 0 {
		return ""
	}
	lines := make([]string, 0, len(deps))
	for _, d := range deps {
		lines = append(lines, d.Name+"@"+d.Version)
	}
	slices.Sort(lines)
	h := sha256.New()
	fmt.Fprintf(h, "hull node deps 1\n%s/%s node%d\n%s\n", goruntime.GOOS, goruntime.GOARCH, nodeMajor, strings.Join(lines, "\n"))
	return hex.EncodeToString(h.Sum(nil))
}

// codeKey names a code version's folder: its modules and the packages it
// links to.
func codeKey(c *Code, deps string) string {
	mods := slices.Clone(c.Modules)
	slices.SortFunc(mods, func(a, b runtime.Module) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	fmt.Fprintf(h, "hull node code 1\ndeps %s\n", deps)
	for _, m := range mods {
		sum := m.SHA256
		if sum == "" {
			s := sha256.Sum256([]byte(m.Source + "\x00" + m.SourceMap))
			sum = hex.EncodeToString(s[:])
		}
		fmt.Fprintf(h, "%s\x00%s\n", m.Path, sum)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// DepsID returns the id under which the external packages of deps are
// installed and archived here ("" for none).
func (e *Executor) DepsID(ctx context.Context, deps []Dependency) (string, error) {
	if len(deps) == 0 {
		return "", nil
	}
	info, err := e.Check(ctx)
	if err != nil {
		return "", err
	}
	return depsID(deps, info.Major), nil
}

// flight is one folder being written; later callers wait for it.
type flight struct {
	done chan struct{}
	err  error
}

// once runs f for name unless a run is in flight, in which case it waits
// for that one. f runs detached from ctx: a caller giving up does not
// abort work others wait for.
func (e *Executor) once(ctx context.Context, name string, f func(context.Context) error) error {
	e.codeMu.Lock()
	fl, ok := e.preparing[name]
	if !ok {
		fl = &flight{done: make(chan struct{})}
		e.preparing[name] = fl
		go func() {
			fl.err = f(context.WithoutCancel(ctx))
			e.codeMu.Lock()
			delete(e.preparing, name)
			e.codeMu.Unlock()
			close(fl.done)
		}()
	}
	e.codeMu.Unlock()
	select {
	case <-fl.done:
		return fl.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// hold marks folders as in use so the garbage collector keeps them; the
// returned func releases them.
func (e *Executor) hold(names ...string) func() {
	e.codeMu.Lock()
	for _, n := range names {
		e.inUse[n]++
	}
	e.codeMu.Unlock()
	return func() {
		e.codeMu.Lock()
		for _, n := range names {
			if e.inUse[n]--; e.inUse[n] <= 0 {
				delete(e.inUse, n)
			}
		}
		e.codeMu.Unlock()
	}
}

// prepared is a code version's folder, ready to run.
type prepared struct {
	key     string
	modules string // the folder the modules are in
	release func()
}

// prepare makes sure code's folder exists: modules written, external
// packages restored from their archive or installed. The caller must
// call release when done with it.
func (e *Executor) prepare(ctx context.Context, c *Code) (*prepared, error) {
	info, err := e.Check(ctx)
	if err != nil {
		return nil, err
	}
	deps := depsID(c.Deps, info.Major)
	key := codeKey(c, deps)
	release := e.hold("code/"+key, "deps/"+deps)
	dir := filepath.Join(e.opts.Dir, "code", key)
	p := &prepared{key: key, modules: filepath.Join(dir, "modules"), release: release}
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return p, nil
	}
	err = e.once(ctx, "code/"+key, func(ctx context.Context) error {
		if deps != "" {
			if err := e.ensureDeps(ctx, c.Deps, deps); err != nil {
				return err
			}
		}
		return e.writeCode(c, dir, deps)
	})
	if err != nil {
		release()
		return nil, err
	}
	return p, nil
}

// writeCode writes a code version's folder: modules/ (with a package.json
// making .js files ES modules) and, when it has external packages, a
// node_modules link to their folder. It is written aside and renamed into
// place, so a folder that exists is complete.
func (e *Executor) writeCode(c *Code, dir, deps string) error {
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return folderError(parent, err)
	}
	tmp, err := os.MkdirTemp(parent, ".tmp-")
	if err != nil {
		return folderError(parent, err)
	}
	defer os.RemoveAll(tmp)
	mods := filepath.Join(tmp, "modules")
	if err := os.MkdirAll(mods, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(mods, "package.json"), []byte(`{"type":"module"}`+"\n"), 0o644); err != nil {
		return err
	}
	for _, m := range c.Modules {
		rel, err := safeRel(m.Path)
		if err != nil {
			return err
		}
		file := filepath.Join(mods, rel)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		src := m.Source
		if m.SourceMap != "" {
			if !strings.Contains(src, "//# sourceMappingURL=") {
				src += "\n//# sourceMappingURL=" + path.Base(m.Path) + ".map\n"
			}
			if err := os.WriteFile(file+".map", []byte(m.SourceMap), 0o644); err != nil {
				return err
			}
		}
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			return err
		}
	}
	if deps != "" {
		target := filepath.Join(e.opts.Dir, "deps", deps, "node_modules")
		if err := os.Symlink(target, filepath.Join(tmp, "node_modules")); err != nil {
			return fmt.Errorf("node: link external packages: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return nil // written meanwhile by another hull sharing the folder
		}
		return fmt.Errorf("node: put code folder in place: %w", err)
	}
	return nil
}

// safeRel checks a module path is a relative path inside the folder.
func safeRel(p string) (string, error) {
	c := path.Clean(p)
	if p == "" || path.IsAbs(p) || c == "." || c == ".." || strings.HasPrefix(c, "../") || strings.Contains(p, "\\") {
		return "", fmt.Errorf("node: module path %q is not a relative path", p)
	}
	return filepath.FromSlash(c), nil
}

func folderError(dir string, err error) error {
	return fmt.Errorf("node: cannot write the Node.js working folder %s (set HULL_NODE_DIR to a writable folder): %w", dir, err)
}

// Warm prepares code's folder ahead of its first action (after a
// restart, say), so that call does not wait for it.
func (e *Executor) Warm(ctx context.Context, c *Code) error {
	p, err := e.prepare(ctx, c)
	if err != nil {
		return err
	}
	p.release()
	return nil
}

// SetActive tells the executor which code version is live: idle
// processes of other versions end, and folders nothing uses any more are
// removed.
func (e *Executor) SetActive(ctx context.Context, c *Code) {
	key := ""
	if c != nil && len(c.Modules) > 0 {
		info, err := e.Check(ctx)
		if err != nil {
			return
		}
		key = codeKey(c, depsID(c.Deps, info.Major))
	}
	e.codeMu.Lock()
	e.active = key
	e.codeMu.Unlock()
	e.pool.retire(func(p *process) bool { return p.key != key })
	e.collect()
}

// collect removes the code and package folders that are neither live,
// in use, nor linked from a folder that is; and leftovers of interrupted
// writes.
func (e *Executor) collect() {
	running := e.pool.keys()
	e.codeMu.Lock()
	defer e.codeMu.Unlock()
	keepDeps := map[string]bool{}
	for n := range e.inUse {
		if id, ok := strings.CutPrefix(n, "deps/"); ok {
			keepDeps[id] = true
		}
	}
	for n := range e.preparing {
		if id, ok := strings.CutPrefix(n, "deps/"); ok {
			keepDeps[id] = true
		}
	}
	codeRoot := filepath.Join(e.opts.Dir, "code")
	entries, _ := os.ReadDir(codeRoot)
	for _, d := range entries {
		name := d.Name()
		dir := filepath.Join(codeRoot, name)
		if strings.HasPrefix(name, ".tmp-") {
			removeStale(dir)
			continue
		}
		if name == e.active || running[name] || e.inUse["code/"+name] > 0 || e.preparing["code/"+name] != nil {
			if t, err := os.Readlink(filepath.Join(dir, "node_modules")); err == nil {
				keepDeps[filepath.Base(filepath.Dir(t))] = true
			}
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			e.log.Warn("remove an unused Node.js code folder", "dir", dir, "err", err)
		}
	}
	depsRoot := filepath.Join(e.opts.Dir, "deps")
	entries, _ = os.ReadDir(depsRoot)
	for _, d := range entries {
		name := d.Name()
		dir := filepath.Join(depsRoot, name)
		if strings.HasPrefix(name, ".tmp-") {
			removeStale(dir)
			continue
		}
		if keepDeps[name] {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			e.log.Warn("remove unused external packages", "dir", dir, "err", err)
		}
	}
}

// removeStale removes a leftover temporary folder once it is old enough
// that no write in progress can own it.
func removeStale(dir string) {
	if st, err := os.Stat(dir); err == nil && time.Since(st.ModTime()) > time.Hour {
		_ = os.RemoveAll(dir)
	}
}
