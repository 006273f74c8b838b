package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"hull/database"
	"hull/value"
)

// Scheduled functions and files for dashboards: the jobs still to run
// (with the fields both the user-facing _scheduled_functions shape and
// Convex's internal queue shape name), canceling them, and the files of
// _storage with their download URLs.

// maxDashboardJobs bounds the jobs one page lists.
const maxDashboardJobs = 1000

// scheduledJobs lists the jobs waiting or running, soonest first, each
// as its _scheduled_functions document plus udfPath, nextTs (ns),
// udfArgs (the JSON of the argument array, as bytes) and state.type.
func scheduledJobs(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var udfPath string
	if err := decodeArg(args, "udfPath", &udfPath, false); err != nil {
		return nil, err
	}
	out := []value.Object{}
	page := map[string]any{"page": out, "isDone": true, "continueCursor": ""}
	if _, ok := tx.TableNumber(queueTable); !ok {
		return page, nil
	}
	s, err := tx.SystemQuery(ctx, &database.Query{Kind: database.IndexRange, Table: queueTable, Index: queueByNextTS,
		Operators: []database.Operator{{Limit: maxDashboardJobs}}})
	if err != nil {
		return nil, err
	}
	entries, err := s.Collect(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		q, err := decodeQueueEntry(e)
		if err != nil {
			return nil, err
		}
		doc, ok, err := tx.SystemGet(ctx, q.job)
		if err != nil {
			return nil, err
		}
		if !ok || (udfPath != "" && strField(doc, "name") != udfPath) {
			continue
		}
		out = append(out, dashboardJob(doc, e))
	}
	page["page"] = out
	return page, nil
}

// dashboardJob merges a job's document with its queue entry.
func dashboardJob(doc, entry value.Object) value.Object {
	state := value.MustObject(value.Field{Name: "kind", Value: value.String(jobState(doc))})
	if s, ok := doc.Get("state"); ok {
		if o, ok := s.(value.Object); ok {
			state = o
		}
	}
	qs := strField(entry, "state")
	if qs == "" {
		qs = jobState(doc)
	}
	state = state.With("type", value.String(qs))
	var argsJSON []byte
	if a, ok := doc.Get("args"); ok {
		argsJSON = value.ToJSON(a)
	}
	out := doc.With("state", state).With("udfPath", value.String(strField(doc, "name"))).With("udfArgs", value.Bytes(argsJSON))
	if v, ok := entry.Get("nextTs"); ok {
		out = out.With("nextTs", v)
	}
	return out
}

// CancelJob cancels one scheduled function by its _scheduled_functions
// id: a pending job will not run, a running action is not interrupted.
// A finished job is left as it is.
func (a *App) CancelJob(ctx context.Context, id string) error {
	return a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin cancel: %w", err)
		}
		defer tx.Rollback()
		if err := cancelJob(ctx, tx, id, time.Now().UnixNano()); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
}

// CancelAllJobs cancels every waiting or running job (of one function,
// when udfPath is set, e.g. "jobs.js:record"), in batches, and returns
// how many it canceled.
func (a *App) CancelAllJobs(ctx context.Context, udfPath string) (int, error) {
	total := 0
	for {
		tx, err := a.db.BeginRead(ctx, 0)
		if err != nil {
			return total, err
		}
		res, err := scheduledJobs(ctx, a, tx, map[string]json.RawMessage{"udfPath": json.RawMessage(strconv.Quote(udfPath))})
		tx.Rollback()
		if err != nil {
			return total, err
		}
		jobs := res.(map[string]any)["page"].([]value.Object)
		n := 0
		for _, j := range jobs {
			if k := jobState(j); k != statePending && k != stateInProgress {
				continue
			}
			if err := a.CancelJob(ctx, strField(j, "_id")); err != nil {
				return total, err
			}
			n++
		}
		total += n
		if n == 0 || len(jobs) < maxDashboardJobs {
			return total, nil
		}
	}
}

// fileEntry is a _storage document with its download URL.
func (a *App) fileEntry(ctx context.Context, tx *database.Tx, doc value.Object) (value.Object, error) {
	id, err := value.ParseID(strField(doc, "_id"))
	if err != nil {
		return value.Object{}, err
	}
	f, ok, err := a.files.byID(ctx, tx, id)
	if err != nil || !ok {
		return doc, err
	}
	return doc.With("url", value.String(a.opts.CloudURL()+"/api/storage/"+f.UUID)), nil
}

