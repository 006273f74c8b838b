package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"hull/database"
	"hull/runtime"
	"hull/value"
)

// System queries are the _system/cli/* functions the CLI runs over the
// sync protocol (env get/list, data, function-spec, dev's table watcher),
// answered natively, and the _system/frontend/* functions of dashboards
// (frontend.go). They need an admin identity, and answer for the
// component instance the query names (data --component, run
// --component).

// systemQuery answers one system query; ok is false for paths that are
// not system queries.
func (a *App) systemQuery(ctx context.Context, req CallRequest) (*CallResult, bool, error) {
	if !strings.HasPrefix(req.Path.Module, "_system/") {
		return nil, false, nil
	}
	name := strings.TrimSuffix(req.Path.Module, ".js") + ":" + req.Path.Export
	if !req.Admin {
		return userErr("Could not find public function for '%s'. System functions need an admin key.", req.Path), true, nil
	}
	var args map[string]json.RawMessage
	if err := json.Unmarshal(req.Args, &args); err != nil {
		return userErr("ArgumentValidationError: %s takes an object of arguments.", req.Path), true, nil
	}
	if res, ok, err := a.frontendCall(ctx, req, name, args); ok {
		return res, true, err
	}
	tx, err := a.db.BeginRead(ctx, req.At)
	if err != nil {
		return nil, true, fmt.Errorf("begin system query: %w", err)
	}
	defer tx.Rollback()
	comp := req.Component
	active := a.active.Load()
	if comp != "" {
		if _, ok := active.component(comp); !ok {
			return userErr("Could not find component %q in this deployment.", comp), true, nil
		}
	}
	root := tx
	tx = tx.In(comp)
	var v value.Value
	switch name {
	case "_system/cli/queryEnvironmentVariables:default":
		v = a.envList()
	case "_system/cli/queryEnvironmentVariables:get":
		v = a.envGet(stringArg(args, "name"))
	case "_system/cli/tables:default":
		v = userTables(tx)
	case "_system/cli/tableData:default":
		v, err = tableData(ctx, root, comp, args)
	case "_system/cli/tableSize:default", "_system/cli/queryTable:default":
		v, err = tableSize(ctx, tx, stringArg(args, "tableName"))
	case "_system/cli/modules:apiSpec":
		v = apiSpec(active, comp)
	case "_system/cli/convexUrl:cloudUrl":
		v = value.String(a.opts.CloudURL())
	case "_system/cli/exports:getLatest":
		v, err = latestExportValue(ctx, root)
	case "_system/cli/queryImport:default":
		v, err = importDocs(ctx, root, stringArg(args, "importId"))
	case "_system/cli/queryImport:list":
		v, err = importDocs(ctx, root, "")
	case "_system/frontend/components:list":
		v = componentList(active)
	case "_system/frontend/listCronJobs:default":
		v, err = listCronJobs(ctx, root, comp)
	case "_system/frontend/listCronJobRuns:default":
		var runs value.Array
		runs, err = cronTableData(ctx, root, comp, cronLogsTable, false)
		for i, r := range runs {
			runs[i] = argsAsBytes(r.(value.Object))
		}
		v = runs
	default:
		return userErr("Could not find function for '%s'.", req.Path), true, nil
	}
	if err != nil {
		if database.IsUserError(err) {
			return &CallResult{Kind: runtime.KindQuery, Err: &runtime.UserError{Message: err.Error()}}, true, nil
		}
		return nil, true, err
	}
	// A system result depends on everything: any commit re-runs it (only
	// CLI sessions hold these, briefly).
	return &CallResult{Kind: runtime.KindQuery, Value: value.ToJSON(v), TS: tx.SnapshotTS()}, true, nil
}

func stringArg(args map[string]json.RawMessage, name string) string {
	var s string
	_ = json.Unmarshal(args[name], &s)
	return s
}

func (a *App) envList() value.Value {
	env := map[string]string{}
	if m := a.env.Load(); m != nil {
		env = *m
	}
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(value.Array, 0, len(names))
	for _, n := range names {
		out = append(out, envDoc(n, env[n]))
	}
	return out
}

