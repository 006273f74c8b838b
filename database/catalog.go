package database

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"hull/persistence"
	"hull/value"
)

// Metadata lives in two built-in system tables with fixed numbers and fixed
// index ids, so it can be loaded before anything else is known:
//
//	_tables: {name: string, number: int64, namespace?: string}
//	_index:  {indexId: int64, table: int64, name: string, fields: [string], state: string}
//
// fields lists the indexed field paths without the trailing _id (by_id has
// none, by_creation_time has ["_creationTime"], a user index [f..., "_creationTime"]).
//
// Namespaces. A table belongs to one namespace: "" (the app's, and the
// database's own tables) or the path of a component instance
// ("ratelimiter", "workflow/workpool"). Its name is unique within its
// namespace only, so two components may each have a "messages" table (and
// each its own "_scheduled_functions"). A table without a namespace field
// in _tables is in "", which is what every table of a deployment made
// before namespaces existed is. Table numbers stay unique across all
// namespaces, so a document id names its table, and with it its namespace,
// on its own: a transaction viewing one namespace (Tx.In) finds no document
// of another by its id.
//
// Storage identity. A table's documents are stored under its tablet id
// (persistence.DocID.Table), not under its number: the number is what ids
// carry, the tablet id is where the bytes live. A table made by an insert
// or a push has tablet id == number, and so has every table of a
// deployment made before tablet ids existed (_tables then has no tablet
// field). A hidden namespace (a path starting with "_": an import's
// staging and retired tables) may hold a table with the number of a table
// of a public namespace; such a table gets a fresh tablet id from
// firstFreshTablet up, a range numbers never use, so an import can stage
// a deployment's own tables under their own numbers and swap them in.
// Numbers stay unique across the public namespaces and within each
// hidden one; a number resolves in the view's namespace first, then in
// the public ones. _index documents name their table by tablet id.
const (
	tablesTableName = "_tables"
	indexTableName  = "_index"

	tablesTable = value.TableTables
	indexTable  = value.TableIndexes

	tablesByID           persistence.IndexID = 1
	tablesByCreationTime persistence.IndexID = 2
	indexByID            persistence.IndexID = 3
	indexByCreationTime  persistence.IndexID = 4
	firstDynamicIndex    persistence.IndexID = 100

	// firstDynamicSystemTable is where system tables created on demand
	// (names starting with "_") are numbered from; user tables start at
	// value.FirstUserTable.
	firstDynamicSystemTable value.TableNumber = 1000

	byIDIndex           = "by_id"
	byCreationTimeIndex = "by_creation_time"
	creationTimeField   = "_creationTime"
	idField             = "_id"

	indexStateReady = "ready"

	// firstFreshTablet is where tablet ids that differ from their
	// table's number are taken from; table numbers stay below it.
	firstFreshTablet tabletID = 3 << 30
)

// tabletID names where a table's documents are stored: the Table of its
// documents' persistence.DocIDs, and the table of its indexes.
type tabletID uint32

// hiddenNamespace reports whether ns is an internal namespace (an
// import's staging or retired tables), where a table may share its
// number with a table of a public namespace.
func hiddenNamespace(ns string) bool { return strings.HasPrefix(ns, "_") }

// tableInfo describes one table.
type tableInfo struct {
	Name      string
	Namespace string // "" or a component path
	Number    value.TableNumber
	Tablet    tabletID // where its documents are stored (see above)
	Doc       value.ID // its _tables document; zero for the built-in tables
}

// docID is the storage id of the document of t with the internal id in.
func (t *tableInfo) docID(in value.InternalID) persistence.DocID {
	return persistence.DocID{Table: uint32(t.Tablet), Internal: [16]byte(in)}
}

// id is the public id of the document of t stored under did.
func (t *tableInfo) id(did persistence.DocID) value.ID {
	return value.ID{Table: t.Number, Internal: value.InternalID(did.Internal)}
}

// tableKey names a table within its namespace.
type tableKey struct{ ns, name string }

// system reports whether the table is a system table (name starts with "_").
func (t *tableInfo) system() bool { return strings.HasPrefix(t.Name, "_") }

