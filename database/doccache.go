package database

import (
	"container/list"
	"sync"

	"hull/persistence"
)

// docCache is the process-wide document cache at the durable watermark:
// for each cached document, its latest version (or its absence) as of
// every commit up to the watermark. The committer updates it in commit
// order, so an entry stays the latest version as the watermark rises;
// reads of the current state fill it.
//
// A read at snapshot S (S is never above the watermark) may use an entry
// whose since <= S: nothing replaced that version between since and the
// watermark. An entry newer than S cannot answer.
type docCache struct {
	mu      sync.Mutex
	max     int64
	size    int64
	entries map[persistence.DocID]*list.Element
	lru     list.List // front: most recently used
	hits    int64
	misses  int64
}

// cacheEntry is one document's latest known state. since is the ts from
// which the state holds: the version's ts, or, for an absence learned from
// a read, the watermark of that read.
type cacheEntry struct {
	id    persistence.DocID
	rev   persistence.Revision
	found bool
	since int64
}

// entryOverhead approximates the bytes of bookkeeping per entry.
const entryOverhead = 128

func newDocCache(maxBytes int64) *docCache {
	return &docCache{max: maxBytes, entries: map[persistence.DocID]*list.Element{}}
}

func (e *cacheEntry) bytes() int64 { return int64(len(e.rev.Value)) + entryOverhead }

// lookup returns the document's version at snapshot s, if the cache can
// answer.
func (c *docCache) lookup(id persistence.DocID, s int64) (persistence.Revision, bool, bool) {
	if c == nil {
		return persistence.Revision{}, false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[id]
	if !ok {
		c.misses++
		return persistence.Revision{}, false, false
	}
	e := el.Value.(*cacheEntry)
	if e.since > s {
		c.misses++
		return persistence.Revision{}, false, false
	}
	c.lru.MoveToFront(el)
	c.hits++
	return e.rev, e.found, true
}

// put sets the latest state of a document.
func (c *docCache) put(e *cacheEntry) {
	if c.max <= 0 || e.bytes() > c.max/4 {
		c.remove(e.id)
		return
	}
	if el, ok := c.entries[e.id]; ok {
		old := el.Value.(*cacheEntry)
		c.size += e.bytes() - old.bytes()
		el.Value = e
		c.lru.MoveToFront(el)
	} else {
		c.entries[e.id] = c.lru.PushFront(e)
		c.size += e.bytes()
	}
	for c.size > c.max {
		el := c.lru.Back()
		old := el.Value.(*cacheEntry)
		c.lru.Remove(el)
		delete(c.entries, old.id)
		c.size -= old.bytes()
	}
}

func (c *docCache) remove(id persistence.DocID) {
	if el, ok := c.entries[id]; ok {
		c.size -= el.Value.(*cacheEntry).bytes()
		c.lru.Remove(el)
		delete(c.entries, id)
	}
}

// applyCommit records every revision of a durable commit. Called in
// commit order, by the committer, with db.mu held.
func (c *docCache) applyCommit(cm *persistence.Commit) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range cm.Documents {
		c.put(&cacheEntry{id: r.ID, rev: r, found: !r.Deleted, since: r.TS})
	}
}

// fill records what a read of the current state returned; watermark is
// the durable ts before the read started. Called with db.mu held, after
// the caller checked that no commit since watermark wrote the document.
func (c *docCache) fill(id persistence.DocID, rev persistence.Revision, found bool, watermark int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[id]; ok {
		return // the committer's entry is at least as new
	}
	e := &cacheEntry{id: id, found: found, since: watermark}
	if found {
		e.rev, e.since = rev, rev.TS
	}
	c.put(e)
}

// clear drops everything: the durable state changed in ways the cache did
// not see.
func (c *docCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[persistence.DocID]*list.Element{}
	c.lru.Init()
	c.size = 0
}

// CacheStats are the document cache's counts since Open.
type CacheStats struct {
	Entries int
	Bytes   int64
	Hits    int64
	Misses  int64
}

func (c *docCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.entries), Bytes: c.size, Hits: c.hits, Misses: c.misses}
}
