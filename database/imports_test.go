package database_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"hull/database"
	"hull/value"
)

// stagingNS is a namespace nobody reads, as imports stage into.
const stagingNS = "_import/test/"

// commitTx runs fn in a mutation and commits it; fn's error or the
// commit's is returned.
func commitTx(t *testing.T, db *database.DB, fn func(tx *database.Tx) error) (int64, error) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return 0, err
	}
	return tx.Commit(ctx)
}

// mustCommit is commitTx that fails the test on an error.
func mustCommit(t *testing.T, db *database.DB, fn func(tx *database.Tx) error) int64 {
	t.Helper()
	ts, err := commitTx(t, db, fn)
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	return ts
}

// readTx runs fn in a read-only transaction at ts (0: the durable ts).
func readTx(t *testing.T, db *database.DB, ts int64, fn func(tx *database.Tx)) {
	t.Helper()
	tx, err := db.BeginRead(context.Background(), ts)
	if err != nil {
		t.Fatalf("begin read: %v", err)
	}
	defer tx.Rollback()
	fn(tx)
}

// docWithID builds a document of table number n with a fresh id, the
// given _creationTime and the fields of js.
func docWithID(t *testing.T, n value.TableNumber, ct float64, js string) (value.Object, value.ID) {
	t.Helper()
	internal, err := value.NewInternalID(rand.Reader, time.Unix(86400, 0))
	if err != nil {
		t.Fatal(err)
	}
	id := value.ID{Table: n, Internal: internal}
	return obj(t, js).With("_id", value.String(id.String())).With("_creationTime", value.Float64(ct)), id
}

// wantErr checks err against a wanted substring ("" wants none).
func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("err = %v, want one containing %q", err, want)
	}
}

// importDB opens a database on b with a table "people" (one document,
// an index by_name) in the app's namespace.
func importDB(t *testing.T, b backend) *database.DB {
	t.Helper()
	db := openDB(t, b.open(t), database.Options{})
	mustCommit(t, db, func(tx *database.Tx) error {
		applySchema(t, tx, schemaJSON(`{"indexDescriptor":"by_name","fields":["name"]}`))
		mustInsert(t, tx, "people", `{"name":"ada"}`)
		return nil
	})
	if err := db.WaitBackfills(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func numberOf(t *testing.T, db *database.DB, ns, table string) value.TableNumber {
	t.Helper()
	var n value.TableNumber
	readTx(t, db, 0, func(tx *database.Tx) {
		var ok bool
		if n, ok = tx.In(ns).TableNumber(table); !ok {
			t.Fatalf("no table %q in namespace %q", table, ns)
		}
	})
	return n
}

func indexNames(tx *database.Tx, table string) []string {
	var out []string
	for _, ix := range tx.Indexes() {
		if ix.Table == table {
			out = append(out, ix.Name)
		}
	}
	return out
}

func TestCreateTableNumbered(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := importDB(t, b)
			people := numberOf(t, db, "", "people")
			builtIn := []string{"by_creation_time", "by_id"}
			tests := []struct {
				name, ns, table string
				number          value.TableNumber
				like            string
				want            string   // error substring; "" for success
				wantIndexes     []string // indexes of the new table
			}{
				{name: "under a chosen number with the indexes of like", ns: stagingNS, table: "people", number: 10500, like: "people", wantIndexes: []string{"by_creation_time", "by_id", "by_name"}},
				{name: "without like only the built-in indexes", ns: stagingNS, table: "plain", number: 10501, wantIndexes: builtIn},
				{name: "a like that does not exist copies nothing", ns: stagingNS, table: "nolike", number: 10502, like: "missing", wantIndexes: builtIn},
				{name: "number 0 picks a free number", ns: stagingNS, table: "picked", wantIndexes: builtIn},
				{name: "a name taken in the namespace", ns: "", table: "people", number: 10503, want: "already exists"},
				{name: "a number taken by a table of another public namespace", ns: "comp", table: "clash", number: people, want: "is taken by table \"people\""},
				{name: "a public table's number in a hidden namespace", ns: stagingNS, table: "again", number: people, wantIndexes: builtIn},
				{name: "a number taken in the same hidden namespace", ns: stagingNS, table: "again2", number: people, want: "is taken by table \"again\""},
				{name: "a number from the tablet range", ns: stagingNS, table: "huge", number: 3 << 30, want: "too large"},
				{name: "an invalid name", ns: stagingNS, table: "no-dashes", number: 10504, want: "Invalid table name"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := commitTx(t, db, func(tx *database.Tx) error {
						return tx.In(tt.ns).CreateTableNumbered(tt.table, tt.number, "", tt.like)
					})
					wantErr(t, err, tt.want)
					if tt.want != "" {
						var taken *database.TableNumberTakenError
						if tt.ns == "comp" && (!errors.As(err, &taken) || taken.Name != "people" || taken.Namespace != "") {
							t.Fatalf("err = %#v, want a *TableNumberTakenError naming people", err)
						}
						return
					}
					readTx(t, db, 0, func(tx *database.Tx) {
						v := tx.In(tt.ns)
						n, ok := v.TableNumber(tt.table)
						if !ok || (tt.number != 0 && n != tt.number) || n == 0 {
							t.Fatalf("table number = %d, %v; want %d", n, ok, tt.number)
						}
						if got := indexNames(v, tt.table); !slices.Equal(got, tt.wantIndexes) {
							t.Fatalf("indexes = %v, want %v", got, tt.wantIndexes)
						}
						if _, ok := tx.TableNumber(tt.table); ok && tt.table != "people" {
							t.Fatalf("table %q is visible in the app's namespace", tt.table)
						}
					})
				})
			}
		})
	}
}

