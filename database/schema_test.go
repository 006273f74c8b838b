package database_test

import (
	"context"
	"strings"
	"testing"

	"hull/database"
)

func applySchema(t *testing.T, tx *database.Tx, js string) *database.SchemaChanges {
	t.Helper()
	s, err := database.ParseSchema([]byte(js))
	if err != nil {
		t.Fatalf("ParseSchema: %v", err)
	}
	ch, err := tx.ApplySchema(context.Background(), s)
	if err != nil {
		t.Fatalf("ApplySchema: %v", err)
	}
	return ch
}

func schemaJSON(indexes string) string {
	return `{"tables":[{"tableName":"people","indexes":[` + indexes + `],"searchIndexes":[],"vectorIndexes":[],"documentType":{"type":"any"}}],"schemaValidation":false}`
}

func TestSchemaIndexBackfill(t *testing.T) {
	e := newEnv(t)
	e.mutate(func(tx *database.Tx) {
		mustInsert(t, tx, "people", `{"name":"b","age":30,"n":1}`)
		mustInsert(t, tx, "people", `{"name":"a","age":20,"n":2}`)
	})
	byName := indexQuery("people.by_name", nil, nil)
	byAge := indexQuery("people.by_age", nil, []any{rng("Gte", "age", 25)})

	t.Run("a new index is backfilled in the same commit as other writes", func(t *testing.T) {
		e.mutate(func(tx *database.Tx) {
			mustInsert(t, tx, "people", `{"name":"c","age":40,"n":3}`)
			ch := applySchema(t, tx, schemaJSON(`{"indexDescriptor":"by_name","fields":["name"]}`))
			if len(ch.Added) != 1 || ch.Added[0].Name != "by_name" || len(ch.Dropped) != 0 {
				t.Fatalf("changes %+v", ch)
			}
		})
		e.read(func(tx *database.Tx) {
			got, err := collect(t, tx, query(t, byName))
			if err != nil || ns(t, got) != "2,1,3" {
				t.Fatalf("by_name: %v %v", got, err)
			}
		})
	})
	t.Run("later writes maintain the index", func(t *testing.T) {
		e.mutate(func(tx *database.Tx) {
			got, _ := collect(t, tx, query(t, indexQuery("people.by_name", nil, []any{rng("Eq", "name", "a")})))
			if len(got) != 1 {
				t.Fatalf("lookup: %v", got)
			}
			mustInsert(t, tx, "people", `{"name":"0","n":4}`)
		})
		e.read(func(tx *database.Tx) {
			got, err := collect(t, tx, query(t, byName))
			if err != nil || ns(t, got) != "4,2,1,3" {
				t.Fatalf("by_name: %v %v", ns(t, got), err)
			}
		})
	})
	t.Run("an unchanged schema changes nothing; a replaced index is dropped and added", func(t *testing.T) {
		e.mutate(func(tx *database.Tx) {
			ch := applySchema(t, tx, schemaJSON(`{"indexDescriptor":"by_name","fields":["name"]}`))
			if len(ch.Added)+len(ch.Dropped) != 0 {
				t.Fatalf("unchanged schema changed %+v", ch)
			}
		})
		e.mutate(func(tx *database.Tx) {
			ch := applySchema(t, tx, schemaJSON(`{"indexDescriptor":"by_age","fields":["age"]}`))
			if len(ch.Added) != 1 || ch.Added[0].Name != "by_age" || len(ch.Dropped) != 1 || ch.Dropped[0].Name != "by_name" {
				t.Fatalf("changes %+v", ch)
			}
		})
		e.read(func(tx *database.Tx) {
			if _, err := tx.Query(context.Background(), query(t, byName)); err == nil || !strings.Contains(err.Error(), "not found") {
				t.Fatalf("dropped index still queryable: %v", err)
			}
			got, err := collect(t, tx, query(t, byAge))
			if err != nil || ns(t, got) != "1,3" {
				t.Fatalf("by_age: %v %v", got, err)
			}
		})
	})
	t.Run("index changes survive a restart", func(t *testing.T) {
		e.reopen()
		e.read(func(tx *database.Tx) {
			got, err := collect(t, tx, query(t, byAge))
			if err != nil || ns(t, got) != "1,3" {
				t.Fatalf("by_age after reopen: %v %v", got, err)
			}
			idx := tx.Indexes()
			var names []string
			for _, ix := range idx {
				names = append(names, ix.Table+"."+ix.Name)
			}
			if strings.Join(names, ",") != "people.by_age,people.by_creation_time,people.by_id" {
				t.Fatalf("indexes %v", names)
			}
		})
	})
}

func TestParseSchema(t *testing.T) {
	ok := `{"tables":[{"tableName":"t","indexes":[{"indexDescriptor":"by_a","fields":["a","b.c"]}],"stagedDbIndexes":[],"searchIndexes":[{"indexDescriptor":"s","searchField":"body","filterFields":[]}],"stagedSearchIndexes":[],"vectorIndexes":[],"stagedVectorIndexes":[],"documentType":{"type":"object","value":{"a":{"fieldType":{"type":"string"},"optional":false}}}}]}`
	s, err := database.ParseSchema([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	if !s.SchemaValidation || len(s.Tables) != 1 || s.Tables[0].Indexes[0].Fields[1] != "b.c" || len(s.Tables[0].SearchIndexes) != 1 {
		t.Fatalf("parsed %+v", s)
	}
	bad := []struct{ name, json string }{
		{"a system table", `{"tables":[{"tableName":"_t","indexes":[]}]}`},
		{"a reserved index name", `{"tables":[{"tableName":"t","indexes":[{"indexDescriptor":"by_id","fields":["a"]}]}]}`},
		{"a system field in an index", `{"tables":[{"tableName":"t","indexes":[{"indexDescriptor":"by_a","fields":["_creationTime"]}]}]}`},
		{"an index without fields", `{"tables":[{"tableName":"t","indexes":[{"indexDescriptor":"by_a","fields":[]}]}]}`},
		{"a duplicate index", `{"tables":[{"tableName":"t","indexes":[{"indexDescriptor":"by_a","fields":["a"]},{"indexDescriptor":"by_a","fields":["b"]}]}]}`},
		{"a duplicate field", `{"tables":[{"tableName":"t","indexes":[{"indexDescriptor":"by_a","fields":["a","a"]}]}]}`},
		{"a duplicate table", `{"tables":[{"tableName":"t","indexes":[]},{"tableName":"t","indexes":[]}]}`},
	}
	for _, tc := range bad {
		t.Run(tc.name+" is rejected", func(t *testing.T) {
			if _, err := database.ParseSchema([]byte(tc.json)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
