package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"slices"
	"testing"
	"testing/iotest"
	"time"
)

func TestCopyHashed(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB, several buffers
	boom := errors.New("boom")
	tests := []struct {
		name    string
		src     io.Reader
		want    []byte
		wantErr error
	}{
		{"a stream copies whole with its size and hash", bytes.NewReader(data), data, nil},
		{"an empty stream copies as nothing", bytes.NewReader(nil), nil, nil},
		{"one byte at a time copies the same", iotest.OneByteReader(bytes.NewReader(data[:5000])), data[:5000], nil},
		{"a read error is returned as is", io.MultiReader(bytes.NewReader(data[:1000]), iotest.ErrReader(boom)), nil, boom},
		{"an unexpected EOF is an error, not the end", io.MultiReader(bytes.NewReader(data[:10]), iotest.ErrReader(io.ErrUnexpectedEOF)), nil, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dst bytes.Buffer
			res, err := CopyHashed(context.Background(), &dst, tc.src)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(dst.Bytes(), tc.want) || res.Size != int64(len(tc.want)) || res.SHA256 != sha256.Sum256(tc.want) {
				t.Fatalf("CopyHashed = %+v, %v; copied %d bytes", res, err, dst.Len())
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CopyHashed(ctx, io.Discard, bytes.NewReader(data)); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled copy: err = %v", err)
	}
}

// slowWriter copies what it is given after a pause, so the hash is done
// with a buffer long before the copy is: a buffer refilled too early would
// corrupt what is written.
type slowWriter struct{ buf bytes.Buffer }

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	return w.buf.Write(p)
}

func (w *slowWriter) Bytes() []byte { return w.buf.Bytes() }

func TestCopyHashingReturnsOnceWrittenAndSumWaitsForTheHash(t *testing.T) {
	data := bytes.Repeat([]byte("fedcba9876543210"), 300_000) // 4.8 MB, more than all the buffers
	tests := []struct {
		name string
		src  io.Reader
		dst  interface {
			io.Writer
			Bytes() []byte
		}
	}{
		{"a fast writer", bytes.NewReader(data), &bytes.Buffer{}},
		{"small reads", iotest.HalfReader(bytes.NewReader(data)), &bytes.Buffer{}},
		{"a writer slower than the hash", bytes.NewReader(data), &slowWriter{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := CopyHashing(context.Background(), tc.dst, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(tc.dst.Bytes(), data) {
				t.Fatalf("wrote %d bytes that differ from the %d read", len(tc.dst.Bytes()), len(data))
			}
			if res := sum(); res.Size != int64(len(data)) || res.SHA256 != sha256.Sum256(data) {
				t.Fatalf("sum = %+v, want the size and hash of the data", res)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := CopyHashing(context.Background(), failWriter{boom}, bytes.NewReader(data)); !errors.Is(err, boom) {
		t.Fatalf("a failing writer: err = %v, want %v", err, boom)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestCheckKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"ab/0f1e-uuid": true, "a.b_c-d": true, "": false, ".x": false, "a/.b": false, "a//b": false, "a/": false,
		"../x": false, "a b": false, "ä": false, string(make([]byte, MaxKeyLen+1)): false,
	} {
		if err := CheckKey(key); (err == nil) != ok {
			t.Errorf("CheckKey(%q) = %v, want ok %v", key, err, ok)
		}
	}
}

func TestReadFullHashed(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB
	boom := errors.New("boom")
	tests := []struct {
		name      string
		src       io.Reader
		bufSize   int
		wantParts []int // bytes of each buffer filled, until the stream ends
		wantErr   error
	}{
		{"a stream shorter than the buffer ends in it", bytes.NewReader(data[:1000]), 4096, []int{1000}, nil},
		{"a stream spans several buffers", bytes.NewReader(data), 700_000, []int{700_000, 700_000, 200_000}, nil},
		{"a stream of exactly one buffer ends with an empty one", bytes.NewReader(data[:4096]), 4096, []int{4096, 0}, nil},
		{"one byte at a time fills the same", iotest.OneByteReader(bytes.NewReader(data[:300_000])), 200_000, []int{200_000, 100_000}, nil},
		{"small reads are handed over in batches", iotest.HalfReader(bytes.NewReader(data)), 1 << 20, []int{1 << 20, len(data) - 1<<20}, nil},
		{"an empty stream ends at once", bytes.NewReader(nil), 4096, []int{0}, nil},
		{"a read error is returned as is", io.MultiReader(bytes.NewReader(data[:1000]), iotest.ErrReader(boom)), 4096, nil, boom},
		{"an unexpected EOF is an error, not the end", io.MultiReader(bytes.NewReader(data[:10]), iotest.ErrReader(io.ErrUnexpectedEOF)), 4096, nil, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hp := NewHashPipe()
			defer hp.Close()
			var got []byte
			var parts []int
			for {
				// A fresh buffer each time, overwritten after Wait: the
				// pipe must be done with a buffer once Wait returns.
				buf := make([]byte, tc.bufSize)
				n, ended, err := ReadFullHashed(context.Background(), tc.src, buf, hp)
				if err != nil {
					if tc.wantErr == nil || !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
					return
				}
				got = append(got, buf[:n]...)
				parts = append(parts, n)
				hp.Wait()
				clear(buf)
				if ended {
					break
				}
			}
			if tc.wantErr != nil {
				t.Fatalf("no error, want %v", tc.wantErr)
			}
			want := data[:len(got)]
			res := hp.Result()
			if !bytes.Equal(got, want) || res.Size != int64(len(want)) || res.SHA256 != sha256.Sum256(want) {
				t.Fatalf("read %d bytes, result %+v; want %d bytes hashed", len(got), res, len(want))
			}
			if !slices.Equal(parts, tc.wantParts) {
				t.Fatalf("buffers filled %v, want %v", parts, tc.wantParts)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	hp := NewHashPipe()
	defer hp.Close()
	if _, _, err := ReadFullHashed(ctx, bytes.NewReader(data), make([]byte, 10), hp); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled read: err = %v", err)
	}
}
