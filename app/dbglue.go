package app

import (
	"context"
	"encoding/json"
	"fmt"

	"hull/app/dbsyscall"
	"hull/database"
	"hull/value"
)

// txn is one transaction of a function run with the syscall handler over
// it.
type txn interface {
	handler() dbHandler
	commit(ctx context.Context) (int64, error)
	rollback()
	snapshotTS() int64
	savepoint() database.Savepoint
	rollbackTo(database.Savepoint)
	// conflict is the conflict a read hit, if any: the run must be retried.
	conflict() error
	// in returns the same transaction viewing the namespace of the
	// component instance at path, for a nested call into it.
	in(path string) txn
}

type dbTxn struct {
	tx *database.Tx
	h  *dbsyscall.Handler
	// scheduled counts what the run scheduled (nested calls into other
	// components included), for the limits and for waking the scheduler
	// once the transaction commits.
	scheduled *txSchedule
	// ended runs once the transaction has committed or rolled back (file
	// storage removes bytes no metadata names then); shared by the views.
	ended *[]func()
}

func newDBTxn(tx *database.Tx) *dbTxn {
	return &dbTxn{tx: tx, h: dbsyscall.New(tx, dbsyscall.Options{}), scheduled: &txSchedule{}, ended: new([]func())}
}

func (t *dbTxn) in(path string) txn {
	if path == t.tx.Namespace() {
		return t
	}
	v := t.tx.In(path)
	return &dbTxn{tx: v, h: dbsyscall.New(v, dbsyscall.Options{}), scheduled: t.scheduled, ended: t.ended}
}

func (t *dbTxn) handler() dbHandler                        { return t.h }
func (t *dbTxn) commit(ctx context.Context) (int64, error) { return t.commitThenEnd(ctx) }
func (t *dbTxn) rollback()                                 { t.tx.Rollback(); t.end() }
func (t *dbTxn) snapshotTS() int64                         { return t.tx.SnapshotTS() }
func (t *dbTxn) savepoint() database.Savepoint             { return t.tx.Savepoint() }
func (t *dbTxn) rollbackTo(sp database.Savepoint)          { t.tx.RollbackTo(sp) }
func (t *dbTxn) conflict() error                           { return t.tx.Conflict() }

func (t *dbTxn) commitThenEnd(ctx context.Context) (int64, error) {
	ts, err := t.tx.Commit(ctx)
	t.end()
	return ts, err
}

// afterEnd runs fn once the transaction ends, committed or not.
func (t *dbTxn) afterEnd(fn func()) { *t.ended = append(*t.ended, fn) }

func (t *dbTxn) end() {
	fns := *t.ended
	*t.ended = nil
	for _, fn := range fns {
		fn()
	}
}

func (a *App) beginRead(ctx context.Context, at int64) (txn, error) {
	tx, err := a.db.BeginRead(ctx, at)
	if err != nil {
		if at != 0 {
			return nil, &Error{Status: 400, Code: "InvalidTimestamp", Message: err.Error(), Err: err}
		}
		return nil, fmt.Errorf("begin query: %w", err)
	}
	return newDBTxn(tx), nil
}

func (a *App) beginWrite(ctx context.Context) (txn, error) {
	tx, err := a.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin mutation: %w", err)
	}
	return newDBTxn(tx), nil
}

// QueryTS returns the latest readable timestamp.
func (a *App) QueryTS(ctx context.Context) (int64, error) {
	return a.db.DurableTS(), nil
}

// The application keeps its own state in one internal system table:
// a "version" document holding the active Version and one "env" document
// per environment variable.
const stateTable = "_hull_state"

func stateDoc(kind string, fields ...value.Field) value.Object {
	return value.MustObject(append(fields, value.Field{Name: "kind", Value: value.String(kind)})...)
}

func strField(o value.Object, name string) string {
	if v, ok := o.Get(name); ok {
		if s, ok := v.(value.String); ok {
			return string(s)
		}
	}
	return ""
}

