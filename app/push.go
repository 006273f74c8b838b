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

// checkSupported refuses the parts of a push hull cannot run yet, naming them.
func checkSupported(req *StartPushRequest) error {
	if len(req.ComponentDefinitions) > 0 || len(req.AppDefinition.Dependencies) > 0 {
		return pushError("ComponentsNotSupported",
			"This app uses components (app.use in convex.config.ts); hull does not support components yet. Remove them to deploy to hull.")
	}
	return nil
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
		hash := moduleHash(m.Source, m.SourceMap)
		pm := persistence.Module{Path: m.Path, Environment: m.Environment, SHA256: hash, Source: []byte(m.Source)}
		if m.SourceMap != nil {
			pm.SourceMap = []byte(*m.SourceMap)
		}
		toStore = append(toStore, pm)
		addModule(set, pm)
		if isFunction {
			keys = append(keys, ModuleHash{Path: m.Path, Environment: m.Environment, SHA256: hash})
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

// analyzePush evaluates a push into the version it would deploy.
func (a *App) analyzePush(ctx context.Context, req *StartPushRequest) (*Version, *runtime.Analysis, error) {
	if err := checkSupported(req); err != nil {
		return nil, nil, err
	}
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
	v := &Version{
		Modules:          keys,
		Functions:        map[string]FunctionInfo{},
		Schema:           an.Schema,
		HTTPRoutes:       an.HTTPRoutes,
		Crons:            an.Crons,
		AuthConfig:       an.AuthConfig,
		UDFServerVersion: req.AppDefinition.UDFServerVersion,
		FunctionsDir:     req.Functions,
		NodeDependencies: req.NodeDependencies,
		nodeDepsID:       depsID,
	}
	if req.NodeVersion != nil {
		v.NodeVersion = *req.NodeVersion
	}
	isNode := map[string]bool{}
	for _, m := range nodeMods {
		isNode[m.Path] = true
	}
	for _, m := range an.Modules {
		for _, f := range m.Functions {
			v.Functions[m.Path+":"+f.Name] = FunctionInfo{Kind: f.Kind, Visibility: f.Visibility, Args: string(f.Args), Returns: string(f.Returns), Node: isNode[m.Path]}
		}
	}
	if len(v.Schema) > 0 {
		if _, err := parseSchemaIndexes(v.Schema); err != nil {
			return nil, nil, &Error{Status: 400, Code: "InvalidSchema", Message: err.Error(), Err: err}
		}
	}
	if err := checkCrons(v); err != nil {
		return nil, nil, err
	}
	return v, an, nil
}

// pushDiff analyzes a push and compares its indexes with the active
// version's.
func (a *App) pushDiff(ctx context.Context, req *StartPushRequest) (*Version, *runtime.Analysis, indexDiff, error) {
	v, an, err := a.analyzePush(ctx, req)
	if err != nil {
		return nil, nil, indexDiff{}, err
	}
	cur, err := a.ActiveVersion(ctx)
	if err != nil {
		return nil, nil, indexDiff{}, err
	}
	diff, err := diffIndexes(cur, v)
	if err != nil {
		return nil, nil, indexDiff{}, err
	}
	return v, an, diff, nil
}

// StartPush analyzes a push and returns what the CLI needs for codegen and
// for finish_push. Nothing becomes live until FinishPush.
func (a *App) StartPush(ctx context.Context, req *StartPushRequest) (*StartPushResponse, error) {
	v, an, diff, err := a.pushDiff(ctx, req)
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
	resp := &StartPushResponse{
		EnvironmentVariables:        env,
		ExternalDepsID:              v.externalDepsID(),
		ComponentDefinitionPackages: map[string]json.RawMessage{},
		AppAuth:                     authInfos(v.AuthConfig),
		Analysis:                    map[string]any{"": convexAnalysis(v, an)},
		App:                         checkedApp(v),
		SchemaChange: schemaChange{
			AllocatedComponentIDs: map[string]any{},
			SchemaIDs:             check,
			IndexDiffs:            map[string]indexDiff{"": diff},
		},
		HullVersion: v,
	}
	return resp, nil
}

// EvaluatePush answers evaluate_push: the index changes a push would make,
// with no side effects beyond storing content-addressed modules.
func (a *App) EvaluatePush(ctx context.Context, req *StartPushRequest) (map[string]any, error) {
	_, _, diff, err := a.pushDiff(ctx, req)
	if err != nil {
		return nil, err
	}
	return map[string]any{"schemaChange": schemaChange{
		AllocatedComponentIDs: map[string]any{}, SchemaIDs: map[string]any{},
		IndexDiffs: map[string]indexDiff{"": diff},
	}}, nil
}

// FinishPush makes the pushed version live in one commit: modules,
// functions, schema and indexes, HTTP routes and crons together.
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
	diff, err := diffIndexes(cur, v)
	if err != nil {
		return nil, err
	}
	if !req.DryRun {
		if err := a.activateWhenIndexed(ctx, v); err != nil {
			return nil, err
		}
	}
	added, removed := moduleDiff(cur, v)
	var prevSchema, nextSchema any
	if cur != nil && len(cur.Schema) > 0 {
		prevSchema = string(cur.Schema)
	}
	if len(v.Schema) > 0 {
		nextSchema = string(v.Schema)
	}
	return map[string]any{
		"authDiff":        map[string]any{"added": []string{}, "removed": []string{}},
		"definitionDiffs": map[string]any{},
		"componentDiffs": map[string]any{"": map[string]any{
			"diffType":      map[string]string{"type": "modify"},
			"moduleDiff":    map[string]any{"added": added, "removed": removed},
			"udfConfigDiff": nil,
			"cronDiff":      cronDiff(cur, v),
			"indexDiff":     diff,
			"schemaDiff":    map[string]any{"previous_schema": prevSchema, "next_schema": nextSchema},
		}},
	}, nil
}

func moduleDiff(cur, next *Version) (added, removed []string) {
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
	keys := make([]persistence.ModuleKey, 0, len(v.Modules))
	for _, m := range v.Modules {
		keys = append(keys, persistence.ModuleKey{Path: m.Path, Environment: m.Environment, SHA256: m.SHA256})
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

// schemaCheck validates the existing documents against the pushed schema
// without writing anything, so a violation is reported by wait_for_schema
// (as Convex does) and the live version is never touched.
func (a *App) schemaCheck(ctx context.Context, v *Version) (map[string]any, error) {
	out := map[string]any{}
	if len(v.Schema) == 0 {
		return out, nil
	}
	s, err := database.ParseSchema(v.Schema)
	if err != nil {
		return nil, &Error{Status: 400, Code: "InvalidSchema", Message: err.Error(), Err: err}
	}
	err = a.db.CheckSchema(ctx, s)
	var sv *database.SchemaViolation
	switch {
	case errors.As(err, &sv):
		table := sv.Table
		out[""] = SchemaCheck{Failed: sv.Error(), TableName: &table}
	case err != nil:
		return nil, fmt.Errorf("check existing documents against the schema: %w", err)
	}
	return out, nil
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