func TestInsertWithID(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := importDB(t, b)
			const number = 10600
			mustCommit(t, db, func(tx *database.Tx) error {
				return tx.In(stagingNS).CreateTableNumbered("people", number, "", "people")
			})
			good, goodID := docWithID(t, number, 1_700_000_000_123.5, `{"name":"grace"}`)
			other, _ := docWithID(t, number+1, 1, `{"name":"x"}`)
			tests := []struct {
				name  string
				table string
				docs  func() []value.Object
				want  string
			}{
				{name: "keeps its id and creation time", table: "people", docs: func() []value.Object { return []value.Object{good} }},
				{name: "no _id", table: "people", docs: func() []value.Object { return []value.Object{good.Without("_id")} }, want: "no string _id"},
				{name: "an unparsable _id", table: "people", docs: func() []value.Object {
					return []value.Object{good.With("_id", value.String("nope"))}
				}, want: "invalid _id"},
				{name: "an _id of another table", table: "people", docs: func() []value.Object { return []value.Object{other} }, want: "belongs to table number"},
				{name: "no _creationTime", table: "people", docs: func() []value.Object {
					d, _ := docWithID(t, number, 1, `{}`)
					return []value.Object{d.Without("_creationTime")}
				}, want: "_creationTime"},
				{name: "a NaN _creationTime", table: "people", docs: func() []value.Object {
					d, _ := docWithID(t, number, math.NaN(), `{}`)
					return []value.Object{d}
				}, want: "_creationTime"},
				{name: "the same id twice", table: "people", docs: func() []value.Object {
					d, _ := docWithID(t, number, 2, `{}`)
					return []value.Object{d, d}
				}, want: "appears twice"},
				{name: "no such table", table: "ghosts", docs: func() []value.Object { return []value.Object{good} }, want: "no such table"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := commitTx(t, db, func(tx *database.Tx) error {
						for _, d := range tt.docs() {
							if err := tx.In(stagingNS).InsertWithID(context.Background(), tt.table, d); err != nil {
								return err
							}
						}
						return nil
					})
					wantErr(t, err, tt.want)
					var dbErr *database.Error
					if tt.want != "" && tt.table == "people" && (!errors.As(err, &dbErr) || dbErr.Code != "InvalidDocument") {
						t.Fatalf("err = %#v, want an InvalidDocument *database.Error", err)
					}
				})
			}
			readTx(t, db, 0, func(tx *database.Tx) {
				doc, ok, err := tx.In(stagingNS).Get(context.Background(), goodID)
				if err != nil || !ok {
					t.Fatalf("Get(%s) = %v, %v", goodID, ok, err)
				}
				if !value.Equal(doc, good) {
					t.Fatalf("stored %s, want %s", value.ToJSON(doc), value.ToJSON(good))
				}
			})
		})
	}
}

