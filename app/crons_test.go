package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"hull/value"
)

// cronsModule is a crons.js whose export() returns crons.
func cronsModule(crons map[string]any) string {
	body, _ := json.Marshal(crons)
	return `export default { isCrons: true, export: () => ` + "`" + string(body) + "`" + ` };`
}

func cronEntry(fn string, args map[string]any, schedule map[string]any) map[string]any {
	return map[string]any{"name": fn, "args": []any{args}, "schedule": schedule}
}

func cronDocs(t *testing.T, a *App) map[string]cronJob {
	t.Helper()
	out := map[string]cronJob{}
	for _, d := range docs(t, a, cronsTable) {
		c, err := decodeCronJob(d)
		if err != nil {
			t.Fatal(err)
		}
		out[c.name] = c
	}
	return out
}

func cronLogs(t *testing.T, a *App, name string) []value.Object {
	var out []value.Object
	for _, d := range docs(t, a, cronLogsTable) {
		if strField(d, "name") == name {
			out = append(out, d)
		}
	}
	return out
}

func logStatus(d value.Object) string {
	st, _ := d.Get("status")
	return strField(st.(value.Object), "type")
}

func TestCronsAreSyncedOnEachPush(t *testing.T) {
	a := newStoredApp(t, time.Now)
	hourly := map[string]any{"type": "interval", "hours": 1}
	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"keep":   cronEntry("jobs:record", map[string]any{"tag": "keep"}, hourly),
		"change": cronEntry("jobs:record", map[string]any{"tag": "change"}, hourly),
		"drop":   cronEntry("jobs:record", map[string]any{"tag": "drop"}, map[string]any{"type": "daily", "hourUTC": 3, "minuteUTC": 0}),
	})})
	first := cronDocs(t, a)
	if len(first) != 3 {
		t.Fatalf("crons after the first push: %v", first)
	}
	if d := first["keep"].nextTS - time.Now().UnixNano(); d > 0 || d < -int64(time.Minute) {
		t.Fatalf("an interval cron first runs at once; next run is %s away", time.Duration(d))
	}
	if c := first["drop"]; c.udfPath != "jobs.js:record" || strField(c.args, "tag") != "drop" || c.state != statePending || c.prevTS != 0 {
		t.Fatalf("stored cron = %+v", c)
	}
	if ms, ok, err := a.NextDue(context.Background()); err != nil || !ok || ms > time.Now().UnixMilli() {
		t.Fatalf("NextDue = %d, %v, %v; want the interval crons due now", ms, ok, err)
	}

	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"keep":   cronEntry("jobs:record", map[string]any{"tag": "keep"}, hourly),
		"change": cronEntry("jobs:record", map[string]any{"tag": "changed"}, map[string]any{"type": "cron", "cron": "0 4 * * *"}),
		"add":    cronEntry("jobs:act", map[string]any{"tag": "add"}, hourly),
	})})
	second := cronDocs(t, a)
	if _, ok := second["drop"]; ok || len(second) != 3 {
		t.Fatalf("crons after the second push: %v", second)
	}
	if !value.Equal(second["keep"].doc, first["keep"].doc) {
		t.Fatalf("an unchanged cron was rewritten:\n%s\n%s", value.ToJSON(first["keep"].doc), value.ToJSON(second["keep"].doc))
	}
	ch := second["change"]
	if strField(ch.args, "tag") != "changed" || ch.schedule.Type != "cron" {
		t.Fatalf("changed cron = %+v", ch)
	}
	if next := time.Unix(0, ch.nextTS).UTC(); next.Hour() != 4 || next.Minute() != 0 || !next.After(time.Now()) {
		t.Fatalf("a cron whose schedule changed runs next at %s, want the next 04:00 UTC", next)
	}

	deploy(t, a, map[string]string{"jobs.js": jobsModule})
	if left := cronDocs(t, a); len(left) != 0 {
		t.Fatalf("a push without crons.js left %v", left)
	}
}

