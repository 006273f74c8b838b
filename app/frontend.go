package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"hull/database"
	"hull/runtime"
	"hull/value"
)

// The _system/frontend/* functions are what a dashboard (hull's own, or
// the official Convex dashboard) subscribes to and calls: the deployment's
// modules, tables, documents, indexes, environment variables, scheduled
// jobs and files. They are answered natively, need an admin identity, and
// their runs are kept out of the function log, as Convex keeps its system
// functions out of it.

// frontendQuery answers one system query of the frontend family over tx;
// ok is false for names it does not know.
type frontendQuery func(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage, journal *string) (out any, newJournal *string, err error)

// frontendMutation runs one system mutation in tx, which the caller
// commits when it returns no error; settle registers work for when tx has
// ended (committed or not).
type frontendMutation func(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage, settle func(func())) (any, error)

var frontendQueries = map[string]frontendQuery{
	"modules:listForAllComponents":    plain(listModulesAllComponents),
	"modules:list":                    plain(listModules),
	"modules:argsValidator":           plain(argsValidator),
	"getVersion:default":              plain(serverVersion),
	"backendState:backendState":       constant(map[string]any{"system": "running", "user": "running", "usage_limit": "none"}),
	"deploymentState:deploymentState": constant(map[string]any{"state": "running"}),
	"convexCloudUrl:default": plain(func(_ context.Context, a *App, _ *database.Tx, _ map[string]json.RawMessage) (any, error) {
		return a.opts.CloudURL(), nil
	}),
	"convexSiteUrl:default": plain(func(_ context.Context, a *App, _ *database.Tx, _ map[string]json.RawMessage) (any, error) {
		return a.opts.SiteURL(), nil
	}),
	"listEnvironmentVariables:default":     plain(listEnvDocs),
	"getTableMapping:default":              plain(tableMapping),
	"getSchemas:default":                   plain(schemas),
	"getSchemas:schemaValidationProgress":  constant(nil),
	"tableSize:default":                    plain(frontendTableSize),
	"tableSize:sizeOfAllTables":            plain(sizeOfAllTables),
	"indexes:default":                      plain(tableIndexes),
	"paginatedTableDocuments:default":      paginatedDocuments,
	"listById:default":                     plain(listByID),
	"getById:default":                      plain(getByID),
	"deploymentEvents:lastPushEvent":       constant(nil),
	"paginatedDeploymentEvents:default":    constant(emptyPage()),
	"listDeploymentEventsFromTime:default": constant([]any{}),
	"listConfiguredSinks:default":          constant([]any{}),
	"listAuthProviders:default":            plain(authProviders),
	"latestExport:default":                 constant(nil),
	"snapshotImport:list":                  constant([]any{}),
	"node:listFunctions":                   constant([]any{}),
	"paginatedScheduledJobs:default":       plain(scheduledJobs),
	// Job arguments travel inline in each job (udfArgs).
	"scheduler:getArgs":          constant(nil),
	"fileStorageV2:fileMetadata": plain(fileMetadata),
	"fileStorageV2:numFiles":     plain(numFiles),
	"fileStorageV2:getFile":      plain(getFile),
}

var frontendMutations = map[string]frontendMutation{
	"addDocument:default":             inTx(addDocuments),
	"patchDocumentsFields:default":    inTx(patchDocuments),
	"replaceDocument:default":         inTx(replaceDocument),
	"deleteDocuments:default":         inTx(deleteDocuments),
	"clearTablePage:default":          inTx(clearTablePage),
	"createTable:default":             inTx(createTable),
	"fileStorageV2:generateUploadUrl": generateUploadURL,
	"fileStorageV2:deleteFiles":       deleteFiles,
}

// inTx adapts a mutation that needs nothing after its transaction.
func inTx(f func(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage) (any, error)) frontendMutation {
	return func(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage, _ func(func())) (any, error) {
		return f(ctx, a, tx, args)
	}
}

func plain(f func(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage) (any, error)) frontendQuery {
	return func(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage, _ *string) (any, *string, error) {
		v, err := f(ctx, a, tx, args)
		return v, nil, err
	}
}

func constant(v any) frontendQuery {
	return func(context.Context, *App, *database.Tx, map[string]json.RawMessage, *string) (any, *string, error) {
		return v, nil, nil
	}
}

func emptyPage() map[string]any {
	return map[string]any{"page": []any{}, "isDone": true, "continueCursor": ""}
}

// frontendCall runs a _system/frontend/* function; ok is false for paths
// outside that family or not known.
func (a *App) frontendCall(ctx context.Context, req CallRequest, name string, args map[string]json.RawMessage) (*CallResult, bool, error) {
	name, ok := strings.CutPrefix(name, "_system/frontend/")
	if !ok {
		return nil, false, nil
	}
	if q, ok := frontendQueries[name]; ok {
		if req.Kind != "" && req.Kind != runtime.KindQuery {
			return userErr("Trying to execute %s as %s, but it is defined as Query.", req.Path, udfType(req.Kind)), true, nil
		}
		res, err := a.runFrontendQuery(ctx, req, name, q, args)
		return res, true, err
	}
	if m, ok := frontendMutations[name]; ok {
		if req.Kind != "" && req.Kind != runtime.KindMutation {
			return userErr("Trying to execute %s as %s, but it is defined as Mutation.", req.Path, udfType(req.Kind)), true, nil
		}
		res, err := a.runFrontendMutation(ctx, req, m, args)
		return res, true, err
	}
	return nil, false, nil
}

