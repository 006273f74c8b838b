package database

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"hull/persistence"
)

// Index backfill. A schema index added to a table that already has
// documents is created in state "backfilling": from the commit that
// creates it, the committer maintains it for every write, and a background
// worker fills it with the table's other documents in small commits of
// index entries, each computed at a snapshot. An entry of a document some
// commit wrote after that snapshot is dropped from the batch by the
// committer (that commit already wrote the document's entries), so the
// result equals a full rebuild. When the whole table is covered the index
// flips to "ready". Until then queries on it fail with IndexNotReady.

const (
	indexStateBackfilling = "backfilling"

	// backfillBatch is the number of documents per backfill commit.
	backfillBatch = 256
)

// IndexStatus describes one index of a user table and its backfill.
type IndexStatus struct {
	Namespace string // "" or a component path
	Table     string
	Name      string
	Fields    []string
	// Staged indexes are backfilled but not queryable.
	Staged bool
	Ready  bool
	// Indexed and Total count documents of a backfill in progress (Total
	// is the table's size when the backfill started).
	Indexed, Total int64
}

// backfiller is the state of the background backfill worker.
type backfiller struct {
	mu       sync.Mutex
	progress map[persistence.IndexID]*IndexStatus
	changed  chan struct{} // closed (and replaced) at every progress change
	wake     chan struct{} // one token: the catalog may have new work
	cancel   context.CancelFunc
	stopped  chan struct{}
	// step, when set (by tests), is received from before each batch.
	step chan struct{}
}

func (b *backfiller) init() {
	b.progress = map[persistence.IndexID]*IndexStatus{}
	b.changed = make(chan struct{})
	b.wake = make(chan struct{}, 1)
	b.stopped = make(chan struct{})
}

func (b *backfiller) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// notify wakes every waiter on progress. Called with b.mu held.
func (b *backfiller) notify() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// waitStep waits for the test hook's permission to write a batch.
func (b *backfiller) waitStep(ctx context.Context) error {
	b.mu.Lock()
	step := b.step
	b.mu.Unlock()
	if step == nil {
		return nil
	}
	select {
	case <-step:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startBackfiller runs the worker until Close.
func (db *DB) startBackfiller() {
	ctx, cancel := context.WithCancel(context.Background())
	db.bf.cancel = cancel
	db.bf.signal()
	go func() {
		defer close(db.bf.stopped)
		for {
			select {
			case <-ctx.Done():
				return
			case <-db.bf.wake:
			}
			if err := db.backfillAll(ctx); err != nil && ctx.Err() == nil {
				if db.fenced.Load() {
					return
				}
				db.opts.Logger.Error("database: index backfill", "err", err)
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
					db.bf.signal()
				}
			}
		}
	}()
}

func (db *DB) stopBackfiller() {
	if db.bf.cancel != nil {
		db.bf.cancel()
		<-db.bf.stopped
	}
}

// backfillAll fills every index that is backfilling, oldest first.
func (db *DB) backfillAll(ctx context.Context) error {
	cat, _, _ := db.snapshot()
	var todo []*indexInfo
	for _, ix := range cat.indexes {
		if ix.State == indexStateBackfilling {
			todo = append(todo, ix)
		}
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].ID < todo[j].ID })
	for _, ix := range todo {
		if err := db.backfillIndex(ctx, ix); err != nil {
			return fmt.Errorf("index %d (%s): %w", ix.ID, ix.Name, err)
		}
	}
	return nil
}