// loadState reads the active version and env vars.
func (a *App) loadState(ctx context.Context) error {
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	docs, err := tx.SystemScan(ctx, stateTable)
	if err != nil {
		return err
	}
	env := map[string]string{}
	var active *Version
	defs := map[string]string{}
	for _, d := range docs {
		switch strField(d, "kind") {
		case "version":
			var v Version
			if err := json.Unmarshal([]byte(strField(d, "json")), &v); err != nil {
				return fmt.Errorf("decode the active version: %w", err)
			}
			active = &v
		case "definition":
			defs[strField(d, "name")] = strField(d, "json")
		case "env":
			env[strField(d, "name")] = strField(d, "value")
		}
	}
	if active != nil {
		if err := active.withDefinitions(defs); err != nil {
			return err
		}
		a.active.Store(active)
	}
	a.env.Store(&env)
	return nil
}

// A version is stored as one "version" document of _hull_state holding
// the app's code and the component tree, and one "definition" document
// per component definition holding its code (instances of a definition
// share it), so that no document grows with the number of components
// past the document size limit.

// splitDefinitions returns the version as stored (mounted instances
// without their code) and the code of each definition it uses, as JSON.
func (v *Version) splitDefinitions() (*Version, map[string][]byte, error) {
	stored := *v
	defs := map[string][]byte{}
	if len(v.Components) == 0 {
		return &stored, defs, nil
	}
	stored.Components = make(map[string]*Component, len(v.Components))
	for p, c := range v.Components {
		cc := *c
		if !c.Unmounted {
			if _, done := defs[c.DefinitionPath]; !done {
				body, err := json.Marshal(c.Code)
				if err != nil {
					return nil, nil, fmt.Errorf("encode the code of %s: %w", c.DefinitionPath, err)
				}
				defs[c.DefinitionPath] = body
			}
			cc.Code = Code{}
		}
		stored.Components[p] = &cc
	}
	return &stored, defs, nil
}

// withDefinitions gives the mounted instances of a stored version the code
// of their definitions.
func (v *Version) withDefinitions(defs map[string]string) error {
	for p, c := range v.Components {
		if c.Unmounted || c.Functions != nil {
			continue
		}
		body, ok := defs[c.DefinitionPath]
		if !ok {
			return fmt.Errorf("the active version's component %s names definition %s, whose code is not stored", p, c.DefinitionPath)
		}
		if err := json.Unmarshal([]byte(body), &c.Code); err != nil {
			return fmt.Errorf("decode the code of component definition %s: %w", c.DefinitionPath, err)
		}
	}
	return nil
}

// activate makes v the live version: the version document, the schema and
// its indexes change in one commit (run again when a concurrent commit
// conflicts).
func (a *App) activate(ctx context.Context, v *Version) error {
	a.stateMu.Lock()
	defer a.stateMu.Unlock()
	if err := a.db.Retry(ctx, func(ctx context.Context) error { return a.activateOnce(ctx, v) }); err != nil {
		return err
	}
	a.active.Store(v) // also when the commit wrote nothing new
	go a.nodeActivated(v)
	go a.prewarm(v)
	return nil
}

func (a *App) activateOnce(ctx context.Context, v *Version) error {
	tx, err := a.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin deploy: %w", err)
	}
	defer tx.Rollback()
	for _, p := range v.mountedPaths() {
		if err := applyComponentSchema(ctx, tx.In(p), p, v.code(p)); err != nil {
			return err
		}
	}
	stored, defs, err := v.splitDefinitions()
	if err != nil {
		return err
	}
	body, err := json.Marshal(stored)
	if err != nil {
		return fmt.Errorf("encode version: %w", err)
	}
	docs, err := tx.SystemScan(ctx, stateTable)
	if err != nil {
		return err
	}
	doc := stateDoc("version", value.Field{Name: "json", Value: value.String(body)})
	if err := upsertState(ctx, tx, docs, "version", "", doc); err != nil {
		return err
	}
	if err := storeDefinitions(ctx, tx, docs, defs); err != nil {
		return err
	}
	due, err := a.syncVersionCrons(ctx, tx, v)
	if err != nil {
		return err
	}
	// A query at the deploy's ts, or later, runs the new code.
	tx.BeforeVisible(func(int64) { a.active.Store(v) })
	if _, err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit deploy: %w", err)
	}
	a.wakeScheduler(due)
	return nil
}

