package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

// backendCollector reads, at each scrape, the counts the layers below
// keep themselves: the database's (commits, conflicts, retries, failed
// writes, storage failures, GC progress), the function runtime's slots
// and engines, and the sync hub's sessions and subscriptions. Before the
// application is mounted it reports nothing of them.
type backendCollector struct{ m *Metrics }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	descCommits = desc("hull_commits_total",
		"Transactions committed (written durably) since the database opened.")
	descConflicts = desc("hull_occ_conflicts_total",
		"Transactions refused at commit because a later commit wrote what they read (optimistic concurrency conflicts).")
	descRetries = desc("hull_occ_retries_total",
		"Conflicting transactions run again.")
	descSerialized = desc("hull_occ_serialized_total",
		"Transaction attempts run serialized after repeated conflicts.")
	descWriteErrors = desc("hull_commit_write_errors_total",
		"Storage writes of a commit group that failed.")
	descStorageErrors = desc("hull_storage_errors_total",
		"Storage round trips that failed because the database did not answer.")
	descGCRemoved = desc("hull_gc_revisions_removed_total",
		"Document revisions removed from the revision log by retention passes.")
	descGCHorizon = desc("hull_gc_horizon_timestamp_seconds",
		"The oldest timestamp still readable after the latest retention pass, in seconds since the epoch (0: no pass yet).")
	descDurableTS = desc("hull_durable_timestamp_seconds",
		"The newest durable commit timestamp, in seconds since the epoch.")
	descSlotsInUse = desc("hull_function_slots_in_use",
		"Function runs holding a slot now, by kind (query: queries and mutations; action).", "kind")
	descSlots = desc("hull_function_slots",
		"Function runs that may hold a slot at once, by kind.", "kind")
	descEngines = desc("hull_engines",
		"Prepared JavaScript engines, by state (in_use: running a call or being restored; idle).", "state")
	descHeavyFunctions = desc("hull_functions_on_v8",
		"Functions the tiered engine policy has moved to V8 (0 on other engines).")
	descSessions = desc("hull_sync_sessions",
		"Open WebSocket sync sessions.")
	descSubscriptions = desc("hull_sync_subscriptions",
		"Queries the sync sessions are subscribed to.")
	descDocCache = desc("hull_document_cache_bytes",
		"Bytes held by the document cache.")
)

// Describe implements prometheus.Collector.
func (c *backendCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCommits, descConflicts, descRetries, descSerialized, descWriteErrors,
		descStorageErrors, descGCRemoved, descGCHorizon, descDurableTS, descSlotsInUse, descSlots, descEngines,
		descHeavyFunctions, descSessions, descSubscriptions, descDocCache} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *backendCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if a := c.m.app.Load(); a != nil {
		db := a.DB()
		st := db.Stats()
		counter(descCommits, st.Commits)
		counter(descConflicts, st.Conflicts)
		counter(descRetries, st.Retries)
		counter(descSerialized, st.Serialized)
		counter(descWriteErrors, st.WriteErrors)
		counter(descStorageErrors, st.StorageFailures)
		counter(descGCRemoved, st.GCRevisionsRemoved)
		gauge(descGCHorizon, float64(st.GCHorizonTS)/1e9)
		gauge(descDurableTS, float64(db.DurableTS())/1e9)
		gauge(descDocCache, float64(db.CacheStats().Bytes))
		ps := a.PoolStats()
		gauge(descSlotsInUse, float64(ps.QueriesRunning), "query")
		gauge(descSlotsInUse, float64(ps.ActionsRunning), "action")
		gauge(descSlots, float64(ps.QuerySlots), "query")
		gauge(descSlots, float64(ps.ActionSlots), "action")
		gauge(descEngines, float64(max(ps.EnginesLive-ps.EnginesIdle, 0)), "in_use")
		gauge(descEngines, float64(ps.EnginesIdle), "idle")
		gauge(descHeavyFunctions, float64(ps.HeavyFunctions))
	}
	if h := c.m.hub.Load(); h != nil {
		gauge(descSessions, float64(h.Sessions()))
		gauge(descSubscriptions, float64(h.Subscriptions()))
	}
}
