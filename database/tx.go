package database

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"hull/persistence"
	"hull/value"
)

// Tx is one transaction at a snapshot, viewing one table namespace (see
// catalog.go): tables are found by name in that namespace, and documents
// of other namespaces are not found by their ids, except through the
// System* methods, which reach documents of every namespace by id. In
// returns a view of the same transaction on another namespace. A Tx (and
// its views) is not safe for concurrent use: the caller (one function
// run, its nested calls included) issues operations one at a time, as
// Convex serializes syscalls.
type Tx struct {
	*txState
	ns string
}

// txState is the state a transaction's views share.
type txState struct {
	db       *DB
	ts       int64
	readOnly bool
	// atHead is set when ts was the newest durable ts at the start.
	atHead bool
	// pin keeps the snapshot from GC until the transaction ends.
	pin uint64
	// conflict is set when a read found the snapshot gone: the
	// transaction can only fail, whatever its code does with the error.
	conflict *ConflictError

	cat        *catalog
	catChanged bool
	// schemas are the active schemas by namespace; a transaction that
	// sets one works on a copy of the map (schemaSet).
	schemas   map[string]*Schema
	schemaSet bool

	writes     map[persistence.DocID]write
	order      []persistence.DocID
	newIndexes map[persistence.IndexID]bool
	cache      map[persistence.DocID]cachedDoc

	creation float64 // next _creationTime (ms)

	reads       []ReadInterval
	points      map[persistence.DocID]bool // documents in reads
	userReads   int                        // intervals of user tables in reads
	docsRead    int
	bytesRead   int64
	docsWritten int

	// serial is set while the transaction holds the committer (a
	// serialized attempt of Retry; see serial.go): hold numbers the hold,
	// holdTimer ends it when it lasts too long.
	serial    *serialAttempt
	hold      uint64
	holdTimer *time.Timer

	// onVisible run when the commit becomes readable (see BeforeVisible).
	onVisible []func(ts int64)

	done bool
}

// BeforeVisible registers fn to run once the transaction's commit is
// durable and before any reader can see it, with its commit ts: the place
// to switch in-memory state that must change together with the commit
// (a reader at that ts, or later, then never sees the old state). fn runs
// on the committer's goroutine under its lock, so it must be quick and
// must not call the DB. It does not run if the commit fails, or if the
// transaction wrote nothing.
func (tx *Tx) BeforeVisible(fn func(ts int64)) { tx.onVisible = append(tx.onVisible, fn) }

// write is the pending state of one document in a transaction. Values are
// replaced, never mutated, so a savepoint can copy the map shallowly.
type write struct {
	tablet tabletID
	old    value.Object
	hasOld bool
	oldTS  int64
	// oldKnown is set once the committed version (or its absence) is known.
	oldKnown bool
	doc      value.Object
	hasDoc   bool
}

type cachedDoc struct {
	obj   value.Object
	ts    int64
	size  int
	found bool
}

// ReadInterval is one index interval a transaction read: keys k with
// Start <= k < End (End nil: unbounded).
type ReadInterval struct {
	Index persistence.IndexID
	Start []byte
	End   []byte
}

func newTx(db *DB, cat *catalog, ts int64, schemas map[string]*Schema, readOnly bool) *Tx {
	now := db.opts.Now().UnixNano()
	base := max(now, ts+1)
	return &Tx{txState: &txState{
		db: db, ts: ts, readOnly: readOnly, cat: cat, schemas: schemas,
		writes:     map[persistence.DocID]write{},
		newIndexes: map[persistence.IndexID]bool{},
		cache:      map[persistence.DocID]cachedDoc{},
		points:     map[persistence.DocID]bool{},
		creation:   float64(base/1e6) + float64(base%1e6)*1e-6,
	}}
}

// SnapshotTS returns the timestamp the transaction reads at.
func (tx *Tx) SnapshotTS() int64 { return tx.ts }

// ReadOnly reports whether the transaction is a query.
func (tx *Tx) ReadOnly() bool { return tx.readOnly }

// Conflict returns the *ConflictError a read of the transaction hit (its
// snapshot is no longer readable), or nil. Such a transaction cannot
// commit; run it again even if its code caught the error.
func (tx *Tx) Conflict() error {
	if tx.conflict == nil {
		return nil
	}
	return tx.conflict
}

