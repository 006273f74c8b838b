package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hull/blob"
	"hull/blob/local"
	"hull/database"
	"hull/persistence/sqlite"
	"hull/value"
)

var tokenKey = []byte("0123456789abcdef0123456789abcdef")

func TestUploadTokens(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	good := newUploadToken(tokenKey, now.Add(time.Hour), "")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name  string
		token string
		key   []byte
		at    time.Time
		want  error
	}{
		{"a fresh token is accepted", good, tokenKey, now, nil},
		{"a token is accepted until just before it expires", good, tokenKey, now.Add(time.Hour - time.Millisecond), nil},
		{"a token is refused once it expires", good, tokenKey, now.Add(time.Hour), errTokenExpired},
		{"a token from another deployment is not valid", good, []byte("another key"), now, errTokenInvalid},
		{"a token with a changed expiry is not valid", flip(good, 3), tokenKey, now, errTokenInvalid},
		{"a token with a changed signature is not valid", flip(good, len(good)-2), tokenKey, now, errTokenInvalid},
		{"a truncated token is not valid", good[:len(good)-1], tokenKey, now, errTokenInvalid},
		{"an empty token is not valid", "", tokenKey, now, errTokenInvalid},
		{"padding is not part of a token", good + "=", tokenKey, now, errTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := parseUploadToken(tc.key, tc.token, "", tc.at)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && (len(tok.nonce) != 32 || !tok.expires.Equal(now.Add(time.Hour))) {
				t.Fatalf("token = %+v", tok)
			}
		})
	}
	if newUploadToken(tokenKey, now, "") == newUploadToken(tokenKey, now, "") {
		t.Error("two tokens for the same expiry are equal: the nonce is missing")
	}
}

func FuzzParseUploadToken(f *testing.F) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	f.Add(newUploadToken(tokenKey, now.Add(time.Hour), ""))
	f.Add("")
	f.Add(strings.Repeat("A", 54))
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseUploadToken(tokenKey, s, "", now)
		if err == nil && tok.nonce == "" {
			t.Fatalf("accepted %q without a nonce", s)
		}
	})
}

