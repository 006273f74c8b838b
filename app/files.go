package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hull/blob"
	"hull/database"
	"hull/value"
)

// File storage. A file's bytes live in the blob store under a key derived
// from a random UUID (the id in its download URL); its metadata lives in
// the database:
//
//   - _storage, the table user code reads with ctx.db.system: one document
//     per file, {sha256 (base64), size, contentType?}, as Convex shows it;
//     every component instance has its own (in its namespace), so a
//     component's files are its own;
//   - _hull_files, private, one for all instances (in the app's
//     namespace): {file: <_storage id>, uuid}, so the UUID a download URL
//     carries never appears in what user code reads (the id names the
//     instance's _storage table);
//   - _hull_upload_tokens, private, in the app's namespace: the nonce of
//     every used upload URL until it expires, which makes each URL
//     single-use.
//
// Bytes are written first and the metadata committed after, so a crash
// never leaves metadata without bytes; deletes commit the metadata first
// and remove the bytes after. Bytes without metadata (a crash between the
// two steps) are removed by the sweep (Files.Sweep) once older than
// FilesOptions.OrphanGrace.
const (
	storageTable      = "_storage"
	fileKeysTable     = "_hull_files"
	fileKeysByFile    = "by_file"
	fileKeysByUUID    = "by_uuid"
	uploadTokensTable = "_hull_upload_tokens"
	tokensByNonce     = "by_nonce"
	tokensByExpiry    = "by_expires"
)

// FilesOptions configures file storage.
type FilesOptions struct {
	// Store keeps the bytes; nil leaves file storage unconfigured (every
	// storage call fails saying so).
	Store blob.Store
	// TokenKey signs upload URLs (derive it from the instance secret).
	TokenKey []byte
	// UploadURLTTL is how long an upload URL is valid (default 1 hour).
	UploadURLTTL time.Duration
	// MaxUploadBytes caps one upload (default 5 GiB).
	MaxUploadBytes int64
	// OrphanGrace is how old bytes without metadata must be before the
	// sweep removes them (default 1 hour): younger ones may belong to an
	// upload whose metadata is about to commit.
	OrphanGrace time.Duration
}

func (o FilesOptions) withDefaults() FilesOptions {
	if o.UploadURLTTL <= 0 {
		o.UploadURLTTL = time.Hour
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 5 << 30
	}
	if o.OrphanGrace <= 0 {
		o.OrphanGrace = time.Hour
	}
	if len(o.TokenKey) == 0 {
		o.TokenKey = make([]byte, 32)
		_, _ = rand.Read(o.TokenKey)
	}
	return o
}

// Files is the file storage of a deployment. It is safe for concurrent
// use.
type Files struct {
	db    *database.DB
	store blob.Store
	opts  FilesOptions
	log   *slog.Logger
	now   func() time.Time

	mu       sync.Mutex
	inflight map[string]int // keys being written whose metadata is not committed yet
	drops    chan string    // keys whose metadata was deleted: remove their bytes
}

func newFiles(db *database.DB, opts FilesOptions, log *slog.Logger) *Files {
	opts = opts.withDefaults()
	return &Files{db: db, store: opts.Store, opts: opts, log: log, now: time.Now,
		inflight: map[string]int{}, drops: make(chan string, 4096)}
}

// Files returns the deployment's file storage.
func (a *App) Files() *Files { return a.files }

// File is one stored file.
type File struct {
	ID          value.ID // of its _storage document
	UUID        string   // the id in its download URL
	Size        int64
	SHA256      [32]byte
	ContentType string // "" when none was given
	Created     time.Time

	keyDoc value.ID // its _hull_files document
}

// Key is the blob key of the file's bytes.
func (f File) Key() string { return blobKey(f.UUID) }

// MaxUploadBytes is the largest upload accepted.
func (f *Files) MaxUploadBytes() int64 { return f.opts.MaxUploadBytes }

// ensureTables creates the private file tables and their indexes.
func (f *Files) ensureTables(ctx context.Context) error {
	return f.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := f.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		changed := false
		for _, ix := range []struct{ table, name, field string }{
			{fileKeysTable, fileKeysByFile, "file"},
			{fileKeysTable, fileKeysByUUID, "uuid"},
			{uploadTokensTable, tokensByNonce, "nonce"},
			{uploadTokensTable, tokensByExpiry, "expires"},
		} {
			c, err := tx.EnsureSystemIndex(ctx, ix.table, ix.name, []string{ix.field})
			if err != nil {
				return fmt.Errorf("create %s.%s: %w", ix.table, ix.name, err)
			}
			changed = changed || c
		}
		if !changed {
			return nil
		}
		_, err = tx.Commit(ctx)
		return err
	})
}

