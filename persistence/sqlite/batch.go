package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"hull/persistence"
)

// A group is written with multi-row statements: one INSERT per table for
// up to maxBatch rows instead of one statement per row. Each statement
// call costs the driver's binding and database/sql's bookkeeping beside
// SQLite's own work (about half of a one-row statement's time), and a
// group of 30 single-document inserts made ~210 such calls.

// maxBatch is the most rows one statement writes; batches of fewer rows
// use the prepared statement for the largest power of two that fits.
const maxBatch = 32

// batchSizes is how many row counts have a statement: 1, 2, 4, … maxBatch.
const batchSizes = 6

// batchKind is a table a group writes rows into with multi-row statements.
type batchKind int

const (
	batchLogDoc batchKind = iota
	batchPutDoc
	batchLogIdx
	batchPutIdx
	batchKinds
)

// batchSQL returns the statement of kind k for n rows.
func batchSQL(k batchKind, n int) string {
	var head, row, tail string
	switch k {
	case batchLogDoc:
		head, row = `INSERT OR REPLACE INTO document_log (tbl, id, ts, prev_ts, deleted, value) VALUES `, `(?, ?, ?, ?, ?, ?)`
	case batchPutDoc:
		head, row = `INSERT INTO documents (tbl, id, ts, prev_ts, value) VALUES `, `(?, ?, ?, ?, ?)`
		tail = ` ON CONFLICT (tbl, id) DO UPDATE SET ts = excluded.ts, prev_ts = excluded.prev_ts, value = excluded.value`
	case batchLogIdx:
		head, row = `INSERT OR REPLACE INTO index_log (idx, key, ts, deleted, tbl, id) VALUES `, `(?, ?, ?, ?, ?, ?)`
	case batchPutIdx:
		head, row = `INSERT INTO index_entries (idx, key, tbl, id, ts) VALUES `, `(?, ?, ?, ?, ?)`
		tail = ` ON CONFLICT (idx, key) DO UPDATE SET tbl = excluded.tbl, id = excluded.id, ts = excluded.ts`
	}
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	return b.String()
}

// prepareBatches prepares every kind's statement for 1, 2, 4, … maxBatch
// rows on the writer.
func prepareBatches(ctx context.Context, write *sql.DB, st *statements) error {
	for k := range batchKinds {
		for i := range batchSizes {
			stmt, err := write.PrepareContext(ctx, batchSQL(k, 1<<i))
			if err != nil {
				return fmt.Errorf("prepare batch %d×%d: %w", k, 1<<i, err)
			}
			st.all = append(st.all, stmt)
			st.batch[k][i] = stmt
		}
	}
	return nil
}

// groupRows are the rows one group writes, gathered in commit order.
type groupRows struct {
	logDocs, logIdx [][]any // every revision and index write, one row each
	docs            map[persistence.DocID]*docState
	docOrder        []persistence.DocID
	keys            map[idxKey]keyState
	keyOrder        []idxKey
}

// docState is a document's state after the group: its last revision.
type docState struct {
	ts, prevTS int64
	value      []byte
	deleted    bool
}

// keyState is an index key's state after the group: its last write and
// the ts of the commit that made it.
type keyState struct {
	w  *persistence.IndexWrite
	ts int64
}

type idxKey struct {
	idx persistence.IndexID
	key string
}

// gather reads the group into rows: a document's prev_ts is the ts of its
// revision earlier in the group, else read from the log; current state
// and index entries keep only their last write in the group.
func (st *writeStmts) gather(ctx context.Context, commits []persistence.Commit) (*groupRows, error) {
	g := &groupRows{docs: map[persistence.DocID]*docState{}, keys: map[idxKey]keyState{}}
	for _, c := range commits {
		for _, r := range c.Documents {
			tbl, id := int64(r.ID.Table), r.ID.Internal[:]
			var value []byte
			if !r.Deleted {
				value = nonNil(r.Value)
			}
			d := g.docs[r.ID]
			var prevTS int64
			if d != nil {
				prevTS = d.ts
			} else if err := st.prevTS.QueryRowContext(ctx, tbl, id, c.TS).Scan(&prevTS); err != nil {
				return nil, fmt.Errorf("read previous revision: %w", err)
			}
			g.logDocs = append(g.logDocs, []any{tbl, id, c.TS, prevTS, r.Deleted, value})
			if d == nil {
				d = &docState{}
				g.docs[r.ID] = d
				g.docOrder = append(g.docOrder, r.ID)
			}
			*d = docState{ts: c.TS, prevTS: prevTS, value: value, deleted: r.Deleted}
		}
		for i := range c.Indexes {
			w := &c.Indexes[i]
			key := nonNil(w.Key)
			g.logIdx = append(g.logIdx, []any{int64(w.Index), key, c.TS, w.Deleted, int64(w.Doc.Table), w.Doc.Internal[:]})
			k := idxKey{w.Index, string(key)}
			if _, seen := g.keys[k]; !seen {
				g.keyOrder = append(g.keyOrder, k)
			}
			g.keys[k] = keyState{w, c.TS}
		}
	}
	return g, nil
}

// applyGroup writes a group: the log rows of every commit, then the
// documents' and index entries' state after the last.
func (st *writeStmts) applyGroup(ctx context.Context, commits []persistence.Commit) error {
	g, err := st.gather(ctx, commits)
	if err != nil {
		return err
	}
	if err := st.insert(ctx, batchLogDoc, g.logDocs); err != nil {
		return fmt.Errorf("log documents: %w", err)
	}
	var puts [][]any
	for _, id := range g.docOrder {
		d := g.docs[id]
		if d.deleted {
			if _, err := st.delDoc.ExecContext(ctx, int64(id.Table), id.Internal[:]); err != nil {
				return fmt.Errorf("delete document: %w", err)
			}
			continue
		}
		puts = append(puts, []any{int64(id.Table), id.Internal[:], d.ts, d.prevTS, d.value})
	}
	if err := st.insert(ctx, batchPutDoc, puts); err != nil {
		return fmt.Errorf("update documents: %w", err)
	}
	if err := st.insert(ctx, batchLogIdx, g.logIdx); err != nil {
		return fmt.Errorf("log index entries: %w", err)
	}
	puts = puts[:0]
	for _, k := range g.keyOrder {
		ks := g.keys[k]
		w := ks.w
		if w.Deleted {
			if _, err := st.delIdx.ExecContext(ctx, int64(k.idx), nonNil(w.Key)); err != nil {
				return fmt.Errorf("delete index entry: %w", err)
			}
			continue
		}
		puts = append(puts, []any{int64(k.idx), nonNil(w.Key), int64(w.Doc.Table), w.Doc.Internal[:], ks.ts})
	}
	if err := st.insert(ctx, batchPutIdx, puts); err != nil {
		return fmt.Errorf("update index entries: %w", err)
	}
	return nil
}

// insert writes rows with kind k's statements, the largest batch that
// fits first.
func (st *writeStmts) insert(ctx context.Context, k batchKind, rows [][]any) error {
	args := make([]any, 0, 6*min(len(rows), maxBatch))
	for len(rows) > 0 {
		i := batchSizes - 1
		for 1<<i > len(rows) {
			i--
		}
		n := 1 << i
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := st.batch(ctx, k, i).ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
