package app

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"hull/database"
	"hull/snapshot"
	"hull/value"
)

// mutate runs fn in a committed transaction of the app's namespace.
func mutate(t *testing.T, a *App, fn func(tx *database.Tx) error) {
	t.Helper()
	if err := a.commitRetry(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// userDocs lists the documents of table in the app's namespace as JSON.
func userDocs(t *testing.T, a *App, table string) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var out []string
	if err := tx.EachDocument(ctx, table, func(d value.Object) error {
		out = append(out, string(value.ToJSON(d)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshotOf writes a's snapshot, files included.
func snapshotOf(t *testing.T, a *App) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := a.WriteSnapshot(context.Background(), &buf, SnapshotOptions{IncludeStorage: true}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fileText(t *testing.T, a *App, id value.ID) (string, bool) {
	t.Helper()
	ctx := context.Background()
	f, ok, err := a.files.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "", false
	}
	rc, err := a.files.Read(ctx, f, Range{})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

// A deployment's own snapshot imports back into it with --replace and
// --replace-all: the same documents and files, one file key per file,
// and no hidden table left behind.
func TestImportOfTheDeploymentsOwnSnapshot(t *testing.T) {
	for _, mode := range []ImportMode{ImportReplace, ImportReplaceAll} {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			a, _ := newFilesApp(t, FilesOptions{}, nil)
			var ada value.ID
			mutate(t, a, func(tx *database.Tx) error {
				var err error
				ada, err = tx.Insert(ctx, "users", value.MustObject(value.Field{Name: "name", Value: value.String("ada")}))
				return err
			})
			storeOneFile(t, a, "one")
			files := userDocs(t, a, storageTable)
			fileID, err := value.ParseID(strings.Split(strings.Split(files[0], `"_id":"`)[1], `"`)[0])
			if err != nil {
				t.Fatal(err)
			}
			zip := snapshotOf(t, a)
			want := userDocs(t, a, "users")

			mutate(t, a, func(tx *database.Tx) error {
				if _, err := tx.Patch(ctx, ada, []value.Field{{Name: "name", Value: value.String("changed")}}); err != nil {
					return err
				}
				_, err := tx.Insert(ctx, "users", value.MustObject(value.Field{Name: "name", Value: value.String("new")}))
				return err
			})
			storeOneFile(t, a, "two")

			if _, err := a.Import(ctx, bytes.NewReader(zip), int64(len(zip)), ImportRequest{Format: snapshot.FormatZIP, Mode: mode}); err != nil {
				t.Fatalf("import: %v", err)
			}
			if got := userDocs(t, a, "users"); !slices.Equal(got, want) {
				t.Fatalf("users = %v, want %v", got, want)
			}
			if got := userDocs(t, a, storageTable); !slices.Equal(got, files) {
				t.Fatalf("_storage = %v, want %v", got, files)
			}
			if text, ok := fileText(t, a, fileID); !ok || text != "one" {
				t.Fatalf("file %s = %q, %v; want \"one\"", fileID, text, ok)
			}
			if keys := userDocs(t, a, fileKeysTable); len(keys) != 1 {
				t.Fatalf("%s = %v, want the one key of the one file", fileKeysTable, keys)
			}
			tx, err := a.db.BeginRead(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if ns := tx.Namespaces(); !slices.Equal(ns, []string{""}) {
				t.Fatalf("namespaces after the import: %v", ns)
			}
			if doc, ok, err := tx.Get(ctx, ada); err != nil || !ok || !strings.Contains(string(value.ToJSON(doc)), `"ada"`) {
				t.Fatalf("get %s = %s, %v, %v", ada, value.ToJSON(doc), ok, err)
			}
		})
	}
}

// A table that keeps its documents through the import and has a number
// the snapshot's ids use is a refusal with --replace; --replace-all
// retires it, so the import goes through.
func TestImportOverATableThatKeepsTheNumber(t *testing.T) {
	ctx := context.Background()
	src, _ := newFilesApp(t, FilesOptions{}, nil)
	mutate(t, src, func(tx *database.Tx) error {
		_, err := tx.Insert(ctx, "users", value.MustObject(value.Field{Name: "name", Value: value.String("ada")}))
		return err
	})
	zip := snapshotOf(t, src)
	want := userDocs(t, src, "users")
	tests := []struct {
		mode       ImportMode
		wantErr    string
		wantPeople int
	}{
		{mode: ImportReplace, wantErr: "two tables cannot share a number", wantPeople: 1},
		{mode: ImportReplaceAll},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			dst, _ := newFilesApp(t, FilesOptions{}, nil)
			mutate(t, dst, func(tx *database.Tx) error {
				_, err := tx.Insert(ctx, "people", value.MustObject(value.Field{Name: "name", Value: value.String("bob")}))
				return err
			})
			_, err := dst.Import(ctx, bytes.NewReader(zip), int64(len(zip)), ImportRequest{Format: snapshot.FormatZIP, Mode: tt.mode})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("import: %v", err)
			} else if got := userDocs(t, dst, "users"); !slices.Equal(got, want) {
				t.Fatalf("users = %v, want %v", got, want)
			}
			if got := len(userDocs(t, dst, "people")); got != tt.wantPeople {
				t.Fatalf("people has %d documents, want %d", got, tt.wantPeople)
			}
		})
	}
}
