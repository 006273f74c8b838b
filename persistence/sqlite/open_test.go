package sqlite

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenConfiguresDurability(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hull.db")
	s, err := Open(t.Context(), path, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	cases := []struct {
		name, pragma, want string
	}{
		{"the journal is a write-ahead log", "journal_mode", "wal"},
		{"commits sync fully", "synchronous", "2"},
		{"auto-vacuum is incremental", "auto_vacuum", "2"},
		{"connections wait for locks", "busy_timeout", "10000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got string
			if err := s.write.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&got); err != nil {
				t.Fatalf("pragma %s: %v", c.pragma, err)
			}
			if !strings.EqualFold(got, c.want) {
				t.Fatalf("pragma %s = %q, want %q", c.pragma, got, c.want)
			}
		})
	}
	var version int
	if err := s.read.QueryRowContext(t.Context(), `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("schema version = %d, %v; want %d", version, err, len(migrations))
	}
	if _, err := s.read.ExecContext(t.Context(), `INSERT INTO meta (key, value) VALUES ('x', 1)`); err == nil {
		t.Fatalf("the read pool accepted a write")
	}
}

func TestOpenRejectsPathsThatAreNotPlainFiles(t *testing.T) {
	for _, p := range []string{"", "file:hull.db", "hull.db?mode=memory", "a#b"} {
		if _, err := Open(t.Context(), p, Options{}); err == nil {
			t.Fatalf("open %q succeeded", p)
		}
	}
}
