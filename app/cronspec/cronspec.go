// Package cronspec owns the schedules of a Convex app's crons.js: it
// parses the JSON that crons.export() produces (interval, hourly, daily,
// weekly, monthly and cron-string schedules), validates it with Convex's
// rules, and computes when each cron runs next, in UTC, with Convex's
// rules for the first run and for runs missed while nothing was running.
//
// The package is pure: times are passed in, nothing is stored.
package cronspec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Kinds of schedule, as crons.export() names them in schedule.type.
const (
	Interval = "interval"
	Hourly   = "hourly"
	Daily    = "daily"
	Weekly   = "weekly"
	Monthly  = "monthly"
	Cron     = "cron"
)

// daysOfWeek are the dayOfWeek names crons.weekly accepts; the index is
// the cron day number (0 = Sunday).
var daysOfWeek = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// Schedule is one validated cron schedule.
type Schedule struct {
	Type string
	// Seconds is the period of an interval schedule.
	Seconds int64
	// MinuteUTC, HourUTC, DayOfWeek (0 = Sunday) and Day (of the month)
	// are the fields of hourly, daily, weekly and monthly schedules.
	MinuteUTC int64
	HourUTC   int64
	DayOfWeek int64
	Day       int64
	// Expr is the 5-field cron expression of a cron schedule.
	Expr string

	spec cron.Schedule // nil for intervals
}

// Job is one entry of crons.js: the function to run, its arguments and
// its schedule.
type Job struct {
	// Name is the cron identifier given to crons.interval(...) and friends.
	Name string
	// Function is the function name as the client wrote it ("messages:send").
	Function string
	// Args is the Convex-encoded JSON of the single arguments object.
	Args     json.RawMessage
	Schedule Schedule
	// Raw is the schedule JSON as exported, kept to detect changes.
	Raw json.RawMessage
}

// Error is a cron spec Convex would refuse; the push that carries it fails
// with its message.
type Error struct {
	Name string // the cron identifier, "" when the export itself is bad
	Msg  string
}

func (e *Error) Error() string {
	if e.Name == "" {
		return e.Msg
	}
	return fmt.Sprintf("cron job %q: %s", e.Name, e.Msg)
}

// ParseExport parses the JSON string crons.export() returned: an object
// from cron identifier to {name, args, schedule}. Jobs come back sorted by
// identifier.
func ParseExport(data []byte) ([]Job, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &Error{Msg: "the default export of crons.js did not produce a JSON object of cron jobs: " + err.Error()}
	}
	jobs := make([]Job, 0, len(raw))
	for name, body := range raw {
		j, err := parseJob(name, body)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].Name < jobs[b].Name })
	return jobs, nil
}

