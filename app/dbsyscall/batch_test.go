package dbsyscall_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"hull/app/dbsyscall"
	"hull/database"
	"hull/persistence"
	"hull/persistence/sqlite"
)

// getCounter counts the store's point-read round trips.
type getCounter struct {
	persistence.Store
	gets atomic.Int64
}

func (s *getCounter) Get(ctx context.Context, ids []persistence.DocID, at int64) (map[persistence.DocID]persistence.Revision, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, ids, at)
}

func TestABatchOfGetsAnswersAsTheGetsOneByOneWithOneStoreRead(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hull.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	st := &getCounter{Store: raw}
	lease, err := st.Acquire(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	// Without the document cache every get reaches the store.
	db, err := database.Open(ctx, st, lease, database.Options{DocCacheBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := dbsyscall.New(tx, dbsyscall.Options{})
	var ids []string
	for _, body := range []string{"a", "b", "c"} {
		ids = append(ids, field(t, mustCall(t, h, "1.0/insert", `{"table":"notes","value":{"body":"`+body+`"}}`), "_id"))
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	gets := []string{
		`{"id":` + ids[0] + `,"isSystem":false}`,
		`{"id":` + ids[2] + `,"isSystem":false}`,
		`{"id":"nope","isSystem":false}`,
		`{"id":` + ids[1] + `,"isSystem":true}`,
		`{"id":` + ids[1] + `,"isSystem":false}`,
	}

	one := func() (outs []string, reads []database.ReadInterval) {
		tx, err := db.BeginRead(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		h := dbsyscall.New(tx, dbsyscall.Options{})
		for _, g := range gets {
			out, err := call(t, h, "1.0/get", g)
			if err != nil {
				out = "error: " + err.Error()
			}
			outs = append(outs, out)
		}
		return outs, tx.ReadSet()
	}
	want, wantReads := one()

	tx2, err := db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := st.gets.Load()
	out := mustCall(t, dbsyscall.New(tx2, dbsyscall.Options{}), dbsyscall.GetManyOp, "["+strings.Join(gets, ",")+"]")
	if n := st.gets.Load() - before; n != 1 {
		t.Errorf("the batch made %d store reads, want 1", n)
	}
	var replies []struct {
		O *string
		E *struct{ Message string }
	}
	if err := json.Unmarshal([]byte(out), &replies); err != nil || len(replies) != len(gets) {
		t.Fatalf("reply %s: %v", out, err)
	}
	for i, r := range replies {
		got := ""
		switch {
		case r.O != nil:
			got = *r.O
		case r.E != nil:
			got = "error: " + r.E.Message
		}
		if got != want[i] {
			t.Errorf("get %d: batch gave %s, alone %s", i, got, want[i])
		}
	}
	if got := tx2.ReadSet(); len(got) != len(wantReads) {
		t.Errorf("batch read set has %d intervals, alone %d", len(got), len(wantReads))
	}
}
