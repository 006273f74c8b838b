package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"hull/app/cronspec"
	"hull/database"
	"hull/value"
)

// Crons live in two system tables, in the shapes Convex gives them:
//
//	_cron_jobs      one document per cron of the live crons.js:
//	                {name, cronSpec: {udfPath, udfArgs: [argsObject],
//	                cronSchedule}, state: {type: "pending" | "inProgress"},
//	                prevTs (ns) | null, nextTs (ns), component?: the
//	                path of the component instance whose crons.js it
//	                comes from (absent for the app's)}; indexed by nextTs
//	                (the executor's order) and by name
//	_cron_job_logs  the last runs of each cron: {name, ts (ns, the run's
//	                scheduled time), udfPath, udfArgs, status: {type:
//	                "success", result} | {type: "err", error} | {type:
//	                "canceled", num_canceled}, logLines: {logLines,
//	                isTruncated}, executionTime (s), component?}; indexed
//	                by name and ts
//
// The push that activates a version re-syncs _cron_jobs in the same
// commit.
const (
	cronsTable       = "_cron_jobs"
	cronsByNextTS    = "by_next_ts"
	cronsByName      = "by_name"
	cronLogsTable    = "_cron_job_logs"
	cronLogsByNameTS = "by_name_and_ts"

	// maxLogsPerCron is how many runs of each cron are kept (Convex keeps 5).
	maxLogsPerCron = 5
)

// checkCronsOf validates the crons of one component's pushed code: every
// schedule must parse and every cron must name a mutation or action of
// that code.
func checkCronsOf(v *Code) error {
	jobs, err := cronspec.ParseExport(v.Crons)
	if err != nil {
		return cronPushError(err)
	}
	for _, j := range jobs {
		path, err := ParseFunctionPath(j.Function)
		if err != nil {
			return cronPushError(&cronspec.Error{Name: j.Name, Msg: fmt.Sprintf("invalid function name %q", j.Function)})
		}
		fi, ok := v.Functions[path.Module+":"+path.Export]
		if !ok {
			return cronPushError(&cronspec.Error{Name: j.Name, Msg: fmt.Sprintf("the function %s does not exist", path)})
		}
		if fi.Kind != "mutation" && fi.Kind != "action" {
			return cronPushError(&cronspec.Error{Name: j.Name, Msg: fmt.Sprintf("%s is a %s; only mutations and actions can run as crons", path, udfType(fi.Kind))})
		}
	}
	return nil
}

func cronPushError(err error) *Error {
	return &Error{Status: 400, Code: "InvalidCron", Message: "Hit an error while pushing:\nInvalid crons.js: " + err.Error(), Err: err}
}

// cronScheduleValue is a schedule as _cron_jobs stores it.
func cronScheduleValue(s cronspec.Schedule) value.Object {
	f := []value.Field{{Name: "type", Value: value.String(s.Type)}}
	num := func(name string, n int64) { f = append(f, value.Field{Name: name, Value: value.Float64(n)}) }
	switch s.Type {
	case cronspec.Interval:
		num("seconds", s.Seconds)
	case cronspec.Hourly:
		num("minuteUTC", s.MinuteUTC)
	case cronspec.Daily:
		num("hourUTC", s.HourUTC)
		num("minuteUTC", s.MinuteUTC)
	case cronspec.Weekly:
		num("dayOfWeek", s.DayOfWeek)
		num("hourUTC", s.HourUTC)
		num("minuteUTC", s.MinuteUTC)
	case cronspec.Monthly:
		num("day", s.Day)
		num("hourUTC", s.HourUTC)
		num("minuteUTC", s.MinuteUTC)
	case cronspec.Cron:
		f = append(f, value.Field{Name: "cron", Value: value.String(s.Expr)})
	}
	return value.MustObject(f...)
}

// cronScheduleOf reads a stored schedule back.
func cronScheduleOf(o value.Object) (cronspec.Schedule, error) {
	js := value.ToCleanJSON(o)
	if typ := strField(o, "type"); typ == cronspec.Weekly {
		// Stored as a day number; the export format names the day.
		d := int64Field(o, "dayOfWeek")
		names := []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
		if d < 0 || d > 6 {
			return cronspec.Schedule{}, fmt.Errorf("stored weekly schedule has day %d", d)
		}
		js = value.ToCleanJSON(o.With("dayOfWeek", value.String(names[d])))
	}
	return cronspec.ParseSchedule(js)
}

// cronJob is one document of _cron_jobs.
type cronJob struct {
	id   value.ID
	doc  value.Object
	name string
	// component is the path of the instance the cron runs in.
	component string
	udfPath   string
	args      value.Object
	schedule  cronspec.Schedule
	state     string
	prevTS    int64 // 0: never ran
	nextTS    int64
}

