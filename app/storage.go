package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"hull/blob"
	"hull/database"
	"hull/runtime"
	"hull/value"
)

// The storage syscalls of ctx.storage, with the arguments the convex
// package (1.48) sends: {requestId, version, storageId?, blob?,
// contentType?, sha256?}. Queries and mutations run them in their
// transaction; actions, which have none, in transactions of their own.
// storageStore and storageGet are what ctx.storage.store/get send in
// mutations; in actions the runtime's storage/storeBlob and
// storage/getBlob jsSyscalls send them too.

// maxSyscallFileBytes bounds the files ctx.storage.store/get move through
// the function's memory; larger files go through upload and download URLs.
const maxSyscallFileBytes = 16 << 20

type storageArgs struct {
	StorageID   *string `json:"storageId"`
	Blob        *string `json:"blob"`
	ContentType *string `json:"contentType"`
	SHA256      *string `json:"sha256"`
}

func storageErr(code, format string, args ...any) error {
	return &database.Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// storageSyscall serves the storage ops; handled is false for any other
// op.
func (h *host) storageSyscall(ctx context.Context, op string, data []byte) ([]byte, bool, error) {
	var method string
	var allowed bool
	switch op {
	case "1.0/storageGenerateUploadUrl":
		method, allowed = "generateUploadUrl", h.kind != runtime.KindQuery
	case "1.0/storageGetUrl":
		method, allowed = "getUrl", true
	case "1.0/storageGetMetadata":
		method, allowed = "getMetadata", true
	case "1.0/storageDelete":
		method, allowed = "delete", h.kind != runtime.KindQuery
	case "1.0/storageStore":
		method, allowed = "store", h.kind != runtime.KindQuery
	case "1.0/storageGet":
		method, allowed = "get", h.kind != runtime.KindQuery
	default:
		return nil, false, nil
	}
	if !allowed {
		return nil, true, storageErr("StorageNotAllowed", "storage.%s is not allowed in queries", method)
	}
	var a storageArgs
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, true, storageErr("InvalidArgument", "Invalid arguments for storage.%s: %v", method, err)
	}
	f := h.app.files
	if f.store == nil {
		return nil, true, errNoStore
	}
	var out []byte
	var err error
	switch method {
	case "generateUploadUrl":
		var u string
		if u, err = f.UploadURLFor(h.app.opts.CloudURL(), h.component); err == nil {
			out, _ = json.Marshal(u)
		}
	case "getUrl":
		out, err = h.storageRead(ctx, a, method, func(file File) []byte {
			b, _ := json.Marshal(h.app.opts.CloudURL() + "/api/storage/" + file.UUID)
			return b
		})
	case "getMetadata":
		out, err = h.storageRead(ctx, a, method, func(file File) []byte {
			var ct any
			if file.ContentType != "" {
				ct = file.ContentType
			}
			b, _ := json.Marshal(map[string]any{"storageId": file.UUID, "sha256": hex.EncodeToString(file.SHA256[:]),
				"size": file.Size, "contentType": ct})
			return b
		})
	case "get":
		out, err = h.storageGet(ctx, a)
	case "delete":
		err = h.storageDelete(ctx, a)
		out = []byte("null")
	case "store":
		out, err = h.storageStore(ctx, a)
	}
	return out, true, err
}

// storageTx returns the run's transaction, or nil in actions.
func (h *host) storageTx() *dbTxn {
	t, _ := h.tx.(*dbTxn)
	return t
}

// resolveFile finds the file a storageId argument names: a _storage id
// or, as Convex still accepts, the UUID of its download URL.
func (h *host) resolveFile(ctx context.Context, tx *database.Tx, a storageArgs, method string) (File, bool, error) {
	if a.StorageID == nil {
		return File{}, false, storageErr("InvalidArgument", "storage.%s needs a storageId", method)
	}
	s := *a.StorageID
	if id, err := value.ParseID(s); err == nil {
		if !isStorageID(tx, id) {
			return File{}, false, storageErr("InvalidArgument", "Invalid argument `storageId` for `storage.%s`: %q is an id of another table, not an Id<\"_storage\">", method, s)
		}
		return h.app.files.byID(ctx, tx, id)
	}
	if isUUID(s) {
		return h.app.files.byUUID(ctx, tx, s)
	}
	return File{}, false, storageErr("InvalidArgument", "Invalid argument `storageId` for `storage.%s`: %q is not an Id<\"_storage\">", method, s)
}

// lookupFile resolves the storageId argument in the run's transaction, or
// in a read transaction of its own in actions.
func (h *host) lookupFile(ctx context.Context, a storageArgs, method string) (File, bool, error) {
	if t := h.storageTx(); t != nil {
		return h.resolveFile(ctx, t.tx, a, method)
	}
	tx, err := h.app.db.BeginRead(ctx, 0)
	if err != nil {
		return File{}, false, err
	}
	defer tx.Rollback()
	return h.resolveFile(ctx, tx.In(h.component), a, method)
}

