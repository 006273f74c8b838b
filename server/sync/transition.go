package sync

import (
	"crypto/sha256"
	"encoding/binary"
	"sort"
	"time"
)

// A computation brings the client's query results to one timestamp: the
// session starts one when something may have changed (the query set, the
// identity, a commit touching a result, a finished request) and none is
// running and no Transition is in flight — later changes coalesce into
// the next one.
type computation struct {
	querySet        uint32
	identityVersion uint32
	ts              int64
	results         map[uint32]*QueryResult // rerun
	failed          map[uint32]string       // system failure of a rerun
	valid           []uint32                // unchanged and still valid at ts
	removed         []uint32
}

type job struct {
	id      uint32
	call    QueryCall
	prev    *QueryResult
	prevTS  int64
	mustRun bool
	refused *QueryResult // the fixed result of refused arguments
}

// maybeCompute starts a computation if one is wanted and allowed; called
// with s.mu held.
func (s *session) maybeCompute() {
	if !s.wanted || s.computing || s.inFlight || !s.connected || s.closing {
		return
	}
	if s.identityExpired() {
		return
	}
	s.wanted, s.computing = false, true
	jobs := make([]job, 0, len(s.queries))
	for _, q := range s.queries {
		jobs = append(jobs, job{
			id:      q.id,
			call:    QueryCall{Path: q.path, Component: q.component, Args: q.args, Journal: q.journal, Identity: s.identity},
			prev:    q.result,
			prevTS:  q.validTS,
			mustRun: q.result == nil || q.identity != s.identityVersion,
			refused: q.refused,
		})
	}
	c := &computation{querySet: s.querySet, identityVersion: s.identityVersion, removed: s.removed}
	s.removed = nil
	go func() {
		s.compute(c, jobs)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.computing = false
		s.apply(c)
		s.maybeCompute()
	}()
}

// transitionInline brings a session without subscriptions to the
// latest timestamp at once, where maybeCompute would start a goroutine
// to find that nothing needs running. Called by the mutation runner with
// s.mu and s.mutMu held, after its response is queued.
func (s *session) transitionInline() bool {
	if len(s.queries) != 0 || !s.wanted || s.computing || s.inFlight || !s.connected || s.closing || s.identityExpired() {
		return false
	}
	s.wanted = false
	c := &computation{querySet: s.querySet, identityVersion: s.identityVersion, removed: s.removed, ts: s.hub.backend.LatestTS()}
	s.removed = nil
	s.apply(c)
	return true
}

// compute runs what must run at one timestamp, read after any mutation
// of this session in progress has queued its response.
func (s *session) compute(c *computation, jobs []job) {
	s.mutMu.Lock()
	c.ts = s.hub.backend.LatestTS()
	s.mutMu.Unlock()
	c.results = map[uint32]*QueryResult{}
	c.failed = map[uint32]string{}
	for _, j := range jobs {
		if j.refused != nil {
			c.results[j.id] = j.refused
			continue
		}
		if !j.mustRun && !s.hub.backend.Changed(j.prev.Deps, j.prevTS, c.ts) {
			c.valid = append(c.valid, j.id)
			continue
		}
		res, err := s.hub.execs.run(s.ctx, s.hub.backend, j.call, c.ts)
		if err != nil && s.ctx.Err() == nil {
			// A shared run that failed for its own caller: run alone.
			j.call.TS = c.ts
			res, err = s.hub.backend.Query(s.ctx, j.call)
		}
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			if s.retryLater(err) {
				return
			}
			s.log.Warn("sync: query failed", "path", j.call.Path, "err", err)
			c.failed[j.id] = serverError(err)
			continue
		}
		c.results[j.id] = res
	}
}

// apply turns a finished computation into a Transition.
func (s *session) apply(c *computation) {
	if s.ctx.Err() != nil {
		return
	}
	start := s.sent
	end := StateVersion{QuerySet: c.querySet, Identity: c.identityVersion, TS: TS(max(c.ts, int64(start.TS)))}
	var mods []stateChange
	ids := make([]uint32, 0, len(c.results)+len(c.failed))
	for id := range c.results {
		ids = append(ids, id)
	}
	for id := range c.failed {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		q := s.queries[id]
		if q == nil {
			continue // removed meanwhile; its removal goes in the next Transition
		}
		var change stateChange
		if msg, failed := c.failed[id]; failed {
			change = stateChange{Type: "QueryFailed", QueryID: id, ErrorMessage: &msg, Journal: q.journal}
			q.result, q.validTS = nil, 0
			s.wanted = true
		} else {
			res := c.results[id]
			q.result, q.validTS, q.identity = res, c.ts, c.identityVersion
			if res.Journal != nil {
				q.journal = res.Journal
			}
			if q.refused == nil {
				s.hub.watch(q.watchID, s, res.Deps)
				// A commit the hub handled before this registration is
				// checked here.
				if latest := s.hub.backend.LatestTS(); latest > c.ts && s.hub.backend.Changed(res.Deps, c.ts, latest) {
					s.wanted = true
				}
			}
			change = resultChange(id, res, q.journal)
		}
		h := changeHash(change)
		if q.sent && h == q.sentHash {
			continue
		}
		q.sent, q.sentHash = true, h
		mods = append(mods, change)
	}
	for _, id := range c.valid {
		if q := s.queries[id]; q != nil && q.result != nil {
			q.validTS = c.ts
		}
	}
	for _, id := range c.removed {
		mods = append(mods, stateChange{Type: "QueryRemoved", QueryID: id})
	}
	owed := s.ackTS != 0 && int64(end.TS) >= s.ackTS
	if len(mods) == 0 && end == start && !owed {
		return
	}
	if int64(end.TS) >= s.ackTS {
		s.ackTS = 0
	}
	if mods == nil {
		mods = []stateChange{}
	}
	now := time.Now().UnixNano()
	msg := transitionMsg{Type: "Transition", StartVersion: start, EndVersion: end, Modifications: mods, ClientClockSkew: s.clockSkew, ServerTS: &now}
	s.sent, s.inFlight = end, true
	s.send(encodeTransition(msg), true)
}

func resultChange(id uint32, res *QueryResult, journal *string) stateChange {
	if res.Error != nil {
		return stateChange{Type: "QueryFailed", QueryID: id, ErrorMessage: res.Error, ErrorData: res.ErrorData, LogLines: res.LogLines, Journal: journal}
	}
	return stateChange{Type: "QueryUpdated", QueryID: id, Value: rawOrNull(res.Value), LogLines: res.LogLines, Journal: journal}
}

// changeHash identifies what the client would see of a change.
func changeHash(c stateChange) [sha256.Size]byte {
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(c.Type))
	field(c.Value)
	field([]byte(deref(c.ErrorMessage)))
	field(c.ErrorData)
	field([]byte(deref(c.Journal)))
	for _, l := range c.LogLines {
		field([]byte(l))
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