func decodeCronJob(doc value.Object) (cronJob, error) {
	id, err := idField(doc, "_id")
	if err != nil {
		return cronJob{}, fmt.Errorf("cron job document: %w", err)
	}
	c := cronJob{id: id, doc: doc, name: strField(doc, "name"), component: strField(doc, "component"), prevTS: int64Field(doc, "prevTs"), nextTS: int64Field(doc, "nextTs")}
	if st, ok := doc.Get("state"); ok {
		if o, ok := st.(value.Object); ok {
			c.state = strField(o, "type")
		}
	}
	specV, _ := doc.Get("cronSpec")
	spec, ok := specV.(value.Object)
	if !ok {
		return c, fmt.Errorf("cron job %q has no cronSpec", c.name)
	}
	c.udfPath = strField(spec, "udfPath")
	if a, ok := spec.Get("udfArgs"); ok {
		if arr, ok := a.(value.Array); ok && len(arr) == 1 {
			c.args, _ = arr[0].(value.Object)
		}
	}
	if sv, ok := spec.Get("cronSchedule"); ok {
		if so, ok := sv.(value.Object); ok {
			if c.schedule, err = cronScheduleOf(so); err != nil {
				return c, fmt.Errorf("cron job %q: %w", c.name, err)
			}
		}
	}
	return c, nil
}

func cronSpecValue(udfPath string, args value.Object, s cronspec.Schedule) value.Object {
	return value.MustObject(
		value.Field{Name: "udfPath", Value: value.String(udfPath)},
		value.Field{Name: "udfArgs", Value: value.Array{args}},
		value.Field{Name: "cronSchedule", Value: cronScheduleValue(s)},
	)
}

func cronStateValue(state string) value.Object {
	return value.MustObject(value.Field{Name: "type", Value: value.String(state)})
}

func cronJobDoc(component, name string, spec value.Object, state string, prev, next int64) value.Object {
	var prevV value.Value = value.Null{}
	if prev != 0 {
		prevV = value.Int64(prev)
	}
	doc := value.MustObject(
		value.Field{Name: "name", Value: value.String(name)},
		value.Field{Name: "cronSpec", Value: spec},
		value.Field{Name: "state", Value: cronStateValue(state)},
		value.Field{Name: "prevTs", Value: prevV},
		value.Field{Name: "nextTs", Value: value.Int64(next)},
	)
	if component != "" {
		doc = doc.With("component", value.String(component))
	}
	return doc
}

// syncVersionCrons makes _cron_jobs match the crons of every mounted
// instance of v (the crons of instances v does not mount are deleted) and
// returns the soonest next run it set (0: none). tx views the app's
// namespace.
func (a *App) syncVersionCrons(ctx context.Context, tx *database.Tx, v *Version) (int64, error) {
	docs, err := tx.SystemScan(ctx, cronsTable)
	if err != nil {
		return 0, fmt.Errorf("read cron jobs: %w", err)
	}
	var earliest int64
	mounted := map[string]bool{}
	for _, p := range v.mountedPaths() {
		mounted[p] = true
		next, err := a.syncCrons(ctx, tx, docs, p, v.code(p))
		if err != nil {
			return 0, err
		}
		if next != 0 && (earliest == 0 || next < earliest) {
			earliest = next
		}
	}
	gone := map[string]bool{}
	for _, d := range docs {
		if c := strField(d, "component"); !mounted[c] {
			gone[c] = true
		}
	}
	for p := range gone {
		if _, err := a.syncCrons(ctx, tx, docs, p, &Code{}); err != nil {
			return 0, err
		}
	}
	return earliest, nil
}