// backfillIndex fills one index batch by batch, then marks it ready.
func (db *DB) backfillIndex(ctx context.Context, ix *indexInfo) error {
	total, err := db.countTable(ctx, ix.Table)
	if err != nil {
		return err
	}
	db.setProgress(ix, 0, total)
	var cursor []byte
	var done int64
	for {
		if err := db.bf.waitStep(ctx); err != nil {
			return err
		}
		var n int
		var next []byte
		err := db.Retry(ctx, func(ctx context.Context) error {
			var err error
			n, next, err = db.backfillBatch(ctx, ix, cursor)
			return err
		})
		if errors.Is(err, errIndexGone) {
			db.clearProgress(ix.ID)
			return nil
		}
		if err != nil {
			return err
		}
		done += int64(n)
		db.setProgress(ix, min(done, max(total, done)), max(total, done))
		if next == nil {
			break
		}
		cursor = next
	}
	for range 3 {
		var missing int
		err := db.Retry(ctx, func(ctx context.Context) error {
			var err error
			missing, err = db.backfillMissing(ctx, ix)
			return err
		})
		if errors.Is(err, errIndexGone) {
			db.clearProgress(ix.ID)
			return nil
		}
		if err != nil {
			return err
		}
		if missing == 0 {
			break
		}
	}
	err = db.Retry(ctx, func(ctx context.Context) error { return db.markReady(ctx, ix.ID) })
	db.clearProgress(ix.ID)
	if errors.Is(err, errIndexGone) {
		return nil
	}
	return err
}

// errIndexGone stops a backfill whose index was dropped.
var errIndexGone = errors.New("database: index no longer backfilling")

// backfillBatch writes the entries of up to backfillBatch documents from
// cursor (a by_id key) on, as of a fresh snapshot, and returns how many
// documents it covered and the next cursor (nil at the end).
func (db *DB) backfillBatch(ctx context.Context, ix *indexInfo, cursor []byte) (int, []byte, error) {
	cat, ts, _ := db.snapshot()
	cur, ok := cat.indexes[ix.ID]
	if !ok || cur.State != indexStateBackfilling {
		return 0, nil, errIndexGone
	}
	src := cat.index(ix.Table, byIDIndex)
	if src == nil {
		return 0, nil, errIndexGone
	}
	if err := db.Fenced(); err != nil {
		return 0, nil, err
	}
	entries, err := db.store.Scan(ctx, persistence.Range{Index: src.ID, Start: cursor, Limit: backfillBatch}, ts)
	if err != nil {
		if errors.Is(err, persistence.ErrTooOld) {
			return 0, nil, &ConflictError{Reason: "history"}
		}
		return 0, nil, fmt.Errorf("scan table: %w", err)
	}
	var c persistence.Commit
	for _, e := range entries {
		doc, err := decodeDoc(e.Doc.Value)
		if err != nil {
			return 0, nil, err
		}
		c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: ix.ID, Key: indexKey(cur, doc), Doc: e.Doc.ID})
	}
	var next []byte
	if len(entries) == backfillBatch {
		next = keyAfter(entries[len(entries)-1].Key)
	}
	if len(c.Indexes) == 0 {
		return 0, next, nil
	}
	p := &pending{ctx: ctx, snapshot: ts, commit: c, backfill: true}
	if _, err := db.submit(p); err != nil {
		return 0, nil, err
	}
	return len(entries), next, nil
}

// checkBackfill validates a backfill batch: it conflicts only when its
// snapshot is gone or the catalog changed; entries of documents written
// after its snapshot are dropped, since the commit that wrote each of
// them wrote its entries too.
func (db *DB) checkBackfill(p *pending, recent []CommitSummary, recentFrom, metaTS int64, groupMeta bool, earlier []*pending) error {
	if p.snapshot < recentFrom {
		return &ConflictError{Reason: "history"}
	}
	if metaTS > p.snapshot || groupMeta {
		return &ConflictError{Reason: "catalog"}
	}
	written := map[persistence.DocID]bool{}
	i := sort.Search(len(recent), func(i int) bool { return recent[i].TS > p.snapshot })
	for j := i; j < len(recent); j++ {
		for _, k := range recent[j].Keys {
			written[k.Doc] = true
		}
	}
	for _, e := range earlier {
		for _, k := range e.sum.Keys {
			written[k.Doc] = true
		}
	}
	if len(written) == 0 {
		return nil
	}
	kept := p.commit.Indexes[:0]
	for _, w := range p.commit.Indexes {
		if !written[w.Doc] {
			kept = append(kept, w)
		}
	}
	p.commit.Indexes = kept
	return nil
}

