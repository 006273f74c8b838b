package database_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"hull/database"
	"hull/value"
)

// A restore into the same deployment: a table is staged in a hidden
// namespace under the number (and the very ids) of the live table it
// replaces, swapped in, reloaded after a restart, the replaced one
// dropped, and the same done again over the restored table.

const retiredNS = "_retired/test/"

// tabletState is what the deployment should show after a step: the
// name field of the document with the shared id in the app's namespace
// and in the hidden ones ("" for none), and the names the by_name index
// lists in the app's namespace.
type tabletState struct {
	live, staged, retired string
	byName                []string
}

// names lists the name fields of people, in by_name order, in the view.
func names(t *testing.T, tx *database.Tx) []string {
	t.Helper()
	s, err := tx.Query(context.Background(), &database.Query{Kind: database.IndexRange, Table: "people", Index: "by_name"})
	if err != nil {
		t.Fatalf("query people.by_name in %q: %v", tx.Namespace(), err)
	}
	docs, err := s.Collect(context.Background())
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	var out []string
	for _, d := range docs {
		v, _ := d.Get("name")
		out = append(out, string(v.(value.String)))
	}
	return out
}

// nameOf returns the name field of id in the view, "" if not found.
func nameOf(t *testing.T, tx *database.Tx, id value.ID) string {
	t.Helper()
	doc, ok, err := tx.SystemGet(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s in %q: %v", id, tx.Namespace(), err)
	}
	if !ok {
		return ""
	}
	v, _ := doc.Get("name")
	return string(v.(value.String))
}

func checkTablets(t *testing.T, db *database.DB, id value.ID, want tabletState) {
	t.Helper()
	readTx(t, db, 0, func(tx *database.Tx) {
		got := tabletState{
			live:    nameOf(t, tx, id),
			staged:  nameOf(t, tx.In(stagingNS), id),
			retired: nameOf(t, tx.In(retiredNS), id),
			byName:  names(t, tx),
		}
		// A hidden namespace without the table falls back to the live one.
		if _, ok := tx.In(stagingNS).TableNumber("people"); !ok {
			got.staged = ""
		}
		if _, ok := tx.In(retiredNS).TableNumber("people"); !ok {
			got.retired = ""
		}
		if got.live != want.live || got.staged != want.staged || got.retired != want.retired || !slices.Equal(got.byName, want.byName) {
			t.Fatalf("state = %+v, want %+v", got, want)
		}
		if n, ok := tx.TableNumber("people"); !ok || n != id.Table {
			t.Fatalf("people is number %d (%v), want %d", n, ok, id.Table)
		}
		if name, ok := tx.TableName(id.Table); !ok || name != "people" {
			t.Fatalf("number %d names %q (%v) in the app's namespace", id.Table, name, ok)
		}
	})
}

// stagePeople stages a copy of people under its own number, with the
// document id holding name and a second document.
func stagePeople(t *testing.T, db *database.DB, id value.ID, name, other string) {
	t.Helper()
	ctx := context.Background()
	mustCommit(t, db, func(tx *database.Tx) error {
		s := tx.In(stagingNS)
		if err := s.CreateTableNumbered("people", id.Table, "", "people"); err != nil {
			return err
		}
		doc := obj(t, `{}`).With("name", value.String(name)).With("_id", value.String(id.String())).With("_creationTime", value.Float64(1))
		if err := s.InsertWithID(ctx, "people", doc); err != nil {
			return err
		}
		second, _ := docWithID(t, id.Table, 2, `{}`)
		return s.InsertWithID(ctx, "people", second.With("name", value.String(other)))
	})
}

// swapPeople retires the live people and moves the staged one in.
func swapPeople(t *testing.T, db *database.DB) {
	t.Helper()
	ctx := context.Background()
	mustCommit(t, db, func(tx *database.Tx) error {
		if err := tx.MoveTable(ctx, "people", retiredNS, "people"); err != nil {
			return err
		}
		return tx.In(stagingNS).MoveTable(ctx, "people", "", "people")
	})
}