// indexInfo describes one index.
type indexInfo struct {
	ID     persistence.IndexID
	Table  tabletID // the tablet id of its table
	Name   string
	Fields []string // indexed field paths, without the final _id
	State  string
	// Staged indexes are maintained and backfilled but not queryable.
	Staged bool
	Doc    value.ID // its _index document; zero for built-in indexes
}

// fieldsWithID returns the full key layout: Fields then _id.
func (ix *indexInfo) fieldsWithID() []string {
	out := make([]string, 0, len(ix.Fields)+1)
	return append(append(out, ix.Fields...), idField)
}

// catalog is an immutable view of the tables and indexes. A transaction
// that changes metadata works on a clone and installs it on commit.
type catalog struct {
	byName map[tableKey]*tableInfo
	// byNumber holds the tables of the public namespaces only; byTablet
	// holds every table.
	byNumber  map[value.TableNumber]*tableInfo
	byTablet  map[tabletID]*tableInfo
	indexes   map[persistence.IndexID]*indexInfo
	nextIndex persistence.IndexID
}

func newCatalog() *catalog {
	c := &catalog{
		byName:    map[tableKey]*tableInfo{},
		byNumber:  map[value.TableNumber]*tableInfo{},
		byTablet:  map[tabletID]*tableInfo{},
		indexes:   map[persistence.IndexID]*indexInfo{},
		nextIndex: firstDynamicIndex,
	}
	c.putTable(&tableInfo{Name: tablesTableName, Number: tablesTable, Tablet: tabletID(tablesTable)})
	c.putTable(&tableInfo{Name: indexTableName, Number: indexTable, Tablet: tabletID(indexTable)})
	c.putIndex(&indexInfo{ID: tablesByID, Table: tabletID(tablesTable), Name: byIDIndex, State: indexStateReady})
	c.putIndex(&indexInfo{ID: tablesByCreationTime, Table: tabletID(tablesTable), Name: byCreationTimeIndex, Fields: []string{creationTimeField}, State: indexStateReady})
	c.putIndex(&indexInfo{ID: indexByID, Table: tabletID(indexTable), Name: byIDIndex, State: indexStateReady})
	c.putIndex(&indexInfo{ID: indexByCreationTime, Table: tabletID(indexTable), Name: byCreationTimeIndex, Fields: []string{creationTimeField}, State: indexStateReady})
	return c
}

func (c *catalog) clone() *catalog {
	n := &catalog{
		byName:    make(map[tableKey]*tableInfo, len(c.byName)),
		byNumber:  make(map[value.TableNumber]*tableInfo, len(c.byNumber)),
		byTablet:  make(map[tabletID]*tableInfo, len(c.byTablet)),
		indexes:   make(map[persistence.IndexID]*indexInfo, len(c.indexes)),
		nextIndex: c.nextIndex,
	}
	for k, v := range c.byName {
		n.byName[k] = v
	}
	for k, v := range c.byNumber {
		n.byNumber[k] = v
	}
	for k, v := range c.byTablet {
		n.byTablet[k] = v
	}
	for k, v := range c.indexes {
		n.indexes[k] = v
	}
	return n
}

// putTable adds t, or replaces the table of the same tablet id.
func (c *catalog) putTable(t *tableInfo) {
	c.byName[tableKey{t.Namespace, t.Name}] = t
	c.byTablet[t.Tablet] = t
	if !hiddenNamespace(t.Namespace) {
		c.byNumber[t.Number] = t
	}
}

// removeTable removes t (its name, number and tablet entries).
func (c *catalog) removeTable(t *tableInfo) {
	if c.byName[tableKey{t.Namespace, t.Name}] == t {
		delete(c.byName, tableKey{t.Namespace, t.Name})
	}
	if c.byTablet[t.Tablet] == t {
		delete(c.byTablet, t.Tablet)
	}
	if c.byNumber[t.Number] == t {
		delete(c.byNumber, t.Number)
	}
}

// tableFor finds the table a document id of number n names, seen from
// namespace ns: a table of ns itself first (a hidden namespace may
// hold a number a public table holds too), else the public table.
func (c *catalog) tableFor(ns string, n value.TableNumber) (*tableInfo, bool) {
	if hiddenNamespace(ns) {
		if t, ok := c.numberTaken(ns, n); ok {
			return t, true
		}
	}
	t, ok := c.byNumber[n]
	return t, ok
}

