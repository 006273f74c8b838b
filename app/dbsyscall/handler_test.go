package dbsyscall_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"hull/app/dbsyscall"
	"hull/database"
	"hull/persistence/sqlite"
)

func openDB(t *testing.T) *database.DB {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hull.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lease, err := st.Acquire(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, st, lease, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// call runs one op, sync or async as Convex calls it.
func call(t *testing.T, h *dbsyscall.Handler, op string, args string) (string, error) {
	t.Helper()
	ctx := context.Background()
	sync := map[string]bool{"1.0/queryStream": true, "1.0/queryCleanup": true, "1.0/db/normalizeId": true, "1.0/getSnapshotTs": true}
	var out []byte
	var handled bool
	var err error
	if sync[op] {
		out, handled, err = h.Syscall(ctx, op, []byte(args))
	} else {
		out, handled, err = h.AsyncSyscall(ctx, op, []byte(args))
	}
	if !handled {
		t.Fatalf("%s not handled", op)
	}
	return string(out), err
}

func mustCall(t *testing.T, h *dbsyscall.Handler, op, args string) string {
	t.Helper()
	out, err := call(t, h, op, args)
	if err != nil {
		t.Fatalf("%s %s: %v", op, args, err)
	}
	return out
}

// field reads a top-level field of a JSON object.
func field(t *testing.T, js, name string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return string(m[name])
}

func TestMutationOps(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	h := dbsyscall.New(tx, dbsyscall.Options{})
	id := field(t, mustCall(t, h, "1.0/insert", `{"table":"notes","value":{"body":"hi","tags":["a"],"n":{"$integer":"AQAAAAAAAAA="}}}`), "_id")
	other := field(t, mustCall(t, h, "1.0/insert", `{"table":"other","value":{}}`), "_id")

	tests := []struct {
		name, op, args string
		want           []string // substrings of the result
		err            string   // substring of the error
	}{
		{"get returns the document", "1.0/get", `{"id":` + id + `,"isSystem":false,"version":"1.48.0"}`, []string{`"body":"hi"`, `"_creationTime":`, `"n":{"$integer":"AQAAAAAAAAA="}`}, ""},
		{"get with the matching table", "1.0/get", `{"id":` + id + `,"isSystem":false,"table":"notes"}`, []string{`"body":"hi"`}, ""},
		{"get with another table", "1.0/get", `{"id":` + id + `,"isSystem":false,"table":"other"}`, nil, `expected to be an Id<"other">, got Id<"notes"> instead.`},
		{"get of a user table through db.system", "1.0/get", `{"id":` + id + `,"isSystem":true}`, nil, "User tables"},
		{"get of an undecodable id", "1.0/get", `{"id":"nope","isSystem":false}`, nil, "Invalid argument `id` for `db.get`"},
		{"shallowMerge removes undefined fields", "1.0/shallowMerge", `{"id":` + id + `,"value":{"tags":{"$undefined":null},"body":"new"}}`, []string{`"body":"new"`}, ""},
		{"replace keeps system fields", "1.0/replace", `{"id":` + other + `,"value":{"x":1}}`, []string{`"x":1`, `"_id":` + other}, ""},
		{"replace of a non-object", "1.0/replace", `{"id":` + other + `,"value":[1]}`, nil, "expected an object"},
		{"insert into a system table", "1.0/insert", `{"table":"_storage","value":{}}`, nil, "read-only"},
		{"count counts the table", "1.0/count", `{"table":"notes"}`, []string{"1"}, ""},
		{"normalizeId accepts an id of the table", "1.0/db/normalizeId", `{"table":"notes","idString":` + id + `}`, []string{`{"id":` + id + `}`}, ""},
		{"normalizeId refuses an id of another table", "1.0/db/normalizeId", `{"table":"other","idString":` + id + `}`, []string{`{"id":null}`}, ""},
		{"normalizeId refuses garbage", "1.0/db/normalizeId", `{"table":"notes","idString":"zzz"}`, []string{`{"id":null}`}, ""},
		{"getSnapshotTs is an int64", "1.0/getSnapshotTs", `{}`, []string{`{"$integer":`}, ""},
		{"remove returns the deleted document", "1.0/remove", `{"id":` + other + `}`, []string{`"x":1`}, ""},
		{"remove of a deleted document", "1.0/remove", `{"id":` + other + `}`, nil, "Delete on nonexistent document ID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := call(t, h, tc.op, tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !database.IsUserError(err) {
					t.Fatalf("error %v, want a user error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Fatalf("result %s lacks %s", out, w)
				}
			}
		})
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rtx, err := db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	rh := dbsyscall.New(rtx, dbsyscall.Options{})
	got := mustCall(t, rh, "1.0/get", `{"id":`+id+`,"isSystem":false}`)
	if !strings.Contains(got, `"body":"new"`) || strings.Contains(got, "tags") {
		t.Fatalf("committed document %s", got)
	}
	t.Run("writes in a query fail", func(t *testing.T) {
		if _, err := call(t, rh, "1.0/insert", `{"table":"notes","value":{}}`); err == nil || !database.IsUserError(err) {
			t.Fatalf("insert in a query: %v", err)
		}
	})
	t.Run("other ops are not handled", func(t *testing.T) {
		if _, handled, _ := rh.AsyncSyscall(ctx, "1.0/getUserIdentity", []byte(`{}`)); handled {
			t.Fatal("handled a non-database op")
		}
		if _, handled, _ := rh.Syscall(ctx, "1.0/get", []byte(`{}`)); handled {
			t.Fatal("handled an async op as sync")
		}
	})
}

func TestQueryOps(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := dbsyscall.New(tx, dbsyscall.Options{})
	for _, n := range []string{"1", "2", "3"} {
		mustCall(t, h, "1.0/insert", `{"table":"t","value":{"n":`+n+`}}`)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rtx, err := db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	h = dbsyscall.New(rtx, dbsyscall.Options{})
	q := `{"source":{"type":"FullTableScan","tableName":"t","order":"desc"},"operators":[{"limit":2}]}`

	qid := field(t, mustCall(t, h, "1.0/queryStream", `{"query":`+q+`,"version":"1.48.0"}`), "queryId")
	var got []string
	for i := 0; i < 5; i++ {
		out := mustCall(t, h, "1.0/queryStreamNext", `{"queryId":`+qid+`}`)
		if field(t, out, "done") == "true" {
			if field(t, out, "value") != "null" {
				t.Fatalf("done with a value: %s", out)
			}
			break
		}
		got = append(got, field(t, field(t, out, "value"), "n"))
	}
	if strings.Join(got, ",") != "3,2" {
		t.Fatalf("stream gave %v", got)
	}
	if _, err := call(t, h, "1.0/queryStreamNext", `{"queryId":`+qid+`}`); err == nil {
		t.Fatal("a finished query is still readable")
	}
	qid2 := field(t, mustCall(t, h, "1.0/queryStream", `{"query":`+q+`}`), "queryId")
	if out := mustCall(t, h, "1.0/queryCleanup", `{"queryId":`+qid2+`}`); out != "true" {
		t.Fatalf("cleanup of a live query: %s", out)
	}
	if out := mustCall(t, h, "1.0/queryCleanup", `{"queryId":`+qid2+`}`); out != "false" {
		t.Fatalf("second cleanup: %s", out)
	}
	if _, err := call(t, h, "1.0/queryStream", `{"query":{"source":{"type":"IndexRange","indexName":"t.by_x","range":[],"order":null},"operators":[]}}`); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown index: %v", err)
	}

	page := mustCall(t, h, "1.0/queryPage", `{"query":`+q+`,"cursor":null,"endCursor":null,"pageSize":1,"maximumRowsRead":null,"version":"1.48.0"}`)
	var p struct {
		Page           []map[string]any `json:"page"`
		IsDone         bool             `json:"isDone"`
		ContinueCursor string           `json:"continueCursor"`
		SplitCursor    *string          `json:"splitCursor"`
		PageStatus     *string          `json:"pageStatus"`
	}
	if err := json.Unmarshal([]byte(page), &p); err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if len(p.Page) != 1 || p.IsDone || p.ContinueCursor == "" || p.PageStatus != nil {
		t.Fatalf("page %s", page)
	}
	if _, err := call(t, h, "1.0/queryPage", `{"query":`+q+`,"cursor":null,"pageSize":1}`); err == nil || !strings.Contains(err.Error(), "multiple paginated queries") {
		t.Fatalf("second paginate: %v", err)
	}
}

func TestReactivePageKeepsItsEndCursor(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	insert := func(n string) {
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mustCall(t, dbsyscall.New(tx, dbsyscall.Options{}), "1.0/insert", `{"table":"t","value":{"n":`+n+`}}`)
		if _, err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	insert("1")
	insert("2")
	insert("3")
	q := `{"source":{"type":"FullTableScan","tableName":"t","order":"desc"},"operators":[]}`
	args := `{"query":` + q + `,"cursor":null,"endCursor":null,"pageSize":2,"maximumRowsRead":null}`
	run := func(prev string) (string, string) {
		tx, err := db.BeginRead(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		h := dbsyscall.New(tx, dbsyscall.Options{PrevEndCursor: prev})
		return mustCall(t, h, "1.0/queryPage", args), h.EndCursor()
	}
	first, journal := run("")
	if journal == "" || !strings.Contains(first, `"n":3`) || !strings.Contains(first, `"n":2`) {
		t.Fatalf("first run %s journal %q", first, journal)
	}
	insert("4")
	again, journal2 := run(journal)
	for _, n := range []string{`"n":4`, `"n":3`, `"n":2`} {
		if !strings.Contains(again, n) {
			t.Fatalf("re-run %s lacks %s", again, n)
		}
	}
	if journal2 != journal {
		t.Fatalf("journal changed on re-run: %q -> %q", journal, journal2)
	}
}
