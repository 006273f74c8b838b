package database_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"hull/database"
	"hull/value"
)

const backfillSchema = `{"tables":[{"tableName":"items","indexes":[{"indexDescriptor":"by_k","fields":["k"]}],"stagedDbIndexes":[{"indexDescriptor":"by_j","fields":["j"]}],"searchIndexes":[],"vectorIndexes":[],"documentType":{"type":"any"}}],"schemaValidation":false}`

// seedItems inserts n documents with k and j fields, 100 per commit.
func seedItems(t *testing.T, db *database.DB, n int) []value.ID {
	t.Helper()
	var ids []value.ID
	for i := 0; i < n; i += 100 {
		err := commitWith(t, db, func(tx *database.Tx) {
			for j := i; j < min(i+100, n); j++ {
				ids = append(ids, mustInsert(t, tx, "items", fmt.Sprintf(`{"k":%d,"j":%d}`, (j*7919)%503, j%11)))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// churn patches, deletes and inserts items until stop is closed.
func churn(ctx context.Context, t *testing.T, db *database.DB, ids []value.ID, seed uint64, stop <-chan struct{}) error {
	r := rand.New(rand.NewPCG(seed, 1))
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		err := db.Retry(ctx, func(ctx context.Context) error {
			tx, err := db.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			id := ids[r.IntN(len(ids))]
			switch _, ok, err := tx.Get(ctx, id); {
			case err != nil:
				return err
			case !ok:
				_, err = tx.Insert(ctx, "items", value.MustObject(value.Field{Name: "k", Value: value.Float64(float64(r.IntN(600)))}))
			case r.IntN(5) == 0:
				_, err = tx.Delete(ctx, id)
			default:
				_, err = tx.Patch(ctx, id, []value.Field{{Name: "k", Value: value.Float64(float64(r.IntN(600)))}})
			}
			if err != nil {
				return err
			}
			_, err = tx.Commit(ctx)
			return err
		})
		if err != nil {
			return err
		}
	}
}

func TestBackfillUnderConcurrentWritesEqualsAFullRebuild(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t, be.open(t), database.Options{})
			ids := seedItems(t, db, 2000)
			step := database.StepBackfill(db)
			err := commitWith(t, db, func(tx *database.Tx) {
				s, err := database.ParseSchema([]byte(backfillSchema))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ApplySchema(ctx, s); err != nil {
					t.Fatal(err)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			assertIndexNotReady(t, db, "items.by_k", "IndexNotReady")

			stop := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- churn(ctx, t, db, ids, uint64(w), stop)
				}()
			}
			sawProgress := false
			for !allReady(db) {
				select {
				case step <- struct{}{}:
				default:
					database.Yield()
				}
				st, _ := db.IndexStatuses()
				for _, s := range st {
					if s.Name == "by_k" && !s.Ready && s.Indexed > 0 && s.Total > 1000 {
						sawProgress = true
					}
				}
			}
			close(stop)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if !sawProgress {
				t.Error("no backfill progress was reported")
			}
			assertIndexMatchesTable(t, db)
			assertIndexNotReady(t, db, "items.by_j", "IndexStaged")
		})
	}
}

func allReady(db *database.DB) bool {
	st, _ := db.IndexStatuses()
	for _, s := range st {
		if !s.Ready {
			return false
		}
	}
	return true
}

func assertIndexNotReady(t *testing.T, db *database.DB, index, code string) {
	t.Helper()
	tx, err := db.BeginRead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = collect(t, tx, query(t, indexQuery(index, nil, nil)))
	var ue *database.Error
	if !errors.As(err, &ue) || ue.Code != code {
		t.Fatalf("query on %s: %v, want %s", index, err, code)
	}
}

// assertIndexMatchesTable checks that by_k lists every document once, in
// key order, as a full scan of the table sees it.
func assertIndexMatchesTable(t *testing.T, db *database.DB) {
	t.Helper()
	all := docsOf(t, db, scanQuery("items", nil))
	byK := docsOf(t, db, indexQuery("items.by_k", nil, nil))
	if len(byK) != len(all) {
		t.Fatalf("by_k has %d documents, the table %d", len(byK), len(all))
	}
	want := map[string]string{}
	for _, d := range all {
		want[idOf(d)] = string(value.ToJSON(d))
	}
	last := -1.0
	for _, d := range byK {
		id := idOf(d)
		if w, ok := want[id]; !ok || w != string(value.ToJSON(d)) {
			t.Fatalf("by_k lists %s, which is not a current document (or listed twice)", value.ToJSON(d))
		}
		delete(want, id)
		k, _ := d.Get("k")
		if f := float64(k.(value.Float64)); f < last {
			t.Fatalf("by_k out of order at %s", value.ToJSON(d))
		} else {
			last = f
		}
	}
}

func idOf(d value.Object) string {
	v, _ := d.Get("_id")
	return string(v.(value.String))
}

func docsOf(t *testing.T, db *database.DB, q map[string]any) []value.Object {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tx.Query(ctx, query(t, q))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := s.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}
