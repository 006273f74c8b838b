package database

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"hull/persistence"
	"hull/value"
)

// fetch reads the committed version of a document at the snapshot.
func (tx *Tx) fetch(ctx context.Context, did persistence.DocID) (cachedDoc, error) {
	if c, ok := tx.cache[did]; ok {
		return c, nil
	}
	rev, found, err := tx.readDoc(ctx, did)
	if err != nil {
		return cachedDoc{}, tx.readErr(fmt.Sprintf("get %s", tx.cat.publicID(did)), err)
	}
	return tx.remember(did, rev, found)
}

// remember keeps the committed version of a document (or its absence) in
// the transaction.
func (tx *Tx) remember(did persistence.DocID, rev persistence.Revision, found bool) (cachedDoc, error) {
	var c cachedDoc
	if found {
		obj, err := decodeDoc(rev.Value)
		if err != nil {
			return cachedDoc{}, err
		}
		c = cachedDoc{obj: obj, ts: rev.TS, size: len(rev.Value), found: true}
	}
	tx.cache[did] = c
	return c, nil
}

// Prefetch reads the committed versions of documents the transaction has
// neither read nor written yet, with one store round trip for those the
// document cache does not hold, so that Gets of them that follow read no
// more. It records no reads: a Get does, as without Prefetch. An error
// leaves the transaction as it was (the Gets then read one by one).
func (tx *Tx) Prefetch(ctx context.Context, ids []value.ID) error {
	if err := tx.check(false); err != nil {
		return err
	}
	var miss []persistence.DocID
	seen := map[persistence.DocID]bool{}
	for _, id := range ids {
		t, ok := tx.cat.tableFor(tx.ns, id.Table)
		if !ok {
			continue
		}
		did := t.docID(id.Internal)
		if seen[did] {
			continue
		}
		if _, ok := tx.cache[did]; ok {
			continue
		}
		if _, ok := tx.writes[did]; ok {
			continue
		}
		seen[did] = true
		miss = append(miss, did)
	}
	if len(miss) == 0 {
		return nil
	}
	revs, err := tx.readDocs(ctx, miss)
	if err != nil {
		return fmt.Errorf("database: prefetch %d documents: %w", len(miss), err)
	}
	for _, did := range miss {
		rev, found := revs[did]
		if _, err := tx.remember(did, rev, found); err != nil {
			return err
		}
	}
	return nil
}

// GetMany is Get of each id, in order, reading the documents with one
// store round trip for those the document cache does not hold.
func (tx *Tx) GetMany(ctx context.Context, ids []value.ID) ([]value.Object, []bool, error) {
	_ = tx.Prefetch(ctx, ids) // on failure, the Gets read one by one and report it
	docs := make([]value.Object, len(ids))
	found := make([]bool, len(ids))
	for i, id := range ids {
		var err error
		if docs[i], found[i], err = tx.Get(ctx, id); err != nil {
			return nil, nil, err
		}
	}
	return docs, found, nil
}

// readDoc reads the version of a document at the snapshot: from the
// document cache when it knows the version, else from the store. A
// snapshot taken at the newest durable ts is nearly always still the
// current state, which the store reads most cheaply (and which fills the
// cache): a current revision no newer than the snapshot is the snapshot's
// version (nothing replaced it since). Otherwise (changed or deleted
// since) the log is read at the snapshot.
func (tx *Tx) readDoc(ctx context.Context, did persistence.DocID) (persistence.Revision, bool, error) {
	revs, err := tx.readDocs(ctx, []persistence.DocID{did})
	if err != nil {
		return persistence.Revision{}, false, err
	}
	rev, ok := revs[did]
	return rev, ok, nil
}