// applyComponentSchema makes the indexes and schema of one instance's
// namespace (tx views it) those of its code, and creates the system
// tables its functions use, so no call of theirs has to.
func applyComponentSchema(ctx context.Context, tx *database.Tx, path string, code *Code) error {
	schemaJSON := code.Schema
	if len(schemaJSON) == 0 {
		schemaJSON = json.RawMessage(`{"tables":[],"schemaValidation":false}`)
	}
	s, err := database.ParseSchema(schemaJSON)
	if err != nil {
		return &Error{Status: 400, Code: "InvalidSchema", Message: err.Error(), Err: err}
	}
	if _, err := tx.ApplySchema(ctx, s); err != nil {
		where := ""
		if path != "" {
			where = " in component " + path
		}
		return &Error{Status: 400, Code: "SchemaValidationFailed", Message: "Hit an error while pushing" + where + ":\n" + err.Error(), Err: err}
	}
	if path != "" {
		for _, t := range []string{jobsTable, storageTable} {
			if err := ensureTable(ctx, tx, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// storeDefinitions makes the "definition" documents of _hull_state those
// of defs.
func storeDefinitions(ctx context.Context, tx *database.Tx, docs []value.Object, defs map[string][]byte) error {
	for _, d := range docs {
		if strField(d, "kind") != "definition" {
			continue
		}
		if _, keep := defs[strField(d, "name")]; keep {
			continue
		}
		id, err := value.ParseID(strField(d, "_id"))
		if err != nil {
			return fmt.Errorf("state document id: %w", err)
		}
		if _, err := tx.SystemDelete(ctx, id); err != nil {
			return err
		}
	}
	for path, body := range defs {
		doc := stateDoc("definition", value.Field{Name: "name", Value: value.String(path)}, value.Field{Name: "json", Value: value.String(body)})
		if err := upsertState(ctx, tx, docs, "definition", path, doc); err != nil {
			return err
		}
	}
	return nil
}

// upsertState replaces the state document of kind (and name, for env) or
// inserts it.
func upsertState(ctx context.Context, tx *database.Tx, docs []value.Object, kind, name string, doc value.Object) error {
	for _, d := range docs {
		if strField(d, "kind") == kind && strField(d, "name") == name {
			id, err := value.ParseID(strField(d, "_id"))
			if err != nil {
				return fmt.Errorf("state document id: %w", err)
			}
			_, err = tx.SystemReplace(ctx, id, doc)
			return err
		}
	}
	_, err := tx.SystemInsert(ctx, stateTable, doc)
	return err
}

// saveEnv stores next as the complete set of environment variables (run
// again when a concurrent commit conflicts).
func (a *App) saveEnv(ctx context.Context, next map[string]string) error {
	return a.db.Retry(ctx, func(ctx context.Context) error { return a.saveEnvOnce(ctx, next) })
}

func (a *App) saveEnvOnce(ctx context.Context, next map[string]string) error {
	tx, err := a.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	docs, err := tx.SystemScan(ctx, stateTable)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if strField(d, "kind") != "env" {
			continue
		}
		if _, keep := next[strField(d, "name")]; keep {
			continue
		}
		id, err := value.ParseID(strField(d, "_id"))
		if err != nil {
			return err
		}
		if _, err := tx.SystemDelete(ctx, id); err != nil {
			return err
		}
	}
	for name, val := range next {
		doc := stateDoc("env", value.Field{Name: "name", Value: value.String(name)}, value.Field{Name: "value", Value: value.String(val)})
		if err := upsertState(ctx, tx, docs, "env", name, doc); err != nil {
			return err
		}
	}
	// A query at this commit's ts, or later, reads the new variables.
	tx.BeforeVisible(func(int64) { a.env.Store(&next) })
	_, err = tx.Commit(ctx)
	return err
}
