// Package blobtest is the conformance suite of blob.Store: the same cases,
// run against every backend (the local folder and a real S3-compatible
// server), pin down the behaviour the application relies on — whole and
// ranged reads, sizes and hashes, atomic visibility of uploads, deletes,
// listing, and the errors for missing keys and bad ranges.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"hull/blob"
)

// Options tune the suite to a backend.
type Options struct {
	// LargeSize is the size of the object that must take the backend's
	// large-object path (more than one multipart part); default 3 MiB.
	LargeSize int64
}

// Run runs every case; open returns a new, empty store for one case.
func Run(t *testing.T, open func(t *testing.T) blob.Store, opts Options) {
	if opts.LargeSize <= 0 {
		opts.LargeSize = 3 << 20
	}
	cases := []struct {
		name string
		fn   func(t *testing.T, s blob.Store, o Options)
	}{
		{"a stored object reads back whole with its size and sha256", testRoundTrip},
		{"an empty object reads back empty", testEmpty},
		{"a large object reads back byte for byte", testLarge},
		{"ranges read the right slice and are cut at the end", testRanges},
		{"a range starting at or past the end is not satisfiable", testBadRanges},
		{"head reports the size of an object", testHead},
		{"a missing key is not found by get and head", testMissing},
		{"delete removes an object and deleting again is fine", testDelete},
		{"a put replaces an existing object", testReplace},
		{"list shows the objects under a prefix", testList},
		{"a put whose reader fails leaves nothing visible", testFailedPut},
		{"a large put whose reader fails leaves nothing visible", testFailedLargePut},
		{"an unexpected EOF from the reader fails the put", testUnexpectedEOF},
		{"a canceled put leaves nothing visible", testCanceledPut},
		{"invalid keys are refused", testInvalidKeys},
		{"concurrent puts all land", testConcurrent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			c.fn(t, s, opts)
		})
	}
}

// Data returns n pseudo-random bytes from seed.
func Data(seed uint64, n int64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= len(b); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := len(b) &^ 7; i < len(b); i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func put(t *testing.T, s blob.Store, key string, data []byte) blob.PutResult {
	t.Helper()
	res, err := s.Put(context.Background(), key, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return res
}

func read(t *testing.T, s blob.Store, key string, rng blob.Range) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), key, rng)
	if err != nil {
		t.Fatalf("get %s %+v: %v", key, rng, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s %+v: %v", key, rng, err)
	}
	return b
}

func checkResult(t *testing.T, got blob.PutResult, data []byte) {
	t.Helper()
	if got.Size != int64(len(data)) {
		t.Errorf("put size = %d, want %d", got.Size, len(data))
	}
	if want := sha256.Sum256(data); got.SHA256 != want {
		t.Errorf("put sha256 = %x, want %x", got.SHA256, want)
	}
}

func checkAbsent(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if _, err := s.Head(context.Background(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("head %s: err = %v, want ErrNotFound", key, err)
	}
	if rc, err := s.Get(context.Background(), key, blob.Range{}); !errors.Is(err, blob.ErrNotFound) {
		if rc != nil {
			rc.Close()
		}
		t.Errorf("get %s: err = %v, want ErrNotFound", key, err)
	}
	keys := listKeys(t, s, "")
	for _, k := range keys {
		if k == key {
			t.Errorf("list shows %s", key)
		}
	}
}

func listKeys(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(context.Background(), prefix, func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	sort.Strings(keys)
	return keys
}

func testRoundTrip(t *testing.T, s blob.Store, _ Options) {
	data := Data(1, 100_003)
	checkResult(t, put(t, s, "ab/object-1", data), data)
	if got := read(t, s, "ab/object-1", blob.Range{}); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes that differ from the %d stored", len(got), len(data))
	}
}

func testEmpty(t *testing.T, s blob.Store, _ Options) {
	checkResult(t, put(t, s, "empty", nil), nil)
	if got := read(t, s, "empty", blob.Range{}); len(got) != 0 {
		t.Fatalf("read back %d bytes, want 0", len(got))
	}
	info, err := s.Head(context.Background(), "empty")
	if err != nil || info.Size != 0 {
		t.Fatalf("head = %+v, %v; want size 0", info, err)
	}
}

func testLarge(t *testing.T, s blob.Store, o Options) {
	data := Data(2, o.LargeSize+12345)
	checkResult(t, put(t, s, "large", data), data)
	if got := read(t, s, "large", blob.Range{}); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes that differ from the %d stored", len(got), len(data))
	}
	mid := o.LargeSize / 2
	if got := read(t, s, "large", blob.Range{Offset: mid, Length: 1000}); !bytes.Equal(got, data[mid:mid+1000]) {
		t.Fatalf("ranged read in the middle differs")
	}
}

func testRanges(t *testing.T, s blob.Store, _ Options) {
	data := Data(3, 10_000)
	put(t, s, "r", data)
	for _, c := range []struct {
		rng    blob.Range
		lo, hi int
	}{
		{blob.Range{Offset: 0, Length: 1}, 0, 1},
		{blob.Range{Offset: 100, Length: 900}, 100, 1000},
		{blob.Range{Offset: 9_000}, 9_000, 10_000},
		{blob.Range{Offset: 9_999, Length: 1}, 9_999, 10_000},
		{blob.Range{Offset: 9_500, Length: 5_000}, 9_500, 10_000},
		{blob.Range{Length: 10_000}, 0, 10_000},
	} {
		if got := read(t, s, "r", c.rng); !bytes.Equal(got, data[c.lo:c.hi]) {
			t.Errorf("range %+v: got %d bytes, want bytes [%d,%d)", c.rng, len(got), c.lo, c.hi)
		}
	}
}