// fileMetadata lists files newest first (or oldest, with filters.order
// "asc"), a page at a time; the cursor is the _creationTime of the last
// file of the previous page.
func fileMetadata(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var opts paginationOpts
	var filters struct {
		MinCreationTime *float64 `json:"minCreationTime"`
		MaxCreationTime *float64 `json:"maxCreationTime"`
		Order           string   `json:"order"`
	}
	if err := decodeArg(args, "paginationOpts", &opts, false); err != nil {
		return nil, err
	}
	if err := decodeArg(args, "filters", &filters, false); err != nil {
		return nil, err
	}
	n := int(opts.NumItems)
	if n <= 0 {
		n = 50
	}
	n = min(n, 1000)
	desc := filters.Order != "asc"
	var rng []database.RangeExpr
	lo, hi := filters.MinCreationTime, filters.MaxCreationTime
	if opts.Cursor != nil && *opts.Cursor != "" {
		c, err := strconv.ParseFloat(*opts.Cursor, 64)
		if err != nil {
			return nil, badArg("Invalid cursor %q.", *opts.Cursor)
		}
		if desc {
			rng = append(rng, database.RangeExpr{Op: "Lt", Field: "_creationTime", Value: value.Float64(c)})
		} else {
			rng = append(rng, database.RangeExpr{Op: "Gt", Field: "_creationTime", Value: value.Float64(c)})
		}
	}
	if lo != nil && (desc || opts.Cursor == nil) {
		rng = append(rng, database.RangeExpr{Op: "Gte", Field: "_creationTime", Value: value.Float64(*lo)})
	}
	if hi != nil && (!desc || opts.Cursor == nil) {
		rng = append(rng, database.RangeExpr{Op: "Lte", Field: "_creationTime", Value: value.Float64(*hi)})
	}
	out := []value.Object{}
	s, err := tx.SystemQuery(ctx, &database.Query{Kind: database.IndexRange, Table: "_storage", Index: "by_creation_time", Descending: desc,
		Range: rng, Operators: []database.Operator{{Limit: n + 1}}})
	if err != nil {
		return nil, err
	}
	docs, err := s.Collect(ctx)
	if err != nil {
		return nil, err
	}
	done := len(docs) <= n
	if !done {
		docs = docs[:n]
	}
	cursor := ""
	for _, d := range docs {
		e, err := a.fileEntry(ctx, tx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if v, ok := d.Get("_creationTime"); ok {
			cursor = strconv.FormatFloat(float64(v.(value.Float64)), 'g', -1, 64)
		}
	}
	return map[string]any{"page": out, "isDone": done, "continueCursor": cursor}, nil
}

// maxCountedFiles bounds the count numFiles makes.
const maxCountedFiles = 1_000_000

func numFiles(ctx context.Context, _ *App, tx *database.Tx, _ map[string]json.RawMessage) (any, error) {
	s, err := tx.SystemQuery(ctx, &database.Query{Kind: database.FullTableScan, Table: "_storage", Operators: []database.Operator{{Limit: maxCountedFiles}}})
	if err != nil {
		return nil, err
	}
	n := 0
	for {
		_, ok, err := s.Next(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			return n, nil
		}
		n++
	}
}

func getFile(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var s string
	if err := decodeArg(args, "storageId", &s, true); err != nil {
		return nil, err
	}
	id, err := value.ParseID(s)
	if err != nil || id.Table != value.TableStorage {
		return nil, nil
	}
	doc, ok, err := tx.SystemGet(ctx, id)
	if err != nil || !ok {
		return nil, err
	}
	return a.fileEntry(ctx, tx, doc)
}

func generateUploadURL(_ context.Context, a *App, _ *database.Tx, _ map[string]json.RawMessage, _ func(func())) (any, error) {
	if a.files == nil || a.files.store == nil {
		return nil, badArg("File storage is not configured on this deployment.")
	}
	u, err := a.files.UploadURL(a.opts.CloudURL())
	if err != nil {
		return nil, badArg("%v", err)
	}
	return u, nil
}

func deleteFiles(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage, settle func(func())) (any, error) {
	var ids []string
	if err := decodeArg(args, "storageIds", &ids, true); err != nil {
		return nil, err
	}
	if len(ids) > maxDashboardWrites {
		return nil, badArg("Can’t delete more than %d files at once.", maxDashboardWrites)
	}
	for _, s := range ids {
		id, err := value.ParseID(s)
		if err != nil || id.Table != value.TableStorage {
			return nil, badArg("%q is not an Id<\"_storage\">.", s)
		}
		f, ok, err := a.files.byID(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, badArg("File %s does not exist.", s)
		}
		if err := a.files.deleteIn(ctx, tx, settle, f); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// dashboardCron shapes a _cron_jobs document as dashboards read a cron:
// its spec with the arguments as the bytes of their JSON array (as
// Convex stores them), its next run as its own object {cronJobId, state,
// prevTs, nextTs}, and its latest run (or null).
func dashboardCron(job value.Object, lastRun value.Value) value.Object {
	out := job
	if spec, ok := job.Get("cronSpec"); ok {
		if o, ok := spec.(value.Object); ok {
			out = out.With("cronSpec", argsAsBytes(o))
		}
	}
	next := value.MustObject(value.Field{Name: "cronJobId", Value: value.String(strField(job, "_id"))})
	for _, f := range []string{"state", "prevTs", "nextTs"} {
		if v, ok := job.Get(f); ok {
			next = next.With(f, v)
		}
	}
	if o, ok := lastRun.(value.Object); ok {
		lastRun = argsAsBytes(o)
	}
	return out.With("nextRun", next).With("lastRun", lastRun)
}

// argsAsBytes replaces an udfArgs array with the bytes of its JSON.
func argsAsBytes(o value.Object) value.Object {
	if a, ok := o.Get("udfArgs"); ok {
		if arr, ok := a.(value.Array); ok {
			return o.With("udfArgs", value.Bytes(value.ToJSON(arr)))
		}
	}
	return o
}