// syncCrons makes the _cron_jobs of the instance at comp (among docs, all
// of _cron_jobs) match the crons of its code inside the deploy's
// transaction: new crons are created with their first run, changed ones
// take the new spec (and a new next run when the schedule changed),
// removed ones are deleted with their logs. It returns the soonest next
// run it set (0: none).
func (a *App) syncCrons(ctx context.Context, tx *database.Tx, docs []value.Object, comp string, code *Code) (int64, error) {
	jobs, err := cronspec.ParseExport(code.Crons)
	if err != nil {
		return 0, cronPushError(err)
	}
	existing := map[string]cronJob{}
	for _, d := range docs {
		if strField(d, "component") != comp {
			continue
		}
		c, err := decodeCronJob(d)
		if err != nil {
			a.log.Warn("replacing an unreadable cron job", "err", err)
			if _, err := tx.SystemDelete(ctx, c.id); err != nil {
				return 0, err
			}
			continue
		}
		existing[c.name] = c
	}
	now := time.Now().UnixNano()
	var earliest int64
	note := func(ts int64) {
		if earliest == 0 || ts < earliest {
			earliest = ts
		}
	}
	for _, j := range jobs {
		path, err := ParseFunctionPath(j.Function)
		if err != nil {
			return 0, cronPushError(&cronspec.Error{Name: j.Name, Msg: fmt.Sprintf("invalid function name %q", j.Function)})
		}
		argsV, err := value.FromJSON(j.Args)
		args, ok := argsV.(value.Object)
		if err != nil || !ok {
			return 0, cronPushError(&cronspec.Error{Name: j.Name, Msg: "the arguments must be an object"})
		}
		if value.Size(args) > value.MaxDocumentSize/2 {
			return 0, cronPushError(&cronspec.Error{Name: j.Name, Msg: "the arguments must be smaller than 512 KiB"})
		}
		spec := cronSpecValue(jobName(path), args, j.Schedule)
		cur, had := existing[j.Name]
		delete(existing, j.Name)
		if !had {
			next, err := j.Schedule.Next(0, now)
			if err != nil {
				return 0, cronPushError(&cronspec.Error{Name: j.Name, Msg: err.Error()})
			}
			if _, err := tx.SystemInsert(ctx, cronsTable, cronJobDoc(comp, j.Name, spec, statePending, 0, next)); err != nil {
				return 0, fmt.Errorf("create cron job %q: %w", j.Name, err)
			}
			note(next)
			continue
		}
		curSpec, _ := cur.doc.Get("cronSpec")
		if value.Equal(curSpec, spec) {
			continue
		}
		next := cur.nextTS
		if !value.Equal(cronScheduleValue(cur.schedule), cronScheduleValue(j.Schedule)) {
			if next, err = j.Schedule.Next(cur.prevTS, now); err != nil {
				return 0, cronPushError(&cronspec.Error{Name: j.Name, Msg: err.Error()})
			}
		}
		if _, err := tx.SystemReplace(ctx, cur.id, cronJobDoc(comp, j.Name, spec, cur.state, cur.prevTS, next)); err != nil {
			return 0, fmt.Errorf("update cron job %q: %w", j.Name, err)
		}
		note(next)
	}
	for name, c := range existing {
		if _, err := tx.SystemDelete(ctx, c.id); err != nil {
			return 0, fmt.Errorf("delete cron job %q: %w", name, err)
		}
		if err := trimCronLogs(ctx, tx, comp, name, 0); err != nil {
			return 0, err
		}
	}
	return earliest, nil
}

// syncActiveCrons brings _cron_jobs in line with the live version at
// start, for versions pushed before hull kept crons in the database. It
// changes nothing when they already match; a failure is logged, not fatal
// (the next push syncs again).
func (a *App) syncActiveCrons(ctx context.Context) {
	v := a.active.Load()
	if v == nil {
		return
	}
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := a.syncVersionCrons(ctx, tx, v); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if err != nil {
		a.log.Warn("the crons of the live version could not be synced; push again to fix them", "component", "scheduler", "err", err)
	}
}

// cronDiff names the crons a push adds, changes and removes in one
// instance, as finish_push reports them (nil code: none).
func cronDiff(cur, next *Code) map[string]any {
	specs := func(v *Code) map[string]string {
		out := map[string]string{}
		if v == nil {
			return out
		}
		jobs, _ := cronspec.ParseExport(v.Crons)
		for _, j := range jobs {
			out[j.Name] = j.Function + " " + string(j.Args) + " " + string(value.ToJSON(cronScheduleValue(j.Schedule)))
		}
		return out
	}
	before, after := specs(cur), specs(next)
	added, updated, deleted := []string{}, []string{}, []string{}
	for name, s := range after {
		if old, ok := before[name]; !ok {
			added = append(added, name)
		} else if old != s {
			updated = append(updated, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			deleted = append(deleted, name)
		}
	}
	slices.Sort(added)
	slices.Sort(updated)
	slices.Sort(deleted)
	return map[string]any{"added": added, "updated": updated, "deleted": deleted}
}

// trimCronLogs keeps the newest keep logs of a cron of the instance at
// component.
func trimCronLogs(ctx context.Context, tx *database.Tx, component, name string, keep int) error {
	s, err := tx.SystemQuery(ctx, &database.Query{
		Kind: database.IndexRange, Table: cronLogsTable, Index: cronLogsByNameTS, Descending: true,
		Range: []database.RangeExpr{{Op: "Eq", Field: "name", Value: value.String(name)}},
	})
	if err != nil {
		return err
	}
	n := 0
	for {
		doc, ok, err := s.Next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if strField(doc, "component") != component {
			continue
		}
		n++
		if n <= keep {
			continue
		}
		id, err := idField(doc, "_id")
		if err != nil {
			return err
		}
		if _, err := tx.SystemDelete(ctx, id); err != nil {
			return err
		}
	}
}
