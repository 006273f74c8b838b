package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"hull/persistence"
	"hull/runtime"
)

// udfType maps a function kind to the CLI's name for it.
func udfType(k runtime.Kind) string {
	switch k {
	case runtime.Kind("query"):
		return "Query"
	case runtime.Kind("mutation"):
		return "Mutation"
	case runtime.Kind("action"):
		return "Action"
	case runtime.Kind("httpAction"):
		return "HttpAction"
	}
	return string(k)
}

// convexAnalysis renders a version as the CLI's EvaluatedComponentDefinition
// for the root app.
func convexAnalysis(v *Version, an *runtime.Analysis) map[string]any {
	type fn struct {
		Name       string            `json:"name"`
		UDFType    string            `json:"udfType"`
		Visibility map[string]string `json:"visibility"`
		Args       *string           `json:"args"`
		Returns    *string           `json:"returns"`
	}
	functions := map[string]any{}
	for _, m := range an.Modules {
		fns := []fn{}
		for _, f := range m.Functions {
			if f.Kind == runtime.Kind("httpAction") {
				continue
			}
			e := fn{Name: f.Name, UDFType: udfType(f.Kind), Visibility: map[string]string{"kind": f.Visibility}}
			if len(f.Args) > 0 {
				s := string(f.Args)
				e.Args = &s
			}
			if len(f.Returns) > 0 {
				s := string(f.Returns)
				e.Returns = &s
			}
			fns = append(fns, e)
		}
		functions[m.Path] = map[string]any{"functions": fns, "httpRoutes": nil, "cronSpecs": nil, "sourceMapped": nil}
	}
	var schema any
	if len(v.Schema) > 0 {
		var s map[string]any
		if json.Unmarshal(v.Schema, &s) == nil {
			schema = s
		}
	}
	return map[string]any{
		"definition": map[string]any{
			"path":            "",
			"definitionType":  map[string]string{"type": "app"},
			"childComponents": []any{},
			"httpMounts":      map[string]any{},
			"exports":         map[string]any{"type": "branch", "branch": []any{}},
		},
		"schema":    schema,
		"functions": functions,
		"udfConfig": map[string]any{"serverVersion": v.UDFServerVersion},
	}
}

// checkedApp renders the root CheckedComponent of a version.
func checkedApp(v *Version) map[string]any {
	var routes any
	if len(v.HTTPRoutes) > 0 {
		rs := []map[string]string{}
		for _, r := range v.HTTPRoutes {
			rs = append(rs, map[string]string{"method": r.Method, "path": r.Pattern()})
		}
		routes = rs
	}
	return map[string]any{
		"definitionPath":  "",
		"componentPath":   "",
		"args":            map[string]any{},
		"childComponents": map[string]any{},
		"httpRoutes":      map[string]any{"httpModuleRoutes": routes, "mounts": []string{}},
		"exports":         map[string]any{},
	}
}

// authInfos extracts the providers of an auth config for start_push. A
// customJwt provider may leave applicationID out (the token's audience is
// then not checked); the CLI wants the key present, so it is sent as null.
func authInfos(cfg json.RawMessage) []json.RawMessage {
	out := []json.RawMessage{}
	if len(cfg) == 0 {
		return out
	}
	var c struct {
		Providers []json.RawMessage `json:"providers"`
	}
	if json.Unmarshal(cfg, &c) != nil {
		return out
	}
	for _, p := range c.Providers {
		out = append(out, withApplicationID(p))
	}
	return out
}

// withApplicationID gives a customJwt provider without applicationID an
// explicit null one; anything else is returned as it is.
func withApplicationID(p json.RawMessage) json.RawMessage {
	var fields map[string]json.RawMessage
	if json.Unmarshal(p, &fields) != nil {
		return p
	}
	var typ string
	if json.Unmarshal(fields["type"], &typ) != nil || typ != "customJwt" {
		return p
	}
	if _, ok := fields["applicationID"]; ok {
		return p
	}
	fields["applicationID"] = json.RawMessage("null")
	b, err := json.Marshal(fields)
	if err != nil {
		return p
	}
	return b
}