// errNoStore is the error of every storage call without a blob store.
var errNoStore = &Error{Status: 503, Code: "FileStorageUnavailable", Message: "file storage is not configured on this server"}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// isUUID reports whether s is a lower-case hex UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// blobKey is the key of a file's bytes: its UUID under a folder named by
// the UUID's first two characters, so no folder grows too large.
func blobKey(uuid string) string { return uuid[:2] + "/" + uuid }

// uuidOfKey inverts blobKey; ok is false for keys hull did not make.
func uuidOfKey(key string) (string, bool) {
	dir, uuid, ok := strings.Cut(key, "/")
	if !ok || !isUUID(uuid) || dir != uuid[:2] {
		return "", false
	}
	return uuid, true
}

// fileDoc is the _storage document of a stored object.
func fileDoc(res blob.PutResult, contentType string) value.Object {
	fields := []value.Field{
		{Name: "sha256", Value: value.String(base64.StdEncoding.EncodeToString(res.SHA256[:]))},
		{Name: "size", Value: value.Float64(res.Size)},
	}
	if contentType != "" {
		fields = append(fields, value.Field{Name: "contentType", Value: value.String(contentType)})
	}
	return value.MustObject(fields...)
}

// fileFromDocs reads a File from its two documents.
func fileFromDocs(doc, keyDoc value.Object) (File, error) {
	f := File{UUID: strField(keyDoc, "uuid"), ContentType: strField(doc, "contentType")}
	var err error
	if f.ID, err = value.ParseID(strField(doc, "_id")); err != nil {
		return File{}, fmt.Errorf("_storage document id: %w", err)
	}
	if f.keyDoc, err = value.ParseID(strField(keyDoc, "_id")); err != nil {
		return File{}, fmt.Errorf("%s document id: %w", fileKeysTable, err)
	}
	if v, ok := doc.Get("size"); ok {
		if n, ok := v.(value.Float64); ok {
			f.Size = int64(n)
		}
	}
	if v, ok := doc.Get("_creationTime"); ok {
		if n, ok := v.(value.Float64); ok {
			f.Created = time.UnixMilli(int64(n))
		}
	}
	sum, err := base64.StdEncoding.DecodeString(strField(doc, "sha256"))
	if err != nil || len(sum) != len(f.SHA256) {
		return File{}, fmt.Errorf("_storage document %s has a malformed sha256", f.ID)
	}
	copy(f.SHA256[:], sum)
	if !isUUID(f.UUID) {
		return File{}, fmt.Errorf("%s document of %s has a malformed uuid", fileKeysTable, f.ID)
	}
	return f, nil
}

// firstInIndex returns the first document of one of the private file
// tables (in the app's namespace) whose field equals s.
func firstInIndex(ctx context.Context, tx *database.Tx, table, index, field, s string) (value.Object, bool, error) {
	st, err := tx.In("").SystemQuery(ctx, &database.Query{
		Kind: database.IndexRange, Table: table, Index: index,
		Range: []database.RangeExpr{{Op: "Eq", Field: field, Value: value.String(s)}},
	})
	if err != nil {
		return value.Object{}, false, err
	}
	return st.Next(ctx)
}

// isStorageID reports whether id is one of the _storage table of the
// namespace tx views.
func isStorageID(tx *database.Tx, id value.ID) bool {
	name, ok := tx.TableName(id.Table)
	return ok && name == storageTable
}

// fileKeyDoc is the _hull_files document of the file id, whose _storage
// table is stored under tablet (database.Tx.TableStorageID), with its
// bytes under uuid. The tablet is left out when it is id's table number,
// as it is for every file but those of a restore (whose _storage shares
// its number with the _storage it replaces, until the old is dropped).
func fileKeyDoc(id value.ID, tablet uint32, uuid string) value.Object {
	doc := value.MustObject(
		value.Field{Name: "file", Value: value.String(id.String())},
		value.Field{Name: "uuid", Value: value.String(uuid)},
	)
	if tablet != uint32(id.Table) {
		doc = doc.With("tablet", value.Int64(tablet))
	}
	return doc
}