// ReadSet returns the index intervals the transaction has read so far.
func (tx *Tx) ReadSet() []ReadInterval { return append([]ReadInterval(nil), tx.reads...) }

// TableName returns the name of the table with the given number, if it
// is a table of the view's namespace.
func (tx *Tx) TableName(n value.TableNumber) (string, bool) {
	t, ok := tx.cat.tableFor(tx.ns, n)
	if !ok || !tx.visible(t) {
		return "", false
	}
	return t.Name, true
}

// TableNumber returns the number of a table of the view's namespace, if
// it exists.
func (tx *Tx) TableNumber(name string) (value.TableNumber, bool) {
	t, ok := tx.cat.table(tx.ns, name)
	if !ok {
		return 0, false
	}
	return t.Number, true
}

// Rollback discards the transaction (a serialized one lets the committer
// go on). It is safe to call after Commit (it does nothing then).
func (tx *Tx) Rollback() {
	tx.done = true
	tx.db.pins.remove(tx.pin)
	tx.pin = 0
	tx.endHold()
}

// Savepoint marks the current write state; RollbackTo returns to it. Used
// to undo a nested mutation that failed. Reads are kept.
type Savepoint struct {
	writes     map[persistence.DocID]write
	order      int
	cat        *catalog
	catChanged bool
	// schemas are the active schemas by namespace; a transaction that
	// sets one works on a copy of the map (schemaSet).
	schemas    map[string]*Schema
	schemaSet  bool
	newIndexes map[persistence.IndexID]bool
	written    int
}

// Savepoint returns a savepoint at the current state.
func (tx *Tx) Savepoint() Savepoint {
	sp := Savepoint{
		writes: make(map[persistence.DocID]write, len(tx.writes)), order: len(tx.order),
		cat: tx.cat, catChanged: tx.catChanged, schemas: tx.schemas, schemaSet: tx.schemaSet,
		newIndexes: make(map[persistence.IndexID]bool, len(tx.newIndexes)),
		written:    tx.docsWritten,
	}
	for k, v := range tx.writes {
		sp.writes[k] = v
	}
	for k, v := range tx.newIndexes {
		sp.newIndexes[k] = v
	}
	if tx.catChanged {
		// The transaction's catalog copy is changed in place; keep a frozen one.
		sp.cat = tx.cat.clone()
	}
	return sp
}

// RollbackTo undoes every write made since sp.
func (tx *Tx) RollbackTo(sp Savepoint) {
	tx.writes = sp.writes
	tx.order = tx.order[:sp.order]
	tx.cat, tx.catChanged = sp.cat, sp.catChanged
	if sp.catChanged {
		tx.cat = sp.cat.clone()
	}
	tx.schemas, tx.schemaSet = sp.schemas, sp.schemaSet
	tx.newIndexes = sp.newIndexes
	tx.docsWritten = sp.written
	// Keep sp reusable: the maps now belong to tx, so copy them back.
	fresh := tx.Savepoint()
	tx.writes, tx.newIndexes = fresh.writes, fresh.newIndexes
}

func (tx *Tx) check(write bool) error {
	if tx.done {
		return ErrTxDone
	}
	if write && tx.readOnly {
		return ErrReadOnly
	}
	return nil
}

// readAt is the ts passed to the store: every transaction, mutations
// included, reads its snapshot.
func (tx *Tx) readAt() int64 { return tx.ts }

// readErr wraps a store read error. A snapshot the store no longer
// retains is a *TooOldError for a query, and a conflict for a mutation
// (running it again reads a fresh snapshot).
func (tx *Tx) readErr(what string, err error) error {
	if errors.Is(err, persistence.ErrTooOld) {
		if !tx.readOnly {
			tx.conflict = &ConflictError{Reason: "history"}
			return fmt.Errorf("database: %s: %w", what, tx.conflict)
		}
		return &TooOldError{TS: tx.ts, Err: err}
	}
	return fmt.Errorf("database: %s: %w", what, err)
}

