package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hull/database"
	"hull/value"
)

// stage creates the staging tables and fills them, a chunk per commit.
func (j *importJob) stage(ctx context.Context) error {
	j.req.Progress("Preparing the import")
	if err := j.a.commitRetry(ctx, j.setup); err != nil {
		return err
	}
	for _, t := range j.tables {
		j.req.Progress(fmt.Sprintf("Importing table %s", label(t.ns, t.name)))
		if err := j.fill(ctx, t); err != nil {
			return err
		}
		j.res.Tables++
	}
	return nil
}

func label(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + ":" + name
}

// setup checks the targets and creates the staging tables under the
// numbers the snapshot's ids carry. A table of the deployment holding
// such a number keeps it while the import stages: when the swap replaces
// it (a table of the import's, or any user table with --replace-all) the
// staged table takes its number then, its documents stored apart until
// (see database.Tx.CreateTableNumbered); so a deployment's own snapshot
// restores into it with the same ids. A table that stays holding such a
// number is given another one first if it is empty (a fresh deployment's
// tables, made by a push); one with documents is a refusal, since two
// live tables cannot share a number and moving its documents would
// change their ids.
func (j *importJob) setup(tx *database.Tx) error {
	ctx := context.Background()
	wanted := map[value.TableNumber]bool{}
	for _, t := range j.tables {
		if t.number != 0 {
			wanted[t.number] = true
		}
		if j.req.Mode == ImportRequireEmpty {
			if n, err := countUpTo(ctx, tx.In(t.ns), t.name, 1); err != nil {
				return err
			} else if n > 0 {
				return importErr("Table %q already has documents. Import with --replace to replace them, or --append to add to them.", label(t.ns, t.name))
			}
		}
	}
	for n := range wanted {
		ns, name, taken := tx.TableNamespace(n)
		if !taken || j.replaces(ns, name) {
			continue
		}
		count, err := countUpTo(ctx, tx.In(ns), name, 1)
		if err != nil {
			return err
		}
		if count > 0 {
			return importErr("The snapshot's ids use table number %d, which table %q of this deployment holds, with documents, and the import does not replace that table: two tables cannot share a number. Import with --replace-all, or clear that table first.", n, label(ns, name))
		}
		if _, err := tx.In(ns).RenumberEmptyTable(ctx, name, wanted); err != nil {
			return err
		}
	}
	for pass := 0; pass < 2; pass++ {
		for _, t := range j.tables {
			if (pass == 0) != (t.number != 0) {
				continue // numbered tables first: a fresh number must not take a wanted one
			}
			if err := tx.In(j.stagingNS(t.ns)).CreateTableNumbered(t.name, t.number, t.ns, t.name); err != nil {
				return err
			}
			if t.number == 0 {
				t.number, _ = tx.In(j.stagingNS(t.ns)).TableNumber(t.name)
			}
		}
	}
	return nil
}

// replaces reports whether the swap moves the table name of namespace ns
// out of the way: a table the import fills, or, with --replace-all, any
// user table of a namespace it imports into.
func (j *importJob) replaces(ns, name string) bool {
	for _, t := range j.tables {
		if t.ns == ns && t.name == name {
			return true
		}
	}
	return j.req.Mode == ImportReplaceAll && !strings.HasPrefix(name, "_") && slices.Contains(j.namespaces(), ns)
}

// countUpTo counts a table's documents, stopping at limit.
func countUpTo(ctx context.Context, tx *database.Tx, table string, limit int) (int, error) {
	if _, ok := tx.TableNumber(table); !ok {
		return 0, nil
	}
	s, err := tx.SystemQuery(ctx, &database.Query{Kind: database.FullTableScan, Table: table, Operators: []database.Operator{{Limit: limit}}})
	if err != nil {
		return 0, err
	}
	docs, err := s.Collect(ctx)
	return len(docs), err
}

// pendingFile is the metadata of a file whose bytes are stored.
type pendingFile struct {
	id  string
	key string
}

