package database

import (
	"bytes"
	"context"
	"fmt"

	"hull/persistence"
	"hull/value"
)

// ensureTable returns the table, creating it (its _tables document and its
// by_id and by_creation_time indexes) if it does not exist.
func (tx *Tx) ensureTable(ctx context.Context, name string) (*tableInfo, error) {
	if t, ok := tx.cat.table(tx.ns, name); ok {
		return t, nil
	}
	tx.ownCatalog()
	n := tx.cat.nextTableNumber(tx.ns, name)
	t := &tableInfo{Name: name, Namespace: tx.ns, Number: n, Tablet: tx.cat.newTablet(n)}
	tables := tx.cat.byNumber[tablesTable]
	id, _, err := tx.insertDoc(tables, tableToDoc(t))
	if err != nil {
		return nil, fmt.Errorf("database: create table %s: %w", name, err)
	}
	t.Doc = id
	tx.cat.putTable(t)
	for _, ix := range []*indexInfo{
		{Table: t.Tablet, Name: byIDIndex, State: indexStateReady},
		{Table: t.Tablet, Name: byCreationTimeIndex, Fields: []string{creationTimeField}, State: indexStateReady},
	} {
		if err := tx.addIndex(ix, false); err != nil {
			return nil, fmt.Errorf("database: create table %s: %w", name, err)
		}
	}
	return t, nil
}

// ownCatalog makes tx.cat a private copy before a metadata change.
func (tx *Tx) ownCatalog() {
	if !tx.catChanged {
		tx.cat = tx.cat.clone()
		tx.catChanged = true
	}
}

// addIndex assigns the index an id, stages its _index document and, if
// backfill is set, marks it to be filled from the table's documents at
// commit.
func (tx *Tx) addIndex(ix *indexInfo, backfill bool) error {
	tx.ownCatalog()
	ix.ID = tx.cat.nextIndex
	id, _, err := tx.insertDoc(tx.cat.byNumber[indexTable], indexToDoc(ix))
	if err != nil {
		return err
	}
	ix.Doc = id
	tx.cat.putIndex(ix)
	if backfill {
		tx.newIndexes[ix.ID] = true
	}
	return nil
}

// dropIndex removes an index from the catalog and deletes its _index
// document. Its entries stay in the store under the retired index id.
func (tx *Tx) dropIndex(ix *indexInfo) {
	tx.ownCatalog()
	delete(tx.cat.indexes, ix.ID)
	delete(tx.newIndexes, ix.ID)
	tx.setWrite(tx.cat.byNumber[indexTable], ix.Doc, value.Object{}, false)
}

// Commit writes everything the transaction staged as one persistence
// commit at a new timestamp and returns it, once it is durable. A
// read-only transaction, or one that wrote nothing, commits nothing and
// returns its snapshot ts. Commit fails with a *ConflictError when a
// commit made after the snapshot changed what the transaction read; the
// caller runs the whole transaction again (see DB.Retry).
func (tx *Tx) Commit(ctx context.Context) (int64, error) {
	if err := tx.check(false); err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if tx.conflict != nil {
		return 0, tx.conflict
	}
	if tx.readOnly || len(tx.order) == 0 {
		return tx.ts, nil
	}
	p, err := tx.prepare(ctx)
	if err != nil {
		return 0, err
	}
	return tx.db.submit(p)
}

// prepare does everything a commit needs before validation: the
// revisions and index writes (timestamps are set by the committer), the
// written-bytes limit, the summary and the merged read set.
func (tx *Tx) prepare(ctx context.Context) (*pending, error) {
	c, err := tx.buildCommit(ctx)
	if err != nil {
		return nil, err
	}
	if err := tx.checkBytesWritten(c); err != nil {
		return nil, err
	}
	p := &pending{
		ctx: ctx, snapshot: tx.ts, commit: c, sum: tx.summarize(0),
		meta: tx.catChanged || tx.schemaSet, serial: tx.hold, visible: tx.onVisible,
	}
	if tx.catChanged {
		p.cat = tx.cat
	}
	if tx.schemaSet {
		p.schemas = tx.schemas
	}
	p.reads = newReadSet(tx.reads)
	return p, nil
}