// userVisible reports whether user code may read the table: user tables
// and the two virtual system tables of Convex.
func userVisible(t *tableInfo) bool {
	return !t.system() || t.Name == "_storage" || t.Name == "_scheduled_functions"
}

// current returns the document as this transaction sees it.
func (tx *Tx) current(ctx context.Context, t *tableInfo, id value.ID) (value.Object, bool, error) {
	did := t.docID(id.Internal)
	if err := tx.recordPoint(t, id); err != nil {
		return value.Object{}, false, err
	}
	if w, ok := tx.writes[did]; ok {
		return w.doc, w.hasDoc, nil
	}
	c, err := tx.fetch(ctx, did)
	if err != nil {
		return value.Object{}, false, err
	}
	if !c.found {
		return value.Object{}, false, nil
	}
	if err := tx.countRead(t, c.size); err != nil {
		return value.Object{}, false, err
	}
	return c.obj, true, nil
}

// recordPoint adds a document's by_id key to the read set (once).
func (tx *Tx) recordPoint(t *tableInfo, id value.ID) error {
	did := t.docID(id.Internal)
	if tx.points[did] {
		return nil
	}
	ix := tx.cat.index(t.Tablet, byIDIndex)
	if ix == nil {
		return nil
	}
	k := value.Key(value.String(id.String()))
	if err := tx.addRead(t, ReadInterval{Index: ix.ID, Start: k, End: keyAfter(k)}); err != nil {
		return err
	}
	tx.points[did] = true
	return nil
}

// addRead appends an interval to the read set, charging intervals of user
// tables against the limit.
func (tx *Tx) addRead(t *tableInfo, r ReadInterval) error {
	if !t.system() {
		if lim := tx.db.opts.Limits.ReadIntervals; tx.userReads >= lim {
			return userErr("TooManyReads", "Too many reads in a single function execution (limit: %d). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.", lim)
		}
		tx.userReads++
	}
	tx.reads = append(tx.reads, r)
	return nil
}

// countRead charges one document read against the limits; system tables
// are exempt.
func (tx *Tx) countRead(t *tableInfo, size int) error {
	if t.system() {
		return nil
	}
	tx.docsRead++
	tx.bytesRead += int64(size)
	lim := tx.db.opts.Limits
	if tx.docsRead > lim.DocumentsRead {
		return userErr("TooManyDocumentsRead", "Too many documents read in a single function execution (limit: %d). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.", lim.DocumentsRead)
	}
	if tx.bytesRead > lim.BytesRead {
		return userErr("TooManyBytesRead", "Too many bytes read in a single function execution (limit: %d bytes). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.", lim.BytesRead)
	}
	return nil
}

// checkWriteLimit refuses a write of one more user document past the
// limit; system tables are exempt.
func (tx *Tx) checkWriteLimit(t *tableInfo) error {
	if t.system() {
		return nil
	}
	lim := tx.db.opts.Limits.DocumentsWritten
	if tx.docsWritten+1 > lim {
		return userErr("TooManyWrites", "Too many writes in a single function execution (limit: %d documents). Consider splitting the work across several mutations.", lim)
	}
	tx.docsWritten++
	return nil
}

// Get returns a document as user code sees it: documents of private system
// tables, and of tables that do not exist, are not found.
func (tx *Tx) Get(ctx context.Context, id value.ID) (value.Object, bool, error) {
	return tx.get(ctx, id, false)
}

// SystemGet returns a document of any table.
func (tx *Tx) SystemGet(ctx context.Context, id value.ID) (value.Object, bool, error) {
	return tx.get(ctx, id, true)
}

func (tx *Tx) get(ctx context.Context, id value.ID, sys bool) (value.Object, bool, error) {
	if err := tx.check(false); err != nil {
		return value.Object{}, false, err
	}
	t, ok := tx.cat.tableFor(tx.ns, id.Table)
	if !ok || (!sys && (!userVisible(t) || !tx.visible(t))) {
		return value.Object{}, false, nil
	}
	return tx.current(ctx, t, id)
}

// Insert adds a document to a user table, creating the table if needed,
// and returns its new id.
func (tx *Tx) Insert(ctx context.Context, table string, obj value.Object) (value.ID, error) {
	return tx.insert(ctx, table, obj, false)
}

