package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hull/app"
)

// /api/app_metrics/*: the function log stream and the time series of
// calls, errors and latencies dashboards chart, from the application's
// in-memory metrics (the last hour). Series hull has no data for (cache
// hits, table rates, scheduler lag, concurrency) answer well-formed
// zeros or empty sets.

func (f *frontendRoutes) metricsRoutes(r *Routes) {
	req := f.auth.Require
	for name, h := range map[string]http.HandlerFunc{
		"stream_function_logs":             f.handleDashboardLogs,
		"stream_udf_execution":             f.handleDashboardLogs,
		"udf_rate":                         f.handleUDFRate,
		"cache_hit_percentage":             f.handleCacheHitPercentage,
		"latency_percentiles":              f.handleLatencyPercentiles,
		"failure_percentage_top_k":         f.handleTopK("failures"),
		"cache_hit_percentage_top_k":       f.handleTopK("cache"),
		"function_call_count_top_k":        f.handleTopK("calls"),
		"subscription_invalidations_top_k": func(w http.ResponseWriter, _ *http.Request) { writeJSONResponse(w, http.StatusOK, []any{}) },
		"table_rate":                       f.handleZeroSeries,
		"scheduled_job_lag":                f.handleZeroSeries,
		"function_concurrency":             func(w http.ResponseWriter, _ *http.Request) { writeJSONResponse(w, http.StatusOK, map[string]any{}) },
	} {
		r.Handle("GET /api/app_metrics/"+name, req(h))
	}
}

// serializedDate is a timestamp as Convex's metrics API writes it.
type serializedDate struct {
	Secs  int64 `json:"secs_since_epoch"`
	Nanos int64 `json:"nanos_since_epoch"`
}

func (d serializedDate) time() time.Time { return time.Unix(d.Secs, d.Nanos) }

func toSerialized(t time.Time) serializedDate {
	return serializedDate{Secs: t.Unix(), Nanos: int64(t.Nanosecond())}
}

// metricsWindow parses the window parameter; without one it is the last
// hour in 60 buckets.
func metricsWindow(r *http.Request) (app.Window, error) {
	now := time.Now()
	w := app.Window{Start: now.Add(-time.Hour), End: now, Buckets: 60}
	raw := r.URL.Query().Get("window")
	if raw == "" {
		return w, nil
	}
	var in struct {
		Start      *serializedDate `json:"start"`
		End        *serializedDate `json:"end"`
		NumBuckets int             `json:"num_buckets"`
	}
	if err := json.Unmarshal([]byte(raw), &in); err != nil || in.Start == nil || in.End == nil {
		return w, &app.Error{Status: 400, Code: "InvalidWindow", Message: "window must be JSON {start, end, num_buckets} with start and end as {secs_since_epoch, nanos_since_epoch}"}
	}
	w.Start, w.End = in.Start.time(), in.End.time()
	if in.NumBuckets > 0 {
		w.Buckets = min(in.NumBuckets, 1000)
	}
	if !w.End.After(w.Start) {
		return w, &app.Error{Status: 400, Code: "InvalidWindow", Message: "the window's end must be after its start"}
	}
	return w, nil
}

// timeseries renders points as [[date, value|null], ...].
func timeseries(points []app.MetricPoint) [][2]any {
	out := make([][2]any, 0, len(points))
	for _, p := range points {
		var v any
		if p.Value != nil {
			v = *p.Value
		}
		out = append(out, [2]any{toSerialized(p.Time), v})
	}
	return out
}

// functionFilter matches the function the request names (path, udfType);
// with no path, every function.
func functionFilter(r *http.Request) func(app.FunctionMetricKey) bool {
	q := r.URL.Query()
	path := q.Get("path")
	if path == "" {
		return nil
	}
	if p, err := app.ParseFunctionPath(path); err == nil {
		path = p.String()
	}
	udfType := q.Get("udfType")
	return func(k app.FunctionMetricKey) bool {
		return k.Identifier == path && (udfType == "" || strings.EqualFold(k.UDFType, udfType))
	}
}

