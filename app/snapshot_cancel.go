package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"hull/database"
	"hull/value"
)

// Imports can be canceled until they start to become visible, and an
// import a process did not finish (it was killed, or lost its lease) is
// cleaned up by the next one: its record says it failed, and its hidden
// staging and retired tables are emptied and dropped.

// errImportCanceled is the cause of a canceled import's context.
var errImportCanceled = errors.New("import canceled")

// importRuns are the imports running in this process, by job id.
type importRuns struct {
	mu   sync.Mutex
	runs map[string]*importRun
}

// importRun is one running import.
type importRun struct {
	// record is its _snapshot_imports document ("" for a synchronous import).
	record string
	cancel context.CancelCauseFunc
	// swapping is set once the import's last commit may be under way: a
	// cancel then comes too late.
	swapping bool
}

// begin registers a running import and returns the context it runs in.
// end must be called when it is over.
func (r *importRuns) begin(ctx context.Context, job, record string) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	r.mu.Lock()
	if r.runs == nil {
		r.runs = map[string]*importRun{}
	}
	r.runs[job] = &importRun{record: record, cancel: cancel}
	r.mu.Unlock()
	return ctx, func() {
		r.mu.Lock()
		delete(r.runs, job)
		r.mu.Unlock()
		cancel(nil)
	}
}

// startSwap marks a job's last commit as under way; it reports false when
// the import was canceled before.
func (r *importRuns) startSwap(ctx context.Context, job string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	if run := r.runs[job]; run != nil {
		run.swapping = true
	}
	return true
}

// running reports whether job is an import of this process.
func (r *importRuns) running(job string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.runs[job]
	return ok
}

// cancel cancels the running import of a record. found is false when no
// import of this process has it; late is true when it is already being
// made visible.
func (r *importRuns) cancel(record string) (found, late bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	run := r.find(record)
	switch {
	case run == nil:
		return false, false
	case run.swapping:
		return true, true
	}
	run.cancel(errImportCanceled)
	return true, false
}

// has reports whether an import of this process has the record.
func (r *importRuns) has(record string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.find(record) != nil
}

// find returns the run of a record, or nil. Called with r.mu held.
func (r *importRuns) find(record string) *importRun {
	for _, run := range r.runs {
		if run.record == record {
			return run
		}
	}
	return nil
}

// CancelImport cancels a running import (`POST /api/cancel_import`): it
// fails with "Import canceled" and nothing of it becomes visible. An
// import that is finished, or already being made visible, cannot be.
func (a *App) CancelImport(ctx context.Context, record string) error {
	found, late := a.imports.cancel(record)
	switch {
	case late:
		return &Error{Status: http.StatusBadRequest, Code: "ImportNotCancelable", Message: "The import is already being made visible; it can no longer be canceled."}
	case found:
		return nil
	}
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	doc, err := importDocs(ctx, tx, record)
	if err != nil {
		return err
	}
	obj, ok := doc.(value.Object)
	if !ok {
		return &Error{Status: http.StatusNotFound, Code: "ImportNotFound", Message: fmt.Sprintf("No import %s.", record)}
	}
	state := "unknown"
	if s, ok := obj.Get("state"); ok {
		if so, ok := s.(value.Object); ok {
			state = strField(so, "state")
		}
	}
	return &Error{Status: http.StatusBadRequest, Code: "ImportNotCancelable", Message: fmt.Sprintf("The import is %s; it can no longer be canceled.", strings.ReplaceAll(state, "_", " "))}
}

// RecoverImports cleans up after imports no process finished: records
// still in progress are marked failed, and hidden staging and retired
// namespaces of jobs not running here are emptied and dropped. A process
// runs it once it holds the lease, before it starts imports of its own
// (and it skips those it started since).
func (a *App) RecoverImports(ctx context.Context) error {
	if err := a.failUnfinishedImports(ctx); err != nil {
		return err
	}
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return err
	}
	namespaces := tx.Namespaces()
	tx.Rollback()
	for _, ns := range namespaces {
		job, ok := hiddenImportJob(ns)
		if !ok || a.imports.running(job) {
			continue
		}
		a.log.Info("removing the hidden tables of an unfinished import", "component", "snapshot", "namespace", ns)
		j := &importJob{a: a, id: job}
		j.dropNamespace(ctx, ns)
	}
	return nil
}

// hiddenImportJob returns the job id of a staging or retired namespace.
func hiddenImportJob(ns string) (string, bool) {
	for _, prefix := range []string{"_import/", "_retired/"} {
		if rest, ok := strings.CutPrefix(ns, prefix); ok {
			job, _, _ := strings.Cut(rest, "/")
			return job, job != ""
		}
	}
	return "", false
}

// failUnfinishedImports marks the records of imports that were in
// progress, and that no import of this process runs, as failed.
func (a *App) failUnfinishedImports(ctx context.Context) error {
	return a.commitRetry(ctx, func(tx *database.Tx) error {
		if _, ok := tx.TableNumber(importsTable); !ok {
			return nil
		}
		docs, err := tx.SystemScan(ctx, importsTable)
		if err != nil {
			return err
		}
		for _, d := range docs {
			st, _ := d.Get("state")
			so, _ := st.(value.Object)
			if s := strField(so, "state"); s != "in_progress" && s != "uploaded" && s != "waiting_for_confirmation" {
				continue
			}
			record := strField(d, "_id")
			if a.imports.has(record) {
				continue
			}
			id, err := value.ParseID(record)
			if err != nil {
				return fmt.Errorf("import record id %q: %w", record, err)
			}
			failed := importState("failed", value.Field{Name: "error_message", Value: value.String("The import was interrupted (the server stopped before it finished); nothing of it became visible. Run it again.")})
			if _, err := tx.SystemPatch(ctx, id, []value.Field{{Name: "state", Value: failed}}); err != nil {
				return err
			}
		}
		return nil
	})
}