// checkBytesWritten enforces the limit on the bytes of user documents one
// transaction writes.
func (tx *Tx) checkBytesWritten(c persistence.Commit) error {
	var n int64
	for _, r := range c.Documents {
		if t, ok := tx.cat.byTablet[tabletID(r.ID.Table)]; ok && !t.system() {
			n += int64(len(r.Value))
		}
	}
	if lim := tx.db.opts.Limits.BytesWritten; n > lim {
		return userErr("TooManyBytesWritten", "Too many bytes written in a single function execution (limit: %d bytes). Consider splitting the work across several mutations.", lim)
	}
	return nil
}

// buildCommit turns the staged writes into document revisions and index
// writes: for every index of the table, the old key is removed and the new
// key added (nothing when the key did not change). Revision timestamps are
// left zero for the committer.
func (tx *Tx) buildCommit(ctx context.Context) (persistence.Commit, error) {
	var c persistence.Commit
	for _, did := range tx.order {
		w := tx.writes[did]
		if !w.oldKnown {
			if err := tx.loadOld(ctx, did, &w); err != nil {
				return c, err
			}
			tx.writes[did] = w
		}
		if !w.hasOld && !w.hasDoc {
			continue // inserted and deleted in this transaction
		}
		rev := persistence.Revision{ID: did, PrevTS: w.oldTS, Deleted: !w.hasDoc}
		if w.hasDoc {
			rev.Value = encodeDoc(w.doc)
		}
		c.Documents = append(c.Documents, rev)
		for _, ix := range tx.cat.tableIndexes(w.tablet) {
			c.Indexes = append(c.Indexes, indexWrites(ix, did, w, tx.newIndexes[ix.ID])...)
		}
	}
	backfill, err := tx.backfill(ctx)
	if err != nil {
		return c, err
	}
	c.Indexes = append(c.Indexes, backfill...)
	return c, nil
}

// loadOld fills in the committed version of a document written without
// being read first.
func (tx *Tx) loadOld(ctx context.Context, did persistence.DocID, w *write) error {
	c, err := tx.fetch(ctx, did)
	if err != nil {
		return err
	}
	if c.found {
		w.old, w.hasOld, w.oldTS = c.obj, true, c.ts
	}
	w.oldKnown = true
	// The old version is what the commit replaces: it must not change
	// before the commit.
	if t, ok := tx.cat.byTablet[tabletID(did.Table)]; ok {
		return tx.recordPoint(t, t.id(did))
	}
	return nil
}

func indexWrites(ix *indexInfo, did persistence.DocID, w write, isNew bool) []persistence.IndexWrite {
	var oldKey, newKey []byte
	if w.hasOld && !isNew {
		oldKey = indexKey(ix, w.old)
	}
	if w.hasDoc {
		newKey = indexKey(ix, w.doc)
	}
	if oldKey != nil && newKey != nil && bytes.Equal(oldKey, newKey) {
		return nil
	}
	var out []persistence.IndexWrite
	if oldKey != nil {
		out = append(out, persistence.IndexWrite{Index: ix.ID, Key: oldKey, Doc: did, Deleted: true})
	}
	if newKey != nil {
		out = append(out, persistence.IndexWrite{Index: ix.ID, Key: newKey, Doc: did})
	}
	return out
}

// backfill computes the entries of indexes created in this transaction for
// the table's committed documents the transaction did not write (written
// ones got their entries in buildCommit).
func (tx *Tx) backfill(ctx context.Context) ([]persistence.IndexWrite, error) {
	var out []persistence.IndexWrite
	for id := range tx.newIndexes {
		ix, ok := tx.cat.indexes[id]
		if !ok {
			continue
		}
		src := tx.cat.index(ix.Table, byCreationTimeIndex)
		if src == nil {
			continue
		}
		// The new index must cover every document of the table: a write
		// committed after the snapshot is a conflict.
		tx.reads = append(tx.reads, ReadInterval{Index: src.ID})
		var start []byte
		for {
			entries, err := tx.db.store.Scan(ctx, persistence.Range{Index: src.ID, Start: start, Limit: 512}, tx.readAt())
			if err != nil {
				return nil, tx.readErr(fmt.Sprintf("backfill index %s", ix.Name), err)
			}
			for _, e := range entries {
				if _, written := tx.writes[e.Doc.ID]; written {
					continue
				}
				doc, err := decodeDoc(e.Doc.Value)
				if err != nil {
					return nil, err
				}
				out = append(out, persistence.IndexWrite{Index: ix.ID, Key: indexKey(ix, doc), Doc: e.Doc.ID})
			}
			if len(entries) < 512 {
				break
			}
			start = keyAfter(entries[len(entries)-1].Key)
		}
	}
	return out, nil
}