func parseJob(name string, body json.RawMessage) (Job, error) {
	if err := checkIdentifier(name); err != nil {
		return Job{}, err
	}
	var j struct {
		Name     string            `json:"name"`
		Args     []json.RawMessage `json:"args"`
		Schedule json.RawMessage   `json:"schedule"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return Job{}, &Error{Name: name, Msg: "invalid JSON: " + err.Error()}
	}
	if j.Name == "" {
		return Job{}, &Error{Name: name, Msg: "no function to run"}
	}
	args := json.RawMessage("{}")
	switch len(j.Args) {
	case 0:
	case 1:
		if t := bytes.TrimSpace(j.Args[0]); len(t) == 0 || t[0] != '{' {
			return Job{}, &Error{Name: name, Msg: "the arguments must be an object"}
		}
		args = j.Args[0]
	default:
		return Job{}, &Error{Name: name, Msg: "the arguments must be one object"}
	}
	s, err := ParseSchedule(j.Schedule)
	if err != nil {
		return Job{}, &Error{Name: name, Msg: err.Error()}
	}
	if s.Type != Interval && s.Type != Cron && !hasField(j.Schedule, "minuteUTC") {
		s.MinuteUTC = splayMinute(name)
		if s.spec, err = parseExpr(s.expr()); err != nil {
			return Job{}, &Error{Name: name, Msg: err.Error()}
		}
	}
	return Job{Name: name, Function: j.Name, Args: args, Schedule: s, Raw: j.Schedule}, nil
}

// checkIdentifier applies Convex's rule for cron identifiers: printable
// ASCII only.
func checkIdentifier(name string) error {
	for _, c := range name {
		if c < 0x20 || c > 0x7e {
			return &Error{Name: name, Msg: fmt.Sprintf("the identifier has the invalid character %q: cron identifiers may only contain ASCII characters that are not control characters", c)}
		}
	}
	return nil
}

// splayMinute is the minute an hourly, daily, weekly or monthly schedule
// without minuteUTC runs at: a stable offset derived from the identifier,
// so that crons which leave the minute open do not all start together.
func splayMinute(name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int64(h.Sum32() % 60)
}

func hasField(obj json.RawMessage, name string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return false
	}
	v, ok := m[name]
	return ok && string(bytes.TrimSpace(v)) != "null"
}

// ParseSchedule parses and validates one schedule object
// ({type: "interval", seconds: 30}, {type: "cron", cron: "0 * * * *"}, ...).
// An hourly, daily, weekly or monthly schedule without minuteUTC gets
// minute 0 here; ParseExport gives it its stable offset.
func ParseSchedule(data json.RawMessage) (Schedule, error) {
	var r struct {
		Type      string   `json:"type"`
		Seconds   *float64 `json:"seconds"`
		Minutes   *float64 `json:"minutes"`
		Hours     *float64 `json:"hours"`
		MinuteUTC *float64 `json:"minuteUTC"`
		HourUTC   *float64 `json:"hourUTC"`
		DayOfWeek *string  `json:"dayOfWeek"`
		Day       *float64 `json:"day"`
		Cron      *string  `json:"cron"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return Schedule{}, fmt.Errorf("invalid schedule JSON: %v", err)
	}
	s := Schedule{Type: r.Type}
	var err error
	switch r.Type {
	case Interval:
		s.Seconds, err = intervalSeconds(r.Seconds, r.Minutes, r.Hours)
		return s, err
	case Hourly, Daily, Weekly, Monthly:
		if s.MinuteUTC, err = field("minuteUTC", r.MinuteUTC, 0, 59, false); err != nil {
			return s, err
		}
		if r.Type != Hourly {
			if s.HourUTC, err = field("hourUTC", r.HourUTC, 0, 23, true); err != nil {
				return s, err
			}
		}
		if r.Type == Weekly {
			if s.DayOfWeek, err = dayOfWeek(r.DayOfWeek); err != nil {
				return s, err
			}
		}
		if r.Type == Monthly {
			if s.Day, err = field("day", r.Day, 1, 31, true); err != nil {
				return s, err
			}
		}
	case Cron:
		if r.Cron == nil {
			return s, fmt.Errorf("a cron schedule needs a cron expression")
		}
		s.Expr = strings.TrimSpace(*r.Cron)
	case "":
		return s, fmt.Errorf("the schedule has no type")
	default:
		return s, fmt.Errorf("unknown schedule type %q: expected interval, hourly, daily, weekly, monthly or cron", r.Type)
	}
	s.spec, err = parseExpr(s.expr())
	return s, err
}

func intervalSeconds(seconds, minutes, hours *float64) (int64, error) {
	n := 0
	for _, p := range []*float64{seconds, minutes, hours} {
		if p != nil {
			n++
		}
	}
	if n != 1 {
		return 0, fmt.Errorf("exactly one of seconds, minutes or hours must be given for an interval")
	}
	v, unit := seconds, int64(1)
	switch {
	case minutes != nil:
		v, unit = minutes, 60
	case hours != nil:
		v, unit = hours, 3600
	}
	if *v <= 0 || *v != math.Trunc(*v) || *v > float64(math.MaxInt64/unit/1e9) {
		return 0, fmt.Errorf("interval must be an integer greater than 0")
	}
	return int64(*v) * unit, nil
}

func field(name string, v *float64, lo, hi int64, required bool) (int64, error) {
	if v == nil {
		if required {
			return 0, fmt.Errorf("%s is required", name)
		}
		return 0, nil
	}
	if *v != math.Trunc(*v) || *v < float64(lo) || *v > float64(hi) {
		return 0, fmt.Errorf("%s must be an integer from %d to %d", name, lo, hi)
	}
	return int64(*v), nil
}

func dayOfWeek(s *string) (int64, error) {
	if s != nil {
		for i, d := range daysOfWeek {
			if *s == d {
				return int64(i), nil
			}
		}
	}
	return 0, fmt.Errorf("dayOfWeek must be a day name such as \"monday\"")
}