// markReady flips a backfilled index to ready.
func (db *DB) markReady(ctx context.Context, id persistence.IndexID) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ix, ok := tx.cat.indexes[id]
	if !ok || ix.State != indexStateBackfilling {
		return errIndexGone
	}
	next := *ix
	next.State = indexStateReady
	if err := tx.replaceIndex(ctx, &next); err != nil {
		return err
	}
	_, err = tx.Commit(ctx)
	return err
}

// replaceIndex installs a changed description of an existing index and
// rewrites its _index document.
func (tx *Tx) replaceIndex(ctx context.Context, ix *indexInfo) error {
	tx.ownCatalog()
	tx.cat.putIndex(ix)
	if _, err := tx.SystemReplace(ctx, ix.Doc, indexToDoc(ix)); err != nil {
		return fmt.Errorf("database: update index %s: %w", ix.Name, err)
	}
	return nil
}

// countTable counts a table's documents at the durable ts.
func (db *DB) countTable(ctx context.Context, table tabletID) (int64, error) {
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	t, ok := tx.cat.byTablet[table]
	if !ok {
		return 0, nil
	}
	return tx.In(t.Namespace).Count(ctx, t.Name)
}

func (db *DB) setProgress(ix *indexInfo, indexed, total int64) {
	db.bf.mu.Lock()
	defer db.bf.mu.Unlock()
	db.bf.progress[ix.ID] = &IndexStatus{Name: ix.Name, Indexed: indexed, Total: total}
	db.bf.notify()
}

func (db *DB) clearProgress(id persistence.IndexID) {
	db.bf.mu.Lock()
	defer db.bf.mu.Unlock()
	delete(db.bf.progress, id)
	db.bf.notify()
}

// IndexStatuses lists the indexes of user tables (by table, then name),
// with the progress of those backfilling, and a channel closed at the
// next change of any of it.
func (db *DB) IndexStatuses() ([]IndexStatus, <-chan struct{}) {
	db.bf.mu.Lock()
	changed := db.bf.changed
	progress := make(map[persistence.IndexID]IndexStatus, len(db.bf.progress))
	for id, p := range db.bf.progress {
		progress[id] = *p
	}
	db.bf.mu.Unlock()
	cat, _, _ := db.snapshot()
	var out []IndexStatus
	for _, ix := range cat.indexes {
		t := cat.byTablet[ix.Table]
		if t == nil || t.system() {
			continue
		}
		d := describe(t, ix)
		s := IndexStatus{Namespace: t.Namespace, Table: d.Table, Name: d.Name, Fields: d.Fields, Staged: ix.Staged, Ready: ix.State == indexStateReady}
		if p, ok := progress[ix.ID]; ok && !s.Ready {
			s.Indexed, s.Total = p.Indexed, p.Total
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].Name < out[j].Name
	})
	return out, changed
}

// WaitIndexes blocks until every named index (IndexKey) is ready. A name
// that is not an index fails.
func (db *DB) WaitIndexes(ctx context.Context, names []string) error {
	for {
		st, changed := db.IndexStatuses()
		ready := map[string]bool{}
		for _, s := range st {
			ready[IndexKey(s.Namespace, s.Table, s.Name)] = s.Ready
		}
		waiting := false
		for _, n := range names {
			r, ok := ready[n]
			if !ok {
				return fmt.Errorf("database: wait for index %s: no such index", n)
			}
			waiting = waiting || !r
		}
		if !waiting {
			return nil
		}
		if err := db.Fenced(); err != nil {
			return err
		}
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond): // the flip to ready is a commit, not a progress change
		case <-ctx.Done():
			return fmt.Errorf("database: wait for indexes: %w", ctx.Err())
		}
	}
}

// WaitBackfills blocks until no index is backfilling.
func (db *DB) WaitBackfills(ctx context.Context) error {
	for {
		st, changed := db.IndexStatuses()
		busy := false
		for _, s := range st {
			busy = busy || !s.Ready
		}
		if !busy {
			return nil
		}
		if err := db.Fenced(); err != nil {
			return err
		}
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("database: wait for backfills: %w", ctx.Err())
		}
	}
}