// schemaIndexes is the set of database indexes a schema declares, keyed
// "table.index".
type schemaIndexes map[string]indexConfig

func parseSchemaIndexes(raw json.RawMessage) (schemaIndexes, error) {
	out := schemaIndexes{}
	if len(raw) == 0 {
		return out, nil
	}
	var s struct {
		Tables []struct {
			TableName string `json:"tableName"`
			Indexes   []struct {
				IndexDescriptor string   `json:"indexDescriptor"`
				Fields          []string `json:"fields"`
			} `json:"indexes"`
			SearchIndexes []struct {
				IndexDescriptor string   `json:"indexDescriptor"`
				SearchField     string   `json:"searchField"`
				FilterFields    []string `json:"filterFields"`
			} `json:"searchIndexes"`
			VectorIndexes []struct {
				IndexDescriptor string   `json:"indexDescriptor"`
				VectorField     string   `json:"vectorField"`
				Dimensions      int      `json:"dimensions"`
				FilterFields    []string `json:"filterFields"`
			} `json:"vectorIndexes"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("schema.ts did not export a valid schema: %w", err)
	}
	for _, t := range s.Tables {
		for _, ix := range t.Indexes {
			out[t.TableName+"."+ix.IndexDescriptor] = indexConfig{Name: t.TableName + "." + ix.IndexDescriptor, Type: "database", Fields: ix.Fields}
		}
		for _, ix := range t.SearchIndexes {
			out[t.TableName+"."+ix.IndexDescriptor] = indexConfig{Name: t.TableName + "." + ix.IndexDescriptor, Type: "search",
				SearchField: ix.SearchField, FilterFields: nonNil(ix.FilterFields)}
		}
		for _, ix := range t.VectorIndexes {
			out[t.TableName+"."+ix.IndexDescriptor] = indexConfig{Name: t.TableName + "." + ix.IndexDescriptor, Type: "vector",
				VectorField: ix.VectorField, Dimensions: ix.Dimensions, FilterFields: nonNil(ix.FilterFields)}
		}
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sameIndex(a, b indexConfig) bool {
	return a.Type == b.Type && slices.Equal(a.Fields, b.Fields) && a.SearchField == b.SearchField &&
		a.VectorField == b.VectorField && a.Dimensions == b.Dimensions && slices.Equal(a.FilterFields, b.FilterFields)
}

// diffIndexes compares the indexes of the active version and a new one.
func diffIndexes(cur, next *Version) (indexDiff, error) {
	var oldRaw json.RawMessage
	if cur != nil {
		oldRaw = cur.Schema
	}
	old, err := parseSchemaIndexes(oldRaw)
	if err != nil {
		return indexDiff{}, err
	}
	now, err := parseSchemaIndexes(next.Schema)
	if err != nil {
		return indexDiff{}, &Error{Status: 400, Code: "InvalidSchema", Message: err.Error(), Err: err}
	}
	d := indexDiff{Added: []indexConfig{}, Removed: []indexConfig{}}
	for name, ix := range now {
		if o, ok := old[name]; !ok || !sameIndex(o, ix) {
			d.Added = append(d.Added, ix)
		}
	}
	for name, ix := range old {
		if n, ok := now[name]; !ok || !sameIndex(n, ix) {
			d.Removed = append(d.Removed, ix)
		}
	}
	sort.Slice(d.Added, func(i, j int) bool { return d.Added[i].Name < d.Added[j].Name })
	sort.Slice(d.Removed, func(i, j int) bool { return d.Removed[i].Name < d.Removed[j].Name })
	return d, nil
}

// moduleSet is one code version's modules, served to the runtime.
type moduleSet = runtime.MapModules

// addModule adds a stored module to a set.
func addModule(s moduleSet, m persistence.Module) {
	s[m.Path] = runtime.Module{Path: m.Path, Source: string(m.Source), SourceMap: string(m.SourceMap), SHA256: m.SHA256}
}
