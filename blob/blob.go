// Package blob owns file bytes: the Store interface that every file
// backend implements (a local folder in blob/local, S3 and R2 in blob/s3),
// the errors they share, and the hashing every upload goes through. It
// knows nothing of file metadata: the application keeps that in the
// database and names each file's bytes by a key of its own choosing.
//
// blob/blobtest holds the conformance suite both backends pass.
package blob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Store keeps immutable objects of bytes under string keys. Every method
// is safe for concurrent use. An object becomes visible to Get, Head and
// List only once Put has returned successfully: a Put that fails, is
// canceled or is cut short by a crash leaves nothing visible under its
// key (at most a partial upload that CleanPartial, where the store has
// one, removes later).
type Store interface {
	// Put streams r to the object key and returns its size and SHA-256.
	// It reads r to EOF; an error from r (such as the body limit of an
	// HTTP request) ends the Put and is returned wrapped, so errors.As
	// finds it. If key already exists it is replaced atomically. Memory
	// use is bounded whatever the size of the stream. Once Put returns
	// nil the object is durable.
	Put(ctx context.Context, key string, r io.Reader) (PutResult, error)

	// Get opens the bytes of key in rng (the zero Range is the whole
	// object). A range that starts at or past the end of a non-empty
	// object is ErrInvalidRange; one that runs past the end is cut at the
	// end. A missing key is ErrNotFound. The caller closes the reader.
	Get(ctx context.Context, key string, rng Range) (io.ReadCloser, error)

	// Head returns the size and modification time of key, or ErrNotFound.
	Head(ctx context.Context, key string) (Info, error)

	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error

	// List calls fn for every object under prefix ("" for all), in no
	// particular order, until fn returns an error, which List returns.
	// It is meant for maintenance such as removing orphaned objects.
	List(ctx context.Context, prefix string, fn func(Info) error) error

	// Close releases the store's resources.
	Close() error
}

// Cleaner is implemented by stores that keep partial uploads somewhere
// invisible (temporary files, unfinished multipart uploads): CleanPartial
// removes those begun before cutoff and reports how many it removed.
type Cleaner interface {
	CleanPartial(ctx context.Context, cutoff time.Time) (int, error)
}

// PutResult describes a stored object.
type PutResult struct {
	Size   int64
	SHA256 [sha256.Size]byte
}

// Info describes an object.
type Info struct {
	Key      string
	Size     int64
	Modified time.Time
}

// Range selects bytes [Offset, Offset+Length) of an object; Length 0
// means up to the end.
type Range struct {
	Offset int64
	Length int64
}

// End returns the exclusive end of r in an object of size, cut at size.
func (r Range) End(size int64) int64 {
	if r.Length <= 0 || r.Offset+r.Length > size {
		return size
	}
	return r.Offset + r.Length
}

// Errors the stores share. Errors carrying them are *Error values; test
// with errors.Is.
var (
	ErrNotFound     = errors.New("blob: object not found")
	ErrInvalidRange = errors.New("blob: range not satisfiable")
	ErrInvalidKey   = errors.New("blob: invalid key")
)

// Error is a failed store operation: what was done, to which key, why, and
// for failures an operator can fix (a missing bucket, rejected
// credentials, a full disk), a hint saying how.
type Error struct {
	Op   string // "put", "get", "head", "delete", "list", "open"
	Key  string
	Err  error
	Fix  string // the operator hint, or ""
	Kind error  // ErrNotFound, ErrInvalidRange, ErrInvalidKey, or nil
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("blob: ")
	b.WriteString(e.Op)
	if e.Key != "" {
		b.WriteString(" ")
		b.WriteString(e.Key)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else if e.Kind != nil {
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "blob: "))
	}
	return b.String()
}

// Unwrap returns the kind (for errors.Is) and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Hint is the operator hint (see Fix).
func (e *Error) Hint() string { return e.Fix }

// Hint returns the operator hint carried by err, or "".
func Hint(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// MaxKeyLen bounds keys, well under the 1,024 bytes S3 allows.
const MaxKeyLen = 512

// CheckKey reports whether key is a valid key: 1 to MaxKeyLen bytes of
// '/'-separated segments, each of letters, digits, '-', '_' and '.', not
// starting with '.'. Every store accepts exactly these keys, so a key is
// portable between backends and maps to a path inside a folder.
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return &Error{Op: "key", Key: key, Kind: ErrInvalidKey, Err: fmt.Errorf("a key is 1 to %d bytes", MaxKeyLen)}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg[0] == '.' {
			return &Error{Op: "key", Key: key, Kind: ErrInvalidKey, Err: errors.New("empty segment or one starting with '.'")}
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
			if !ok {
				return &Error{Op: "key", Key: key, Kind: ErrInvalidKey, Err: fmt.Errorf("byte %q is not allowed", c)}
			}
		}
	}
	return nil
}

// CopyHashed copies src to dst until src ends, hashing the bytes on a
// second goroutine while they are written, and returns their size and
// SHA-256. It stops with ctx's error once ctx is done. An error from src
// other than io.EOF is returned as is, so errors.As finds it.
func CopyHashed(ctx context.Context, dst io.Writer, src io.Reader) (PutResult, error) {
	sum, err := CopyHashing(ctx, dst, src)
	if err != nil {
		return PutResult{}, err
	}
	return sum(), nil
}

// Buffers of CopyHashing: the hash may trail the writes by all but one of
// them, so a file of up to copyBufs*copyBufSize bytes is written without
// waiting for its hash.
const (
	copyBufSize = 256 << 10
	copyBufs    = 4
)

// CopyHashing is CopyHashed returning as soon as the last byte is
// written: the hash may still be running, and sum waits for it. The
// caller can make the bytes durable meanwhile. After an error there is
// no sum and nothing left running.
func CopyHashing(ctx context.Context, dst io.Writer, src io.Reader) (sum func() PutResult, err error) {
	free := make(chan []byte, copyBufs)
	for range copyBufs {
		free <- make([]byte, copyBufSize)
	}
	h := sha256.New()
	// The hasher hands each buffer back once hashed; the copy takes a
	// free one only after writing the last, so a buffer is refilled only
	// once both are done with it.
	chunks := make(chan []byte, copyBufs)
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		for b := range chunks {
			h.Write(b)
			free <- b
		}
	}()
	var size int64
	err = func() error {
		for {
			buf := <-free
			n, ended, err := fill(ctx, src, buf)
			if n > 0 {
				chunks <- buf[:n]
				if _, err := dst.Write(buf[:n]); err != nil {
					return err
				}
				size += int64(n)
			}
			if err != nil || ended {
				return err
			}
		}
	}()
	close(chunks)
	if err != nil {
		<-hashed
		return nil, err
	}
	return func() PutResult {
		<-hashed
		r := PutResult{Size: size}
		h.Sum(r.SHA256[:0])
		return r
	}, nil
}

// fill reads src into buf until buf is full or src ends (ended), checking
// ctx before each read. Only io.EOF ends src.
func fill(ctx context.Context, src io.Reader, buf []byte) (n int, ended bool, err error) {
	for n < len(buf) {
		if err := ctx.Err(); err != nil {
			return n, false, err
		}
		m, err := src.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}
