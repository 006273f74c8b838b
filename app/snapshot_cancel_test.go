package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hull/database"
	"hull/snapshot"
	"hull/value"
)

// writeJSONLines writes n small documents as a JSON lines upload.
func writeJSONLines(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "{\"name\":\"user %d\",\"n\":%d}\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "users.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// importRecord waits until the import's record leaves in_progress and
// returns its state.
func importRecord(t *testing.T, a *App, id string) value.Object {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		tx, err := a.db.BeginRead(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := importDocs(ctx, tx, id)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		obj, _ := doc.(value.Object)
		st, _ := obj.Get("state")
		state, _ := st.(value.Object)
		if s := strField(state, "state"); s != "in_progress" && s != "" {
			return state
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still in progress", id)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hiddenNamespaces lists the staging and retired namespaces left.
func hiddenNamespaces(t *testing.T, a *App) []string {
	t.Helper()
	tx, err := a.db.BeginRead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var out []string
	for _, ns := range tx.Namespaces() {
		if _, ok := hiddenImportJob(ns); ok && len(tx.In(ns).TableNames()) > 0 {
			out = append(out, ns)
		}
	}
	return out
}

func userCount(t *testing.T, a *App) int {
	t.Helper()
	tx, err := a.db.BeginRead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, ok := tx.TableNumber("users"); !ok {
		return 0
	}
	n, err := countUpTo(context.Background(), tx, "users", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A canceled import fails with "Import canceled", leaves nothing visible
// and no hidden tables; a finished one cannot be canceled, an unknown one
// is not found.
func TestCancelImport(t *testing.T) {
	ctx := context.Background()
	a, _ := newFilesApp(t, FilesOptions{}, nil)
	req := ImportRequest{Format: snapshot.FormatJSONLines, Table: "users", Mode: ImportRequireEmpty}

	id, err := a.StartImport(ctx, writeJSONLines(t, 20_000), req)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CancelImport(ctx, id); err != nil {
		t.Fatalf("cancel a running import: %v", err)
	}
	state := importRecord(t, a, id)
	if strField(state, "state") != "failed" || strField(state, "error_message") != "Import canceled." {
		t.Fatalf("canceled import ended as %v", state)
	}
	if n := userCount(t, a); n != 0 {
		t.Fatalf("a canceled import left %d documents visible", n)
	}
	if left := hiddenNamespaces(t, a); len(left) > 0 {
		t.Fatalf("a canceled import left hidden tables in %v", left)
	}

	id, err = a.StartImport(ctx, writeJSONLines(t, 10), req)
	if err != nil {
		t.Fatal(err)
	}
	if state := importRecord(t, a, id); strField(state, "state") != "completed" {
		t.Fatalf("import ended as %v", state)
	}
	tests := []struct {
		record string
		code   string
	}{
		{id, "ImportNotCancelable"},
		{"nosuchimport", "ImportNotFound"},
	}
	for _, tt := range tests {
		var ae *Error
		if err := a.CancelImport(ctx, tt.record); !errors.As(err, &ae) || ae.Code != tt.code {
			t.Errorf("cancel %s: %v, want %s", tt.record, err, tt.code)
		}
	}
	if n := userCount(t, a); n != 10 {
		t.Fatalf("%d users after the finished import, want 10", n)
	}
}

// After a crash mid-import, the next process marks the record failed and
// drops the import's hidden tables; the live data is untouched.
func TestRecoverImportsCleansUpAfterACrash(t *testing.T) {
	ctx := context.Background()
	a, _ := newFilesApp(t, FilesOptions{}, nil)
	var record value.ID
	err := a.commitRetry(ctx, func(tx *database.Tx) error {
		if _, err := tx.Insert(ctx, "users", value.MustObject(value.Field{Name: "name", Value: value.String("live")})); err != nil {
			return err
		}
		for _, ns := range []string{"_import/deadbeef/", "_retired/cafe0123/"} {
			for i := range 3 {
				if _, err := tx.In(ns).Insert(ctx, "users", value.MustObject(value.Field{Name: "n", Value: value.Float64(i)})); err != nil {
					return err
				}
			}
		}
		var err error
		record, err = tx.SystemInsert(ctx, importsTable, value.MustObject(
			value.Field{Name: "state", Value: importState("in_progress")}))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if left := hiddenNamespaces(t, a); len(left) != 2 {
		t.Fatalf("set-up: hidden namespaces %v", left)
	}
	if err := a.RecoverImports(ctx); err != nil {
		t.Fatal(err)
	}
	state := importRecord(t, a, record.String())
	if strField(state, "state") != "failed" || !strings.Contains(strField(state, "error_message"), "interrupted") {
		t.Fatalf("the interrupted import's record is %v", state)
	}
	if left := hiddenNamespaces(t, a); len(left) > 0 {
		t.Fatalf("hidden tables left in %v", left)
	}
	if n := userCount(t, a); n != 1 {
		t.Fatalf("%d live users, want 1", n)
	}
}
