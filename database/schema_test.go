package database_test

import (
	"context"
	"strings"
	"testing"

	"hull/database"
	"hull/value"
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

	t.Run("a new index covers the existing documents and those written in the commit that adds it", func(t *testing.T) {
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

func TestSchemaEnforcement(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var other string
	e.mutate(func(tx *database.Tx) {
		id := mustInsert(t, tx, "authors", `{}`)
		other = id.String()
		mustInsert(t, tx, "posts", `{"title":"ok","author":"`+other+`"}`)
	})
	const schema = `{"tables":[{"tableName":"posts","indexes":[],"documentType":{"type":"object","value":{
		"title":{"fieldType":{"type":"string"},"optional":false},
		"author":{"fieldType":{"type":"id","tableName":"authors"},"optional":false},
		"tags":{"fieldType":{"type":"array","value":{"type":"union","value":[{"type":"string"},{"type":"literal","value":{"$integer":"AQAAAAAAAAA="}}]}},"optional":true},
		"meta":{"fieldType":{"type":"record","keys":{"type":"string"},"values":{"fieldType":{"type":"number"},"optional":false}},"optional":true}
	}}}],"schemaValidation":true}`
	e.mutate(func(tx *database.Tx) { applySchema(t, tx, schema) })

	author := `"author":"` + other + `"`
	tests := []struct {
		name string
		doc  string
		want string // "" = accepted
	}{
		{"a matching document", `{"title":"a",` + author + `,"tags":["x",{"$integer":"AQAAAAAAAAA="}],"meta":{"k":1}}`, ""},
		{"a missing required field", `{` + author + `}`, "missing the required field `title`"},
		{"an extra field", `{"title":"a",` + author + `,"x":1}`, "extra field `x`"},
		{"a wrong type", `{"title":1,` + author + `}`, "Path: .title"},
		{"an int64 where a number is wanted", `{"title":"a",` + author + `,"meta":{"k":{"$integer":"AQAAAAAAAAA="}}}`, "Path: .meta.k"},
		{"a literal mismatch", `{"title":"a",` + author + `,"tags":[{"$integer":"AgAAAAAAAAA="}]}`, "Path: .tags[0]"},
		{"an id of another table", `{"title":"a","author":"` + "ID" + `"}`, "does not match the table name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := e.db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			doc := tc.doc
			if strings.Contains(doc, `"ID"`) {
				self := mustInsert(t, tx, "posts2", `{}`)
				doc = strings.Replace(doc, `"ID"`, `"`+self.String()+`"`, 1)
			}
			_, err = tx.Insert(ctx, "posts", obj(t, doc))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), `Failed to insert or update a document in table "posts" because it does not match the schema: `) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("a patch that breaks the schema is refused", func(t *testing.T) {
		tx, _ := e.db.Begin(ctx)
		defer tx.Rollback()
		docs, err := collect(t, tx, query(t, scanQuery("posts", nil)))
		if err != nil || len(docs) != 1 {
			t.Fatal(docs, err)
		}
		s, _ := tx.Query(ctx, query(t, scanQuery("posts", nil)))
		d, _, _ := s.Next(ctx)
		id, _ := d.Get("_id")
		pid, _ := value.ParseID(string(id.(value.String)))
		if _, err := tx.Patch(ctx, pid, []value.Field{{Name: "title"}}); err == nil || !strings.Contains(err.Error(), "missing the required field") {
			t.Fatalf("patch: %v", err)
		}
	})
	t.Run("a schema existing documents violate is refused", func(t *testing.T) {
		tx, _ := e.db.Begin(ctx)
		defer tx.Rollback()
		s, err := database.ParseSchema([]byte(strings.Replace(schema, `"title":{"fieldType":{"type":"string"}`, `"title":{"fieldType":{"type":"number"}`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ApplySchema(ctx, s); err == nil || !strings.Contains(err.Error(), "Schema validation failed") {
			t.Fatalf("ApplySchema: %v", err)
		}
	})
}

func TestWriteLimit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	lease, err := e.store.Acquire(ctx, "limits")
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, e.store, lease, database.Options{Limits: database.Limits{DocumentsWritten: 3}})
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := db.Begin(ctx)
	defer tx.Rollback()
	for i := range 4 {
		_, err = tx.Insert(ctx, "t", obj(t, `{}`))
		if (err != nil) != (i == 3) {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if de, ok := err.(*database.Error); !ok || de.Code != "TooManyWrites" {
		t.Fatalf("got %v", err)
	}
}
