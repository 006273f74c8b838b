package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"hull/database"
)

// Deployment metadata for dashboards: modules and their functions, the
// schema, tables and indexes, environment variables.

// moduleFunction is one function of a module as dashboards list it.
type moduleFunction struct {
	Name       string            `json:"name"`
	UDFType    string            `json:"udfType"`
	Visibility map[string]string `json:"visibility"`
	Args       string            `json:"args,omitempty"`
}

// moduleEntry is one module: its functions and a value that changes when
// its code does (dashboards refetch source on a change).
type moduleEntry struct {
	Functions       []moduleFunction `json:"functions"`
	SourcePackageID string           `json:"sourcePackageId"`
}

// snapshotState reads the active version and the environment variables
// as of tx's snapshot. A dashboard subscription re-runs at every commit,
// and the commit of a deploy or an env change is visible before the
// in-memory copies switch: reading the snapshot never shows the state
// from before a commit the subscription has already seen.
func snapshotState(ctx context.Context, tx *database.Tx) (*Version, map[string]string, error) {
	docs, err := tx.SystemScan(ctx, stateTable)
	if err != nil {
		return nil, nil, err
	}
	var v *Version
	env := map[string]string{}
	for _, d := range docs {
		switch strField(d, "kind") {
		case "version":
			v = &Version{}
			if err := json.Unmarshal([]byte(strField(d, "json")), v); err != nil {
				return nil, nil, fmt.Errorf("decode the active version: %w", err)
			}
		case "env":
			env[strField(d, "name")] = strField(d, "value")
		}
	}
	return v, env, nil
}

func snapshotVersion(ctx context.Context, tx *database.Tx) (*Version, error) {
	v, _, err := snapshotState(ctx, tx)
	return v, err
}

// moduleList is a version's modules, by path, with their functions
// ([path, entry] pairs in path order).
func moduleList(v *Version) [][2]any {
	out := [][2]any{}
	if v == nil {
		return out
	}
	byPath := map[string]*moduleEntry{}
	hashes := map[string]string{}
	for _, m := range v.Modules {
		hashes[m.Path] = m.SHA256
	}
	entry := func(path string) *moduleEntry {
		e := byPath[path]
		if e == nil {
			e = &moduleEntry{Functions: []moduleFunction{}, SourcePackageID: hashes[path]}
			byPath[path] = e
		}
		return e
	}
	for id, fi := range v.Functions {
		path, name, _ := strings.Cut(id, ":")
		vis := fi.Visibility
		if vis == "" {
			vis = "public"
		}
		entry(path).Functions = append(entry(path).Functions, moduleFunction{Name: name, UDFType: udfType(fi.Kind), Visibility: map[string]string{"kind": vis}, Args: fi.Args})
	}
	for _, r := range v.HTTPRoutes {
		e := entry("http.js")
		e.Functions = append(e.Functions, moduleFunction{Name: r.Method + " " + r.Path, UDFType: "HttpAction", Visibility: map[string]string{"kind": "public"}})
	}
	paths := make([]string, 0, len(byPath))
	for p, e := range byPath {
		sort.Slice(e.Functions, func(i, j int) bool { return e.Functions[i].Name < e.Functions[j].Name })
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		out = append(out, [2]any{p, byPath[p]})
	}
	return out
}

func listModulesAllComponents(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	v, err := snapshotVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	return []any{[2]any{nil, moduleList(v)}}, nil
}

func listModules(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	v, err := snapshotVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	return moduleList(v), nil
}

// argsValidator returns the args validator JSON (a string) of a function
// named "dir/module:export", or null.
func argsValidator(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var fn string
	if err := decodeArg(args, "function", &fn, true); err != nil {
		return nil, err
	}
	v, err := snapshotVersion(ctx, tx)
	if err != nil || v == nil {
		return nil, err
	}
	path, name, ok := strings.Cut(fn, ":")
	if !ok {
		name = "default"
	}
	fi, ok := v.Functions[strings.TrimSuffix(path, ".js")+".js:"+name]
	if !ok {
		return nil, nil
	}
	if fi.Args == "" {
		return `{"type":"any"}`, nil
	}
	return fi.Args, nil
}

