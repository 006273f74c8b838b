package database_test

import (
	"context"
	"strings"
	"testing"

	"hull/database"
)

func TestSearch(t *testing.T) {
	e := newEnv(t)
	e.mutate(func(tx *database.Tx) {
		applySchema(t, tx, `{"tables":[{"tableName":"msgs","indexes":[],"searchIndexes":[{"indexDescriptor":"search_body","searchField":"body","filterFields":["ch"]}],"vectorIndexes":[],"documentType":{"type":"any"}}]}`)
		mustInsert(t, tx, "msgs", `{"body":"Hello world","ch":"a","n":1}`)
		mustInsert(t, tx, "msgs", `{"body":"hello hello there","ch":"b","n":2}`)
		mustInsert(t, tx, "msgs", `{"body":"worldwide news","ch":"a","n":3}`)
		mustInsert(t, tx, "msgs", `{"body":"nothing here","ch":"a","n":4}`)
	})
	search := func(filters ...any) map[string]any {
		return map[string]any{"source": map[string]any{"type": "Search", "indexName": "msgs.search_body", "filters": filters}, "operators": []any{}}
	}
	tests := []struct {
		name  string
		query map[string]any
		want  string
		err   string
	}{
		{"any term matches, more terms rank first", search(rng("Search", "body", "hello world")), "1,2,3", ""},
		{"the last term matches as a prefix", search(rng("Search", "body", "wor")), "3,1", ""},
		{"equality filters narrow the results", search(rng("Search", "body", "hello"), rng("Eq", "ch", "b")), "2", ""},
		{"a search without a search filter", search(rng("Eq", "ch", "b")), "", "MissingSearchFilterError"},
		{"a filter on a field that is not a filter field", search(rng("Search", "body", "x"), rng("Eq", "n", 1)), "", "invalid filter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.read(func(tx *database.Tx) {
				got, err := collect(t, tx, query(t, tc.query))
				if tc.err != "" {
					if err == nil || !strings.Contains(err.Error()+err.(*database.Error).Code, tc.err) {
						t.Fatalf("error %v, want %q", err, tc.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if g := ns(t, got); g != tc.want {
					t.Fatalf("got n=%s, want %s", g, tc.want)
				}
			})
		})
	}
	t.Run("a search index that does not exist", func(t *testing.T) {
		e.read(func(tx *database.Tx) {
			q := search(rng("Search", "body", "x"))
			q["source"].(map[string]any)["indexName"] = "msgs.nope"
			if _, err := tx.Query(context.Background(), query(t, q)); err == nil || !strings.Contains(err.Error(), "not found") {
				t.Fatalf("got %v", err)
			}
		})
	})
}
