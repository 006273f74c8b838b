package database_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"hull/database"
	"hull/persistence"
	"hull/value"
)

func TestCRUD(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var id value.ID
	e.mutate(func(tx *database.Tx) { id = mustInsert(t, tx, "messages", `{"body":"hi","n":1}`) })

	tests := []struct {
		name string
		run  func(tx *database.Tx) (value.Object, error)
		want string
	}{
		{"patch merges fields shallowly", func(tx *database.Tx) (value.Object, error) {
			return tx.Patch(ctx, id, []value.Field{{Name: "n", Value: value.Float64(2)}, {Name: "extra", Value: value.Boolean(true)}})
		}, `{"body":"hi","extra":true,"n":2}`},
		{"patch with an undefined field removes it", func(tx *database.Tx) (value.Object, error) {
			return tx.Patch(ctx, id, []value.Field{{Name: "extra"}})
		}, `{"body":"hi","n":2}`},
		{"replace swaps every user field", func(tx *database.Tx) (value.Object, error) {
			return tx.Replace(ctx, id, obj(t, `{"other":"x"}`))
		}, `{"other":"x"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.mutate(func(tx *database.Tx) {
				doc, err := tc.run(tx)
				if err != nil {
					t.Fatal(err)
				}
				if got := userFields(doc); got != tc.want {
					t.Fatalf("returned %s, want %s", got, tc.want)
				}
			})
			e.read(func(tx *database.Tx) {
				doc, ok, err := tx.Get(ctx, id)
				if err != nil || !ok {
					t.Fatalf("get: %v %v", ok, err)
				}
				if got := userFields(doc); got != tc.want {
					t.Fatalf("stored %s, want %s", got, tc.want)
				}
			})
		})
	}
	t.Run("delete removes the document", func(t *testing.T) {
		e.mutate(func(tx *database.Tx) {
			if _, err := tx.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
		})
		e.read(func(tx *database.Tx) {
			if _, ok, _ := tx.Get(ctx, id); ok {
				t.Fatal("deleted document still found")
			}
		})
	})
}

func TestWriteErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var id value.ID
	e.mutate(func(tx *database.Tx) {
		id = mustInsert(t, tx, "items", `{"a":1}`)
		if _, err := tx.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	})
	tests := []struct {
		name string
		run  func(tx *database.Tx) error
		want string
	}{
		{"insert into a system table is refused", func(tx *database.Tx) error {
			_, err := tx.Insert(ctx, "_secret", obj(t, `{}`))
			return err
		}, "System tables (prefixed with `_`) are read-only."},
		{"insert with a reserved top-level field is refused", func(tx *database.Tx) error {
			_, err := tx.Insert(ctx, "items", obj(t, `{"_x":1}`))
			return err
		}, "_x"},
		{"insert with _id is refused", func(tx *database.Tx) error {
			_, err := tx.Insert(ctx, "items", obj(t, `{"_id":"abc"}`))
			return err
		}, "_id"},
		{"patch of a missing document names the id", func(tx *database.Tx) error {
			_, err := tx.Patch(ctx, id, nil)
			return err
		}, "Update on nonexistent document ID " + id.String()},
		{"replace of a missing document names the id", func(tx *database.Tx) error {
			_, err := tx.Replace(ctx, id, obj(t, `{}`))
			return err
		}, "Replace on nonexistent document ID"},
		{"delete of a missing document names the id", func(tx *database.Tx) error {
			_, err := tx.Delete(ctx, id)
			return err
		}, "Delete on nonexistent document ID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := e.db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			err = tc.run(tx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !database.IsUserError(err) {
				t.Fatalf("error %v is not a user error", err)
			}
		})
	}
	t.Run("writes in a read-only transaction are refused", func(t *testing.T) {
		e.read(func(tx *database.Tx) {
			_, err := tx.Insert(ctx, "items", obj(t, `{}`))
			if !errors.Is(err, database.ErrReadOnly) {
				t.Fatalf("got %v", err)
			}
		})
	})
}

func TestOwnWritesAreVisibleToOwnReads(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var keep, gone value.ID
	e.mutate(func(tx *database.Tx) {
		keep = mustInsert(t, tx, "t", `{"n":1}`)
		gone = mustInsert(t, tx, "t", `{"n":2}`)
	})
	e.clock.now = e.clock.now.Add(1e9)
	e.mutate(func(tx *database.Tx) {
		mustInsert(t, tx, "t", `{"n":3}`)
		if _, err := tx.Patch(ctx, keep, []value.Field{{Name: "n", Value: value.Float64(10)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Delete(ctx, gone); err != nil {
			t.Fatal(err)
		}
		got, err := collect(t, tx, query(t, map[string]any{"source": map[string]any{"type": "FullTableScan", "tableName": "t", "order": nil}, "operators": []any{}}))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != `{"n":10},{"n":3}` {
			t.Fatalf("query in the writing transaction saw %v", got)
		}
		if _, ok, _ := tx.Get(ctx, gone); ok {
			t.Fatal("own delete not visible to get")
		}
		n, err := tx.Count(ctx, "t")
		if err != nil || n != 2 {
			t.Fatalf("count %d %v, want 2", n, err)
		}
	})
}

func TestCreationTime(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var first, second value.Object
	ts := e.mutate(func(tx *database.Tx) {
		a := mustInsert(t, tx, "t", `{}`)
		b := mustInsert(t, tx, "t", `{}`)
		first, _, _ = tx.Get(ctx, a)
		second, _, _ = tx.Get(ctx, b)
	})
	ct1, _ := first.Get("_creationTime")
	ct2, _ := second.Get("_creationTime")
	f1, f2 := float64(ct1.(value.Float64)), float64(ct2.(value.Float64))
	now := float64(e.clock.now.UnixNano()) / 1e6
	if f1 < now || f1 > now+1 {
		t.Errorf("first _creationTime %v, want the clock in ms %v", f1, now)
	}
	if f2 != math.Nextafter(f1, math.Inf(1)) {
		t.Errorf("second _creationTime %v is not the next float after %v", f2, f1)
	}
	// A clock that went backwards: creation times stay after the last commit.
	e.clock.now = e.clock.now.Add(-3600e9)
	e.mutate(func(tx *database.Tx) {
		id := mustInsert(t, tx, "t", `{}`)
		doc, _, _ := tx.Get(ctx, id)
		ct, _ := doc.Get("_creationTime")
		if got := float64(ct.(value.Float64)); got < float64(ts)/1e6 {
			t.Errorf("_creationTime %v not after the last commit ts %v ms", got, float64(ts)/1e6)
		}
	})
}

func TestTimestampsRise(t *testing.T) {
	e := newEnv(t)
	ts1 := e.mutate(func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) })
	ts2 := e.mutate(func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) })
	if ts1 != e.clock.now.UnixNano() || ts2 != ts1+1 {
		t.Fatalf("timestamps %d, %d: want the clock, then +1 with a stopped clock", ts1, ts2)
	}
	e.reopen()
	e.clock.now = e.clock.now.Add(-1e9)
	ts3 := e.mutate(func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) })
	if ts3 != ts2+1 {
		t.Fatalf("after reopen with an earlier clock: ts %d, want %d", ts3, ts2+1)
	}
}

func TestSnapshotReadsDoNotSeeLaterCommits(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var id value.ID
	e.mutate(func(tx *database.Tx) { id = mustInsert(t, tx, "t", `{"v":1}`) })
	snap, err := e.db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.mutate(func(tx *database.Tx) {
		if _, err := tx.Patch(ctx, id, []value.Field{{Name: "v", Value: value.Float64(2)}}); err != nil {
			t.Fatal(err)
		}
		mustInsert(t, tx, "t", `{"v":3}`)
	})
	doc, _, err := snap.Get(ctx, id)
	if err != nil || userFields(doc) != `{"v":1}` {
		t.Fatalf("snapshot get: %s %v", userFields(doc), err)
	}
	got, err := collect(t, snap, query(t, map[string]any{"source": map[string]any{"type": "FullTableScan", "tableName": "t", "order": nil}, "operators": []any{}}))
	if err != nil || strings.Join(got, ",") != `{"v":1}` {
		t.Fatalf("snapshot scan: %v %v", got, err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var id, sysID value.ID
	e.mutate(func(tx *database.Tx) {
		id = mustInsert(t, tx, "books", `{"title":"a","year":2001}`)
		mustInsert(t, tx, "books", `{"title":"b","year":1999}`)
		var err error
		sysID, err = tx.SystemInsert(ctx, "_hull_env", obj(t, `{"name":"K","value":"V"}`))
		if err != nil {
			t.Fatal(err)
		}
		s, err := database.ParseSchema([]byte(`{"tables":[{"tableName":"books","indexes":[{"indexDescriptor":"by_year","fields":["year"]}],"searchIndexes":[],"vectorIndexes":[],"documentType":{"type":"any"}}],"schemaValidation":true}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ApplySchema(ctx, s); err != nil {
			t.Fatal(err)
		}
	})
	e.reopen()
	e.read(func(tx *database.Tx) {
		if doc, ok, err := tx.Get(ctx, id); err != nil || !ok || userFields(doc) != `{"title":"a","year":2001}` {
			t.Fatalf("user doc after reopen: %v %v", ok, err)
		}
		if _, ok, _ := tx.SystemGet(ctx, sysID); !ok {
			t.Fatal("system doc lost on reopen")
		}
		got, err := collect(t, tx, query(t, map[string]any{"source": map[string]any{"type": "IndexRange", "indexName": "books.by_year", "range": []any{}, "order": "asc"}, "operators": []any{}}))
		if err != nil || strings.Join(got, ",") != `{"title":"b","year":1999},{"title":"a","year":2001}` {
			t.Fatalf("index after reopen: %v %v", got, err)
		}
		if tx.Schema() == nil {
			t.Fatal("schema lost on reopen")
		}
	})
	e.mutate(func(tx *database.Tx) {
		other := mustInsert(t, tx, "authors", `{}`)
		if other.Table == id.Table {
			t.Fatal("a new table reused a table number after reopen")
		}
	})
}