// dropRetired empties and drops the retired people.
func dropRetired(t *testing.T, db *database.DB) {
	t.Helper()
	ctx := context.Background()
	mustCommit(t, db, func(tx *database.Tx) error {
		view := tx.In(retiredNS)
		err := view.EachDocument(ctx, "people", func(d value.Object) error {
			v, _ := d.Get("_id")
			id, err := value.ParseID(string(v.(value.String)))
			if err != nil {
				return err
			}
			_, err = view.SystemDelete(ctx, id)
			return err
		})
		if err != nil {
			return err
		}
		return nil
	})
	mustCommit(t, db, func(tx *database.Tx) error { return tx.In(retiredNS).DropEmptyTable(ctx, "people") })
}

func TestRestoreIntoTheSameTableNumber(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			db := openDB(t, st, database.Options{})
			parent := t // a reopened database lives as long as the whole test
			var id value.ID
			mustCommit(t, db, func(tx *database.Tx) error {
				applySchema(t, tx, schemaJSON(`{"indexDescriptor":"by_name","fields":["name"]}`))
				id = mustInsert(t, tx, "people", `{"name":"ada"}`)
				return nil
			})
			if err := db.WaitBackfills(ctx); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				name string
				do   func(t *testing.T)
				want tabletState
			}{
				{name: "staged beside the live table under its number and ids", do: func(t *testing.T) { stagePeople(t, db, id, "ada2", "bob") },
					want: tabletState{live: "ada", staged: "ada2", byName: []string{"ada"}}},
				{name: "a write to the live table leaves the staged one alone", do: func(t *testing.T) {
					mustCommit(t, db, func(tx *database.Tx) error {
						_, err := tx.Patch(ctx, id, []value.Field{{Name: "name", Value: value.String("ada1")}})
						return err
					})
				}, want: tabletState{live: "ada1", staged: "ada2", byName: []string{"ada1"}}},
				{name: "moving the staged table in while the number is live is refused", do: func(t *testing.T) {
					_, err := commitTx(t, db, func(tx *database.Tx) error {
						return tx.In(stagingNS).MoveTable(ctx, "people", "", "people2")
					})
					var taken *database.TableNumberTakenError
					if !errors.As(err, &taken) || taken.Name != "people" {
						t.Fatalf("err = %v, want a *TableNumberTakenError naming people", err)
					}
				}, want: tabletState{live: "ada1", staged: "ada2", byName: []string{"ada1"}}},
				{name: "swapped in", do: func(t *testing.T) { swapPeople(t, db) },
					want: tabletState{live: "ada2", retired: "ada1", byName: []string{"ada2", "bob"}}},
				{name: "writes and reads by id on the restored table", do: func(t *testing.T) {
					mustCommit(t, db, func(tx *database.Tx) error {
						if _, err := tx.Patch(ctx, id, []value.Field{{Name: "name", Value: value.String("ada3")}}); err != nil {
							return err
						}
						n := mustInsert(t, tx, "people", `{"name":"cy"}`)
						if n.Table != id.Table {
							t.Fatalf("a new document of people has number %d, want %d", n.Table, id.Table)
						}
						return nil
					})
				}, want: tabletState{live: "ada3", retired: "ada1", byName: []string{"ada3", "bob", "cy"}}},
				{name: "reloaded after a restart", do: func(t *testing.T) {
					db.Close()
					db = openDB(parent, st, database.Options{})
				}, want: tabletState{live: "ada3", retired: "ada1", byName: []string{"ada3", "bob", "cy"}}},
				{name: "the replaced table dropped", do: func(t *testing.T) { dropRetired(t, db) },
					want: tabletState{live: "ada3", byName: []string{"ada3", "bob", "cy"}}},
				{name: "restored again over the restored table", do: func(t *testing.T) {
					stagePeople(t, db, id, "ada4", "dee")
					swapPeople(t, db)
				}, want: tabletState{live: "ada4", retired: "ada3", byName: []string{"ada4", "dee"}}},
				{name: "reloaded again", do: func(t *testing.T) {
					db.Close()
					db = openDB(parent, st, database.Options{})
				}, want: tabletState{live: "ada4", retired: "ada3", byName: []string{"ada4", "dee"}}},
				{name: "a new table after all that", do: func(t *testing.T) {
					mustCommit(t, db, func(tx *database.Tx) error {
						other := mustInsert(t, tx, "pets", `{"name":"rex"}`)
						if other.Table == id.Table {
							t.Fatal("a new table took the number of people")
						}
						return nil
					})
				}, want: tabletState{live: "ada4", retired: "ada3", byName: []string{"ada4", "dee"}}},
			}
			for _, s := range steps {
				t.Run(s.name, func(t *testing.T) {
					s.do(t)
					checkTablets(t, db, id, s.want)
				})
			}
		})
	}
}

