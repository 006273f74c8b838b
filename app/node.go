package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"hull/persistence"
	"hull/runtime"
	"hull/runtime/node"
)

// Node actions ("use node" modules) run in Node.js child processes
// (runtime/node). This file is their glue: analyzing them at push time,
// keeping their installed external packages in the database, and
// running them with the same host as every other action.

// nodeDepsArchive is the module-store key of the archive of a version's
// installed external packages; its SHA256 field holds the dependency id
// (runtime/node's DepsID), which the CLI never sends as an environment.
const (
	nodeDepsArchivePath = "node_modules.tar.gz"
	nodeDepsArchiveEnv  = "hull-node-deps"
)

// nodeArchives keeps archives of installed external packages in the
// module store, so a container with an empty disk restores them without
// npm or the registry.
type nodeArchives struct{ store persistence.Store }

func (s nodeArchives) key(id string) persistence.ModuleKey {
	return persistence.ModuleKey{Path: nodeDepsArchivePath, Environment: nodeDepsArchiveEnv, SHA256: id}
}

func (s nodeArchives) LoadArchive(ctx context.Context, id string) ([]byte, error) {
	m, err := s.store.GetModule(ctx, s.key(id))
	if errors.Is(err, persistence.ErrModuleNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return m.Source, nil
}

func (s nodeArchives) SaveArchive(ctx context.Context, id string, archive []byte) error {
	k := s.key(id)
	return s.store.PutModules(ctx, []persistence.Module{{Path: k.Path, Environment: k.Environment, SHA256: k.SHA256, Source: archive}})
}

// nodeOptions fills the Node executor's options from the runtime's where
// they are unset.
func nodeOptions(opts Options, store persistence.Store) node.Options {
	n := opts.Node
	if n.MemoryLimit == 0 {
		n.MemoryLimit = opts.Runtime.MemoryLimit
	}
	if n.ActionTimeout == 0 {
		n.ActionTimeout = opts.Runtime.ActionTimeout
	}
	if n.AnalyzeTimeout == 0 {
		n.AnalyzeTimeout = opts.Runtime.AnalyzeTimeout
	}
	if n.Logger == nil {
		n.Logger = opts.Logger
	}
	n.Archives = nodeArchives{store: store}
	return n
}

// nodeCodeOf builds a version's Node.js code from its module set.
func nodeCodeOf(keys []ModuleHash, set runtime.Modules, deps []node.Dependency) *node.Code {
	c := &node.Code{Deps: deps}
	for _, k := range keys {
		if k.Environment != "node" {
			continue
		}
		if m, ok := set.Get(k.Path); ok {
			c.Modules = append(c.Modules, m)
		}
	}
	return c
}

// nodeCodeFor returns the live version's Node.js code (nil when it has
// none).
func (a *App) nodeCodeFor(ctx context.Context, v *Version) (*node.Code, error) {
	if v == nil || !slices.ContainsFunc(v.Modules, func(m ModuleHash) bool { return m.Environment == "node" }) {
		return nil, nil
	}
	set, err := a.modulesFor(ctx, v, "")
	if err != nil {
		return nil, err
	}
	return nodeCodeOf(v.Modules, set, v.NodeDependencies), nil
}

// nodeUnavailable is the push error for a push with Node actions that
// cannot run here.
func nodeUnavailable(module string, err error) *Error {
	var ue *node.UnavailableError
	if errors.As(err, &ue) {
		return &Error{Status: 400, Code: "NodeJsUnavailable",
			Message: fmt.Sprintf("Module %s uses \"use node\": hull runs such actions in Node.js child processes, but %s. %s.", module, ue.What, ue.Hint), Err: err}
	}
	return nil
}

// analyzeNode checks that Node actions can run here, installs (or
// restores) their external packages, and analyzes the node modules in
// Node.js. It returns their functions and the dependency id.
func (a *App) analyzeNode(ctx context.Context, req *StartPushRequest, keys []ModuleHash, set moduleSet, env map[string]string) ([]runtime.AnalyzedModule, string, error) {
	code := nodeCodeOf(keys, set, req.NodeDependencies)
	if len(code.Modules) == 0 {
		return nil, "", nil
	}
	first := code.Entries()
	name := code.Modules[0].Path
	if len(first) > 0 {
		name = first[0]
	}
	if _, err := a.node.Check(ctx); err != nil {
		if pe := nodeUnavailable(name, err); pe != nil {
			return nil, "", pe
		}
		return nil, "", err
	}
	if req.NodeVersion != nil && *req.NodeVersion != "" {
		if err := a.node.CheckVersion(ctx, *req.NodeVersion); err != nil {
			return nil, "", pushError("UnsupportedNodeVersion", "%s", err.Error())
		}
	}
	depsID, err := a.node.DepsID(ctx, code.Deps)
	if err != nil {
		return nil, "", err
	}
	mods, err := a.node.Analyze(ctx, code, env)
	var ie *node.InstallError
	switch {
	case errors.As(err, &ie):
		return nil, "", &Error{Status: 400, Code: "ExternalPackagesInstallFailed", Message: ie.Error(), Err: err}
	case err != nil:
		if pe := nodeUnavailable(name, err); pe != nil {
			return nil, "", pe
		}
		if strings.HasPrefix(err.Error(), "node: ") {
			return nil, "", fmt.Errorf("analyze Node.js modules: %w", err)
		}
		return nil, "", &Error{Status: 400, Code: "InvalidModules", Message: "Hit an error while pushing:\n" + err.Error(), Err: err}
	}
	for _, m := range mods {
		for _, f := range m.Functions {
			if f.Kind != runtime.KindAction {
				return nil, "", &Error{Status: 400, Code: "InvalidModules", Message: fmt.Sprintf(
					"Hit an error while pushing:\n`%s` defined in `%s` is a %s function. Only actions can be defined in Node.js. See https://docs.convex.dev/functions/actions for more details.",
					f.Name, m.Path, udfType(f.Kind))}
			}
		}
	}
	return mods, depsID, nil
}

// runNodeAction runs an action of a "use node" module in the Node pool,
// with the same host (and so the same syscalls) as any other action.
func (a *App) runNodeAction(ctx context.Context, v *Version, req CallRequest, depth int) (*CallResult, error) {
	env, err := a.EnvVars(ctx)
	if err != nil {
		return nil, err
	}
	code, err := a.nodeCodeFor(ctx, v)
	if err != nil {
		return nil, err
	}
	if code == nil {
		return nil, fmt.Errorf("run %s: the version has no Node.js modules", req.Path)
	}
	h := &host{app: a, kind: runtime.KindAction, depth: depth, req: req}
	call := a.runtimeCall(runtime.KindAction, req, a.functionEnv(env), "", h)
	call.RequestID = req.RequestID
	r, err := a.node.Run(ctx, code, call)
	var ue *node.UnavailableError
	var ie *node.InstallError
	switch {
	case errors.As(err, &ue):
		return userErr("%s uses \"use node\", and Node.js actions cannot run here: %s", req.Path, ue.Error()), nil
	case errors.As(err, &ie):
		return userErr("%s", ie.Error()), nil
	case err != nil:
		return nil, fmt.Errorf("run %s: %w", req.Path, err)
	}
	return &CallResult{Value: r.Value, Err: r.Err, Logs: toLogLines(r.Logs)}, nil
}

// nodeActivated tells the Node executor which version is live, so it
// ends processes of older ones and removes their folders.
func (a *App) nodeActivated(v *Version) {
	ctx := context.Background()
	code, err := a.nodeCodeFor(ctx, v)
	if err != nil {
		a.log.Warn("load the Node.js modules of the live version", "err", err)
		return
	}
	a.node.SetActive(ctx, code)
}

// warmNode prepares the live version's Node.js folder after a start, so
// the first Node action does not wait for it (on a fresh container:
// modules written from the database, packages unpacked from their
// archive).
func (a *App) warmNode(ctx context.Context) {
	v, _ := a.ActiveVersion(ctx)
	code, err := a.nodeCodeFor(ctx, v)
	if err != nil || code == nil {
		return
	}
	if _, err := a.node.Check(ctx); err != nil {
		a.log.Warn("the live version has Node.js actions, which cannot run here", "err", err)
		return
	}
	a.node.SetActive(ctx, code)
	if err := a.node.Warm(ctx, code); err != nil {
		a.log.Warn("prepare the Node.js actions of the live version", "err", err)
	}
}

// Close ends the Node.js processes.
func (a *App) Close() { a.node.Close() }
