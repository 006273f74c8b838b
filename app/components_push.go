package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"hull/database"
	"hull/persistence"
	"hull/runtime"
	"hull/value"
)

// pushedDefinition is one component definition of a push (the app's
// under ""), analyzed and evaluated.
type pushedDefinition struct {
	path   string
	bundle *ModuleConfig // convex.config.js; nil for an app without one
	deps   []string
	mods   moduleSet
	an     *runtime.Analysis
	code   Code
	meta   definitionMeta
	// export is what the definition's export() returned, as the CLI
	// reads it back in start_push's analysis.
	export map[string]any
}

// definitionMeta is the part of a definition's export() hull reads.
type definitionMeta struct {
	Name           string `json:"name"`
	DefinitionType struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"definitionType"`
	ChildComponents []childInstantiation `json:"childComponents"`
	HTTPMounts      map[string]string    `json:"httpMounts"`
	HTTPPrefix      *string              `json:"httpPrefix"`
	EnvVars         [][2]json.RawMessage `json:"envVars"`
}

// childInstantiation is one app.use of a definition.
type childInstantiation struct {
	Name string               `json:"name"`
	Path string               `json:"path"`
	Env  [][2]json.RawMessage `json:"env"`
}

// envVarDecl is one variable a definition declares.
type envVarDecl struct {
	Type     string `json:"type"`
	Value    string `json:"value"` // validator JSON
	Optional bool   `json:"optional"`
}

func typecheckError(format string, args ...any) *Error {
	return pushError("TypecheckError", format, args...)
}

// componentModules validates and stores the modules of one component
// definition and returns its module set and module keys.
func (a *App) componentModules(ctx context.Context, def *ComponentDefinitionConfig) (moduleSet, []ModuleHash, error) {
	set := moduleSet{}
	var keys []ModuleHash
	var store []persistence.Module
	add := func(m ModuleConfig, isFunction bool) error {
		if m.Path == "" || strings.HasPrefix(m.Path, "/") || strings.Contains(m.Path, "..") {
			return pushError("InvalidModulePath", "Module path %q of component %s is not a relative path.", m.Path, def.DefinitionPath)
		}
		if m.Environment == "node" {
			return pushError("InvalidModuleEnvironment", "Component %s: %s uses \"use node\"; components cannot contain Node.js modules.", def.DefinitionPath, m.Path)
		}
		if m.Environment != "isolate" {
			return pushError("InvalidModuleEnvironment", "Module %s of component %s has environment %q; expected \"isolate\".", m.Path, def.DefinitionPath, m.Environment)
		}
		pm := storedModule(m)
		store = append(store, pm)
		addModule(set, pm)
		if isFunction {
			keys = append(keys, ModuleHash{Path: m.Path, Environment: m.Environment, SHA256: pm.SHA256})
		}
		return nil
	}
	for _, m := range def.Functions {
		if err := add(m, true); err != nil {
			return nil, nil, err
		}
	}
	if def.Schema != nil {
		if err := add(*def.Schema, false); err != nil {
			return nil, nil, err
		}
	}
	if len(store) > 0 {
		if err := a.store.PutModules(ctx, store); err != nil {
			return nil, nil, fmt.Errorf("store the modules of component %s: %w", def.DefinitionPath, err)
		}
	}
	slices.SortFunc(keys, func(x, y ModuleHash) int { return strings.Compare(x.Path, y.Path) })
	return set, keys, nil
}

// codeOf builds the code of a definition from its analysis; isNode names
// its "use node" modules.
func codeOf(an *runtime.Analysis, keys []ModuleHash, udfServerVersion string, isNode map[string]bool) Code {
	c := Code{
		Modules:          keys,
		Functions:        map[string]FunctionInfo{},
		Schema:           an.Schema,
		HTTPRoutes:       an.HTTPRoutes,
		Crons:            an.Crons,
		UDFServerVersion: udfServerVersion,
	}
	for _, m := range an.Modules {
		for _, f := range m.Functions {
			c.Functions[m.Path+":"+f.Name] = FunctionInfo{Kind: f.Kind, Visibility: f.Visibility, Args: string(f.Args), Returns: string(f.Returns), Node: isNode[m.Path]}
		}
	}
	return c
}

// analyzeComponents analyzes the modules of every component definition
// of a push (with the system variables only: the deployment's belong to
// the app) and checks their schemas and crons.
func (a *App) analyzeComponents(ctx context.Context, req *StartPushRequest) (map[string]*pushedDefinition, error) {
	defs := map[string]*pushedDefinition{}
	sysEnv := a.functionEnv(nil)
	for i := range req.ComponentDefinitions {
		cfg := &req.ComponentDefinitions[i]
		if cfg.DefinitionPath == "" {
			return nil, pushError("InvalidComponentDefinition", "A component definition has an empty definitionPath.")
		}
		if _, dup := defs[cfg.DefinitionPath]; dup {
			return nil, pushError("InvalidComponentDefinition", "Component definition %s is pushed twice.", cfg.DefinitionPath)
		}
		if cfg.Definition == nil {
			return nil, pushError("InvalidComponentDefinition", "Component definition %s has no convex.config.js.", cfg.DefinitionPath)
		}
		mods, keys, err := a.componentModules(ctx, cfg)
		if err != nil {
			return nil, err
		}
		an, err := a.pool.Analyze(ctx, mods, sysEnv)
		if err != nil {
			return nil, &Error{Status: 400, Code: "InvalidModules", Message: fmt.Sprintf("Hit an error while pushing component %s:\n%s", cfg.DefinitionPath, err), Err: err}
		}
		d := &pushedDefinition{path: cfg.DefinitionPath, bundle: cfg.Definition, deps: cfg.Dependencies, mods: mods, an: an,
			code: codeOf(an, keys, cfg.UDFServerVersion, nil)}
		if len(d.code.Schema) > 0 {
			if _, err := parseSchemaIndexes(d.code.Schema); err != nil {
				return nil, &Error{Status: 400, Code: "InvalidSchema", Message: fmt.Sprintf("Component %s: %v", cfg.DefinitionPath, err), Err: err}
			}
		}
		if err := checkCronsOf(&d.code); err != nil {
			return nil, err
		}
		defs[cfg.DefinitionPath] = d
	}
	return defs, nil
}

// evaluateDefinitions evaluates every convex.config.js of a push, each
// after the definitions it uses (a post-order walk from the app's), and
// refuses a cycle.
func (a *App) evaluateDefinitions(ctx context.Context, root *pushedDefinition, defs map[string]*pushedDefinition, env map[string]string) error {
	all := map[string]*pushedDefinition{"": root}
	for p, d := range defs {
		all[p] = d
	}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var visit func(p string) error
	visit = func(p string) error {
		switch state[p] {
		case visiting:
			return pushError("CyclicImport", "Found cyclic definition dependency")
		case done:
			return nil
		}
		d, ok := all[p]
		if !ok {
			return typecheckError("Component definition not found: %s", p)
		}
		state[p] = visiting
		for _, dep := range d.deps {
			if dep == "" {
				return pushError("CyclicImport", "Found cyclic definition dependency")
			}
			if err := visit(dep); err != nil {
				return err
			}
		}
		if err := a.evaluateDefinition(ctx, d, all, p == "", env); err != nil {
			return err
		}
		state[p] = done
		return nil
	}
	if err := visit(""); err != nil {
		return err
	}
	for p := range defs {
		if state[p] != done {
			// Pushed but used by nothing: evaluated all the same, so a
			// broken definition fails the push as it does on Convex.
			if err := visit(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// evaluateDefinition evaluates one definition whose dependencies are
// evaluated already.
func (a *App) evaluateDefinition(ctx context.Context, d *pushedDefinition, all map[string]*pushedDefinition, root bool, env map[string]string) error {
	if d.bundle == nil {
		d.export = map[string]any{"definitionType": map[string]string{"type": "app"}, "childComponents": []any{}, "httpMounts": map[string]any{}, "exports": emptyBranch()}
		d.meta.DefinitionType.Type = "app"
		return nil
	}
	var deps []runtime.Definition
	for _, p := range d.deps {
		dep := all[p]
		meta, err := json.Marshal(dep.export)
		if err != nil {
			return err
		}
		deps = append(deps, runtime.Definition{Path: p, Name: dep.meta.DefinitionType.Name, Metadata: meta})
	}
	if !root {
		env = nil // a component's convex.config.ts reads no variables
	}
	sm := ""
	if d.bundle.SourceMap != nil {
		sm = *d.bundle.SourceMap
	}
	out, err := a.pool.EvaluateDefinition(ctx, d.bundle.Source, sm, root, deps, env)
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "The default export of") {
			where := "in your app"
			if !root {
				where = "in component " + d.path
			}
			msg = fmt.Sprintf("Hit an error while evaluating convex.config.ts %s:\n%s", where, msg)
		}
		return &Error{Status: 400, Code: "InvalidDefinition", Message: msg, Err: err}
	}
	if err := json.Unmarshal(out, &d.export); err != nil {
		return pushError("InvalidDefinition", "convex.config.ts %s exported something that is not an object: %v", d.path, err)
	}
	if err := json.Unmarshal(out, &d.meta); err != nil {
		return pushError("InvalidDefinition", "Failed to deserialize %s: %v", out, err)
	}
	want := "childComponent"
	if root {
		want = "app"
	}
	if d.meta.DefinitionType.Type != want {
		if root {
			return pushError("InvalidDefinition", "The default export of `convex.config.ts` in your app has an invalid value (it is a component definition). Please make sure that you\u2019re exporting the return value of `defineApp()` (`import { defineApp } from 'convex/server'`).")
		}
		return pushError("InvalidDefinition", "The default export of `convex.config.ts` in component `%s` has an invalid value (it is an app definition). Please make sure that the component is exporting the return value of `defineComponent()`.", d.path)
	}
	if !root {
		if err := value.ValidateIdentifier(d.meta.DefinitionType.Name); err != nil {
			return pushError("InvalidDefinition", "Component %s has an invalid name %q: names must be identifiers (letters, digits and underscores, not starting with a digit).", d.path, d.meta.DefinitionType.Name)
		}
	}
	d.export["path"] = d.path
	return nil
}

func emptyBranch() map[string]any { return map[string]any{"type": "branch", "branch": []any{}} }

// instantiate builds the component instances of the tree under the
// definition def mounted at path, checking names, definitions and
// environment bindings as Convex's typecheck does (required variables
// only when requireEnv: codegen of one component pushes it under a
// shell app that binds none).
func instantiate(defs map[string]*pushedDefinition, def *pushedDefinition, path string, out map[string]*Component, requireEnv bool) error {
	seen := map[string]bool{}
	parentVars, err := declaredEnv(def)
	if err != nil {
		return err
	}
	for _, ch := range def.meta.ChildComponents {
		if err := value.ValidateIdentifier(ch.Name); err != nil {
			return typecheckError("Invalid component name %q in %s: names must be identifiers (letters, digits and underscores, not starting with a digit).", ch.Name, componentLabel(path))
		}
		if seen[ch.Name] {
			return typecheckError("Component %q has multiple child components with the same name: %q", def.path, ch.Name)
		}
		seen[ch.Name] = true
		child, ok := defs[ch.Path]
		if !ok {
			return typecheckError("Component definition not found: %q", ch.Path)
		}
		cpath := childPath(path, ch.Name)
		env, err := bindEnv(cpath, child, ch.Env, parentVars, path == "", requireEnv)
		if err != nil {
			return err
		}
		// A binding to a variable of a parent that is a component itself
		// takes that component's binding.
		if path != "" {
			parent := out[path]
			for k, b := range env {
				if b.Type != "envVar" {
					continue
				}
				if pb, ok := parent.Env[b.Name]; ok {
					env[k] = pb
				} else {
					delete(env, k)
				}
			}
		}
		c := &Component{Code: child.code, DefinitionPath: ch.Path, Env: env}
		for prefix, ref := range def.meta.HTTPMounts {
			if ref == "_reference/childComponent/"+ch.Name {
				c.HTTPPrefix = prefix
			}
		}
		out[cpath] = c
		if err := instantiate(defs, child, cpath, out, requireEnv); err != nil {
			return err
		}
	}
	return nil
}

// declaredEnv reads the variables a definition declares.
func declaredEnv(d *pushedDefinition) (map[string]envVarDecl, error) {
	out := map[string]envVarDecl{}
	for _, kv := range d.meta.EnvVars {
		var name string
		var decl envVarDecl
		if json.Unmarshal(kv[0], &name) != nil || json.Unmarshal(kv[1], &decl) != nil {
			return nil, pushError("InvalidDefinition", "Component %s declares an environment variable the server cannot read.", d.path)
		}
		out[name] = decl
	}
	return out, nil
}

// bindEnv checks the environment bindings of one instance against what
// its definition declares and what its parent has.
func bindEnv(cpath string, child *pushedDefinition, raw [][2]json.RawMessage, parentVars map[string]envVarDecl, parentIsApp, requireEnv bool) (map[string]EnvBinding, error) {
	decls, err := declaredEnv(child)
	if err != nil {
		return nil, err
	}
	env := map[string]EnvBinding{}
	for _, kv := range raw {
		var name string
		var b EnvBinding
		if json.Unmarshal(kv[0], &name) != nil || json.Unmarshal(kv[1], &b) != nil {
			return nil, typecheckError("Component %q has an environment binding the server cannot read.", cpath)
		}
		decl, ok := decls[name]
		if !ok {
			return nil, typecheckError("Component %q has no env var named %q", cpath, name)
		}
		switch b.Type {
		case "value":
			if msg := checkEnvValue(decl, b.Value); msg != "" {
				return nil, typecheckError("Component %q has an invalid value for env var %q: %s", cpath, name, msg)
			}
		case "envVar":
			pd, ok := parentVars[b.Name]
			if !ok && !parentIsApp {
				return nil, typecheckError("Component %q env var %q references undeclared parent env var %s", cpath, name, b.Name)
			}
			if ok && pd.Optional && !decl.Optional {
				return nil, typecheckError("Component %q env var %q is required, but parent env var %s is optional", cpath, name, b.Name)
			}
		default:
			return nil, typecheckError("Component %q env var %q has a binding of unknown type %q", cpath, name, b.Type)
		}
		env[name] = b
	}
	names := make([]string, 0, len(decls))
	for n := range decls {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := env[n]; !ok && !decls[n].Optional && requireEnv {
			return nil, typecheckError("Component %q is missing required env var %q", cpath, n)
		}
	}
	return env, nil
}

// checkEnvValue checks a bound value against the string-like validator a
// component declared for it; "" means it fits.
func checkEnvValue(decl envVarDecl, val string) string {
	if decl.Value == "" {
		return ""
	}
	v, err := database.ParseValidator([]byte(decl.Value))
	if err != nil {
		return ""
	}
	if msg := v.Check(value.String(val), func(value.TableNumber) (string, bool) { return "", false }); msg != "" {
		return msg
	}
	return ""
}

// exportsOf is a definition's file-based exports: its public functions
// by module path and name, as the components API of _generated/api uses
// them.
func exportsOf(c *Code) map[string]any {
	type node struct {
		children map[string]*node
		leaf     string
	}
	root := &node{children: map[string]*node{}}
	names := make([]string, 0, len(c.Functions))
	for n, fi := range c.Functions {
		if fi.Visibility == "public" && fi.Kind != runtime.KindHTTPAction {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		mod, fn, _ := strings.Cut(n, ":")
		parts := append(strings.Split(strings.TrimSuffix(mod, ".js"), "/"), fn)
		cur := root
		for i, p := range parts {
			next, ok := cur.children[p]
			if !ok {
				next = &node{children: map[string]*node{}}
				cur.children[p] = next
			}
			if i == len(parts)-1 {
				next.leaf = "_reference/function/" + n
			}
			cur = next
		}
	}
	var render func(n *node) map[string]any
	render = func(n *node) map[string]any {
		keys := make([]string, 0, len(n.children))
		for k := range n.children {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		branch := []any{}
		for _, k := range keys {
			ch := n.children[k]
			if ch.leaf != "" && len(ch.children) == 0 {
				branch = append(branch, []any{k, map[string]any{"type": "leaf", "leaf": ch.leaf}})
			} else {
				branch = append(branch, []any{k, render(ch)})
			}
		}
		return map[string]any{"type": "branch", "branch": branch}
	}
	return render(root)
}