// numberTaken returns the table that keeps a new table of namespace ns
// from having number n: in a public namespace, a table of any public
// namespace with n; in a hidden one, a table of ns itself with n.
func (c *catalog) numberTaken(ns string, n value.TableNumber) (*tableInfo, bool) {
	if !hiddenNamespace(ns) {
		t, ok := c.byNumber[n]
		return t, ok
	}
	for k, t := range c.byName {
		if k.ns == ns && t.Number == n {
			return t, true
		}
	}
	return nil, false
}

// newTablet picks the tablet id of a new table of number n: n itself
// when no table is stored there, else a fresh one.
func (c *catalog) newTablet(n value.TableNumber) tabletID {
	if _, taken := c.byTablet[tabletID(n)]; !taken && tabletID(n) < firstFreshTablet {
		return tabletID(n)
	}
	next := firstFreshTablet
	for t := range c.byTablet {
		if t >= next {
			next = t + 1
		}
	}
	return next
}

// table finds a table by namespace and name.
func (c *catalog) table(ns, name string) (*tableInfo, bool) {
	t, ok := c.byName[tableKey{ns, name}]
	return t, ok
}

// namespaces lists the namespaces that have tables, "" first.
func (c *catalog) namespaces() []string {
	seen := map[string]bool{"": true}
	out := []string{""}
	for k := range c.byName {
		if !seen[k.ns] {
			seen[k.ns] = true
			out = append(out, k.ns)
		}
	}
	sort.Strings(out[1:])
	return out
}

func (c *catalog) putIndex(ix *indexInfo) {
	c.indexes[ix.ID] = ix
	if ix.ID >= c.nextIndex {
		c.nextIndex = ix.ID + 1
	}
}