func TestAnInvalidCronSpecFailsThePush(t *testing.T) {
	a := newStoredApp(t, time.Now)
	tests := []struct {
		name  string
		crons map[string]any
		want  string
	}{
		{"a cron expression that does not parse", map[string]any{"bad": cronEntry("jobs:record", map[string]any{}, map[string]any{"type": "cron", "cron": "every day"})}, `cron job "bad": invalid cron expression`},
		{"a cron expression that never matches", map[string]any{"feb30": cronEntry("jobs:record", map[string]any{}, map[string]any{"type": "cron", "cron": "0 0 30 2 *"})}, "will never match any time"},
		{"an interval of zero", map[string]any{"zero": cronEntry("jobs:record", map[string]any{}, map[string]any{"type": "interval", "seconds": 0})}, "integer greater than 0"},
		{"a function that does not exist", map[string]any{"ghost": cronEntry("jobs:ghost", map[string]any{}, map[string]any{"type": "interval", "seconds": 5})}, "jobs:ghost does not exist"},
		{"a query", map[string]any{"q": cronEntry("jobs:list", map[string]any{}, map[string]any{"type": "interval", "seconds": 5})}, "only mutations and actions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &StartPushRequest{Functions: "convex/"}
			req.AppDefinition.Functions = []ModuleConfig{
				{Path: "jobs.js", Source: jobsModule, Environment: "isolate"},
				{Path: "crons.js", Source: cronsModule(tt.crons), Environment: "isolate"},
			}
			_, err := a.StartPush(context.Background(), req)
			var ae *Error
			if !errors.As(err, &ae) || ae.Code != "InvalidCron" || !strings.Contains(ae.Message, tt.want) {
				t.Fatalf("start_push = %v, want an InvalidCron error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestAOneSecondCronRunsAndItsRunsAreLogged(t *testing.T) {
	a := newStoredApp(t, time.Now)
	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"tick":   cronEntry("jobs:record", map[string]any{"tag": "tick"}, map[string]any{"type": "interval", "seconds": 1}),
		"tickA":  cronEntry("jobs:act", map[string]any{"tag": "tock"}, map[string]any{"type": "interval", "seconds": 1}),
		"broken": cronEntry("jobs:fail", map[string]any{}, map[string]any{"type": "interval", "seconds": 1}),
	})})
	startScheduler(t, a, SchedulerOptions{})
	eventually(t, "two runs of each cron", func() bool {
		got := tags(t, a)
		return got["tick"] >= 2 && got["tock"] >= 2 && len(cronLogs(t, a, "broken")) >= 2
	})
	for _, name := range []string{"tick", "tickA"} {
		logs := cronLogs(t, a, name)
		if logStatus(logs[0]) != "success" || strField(logs[0], "udfPath") == "" {
			t.Fatalf("%s log = %s", name, value.ToJSON(logs[0]))
		}
		c := cronDocs(t, a)[name]
		if c.prevTS == 0 || c.nextTS <= c.prevTS {
			t.Fatalf("%s after runs: prev %d, next %d", name, c.prevTS, c.nextTS)
		}
	}
	bl := cronLogs(t, a, "broken")[0]
	st, _ := bl.Get("status")
	if logStatus(bl) != "err" || !strings.Contains(strField(st.(value.Object), "error"), "boom") {
		t.Fatalf("failing cron log = %s", value.ToJSON(bl))
	}
}

// setCron rewrites a cron's run state directly.
func setCron(t *testing.T, a *App, name, state string, prev, next int64) {
	t.Helper()
	ctx := context.Background()
	tx, err := a.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := cronDocs(t, a)[name]
	spec, _ := c.doc.Get("cronSpec")
	if _, err := tx.SystemReplace(ctx, c.id, cronJobDoc("", name, spec.(value.Object), state, prev, next)); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestMissedCronRunsAreSkippedNotReplayed(t *testing.T) {
	a := newStoredApp(t, time.Now)
	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"hourly": cronEntry("jobs:record", map[string]any{"tag": "hourly"}, map[string]any{"type": "interval", "hours": 1}),
	})})
	// Asleep for two and a half hours since a run was due.
	due := time.Now().Add(-150 * time.Minute).UnixNano()
	setCron(t, a, "hourly", statePending, due-int64(time.Hour), due)
	startScheduler(t, a, SchedulerOptions{})
	eventually(t, "the overdue run", func() bool { return len(cronLogs(t, a, "hourly")) == 2 })
	if got := tags(t, a)["hourly"]; got != 1 {
		t.Fatalf("the cron ran %d times, want once", got)
	}
	var canceled value.Object
	for _, l := range cronLogs(t, a, "hourly") {
		if logStatus(l) == "canceled" {
			canceled = l
		}
	}
	st, _ := canceled.Get("status")
	if n := int64Field(st.(value.Object), "num_canceled"); n != 2 {
		t.Fatalf("skipped runs logged = %d, want 2 (%s)", n, value.ToJSON(canceled))
	}
	c := cronDocs(t, a)["hourly"]
	if c.prevTS != due || c.nextTS != due+3*int64(time.Hour) {
		t.Fatalf("after catching up: prev %s next %s", time.Unix(0, c.prevTS), time.Unix(0, c.nextTS))
	}
}

