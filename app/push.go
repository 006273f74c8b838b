package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"hull/database"
	"hull/persistence"
	"hull/runtime"
)

// ConfigHashes answers get_config_hashes: the modules of the active version,
// so the CLI resends only what changed.
func (a *App) ConfigHashes(ctx context.Context) (map[string]any, error) {
	v, err := a.ActiveVersion(ctx)
	if err != nil {
		return nil, err
	}
	hashes := []map[string]string{}
	dir := "convex/"
	var udfVersion, nodeVersion any
	if v != nil {
		for _, m := range v.Modules {
			hashes = append(hashes, map[string]string{"path": m.Path, "hash": m.SHA256, "environment": m.Environment})
		}
		if v.FunctionsDir != "" {
			dir = v.FunctionsDir
		}
		if v.UDFServerVersion != "" {
			udfVersion = v.UDFServerVersion
		}
		if v.NodeVersion != "" {
			nodeVersion = v.NodeVersion
		}
	}
	return map[string]any{
		"config":           map[string]any{"functions": dir},
		"moduleHashes":     hashes,
		"udfServerVersion": udfVersion,
		"nodeVersion":      nodeVersion,
	}, nil
}

// moduleHash is the CLI's module key: sha256 of the source followed by the
// source map, lowercase hex.
func moduleHash(source string, sourceMap *string) string {
	h := sha256.New()
	h.Write([]byte(source))
	if sourceMap != nil {
		h.Write([]byte(*sourceMap))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func pushError(code, format string, args ...any) *Error {
	return &Error{Status: 400, Code: code, Message: fmt.Sprintf(format, args...)}
}

// collectModules stores the changed modules and loads the unchanged ones
// from the store, returning the whole module set of the push.
func (a *App) collectModules(ctx context.Context, req *StartPushRequest) (moduleSet, []ModuleHash, error) {
	changed := append(slices.Clone(req.AppDefinition.ChangedModules), req.AppDefinition.Functions...)
	var toStore []persistence.Module
	var keys []ModuleHash
	set := moduleSet{}
	add := func(m ModuleConfig, isFunction bool) error {
		if m.Path == "" || strings.HasPrefix(m.Path, "/") || strings.Contains(m.Path, "..") {
			return pushError("InvalidModulePath", "Module path %q is not a relative path.", m.Path)
		}
		if m.Environment != "isolate" && (m.Environment != "node" || !isFunction) {
			return pushError("InvalidModuleEnvironment", "Module %s has environment %q; expected \"isolate\" or \"node\".", m.Path, m.Environment)
		}
		pm := storedModule(m)
		toStore = append(toStore, pm)
		addModule(set, pm)
		if isFunction {
			keys = append(keys, ModuleHash{Path: m.Path, Environment: m.Environment, SHA256: pm.SHA256})
		}
		return nil
	}
	for _, m := range changed {
		if err := add(m, true); err != nil {
			return nil, nil, err
		}
	}
	if s := req.AppDefinition.Schema; s != nil {
		if err := add(*s, false); err != nil {
			return nil, nil, err
		}
	}
	if len(req.AppDefinition.UnchangedModuleHashes) > 0 {
		want := make([]persistence.ModuleKey, 0, len(req.AppDefinition.UnchangedModuleHashes))
		for _, h := range req.AppDefinition.UnchangedModuleHashes {
			want = append(want, persistence.ModuleKey{Path: h.Path, Environment: h.Environment, SHA256: h.SHA256})
		}
		for _, k := range want {
			m, err := a.store.GetModule(ctx, k)
			if err != nil {
				return nil, nil, &Error{Status: 400, Code: "ModuleNotFound",
					Message: fmt.Sprintf("The push refers to module %s (sha256 %s) by hash, but hull does not have it; push again with --push-all-modules or a fresh deploy.", k.Path, k.SHA256), Err: err}
			}
			addModule(set, m)
			keys = append(keys, ModuleHash{Path: k.Path, Environment: k.Environment, SHA256: k.SHA256})
		}
	}
	if len(toStore) > 0 {
		if err := a.store.PutModules(ctx, toStore); err != nil {
			return nil, nil, fmt.Errorf("store pushed modules: %w", err)
		}
	}
	slices.SortFunc(keys, func(x, y ModuleHash) int { return strings.Compare(x.Path, y.Path) })
	return set, keys, nil
}

// pushAnalysis is what analyzing a push found beside the version: every
// definition, the app's under "".
type pushAnalysis struct {
	defs map[string]*pushedDefinition
}

// analyzePush evaluates a push into the version it would deploy: the
// app's modules, every component definition's, the convex.config.ts
// tree, and the component instances it mounts (instances of the live
// version it no longer mounts are kept unmounted).
func (a *App) analyzePush(ctx context.Context, req *StartPushRequest) (*Version, *pushAnalysis, error) {
	set, keys, err := a.collectModules(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	env, err := a.EnvVars(ctx)
	if err != nil {
		return nil, nil, err
	}
	an, err := a.pool.Analyze(ctx, isolateModules(set, keys), a.functionEnv(env))
	var missing *runtime.MissingEnvError
	if errors.As(err, &missing) {
		return nil, nil, &Error{Status: 400, Code: "AuthConfigMissingEnvironmentVariable", Message: missing.Error(), Err: err}
	}
	if err != nil {
		return nil, nil, &Error{Status: 400, Code: "InvalidModules", Message: "Hit an error while pushing:\n" + err.Error(), Err: err}
	}
	nodeMods, depsID, err := a.analyzeNode(ctx, req, keys, set, a.functionEnv(env))
	if err != nil {
		return nil, nil, err
	}
	an.Modules = append(an.Modules, nodeMods...)
	slices.SortFunc(an.Modules, func(x, y runtime.AnalyzedModule) int { return strings.Compare(x.Path, y.Path) })
	if err := checkAuthConfig(an.AuthConfig); err != nil {
		return nil, nil, err
	}
	isNode := map[string]bool{}
	for _, m := range nodeMods {
		isNode[m.Path] = true
	}
	root := &pushedDefinition{bundle: req.AppDefinition.Definition, deps: req.AppDefinition.Dependencies, mods: set, an: an,
		code: codeOf(an, keys, req.AppDefinition.UDFServerVersion, isNode)}
	v := &Version{Code: root.code, AuthConfig: an.AuthConfig, FunctionsDir: req.Functions,
		NodeDependencies: req.NodeDependencies, nodeDepsID: depsID}
	if req.NodeVersion != nil {
		v.NodeVersion = *req.NodeVersion
	}
	if len(v.Schema) > 0 {
		if _, err := parseSchemaIndexes(v.Schema); err != nil {
			return nil, nil, &Error{Status: 400, Code: "InvalidSchema", Message: err.Error(), Err: err}
		}
	}
	if err := checkCronsOf(&v.Code); err != nil {
		return nil, nil, err
	}
	defs, err := a.analyzeComponents(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	if err := a.evaluateDefinitions(ctx, root, defs, a.functionEnv(env)); err != nil {
		return nil, nil, err
	}
	defs[""] = root
	comps := map[string]*Component{}
	if err := instantiate(defs, root, "", comps, !req.ForCodegen); err != nil {
		return nil, nil, err
	}
	if cur := a.active.Load(); cur != nil {
		for p, c := range cur.Components {
			if _, ok := comps[p]; !ok {
				comps[p] = &Component{Code: Code{Schema: c.Schema, Functions: map[string]FunctionInfo{}}, DefinitionPath: c.DefinitionPath, Unmounted: true}
			}
		}
	}
	if len(comps) > 0 {
		v.Components = comps
	}
	return v, &pushAnalysis{defs: defs}, nil
}

// pushDiff analyzes a push and compares the indexes of each mounted
// instance with the live version's.
func (a *App) pushDiff(ctx context.Context, req *StartPushRequest) (*Version, *pushAnalysis, map[string]indexDiff, error) {
	v, pa, err := a.analyzePush(ctx, req)
	if err != nil {
		return nil, nil, nil, err
	}
	cur, err := a.ActiveVersion(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	diffs := map[string]indexDiff{}
	for _, p := range v.mountedPaths() {
		d, err := diffIndexes(cur.schemaOf(p), v.code(p).Schema)
		if err != nil {
			return nil, nil, nil, err
		}
		diffs[p] = d
	}
	return v, pa, diffs, nil
}

// StartPush analyzes a push and returns what the CLI needs for codegen and
// for finish_push. Nothing becomes live until FinishPush.
func (a *App) StartPush(ctx context.Context, req *StartPushRequest) (*StartPushResponse, error) {
	v, pa, diffs, err := a.pushDiff(ctx, req)
	if err != nil {
		return nil, err
	}
	env, err := a.EnvVars(ctx)
	if err != nil {
		return nil, err
	}
	check, err := a.schemaCheck(ctx, v)
	if err != nil {
		return nil, err
	}
	if !req.DryRun {
		if err := a.startBackfills(ctx, v, check); err != nil {
			return nil, err
		}
	}
	analysis := map[string]any{}
	packages := map[string]json.RawMessage{}
	for p, d := range pa.defs {
		analysis[p] = definitionAnalysis(d, p == "")
		if p != "" {
			packages[p] = json.RawMessage("null")
		}
	}
	resp := &StartPushResponse{
		EnvironmentVariables:        env,
		ExternalDepsID:              v.externalDepsID(),
		ComponentDefinitionPackages: packages,
		AppAuth:                     authInfos(v.AuthConfig),
		Analysis:                    analysis,
		App:                         checkedComponent(v, ""),
		SchemaChange: schemaChange{
			AllocatedComponentIDs: map[string]any{},
			SchemaIDs:             check,
			IndexDiffs:            diffs,
		},
		HullVersion: v,
	}
	return resp, nil
}

// EvaluatePush answers evaluate_push: the index changes a push would make,
// with no side effects beyond storing content-addressed modules.
func (a *App) EvaluatePush(ctx context.Context, req *StartPushRequest) (map[string]any, error) {
	_, _, diffs, err := a.pushDiff(ctx, req)
	if err != nil {
		return nil, err
	}
	return map[string]any{"schemaChange": schemaChange{
		AllocatedComponentIDs: map[string]any{}, SchemaIDs: map[string]any{},
		IndexDiffs: diffs,
	}}, nil
}

// FinishPush makes the pushed version live in one commit: the modules,
// functions, schemas and indexes, HTTP routes and crons of the app and of
// every component instance together.
func (a *App) FinishPush(ctx context.Context, req *FinishPushRequest) (map[string]any, error) {
	v := req.StartPush.HullVersion
	if v == nil {
		return nil, pushError("InvalidPush", "finish_push needs the start_push response of hull; run the deploy again.")
	}
	if err := a.checkModulesStored(ctx, v); err != nil {
		return nil, err
	}
	env, err := a.EnvVars(ctx)
	if err != nil {
		return nil, err
	}
	if !maps.Equal(env, req.StartPush.EnvironmentVariables) && req.StartPush.EnvironmentVariables != nil {
		return nil, &Error{Status: 400, Code: "RaceDetected", Message: "Environment variables changed during the push; push again."}
	}
	cur, err := a.ActiveVersion(ctx)
	if err != nil {
		return nil, err
	}
	diffs := map[string]any{}
	for _, p := range v.mountedPaths() {
		d, err := componentDiff(cur, v, p)
		if err != nil {
			return nil, err
		}
		diffs[p] = d
	}
	for p, c := range v.Components {
		if old, ok := cur.component(p); c.Unmounted && ok && !old.Unmounted {
			diffs[p] = map[string]any{
				"diffType":      map[string]string{"type": "unmount"},
				"moduleDiff":    map[string]any{"added": []string{}, "removed": modulePaths(&old.Code)},
				"udfConfigDiff": nil,
				"cronDiff":      cronDiff(&old.Code, nil),
				"indexDiff":     indexDiff{Added: []indexConfig{}, Removed: []indexConfig{}},
				"schemaDiff":    nil,
			}
		}
	}
	if !req.DryRun {
		if err := a.activateWhenIndexed(ctx, v); err != nil {
			return nil, err
		}
	}
	return map[string]any{
		"authDiff":        map[string]any{"added": []string{}, "removed": []string{}},
		"definitionDiffs": map[string]any{},
		"componentDiffs":  diffs,
	}, nil
}

// componentDiff is the finish_push diff of the mounted instance at path.
func componentDiff(cur, next *Version, path string) (map[string]any, error) {
	kind := "modify"
	var oldCode *Code
	if path == "" {
		if cur != nil {
			oldCode = &cur.Code
		}
	} else if c, ok := cur.component(path); !ok {
		kind = "create"
	} else if c.Unmounted {
		kind = "remount"
	} else {
		oldCode = &c.Code
	}
	code := next.code(path)
	diff, err := diffIndexes(cur.schemaOf(path), code.Schema)
	if err != nil {
		return nil, err
	}
	added, removed := moduleDiff(oldCode, code)
	var prevSchema, nextSchema any
	if s := cur.schemaOf(path); len(s) > 0 {
		prevSchema = string(s)
	}
	if len(code.Schema) > 0 {
		nextSchema = string(code.Schema)
	}
	return map[string]any{
		"diffType":      map[string]string{"type": kind},
		"moduleDiff":    map[string]any{"added": added, "removed": removed},
		"udfConfigDiff": nil,
		"cronDiff":      cronDiff(oldCode, code),
		"indexDiff":     diff,
		"schemaDiff":    map[string]any{"previous_schema": prevSchema, "next_schema": nextSchema},
	}, nil
}

// schemaOf returns the schema of the instance at path, mounted or not
// (an unmounted instance's tables keep theirs).
func (v *Version) schemaOf(path string) json.RawMessage {
	if v == nil {
		return nil
	}
	if path == "" {
		return v.Schema
	}
	if c, ok := v.Components[path]; ok {
		return c.Schema
	}
	return nil
}

func modulePaths(c *Code) []string {
	out := []string{}
	for _, m := range c.Modules {
		out = append(out, m.Path)
	}
	return out
}

func moduleDiff(cur, next *Code) (added, removed []string) {
	old := map[string]bool{}
	if cur != nil {
		for _, m := range cur.Modules {
			old[m.Path] = true
		}
	}
	now := map[string]bool{}
	for _, m := range next.Modules {
		now[m.Path] = true
		if !old[m.Path] {
			added = append(added, m.Path)
		}
	}
	for p := range old {
		if !now[p] {
			removed = append(removed, p)
		}
	}
	slices.Sort(removed)
	if added == nil {
		added = []string{}
	}
	if removed == nil {
		removed = []string{}
	}
	return added, removed
}

// checkModulesStored refuses a version naming modules the store lacks (a
// finish_push body is the client's echo of start_push and may be edited).
func (a *App) checkModulesStored(ctx context.Context, v *Version) error {
	var keys []persistence.ModuleKey
	for _, p := range v.mountedPaths() {
		for _, m := range v.code(p).Modules {
			keys = append(keys, persistence.ModuleKey{Path: m.Path, Environment: m.Environment, SHA256: m.SHA256})
		}
	}
	have, err := a.store.HasModules(ctx, keys)
	if err != nil {
		return fmt.Errorf("check pushed modules: %w", err)
	}
	for _, k := range keys {
		if !have[k] {
			return pushError("ModuleNotFound", "finish_push names module %s (sha256 %s), which was never pushed; run the deploy again.", k.Path, k.SHA256)
		}
	}
	return nil
}

// SchemaCheck is what start_push found when it checked the pushed schema
// against the existing documents. It travels to wait_for_schema inside the
// schemaChange the CLI echoes (under schemaIds, which the CLI treats as
// opaque).
type SchemaCheck struct {
	Failed    string  `json:"failed,omitempty"`
	TableName *string `json:"tableName,omitempty"`
	// Indexes names ("table.index") the indexes the push waits for.
	Indexes []string `json:"indexes,omitempty"`
}

// schemaCheck validates the existing documents of every mounted instance
// against its pushed schema without writing anything, so a violation is
// reported by wait_for_schema (as Convex does) and the live version is
// never touched.
func (a *App) schemaCheck(ctx context.Context, v *Version) (map[string]any, error) {
	out := map[string]any{}
	errFailed := errors.New("schema check failed")
	err := v.eachSchema(func(p string, s *database.Schema) error {
		err := a.db.CheckSchema(ctx, p, s)
		var sv *database.SchemaViolation
		switch {
		case errors.As(err, &sv):
			table := sv.Table
			out[p] = SchemaCheck{Failed: sv.Error(), TableName: &table}
			return errFailed
		case err != nil:
			return fmt.Errorf("check the existing documents of %s against its schema: %w", componentLabel(p), err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFailed) {
		return nil, err
	}
	return out, nil
}

// storedModule is the module store's row for a pushed module, keyed by
// the hash of its source and source map as the CLI keys it.
func storedModule(m ModuleConfig) persistence.Module {
	pm := persistence.Module{Path: m.Path, Environment: m.Environment, SHA256: moduleHash(m.Source, m.SourceMap), Source: []byte(m.Source)}
	if m.SourceMap != nil {
		pm.SourceMap = []byte(*m.SourceMap)
	}
	return pm
}

// isolateModules is the part of a push's module set the default runtime
// loads: everything but the "use node" modules and their chunks.
func isolateModules(set moduleSet, keys []ModuleHash) moduleSet {
	out := make(moduleSet, len(set))
	for p, m := range set {
		out[p] = m
	}
	for _, k := range keys {
		if k.Environment == "node" {
			delete(out, k.Path)
		}
	}
	return out
}