func TestMoveTable(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := importDB(t, b)
			const number = 10700
			doc, id := docWithID(t, number, 5, `{"name":"staged"}`)
			mustCommit(t, db, func(tx *database.Tx) error {
				s := tx.In(stagingNS)
				if err := s.CreateTableNumbered("people", number, "", "people"); err != nil {
					return err
				}
				return s.InsertWithID(context.Background(), "people", doc)
			})
			tests := []struct {
				name                   string
				fromNS, from, toNS, to string
				want                   string
			}{
				{name: "onto a taken name", fromNS: stagingNS, from: "people", toNS: "", to: "people", want: "already exists"},
				{name: "a table that does not exist", fromNS: stagingNS, from: "ghosts", toNS: "", to: "ghosts", want: "no such table"},
				{name: "out of the way", fromNS: "", from: "people", toNS: "_retired/test/", to: "people"},
				{name: "into place", fromNS: stagingNS, from: "people", toNS: "", to: "people"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := commitTx(t, db, func(tx *database.Tx) error {
						return tx.In(tt.fromNS).MoveTable(context.Background(), tt.from, tt.toNS, tt.to)
					})
					wantErr(t, err, tt.want)
				})
			}
			readTx(t, db, 0, func(tx *database.Tx) {
				if n, _ := tx.TableNumber("people"); n != number {
					t.Fatalf("people is number %d, want the staged table's %d", n, number)
				}
				if _, ok := tx.In(stagingNS).TableNumber("people"); ok {
					t.Fatal("the staged table is still in the staging namespace")
				}
				got, ok, err := tx.Get(context.Background(), id)
				if err != nil || !ok || !value.Equal(got, doc) {
					t.Fatalf("Get(%s) = %s, %v, %v", id, value.ToJSON(got), ok, err)
				}
				if got := indexNames(tx, "people"); !slices.Equal(got, []string{"by_creation_time", "by_id", "by_name"}) {
					t.Fatalf("indexes of the moved table = %v", got)
				}
				var names []string
				err = tx.In("_retired/test/").EachDocument(context.Background(), "people", func(d value.Object) error {
					names = append(names, userFields(d))
					return nil
				})
				if err != nil || !slices.Equal(names, []string{`{"name":"ada"}`}) {
					t.Fatalf("retired table holds %v (%v)", names, err)
				}
			})
		})
	}
}

func TestRenumberEmptyTable(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := importDB(t, b)
			mustCommit(t, db, func(tx *database.Tx) error {
				_, err := tx.Insert(context.Background(), "empty", obj(t, `{}`))
				return err
			})
			// Empty the table again, so it exists with no documents.
			mustCommit(t, db, func(tx *database.Tx) error {
				return tx.EachDocument(context.Background(), "empty", func(d value.Object) error {
					id, _ := value.ParseID(string(must(d.Get("_id")).(value.String)))
					_, err := tx.Delete(context.Background(), id)
					return err
				})
			})
			old := numberOf(t, db, "", "empty")
			// What a renumbering picks when nothing is avoided.
			var first value.TableNumber
			func() {
				tx, err := db.Begin(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if first, err = tx.RenumberEmptyTable(context.Background(), "empty", nil); err != nil {
					t.Fatal(err)
				}
			}()
			tests := []struct {
				name  string
				table string
				avoid map[value.TableNumber]bool
				want  string
			}{
				{name: "a table with documents", table: "people", want: "not empty"},
				{name: "a table that does not exist", table: "ghosts", want: "no movable table"},
				{name: "an empty table, avoiding a number", table: "empty", avoid: map[value.TableNumber]bool{first: true}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var got value.TableNumber
					_, err := commitTx(t, db, func(tx *database.Tx) error {
						var err error
						got, err = tx.RenumberEmptyTable(context.Background(), tt.table, tt.avoid)
						return err
					})
					wantErr(t, err, tt.want)
					if tt.want != "" {
						return
					}
					if got == old || tt.avoid[got] || got == 0 {
						t.Fatalf("new number %d (old %d, avoided %v)", got, old, tt.avoid)
					}
					if n := numberOf(t, db, "", tt.table); n != got {
						t.Fatalf("table number after commit = %d, want %d", n, got)
					}
				})
			}
			t.Run("the old number is free again", func(t *testing.T) {
				mustCommit(t, db, func(tx *database.Tx) error { return tx.In(stagingNS).CreateTableNumbered("empty", old, "", "") })
			})
			t.Run("a document committed meanwhile makes it conflict", func(t *testing.T) {
				ctx := context.Background()
				tx, err := db.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if _, err := tx.RenumberEmptyTable(ctx, "empty", nil); err != nil {
					t.Fatal(err)
				}
				mustCommit(t, db, func(other *database.Tx) error {
					_, err := other.Insert(ctx, "empty", obj(t, `{"late":true}`))
					return err
				})
				_, err = tx.Commit(ctx)
				var conflict *database.ConflictError
				if !errors.As(err, &conflict) {
					t.Fatalf("commit = %v, want a *database.ConflictError", err)
				}
			})
		})
	}
}

