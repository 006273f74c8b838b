package runtime

// PoolStats is a snapshot of what a Pool holds, for metrics.
type PoolStats struct {
	// QueriesRunning and QuerySlots are the queries and mutations running
	// and how many may run at once (Options.MaxConcurrent); the same for
	// actions.
	QueriesRunning, QuerySlots  int
	ActionsRunning, ActionSlots int
	// EnginesLive are the prepared engines alive (idle, running a call or
	// being restored); EnginesIdle those waiting for a call.
	EnginesLive, EnginesIdle int
	// HeavyFunctions are the functions a tiered pool has moved to its
	// Heavy engine (V8).
	HeavyFunctions int
}

// Stats returns what the pool holds now. It is cheap and safe for
// concurrent use.
func (p *Pool) Stats() PoolStats {
	live, idle := p.engines.counts()
	st := PoolStats{
		QueriesRunning: len(p.slots), QuerySlots: cap(p.slots),
		ActionsRunning: len(p.actionSlots), ActionSlots: cap(p.actionSlots),
		EnginesLive: live, EnginesIdle: idle,
	}
	if p.tiers != nil {
		st.HeavyFunctions = p.tiers.heavyCount()
	}
	return st
}

// Tier names the engine a call of this function would run on now: "fast"
// or "heavy" in a pool whose engine is Tiered, "fast" in any other.
func (p *Pool) Tier(mods Modules, call Call) string {
	if p.tiers == nil {
		return tierFast.String()
	}
	return p.tiers.tierOf(functionID(reuseKey(mods, call), call)).String()
}
