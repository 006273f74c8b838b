package database

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"hull/persistence"
	"hull/value"
)

// Schema is a parsed schema, as defineSchema(...).export() produces it.
type Schema struct {
	Tables           []TableSchema
	SchemaValidation bool
	// Raw is the JSON the schema was parsed from.
	Raw []byte

	docTypes map[string]*validator // by table; absent or any: unrestricted
}

// TableSchema is one table of a schema.
type TableSchema struct {
	TableName           string            `json:"tableName"`
	Indexes             []IndexSchema     `json:"indexes"`
	StagedDbIndexes     []IndexSchema     `json:"stagedDbIndexes"`
	SearchIndexes       []json.RawMessage `json:"searchIndexes"`
	StagedSearchIndexes []json.RawMessage `json:"stagedSearchIndexes"`
	VectorIndexes       []json.RawMessage `json:"vectorIndexes"`
	StagedVectorIndexes []json.RawMessage `json:"stagedVectorIndexes"`
	DocumentType        json.RawMessage   `json:"documentType"`
	StagedDocumentType  json.RawMessage   `json:"stagedDocumentType"`
}

// IndexSchema is one database index of a table: its user fields (without
// the implicit _creationTime and _id).
type IndexSchema struct {
	IndexDescriptor string   `json:"indexDescriptor"`
	Fields          []string `json:"fields"`
}

// IndexDesc describes an index for callers: its table, name and user
// fields.
type IndexDesc struct {
	Table  string
	Name   string
	Fields []string
}

// SchemaChanges lists the indexes ApplySchema added and dropped.
type SchemaChanges struct {
	Added   []IndexDesc
	Dropped []IndexDesc
}

const (
	schemasTable   = "_schemas"
	maxIndexFields = 16
)