func TestSystemTables(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var id value.ID
	e.mutate(func(tx *database.Tx) {
		var err error
		id, err = tx.SystemInsert(ctx, "_hull_deployments", obj(t, `{"version":1}`))
		if err != nil {
			t.Fatal(err)
		}
	})
	e.mutate(func(tx *database.Tx) {
		if _, ok, _ := tx.Get(ctx, id); ok {
			t.Error("user get sees a private system table")
		}
		if _, err := tx.Patch(ctx, id, nil); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("user patch of a system document: %v", err)
		}
		if _, err := tx.SystemReplace(ctx, id, obj(t, `{"version":2}`)); err != nil {
			t.Fatal(err)
		}
		docs, err := tx.SystemScan(ctx, "_hull_deployments")
		if err != nil || len(docs) != 1 || userFields(docs[0]) != `{"version":2}` {
			t.Fatalf("system scan: %v %v", docs, err)
		}
		got, err := collect(t, tx, query(t, map[string]any{"source": map[string]any{"type": "FullTableScan", "tableName": "_hull_deployments", "order": nil}, "operators": []any{}}))
		if err != nil || len(got) != 0 {
			t.Fatalf("user query of a private system table: %v %v", got, err)
		}
	})
	if id.Table >= value.FirstUserTable {
		t.Fatalf("system table number %d is in the user range", id.Table)
	}
}

