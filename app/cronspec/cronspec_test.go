package cronspec

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func utc(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

func show(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339) }

func mustSchedule(t *testing.T, js string) Schedule {
	t.Helper()
	s, err := ParseSchedule(json.RawMessage(js))
	if err != nil {
		t.Fatalf("ParseSchedule(%s): %v", js, err)
	}
	return s
}

func TestNextRun(t *testing.T) {
	tests := []struct {
		name     string
		schedule string
		prev     string // "" = the cron never ran
		now      string
		want     string
	}{
		{"an interval runs at once the first time", `{"type":"interval","seconds":60}`, "", "2023-03-01T08:35:00Z", "2023-03-01T08:35:00Z"},
		{"an interval runs one period after the previous run", `{"type":"interval","seconds":60}`, "2023-03-01T08:35:00Z", "2023-03-01T08:35:10Z", "2023-03-01T08:36:00Z"},
		{"an interval in minutes is converted to seconds", `{"type":"interval","minutes":5}`, "2023-03-01T08:35:00Z", "2023-03-01T08:35:00Z", "2023-03-01T08:40:00Z"},
		{"an interval in hours is converted to seconds", `{"type":"interval","hours":2}`, "2023-03-01T23:00:00Z", "2023-03-01T23:00:00Z", "2023-03-02T01:00:00Z"},
		{"hourly runs at the next matching minute", `{"type":"hourly","minuteUTC":5}`, "", "2023-03-01T08:35:00Z", "2023-03-01T09:05:00Z"},
		{"hourly runs an hour after its previous run", `{"type":"hourly","minuteUTC":5}`, "2023-03-01T09:05:00Z", "2023-03-01T08:35:00Z", "2023-03-01T10:05:00Z"},
		{"hourly at the current minute waits for the next hour", `{"type":"hourly","minuteUTC":35}`, "", "2023-03-01T08:35:00Z", "2023-03-01T09:35:00Z"},
		{"daily later today", `{"type":"daily","hourUTC":12,"minuteUTC":30}`, "", "2023-02-28T08:35:00Z", "2023-02-28T12:30:00Z"},
		{"daily already passed today runs tomorrow", `{"type":"daily","hourUTC":8,"minuteUTC":30}`, "", "2023-02-28T08:35:00Z", "2023-03-01T08:30:00Z"},
		{"daily rolls over the end of the year", `{"type":"daily","hourUTC":0,"minuteUTC":0}`, "2026-12-31T00:00:00Z", "2026-12-31T00:00:01Z", "2027-01-01T00:00:00Z"},
		{"weekly on Tuesday", `{"type":"weekly","dayOfWeek":"tuesday","hourUTC":12,"minuteUTC":30}`, "", "2023-02-28T08:35:00Z", "2023-02-28T12:30:00Z"},
		{"weekly a week after its previous run", `{"type":"weekly","dayOfWeek":"tuesday","hourUTC":12,"minuteUTC":30}`, "2023-02-28T12:30:00Z", "2023-02-28T12:30:05Z", "2023-03-07T12:30:00Z"},
		{"weekly on Sunday is day 0", `{"type":"weekly","dayOfWeek":"sunday","hourUTC":0,"minuteUTC":0}`, "", "2026-11-04T10:00:00Z", "2026-11-08T00:00:00Z"},
		{"weekly on Saturday is day 6", `{"type":"weekly","dayOfWeek":"saturday","hourUTC":23,"minuteUTC":59}`, "", "2026-11-04T10:00:00Z", "2026-11-07T23:59:00Z"},
		{"monthly on the first", `{"type":"monthly","day":1,"hourUTC":12,"minuteUTC":30}`, "", "2023-02-28T08:35:00Z", "2023-03-01T12:30:00Z"},
		{"monthly keeps the UTC hour across the DST change of other zones", `{"type":"monthly","day":1,"hourUTC":12,"minuteUTC":30}`, "2023-03-01T12:30:00Z", "2023-03-01T12:31:00Z", "2023-04-01T12:30:00Z"},
		{"monthly on the 31st skips months without one", `{"type":"monthly","day":31,"hourUTC":0,"minuteUTC":0}`, "2026-01-31T00:00:00Z", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z"},
		{"monthly on the 31st skips April", `{"type":"monthly","day":31,"hourUTC":6,"minuteUTC":0}`, "2026-03-31T06:00:00Z", "2026-03-31T06:00:00Z", "2026-05-31T06:00:00Z"},
		{"monthly on the 30th skips February", `{"type":"monthly","day":30,"hourUTC":6,"minuteUTC":0}`, "2027-01-30T06:00:00Z", "2027-01-30T06:00:00Z", "2027-03-30T06:00:00Z"},
		{"monthly on the 29th finds February in a leap year", `{"type":"monthly","day":29,"hourUTC":0,"minuteUTC":0}`, "2028-01-29T00:00:00Z", "2028-01-29T00:00:00Z", "2028-02-29T00:00:00Z"},
		{"monthly on the 29th skips February otherwise", `{"type":"monthly","day":29,"hourUTC":0,"minuteUTC":0}`, "2027-01-29T00:00:00Z", "2027-01-29T00:00:00Z", "2027-03-29T00:00:00Z"},
		{"a cron string on Mondays and Fridays", `{"type":"cron","cron":"0 12 * * 1,5"}`, "", "2023-02-28T08:35:00Z", "2023-03-03T12:00:00Z"},
		{"a cron string continues after its previous run", `{"type":"cron","cron":"0 12 * * 1,5"}`, "2023-03-03T12:00:00Z", "2023-03-03T12:00:01Z", "2023-03-06T12:00:00Z"},
		{"a cron string with a step", `{"type":"cron","cron":"*/15 * * * *"}`, "", "2026-11-04T10:07:30Z", "2026-11-04T10:15:00Z"},
		{"a cron string with names", `{"type":"cron","cron":"30 9 * JAN MON"}`, "", "2026-12-01T00:00:00Z", "2027-01-04T09:30:00Z"},
		{"a cron string for the leap day", `{"type":"cron","cron":"30 2 29 2 *"}`, "", "2026-11-04T00:00:00Z", "2028-02-29T02:30:00Z"},
		{"a cron string at the US DST change stays in UTC", `{"type":"cron","cron":"30 2 * * *"}`, "", "2026-03-08T01:00:00Z", "2026-03-08T02:30:00Z"},
		{"a cron string at the EU DST change stays in UTC", `{"type":"cron","cron":"30 1 * * *"}`, "", "2026-10-25T00:59:00Z", "2026-10-25T01:30:00Z"},
		{"a cron string every minute runs at the next whole minute", `{"type":"cron","cron":"* * * * *"}`, "", "2026-11-04T10:07:59.999Z", "2026-11-04T10:08:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, tt.schedule)
			var prev int64
			if tt.prev != "" {
				prev = utc(tt.prev)
			}
			got, err := s.Next(prev, utc(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if got != utc(tt.want) {
				t.Fatalf("Next = %s, want %s", show(got), tt.want)
			}
		})
	}
}

func TestMissedRunsAreSkipped(t *testing.T) {
	tests := []struct {
		name               string
		schedule           string
		prev, now          string
		want, firstSkipped string
		skipped            int64
	}{
		{"an interval that kept up skips nothing", `{"type":"interval","seconds":1}`, "2026-11-04T10:00:00Z", "2026-11-04T10:00:00.2Z", "2026-11-04T10:00:01Z", "", 0},
		{"an interval asleep for an hour runs once, now", `{"type":"interval","seconds":10}`, "2026-11-04T10:00:00Z", "2026-11-04T11:00:05Z", "2026-11-04T11:00:10Z", "2026-11-04T10:00:10Z", 360},
		{"a run due exactly now is not skipped", `{"type":"interval","seconds":10}`, "2026-11-04T10:00:00Z", "2026-11-04T10:00:10Z", "2026-11-04T10:00:10Z", "", 0},
		{"a daily cron asleep for three days skips the missed days", `{"type":"daily","hourUTC":6,"minuteUTC":0}`, "2026-11-01T06:00:00Z", "2026-11-04T10:00:00Z", "2026-11-05T06:00:00Z", "2026-11-02T06:00:00Z", 3},
		{"a minute cron asleep for a year ends up in the future", `{"type":"cron","cron":"* * * * *"}`, "2025-11-04T10:00:00Z", "2026-11-04T10:00:30Z", "2026-11-04T10:01:00Z", "2025-11-04T10:01:00Z", maxCountedSkips},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, tt.schedule)
			next, skipped, first, err := s.NextAfterMissed(utc(tt.prev), utc(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if next != utc(tt.want) || skipped != tt.skipped {
				t.Fatalf("next %s after %d skipped; want %s after %d", show(next), skipped, tt.want, tt.skipped)
			}
			if tt.firstSkipped != "" && first != utc(tt.firstSkipped) {
				t.Fatalf("first skipped %s, want %s", show(first), tt.firstSkipped)
			}
			if next < utc(tt.now) {
				t.Fatalf("next run %s is in the past", show(next))
			}
		})
	}
}

func TestBadSchedulesAreRefused(t *testing.T) {
	tests := []struct {
		name, schedule, want string
	}{
		{"an interval of zero", `{"type":"interval","seconds":0}`, "integer greater than 0"},
		{"a fractional interval", `{"type":"interval","minutes":1.5}`, "integer greater than 0"},
		{"an interval with two units", `{"type":"interval","seconds":1,"minutes":1}`, "exactly one of"},
		{"an interval with no unit", `{"type":"interval"}`, "exactly one of"},
		{"a minute of 60", `{"type":"hourly","minuteUTC":60}`, "minuteUTC must be an integer from 0 to 59"},
		{"an hour of 24", `{"type":"daily","hourUTC":24}`, "hourUTC must be an integer from 0 to 23"},
		{"a daily schedule without its hour", `{"type":"daily"}`, "hourUTC is required"},
		{"a day of month of 32", `{"type":"monthly","day":32,"hourUTC":0}`, "day must be an integer from 1 to 31"},
		{"a day of month of 0", `{"type":"monthly","day":0,"hourUTC":0}`, "day must be an integer from 1 to 31"},
		{"an unknown day of the week", `{"type":"weekly","dayOfWeek":"funday","hourUTC":0}`, "dayOfWeek"},
		{"a cron string with too few fields", `{"type":"cron","cron":"* * * *"}`, "invalid cron expression"},
		{"a cron string with seconds", `{"type":"cron","cron":"0 * * * * *"}`, "invalid cron expression"},
		{"a cron string with day of week 7", `{"type":"cron","cron":"0 12 * * 7"}`, "invalid cron expression"},
		{"a cron string with minute 61", `{"type":"cron","cron":"61 * * * *"}`, "invalid cron expression"},
		{"a cron string that is words", `{"type":"cron","cron":"every day"}`, "invalid cron expression"},
		{"a cron string that never matches", `{"type":"cron","cron":"0 0 30 2 *"}`, "will never match any time"},
		{"a cron string with a time zone", `{"type":"cron","cron":"TZ=Europe/Paris 0 12 * * *"}`, "run in UTC"},
		{"a cron descriptor", `{"type":"cron","cron":"@daily"}`, "five fields"},
		{"an unknown type", `{"type":"yearly"}`, "unknown schedule type"},
		{"no type", `{}`, "no type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchedule(json.RawMessage(tt.schedule))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseSchedule(%s) = %v, want an error mentioning %q", tt.schedule, err, tt.want)
			}
		})
	}
}