// keyDocTablet is the tablet of the _storage table a _hull_files
// document of file id belongs to.
func keyDocTablet(keyDoc value.Object, id value.ID) uint32 {
	if v, ok := keyDoc.Get("tablet"); ok {
		if n, ok := v.(value.Int64); ok {
			return uint32(n)
		}
	}
	return uint32(id.Table)
}

// keyOf returns the _hull_files document of the file id of the _storage
// table tx sees id in.
func keyOf(ctx context.Context, tx *database.Tx, id value.ID) (value.Object, bool, error) {
	tablet, ok := tx.TableStorageID(id.Table)
	if !ok {
		return value.Object{}, false, nil
	}
	st, err := tx.In("").SystemQuery(ctx, &database.Query{
		Kind: database.IndexRange, Table: fileKeysTable, Index: fileKeysByFile,
		Range: []database.RangeExpr{{Op: "Eq", Field: "file", Value: value.String(id.String())}},
	})
	if err != nil {
		return value.Object{}, false, err
	}
	for {
		doc, ok, err := st.Next(ctx)
		if err != nil || !ok {
			return value.Object{}, false, err
		}
		if keyDocTablet(doc, id) == tablet {
			return doc, true, nil
		}
	}
}

// byID returns the file of a _storage id of the namespace tx views.
func (f *Files) byID(ctx context.Context, tx *database.Tx, id value.ID) (File, bool, error) {
	if !isStorageID(tx, id) {
		return File{}, false, nil
	}
	doc, ok, err := tx.SystemGet(ctx, id)
	if err != nil || !ok {
		return File{}, false, err
	}
	keyDoc, ok, err := keyOf(ctx, tx, id)
	if err != nil || !ok {
		return File{}, false, err
	}
	file, err := fileFromDocs(doc, keyDoc)
	return file, err == nil, err
}

// byUUID returns the file a download URL names, read in tx.
func (f *Files) byUUID(ctx context.Context, tx *database.Tx, uuid string) (File, bool, error) {
	if !isUUID(uuid) {
		return File{}, false, nil
	}
	keyDoc, ok, err := firstInIndex(ctx, tx, fileKeysTable, fileKeysByUUID, "uuid", uuid)
	if err != nil || !ok {
		return File{}, false, err
	}
	id, err := value.ParseID(strField(keyDoc, "file"))
	if err != nil {
		return File{}, false, fmt.Errorf("%s document names a malformed file id: %w", fileKeysTable, err)
	}
	if tablet, ok := tx.TableStorageID(id.Table); !ok || tablet != keyDocTablet(keyDoc, id) {
		return File{}, false, nil // a file of a table no longer live (an import's staged or replaced one)
	}
	doc, ok, err := tx.SystemGet(ctx, id)
	if err != nil || !ok {
		return File{}, false, err
	}
	file, err := fileFromDocs(doc, keyDoc)
	return file, err == nil, err
}

// Lookup returns the file a download URL's id names, at the latest
// durable state; ok is false for an unknown or malformed id.
func (f *Files) Lookup(ctx context.Context, uuid string) (File, bool, error) {
	tx, err := f.db.BeginRead(ctx, 0)
	if err != nil {
		return File{}, false, err
	}
	defer tx.Rollback()
	return f.byUUID(ctx, tx, uuid)
}

// ByID returns the file of a _storage id at the latest durable state.
func (f *Files) ByID(ctx context.Context, id value.ID) (File, bool, error) {
	tx, err := f.db.BeginRead(ctx, 0)
	if err != nil {
		return File{}, false, err
	}
	defer tx.Rollback()
	return f.byID(ctx, tx, id)
}

// Range selects bytes [Offset, Offset+Length) of a file; Length 0 means
// up to the end.
type Range = blob.Range

// Read opens the bytes of file in rng.
func (f *Files) Read(ctx context.Context, file File, rng Range) (io.ReadCloser, error) {
	if f.store == nil {
		return nil, errNoStore
	}
	rc, err := f.store.Get(ctx, file.Key(), rng)
	if err != nil {
		return nil, f.storeError("read", err)
	}
	return rc, nil
}

