package database

import (
	"context"
	"fmt"
	"math"

	"hull/persistence"
	"hull/value"
)

// Bulk loading. A snapshot import fills tables in a namespace nobody
// reads (a staging namespace), a chunk per transaction, with documents
// that keep their ids and creation times; one last transaction then
// moves the staged tables into place and the replaced ones out, so
// readers see either none or all of the import. The methods here are the
// pieces of that: a table created under a given number (ids name their
// table by number), inserts with a given _id and _creationTime, moves and
// renumbering of tables, and dropping a table once it is empty.

// CreateTableNumbered creates the table name in the view's namespace
// under number, with the built-in indexes and, when like names an
// existing table (in namespace likeNS), empty copies of like's other
// indexes (they are ready at once: the table is empty). It fails if the
// name is taken in the namespace, or the number by a table of a public
// namespace (a public view) or of the view's own namespace (a hidden
// one: see catalog.go). A table whose number another table has keeps
// its documents under a fresh tablet id.
func (tx *Tx) CreateTableNumbered(name string, number value.TableNumber, likeNS, like string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	if err := checkTableName(name, true); err != nil {
		return err
	}
	if _, ok := tx.cat.table(tx.ns, name); ok {
		return fmt.Errorf("database: table %q already exists in namespace %q", name, tx.ns)
	}
	if number == 0 {
		number = tx.cat.nextTableNumber(tx.ns, name)
	}
	if tabletID(number) >= firstFreshTablet {
		return userErr("InvalidTableNumber", "Table number %d of table %q is too large (numbers stay below %d).", number, name, firstFreshTablet)
	}
	if t, ok := tx.cat.numberTaken(tx.ns, number); ok {
		return &TableNumberTakenError{Number: number, Namespace: t.Namespace, Name: t.Name}
	}
	tx.ownCatalog()
	t := &tableInfo{Name: name, Namespace: tx.ns, Number: number, Tablet: tx.cat.newTablet(number)}
	id, _, err := tx.insertDoc(tx.cat.byNumber[tablesTable], tableToDoc(t))
	if err != nil {
		return fmt.Errorf("database: create table %s: %w", name, err)
	}
	t.Doc = id
	tx.cat.putTable(t)
	indexes := []*indexInfo{
		{Table: t.Tablet, Name: byIDIndex, State: indexStateReady},
		{Table: t.Tablet, Name: byCreationTimeIndex, Fields: []string{creationTimeField}, State: indexStateReady},
	}
	if src, ok := tx.cat.table(likeNS, like); ok && like != "" {
		for _, ix := range tx.cat.tableIndexes(src.Tablet) {
			if ix.Name == byIDIndex || ix.Name == byCreationTimeIndex {
				continue
			}
			indexes = append(indexes, &indexInfo{Table: t.Tablet, Name: ix.Name, Fields: append([]string(nil), ix.Fields...), State: indexStateReady, Staged: ix.Staged})
		}
	}
	for _, ix := range indexes {
		if err := tx.addIndex(ix, false); err != nil {
			return fmt.Errorf("database: create table %s: %w", name, err)
		}
	}
	return nil
}

// TableNumberTakenError is returned by CreateTableNumbered when another
// table holds the number.
type TableNumberTakenError struct {
	Number    value.TableNumber
	Namespace string
	Name      string
}

func (e *TableNumberTakenError) Error() string {
	return fmt.Sprintf("database: table number %d is taken by table %q (namespace %q)", e.Number, e.Name, e.Namespace)
}

// InsertWithID stages doc, which carries its own _id (of this table) and
// _creationTime, into a table of the view's namespace. The document
// limits of user transactions apply; the schema is not checked (the
// table is expected to be a staging table nobody reads yet).
func (tx *Tx) InsertWithID(ctx context.Context, table string, doc value.Object) error {
	if err := tx.check(true); err != nil {
		return err
	}
	t, ok := tx.cat.table(tx.ns, table)
	if !ok {
		return fmt.Errorf("database: insert into %q: no such table", table)
	}
	idv, _ := doc.Get(idField)
	ids, ok := idv.(value.String)
	if !ok {
		return userErr("InvalidDocument", "Document of table %q has no string _id.", table)
	}
	id, err := value.ParseID(string(ids))
	if err != nil {
		return userErr("InvalidDocument", "Document of table %q has an invalid _id %q: %v", table, string(ids), err)
	}
	if id.Table != t.Number {
		return userErr("InvalidDocument", "Document id %s belongs to table number %d, not to table %q (number %d).", ids, id.Table, table, t.Number)
	}
	ct, ok := doc.Get(creationTimeField)
	if f, isF := ct.(value.Float64); !ok || !isF || math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return userErr("InvalidDocument", "Document %s has no finite float64 _creationTime.", ids)
	}
	if err := value.ValidateDocument(doc); err != nil {
		return &Error{Code: "InvalidDocument", Msg: err.Error()}
	}
	did := t.docID(id.Internal)
	if _, dup := tx.writes[did]; dup {
		return userErr("InvalidDocument", "Document id %s appears twice.", ids)
	}
	if err := tx.checkWriteLimit(t); err != nil {
		return err
	}
	// The table is new and its numbers are this import's: there is no
	// committed version to replace.
	tx.writes[did] = write{tablet: t.Tablet, doc: doc, hasDoc: true, oldKnown: true}
	tx.order = append(tx.order, did)
	return nil
}