// expr is the cron expression a calendar schedule stands for.
func (s Schedule) expr() string {
	switch s.Type {
	case Hourly:
		return fmt.Sprintf("%d * * * *", s.MinuteUTC)
	case Daily:
		return fmt.Sprintf("%d %d * * *", s.MinuteUTC, s.HourUTC)
	case Weekly:
		return fmt.Sprintf("%d %d * * %d", s.MinuteUTC, s.HourUTC, s.DayOfWeek)
	case Monthly:
		return fmt.Sprintf("%d %d %d * *", s.MinuteUTC, s.HourUTC, s.Day)
	}
	return s.Expr
}

// parser reads standard 5-field cron expressions (minute hour
// day-of-month month day-of-week; names such as MON and JAN, ranges,
// lists and steps). Descriptors such as @daily are not Convex syntax.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// probeFrom is where the "never matches" check starts: a leap day, so a
// schedule for February 29 is found.
var probeFrom = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)

func parseExpr(expr string) (cron.Schedule, error) {
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, fmt.Errorf("invalid cron expression %q: cron jobs run in UTC; remove the time zone", expr)
	}
	if strings.HasPrefix(expr, "@") {
		return nil, fmt.Errorf("invalid cron expression %q: use the five fields \"minute hour day-of-month month day-of-week\"", expr)
	}
	sched, err := parser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid cron expression %q: %v", expr, err)
	}
	// Within 5 years of a leap day every satisfiable date comes around.
	if sched.Next(probeFrom).IsZero() {
		return nil, fmt.Errorf("cron expression %q will never match any time", expr)
	}
	return sched, nil
}

// Next returns when a cron runs next, in Unix nanoseconds. prev is the
// scheduled time of the run that just happened (0: the cron never ran).
// An interval runs at once the first time, then every period after the
// previous run; a calendar schedule runs at its next matching minute
// strictly after prev (after now when it never ran). Next may return a
// time before now; see NextAfterMissed.
func (s Schedule) Next(prev, now int64) (int64, error) {
	if s.Type == Interval {
		if prev == 0 {
			return now, nil
		}
		return prev + s.Seconds*int64(time.Second), nil
	}
	if s.spec == nil {
		return 0, fmt.Errorf("schedule %q was not parsed", s.expr())
	}
	from := prev
	if from == 0 {
		from = now
	}
	next := s.spec.Next(time.Unix(0, from).UTC())
	if next.IsZero() {
		return 0, fmt.Errorf("cron expression %q matches no time after %s", s.expr(), time.Unix(0, from).UTC().Format(time.RFC3339))
	}
	return next.UnixNano(), nil
}

// NextAfterMissed returns the next run after the run scheduled at prev,
// skipping every run that would already be in the past at now (missed
// runs are not replayed). skipped counts them; when it is non-zero,
// firstSkipped is the first one.
func (s Schedule) NextAfterMissed(prev, now int64) (next int64, skipped int64, firstSkipped int64, err error) {
	next, err = s.Next(prev, now)
	if err != nil {
		return 0, 0, 0, err
	}
	if next < now && s.Type == Interval {
		// Jump over the missed periods at once.
		period := s.Seconds * int64(time.Second)
		n := (now - next + period - 1) / period
		if next+n*period < now {
			n++
		}
		return next + n*period, n, next, nil
	}
	firstSkipped = next
	for next < now {
		skipped++
		if skipped == maxCountedSkips {
			// Asleep for ages: jump to the first run from now on.
			next, err = s.Next(now-1, now)
			if err != nil {
				return 0, 0, 0, err
			}
			break
		}
		if next, err = s.Next(next, now); err != nil {
			return 0, 0, 0, err
		}
	}
	if skipped == 0 {
		firstSkipped = 0
	}
	return next, skipped, firstSkipped, nil
}

// maxCountedSkips bounds how many missed runs of a calendar schedule are
// counted one by one (a minute-by-minute cron asleep for a year misses
// half a million).
const maxCountedSkips = 100_000

// Describe renders the schedule as the cron expression it stands for, or
// "every N seconds".
func (s Schedule) Describe() string {
	if s.Type == Interval {
		return fmt.Sprintf("every %d seconds", s.Seconds)
	}
	return s.expr()
}