func TestSavepointRollback(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mutate(func(tx *database.Tx) {
		mustInsert(t, tx, "t", `{"n":1}`)
		sp := tx.Savepoint()
		mustInsert(t, tx, "t", `{"n":2}`)
		mustInsert(t, tx, "newtable", `{"n":3}`)
		tx.RollbackTo(sp)
		if _, ok := tx.TableNumber("newtable"); ok {
			t.Error("table created after the savepoint survived the rollback")
		}
	})
	e.read(func(tx *database.Tx) {
		n, err := tx.Count(ctx, "t")
		if err != nil || n != 1 {
			t.Fatalf("count %d %v, want 1", n, err)
		}
	})
}

func TestCommitAfterTakeoverIsFenced(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mutate(func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) })
	if _, err := e.store.Acquire(ctx, "successor"); err != nil {
		t.Fatal(err)
	}
	tx, err := e.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustInsert(t, tx, "t", `{}`)
	if _, err := tx.Commit(ctx); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("commit after takeover: %v", err)
	}
	if _, err := e.db.BeginRead(ctx, 0); !errors.Is(err, database.ErrFenced) {
		t.Fatalf("read after a fenced commit: %v, want ErrFenced", err)
	}
	e.reopen()
	e.read(func(tx *database.Tx) {
		if n, _ := tx.Count(ctx, "t"); n != 1 {
			t.Fatalf("count %d after a fenced commit", n)
		}
	})
}

func TestVirtualSystemTablesHaveFixedNumbers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mutate(func(tx *database.Tx) {
		id, err := tx.SystemInsert(ctx, "_storage", obj(t, `{"sha256":"x","size":1,"contentType":null}`))
		if err != nil {
			t.Fatal(err)
		}
		if id.Table != value.TableStorage {
			t.Fatalf("_storage got table number %d, want %d", id.Table, value.TableStorage)
		}
	})
	e.read(func(tx *database.Tx) {
		got, err := collect(t, tx, query(t, map[string]any{"source": map[string]any{"type": "FullTableScan", "tableName": "_storage", "order": nil}, "operators": []any{}}))
		if err != nil || len(got) != 1 {
			t.Fatalf("user code reading _storage: %v %v", got, err)
		}
	})
}
