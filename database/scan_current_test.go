package database_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"hull/database"
	"hull/persistence"
	"hull/value"
)

// scanCounter counts index scans of the current state and at a snapshot.
type scanCounter struct {
	persistence.Store
	latest, at atomic.Int64
}

func (s *scanCounter) Scan(ctx context.Context, r persistence.Range, ts int64) ([]persistence.IndexEntry, error) {
	if ts == persistence.Latest {
		s.latest.Add(1)
	} else {
		s.at.Add(1)
	}
	return s.Store.Scan(ctx, r, ts)
}

// A query that began at the newest durable ts reads the current state,
// the cheapest read of every store, and reads at its snapshot only when a
// commit since wrote into the part of the interval it read: either way it
// sees its snapshot.
func TestScansAtTheHeadReadTheCurrentStateWhenItIsTheSnapshot(t *testing.T) {
	all := indexQuery("scores.by_n", nil, nil)
	firstTwo := indexQuery("scores.by_n", nil, nil, map[string]any{"limit": 2})
	tests := []struct {
		name      string
		query     map[string]any
		other     func(t *testing.T, tx *database.Tx, ids map[int]value.ID)
		want      string
		snapshotR bool // whether a read at the snapshot is needed
	}{
		{"nothing committed since", all, nil, "10 20 30 40 50", false},
		{"a document patched since reads as it was", all, func(t *testing.T, tx *database.Tx, ids map[int]value.ID) { mustPatch(t, tx, ids[30], `{"n":31}`) }, "10 20 30 40 50", true},
		{"a document inserted since is not seen", all, func(t *testing.T, tx *database.Tx, _ map[int]value.ID) { mustInsert(t, tx, "scores", `{"n":25}`) }, "10 20 30 40 50", true},
		{"a document deleted since is still seen", all, func(t *testing.T, tx *database.Tx, ids map[int]value.ID) {
			if _, err := tx.Delete(context.Background(), ids[20]); err != nil {
				t.Fatal(err)
			}
		}, "10 20 30 40 50", true},
		{"a write past the rows a limit takes keeps the current read", firstTwo, func(t *testing.T, tx *database.Tx, _ map[int]value.ID) { mustInsert(t, tx, "scores", `{"n":45}`) }, "10 20", false},
		{"a write among the rows a limit takes reads the snapshot", firstTwo, func(t *testing.T, tx *database.Tx, _ map[int]value.ID) { mustInsert(t, tx, "scores", `{"n":15}`) }, "10 20", true},
		{"a write in another table keeps the current read", all, func(t *testing.T, tx *database.Tx, _ map[int]value.ID) { mustInsert(t, tx, "other", `{"n":15}`) }, "10 20 30 40 50", false},
	}
	for _, be := range backends(t) {
		for _, tc := range tests {
			t.Run(be.name+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				st := &scanCounter{Store: be.open(t)}
				db := openDB(t, st, database.Options{})
				ids := map[int]value.ID{}
				if err := commitWith(t, db, func(tx *database.Tx) {
					s, err := database.ParseSchema([]byte(scoresSchema))
					if err != nil {
						t.Fatal(err)
					}
					if _, err := tx.ApplySchema(ctx, s); err != nil {
						t.Fatal(err)
					}
					for n := 10; n <= 50; n += 10 {
						ids[n] = mustInsert(t, tx, "scores", fmt.Sprintf(`{"n":%d}`, n))
					}
					mustInsert(t, tx, "other", `{}`)
				}); err != nil {
					t.Fatal(err)
				}
				// The schema's index backfill scans at a snapshot in the
				// background: let it finish before counting.
				if err := db.WaitBackfills(ctx); err != nil {
					t.Fatal(err)
				}
				tx, err := db.BeginRead(ctx, 0)
				if err != nil {
					t.Fatal(err)
				}
				if tc.other != nil {
					if err := commitWith(t, db, func(o *database.Tx) { tc.other(t, o, ids) }); err != nil {
						t.Fatal(err)
					}
				}
				latest, at := st.latest.Load(), st.at.Load()
				rows, err := collect(t, tx, query(t, tc.query))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rows {
					got = append(got, strings.TrimSuffix(strings.TrimPrefix(r, `{"n":`), `}`))
				}
				if g := strings.Join(got, " "); g != tc.want {
					t.Fatalf("read %q, want the snapshot's %q", g, tc.want)
				}
				if l := st.latest.Load() - latest; l != 1 {
					t.Fatalf("%d scans of the current state, want 1", l)
				}
				if a := st.at.Load() - at; (a > 0) != tc.snapshotR {
					t.Fatalf("%d scans at the snapshot; want some: %v", a, tc.snapshotR)
				}
			})
		}
	}
}

// A query at an older snapshot reads at it.
func TestScansBelowTheHeadReadTheSnapshot(t *testing.T) {
	ctx := context.Background()
	st := &scanCounter{Store: openSQLite(t)}
	db := openDB(t, st, database.Options{})
	insertDoc(t, db, "t", `{"n":1}`)
	old := db.DurableTS()
	insertDoc(t, db, "t", `{"n":2}`)
	tx, err := db.BeginRead(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	latest := st.latest.Load()
	rows, err := collect(t, tx, query(t, scanQuery("t", nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || st.latest.Load() != latest {
		t.Fatalf("rows %v, %d scans of the current state", rows, st.latest.Load()-latest)
	}
}