func TestParseExport(t *testing.T) {
	export := `{
		"tick": {"name": "jobs:tick", "args": [{"n": 1}], "schedule": {"type": "interval", "seconds": 1}},
		"nightly": {"name": "jobs:nightly", "args": [{}], "schedule": {"type": "daily", "hourUTC": 3}},
		"custom": {"name": "jobs:custom", "args": [{}], "schedule": {"type": "cron", "cron": "0 */2 * * *"}}
	}`
	jobs, err := ParseExport([]byte(export))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 || jobs[0].Name != "custom" || jobs[1].Name != "nightly" || jobs[2].Name != "tick" {
		t.Fatalf("jobs = %+v, want custom, nightly, tick", jobs)
	}
	if jobs[2].Function != "jobs:tick" || string(jobs[2].Args) != `{"n": 1}` || jobs[2].Schedule.Seconds != 1 {
		t.Fatalf("tick = %+v", jobs[2])
	}
	// A daily schedule without minuteUTC gets a stable minute of its own.
	m := jobs[1].Schedule.MinuteUTC
	if m != splayMinute("nightly") {
		t.Fatalf("nightly runs at minute %d, want %d", m, splayMinute("nightly"))
	}
	next, err := jobs[1].Schedule.Next(0, utc("2026-11-04T10:00:00Z"))
	if err != nil || time.Unix(0, next).UTC().Minute() != int(m) || time.Unix(0, next).UTC().Hour() != 3 {
		t.Fatalf("nightly next = %s, %v; want 03:%02d", show(next), err, m)
	}

	bad := []struct{ name, export, want string }{
		{"an export that is not an object", `[1]`, "JSON object"},
		{"a job whose schedule is bad names the job", `{"broken": {"name": "a:b", "args": [{}], "schedule": {"type": "cron", "cron": "nope"}}}`, `cron job "broken"`},
		{"a job without a function", `{"x": {"args": [{}], "schedule": {"type": "interval", "seconds": 1}}}`, "no function"},
		{"an identifier with a control character", `{"a\u0001": {"name": "a:b", "args": [{}], "schedule": {"type": "interval", "seconds": 1}}}`, "invalid character"},
		{"arguments that are not an object", `{"x": {"name": "a:b", "args": [5], "schedule": {"type": "interval", "seconds": 1}}}`, "must be an object"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseExport([]byte(tt.export))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseExport = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}