// newFilesApp opens an App over a fresh SQLite file with file storage in
// a local folder, and a clock the test moves.
func newFilesApp(t *testing.T, opts FilesOptions, clock *time.Time) (*App, *local.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hull.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lease, err := st.Acquire(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, st, lease, database.Options{CursorKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	files, err := local.Open(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Store == nil {
		opts.Store = files
	}
	opts.TokenKey = tokenKey
	a, err := New(ctx, st, db, Options{Logger: slog.New(slog.DiscardHandler), Files: opts})
	if err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		a.files.now = func() time.Time { return *clock }
	}
	return a, files
}

func tokenOf(t *testing.T, uploadURL string) string {
	t.Helper()
	u, err := url.Parse(uploadURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

func objects(t *testing.T, s blob.Store) []string {
	t.Helper()
	var keys []string
	if err := s.List(context.Background(), "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

func wantAppError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != status || (code != "" && ae.Code != code) {
		t.Fatalf("err = %v, want a %d %s", err, status, code)
	}
}

func TestAnUploadStoresBytesAndMetadataTogether(t *testing.T) {
	ctx := context.Background()
	a, store := newFilesApp(t, FilesOptions{}, nil)
	u, err := a.files.UploadURL("http://hull.test")
	if err != nil || !strings.HasPrefix(u, "http://hull.test/api/storage/upload?token=") {
		t.Fatalf("UploadURL = %q, %v", u, err)
	}
	data := bytes.Repeat([]byte("file "), 10_000)
	id, err := a.files.Upload(ctx, Upload{Token: tokenOf(t, u), ContentType: "text/plain", Length: int64(len(data)), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	if id.Table != value.TableStorage {
		t.Fatalf("id %s is not in _storage", id)
	}
	tx, _ := a.db.BeginRead(ctx, 0)
	doc, ok, err := tx.Get(ctx, id)
	tx.Rollback()
	sum := sha256.Sum256(data)
	if err != nil || !ok || strField(doc, "sha256") != base64.StdEncoding.EncodeToString(sum[:]) || strField(doc, "contentType") != "text/plain" {
		t.Fatalf("_storage document = %v, %v, %v", doc, ok, err)
	}
	if size, _ := doc.Get("size"); size != value.Float64(len(data)) {
		t.Fatalf("size = %v", size)
	}
	keys := objects(t, store)
	if len(keys) != 1 {
		t.Fatalf("objects = %v, want one", keys)
	}
	uuid, _ := uuidOfKey(keys[0])
	file, ok, err := a.files.Lookup(ctx, uuid)
	if err != nil || !ok || file.ID != id || file.Size != int64(len(data)) || file.SHA256 != sum {
		t.Fatalf("Lookup = %+v, %v, %v", file, ok, err)
	}
	rc, err := a.files.Read(ctx, file, blob.Range{Offset: 5, Length: 5})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "file " {
		t.Fatalf("range read %q", got)
	}
	if _, ok, _ := a.files.Lookup(ctx, newUUID()); ok {
		t.Fatal("an unknown id was found")
	}
	if _, ok, _ := a.files.Lookup(ctx, "../../etc/passwd"); ok {
		t.Fatal("a malformed id was found")
	}
}

func TestAnUploadURLWorksOnce(t *testing.T) {
	ctx := context.Background()
	a, store := newFilesApp(t, FilesOptions{}, nil)
	u, _ := a.files.UploadURL("")
	if _, err := a.files.Upload(ctx, Upload{Token: tokenOf(t, u), Length: -1, Body: strings.NewReader("one")}); err != nil {
		t.Fatal(err)
	}
	_, err := a.files.Upload(ctx, Upload{Token: tokenOf(t, u), Length: -1, Body: strings.NewReader("two")})
	wantAppError(t, err, 403, "InvalidStorageUploadUrl")
	if n := len(objects(t, store)); n != 1 {
		t.Fatalf("%d objects stored, want 1", n)
	}
}

func TestRefusedUploadsLeaveNothing(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	a, store := newFilesApp(t, FilesOptions{MaxUploadBytes: 1000, UploadURLTTL: time.Minute}, &clock)
	token := func() string { u, _ := a.files.UploadURL(""); return tokenOf(t, u) }
	tests := []struct {
		name   string
		up     Upload
		status int
		code   string
	}{
		{"a declared length over the limit", Upload{Token: token(), Length: 1001, Body: strings.NewReader("x")}, 413, "PayloadTooLarge"},
		{"a streamed body over the limit", Upload{Token: token(), Length: -1, Body: bytes.NewReader(make([]byte, 1001))}, 413, "PayloadTooLarge"},
		{"a body cut short", Upload{Token: token(), Length: -1, Body: io.MultiReader(strings.NewReader("half"), errReader{io.ErrUnexpectedEOF})}, 400, "BadRequest"},
		{"a body that does not match its digest", Upload{Token: token(), Length: -1, Body: strings.NewReader("abc"), SHA256: make([]byte, 32)}, 400, "Sha256Mismatch"},
		{"a forged token", Upload{Token: "forged", Length: -1, Body: strings.NewReader("x")}, 403, "InvalidStorageUploadUrl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.files.Upload(ctx, tc.up)
			wantAppError(t, err, tc.status, tc.code)
		})
	}
	late := token()
	clock = clock.Add(time.Minute)
	_, err := a.files.Upload(ctx, Upload{Token: late, Length: -1, Body: strings.NewReader("late")})
	wantAppError(t, err, 403, "InvalidStorageUploadUrl")
	deadline := time.Now().Add(5 * time.Second)
	for len(objects(t, store)) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the digest mismatch removes its bytes in the background
	}
	if keys := objects(t, store); len(keys) != 0 {
		t.Fatalf("objects left: %v", keys)
	}
	tx, _ := a.db.BeginRead(ctx, 0)
	docs, _ := tx.SystemScan(ctx, storageTable)
	tx.Rollback()
	if len(docs) != 0 {
		t.Fatalf("%d _storage documents, want none", len(docs))
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestTheSweepRemovesOnlyOldOrphans(t *testing.T) {
	ctx := context.Background()
	clock := time.Now()
	a, store := newFilesApp(t, FilesOptions{UploadURLTTL: time.Minute}, &clock)
	u, _ := a.files.UploadURL("")
	if _, err := a.files.Upload(ctx, Upload{Token: tokenOf(t, u), Length: -1, Body: strings.NewReader("kept")}); err != nil {
		t.Fatal(err)
	}
	kept := objects(t, store)[0]
	oldOrphan, freshOrphan := blobKey(newUUID()), blobKey(newUUID())
	for _, k := range []string{oldOrphan, freshOrphan, "not-hulls/file"} {
		if _, err := store.Put(ctx, k, strings.NewReader("orphan")); err != nil {
			t.Fatal(err)
		}
	}
	old := clock.Add(-2 * time.Hour)
	for _, k := range []string{kept, oldOrphan, "not-hulls/file"} {
		os.Chtimes(filepath.Join(store.Root(), k), old, old)
	}
	partial := filepath.Join(store.Root(), ".put-crashed")
	os.WriteFile(partial, []byte("half"), 0o600)
	os.Chtimes(partial, old, old)

	clock = clock.Add(3 * time.Minute) // the used upload URL has expired
	st, err := a.files.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st != (SweepStats{Orphans: 1, Partial: 1, Tokens: 1}) {
		t.Fatalf("sweep = %+v, want one orphan, one partial upload and one token", st)
	}
	left := strings.Join(objects(t, store), " ")
	for _, k := range []string{kept, freshOrphan, "not-hulls/file"} {
		if !strings.Contains(left, k) {
			t.Errorf("%s was removed", k)
		}
	}
	if strings.Contains(left, oldOrphan) {
		t.Error("the old orphan is still there")
	}
}

// failingStore fails every Put with an operator hint.
type failingStore struct{ blob.Store }

func (failingStore) Put(ctx context.Context, key string, r io.Reader) (blob.PutResult, error) {
	io.Copy(io.Discard, r)
	return blob.PutResult{}, &blob.Error{Op: "put", Key: key, Err: errors.New("access denied"), Fix: "check AWS_SECRET_ACCESS_KEY"}
}

func TestAStoreFailureReachesTheClientWithItsHint(t *testing.T) {
	ctx := context.Background()
	a, _ := newFilesApp(t, FilesOptions{Store: failingStore{}}, nil)
	u, _ := a.files.UploadURL("")
	_, err := a.files.Upload(ctx, Upload{Token: tokenOf(t, u), Length: -1, Body: strings.NewReader("x")})
	wantAppError(t, err, 503, "FileStorageUnavailable")
	if !strings.Contains(err.Error(), "Hint: check AWS_SECRET_ACCESS_KEY") {
		t.Fatalf("err = %v, want the hint", err)
	}
}
