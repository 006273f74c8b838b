package database_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"hull/database"
	"hull/persistence/sqlite"
	"hull/value"
)

// env is a database on a real SQLite store in a temp dir, reopenable.
type env struct {
	t     *testing.T
	path  string
	store *sqlite.Store
	db    *database.DB
	clock *clock
	key   []byte
}

// clock is a settable test clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "hull.db"), clock: &clock{now: time.Unix(1_700_000_000, 0)}, key: []byte("test cursor key")}
	e.open()
	t.Cleanup(func() {
		e.db.Close()
		e.store.Close()
	})
	return e
}

func (e *env) open() {
	e.t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, e.path, sqlite.Options{})
	if err != nil {
		e.t.Fatalf("open store: %v", err)
	}
	lease, err := st.Acquire(ctx, "test")
	if err != nil {
		e.t.Fatalf("acquire: %v", err)
	}
	db, err := database.Open(ctx, st, lease, database.Options{CursorKey: e.key, Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("open db: %v", err)
	}
	e.store, e.db = st, db
}

// reopen closes the store and opens the database again, as a restart does.
func (e *env) reopen() {
	e.t.Helper()
	e.db.Close()
	if err := e.store.Close(); err != nil {
		e.t.Fatalf("close: %v", err)
	}
	e.open()
}

// mutate runs fn in a mutation, commits it and waits for the index
// backfills it started.
func (e *env) mutate(fn func(tx *database.Tx)) int64 {
	e.t.Helper()
	ctx := context.Background()
	tx, err := e.db.Begin(ctx)
	if err != nil {
		e.t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback()
	fn(tx)
	ts, err := tx.Commit(ctx)
	if err != nil {
		e.t.Fatalf("commit: %v", err)
	}
	if err := e.db.WaitBackfills(ctx); err != nil {
		e.t.Fatalf("wait for backfills: %v", err)
	}
	return ts
}

// read runs fn in a read-only transaction at the durable ts.
func (e *env) read(fn func(tx *database.Tx)) {
	e.t.Helper()
	tx, err := e.db.BeginRead(context.Background(), 0)
	if err != nil {
		e.t.Fatalf("begin read: %v", err)
	}
	defer tx.Rollback()
	fn(tx)
}

// obj builds an object from JSON (Convex-encoded).
func obj(t *testing.T, js string) value.Object {
	t.Helper()
	v, err := value.FromJSON([]byte(js))
	if err != nil {
		t.Fatalf("FromJSON(%s): %v", js, err)
	}
	o, ok := v.(value.Object)
	if !ok {
		t.Fatalf("%s is not an object", js)
	}
	return o
}

func mustInsert(t *testing.T, tx *database.Tx, table, js string) value.ID {
	t.Helper()
	id, err := tx.Insert(context.Background(), table, obj(t, js))
	if err != nil {
		t.Fatalf("insert %s into %s: %v", js, table, err)
	}
	return id
}

// userFields renders a document without its system fields, as JSON.
func userFields(doc value.Object) string {
	return string(value.ToJSON(doc.Without("_id").Without("_creationTime")))
}

// query parses a serialized query given as a Go value.
func query(t *testing.T, q any) *database.Query {
	t.Helper()
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	pq, err := database.ParseQuery(b)
	if err != nil {
		t.Fatalf("ParseQuery(%s): %v", b, err)
	}
	return pq
}

func collect(t *testing.T, tx *database.Tx, q *database.Query) ([]string, error) {
	t.Helper()
	ctx := context.Background()
	s, err := tx.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	docs, err := s.Collect(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, d := range docs {
		out = append(out, userFields(d))
	}
	return out, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