func must[T any](v T, ok bool) T {
	if !ok {
		panic("missing")
	}
	return v
}

func TestDropEmptyTable(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := importDB(t, b)
			const number = 10800
			mustCommit(t, db, func(tx *database.Tx) error {
				return tx.In(stagingNS).CreateTableNumbered("people", number, "", "people")
			})
			tests := []struct {
				name, ns, table string
				want            string
			}{
				{name: "a table with documents", ns: "", table: "people", want: "not empty"},
				{name: "a table that does not exist", ns: stagingNS, table: "ghosts", want: "no movable table"},
				{name: "a system table", ns: "", table: "_tables", want: "no movable table"},
				{name: "an empty table with indexes", ns: stagingNS, table: "people"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := commitTx(t, db, func(tx *database.Tx) error { return tx.In(tt.ns).DropEmptyTable(context.Background(), tt.table) })
					wantErr(t, err, tt.want)
				})
			}
			readTx(t, db, 0, func(tx *database.Tx) {
				s := tx.In(stagingNS)
				if _, ok := s.TableNumber("people"); ok || len(indexNames(s, "people")) > 0 {
					t.Fatal("the dropped table or its indexes are still there")
				}
				if n, _ := tx.TableNumber("people"); n == 0 {
					t.Fatal("the app's people table went too")
				}
			})
			// Its name and number can be taken again.
			mustCommit(t, db, func(tx *database.Tx) error { return tx.In(stagingNS).CreateTableNumbered("people", number, "", "") })
		})
	}
}

func TestEachDocument(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := openDB(t, b.open(t), database.Options{})
			// More than a page of the scan (512), over several commits.
			var tss []int64
			for c := range 3 {
				tss = append(tss, mustCommit(t, db, func(tx *database.Tx) error {
					for i := range 400 {
						if _, err := tx.Insert(context.Background(), "items", obj(t, fmt.Sprintf(`{"n":%d}`, c*400+i))); err != nil {
							return err
						}
					}
					return nil
				}))
			}
			mustCommit(t, db, func(tx *database.Tx) error {
				_, err := tx.In("comp").Insert(context.Background(), "items", obj(t, `{"n":-1}`))
				return err
			})
			stop := errors.New("stop")
			tests := []struct {
				name   string
				ts     int64 // 0: the durable ts
				ns     string
				table  string
				stopAt int // fn fails at this call (0: never)
				want   int // documents seen
				err    error
			}{
				{name: "every document in creation order", table: "items", want: 1200},
				{name: "as of an older snapshot", ts: tss[1], table: "items", want: 800},
				{name: "of a component's namespace", ns: "comp", table: "items", want: 1},
				{name: "a table that does not exist", table: "ghosts", want: 0},
				{name: "a system table", table: "_tables", want: -1},
				{name: "an error from fn stops the walk", table: "items", stopAt: 600, want: 600, err: stop},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					readTx(t, db, tt.ts, func(tx *database.Tx) {
						seen, last := 0, -1.0
						err := tx.In(tt.ns).EachDocument(context.Background(), tt.table, func(d value.Object) error {
							seen++
							ct := float64(must(d.Get("_creationTime")).(value.Float64))
							if ct <= last {
								t.Fatalf("document %d: _creationTime %v after %v", seen, ct, last)
							}
							last = ct
							if tt.table == "items" && tt.ns == "" {
								if n := float64(must(d.Get("n")).(value.Float64)); n != float64(seen-1) {
									t.Fatalf("document %d has n = %v", seen, n)
								}
							}
							if seen == tt.stopAt {
								return stop
							}
							return nil
						})
						if !errors.Is(err, tt.err) {
							t.Fatalf("err = %v, want %v", err, tt.err)
						}
						if tt.want >= 0 && seen != tt.want {
							t.Fatalf("saw %d documents, want %d", seen, tt.want)
						}
						if tt.want < 0 && seen == 0 {
							t.Fatal("saw no document of a system table")
						}
					})
				})
			}
		})
	}
}