// fill streams a table's documents into its staging table.
func (j *importJob) fill(ctx context.Context, t *stagedTable) error {
	var batch []value.Object
	var files []pendingFile
	size := 0
	clock := float64(time.Now().UnixNano()) / 1e6
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := j.a.commitRetry(ctx, func(tx *database.Tx) error {
			view := tx.In(j.stagingNS(t.ns))
			for _, doc := range batch {
				if err := view.InsertWithID(ctx, t.name, doc); err != nil {
					return err
				}
			}
			for _, f := range files {
				id, err := value.ParseID(f.id)
				if err != nil {
					return err
				}
				tablet, _ := view.TableStorageID(id.Table)
				if _, err := tx.In("").SystemInsert(ctx, fileKeysTable, fileKeyDoc(id, tablet, f.key)); err != nil {
					return err
				}
			}
			return nil
		})
		for _, f := range files {
			j.a.files.untrack(blobKey(f.key))
		}
		if err != nil {
			if database.IsUserError(err) {
				return importErr("Table %q: %v", label(t.ns, t.name), err)
			}
			return fmt.Errorf("import table %s: %w", label(t.ns, t.name), err)
		}
		j.res.Documents += int64(len(batch))
		j.res.Files += int64(len(files))
		batch, files, size = batch[:0], files[:0], 0
		return nil
	}
	err := j.each(t, func(doc value.Object) error {
		doc, err := withIDs(doc, t.number, &clock)
		if err != nil {
			return err
		}
		if t.name == storageTable && j.zip != nil {
			var f pendingFile
			var ok bool
			if doc, f, ok, err = j.storeFile(ctx, t, doc); err != nil || !ok {
				return err
			}
			files = append(files, f)
		}
		batch = append(batch, doc)
		size += value.Size(doc)
		if len(batch) >= importChunkDocs || size >= importChunkBytes {
			return flush()
		}
		return nil
	})
	if err != nil {
		for _, f := range files {
			j.a.files.untrack(blobKey(f.key))
			j.a.files.drop(blobKey(f.key))
		}
		return err
	}
	return flush()
}

// storeFile puts the bytes of a snapshot's file into the blob store under
// a new key; ok is false when the snapshot has no bytes for it (an export
// without file storage), and the file is left out.
func (j *importJob) storeFile(ctx context.Context, t *stagedTable, doc value.Object) (value.Object, pendingFile, bool, error) {
	meta, sum, err := storageDoc(doc)
	if err != nil {
		return doc, pendingFile{}, false, importErr("%v", err)
	}
	id := strField(doc, "_id")
	rc, ok, err := j.zip.File(t.src.Namespace, id)
	if err != nil || !ok {
		return doc, pendingFile{}, false, err
	}
	defer rc.Close()
	if j.a.files.store == nil {
		return doc, pendingFile{}, false, importErr("The snapshot holds files, and file storage is not configured.")
	}
	uuid := newUUID()
	key := blobKey(uuid)
	j.a.files.track(key)
	res, err := j.a.files.store.Put(ctx, key, rc)
	if err != nil {
		j.a.files.untrack(key)
		return doc, pendingFile{}, false, fmt.Errorf("import file %s: %w", id, j.a.files.storeError("write", err))
	}
	if res.SHA256 != sum {
		j.a.files.untrack(key)
		j.a.files.drop(key)
		return doc, pendingFile{}, false, importErr("The bytes of file %s do not match its sha256.", id)
	}
	meta = meta.With("size", value.Float64(res.Size))
	return meta, pendingFile{id: id, key: uuid}, true, nil
}

// swap makes the import visible in one commit: replaced tables move out
// to the retired namespace, staged ones into place.
func (j *importJob) swap(ctx context.Context) error {
	j.req.Progress("Making the import visible")
	return j.a.commitRetry(ctx, func(tx *database.Tx) error {
		// Everything replaced moves out before anything staged moves in:
		// a staged table may have the number of a table it replaces.
		moved := map[[2]string]bool{}
		for _, t := range j.tables {
			moved[[2]string{t.ns, t.name}] = true
			target := tx.In(t.ns)
			if _, exists := target.TableNumber(t.name); exists {
				if j.req.Mode == ImportRequireEmpty {
					if n, err := countUpTo(ctx, target, t.name, 1); err != nil {
						return err
					} else if n > 0 {
						return importErr("Table %q got documents during the import; nothing was imported.", label(t.ns, t.name))
					}
				}
				if err := target.MoveTable(ctx, t.name, j.retiredNS(t.ns), t.name); err != nil {
					return err
				}
			}
		}
		if j.req.Mode == ImportReplaceAll {
			for _, ns := range j.namespaces() {
				for _, name := range tx.In(ns).TableNames() {
					if strings.HasPrefix(name, "_") || moved[[2]string{ns, name}] {
						continue
					}
					if err := tx.In(ns).MoveTable(ctx, name, j.retiredNS(ns), name); err != nil {
						return err
					}
				}
			}
		}
		for _, t := range j.tables {
			if err := tx.In(j.stagingNS(t.ns)).MoveTable(ctx, t.name, t.ns, t.name); err != nil {
				return err
			}
		}
		// Queries resolve tables by name: every subscription runs again.
		tx.BeforeVisible(func(int64) {
			env := map[string]string{}
			if m := j.a.env.Load(); m != nil {
				env = *m
			}
			j.a.env.Store(&env)
		})
		return nil
	})
}

