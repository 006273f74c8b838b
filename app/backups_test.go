package app

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"hull/blob"
	"hull/snapshot"
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
// the newest Keep stay.
func TestScheduledBackupsWriteSnapshotsAndKeepTheNewest(t *testing.T) {
	a, files := newFilesApp(t, FilesOptions{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	storeOneFile(t, a, "backed up")

	var mu sync.Mutex
	clock := time.Unix(1_790_000_000, 0)
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Second); return clock }
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.KeepBackedUp(ctx, BackupOptions{Every: 20 * time.Millisecond, Keep: 2, IncludeStorage: true, Now: tick})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		written := clock.Sub(time.Unix(1_790_000_000, 0)) / time.Second
		mu.Unlock()
		if written >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d backups were started", written)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done

	all, err := a.Backups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("%d backups kept, want 2: %+v", len(all), all)
	}
	for _, b := range all {
		r, err := files.Get(context.Background(), b.Key, blob.Range{})
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
			if tb.Name == "_storage" {
				found = true
			}
		}
		if !found {
			t.Fatalf("backup %s lacks the _storage table: %+v", b.Key, zr.Tables())
		}
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