func TestACronActionLeftInProgressIsLoggedAsFailedAndMovesOn(t *testing.T) {
	a := newStoredApp(t, time.Now)
	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"act": cronEntry("jobs:act", map[string]any{"tag": "act"}, map[string]any{"type": "interval", "hours": 1}),
	})})
	due := time.Now().Add(-time.Second).UnixNano()
	setCron(t, a, "act", stateInProgress, 0, due)
	startScheduler(t, a, SchedulerOptions{})
	eventually(t, "the leftover run to be logged", func() bool { return len(cronLogs(t, a, "act")) == 1 })
	l := cronLogs(t, a, "act")[0]
	st, _ := l.Get("status")
	if strField(st.(value.Object), "error") != transientActionError || tags(t, a)["act"] != 0 {
		t.Fatalf("log = %s, runs = %v", value.ToJSON(l), tags(t, a))
	}
	if c := cronDocs(t, a)["act"]; c.state != statePending || c.nextTS != due+int64(time.Hour) {
		t.Fatalf("cron after the leftover = %+v", c)
	}
}

func TestCronLogsKeepTheLastFiveRuns(t *testing.T) {
	a := newStoredApp(t, time.Now)
	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"c": cronEntry("jobs:record", map[string]any{"tag": "c"}, map[string]any{"type": "interval", "seconds": 1}),
	})})
	for i := 0; i < 8; i++ {
		c := cronDocs(t, a)["c"]
		if err := a.completeCronRun(context.Background(), c, cronSuccessStatus([]byte(`{"n":1}`)), []LogLine{{Level: "LOG", Message: "'hi'"}}, time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	logs := cronLogs(t, a, "c")
	if len(logs) != maxLogsPerCron {
		t.Fatalf("%d logs kept, want %d", len(logs), maxLogsPerCron)
	}
	lines, _ := logs[0].Get("logLines")
	if got := string(value.ToJSON(lines)); !strings.Contains(got, `[LOG] 'hi'`) {
		t.Fatalf("log lines = %s", got)
	}
}

func TestCronTablesAreListedForTheCLIAndDashboard(t *testing.T) {
	a := newStoredApp(t, time.Now)
	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"c": cronEntry("jobs:record", map[string]any{"tag": "c"}, map[string]any{"type": "interval", "seconds": 1}),
	})})
	if err := a.completeCronRun(context.Background(), cronDocs(t, a)["c"], cronSuccessStatus(nil), nil, 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, args, want string }{
		{"_system/cli/tableData:default", `{"table":"_cron_jobs","order":"desc","paginationOpts":{"cursor":null,"numItems":101}}`, `"name":"c"`},
		{"_system/cli/tableData:default", `{"table":"_cron_job_logs","order":"desc","paginationOpts":{"cursor":null,"numItems":101}}`, `"type":"success"`},
		{"_system/frontend/listCronJobs:default", `{}`, `"lastRun":{`},
		{"_system/frontend/listCronJobRuns:default", `{}`, `"udfPath":"jobs.js:record"`},
	} {
		p, _ := ParseFunctionPath(tc.path)
		res, err := a.Call(context.Background(), CallRequest{Path: p, Args: []byte(tc.args), Admin: true})
		if err != nil || res.Err != nil {
			t.Fatalf("%s: %v %+v", tc.path, err, res)
		}
		if !strings.Contains(string(res.Value), tc.want) {
			t.Fatalf("%s = %s, want it to contain %s", tc.path, res.Value, tc.want)
		}
	}
}

func TestCronsOfAVersionPushedBeforeCronsWereStoredAreSyncedAtStart(t *testing.T) {
	a := newStoredApp(t, time.Now)
	deploy(t, a, map[string]string{"jobs.js": jobsModule, "crons.js": cronsModule(map[string]any{
		"c": cronEntry("jobs:record", map[string]any{"tag": "c"}, map[string]any{"type": "interval", "minutes": 5}),
	})})
	ctx := context.Background()
	tx, err := a.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.SystemDelete(ctx, cronDocs(t, a)["c"].id); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := New(ctx, a.store, a.db, Options{Logger: a.log})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cronDocs(t, b)["c"]; !ok || c.schedule.Seconds != 300 {
		t.Fatalf("crons after start = %v", cronDocs(t, b))
	}
}
