package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"testing/iotest"
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
