// Package local is the blob.Store on a folder of the local disk, hull's
// default for files. An object is one file at <root>/<key>; a Put writes a
// temporary file beside it (named .put-*, which no key can name), syncs it,
// renames it into place and syncs the folder, so a crash at any moment
// leaves either the whole object or nothing under its key (and at most a
// temporary file that CleanPartial removes).
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"hull/blob"
)

// tempPrefix starts the names of uploads in progress; no key segment can
// start with '.', so they never collide with an object.
const tempPrefix = ".put-"

// Store is a blob.Store on a folder.
type Store struct {
	root string
}

var (
	_ blob.Store   = (*Store)(nil)
	_ blob.Cleaner = (*Store)(nil)
)

// Open returns the store on folder root, creating it if needed, and
// checks that it can write there.
func Open(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, openErr(root, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, openErr(abs, err)
	}
	probe, err := os.CreateTemp(abs, tempPrefix+"probe-*")
	if err != nil {
		return nil, openErr(abs, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return &Store{root: abs}, nil
}

func openErr(root string, err error) error {
	return &blob.Error{Op: "open", Key: root, Err: err,
		Fix: "hull keeps files in " + root + ": make it a writable folder, or choose another with --storage-dir / STORAGE_DIR"}
}

// Root returns the folder of the store.
func (s *Store) Root() string { return s.root }

func (s *Store) path(key string) string {
	return filepath.Join(s.root, filepath.FromSlash(key))
}

// Put writes r to a temporary file, syncs it, and renames it to key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (blob.PutResult, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.PutResult{}, err
	}
	dst := s.path(key)
	dir := filepath.Dir(dst)
	if err := s.ensureDir(dir); err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	// The temporary file sits beside its object, so the rename and the
	// sync that makes it durable touch one folder.
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	sum, err := blob.CopyHashing(ctx, f, r)
	if err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	// The hash of the last bytes is finished while they go to disk.
	err = f.Sync()
	res := sum()
	if err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	if err := f.Close(); err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	if err := ctx.Err(); err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	done = true
	if err := syncDir(dir); err != nil {
		return blob.PutResult{}, s.fail("put", key, err)
	}
	return res, nil
}

// ensureDir creates dir, a folder under the root, with any missing folder
// above it, and syncs the folder holding each one it creates: the sync of
// dir after a rename makes the new entry in dir durable, not dir's own
// entry in its parent.
func (s *Store) ensureDir(dir string) error {
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return nil
	}
	if dir == s.root || !strings.HasPrefix(dir, s.root+string(filepath.Separator)) {
		return os.MkdirAll(dir, 0o700)
	}
	parent := filepath.Dir(dir)
	if err := s.ensureDir(parent); err != nil {
		return err
	}
	// Another Put may have just made dir (ErrExist) and not synced
	// parent yet: sync it either way.
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// Get opens the file of key at rng.
func (s *Store) Get(ctx context.Context, key string, rng blob.Range) (io.ReadCloser, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	if rng.Offset < 0 || rng.Length < 0 {
		return nil, &blob.Error{Op: "get", Key: key, Kind: blob.ErrInvalidRange}
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		return nil, s.fail("get", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, s.fail("get", key, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &blob.Error{Op: "get", Key: key, Kind: blob.ErrNotFound}
	}
	size := st.Size()
	if rng.Offset > 0 && rng.Offset >= size {
		f.Close()
		return nil, &blob.Error{Op: "get", Key: key, Kind: blob.ErrInvalidRange,
			Err: fmt.Errorf("offset %d is past the end of %d bytes", rng.Offset, size)}
	}
	if _, err := f.Seek(rng.Offset, io.SeekStart); err != nil {
		f.Close()
		return nil, s.fail("get", key, err)
	}
	return &section{lr: io.LimitedReader{R: f, N: rng.End(size) - rng.Offset}, f: f}, nil
}

// section reads part of a file and closes it. WriteTo hands the copy to
// the destination's ReadFrom with the file itself as the source, so a
// socket sends it with sendfile.
type section struct {
	lr io.LimitedReader
	f  *os.File
}

func (s *section) Read(p []byte) (int, error)         { return s.lr.Read(p) }
func (s *section) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, &s.lr) }
func (s *section) Close() error                       { return s.f.Close() }

// Head stats the file of key.
func (s *Store) Head(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, err
	}
	st, err := os.Stat(s.path(key))
	if err != nil {
		return blob.Info{}, s.fail("head", key, err)
	}
	if !st.Mode().IsRegular() {
		return blob.Info{}, &blob.Error{Op: "head", Key: key, Kind: blob.ErrNotFound}
	}
	return blob.Info{Key: key, Size: st.Size(), Modified: st.ModTime()}, nil
}

// Delete removes the file of key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.fail("delete", key, err)
	}
	return nil
}

// List walks the folder, leaving out uploads in progress.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != s.root {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) || blob.CheckKey(key) != nil {
			return nil
		}
		st, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return fn(blob.Info{Key: key, Size: st.Size(), Modified: st.ModTime()})
	})
	if err != nil {
		var be *blob.Error
		if errors.As(err, &be) {
			return err
		}
		return &blob.Error{Op: "list", Key: prefix, Err: err}
	}
	return nil
}

// CleanPartial removes temporary files of uploads begun before cutoff
// (left by a crash, or by a Put still running in another process).
func (s *Store) CleanPartial(ctx context.Context, cutoff time.Time) (int, error) {
	n := 0
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			return nil
		}
		if os.Remove(p) == nil {
			n++
		}
		return nil
	})
	if err != nil {
		return n, &blob.Error{Op: "clean", Key: s.root, Err: err}
	}
	return n, nil
}

// Close does nothing: the store holds no open files between calls.
func (s *Store) Close() error { return nil }

// fail wraps a file system error.
func (s *Store) fail(op, key string, err error) error {
	e := &blob.Error{Op: op, Key: key, Err: err}
	switch {
	case errors.Is(err, fs.ErrNotExist) && op != "put":
		e.Kind = blob.ErrNotFound
	case errors.Is(err, syscall.ENOSPC):
		e.Fix = "the disk holding " + s.root + " is full: free space, or move files to S3/R2 with S3_STORAGE_FILES_BUCKET"
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		e.Fix = "hull cannot write to " + s.root + ": make the folder writable by the hull process"
	}
	return e
}
