package database_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"hull/database"
	"hull/persistence"
	"hull/value"
)

// readCountingStore counts point-read round trips; lostAck, when set,
// makes the next Write report an error after it became durable (a lost
// acknowledgement).
type readCountingStore struct {
	persistence.Store
	gets    atomic.Int64
	lostAck atomic.Bool
}

func (s *readCountingStore) Get(ctx context.Context, ids []persistence.DocID, at int64) (map[persistence.DocID]persistence.Revision, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, ids, at)
}

func (s *readCountingStore) Write(ctx context.Context, lease persistence.Lease, commits []persistence.Commit) error {
	if err := s.Store.Write(ctx, lease, commits); err != nil {
		return err
	}
	if s.lostAck.Swap(false) {
		return errors.New("connection reset after the commit")
	}
	return nil
}

func getField(t *testing.T, db *database.DB, ts int64, id value.ID, field string) (value.Value, bool) {
	t.Helper()
	tx, err := db.BeginRead(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	doc, ok, err := tx.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s at %d: %v", id, ts, err)
	}
	if !ok {
		return nil, false
	}
	v, _ := doc.Get(field)
	return v, true
}

func TestTheDocumentCacheAnswersPointReadsAtTheDurableWatermark(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			st := &readCountingStore{Store: be.open(t)}
			db := openDB(t, st, database.Options{})
			id := insertDoc(t, db, "t", `{"n":1}`)
			before := db.DurableTS()
			commitWith(t, db, func(tx *database.Tx) { mustPatch(t, tx, id, `{"n":2}`) })
			gone := insertDoc(t, db, "t", `{"n":9}`)
			commitWith(t, db, func(tx *database.Tx) {
				if _, err := tx.Delete(ctx, gone); err != nil {
					t.Fatal(err)
				}
			})

			st.gets.Store(0)
			if v, _ := getField(t, db, 0, id, "n"); !value.Equal(v, value.Float64(2)) {
				t.Fatalf("latest n = %v, want 2", v)
			}
			if _, ok := getField(t, db, 0, gone, "n"); ok {
				t.Fatal("a deleted document was found")
			}
			if n := st.gets.Load(); n != 0 {
				t.Fatalf("%d store reads for documents the committer wrote, want 0", n)
			}
			// An older snapshot is older than the cached version: the store
			// answers, with the version of that snapshot.
			if v, _ := getField(t, db, before, id, "n"); !value.Equal(v, value.Float64(1)) {
				t.Fatalf("n at the older snapshot = %v, want 1", v)
			}
			if st.gets.Load() == 0 {
				t.Fatal("the older snapshot was answered from the cache")
			}
		})
	}
}

func TestReadsOfTheCurrentStateFillTheCache(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			raw := be.open(t)
			first := openDB(t, raw, database.Options{})
			id := insertDoc(t, first, "t", `{"n":1}`)
			first.Close()
			st := &readCountingStore{Store: raw}
			db := openDB(t, st, database.Options{})
			for i := range 3 {
				if v, _ := getField(t, db, 0, id, "n"); !value.Equal(v, value.Float64(1)) {
					t.Fatalf("read %d: n = %v", i, v)
				}
			}
			if n := st.gets.Load(); n != 1 {
				t.Fatalf("%d store reads for three reads of one document, want 1", n)
			}
		})
	}
}

func TestACommitOfUnknownOutcomeEmptiesTheCache(t *testing.T) {
	st := &readCountingStore{Store: openSQLite(t)}
	db := openDB(t, st, database.Options{})
	id := insertDoc(t, db, "t", `{"n":1}`)
	getField(t, db, 0, id, "n")
	st.lostAck.Store(true)
	if err := commitWith(t, db, func(tx *database.Tx) { mustPatch(t, tx, id, `{"n":2}`) }); err == nil {
		t.Fatal("a commit whose acknowledgement was lost succeeded")
	}
	if v, _ := getField(t, db, 0, id, "n"); !value.Equal(v, value.Float64(2)) {
		t.Fatalf("n = %v after the durable but unacknowledged commit, want 2", v)
	}
}

func TestAFencedDatabaseNeitherCommitsNorReadsItsCache(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			st := be.open(t)
			old := openDB(t, st, database.Options{})
			id := insertDoc(t, old, "t", `{"n":1}`)
			getField(t, old, 0, id, "n") // cached

			successor := openDB(t, st, database.Options{})
			commitWith(t, successor, func(tx *database.Tx) { mustPatch(t, tx, id, `{"n":2}`) })

			// The lease watcher's hook: a lease check found the takeover.
			if err := st.CheckLease(ctx, persistence.Lease{Fence: 1, Holder: "test"}); !errors.Is(err, persistence.ErrFenced) {
				t.Fatalf("lease check of the old holder: %v", err)
			}
			old.Fence()
			if _, err := old.BeginRead(ctx, 0); !errors.Is(err, database.ErrFenced) {
				t.Fatalf("read on the fenced database: %v, want ErrFenced", err)
			}
			if _, err := old.Begin(ctx); !errors.Is(err, database.ErrFenced) {
				t.Fatalf("begin on the fenced database: %v, want ErrFenced", err)
			}
			if v, _ := getField(t, successor, 0, id, "n"); !value.Equal(v, value.Float64(2)) {
				t.Fatalf("successor reads n = %v, want 2", v)
			}
		})
	}
}

func TestAFailedCommitWithTheFenceErrorStopsReads(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			st := be.open(t)
			old := openDB(t, st, database.Options{})
			id := insertDoc(t, old, "t", `{"n":1}`)
			tx, err := old.BeginRead(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			successor := openDB(t, st, database.Options{})
			commitWith(t, successor, func(tx *database.Tx) { mustPatch(t, tx, id, `{"n":2}`) })

			err = commitWith(t, old, func(tx *database.Tx) { mustPatch(t, tx, id, `{"n":3}`) })
			if !errors.Is(err, persistence.ErrFenced) {
				t.Fatalf("commit on the old database: %v, want ErrFenced", err)
			}
			// Even a transaction begun before the fence can no longer read
			// the cached (now stale) document.
			if _, _, err := tx.Get(ctx, id); !errors.Is(err, database.ErrFenced) {
				t.Fatalf("cached read on the fenced database: %v, want ErrFenced", err)
			}
		})
	}
}
