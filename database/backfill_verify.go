package database

import (
	"context"
	"fmt"

	"hull/persistence"
)

// Before a backfilled index is declared ready, it is checked against its
// table at one snapshot: a document the index does not list gets its entry
// in one more backfill commit (validated like the others, so documents
// written since are left to the commits that wrote them). This keeps the
// index whole even if a batch read missed a document under concurrent
// writes.

// verifyBatch bounds the documents read per store call while verifying.
const verifyBatch = 1024

// backfillMissing writes the entries of documents the index does not list
// yet and reports how many there were.
func (db *DB) backfillMissing(ctx context.Context, ix *indexInfo) (int, error) {
	cat, ts, _ := db.snapshot()
	cur, ok := cat.indexes[ix.ID]
	if !ok || cur.State != indexStateBackfilling {
		return 0, errIndexGone
	}
	src := cat.index(ix.Table, byIDIndex)
	if src == nil {
		return 0, errIndexGone
	}
	listed := map[persistence.DocID]bool{}
	if err := db.scanAll(ctx, ix.ID, ts, func(e persistence.IndexEntry) error {
		listed[e.Doc.ID] = true
		return nil
	}); err != nil {
		return 0, err
	}
	var c persistence.Commit
	if err := db.scanAll(ctx, src.ID, ts, func(e persistence.IndexEntry) error {
		if listed[e.Doc.ID] {
			return nil
		}
		doc, err := decodeDoc(e.Doc.Value)
		if err != nil {
			return err
		}
		c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: ix.ID, Key: indexKey(cur, doc), Doc: e.Doc.ID})
		return nil
	}); err != nil {
		return 0, err
	}
	if len(c.Indexes) == 0 {
		return 0, nil
	}
	db.opts.Logger.Warn("database: index backfill missed documents; adding them", "index", ix.Name, "documents", len(c.Indexes))
	p := &pending{ctx: ctx, snapshot: ts, commit: c, backfill: true}
	if _, err := db.submit(p); err != nil {
		return 0, err
	}
	return len(c.Indexes), nil
}

// scanAll calls fn for every entry of an index at ts.
func (db *DB) scanAll(ctx context.Context, index persistence.IndexID, ts int64, fn func(persistence.IndexEntry) error) error {
	var start []byte
	for {
		entries, err := db.store.Scan(ctx, persistence.Range{Index: index, Start: start, Limit: verifyBatch}, ts)
		if err != nil {
			return fmt.Errorf("verify index: scan: %w", err)
		}
		for _, e := range entries {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(entries) < verifyBatch {
			return nil
		}
		start = keyAfter(entries[len(entries)-1].Key)
	}
}