// ParseSchema parses and checks a schema export.
func ParseSchema(data []byte) (*Schema, error) {
	var raw struct {
		Tables           []TableSchema `json:"tables"`
		SchemaValidation *bool         `json:"schemaValidation"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, userErr("InvalidSchema", "Invalid schema: %v", err)
	}
	s := &Schema{Tables: raw.Tables, SchemaValidation: raw.SchemaValidation == nil || *raw.SchemaValidation, Raw: append([]byte(nil), data...)}
	seen := map[string]bool{}
	for _, t := range s.Tables {
		if err := value.ValidateIdentifier(t.TableName); err != nil || strings.HasPrefix(t.TableName, "_") {
			return nil, userErr("InvalidSchema", "Invalid table name %q in schema: table names must be identifiers that do not start with \"_\".", t.TableName)
		}
		if seen[t.TableName] {
			return nil, userErr("InvalidSchema", "Table %q is defined twice in the schema.", t.TableName)
		}
		seen[t.TableName] = true
		if err := checkTableIndexes(t); err != nil {
			return nil, err
		}
		if err := s.addDocType(t); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func checkTableIndexes(t TableSchema) error {
	names := map[string]bool{}
	for _, ix := range slices.Concat(t.Indexes, t.StagedDbIndexes) {
		name := t.TableName + "." + ix.IndexDescriptor
		if err := value.ValidateIdentifier(ix.IndexDescriptor); err != nil {
			return userErr("InvalidSchema", "Invalid index name %s: %v", name, err)
		}
		if ix.IndexDescriptor == byIDIndex || ix.IndexDescriptor == byCreationTimeIndex || strings.HasPrefix(ix.IndexDescriptor, "_") {
			return userErr("InvalidSchema", "Index name %s is reserved.", name)
		}
		if names[ix.IndexDescriptor] {
			return userErr("InvalidSchema", "Duplicate index name %s.", name)
		}
		names[ix.IndexDescriptor] = true
		if len(ix.Fields) == 0 || len(ix.Fields)+1 > maxIndexFields {
			return userErr("InvalidSchema", "Index %s must have between 1 and %d fields.", name, maxIndexFields-1)
		}
		fields := map[string]bool{}
		for _, f := range ix.Fields {
			if f == "" || strings.HasPrefix(f, "_") {
				return userErr("InvalidSchema", "In index %s: field %q is reserved; system fields are added to every index automatically.", name, f)
			}
			if fields[f] {
				return userErr("InvalidSchema", "In index %s: duplicate field %q.", name, f)
			}
			fields[f] = true
		}
	}
	return nil
}

// ApplySchema makes the database indexes match the schema in this
// transaction: tables it names are created, indexes it no longer has are
// dropped, and new or changed indexes are created: ready at once on a
// table without committed documents, else backfilling (see backfill.go).
// Staged indexes are created and backfilled but not queryable. The schema
// is stored and becomes active when the transaction commits.
func (tx *Tx) ApplySchema(ctx context.Context, s *Schema) (*SchemaChanges, error) {
	if err := tx.check(true); err != nil {
		return nil, err
	}
	want := map[string]wantIndex{} // "table.index"
	for _, ts := range s.Tables {
		if _, err := tx.ensureTable(ctx, ts.TableName); err != nil {
			return nil, err
		}
		for k, w := range tableWants(ts) {
			want[k] = w
		}
	}
	ch := &SchemaChanges{}
	for _, ix := range tx.userIndexes() {
		if !tx.visible(tx.cat.byTablet[ix.Table]) {
			continue
		}
		t := tx.cat.byTablet[ix.Table]
		key := t.Name + "." + ix.Name
		if w, ok := want[key]; ok && slices.Equal(w.fields, ix.Fields) {
			delete(want, key)
			if w.staged != ix.Staged {
				next := *ix
				next.Staged = w.staged
				if err := tx.replaceIndex(ctx, &next); err != nil {
					return nil, err
				}
			}
			continue
		}
		tx.dropIndex(ix)
		ch.Dropped = append(ch.Dropped, describe(t, ix))
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		table, name, _ := strings.Cut(k, ".")
		t, _ := tx.cat.table(tx.ns, table)
		ix, err := tx.createIndex(ctx, t, name, want[k])
		if err != nil {
			return nil, fmt.Errorf("database: create index %s: %w", k, err)
		}
		ch.Added = append(ch.Added, describe(t, ix))
	}
	if err := tx.checkExisting(ctx, s, nil); err != nil {
		return nil, err
	}
	if err := tx.storeSchema(ctx, s); err != nil {
		return nil, err
	}
	return ch, nil
}

// wantIndex is an index a schema declares: its stored fields (with the
// trailing _creationTime) and whether it is staged.
type wantIndex struct {
	fields []string
	staged bool
}

// tableWants lists the database indexes of one schema table by
// "table.index".
func tableWants(ts TableSchema) map[string]wantIndex {
	out := map[string]wantIndex{}
	for _, ix := range ts.Indexes {
		out[ts.TableName+"."+ix.IndexDescriptor] = wantIndex{fields: append(slices.Clone(ix.Fields), creationTimeField)}
	}
	for _, ix := range ts.StagedDbIndexes {
		out[ts.TableName+"."+ix.IndexDescriptor] = wantIndex{fields: append(slices.Clone(ix.Fields), creationTimeField), staged: true}
	}
	return out
}

// createIndex adds an index to a table: ready (filled at commit, which is
// trivial) when the table has no committed documents at the snapshot,
// else backfilling.
func (tx *Tx) createIndex(ctx context.Context, t *tableInfo, name string, w wantIndex) (*indexInfo, error) {
	empty, err := tx.tableEmpty(ctx, t)
	if err != nil {
		return nil, err
	}
	ix := &indexInfo{Table: t.Tablet, Name: name, Fields: w.fields, State: indexStateReady, Staged: w.staged}
	if !empty {
		ix.State = indexStateBackfilling
	}
	if err := tx.addIndex(ix, empty); err != nil {
		return nil, err
	}
	return ix, nil
}

// tableEmpty reports whether a table has no committed document at the
// snapshot.
func (tx *Tx) tableEmpty(ctx context.Context, t *tableInfo) (bool, error) {
	src := tx.cat.index(t.Tablet, byIDIndex)
	if src == nil {
		return true, nil
	}
	entries, err := tx.db.store.Scan(ctx, persistence.Range{Index: src.ID, Limit: 1}, tx.readAt())
	if err != nil {
		return false, tx.readErr("check table "+t.Name, err)
	}
	return len(entries) == 0, nil
}

// AddIndexes creates, ahead of the schema of namespace ns becoming
// active, the indexes of s that do not exist yet on tables that already
// have documents, so their backfill runs while a push waits (see
// WaitIndexes). It returns the names (IndexKey) of the non-staged indexes
// s declares on existing tables.
func (db *DB) AddIndexes(ctx context.Context, ns string, s *Schema) ([]string, error) {
	var names []string
	err := db.Retry(ctx, func(ctx context.Context) error {
		names = nil
		tx, err := db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		tx = tx.In(ns)
		for _, ts := range s.Tables {
			t, ok := tx.cat.table(ns, ts.TableName)
			if !ok {
				continue
			}
			wants := tableWants(ts)
			keys := make([]string, 0, len(wants))
			for k := range wants {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				w := wants[k]
				_, name, _ := strings.Cut(k, ".")
				if !w.staged {
					names = append(names, IndexKey(ns, ts.TableName, name))
				}
				if tx.cat.index(t.Tablet, name) != nil {
					continue
				}
				if _, err := tx.createIndex(ctx, t, name, w); err != nil {
					return fmt.Errorf("database: create index %s: %w", k, err)
				}
			}
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}

// userIndexes returns the schema-defined indexes of user tables.
func (tx *Tx) userIndexes() []*indexInfo {
	var out []*indexInfo
	for _, ix := range tx.cat.indexes {
		t := tx.cat.byTablet[ix.Table]
		if t == nil || t.system() || ix.Name == byIDIndex || ix.Name == byCreationTimeIndex {
			continue
		}
		out = append(out, ix)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func describe(t *tableInfo, ix *indexInfo) IndexDesc {
	fields := ix.Fields
	if n := len(fields); n > 0 && fields[n-1] == creationTimeField && ix.Name != byCreationTimeIndex {
		fields = fields[:n-1]
	}
	return IndexDesc{Table: t.Name, Name: ix.Name, Fields: slices.Clone(fields)}
}

// Indexes lists every index of the user tables of the view's namespace,
// by table then name.
func (tx *Tx) Indexes() []IndexDesc {
	var out []IndexDesc
	for _, t := range tx.cat.byTablet {
		if t.system() || !tx.visible(t) {
			continue
		}
		for _, ix := range tx.cat.tableIndexes(t.Tablet) {
			out = append(out, describe(t, ix))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Schema returns the schema of the view's namespace active for this
// transaction, or nil.
func (tx *Tx) Schema() *Schema { return tx.schemas[tx.ns] }

// storeSchema writes the schema JSON as the single document of the
// namespace's _schemas table.
func (tx *Tx) storeSchema(ctx context.Context, s *Schema) error {
	doc := value.MustObject(value.Field{Name: "json", Value: value.String(string(s.Raw))})
	docs, err := tx.SystemScan(ctx, schemasTable)
	if err != nil {
		return err
	}
	if len(docs) > 0 {
		id, err := docIDOf(docs[0])
		if err != nil {
			return err
		}
		if _, err := tx.SystemReplace(ctx, id, doc); err != nil {
			return err
		}
	} else if _, err := tx.SystemInsert(ctx, schemasTable, doc); err != nil {
		return err
	}
	next := make(map[string]*Schema, len(tx.schemas)+1)
	for ns, s := range tx.schemas {
		next[ns] = s
	}
	next[tx.ns] = s
	tx.schemas, tx.schemaSet = next, true
	return nil
}

// loadSchemas reads the stored schema of every namespace at the current
// state.
func (db *DB) loadSchemas(ctx context.Context, cat *catalog) (map[string]*Schema, error) {
	out := map[string]*Schema{}
	for _, ns := range cat.namespaces() {
		s, err := db.loadSchema(ctx, cat, ns)
		if err != nil {
			return nil, err
		}
		if s != nil {
			out[ns] = s
		}
	}
	return out, nil
}

// loadSchema reads the stored schema of namespace ns at the current state.
func (db *DB) loadSchema(ctx context.Context, cat *catalog, ns string) (*Schema, error) {
	t, ok := cat.table(ns, schemasTable)
	if !ok {
		return nil, nil
	}
	ix := cat.index(t.Tablet, byCreationTimeIndex)
	if ix == nil {
		return nil, nil
	}
	var raw string
	err := scanAll(ctx, db.store, ix.ID, persistence.Latest, func(obj value.Object, _ value.ID) error {
		if s, ok := obj.Get("json"); ok {
			if str, ok := s.(value.String); ok {
				raw = string(str)
			}
		}
		return nil
	})
	if err != nil || raw == "" {
		return nil, err
	}
	s, err := ParseSchema([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("stored schema of namespace %q: %w", ns, err)
	}
	return s, nil
}

func (s *Schema) addDocType(t TableSchema) error {
	if len(t.DocumentType) == 0 || string(t.DocumentType) == "null" {
		return nil
	}
	v, err := parseValidator(t.DocumentType)
	if err != nil {
		return userErr("InvalidSchema", "Invalid documentType for table %q: %v", t.TableName, err)
	}
	if v.kind == "any" {
		return nil
	}
	if s.docTypes == nil {
		s.docTypes = map[string]*validator{}
	}
	s.docTypes[t.TableName] = v
	return nil
}

// docMismatch checks a document (system fields stripped) against its
// table's document type; "" means it matches or the table is unrestricted.
func (tx *Tx) docMismatch(s *Schema, table string, doc value.Object) string {
	if s == nil || !s.SchemaValidation {
		return ""
	}
	v, ok := s.docTypes[table]
	if !ok {
		return ""
	}
	c := validation{tableOf: tx.TableName}
	return c.check(v, doc.Without(idField).Without(creationTimeField), "")
}

// checkSchema enforces the active schema's document type on a user
// document when schema validation is on.
func (tx *Tx) checkSchema(t *tableInfo, doc value.Object) error {
	if t.system() {
		return nil
	}
	if msg := tx.In(t.Namespace).docMismatch(tx.schemas[t.Namespace], t.Name, doc); msg != "" {
		return userErr("SchemaEnforcementError", "Failed to insert or update a document in table %q because it does not match the schema: %s", t.Name, msg)
	}
	return nil
}

// checkExisting validates every document of the schema's tables before the
// schema becomes active.
func (tx *Tx) checkExisting(ctx context.Context, s *Schema, only map[string]bool) error {
	if !s.SchemaValidation {
		return nil
	}
	for _, ts := range s.Tables {
		if _, ok := s.docTypes[ts.TableName]; !ok {
			continue
		}
		if only != nil {
			if _, exists := tx.TableNumber(ts.TableName); !only[ts.TableName] || !exists {
				continue
			}
		}
		st, err := tx.SystemQuery(ctx, &Query{Kind: FullTableScan, Table: ts.TableName})
		if err != nil {
			return err
		}
		st.sc.uncharged = true
		for {
			doc, ok, err := st.Next(ctx)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if msg := tx.docMismatch(s, ts.TableName, doc); msg != "" {
				id, _ := doc.Get(idField)
				return &SchemaViolation{Table: ts.TableName, err: userErr("SchemaValidationFailed",
					"Schema validation failed.\nDocument with ID %s in table %q does not match the schema: %s", display(id), ts.TableName, msg)}
			}
		}
	}
	return nil
}

// SchemaViolation is the first existing document a proposed schema
// rejects. It unwraps to the user-facing *Error.
type SchemaViolation struct {
	Table string
	err   error
}

func (e *SchemaViolation) Error() string { return e.err.Error() }
func (e *SchemaViolation) Unwrap() error { return e.err }

// CheckSchema reports, as a *SchemaViolation, the first document of
// namespace ns at the latest ts that s would reject; nil when every
// document fits. It writes nothing.
func (db *DB) CheckSchema(ctx context.Context, ns string, s *Schema) error {
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return tx.In(ns).checkExisting(ctx, s, nil)
}

// CheckTables validates the documents of the named tables of namespace ns
// against s, a schema written for tables of the same names elsewhere (an
// import's staging namespace holds the tables it will put in place of the
// live ones). Tables s does not describe, or ns lacks, are skipped; the
// first mismatch is a *SchemaViolation.
func (db *DB) CheckTables(ctx context.Context, ns string, s *Schema, tables []string) error {
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	only := make(map[string]bool, len(tables))
	for _, t := range tables {
		only[t] = true
	}
	return tx.In(ns).checkExisting(ctx, s, only)
}

// IndexKey names an index across namespaces: "table.index" in the app's
// namespace, "<namespace>:table.index" in a component's.
func IndexKey(ns, table, index string) string {
	if ns == "" {
		return table + "." + index
	}
	return ns + ":" + table + "." + index
}

// IndexNames returns the names ("table.index") of the non-staged database
// indexes the schema declares, sorted.
func (s *Schema) IndexNames() []string {
	var out []string
	for _, ts := range s.Tables {
		for k, w := range tableWants(ts) {
			if !w.staged {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