func serverVersion(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	v, err := snapshotVersion(ctx, tx)
	if err != nil || v == nil || v.UDFServerVersion == "" {
		return nil, err
	}
	return v.UDFServerVersion, nil
}

// listEnvDocs lists the environment variables as documents of Convex's
// _environment_variables table, by name.
func listEnvDocs(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	_, env, err := snapshotState(ctx, tx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]any, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]any{"_id": "env:" + n, "_creationTime": 0, "name": n, "value": env[n]})
	}
	return out, nil
}

// tableMapping maps table numbers (as strings) to user table names.
func tableMapping(_ context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	out := map[string]string{}
	for _, name := range userTableNames(tx) {
		if n, ok := tx.TableNumber(name); ok {
			out[strconv.FormatUint(uint64(n), 10)] = name
		}
	}
	return out, nil
}

// schemas returns the active schema as the JSON string the CLI pushed.
func schemas(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	out := map[string]any{}
	v, err := snapshotVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	if v != nil && len(v.Schema) > 0 {
		out["active"] = string(v.Schema)
	}
	return out, nil
}

func frontendTableSize(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var table string
	if err := decodeArg(args, "tableName", &table, false); err != nil {
		return nil, err
	}
	if table == "" {
		return 0, nil
	}
	return countTable(ctx, tx, table)
}

func countTable(ctx context.Context, tx *database.Tx, table string) (int64, error) {
	if _, ok := tx.TableNumber(table); !ok || strings.HasPrefix(table, "_") {
		return 0, nil
	}
	return tx.Count(ctx, table)
}

func sizeOfAllTables(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	var total int64
	for _, t := range userTableNames(tx) {
		n, err := countTable(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		total += n
	}
	return total, nil
}

// IndexInfo is one index as dashboards show it: its fields and backfill
// state ("backfilling" with progress, or "done").
type IndexInfo struct {
	Table    string         `json:"table"`
	Name     string         `json:"name"`
	Fields   []string       `json:"fields"`
	Staged   bool           `json:"staged"`
	Backfill map[string]any `json:"backfill"`
}

// Indexes lists the schema indexes of user tables with their backfill
// progress (table "" for all tables).
func (a *App) Indexes(table string) []IndexInfo {
	st, _ := a.db.IndexStatuses()
	out := []IndexInfo{}
	for _, s := range st {
		if (table != "" && s.Table != table) || s.Name == "by_id" || s.Name == "by_creation_time" {
			continue
		}
		bf := map[string]any{"state": "done"}
		if !s.Ready {
			bf = map[string]any{"state": "backfilling", "stats": map[string]any{"numDocsIndexed": s.Indexed, "totalDocs": s.Total}}
		}
		fields := s.Fields
		if fields == nil {
			fields = []string{}
		}
		out = append(out, IndexInfo{Table: s.Table, Name: s.Name, Fields: fields, Staged: s.Staged, Backfill: bf})
	}
	return out
}

func tableIndexes(_ context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var table string
	if err := decodeArg(args, "tableName", &table, false); err != nil {
		return nil, err
	}
	if table == "" {
		return nil, nil
	}
	if _, ok := tx.TableNumber(table); !ok {
		return nil, nil
	}
	out := []any{}
	for _, ix := range a.Indexes(table) {
		out = append(out, map[string]any{"name": ix.Name, "fields": ix.Fields, "staged": ix.Staged, "backfill": ix.Backfill})
	}
	return out, nil
}

// authProviders lists the providers of the deployed auth.config.
func authProviders(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	v, err := snapshotVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return []json.RawMessage{}, nil
	}
	return authInfos(v.AuthConfig), nil
}