// MoveTable moves the table name of the view's namespace to toNS under
// toName. Its number, tablet id (so its documents) and indexes go with
// it, so the move is a change of metadata only. The destination name
// must be free, and so must the number when toNS is a public namespace.
func (tx *Tx) MoveTable(ctx context.Context, name, toNS, toName string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	t, ok := tx.cat.table(tx.ns, name)
	if !ok {
		return fmt.Errorf("database: move table %q: no such table in namespace %q", name, tx.ns)
	}
	if t.Doc == (value.ID{}) {
		return fmt.Errorf("database: table %q cannot be moved", name)
	}
	if _, taken := tx.cat.table(toNS, toName); taken {
		return fmt.Errorf("database: move table %q: %q already exists in namespace %q", name, toName, toNS)
	}
	if other, taken := tx.cat.numberTaken(toNS, t.Number); taken && other != t {
		return fmt.Errorf("database: move table %q to namespace %q: %w", name, toNS, &TableNumberTakenError{Number: t.Number, Namespace: other.Namespace, Name: other.Name})
	}
	tx.ownCatalog()
	tx.cat.removeTable(t)
	moved := &tableInfo{Name: toName, Namespace: toNS, Number: t.Number, Tablet: t.Tablet, Doc: t.Doc}
	tx.cat.putTable(moved)
	if _, err := tx.SystemReplace(ctx, t.Doc, tableToDoc(moved)); err != nil {
		return fmt.Errorf("database: move table %q: %w", name, err)
	}
	return nil
}

// RenumberEmptyTable gives the table name of the view's namespace a new
// number, freeing its old one; it must have no documents at the
// transaction's snapshot (a document committed after it conflicts). Its
// tablet id, and so its indexes, stay. The new number is none of avoid.
func (tx *Tx) RenumberEmptyTable(ctx context.Context, name string, avoid map[value.TableNumber]bool) (value.TableNumber, error) {
	t, err := tx.emptyTable(ctx, name)
	if err != nil {
		return 0, err
	}
	tx.ownCatalog()
	// nextTableNumber never hands out a reserved number twice: the
	// reserved one is taken by t itself here.
	n := tx.cat.nextTableNumber(tx.ns, "_"+name)
	if !t.system() {
		n = tx.cat.nextTableNumber(tx.ns, name)
	}
	for avoid[n] {
		n++
	}
	renumbered := &tableInfo{Name: t.Name, Namespace: t.Namespace, Number: n, Tablet: t.Tablet, Doc: t.Doc}
	if _, err := tx.SystemReplace(ctx, t.Doc, tableToDoc(renumbered)); err != nil {
		return 0, fmt.Errorf("database: renumber table %q: %w", name, err)
	}
	tx.cat.removeTable(t)
	tx.cat.putTable(renumbered)
	return n, nil
}

// DropEmptyTable removes the table name of the view's namespace and its
// indexes; it must have no documents at the transaction's snapshot.
func (tx *Tx) DropEmptyTable(ctx context.Context, name string) error {
	t, err := tx.emptyTable(ctx, name)
	if err != nil {
		return err
	}
	tx.ownCatalog()
	for _, ix := range tx.cat.tableIndexes(t.Tablet) {
		tx.dropIndex(ix)
	}
	tx.cat.removeTable(t)
	tx.setWrite(tx.cat.byNumber[tablesTable], t.Doc, value.Object{}, false)
	return nil
}

// emptyTable finds a movable table and checks it holds no document,
// recording the read so that a concurrent insert conflicts.
func (tx *Tx) emptyTable(ctx context.Context, name string) (*tableInfo, error) {
	if err := tx.check(true); err != nil {
		return nil, err
	}
	t, ok := tx.cat.table(tx.ns, name)
	if !ok || t.Doc == (value.ID{}) {
		return nil, fmt.Errorf("database: no movable table %q in namespace %q", name, tx.ns)
	}
	s, err := tx.SystemQuery(ctx, &Query{Kind: FullTableScan, Table: name, Operators: []Operator{{Limit: 1}}})
	if err != nil {
		return nil, err
	}
	docs, err := s.Collect(ctx)
	if err != nil {
		return nil, err
	}
	if len(docs) > 0 {
		return nil, fmt.Errorf("database: table %q of namespace %q is not empty", name, tx.ns)
	}
	return t, nil
}

// Namespaces lists the namespaces that have tables, "" first.
func (tx *Tx) Namespaces() []string { return tx.cat.namespaces() }

// EachDocument calls fn for every document of the table name of the
// view's namespace (system tables included) as of the transaction's
// snapshot, in _creationTime order, reading the store a page at a time.
// It is meant for exports: it neither counts against the read limits nor
// joins the read set.
func (tx *Tx) EachDocument(ctx context.Context, name string, fn func(value.Object) error) error {
	if err := tx.check(false); err != nil {
		return err
	}
	t, ok := tx.cat.table(tx.ns, name)
	if !ok {
		return nil
	}
	ix := tx.cat.index(t.Tablet, byCreationTimeIndex)
	if ix == nil {
		return fmt.Errorf("database: table %q has no %s index", name, byCreationTimeIndex)
	}
	var start []byte
	for {
		entries, err := tx.db.store.Scan(ctx, persistence.Range{Index: ix.ID, Start: start, Limit: 512}, tx.readAt())
		if err != nil {
			return tx.readErr(fmt.Sprintf("read table %s", name), err)
		}
		for _, e := range entries {
			doc, err := decodeDoc(e.Doc.Value)
			if err != nil {
				return err
			}
			if err := fn(doc); err != nil {
				return err
			}
		}
		if len(entries) < 512 {
			return nil
		}
		start = keyAfter(entries[len(entries)-1].Key)
	}
}
