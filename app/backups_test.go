package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"hull/blob"
	hulls3 "hull/blob/s3"
	"hull/blob/s3/s3test"
	"hull/snapshot"
	"hull/value"
)

func TestBackupKeys(t *testing.T) {
	at := time.Unix(1_790_000_000, 123)
	tests := []struct {
		key  string
		ok   bool
		want time.Time
	}{
		{backupKey(at, 42), true, at},
		{"backups/backup_x_1.zip", false, time.Time{}},
		{"backups/other.zip", false, time.Time{}},
		{"snapshots/snapshot_1.zip", false, time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseBackupKey(tt.key)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseBackupKey(%q) = %v, %v; want %v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
	if a, b := backupKey(time.Unix(9, 0), 1), backupKey(time.Unix(10, 0), 1); a >= b {
		t.Errorf("keys do not sort by time: %q >= %q", a, b)
	}
}

// Backups run on their schedule, each a snapshot that reads back, and only
// the newest Keep stay: in the local folder and in an S3 bucket.
func TestScheduledBackupsWriteSnapshotsAndKeepTheNewest(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T, files blob.Store) blob.Store
	}{
		{"local folder", func(_ *testing.T, files blob.Store) blob.Store { return files }},
		{"S3", func(t *testing.T, _ blob.Store) blob.Store {
			o := s3test.NewBucket(t)
			o.Prefix = fmt.Sprintf("backups-test-%d/", time.Now().UnixNano())
			s, err := hulls3.Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			a, files := newFilesApp(t, FilesOptions{}, nil)
			store := b.open(t, files)
			a.opts.Snapshots = store
			storeOneFile(t, a, "backed up")
			runBackups(t, a, 4)
			newest := checkBackups(t, a, store, 2)
			restoreBackup(t, store, newest, "backed up")
		})
	}
}

// runBackups runs KeepBackedUp (every 20 ms, keeping 2) until n backups
// have started.
func runBackups(t *testing.T, a *App, n int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	start := time.Unix(1_790_000_000, 0)
	clock := start
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Second); return clock }
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.KeepBackedUp(ctx, BackupOptions{Every: 20 * time.Millisecond, Keep: 2, IncludeStorage: true, Now: tick})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		started := int(clock.Sub(start) / time.Second)
		mu.Unlock()
		if started >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d backups were started", started)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

// checkBackups checks that want backups are stored, each a snapshot with
// the _storage table and the stored file's bytes.
func checkBackups(t *testing.T, a *App, store blob.Store, want int) string {
	t.Helper()
	all, err := a.Backups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != want {
		t.Fatalf("%d backups kept, want %d: %+v", len(all), want, all)
	}
	for _, b := range all {
		r, err := store.Get(context.Background(), b.Key, blob.Range{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		zr, err := snapshot.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("backup %s does not read as a snapshot: %v", b.Key, err)
		}
		found := false
		for _, tb := range zr.Tables() {
			found = found || tb.Name == "_storage"
		}
		if !found {
			t.Fatalf("backup %s lacks the _storage table: %+v", b.Key, zr.Tables())
		}
	}
	return all[len(all)-1].Key
}

// restoreBackup imports the backup at key into a fresh deployment and
// checks its one file came back with the same bytes.
func restoreBackup(t *testing.T, store blob.Store, key, body string) {
	t.Helper()
	ctx := context.Background()
	r, err := store.Get(ctx, key, blob.Range{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := newFilesApp(t, FilesOptions{}, nil)
	res, err := fresh.Import(ctx, bytes.NewReader(data), int64(len(data)), ImportRequest{Format: snapshot.FormatZIP, Mode: ImportReplaceAll})
	if err != nil {
		t.Fatalf("restore %s: %v", key, err)
	}
	if res.Files != 1 {
		t.Fatalf("restored %+v, want the one file", res)
	}
	tx, err := fresh.db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var got []string
	err = tx.EachDocument(ctx, "_storage", func(doc value.Object) error {
		raw, _ := doc.Get("_id")
		id, err := value.ParseID(string(raw.(value.String)))
		if err != nil {
			return err
		}
		f, ok, err := fresh.files.ByID(ctx, id)
		if err != nil || !ok {
			return fmt.Errorf("file %v: ok %v, %w", id, ok, err)
		}
		rc, err := fresh.files.Read(ctx, f, Range{})
		if err != nil {
			return err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		got = append(got, string(b))
		return err
	})
	if err != nil || len(got) != 1 || got[0] != body {
		t.Fatalf("restored files %q, %v; want [%q]", got, err, body)
	}
}

// A process that starts while the newest backup is recent waits for the
// rest of the interval instead of backing up at once.
func TestBackupsResumeTheirScheduleAfterARestart(t *testing.T) {
	a, _ := newFilesApp(t, FilesOptions{}, nil)
	now := time.Now()
	if _, err := a.Backup(context.Background(), BackupOptions{Keep: 3, Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	a.KeepBackedUp(ctx, BackupOptions{Every: time.Hour, Keep: 3})
	all, err := a.Backups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("%d backups after a restart within the interval, want the 1 from before", len(all))
	}
}

// storeOneFile uploads a small file through an upload URL.
func storeOneFile(t *testing.T, a *App, body string) {
	t.Helper()
	u, err := a.files.UploadURL("http://127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.files.Upload(context.Background(), Upload{Token: tokenOf(t, u), Length: int64(len(body)), Body: bytes.NewReader([]byte(body))}); err != nil {
		t.Fatal(err)
	}
}