func (a *App) envGet(name string) value.Value {
	if m := a.env.Load(); m != nil {
		if v, ok := (*m)[name]; ok {
			return envDoc(name, v)
		}
	}
	return value.Null{}
}

func envDoc(name, val string) value.Object {
	return value.MustObject(value.Field{Name: "name", Value: value.String(name)}, value.Field{Name: "value", Value: value.String(val)})
}

func userTables(tx *database.Tx) value.Value {
	seen := map[string]bool{}
	var names []string
	for _, ix := range tx.Indexes() {
		if !seen[ix.Table] {
			seen[ix.Table] = true
			names = append(names, ix.Table)
		}
	}
	sort.Strings(names)
	page := make(value.Array, 0, len(names))
	for _, n := range names {
		page = append(page, value.MustObject(value.Field{Name: "name", Value: value.String(n)}))
	}
	return value.MustObject(
		value.Field{Name: "page", Value: page},
		value.Field{Name: "isDone", Value: value.Boolean(true)},
		value.Field{Name: "continueCursor", Value: value.String("end")},
	)
}

// tableData pages through a table of the instance at comp (root views
// the app's namespace, where the cron tables are).
func tableData(ctx context.Context, root *database.Tx, comp string, args map[string]json.RawMessage) (value.Value, error) {
	tx := root.In(comp)
	table := stringArg(args, "table")
	var opts struct {
		Cursor   *string `json:"cursor"`
		NumItems float64 `json:"numItems"`
	}
	_ = json.Unmarshal(args["paginationOpts"], &opts)
	n := int(opts.NumItems)
	if n <= 0 || n > 1000 {
		n = 100
	}
	if table == cronsTable || table == cronLogsTable {
		// Not user data, but what an operator wants to see of crons.
		docs, err := cronTableData(ctx, root, comp, table, stringArg(args, "order") != "asc")
		if err != nil {
			return nil, err
		}
		return value.MustObject(
			value.Field{Name: "page", Value: docs},
			value.Field{Name: "isDone", Value: value.Boolean(true)},
			value.Field{Name: "continueCursor", Value: value.String("end")},
		), nil
	}
	if _, ok := tx.TableNumber(table); !ok {
		return value.MustObject(
			value.Field{Name: "page", Value: value.Array{}},
			value.Field{Name: "isDone", Value: value.Boolean(true)},
			value.Field{Name: "continueCursor", Value: value.String("")},
		), nil
	}
	q := &database.Query{Kind: database.FullTableScan, Table: table, Descending: stringArg(args, "order") != "asc"}
	p, err := tx.QueryPage(ctx, database.PageRequest{Query: q, Cursor: opts.Cursor, PageSize: n})
	if err != nil {
		return nil, err
	}
	docs := make(value.Array, 0, len(p.Page))
	for _, d := range p.Page {
		docs = append(docs, d)
	}
	return value.MustObject(
		value.Field{Name: "page", Value: docs},
		value.Field{Name: "isDone", Value: value.Boolean(p.IsDone)},
		value.Field{Name: "continueCursor", Value: value.String(p.ContinueCursor)},
	), nil
}

func tableSize(ctx context.Context, tx *database.Tx, table string) (value.Value, error) {
	if _, ok := tx.TableNumber(table); !ok {
		return value.Float64(0), nil
	}
	n, err := tx.Count(ctx, table)
	if err != nil {
		return nil, err
	}
	return value.Float64(n), nil
}

