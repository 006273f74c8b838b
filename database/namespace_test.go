package database_test

import (
	"context"
	"strings"
	"testing"

	"hull/database"
	"hull/value"
)

func TestNamespaces(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var appID, compID value.ID
	e.mutate(func(tx *database.Tx) {
		appID = mustInsert(t, tx, "messages", `{"body":"app"}`)
		compID = mustInsert(t, tx.In("limiter"), "messages", `{"body":"component"}`)
	})

	t.Run("a name resolves in the view's namespace", func(t *testing.T) {
		e.read(func(tx *database.Tx) {
			for _, tc := range []struct {
				ns, want string
			}{{"", `{"body":"app"}`}, {"limiter", `{"body":"component"}`}, {"other", ""}} {
				docs, err := collect(t, tx.In(tc.ns), query(t, scanQuery("messages", nil)))
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Join(docs, ","); got != tc.want {
					t.Errorf("namespace %q sees %s, want %s", tc.ns, got, tc.want)
				}
			}
		})
	})
	t.Run("a document of another namespace is not found by its id", func(t *testing.T) {
		e.read(func(tx *database.Tx) {
			if _, ok, err := tx.Get(ctx, compID); err != nil || ok {
				t.Errorf("the app got the component's document: %v %v", ok, err)
			}
			if _, ok, err := tx.In("limiter").Get(ctx, appID); err != nil || ok {
				t.Errorf("the component got the app's document: %v %v", ok, err)
			}
			if _, ok, err := tx.In("limiter").Get(ctx, compID); err != nil || !ok {
				t.Errorf("the component lost its document: %v %v", ok, err)
			}
			if _, ok, err := tx.SystemGet(ctx, compID); err != nil || !ok {
				t.Errorf("SystemGet does not reach every namespace: %v %v", ok, err)
			}
			if _, ok := tx.TableName(compID.Table); ok {
				t.Error("the app's view names the component's table")
			}
			if ns, name, ok := tx.TableNamespace(compID.Table); !ok || ns != "limiter" || name != "messages" {
				t.Errorf("TableNamespace = %q %q %v", ns, name, ok)
			}
		})
	})
	t.Run("a document of another namespace cannot be written by its id", func(t *testing.T) {
		tx, err := e.db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Delete(ctx, compID); err == nil || !strings.Contains(err.Error(), "nonexistent document") {
			t.Errorf("delete across namespaces: %v", err)
		}
		if _, err := tx.In("limiter").Patch(ctx, appID, []value.Field{{Name: "body", Value: value.String("x")}}); err == nil {
			t.Error("patch across namespaces succeeded")
		}
	})
	t.Run("each namespace has its own schema", func(t *testing.T) {
		e.mutate(func(tx *database.Tx) {
			applySchema(t, tx.In("limiter"), `{"tables":[{"tableName":"messages","indexes":[{"indexDescriptor":"by_body","fields":["body"]}],
				"documentType":{"type":"object","value":{"body":{"fieldType":{"type":"string"},"optional":false}}}}],"schemaValidation":true}`)
		})
		e.reopen()
		tx, err := e.db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Insert(ctx, "messages", obj(t, `{"n":1}`)); err != nil {
			t.Errorf("the app's table took the component's schema: %v", err)
		}
		if _, err := tx.In("limiter").Insert(ctx, "messages", obj(t, `{"n":1}`)); err == nil || !strings.Contains(err.Error(), "does not match the schema") {
			t.Errorf("the component's schema is not enforced: %v", err)
		}
		if tx.Schema() != nil || tx.In("limiter").Schema() == nil {
			t.Error("Schema() is not per namespace")
		}
		var names []string
		for _, ix := range tx.In("limiter").Indexes() {
			names = append(names, ix.Table+"."+ix.Name)
		}
		if got := strings.Join(names, ","); got != "messages.by_body,messages.by_creation_time,messages.by_id" {
			t.Errorf("component indexes = %s", got)
		}
		for _, ix := range tx.Indexes() {
			if ix.Name == "by_body" {
				t.Error("the app lists the component's index")
			}
		}
		st, _ := e.db.IndexStatuses()
		found := false
		for _, s := range st {
			if database.IndexKey(s.Namespace, s.Table, s.Name) == "limiter:messages.by_body" {
				found = true
			}
		}
		if !found {
			t.Error("IndexStatuses has no limiter:messages.by_body")
		}
	})
}