// namespaces lists the target namespaces of the import.
func (j *importJob) namespaces() []string {
	seen := map[string]bool{j.target(""): true}
	out := []string{j.target("")}
	for _, t := range j.tables {
		if !seen[t.ns] {
			seen[t.ns] = true
			out = append(out, t.ns)
		}
	}
	return out
}

// discard empties and drops the tables of the namespaces nsOf maps the
// import's namespaces to (staging after a failure, retired after a
// success), files included.
func (j *importJob) discard(ctx context.Context, nsOf func(string) string) {
	for _, ns := range j.namespaces() {
		j.dropNamespace(ctx, nsOf(ns))
	}
}

// dropNamespace empties and drops the tables of one hidden namespace.
func (j *importJob) dropNamespace(ctx context.Context, hidden string) {
	if err := j.a.clearNamespace(ctx, hidden); err != nil {
		j.a.log.Warn("an import's hidden tables were not emptied", "component", "snapshot", "namespace", hidden, "err", err)
		return
	}
	err := j.a.commitRetry(ctx, func(tx *database.Tx) error {
		view := tx.In(hidden)
		for _, name := range view.TableNames() {
			if err := view.DropEmptyTable(ctx, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		j.a.log.Warn("an import's hidden tables were not dropped", "component", "snapshot", "namespace", hidden, "err", err)
	}
}

// appendAll adds every document as a new one (new id and creation time),
// in one transaction.
func (j *importJob) appendAll(ctx context.Context) error {
	j.res = ImportResult{}
	err := j.a.commitRetry(ctx, func(tx *database.Tx) error {
		j.res = ImportResult{}
		for _, t := range j.tables {
			if strings.HasPrefix(t.name, "_") {
				continue
			}
			view := tx.In(t.ns)
			err := j.each(t, func(doc value.Object) error {
				if _, err := view.Insert(ctx, t.name, doc.Without("_id").Without("_creationTime")); err != nil {
					return err
				}
				j.res.Documents++
				return nil
			})
			if err != nil {
				return err
			}
			j.res.Tables++
		}
		return nil
	})
	if database.IsUserError(err) {
		return importErr("%v", err)
	}
	return err
}

// checkSchemas validates the staged documents against the live schema of
// the instance each table goes into, as a push validates existing
// documents: a violation fails the import before anything is visible.
func (j *importJob) checkSchemas(ctx context.Context) error {
	v := j.a.active.Load()
	if v == nil {
		return nil
	}
	byNS := map[string][]string{}
	for _, t := range j.tables {
		byNS[t.ns] = append(byNS[t.ns], t.name)
	}
	for ns, tables := range byNS {
		code := v.code(ns)
		if code == nil || len(code.Schema) == 0 {
			continue
		}
		s, err := database.ParseSchema(code.Schema)
		if err != nil {
			return fmt.Errorf("parse the schema of %s: %w", componentLabel(ns), err)
		}
		j.req.Progress("Checking the imported documents against the schema")
		err = j.a.db.CheckTables(ctx, j.stagingNS(ns), s, tables)
		var sv *database.SchemaViolation
		if errors.As(err, &sv) {
			return importErr("%s", sv.Error())
		}
		if err != nil {
			return fmt.Errorf("check the imported documents of %s against its schema: %w", componentLabel(ns), err)
		}
	}
	return nil
}
