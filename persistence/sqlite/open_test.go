package sqlite

import (
	"database/sql"
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

// A file of schema version 1 keeps its documents when the current
// documents move into a rowid table (version 2), and large documents then
// stay in their pages instead of an overflow page each.
func TestOpenMigratesDocumentsToARowidTable(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	old, err := sql.Open("sqlite", path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigration(ctx, old, 0); err != nil {
		t.Fatalf("version 1: %v", err)
	}
	docs := []struct {
		id    byte
		value string
	}{{1, `{"a":1}`}, {2, strings.Repeat("x", 1100)}, {3, strings.Repeat("y", 9000)}}
	for _, d := range docs {
		id := make([]byte, 16)
		id[0] = d.id
		if _, err := old.ExecContext(ctx, `INSERT INTO documents (tbl, id, ts, prev_ts, value) VALUES (10001, ?, 5, 0, ?)`, id, []byte(d.value)); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	s, err := Open(ctx, path, quietOptions())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	var ddl string
	if err := s.read.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'documents'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
		t.Fatalf("documents is still a WITHOUT ROWID table: %s", ddl)
	}
	for _, d := range docs {
		var got []byte
		id := make([]byte, 16)
		id[0] = d.id
		if err := s.read.QueryRowContext(ctx, `SELECT value FROM documents WHERE tbl = 10001 AND id = ?`, id).Scan(&got); err != nil {
			t.Fatalf("document %d after the migration: %v", d.id, err)
		}
		if string(got) != d.value {
			t.Fatalf("document %d changed in the migration", d.id)
		}
	}
}
