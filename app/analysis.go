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

// definitionAnalysis renders one definition of a push as the CLI's
// EvaluatedComponentDefinition: what its convex.config.ts exported (a
// component's exports being its public functions, which codegen turns
// into the components API), its schema, functions and UDF config.
func definitionAnalysis(d *pushedDefinition, root bool) map[string]any {
	type fn struct {
		Name       string            `json:"name"`
		UDFType    string            `json:"udfType"`
		Visibility map[string]string `json:"visibility"`
		Args       *string           `json:"args"`
		Returns    *string           `json:"returns"`
	}
	functions := map[string]any{}
	for _, m := range d.an.Modules {
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
	if len(d.code.Schema) > 0 {
		var s map[string]any
		if json.Unmarshal(d.code.Schema, &s) == nil {
			schema = s
		}
	}
	def := map[string]any{}
	for k, v := range d.export {
		def[k] = v
	}
	def["path"] = d.path
	if _, ok := def["childComponents"]; !ok {
		def["childComponents"] = []any{}
	}
	if _, ok := def["httpMounts"]; !ok {
		def["httpMounts"] = map[string]any{}
	}
	if root {
		def["exports"] = emptyBranch()
	} else {
		def["exports"] = exportsOf(&d.code)
	}
	return map[string]any{
		"definition": def,
		"schema":     schema,
		"functions":  functions,
		"udfConfig":  map[string]any{"serverVersion": d.code.UDFServerVersion},
	}
}

// checkedComponent renders the CheckedComponent of the instance at path,
// with its mounted children.
func checkedComponent(v *Version, path string) map[string]any {
	code := v.code(path)
	var routes any
	if len(code.HTTPRoutes) > 0 {
		rs := []map[string]string{}
		for _, r := range code.HTTPRoutes {
			rs = append(rs, map[string]string{"method": r.Method, "path": r.Pattern()})
		}
		routes = rs
	}
	children := map[string]any{}
	mounts := []string{}
	for _, p := range v.mountedPaths() {
		if p == "" || parentPath(p) != path {
			continue
		}
		children[componentName(p)] = checkedComponent(v, p)
		if c, _ := v.component(p); c.HTTPPrefix != "" {
			mounts = append(mounts, c.HTTPPrefix)
		}
	}
	defPath := ""
	if c, ok := v.component(path); ok {
		defPath = c.DefinitionPath
	}
	return map[string]any{
		"definitionPath":  defPath,
		"componentPath":   path,
		"args":            map[string]any{},
		"childComponents": children,
		"httpRoutes":      map[string]any{"httpModuleRoutes": routes, "mounts": mounts},
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

// diffIndexes compares the indexes of a live schema and a new one.
func diffIndexes(oldRaw, nextRaw json.RawMessage) (indexDiff, error) {
	old, err := parseSchemaIndexes(oldRaw)
	if err != nil {
		return indexDiff{}, err
	}
	now, err := parseSchemaIndexes(nextRaw)
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