func (f *frontendRoutes) handleUDFRate(w http.ResponseWriter, r *http.Request) {
	win, err := metricsWindow(r)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	var agg = app.CountCalls
	switch r.URL.Query().Get("metric") {
	case "invocations", "cacheMisses", "":
	case "errors":
		agg = app.CountErrors
	case "cacheHits", "subscriptionInvalidations":
		agg = func(*app.CallStats) *float64 { v := 0.0; return &v }
	default:
		f.writeError(w, r, &app.Error{Status: 400, Code: "InvalidMetric", Message: "metric must be invocations, errors, cacheHits, cacheMisses or subscriptionInvalidations"})
		return
	}
	writeJSONResponse(w, http.StatusOK, timeseries(f.app.Metrics().Series(win, functionFilter(r), agg)))
}

func (f *frontendRoutes) handleCacheHitPercentage(w http.ResponseWriter, r *http.Request) {
	win, err := metricsWindow(r)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	zero := func(*app.CallStats) *float64 { v := 0.0; return &v }
	writeJSONResponse(w, http.StatusOK, timeseries(f.app.Metrics().Series(win, functionFilter(r), zero)))
}

func (f *frontendRoutes) handleLatencyPercentiles(w http.ResponseWriter, r *http.Request) {
	win, err := metricsWindow(r)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	percentiles := []float64{50, 90, 95, 99}
	if raw := r.URL.Query().Get("percentiles"); raw != "" {
		if json.Unmarshal([]byte(raw), &percentiles) != nil {
			f.writeError(w, r, &app.Error{Status: 400, Code: "InvalidPercentiles", Message: "percentiles must be a JSON array of numbers from 0 to 100"})
			return
		}
	}
	out := make([][2]any, 0, len(percentiles))
	for _, p := range percentiles {
		if p < 0 || p > 100 {
			f.writeError(w, r, &app.Error{Status: 400, Code: "InvalidPercentiles", Message: "percentiles must be numbers from 0 to 100"})
			return
		}
		out = append(out, [2]any{p, timeseries(f.app.Metrics().Series(win, functionFilter(r), app.Percentile(p)))})
	}
	writeJSONResponse(w, http.StatusOK, out)
}

// handleTopK answers [[function, series], ...] for the k busiest (or
// most failing) functions.
func (f *frontendRoutes) handleTopK(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		win, err := metricsWindow(r)
		if err != nil {
			f.writeError(w, r, err)
			return
		}
		k := 5
		if s := r.URL.Query().Get("k"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				f.writeError(w, r, &app.Error{Status: 400, Code: "InvalidK", Message: "k must be a positive integer"})
				return
			}
			k = min(n, 100)
		}
		m := f.app.Metrics()
		agg := app.CountCalls
		switch kind {
		case "failures":
			agg = app.FailurePercent
		case "cache":
			agg = func(*app.CallStats) *float64 { v := 0.0; return &v }
		}
		out := [][2]any{}
		for _, key := range m.TopFunctions(win, k, kind == "failures") {
			match := func(o app.FunctionMetricKey) bool { return o == key }
			out = append(out, [2]any{key.Identifier, timeseries(m.Series(win, match, agg))})
		}
		writeJSONResponse(w, http.StatusOK, out)
	}
}

// handleZeroSeries answers a series of zeros over the window, for
// metrics hull does not collect.
func (f *frontendRoutes) handleZeroSeries(w http.ResponseWriter, r *http.Request) {
	win, err := metricsWindow(r)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	step := win.End.Sub(win.Start) / time.Duration(win.Buckets)
	out := make([][2]any, 0, win.Buckets)
	for i := 0; i < win.Buckets; i++ {
		out = append(out, [2]any{toSerialized(win.Start.Add(time.Duration(i) * step)), 0})
	}
	writeJSONResponse(w, http.StatusOK, out)
}

// handleDashboardLogs is the function log stream as dashboards read it:
// a long poll from a cursor (ms), answering new executions and the next
// cursor.
func (f *frontendRoutes) handleDashboardLogs(w http.ResponseWriter, r *http.Request) {
	var cursor float64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if err := json.Unmarshal([]byte(c), &cursor); err != nil {
			f.writeError(w, r, &app.Error{Status: 400, Code: "InvalidCursor", Message: "cursor must be a number"})
			return
		}
	}
	wait := 55 * time.Second
	if c := r.URL.Query().Get("wait"); c == "0" {
		wait = 0
	}
	entries, next := f.app.Logs().Since(r.Context(), cursor, wait)
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		x := executionJSON(e, true)
		// Function runs carry no HTTP status; dashboards read null.
		x["success"] = nil
		x["arguments"] = []string{}
		x["caller"] = "SyncWorker"
		x["parentExecutionId"] = nil
		out = append(out, x)
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{"entries": out, "newCursor": next})
}