// apiSpec describes the deployed functions of the instance at comp as
// `npx convex function-spec` prints them.
func apiSpec(ver *Version, comp string) value.Value {
	out := value.Array{}
	v := ver.code(comp)
	if v == nil {
		return out
	}
	names := make([]string, 0, len(v.Functions))
	for n := range v.Functions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fi := v.Functions[n]
		out = append(out, value.MustObject(
			value.Field{Name: "identifier", Value: value.String(n)},
			value.Field{Name: "functionType", Value: value.String(udfType(fi.Kind))},
			value.Field{Name: "visibility", Value: value.MustObject(value.Field{Name: "kind", Value: value.String(fi.Visibility)})},
			value.Field{Name: "args", Value: validatorValue(fi.Args)},
			value.Field{Name: "returns", Value: validatorValue(fi.Returns)},
		))
	}
	for _, r := range v.HTTPRoutes {
		out = append(out, value.MustObject(
			value.Field{Name: "functionType", Value: value.String("HttpAction")},
			value.Field{Name: "method", Value: value.String(r.Method)},
			value.Field{Name: "path", Value: value.String(r.Path)},
		))
	}
	return out
}

// validatorValue is a validator's JSON as a Convex value ({type: "any"}
// when the function has none).
func validatorValue(js string) value.Value {
	if js != "" {
		if v, err := value.FromJSON([]byte(js)); err == nil {
			return v
		}
	}
	return value.MustObject(value.Field{Name: "type", Value: value.String("any")})
}

// maxCronDocs bounds the cron documents one system query returns (crons
// are few, and each keeps maxLogsPerCron logs).
const maxCronDocs = 1000

// cronTableData lists the _cron_jobs or _cron_job_logs of the instance at
// comp in creation order (tx views the app's namespace, where they are).
func cronTableData(ctx context.Context, tx *database.Tx, comp, table string, desc bool) (value.Array, error) {
	out := value.Array{}
	if _, ok := tx.TableNumber(table); !ok {
		return out, nil
	}
	s, err := tx.SystemQuery(ctx, &database.Query{Kind: database.FullTableScan, Table: table, Descending: desc, Operators: []database.Operator{{Limit: maxCronDocs}}})
	if err != nil {
		return nil, err
	}
	docs, err := s.Collect(ctx)
	for _, d := range docs {
		if strField(d, "component") == comp {
			out = append(out, d)
		}
	}
	return out, err
}

// listCronJobs answers the dashboard's _system/frontend/listCronJobs:
// every cron with its latest run (or null).
func listCronJobs(ctx context.Context, tx *database.Tx, comp string) (value.Value, error) {
	jobs, err := cronTableData(ctx, tx, comp, cronsTable, false)
	if err != nil {
		return nil, err
	}
	out := value.Array{}
	for _, j := range jobs {
		job := j.(value.Object)
		var last value.Value = value.Null{}
		if _, ok := tx.TableNumber(cronLogsTable); ok {
			s, err := tx.SystemQuery(ctx, &database.Query{
				Kind: database.IndexRange, Table: cronLogsTable, Index: cronLogsByNameTS, Descending: true,
				Range: []database.RangeExpr{{Op: "Eq", Field: "name", Value: value.String(strField(job, "name"))}},
			})
			if err != nil {
				return nil, err
			}
			for {
				doc, ok, err := s.Next(ctx)
				if err != nil {
					return nil, err
				}
				if !ok {
					break
				}
				if strField(doc, "component") == comp {
					last = doc
					break
				}
			}
		}
		out = append(out, dashboardCron(job, last))
	}
	return out, nil
}

// componentList answers the dashboard's _system/frontend/components:list:
// every component instance below the app, mounted or not, by path (which
// is also its id here).
func componentList(v *Version) value.Value {
	out := value.Array{}
	if v == nil {
		return out
	}
	paths := make([]string, 0, len(v.Components))
	for p := range v.Components {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		c := v.Components[p]
		state := "active"
		if c.Unmounted {
			state = "unmounted"
		}
		out = append(out, value.MustObject(
			value.Field{Name: "id", Value: value.String(p)},
			value.Field{Name: "name", Value: value.String(componentName(p))},
			value.Field{Name: "path", Value: value.String(p)},
			value.Field{Name: "definitionPath", Value: value.String(c.DefinitionPath)},
			value.Field{Name: "state", Value: value.String(state)},
		))
	}
	return out
}
