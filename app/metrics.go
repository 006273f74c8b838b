package app

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Metrics keeps per-function call counts, errors and latencies of the
// last hour in memory, in fixed-width time buckets, for dashboards'
// charts. It is safe for concurrent use. Nothing survives a restart.
type Metrics struct {
	mu      sync.Mutex
	width   time.Duration
	buckets []metricBucket // ring, indexed by bucket number modulo len
	now     func() time.Time
}

type metricBucket struct {
	start int64 // bucket number (unix nanos / width); 0 when unused
	fns   map[FunctionMetricKey]*CallStats
}

// FunctionMetricKey names one function's series.
type FunctionMetricKey struct {
	Identifier string // "messages:list"
	UDFType    string // "Query", "Mutation", "Action", "HttpAction"
}

// CallStats are the calls of one function in one bucket. Latencies go
// into logarithmic bins (about 10% wide) from 10µs up, so percentiles
// cost constant memory.
type CallStats struct {
	calls, errors int64
	totalSeconds  float64
	bins          [latencyBins]int32
}

const (
	latencyBins   = 160
	latencyMin    = 10e-6 // seconds
	latencyGrowth = 1.1
)

func latencyBin(seconds float64) int {
	if seconds <= latencyMin {
		return 0
	}
	b := int(math.Log(seconds/latencyMin)/math.Log(latencyGrowth)) + 1
	return min(b, latencyBins-1)
}

func binUpper(b int) float64 { return latencyMin * math.Pow(latencyGrowth, float64(b)) }

// NewMetrics returns an empty ring of n buckets of the given width.
func NewMetrics(width time.Duration, n int) *Metrics {
	return &Metrics{width: width, buckets: make([]metricBucket, n), now: time.Now}
}

// Record adds one completed call.
func (m *Metrics) Record(k FunctionMetricKey, at time.Time, d time.Duration, failed bool) {
	num := at.UnixNano() / int64(m.width)
	m.mu.Lock()
	defer m.mu.Unlock()
	b := &m.buckets[num%int64(len(m.buckets))]
	if b.start != num {
		*b = metricBucket{start: num, fns: map[FunctionMetricKey]*CallStats{}}
	}
	s := b.fns[k]
	if s == nil {
		s = &CallStats{}
		b.fns[k] = s
	}
	s.calls++
	if failed {
		s.errors++
	}
	s.totalSeconds += d.Seconds()
	s.bins[latencyBin(d.Seconds())]++
}

// Window is a time range split into equal buckets, as dashboards ask for
// metrics.
type Window struct {
	Start, End time.Time
	Buckets    int
}

// MetricPoint is one bucket of a series: its start and value (nil when
// nothing was recorded).
type MetricPoint struct {
	Time  time.Time
	Value *float64
}

// Series returns, for each window bucket, what agg makes of the stats of
// the functions that match (nil matches every function).
func (m *Metrics) Series(w Window, match func(FunctionMetricKey) bool, agg func(*CallStats) *float64) []MetricPoint {
	n := max(1, min(w.Buckets, 1000))
	span := w.End.Sub(w.Start)
	if span <= 0 {
		span = time.Minute
	}
	step := span / time.Duration(n)
	acc := make([]*CallStats, n)
	m.mu.Lock()
	for _, b := range m.buckets {
		if b.start == 0 {
			continue
		}
		t := time.Unix(0, b.start*int64(m.width))
		if t.Before(w.Start) || !t.Before(w.End) {
			continue
		}
		i := min(int(t.Sub(w.Start)/step), n-1)
		for k, s := range b.fns {
			if match != nil && !match(k) {
				continue
			}
			if acc[i] == nil {
				acc[i] = &CallStats{}
			}
			acc[i].add(s)
		}
	}
	m.mu.Unlock()
	out := make([]MetricPoint, n)
	for i := range out {
		out[i].Time = w.Start.Add(time.Duration(i) * step)
		if acc[i] != nil {
			out[i].Value = agg(acc[i])
		}
	}
	return out
}

func (s *CallStats) add(o *CallStats) {
	s.calls += o.calls
	s.errors += o.errors
	s.totalSeconds += o.totalSeconds
	for i := range s.bins {
		s.bins[i] += o.bins[i]
	}
}

// Aggregations over a bucket's stats.
var (
	CountCalls  = func(s *CallStats) *float64 { v := float64(s.calls); return &v }
	CountErrors = func(s *CallStats) *float64 { v := float64(s.errors); return &v }
	// FailurePercent is errors per call, in percent.
	FailurePercent = func(s *CallStats) *float64 {
		if s.calls == 0 {
			return nil
		}
		v := 100 * float64(s.errors) / float64(s.calls)
		return &v
	}
)

// Percentile returns the aggregation of the p-th latency percentile, in
// seconds (the upper edge of its bin).
func Percentile(p float64) func(*CallStats) *float64 {
	return func(s *CallStats) *float64 {
		if s.calls == 0 {
			return nil
		}
		rank := int64(math.Ceil(p / 100 * float64(s.calls)))
		rank = max(1, rank)
		var seen int64
		for b, c := range s.bins {
			seen += int64(c)
			if seen >= rank {
				v := binUpper(b)
				return &v
			}
		}
		v := binUpper(latencyBins - 1)
		return &v
	}
}

// TopFunctions returns the k functions with the most calls (or errors)
// in the window, most first, ties by name.
func (m *Metrics) TopFunctions(w Window, k int, byErrors bool) []FunctionMetricKey {
	totals := map[FunctionMetricKey]int64{}
	m.mu.Lock()
	for _, b := range m.buckets {
		t := time.Unix(0, b.start*int64(m.width))
		if b.start == 0 || t.Before(w.Start) || !t.Before(w.End) {
			continue
		}
		for key, s := range b.fns {
			if byErrors {
				if s.errors > 0 {
					totals[key] += s.errors
				}
				continue
			}
			totals[key] += s.calls
		}
	}
	m.mu.Unlock()
	keys := make([]FunctionMetricKey, 0, len(totals))
	for key := range totals {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool {
		if totals[keys[i]] != totals[keys[j]] {
			return totals[keys[i]] > totals[keys[j]]
		}
		return keys[i].Identifier < keys[j].Identifier
	})
	if k > 0 && len(keys) > k {
		keys = keys[:k]
	}
	return keys
}

// Metrics returns the application's call metrics.
func (a *App) Metrics() *Metrics { return a.metrics }