// storeError turns a blob store failure into the answer a client gets
// (the operator hint included) and logs it.
func (f *Files) storeError(what string, err error) error {
	if errors.Is(err, blob.ErrNotFound) {
		f.log.Error("file storage: the bytes of a file with metadata are missing", "err", err)
		return &Error{Status: 500, Code: "FileStorageCorrupt", Message: "the bytes of this file are missing from file storage", Err: err}
	}
	hint := blob.Hint(err)
	f.log.Error("file storage: "+what+" failed", "err", err, "hint", hint)
	msg := "file storage failed to " + what + " the file"
	if hint != "" {
		msg += ". Hint: " + hint
	}
	return &Error{Status: 503, Code: "FileStorageUnavailable", Message: msg, Err: err}
}

// track marks key as being written, so the sweep leaves it alone until
// untrack.
func (f *Files) track(key string) {
	f.mu.Lock()
	f.inflight[key]++
	f.mu.Unlock()
}

func (f *Files) untrack(key string) {
	f.mu.Lock()
	if f.inflight[key]--; f.inflight[key] <= 0 {
		delete(f.inflight, key)
	}
	f.mu.Unlock()
}

func (f *Files) isInflight(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inflight[key] > 0
}

// drop asks for the bytes of key to be removed if no metadata names them
// any more (done by KeepFilesSwept; the sweep catches what a full queue or
// a crash misses).
func (f *Files) drop(key string) {
	select {
	case f.drops <- key:
	default:
	}
}

// removeIfUnreferenced removes the bytes of key unless metadata names
// them or an upload of this process is still writing them.
func (f *Files) removeIfUnreferenced(ctx context.Context, key string) (bool, error) {
	uuid, ok := uuidOfKey(key)
	if !ok || f.isInflight(key) {
		return false, nil
	}
	tx, err := f.db.BeginRead(ctx, 0)
	if err != nil {
		return false, err
	}
	_, found, err := firstInIndex(ctx, tx, fileKeysTable, fileKeysByUUID, "uuid", uuid)
	tx.Rollback()
	if err != nil || found {
		return false, err
	}
	if err := f.store.Delete(ctx, key); err != nil {
		return false, err
	}
	return true, nil
}

// storeIn writes data as a new file inside tx (ctx.storage.store in a
// mutation): the bytes go to the blob store now, the metadata commits with
// tx. settle registers work for when tx ends: then the bytes are removed
// unless committed metadata names them.
func (f *Files) storeIn(ctx context.Context, tx *database.Tx, settle func(func()), data io.Reader, contentType string, wantSHA []byte) (value.ID, error) {
	if f.store == nil {
		return value.ID{}, errNoStore
	}
	uuid := newUUID()
	key := blobKey(uuid)
	f.track(key)
	settle(func() { f.untrack(key); f.drop(key) })
	res, err := f.store.Put(ctx, key, data)
	if err != nil {
		return value.ID{}, f.storeError("store", err)
	}
	if wantSHA != nil && string(wantSHA) != string(res.SHA256[:]) {
		return value.ID{}, shaMismatch(wantSHA, res)
	}
	return f.insert(ctx, tx, uuid, res, contentType)
}

func shaMismatch(want []byte, res blob.PutResult) error {
	return &Error{Status: 400, Code: "Sha256Mismatch", Message: fmt.Sprintf("Sha256 mismatch. Expected: %s Actual: %s",
		base64.StdEncoding.EncodeToString(want), base64.StdEncoding.EncodeToString(res.SHA256[:]))}
}

// insert adds the metadata of a stored object to tx, in the _storage of
// the namespace tx views.
func (f *Files) insert(ctx context.Context, tx *database.Tx, uuid string, res blob.PutResult, contentType string) (value.ID, error) {
	id, err := tx.SystemInsert(ctx, storageTable, fileDoc(res, contentType))
	if err != nil {
		return value.ID{}, err
	}
	tablet, _ := tx.TableStorageID(id.Table)
	_, err = tx.In("").SystemInsert(ctx, fileKeysTable, fileKeyDoc(id, tablet, uuid))
	if err != nil {
		return value.ID{}, err
	}
	return id, nil
}

// deleteIn removes the metadata of file in tx; its bytes are removed once
// tx has ended, if the metadata is really gone then.
func (f *Files) deleteIn(ctx context.Context, tx *database.Tx, settle func(func()), file File) error {
	if _, err := tx.SystemDelete(ctx, file.ID); err != nil {
		return err
	}
	if _, err := tx.SystemDelete(ctx, file.keyDoc); err != nil {
		return err
	}
	key := file.Key()
	settle(func() { f.drop(key) })
	return nil
}
