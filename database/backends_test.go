package database_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hull/database"
	"hull/persistence"
	"hull/persistence/postgres"
	"hull/persistence/sqlite"
)

// backend opens a fresh, empty store.
type backend struct {
	name string
	open func(t *testing.T) persistence.Store
}

// backends returns SQLite always and PostgreSQL when
// HULL_TEST_POSTGRES_URL names a server (each test gets its own database).
func backends(t *testing.T) []backend {
	t.Helper()
	out := []backend{{name: "sqlite", open: openSQLite}}
	if u := os.Getenv("HULL_TEST_POSTGRES_URL"); u != "" {
		out = append(out, backend{name: "postgres", open: func(t *testing.T) persistence.Store { return openPostgres(t, u) }})
	}
	return out
}

func openSQLite(t *testing.T) persistence.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hull.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openPostgres(t *testing.T, server string) persistence.Store {
	t.Helper()
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "hull_dbtest_" + hex.EncodeToString(b[:])
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse HULL_TEST_POSTGRES_URL: %v", err)
	}
	u.Path = ""
	st, err := postgres.Open(ctx, postgres.Config{URL: u.String(), InstanceName: name, MaxConns: 16})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		st.Close()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Logf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	return st
}

// openDB opens a database over st under a fresh lease and closes it at
// the end of the test.
func openDB(t *testing.T, st persistence.Store, opts database.Options) *database.DB {
	t.Helper()
	ctx := context.Background()
	lease, err := st.Acquire(ctx, "test")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	if opts.Retry.Backoff == 0 {
		opts.Retry = database.RetryPolicy{MaxRetries: 1000, Backoff: 100 * time.Microsecond, MaxBackoff: 5 * time.Millisecond}
	}
	db, err := database.Open(ctx, st, lease, opts)
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// countingStore records the store writes the committer makes: how many,
// the size of each group, and whether two ever overlapped. A gate, when
// set, holds the next Write until it is closed; fail makes writes fail.
type countingStore struct {
	persistence.Store

	mu         sync.Mutex
	groups     []int
	gate       chan struct{}
	fail       error
	inWrite    atomic.Int32
	overlapped atomic.Bool
	entered    chan struct{} // receives a token as each Write starts
}

func newCountingStore(st persistence.Store) *countingStore {
	return &countingStore{Store: st, entered: make(chan struct{}, 1024)}
}

func (c *countingStore) Write(ctx context.Context, lease persistence.Lease, commits []persistence.Commit) error {
	if c.inWrite.Add(1) > 1 {
		c.overlapped.Store(true)
	}
	defer c.inWrite.Add(-1)
	c.entered <- struct{}{}
	c.mu.Lock()
	gate := c.gate
	c.gate = nil
	c.groups = append(c.groups, len(commits))
	c.mu.Unlock()
	if gate != nil {
		<-gate
	}
	c.mu.Lock()
	fail := c.fail
	c.mu.Unlock()
	if fail != nil {
		return fail
	}
	return c.Store.Write(ctx, lease, commits)
}

func (c *countingStore) setGate(g chan struct{}) {
	c.mu.Lock()
	c.gate = g
	c.mu.Unlock()
}

func (c *countingStore) setFail(err error) {
	c.mu.Lock()
	c.fail = err
	c.mu.Unlock()
}

func (c *countingStore) groupSizes() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.groups...)
}