// storageRead renders the file the arguments name; a missing file is
// null.
func (h *host) storageRead(ctx context.Context, a storageArgs, method string, render func(File) []byte) ([]byte, error) {
	file, ok, err := h.lookupFile(ctx, a, method)
	if err != nil || !ok {
		return []byte("null"), err
	}
	return render(file), nil
}

// storageGet reads a whole file into the function (ctx.storage.get).
func (h *host) storageGet(ctx context.Context, a storageArgs) ([]byte, error) {
	file, ok, err := h.lookupFile(ctx, a, "get")
	if err != nil || !ok {
		return []byte("null"), err
	}
	if file.Size > maxSyscallFileBytes {
		return nil, storageErr("FileTooLarge", "storage.get reads files of up to %d bytes into a function; this one has %d bytes: serve it with storage.getUrl instead", maxSyscallFileBytes, file.Size)
	}
	rc, err := h.app.files.Read(ctx, file, blob.Range{})
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxSyscallFileBytes+1))
	if err != nil {
		return nil, h.app.files.storeError("read", err)
	}
	var ct any
	if file.ContentType != "" {
		ct = file.ContentType
	}
	return json.Marshal(map[string]any{"blob": base64.StdEncoding.EncodeToString(data), "contentType": ct})
}

// storageStore writes a file from the function (ctx.storage.store).
func (h *host) storageStore(ctx context.Context, a storageArgs) ([]byte, error) {
	if a.Blob == nil {
		return nil, storageErr("InvalidArgument", "storage.store needs a blob")
	}
	if base64.StdEncoding.DecodedLen(len(*a.Blob)) > maxSyscallFileBytes+2 {
		return nil, storageErr("FileTooLarge", "storage.store writes files of up to %d bytes from a function; upload larger files with storage.generateUploadUrl", maxSyscallFileBytes)
	}
	data, err := base64.StdEncoding.DecodeString(*a.Blob)
	if err != nil {
		return nil, storageErr("InvalidArgument", "storage.store: the blob is not base64: %v", err)
	}
	var want []byte
	if a.SHA256 != nil && *a.SHA256 != "" {
		if want, err = decodeDigest(*a.SHA256); err != nil {
			return nil, storageErr("InvalidArgument", "storage.store: sha256 %q is not a base64 or hex SHA-256 digest", *a.SHA256)
		}
	}
	ct := ""
	if a.ContentType != nil {
		ct = *a.ContentType
	}
	f := h.app.files
	var id value.ID
	if t := h.storageTx(); t != nil {
		id, err = f.storeIn(ctx, t.tx, t.afterEnd, bytes.NewReader(data), ct, want)
	} else {
		id, err = f.storeAlone(ctx, h.component, bytes.NewReader(data), ct, want)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(id.String())
}

// decodeDigest reads a SHA-256 digest in base64 or hex.
func decodeDigest(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, fmt.Errorf("not a SHA-256 digest")
}

// storageDelete deletes a file (ctx.storage.delete): in a mutation with
// its transaction, in an action in a transaction of its own.
func (h *host) storageDelete(ctx context.Context, a storageArgs) error {
	del := func(ctx context.Context, tx *database.Tx, settle func(func())) error {
		file, ok, err := h.resolveFile(ctx, tx, a, "delete")
		if err != nil {
			return err
		}
		if !ok {
			return storageErr("StorageIdNotFound", "storage id %s not found", *a.StorageID)
		}
		return h.app.files.deleteIn(ctx, tx, settle, file)
	}
	if t := h.storageTx(); t != nil {
		return del(ctx, t.tx, t.afterEnd)
	}
	f := h.app.files
	var after []func()
	err := f.db.Retry(ctx, func(ctx context.Context) error {
		after = nil
		tx, err := f.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := del(ctx, tx.In(h.component), func(fn func()) { after = append(after, fn) }); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	for _, fn := range after {
		fn()
	}
	return err
}

// storeAlone stores a file of the instance at component outside any
// transaction (actions): the bytes first, then the metadata in a
// transaction of its own.
func (f *Files) storeAlone(ctx context.Context, component string, data io.Reader, contentType string, want []byte) (value.ID, error) {
	uuid := newUUID()
	key := blobKey(uuid)
	f.track(key)
	defer func() { f.untrack(key); f.drop(key) }()
	res, err := f.store.Put(ctx, key, data)
	if err != nil {
		return value.ID{}, f.storeError("store", err)
	}
	if want != nil && string(want) != string(res.SHA256[:]) {
		return value.ID{}, shaMismatch(want, res)
	}
	var id value.ID
	err = f.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := f.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if id, err = f.insert(ctx, tx.In(component), uuid, res, contentType); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	return id, err
}