// tableIndexes returns the indexes of a table, sorted by name.
func (c *catalog) tableIndexes(t tabletID) []*indexInfo {
	var out []*indexInfo
	for _, ix := range c.indexes {
		if ix.Table == t {
			out = append(out, ix)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// index finds a table's index by name.
func (c *catalog) index(t tabletID, name string) *indexInfo {
	for _, ix := range c.indexes {
		if ix.Table == t && ix.Name == name {
			return ix
		}
	}
	return nil
}

// nextTableNumber picks the number for a new table: user tables from
// value.FirstUserTable, system tables from a fixed number if the value
// package reserves one for the name, else from firstDynamicSystemTable.
// A number any table has, in any namespace, is not picked again (but a
// reserved one is, in a hidden namespace).
func (c *catalog) nextTableNumber(ns, name string) value.TableNumber {
	if n, ok := reservedTableNumber(name); ok && ns == "" {
		if _, taken := c.byNumber[n]; !taken {
			return n
		}
	}
	lo, hi := value.FirstUserTable, value.TableNumber(1<<31)
	if strings.HasPrefix(name, "_") {
		lo, hi = firstDynamicSystemTable, value.FirstUserTable
	}
	next := lo
	for _, t := range c.byTablet {
		if n := t.Number; n >= lo && n < hi && n >= next {
			next = n + 1
		}
	}
	return next
}

// loadCatalog reads _tables and _index at the current state.
func loadCatalog(ctx context.Context, store persistence.Store) (*catalog, error) {
	return loadCatalogAt(ctx, store, persistence.Latest)
}

// loadCatalogAt reads _tables and _index as of ts.
func loadCatalogAt(ctx context.Context, store persistence.Store, ts int64) (*catalog, error) {
	c := newCatalog()
	err := scanAll(ctx, store, tablesByID, ts, func(obj value.Object, id value.ID) error {
		name, _ := obj.Get("name")
		num, _ := obj.Get("number")
		s, ok1 := name.(value.String)
		n, ok2 := num.(value.Int64)
		if !ok1 || !ok2 {
			return fmt.Errorf("malformed _tables document %s", id)
		}
		ns, _ := obj.Get("namespace")
		nss, _ := ns.(value.String)
		tablet := tabletID(n)
		if tv, ok := obj.Get("tablet"); ok {
			ti, ok := tv.(value.Int64)
			if !ok {
				return fmt.Errorf("malformed _tables document %s: tablet is not an int64", id)
			}
			tablet = tabletID(ti)
		}
		t := &tableInfo{Name: string(s), Namespace: string(nss), Number: value.TableNumber(n), Tablet: tablet, Doc: id}
		if other, dup := c.byTablet[tablet]; dup {
			return fmt.Errorf("_tables documents %s and %s have the same tablet id %d", other.Doc, id, tablet)
		}
		if other, dup := c.byNumber[t.Number]; dup && !hiddenNamespace(t.Namespace) {
			return fmt.Errorf("_tables documents %s and %s have the same number %d in public namespaces", other.Doc, id, t.Number)
		}
		c.putTable(t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load tables: %w", err)
	}
	err = scanAll(ctx, store, indexByID, ts, func(obj value.Object, id value.ID) error {
		ix, err := indexFromDoc(obj, id)
		if err != nil {
			return err
		}
		c.putIndex(ix)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load indexes: %w", err)
	}
	return c, nil
}

func indexFromDoc(obj value.Object, id value.ID) (*indexInfo, error) {
	get := func(name string) value.Value { v, _ := obj.Get(name); return v }
	iid, ok1 := get("indexId").(value.Int64)
	tbl, ok2 := get("table").(value.Int64)
	name, ok3 := get("name").(value.String)
	state, ok4 := get("state").(value.String)
	arr, ok5 := get("fields").(value.Array)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return nil, fmt.Errorf("malformed _index document %s", id)
	}
	fields := make([]string, 0, len(arr))
	for _, f := range arr {
		s, ok := f.(value.String)
		if !ok {
			return nil, fmt.Errorf("malformed _index document %s: field is not a string", id)
		}
		fields = append(fields, string(s))
	}
	staged, _ := get("staged").(value.Boolean)
	return &indexInfo{ID: persistence.IndexID(iid), Table: tabletID(tbl), Name: string(name), Fields: fields, State: string(state), Staged: bool(staged), Doc: id}, nil
}

func indexToDoc(ix *indexInfo) value.Object {
	fields := make(value.Array, len(ix.Fields))
	for i, f := range ix.Fields {
		fields[i] = value.String(f)
	}
	doc := value.MustObject(
		value.Field{Name: "indexId", Value: value.Int64(ix.ID)},
		value.Field{Name: "table", Value: value.Int64(ix.Table)},
		value.Field{Name: "name", Value: value.String(ix.Name)},
		value.Field{Name: "fields", Value: fields},
		value.Field{Name: "state", Value: value.String(ix.State)},
	)
	if ix.Staged {
		doc = doc.With("staged", value.Boolean(true))
	}
	return doc
}

func tableToDoc(t *tableInfo) value.Object {
	doc := value.MustObject(
		value.Field{Name: "name", Value: value.String(t.Name)},
		value.Field{Name: "number", Value: value.Int64(t.Number)},
	)
	if t.Namespace != "" {
		doc = doc.With("namespace", value.String(t.Namespace))
	}
	if t.Tablet != tabletID(t.Number) {
		doc = doc.With("tablet", value.Int64(t.Tablet))
	}
	return doc
}

// scanAll reads every live entry of an index as of ts (persistence.Latest:
// the current state), in batches, and decodes each document.
func scanAll(ctx context.Context, store persistence.Store, index persistence.IndexID, ts int64, fn func(value.Object, value.ID) error) error {
	var start []byte
	for {
		entries, err := store.Scan(ctx, persistence.Range{Index: index, Start: start, Limit: 256}, ts)
		if err != nil {
			return fmt.Errorf("scan index %d: %w", index, err)
		}
		for _, e := range entries {
			obj, err := decodeDoc(e.Doc.Value)
			if err != nil {
				return err
			}
			id, err := docIDOf(obj)
			if err != nil {
				return err
			}
			if err := fn(obj, id); err != nil {
				return err
			}
		}
		if len(entries) < 256 {
			return nil
		}
		start = keyAfter(entries[len(entries)-1].Key)
	}
}