func testBadRanges(t *testing.T, s blob.Store, _ Options) {
	put(t, s, "r", Data(4, 100))
	for _, rng := range []blob.Range{{Offset: 100}, {Offset: 100, Length: 1}, {Offset: 5000, Length: 10}} {
		rc, err := s.Get(context.Background(), "r", rng)
		if rc != nil {
			rc.Close()
		}
		if !errors.Is(err, blob.ErrInvalidRange) {
			t.Errorf("range %+v: err = %v, want ErrInvalidRange", rng, err)
		}
	}
}

func testHead(t *testing.T, s blob.Store, _ Options) {
	put(t, s, "h/x", Data(5, 4321))
	info, err := s.Head(context.Background(), "h/x")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 4321 || info.Modified.IsZero() {
		t.Fatalf("head = %+v, want size 4321 and a modification time", info)
	}
}

func testMissing(t *testing.T, s blob.Store, _ Options) {
	checkAbsent(t, s, "no/such-key")
}

func testDelete(t *testing.T, s blob.Store, _ Options) {
	put(t, s, "d", Data(6, 10))
	if err := s.Delete(context.Background(), "d"); err != nil {
		t.Fatal(err)
	}
	checkAbsent(t, s, "d")
	if err := s.Delete(context.Background(), "d"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
}

func testReplace(t *testing.T, s blob.Store, _ Options) {
	put(t, s, "x", Data(7, 1000))
	data := Data(8, 500)
	checkResult(t, put(t, s, "x", data), data)
	if got := read(t, s, "x", blob.Range{}); !bytes.Equal(got, data) {
		t.Fatal("read back the old object")
	}
}

func testList(t *testing.T, s blob.Store, _ Options) {
	for _, k := range []string{"p/a", "p/b", "q/c", "p/d"} {
		put(t, s, k, Data(9, 10))
	}
	if err := s.Delete(context.Background(), "p/d"); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(listKeys(t, s, "p/")), "[p/a p/b]"; got != want {
		t.Errorf("list p/ = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(listKeys(t, s, "")), "[p/a p/b q/c]"; got != want {
		t.Errorf("list = %s, want %s", got, want)
	}
	var sizes []int64
	_ = s.List(context.Background(), "q/", func(i blob.Info) error { sizes = append(sizes, i.Size); return nil })
	if fmt.Sprint(sizes) != "[10]" {
		t.Errorf("list sizes = %v, want [10]", sizes)
	}
	stop := errors.New("stop")
	if err := s.List(context.Background(), "", func(blob.Info) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("list with a failing callback: err = %v, want it passed through", err)
	}
}

// failingReader yields n bytes of data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

var errReader = errors.New("the client went away")

func testFailedPut(t *testing.T, s blob.Store, _ Options) {
	_, err := s.Put(context.Background(), "f", &failingReader{data: Data(10, 1000), err: errReader})
	if !errors.Is(err, errReader) {
		t.Fatalf("put: err = %v, want the reader's error", err)
	}
	checkAbsent(t, s, "f")
}

func testFailedLargePut(t *testing.T, s blob.Store, o Options) {
	_, err := s.Put(context.Background(), "f", &failingReader{data: Data(11, o.LargeSize+1), err: errReader})
	if !errors.Is(err, errReader) {
		t.Fatalf("put: err = %v, want the reader's error", err)
	}
	checkAbsent(t, s, "f")
}

func testUnexpectedEOF(t *testing.T, s blob.Store, _ Options) {
	_, err := s.Put(context.Background(), "u", &failingReader{data: Data(12, 100), err: io.ErrUnexpectedEOF})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("put: err = %v, want io.ErrUnexpectedEOF", err)
	}
	checkAbsent(t, s, "u")
}

// blockingReader yields data, then blocks until ctx ends.
type blockingReader struct {
	data []byte
	ctx  context.Context
	sent chan struct{}
	once sync.Once
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if len(b.data) > 0 {
		n := copy(p, b.data)
		b.data = b.data[n:]
		return n, nil
	}
	b.once.Do(func() { close(b.sent) })
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func testCanceledPut(t *testing.T, s blob.Store, _ Options) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &blockingReader{data: Data(13, 5000), ctx: ctx, sent: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := s.Put(ctx, "c", r)
		done <- err
	}()
	<-r.sent
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("put: err = %v, want context.Canceled", err)
	}
	checkAbsent(t, s, "c")
}

func testInvalidKeys(t *testing.T, s blob.Store, _ Options) {
	for _, k := range []string{"", "../escape", "a//b", ".hidden", "a/.b", "sp ace", "a/", "/abs", "back\\slash"} {
		if _, err := s.Put(context.Background(), k, bytes.NewReader(nil)); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("put %q: err = %v, want ErrInvalidKey", k, err)
		}
		if _, err := s.Head(context.Background(), k); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("head %q: err = %v, want ErrInvalidKey", k, err)
		}
	}
}

func testConcurrent(t *testing.T, s blob.Store, _ Options) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Put(context.Background(), fmt.Sprintf("c/%d", i), bytes.NewReader(Data(uint64(100+i), 20_000)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
		if got := read(t, s, fmt.Sprintf("c/%d", i), blob.Range{}); !bytes.Equal(got, Data(uint64(100+i), 20_000)) {
			t.Fatalf("object %d differs", i)
		}
	}
}