// SystemInsert adds a document to any table, system tables included.
func (tx *Tx) SystemInsert(ctx context.Context, table string, obj value.Object) (value.ID, error) {
	return tx.insert(ctx, table, obj, true)
}

func (tx *Tx) insert(ctx context.Context, table string, obj value.Object, sys bool) (value.ID, error) {
	if err := tx.check(true); err != nil {
		return value.ID{}, err
	}
	if err := checkTableName(table, sys); err != nil {
		return value.ID{}, err
	}
	for _, f := range []string{idField, creationTimeField} {
		if _, ok := obj.Get(f); ok {
			return value.ID{}, userErr("InvalidDocument", "Provided document contains the system field %q, which is set by the database. Remove it before inserting into table %q.", f, table)
		}
	}
	t, err := tx.ensureTable(ctx, table)
	if err != nil {
		return value.ID{}, err
	}
	id, _, err := tx.insertDoc(t, obj)
	return id, err
}

// insertDoc gives obj a new id and _creationTime and stages it.
func (tx *Tx) insertDoc(t *tableInfo, obj value.Object) (value.ID, value.Object, error) {
	internal, err := value.NewInternalID(tx.db.opts.Rand, tx.db.opts.Now())
	if err != nil {
		return value.ID{}, value.Object{}, fmt.Errorf("database: new id: %w", err)
	}
	id := value.ID{Table: t.Number, Internal: internal}
	ct := tx.creation
	tx.creation = math.Nextafter(ct, math.Inf(1))
	doc := obj.With(idField, value.String(id.String())).With(creationTimeField, value.Float64(ct))
	if err := tx.validateDoc(t, doc); err != nil {
		return value.ID{}, value.Object{}, err
	}
	did := t.docID(internal)
	if err := tx.checkWriteLimit(t); err != nil {
		return value.ID{}, value.Object{}, err
	}
	tx.writes[did] = write{tablet: t.Tablet, doc: doc, hasDoc: true, oldKnown: true}
	tx.order = append(tx.order, did)
	return id, doc, nil
}

func (tx *Tx) validateDoc(t *tableInfo, doc value.Object) error {
	if err := value.ValidateDocument(doc); err != nil {
		return &Error{Code: "InvalidDocument", Msg: err.Error()}
	}
	return tx.checkSchema(t, doc)
}

// checkTableName rejects bad table names, and system tables for user code.
func checkTableName(table string, sys bool) error {
	if strings.HasPrefix(table, "_") && !sys {
		return userErr("SystemTableWrite", "System tables (prefixed with `_`) are read-only.")
	}
	if err := value.ValidateIdentifier(table); err != nil {
		return userErr("InvalidTableName", "Invalid table name %q: %v", table, err)
	}
	return nil
}

// Patch shallow-merges fields into a user document and returns the new
// document. A field whose Value is nil is removed. _id and _creationTime
// may appear only with their current values.
func (tx *Tx) Patch(ctx context.Context, id value.ID, fields []value.Field) (value.Object, error) {
	return tx.patch(ctx, id, fields, false)
}

// SystemPatch is Patch for any table.
func (tx *Tx) SystemPatch(ctx context.Context, id value.ID, fields []value.Field) (value.Object, error) {
	return tx.patch(ctx, id, fields, true)
}

func (tx *Tx) patch(ctx context.Context, id value.ID, fields []value.Field, sys bool) (value.Object, error) {
	t, old, err := tx.forWrite(ctx, id, sys, "Update")
	if err != nil {
		return value.Object{}, err
	}
	doc := old
	for _, f := range fields {
		if f.Name == idField || f.Name == creationTimeField {
			if cur, _ := old.Get(f.Name); !value.Equal(cur, f.Value) {
				return value.Object{}, userErr("InvalidDocument", "Provided %s field %s does not match the document's current value.", f.Name, string(value.ToJSON(orNull(f.Value))))
			}
			continue
		}
		if f.Value == nil {
			doc = doc.Without(f.Name)
		} else {
			doc = doc.With(f.Name, f.Value)
		}
	}
	return doc, tx.stage(t, id, doc, old)
}

