package server

import (
	"net/http"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hull/app"
	"hull/server/sync"
)

// Metrics is the Prometheus registry of one server: what /metrics
// answers. Events are reported into it from below — it implements
// app.Observer and database.Observer, and SchedulerStarted fits
// app.SchedulerOptions.Started — and the gauges and counters the layers
// below keep themselves (database.Stats, runtime.PoolStats, the sync
// hub) are read at each scrape from the application once it is mounted.
// It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	calls        *prometheus.CounterVec
	callSeconds  *prometheus.HistogramVec
	groupSize    prometheus.Histogram
	groupWrite   prometheus.Histogram
	schedLag     prometheus.Histogram
	httpRequests *prometheus.CounterVec

	// functions are the label sets of calls seen; past maxFunctionSeries
	// the others count as otherFunction, so that calls of made-up paths
	// cannot grow the registry without bound.
	fnMu      gosync.Mutex
	functions map[string]bool

	app atomic.Pointer[app.App]
	hub atomic.Pointer[sync.Hub]
}

// maxFunctionSeries bounds the distinct functions hull_function_calls_total
// keeps apart.
const maxFunctionSeries = 2000

// otherFunction is the function label of calls past maxFunctionSeries.
const otherFunction = "(other)"

// Latency buckets of function runs, in seconds: 0.5 ms to 10 min.
var functionBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 600}

// newMetrics returns the registry of a server reporting version and
// whether it is ready (ready is called at each scrape).
func newMetrics(version string, ready func() bool) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), functions: map[string]bool{}}
	m.calls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hull_function_calls_total",
		Help: "User function runs completed, by kind, component, function and outcome (success or error).",
	}, []string{"udf_type", "component", "function", "outcome"})
	m.callSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hull_function_duration_seconds",
		Help:    "Wall time of user function runs, by kind.",
		Buckets: functionBuckets,
	}, []string{"udf_type"})
	m.groupSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "hull_commit_group_size",
		Help:    "Transactions written together in one commit group (one storage round trip).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
	})
	m.groupWrite = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "hull_commit_write_seconds",
		Help:    "Time the storage write of one commit group took.",
		Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
	})
	m.schedLag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "hull_scheduler_lag_seconds",
		Help:    "How late scheduled functions and cron runs started after they were due.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600},
	})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hull_http_requests_total",
		Help: "HTTP requests answered, by method and status code.",
	}, []string{"method", "code"})
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "hull_build_info",
		Help:        "Always 1; the version label is the running hull's.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	readyGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hull_ready",
		Help: "1 while the server takes traffic (storage open and answering), else 0.",
	}, func() float64 { return boolFloat(ready()) })
	m.reg.MustRegister(m.calls, m.callSeconds, m.groupSize, m.groupWrite, m.schedLag, m.httpRequests,
		build, readyGauge, &backendCollector{m: m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// FunctionRun implements app.Observer.
func (m *Metrics) FunctionRun(udfType, component, identifier string, failed bool, took time.Duration) {
	outcome := "success"
	if failed {
		outcome = "error"
	}
	key := udfType + "\x00" + component + "\x00" + identifier
	m.fnMu.Lock()
	if !m.functions[key] {
		if len(m.functions) >= maxFunctionSeries {
			identifier = otherFunction
		} else {
			m.functions[key] = true
		}
	}
	m.fnMu.Unlock()
	m.calls.WithLabelValues(udfType, component, identifier, outcome).Inc()
	m.callSeconds.WithLabelValues(udfType).Observe(took.Seconds())
}

// CommitGroup implements database.Observer.
func (m *Metrics) CommitGroup(size int, write time.Duration) {
	m.groupSize.Observe(float64(size))
	m.groupWrite.Observe(write.Seconds())
}

// SchedulerStarted records how late a scheduled run started; it has the
// shape of app.SchedulerOptions.Started.
func (m *Metrics) SchedulerStarted(_ string, due, started time.Time) {
	m.schedLag.Observe(max(started.Sub(due), 0).Seconds())
}

// request counts one answered HTTP request.
func (m *Metrics) request(method string, status int) {
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions:
	default:
		method = "other" // made-up methods must not grow the registry
	}
	m.httpRequests.WithLabelValues(method, strconv.Itoa(status)).Inc()
}

// mountApp makes the scrape read the application's own counts.
func (m *Metrics) mountApp(a *app.App) { m.app.Store(a) }

// mountHub makes the scrape read the sync sessions' counts.
func (m *Metrics) mountHub(h *sync.Hub) { m.hub.Store(h) }

// Handler answers a scrape in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Registry returns the registry behind the handler, for tests and for
// collectors of the command layer.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// adminMetrics serves /metrics on the main port: only to callers with an
// admin key, sent as "Authorization: Convex <key>" or as a bearer token
// (what Prometheus' authorization setting sends).
func (s *Server) adminMetrics() http.Handler {
	h := s.metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := AdminKeyFromRequest(r)
		if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
			key, ok = strings.TrimSpace(auth[7:]), true
		}
		if !ok || key == "" {
			WriteError(w, http.StatusUnauthorized, CodeBadAdminKey,
				"/metrics needs an admin key: send Authorization: Bearer <admin key> (or Convex <admin key>), or scrape the --metrics-port listener")
			return
		}
		if _, err := s.auth.Check(key); err != nil {
			WriteErr(w, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Metrics returns the server's metrics registry, to wire the lower
// layers' observers into.
func (s *Server) Metrics() *Metrics { return s.metrics }