// readDocs is readDoc for many documents, with one store round trip for
// the cache misses (two when some changed since the snapshot).
func (tx *Tx) readDocs(ctx context.Context, ids []persistence.DocID) (map[persistence.DocID]persistence.Revision, error) {
	if err := tx.db.Fenced(); err != nil {
		return nil, err
	}
	out := make(map[persistence.DocID]persistence.Revision, len(ids))
	var miss []persistence.DocID
	for _, did := range ids {
		rev, found, ok := tx.db.cache.lookup(did, tx.ts)
		switch {
		case !ok:
			miss = append(miss, did)
		case found:
			out[did] = rev
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	if tx.atHead {
		watermark := tx.db.DurableTS()
		revs, err := tx.db.store.Get(ctx, miss, persistence.Latest)
		if err != nil {
			return nil, err
		}
		var changed []persistence.DocID
		for _, did := range miss {
			rev, found := revs[did]
			tx.db.fillCache(did, rev, found, watermark)
			if found && rev.TS <= tx.ts {
				out[did] = rev
			} else {
				changed = append(changed, did)
			}
		}
		miss = changed
		if len(miss) == 0 {
			return out, nil
		}
	}
	revs, err := tx.db.store.Get(ctx, miss, tx.readAt())
	if err != nil {
		return nil, err
	}
	for did, rev := range revs {
		out[did] = rev
	}
	return out, nil
}

// maxCurrentCheck bounds the commits after a snapshot that scan checks
// before reading current state in its place.
const maxCurrentCheck = 256

// scan reads one batch of index entries at the snapshot. A transaction
// that began at the newest durable ts reads the current state, the
// cheapest read of every store, and keeps it when it provably equals the
// snapshot: every entry is no newer than the snapshot and no commit since
// (installed, or in the group being written) wrote a key in the part of
// the interval the batch covers. Otherwise the batch is read again at the
// snapshot.
func (tx *Tx) scan(ctx context.Context, r persistence.Range) ([]persistence.IndexEntry, error) {
	if !tx.atHead {
		return tx.db.store.Scan(ctx, r, tx.readAt())
	}
	entries, err := tx.db.store.Scan(ctx, r, persistence.Latest)
	if err != nil {
		return nil, err
	}
	if tx.currentIsSnapshot(r, entries) {
		return entries, nil
	}
	return tx.db.store.Scan(ctx, r, tx.readAt())
}

// currentIsSnapshot reports whether entries, read from the current state
// for r, are what r holds at the snapshot.
func (tx *Tx) currentIsSnapshot(r persistence.Range, entries []persistence.IndexEntry) bool {
	for _, e := range entries {
		if e.Doc.TS > tx.ts {
			return false // changed since; also catches a writer unknown to this process
		}
	}
	// A full batch covers the interval up to its last key: a later write
	// past it cannot change the batch.
	start, end := r.Start, r.End
	if r.Limit > 0 && len(entries) == r.Limit {
		last := entries[len(entries)-1].Key
		if r.Descending {
			start = last
		} else {
			end = keyAfter(last)
		}
	}
	return tx.db.untouchedSince(tx.ts, r.Index, start, end)
}

// untouchedSince reports whether no commit after ts, installed or in the
// group being written, wrote a key of the index in [start, end) (end nil:
// unbounded). False when that cannot be told.
func (db *DB) untouchedSince(ts int64, index persistence.IndexID, start, end []byte) bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	if ts < db.recentFrom {
		return false
	}
	i := sort.Search(len(db.recent), func(i int) bool { return db.recent[i].TS > ts })
	if len(db.recent)-i > maxCurrentCheck {
		return false
	}
	touches := func(s *CommitSummary) bool {
		for _, k := range s.Keys {
			if k.Index == index && bytes.Compare(k.Key, start) >= 0 && (end == nil || bytes.Compare(k.Key, end) < 0) {
				return true
			}
		}
		return false
	}
	for j := i; j < len(db.recent); j++ {
		if touches(&db.recent[j]) {
			return false
		}
	}
	for _, p := range db.inflight {
		if touches(&p.sum) {
			return false
		}
	}
	return true
}