// trackedQueries depend only on the user documents they read, so a
// subscription to one re-runs only when those change. The others (the
// code version, environment variables, the table list, index progress,
// system tables) re-run at every commit, reading their state as of the
// commit (see snapshotState).
var trackedQueries = map[string]bool{
	"paginatedTableDocuments:default": true,
	"tableSize:default":               true,
	"tableSize:sizeOfAllTables":       true,
	"listById:default":                true,
	"getById:default":                 true,
}

func (a *App) runFrontendQuery(ctx context.Context, req CallRequest, name string, q frontendQuery, args map[string]json.RawMessage) (*CallResult, error) {
	version, env := a.active.Load(), a.env.Load()
	tx, err := a.db.BeginRead(ctx, req.At)
	if err != nil {
		return nil, fmt.Errorf("begin system query: %w", err)
	}
	defer tx.Rollback()
	out, journal, err := q(ctx, a, tx, args, req.Journal)
	if err != nil {
		return systemFailure(runtime.KindQuery, err)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", req.Path, err)
	}
	res := &CallResult{Kind: runtime.KindQuery, Value: body, TS: tx.SnapshotTS(), Journal: journal}
	if trackedQueries[name] {
		res.Deps = &Deps{Reads: tx.ReadSet(), version: version, env: env}
	}
	return res, nil
}

func (a *App) runFrontendMutation(ctx context.Context, req CallRequest, m frontendMutation, args map[string]json.RawMessage) (*CallResult, error) {
	var res *CallResult
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin system mutation: %w", err)
		}
		var after []func()
		defer func() {
			tx.Rollback()
			for _, fn := range after {
				fn()
			}
		}()
		out, err := m(ctx, a, tx, args, func(fn func()) { after = append(after, fn) })
		if err != nil {
			if database.IsConflict(err) {
				return err
			}
			res, err = systemFailure(runtime.KindMutation, err)
			return err
		}
		body, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encode %s: %w", req.Path, err)
		}
		ts, err := tx.Commit(ctx)
		if err != nil {
			if database.IsConflict(err) {
				return err
			}
			res, err = systemFailure(runtime.KindMutation, err)
			return err
		}
		res = &CallResult{Kind: runtime.KindMutation, Value: body, TS: ts}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// systemFailure turns a user-level failure (a bad argument, a schema
// violation) into the function's error; anything else is the server's.
func systemFailure(kind runtime.Kind, err error) (*CallResult, error) {
	var ue userFacing
	var ae *argError
	switch {
	case errors.As(err, &ae):
		return &CallResult{Kind: kind, Err: &runtime.UserError{Message: ae.msg}}, nil
	case database.IsUserError(err), errors.As(err, &ue), value.IsInvalidID(err):
		// As Convex's system mutations do, the message travels as
		// ConvexError data, so dashboards can show it as it is.
		data, _ := json.Marshal(err.Error())
		return &CallResult{Kind: kind, Err: &runtime.UserError{Message: "Uncaught ConvexError: " + err.Error(), Data: data}}, nil
	}
	return nil, err
}

// argError is an invalid argument to a system function.
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

func badArg(format string, args ...any) error { return &argError{msg: fmt.Sprintf(format, args...)} }

// decodeArg decodes the JSON of argument name into v; a missing argument
// leaves v alone unless required.
func decodeArg(args map[string]json.RawMessage, name string, v any, required bool) error {
	raw, ok := args[name]
	if !ok || string(raw) == "null" {
		if required {
			return badArg("ArgumentValidationError: Object is missing the required field `%s`.", name)
		}
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return badArg("ArgumentValidationError: Value does not match validator at path .%s: %v", name, err)
	}
	return nil
}

// valueArg decodes argument name as a Convex value (nil when absent).
func valueArg(args map[string]json.RawMessage, name string) (value.Value, error) {
	raw, ok := args[name]
	if !ok {
		return nil, nil
	}
	v, err := value.FromJSON(raw)
	if err != nil {
		return nil, badArg("ArgumentValidationError: .%s is not a Convex value: %v", name, err)
	}
	return v, nil
}

// userTableNames lists the user tables in name order.
func userTableNames(tx *database.Tx) []string {
	seen := map[string]bool{}
	var names []string
	for _, ix := range tx.Indexes() {
		if !seen[ix.Table] {
			seen[ix.Table] = true
			names = append(names, ix.Table)
		}
	}
	sort.Strings(names)
	return names
}

// lookupID parses id and checks that it names a document of a user
// table; tableName, when set, must be that table.
func lookupID(tx *database.Tx, id, tableName string) (value.ID, bool) {
	parsed, err := value.ParseID(id)
	if err != nil {
		return value.ID{}, false
	}
	name, ok := tx.TableName(parsed.Table)
	if !ok || strings.HasPrefix(name, "_") || (tableName != "" && name != tableName) {
		return value.ID{}, false
	}
	return parsed, true
}