// A mutation that read the live table before the swap cannot commit a
// write to it after: the swap changed the catalog.
func TestAWriteFromBeforeTheSwapConflicts(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := importDB(t, b)
			var id value.ID
			readTx(t, db, 0, func(tx *database.Tx) {
				docs := names(t, tx)
				if len(docs) != 1 {
					t.Fatalf("people = %v", docs)
				}
			})
			mustCommit(t, db, func(tx *database.Tx) error {
				id = mustInsert(t, tx, "people", `{"name":"eve"}`)
				return nil
			})
			stagePeople(t, db, id, "eve2", "fay")
			old, err := db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer old.Rollback()
			if _, err := old.Patch(ctx, id, []value.Field{{Name: "name", Value: value.String("late")}}); err != nil {
				t.Fatal(err)
			}
			swapPeople(t, db)
			if _, err := old.Commit(ctx); !database.IsConflict(err) {
				t.Fatalf("commit after the swap: %v, want a conflict", err)
			}
			checkTablets(t, db, id, tabletState{live: "eve2", retired: "eve", byName: []string{"eve2", "fay"}})
		})
	}
}

// A read of the past made with BeginReadAsOf finds the tables as they
// were then, before a restore replaced them, after a restart too.
func TestReadsOfThePastSeeTheTablesOfThen(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			db := openDB(t, st, database.Options{})
			mustCommit(t, db, func(tx *database.Tx) error {
				applySchema(t, tx, schemaJSON(`{"indexDescriptor":"by_name","fields":["name"]}`))
				mustInsert(t, tx, "people", `{"name":"ada"}`)
				return nil
			})
			var id value.ID
			before := mustCommit(t, db, func(tx *database.Tx) error {
				id = mustInsert(t, tx, "people", `{"name":"eve"}`)
				return nil
			})
			stagePeople(t, db, id, "eve2", "fay")
			swapPeople(t, db)
			after := mustCommit(t, db, func(tx *database.Tx) error {
				_, err := tx.Patch(ctx, id, []value.Field{{Name: "name", Value: value.String("eve3")}})
				return err
			})
			read := func(ts int64) []string {
				tx, err := db.BeginReadAsOf(ctx, ts)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				var out []string
				if err := tx.EachDocument(ctx, "people", func(d value.Object) error {
					out = append(out, userFields(d))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				return out
			}
			tests := []struct {
				name string
				ts   int64
				want []string
			}{
				{name: "before the restore", ts: before, want: []string{`{"name":"ada"}`, `{"name":"eve"}`}},
				{name: "after it", ts: after, want: []string{`{"name":"eve3"}`, `{"name":"fay"}`}},
				{name: "now", ts: 0, want: []string{`{"name":"eve3"}`, `{"name":"fay"}`}},
			}
			for _, restarted := range []bool{false, true} {
				if restarted {
					db.Close()
					db = openDB(t, st, database.Options{})
				}
				for _, tt := range tests {
					t.Run(fmt.Sprintf("%s, restarted %v", tt.name, restarted), func(t *testing.T) {
						if got := read(tt.ts); !slices.Equal(got, tt.want) {
							t.Fatalf("people as of %d = %v, want %v", tt.ts, got, tt.want)
						}
					})
				}
			}
		})
	}
}