// Replace replaces every user field of a user document, keeping _id and
// _creationTime, and returns the new document.
func (tx *Tx) Replace(ctx context.Context, id value.ID, obj value.Object) (value.Object, error) {
	return tx.replace(ctx, id, obj, false)
}

// SystemReplace is Replace for any table.
func (tx *Tx) SystemReplace(ctx context.Context, id value.ID, obj value.Object) (value.Object, error) {
	return tx.replace(ctx, id, obj, true)
}

func (tx *Tx) replace(ctx context.Context, id value.ID, obj value.Object, sys bool) (value.Object, error) {
	t, old, err := tx.forWrite(ctx, id, sys, "Replace")
	if err != nil {
		return value.Object{}, err
	}
	doc := obj
	for _, f := range []string{idField, creationTimeField} {
		cur, _ := old.Get(f)
		if v, ok := obj.Get(f); ok && !value.Equal(v, cur) {
			return value.Object{}, userErr("InvalidDocument", "Provided %s field %s does not match the document's current value.", f, string(value.ToJSON(v)))
		}
		doc = doc.With(f, cur)
	}
	return doc, tx.stage(t, id, doc, old)
}

// Delete removes a user document and returns it.
func (tx *Tx) Delete(ctx context.Context, id value.ID) (value.Object, error) {
	return tx.delete(ctx, id, false)
}

// SystemDelete is Delete for any table.
func (tx *Tx) SystemDelete(ctx context.Context, id value.ID) (value.Object, error) {
	return tx.delete(ctx, id, true)
}

func (tx *Tx) delete(ctx context.Context, id value.ID, sys bool) (value.Object, error) {
	t, old, err := tx.forWrite(ctx, id, sys, "Delete")
	if err != nil {
		return value.Object{}, err
	}
	if _, written := tx.writes[t.docID(id.Internal)]; !written {
		if err := tx.checkWriteLimit(t); err != nil {
			return value.Object{}, err
		}
	}
	tx.setWrite(t, id, value.Object{}, false)
	return old, nil
}

// forWrite finds the table and current document for a patch, replace or
// delete.
func (tx *Tx) forWrite(ctx context.Context, id value.ID, sys bool, verb string) (*tableInfo, value.Object, error) {
	if err := tx.check(true); err != nil {
		return nil, value.Object{}, err
	}
	t, ok := tx.cat.tableFor(tx.ns, id.Table)
	if ok && !sys && !tx.visible(t) {
		ok = false // another namespace's document is not this view's to write
	}
	if ok && t.system() && !sys {
		return nil, value.Object{}, userErr("SystemTableWrite", "System tables (prefixed with `_`) are read-only.")
	}
	if !ok {
		return nil, value.Object{}, userErr("NonexistentDocument", "%s on nonexistent document ID %s", verb, id)
	}
	old, found, err := tx.current(ctx, t, id)
	if err != nil {
		return nil, value.Object{}, err
	}
	if !found {
		return nil, value.Object{}, userErr("NonexistentDocument", "%s on nonexistent document ID %s", verb, id)
	}
	return t, old, nil
}

func (tx *Tx) stage(t *tableInfo, id value.ID, doc, old value.Object) error {
	if err := tx.validateDoc(t, doc); err != nil {
		return err
	}
	if _, written := tx.writes[t.docID(id.Internal)]; !written {
		if err := tx.checkWriteLimit(t); err != nil {
			return err
		}
	}
	tx.setWrite(t, id, doc, true)
	return nil
}

// setWrite records the new state of a document, remembering the committed
// version the first time the document is written.
func (tx *Tx) setWrite(t *tableInfo, id value.ID, doc value.Object, exists bool) {
	did := t.docID(id.Internal)
	w, ok := tx.writes[did]
	if !ok {
		w = write{tablet: t.Tablet}
		if c, cached := tx.cache[did]; cached {
			w.old, w.hasOld, w.oldTS, w.oldKnown = c.obj, c.found, c.ts, true
		}
		tx.order = append(tx.order, did)
	}
	w.doc, w.hasDoc = doc, exists
	tx.writes[did] = w
}

func orNull(v value.Value) value.Value {
	if v == nil {
		return value.Null{}
	}
	return v
}
