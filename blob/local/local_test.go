package local

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hull/blob"
	"hull/blob/blobtest"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, blobtest.Options{})
}

func TestPartialUploadsAreInvisibleAndCleanedUp(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// Temporary files as a crash mid-upload leaves them, at the top and
	// beside other objects.
	if _, err := s.Put(context.Background(), "ab/kept", bytes.NewReader([]byte("kept"))); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(s.Root(), "ab", tempPrefix+"123")
	if err := os.WriteFile(stale, []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(s.Root(), tempPrefix+"456")
	if err := os.WriteFile(fresh, []byte("in progress"), 0o600); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := s.List(context.Background(), "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil || len(keys) != 1 {
		t.Fatalf("list shows %v (err %v), want only ab/kept", keys, err)
	}
	removed, err := s.CleanPartial(context.Background(), time.Now().Add(-time.Hour))
	if err != nil || removed != 1 {
		t.Fatalf("CleanPartial = %d, %v; want 1 removed", removed, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("the stale temporary file is still there")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("the recent temporary file was removed")
	}
}

func TestOpenOnAnUnwritableFolderCarriesAHint(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path under a regular file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		_, err := Open(filepath.Join(f, "files"))
		if err == nil || blob.Hint(err) == "" {
			t.Fatalf("Open under a file: err = %v, want an error with a hint", err)
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	_, err := Open(filepath.Join(dir, "files"))
	if err == nil || blob.Hint(err) == "" {
		t.Fatalf("Open: err = %v, want an error with a hint", err)
	}
}

func TestAKeyNamingAFolderIsNotFound(t *testing.T) {
	s, _ := Open(t.TempDir())
	if _, err := s.Put(context.Background(), "ab/cd", bytes.NewReader([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), "ab", blob.Range{}); err == nil {
		t.Fatal("get of a folder succeeded")
	}
	if _, err := s.Head(context.Background(), "ab"); err == nil {
		t.Fatal("head of a folder succeeded")
	}
}
