package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"hull/database"
	"hull/value"
)

// Dashboard edits: insert, patch, replace, delete and clear documents,
// create and empty tables. Each runs in one transaction and writes through
// the schema like any mutation, so an edit that violates it fails whole.

// maxDashboardWrites bounds the documents one dashboard edit touches, as
// Convex bounds them.
const maxDashboardWrites = 4096

func success() map[string]any { return map[string]any{"success": true} }

func addDocuments(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var table string
	if err := decodeArg(args, "table", &table, true); err != nil {
		return nil, err
	}
	docs, err := valueArg(args, "documents")
	if err != nil {
		return nil, err
	}
	arr, ok := docs.(value.Array)
	if !ok {
		return nil, badArg("ArgumentValidationError: documents must be an array of objects.")
	}
	if len(arr) > maxDashboardWrites {
		return map[string]any{"success": false, "error": fmt.Sprintf("Can’t import more than %d documents at once.", maxDashboardWrites)}, nil
	}
	for i, d := range arr {
		obj, ok := d.(value.Object)
		if !ok {
			return nil, badArg("ArgumentValidationError: documents[%d] is not an object.", i)
		}
		if _, err := tx.Insert(ctx, table, obj); err != nil {
			return nil, err
		}
	}
	return success(), nil
}

func patchDocuments(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var table string
	var ids []string
	if err := decodeArg(args, "table", &table, true); err != nil {
		return nil, err
	}
	if err := decodeArg(args, "ids", &ids, false); err != nil {
		return nil, err
	}
	fobj, err := objectArg(args, "fields")
	if err != nil {
		return nil, err
	}
	var fields []value.Field
	for _, f := range fobj.Fields() {
		if s, ok := f.Value.(value.String); ok && string(s) == undefinedPlaceholder {
			f.Value = nil
		}
		fields = append(fields, f)
	}
	targets, err := targetIDs(ctx, tx, table, ids, args)
	if err != nil {
		return nil, err
	}
	for _, id := range targets {
		if _, err := tx.Patch(ctx, id, fields); err != nil {
			return nil, err
		}
	}
	return success(), nil
}

// targetIDs resolves the ids of a patch, or every document of the table
// when ids is absent.
func targetIDs(ctx context.Context, tx *database.Tx, table string, ids []string, args map[string]json.RawMessage) ([]value.ID, error) {
	if _, given := args["ids"]; given {
		if len(ids) > maxDashboardWrites {
			return nil, badArg("Can’t edit more than %d documents at once.", maxDashboardWrites)
		}
		out := make([]value.ID, 0, len(ids))
		for _, s := range ids {
			id, ok := lookupID(tx, s, table)
			if !ok {
				return nil, badArg("%q is not an id of table %s.", s, table)
			}
			out = append(out, id)
		}
		return out, nil
	}
	if _, ok := tx.TableNumber(table); !ok {
		return nil, nil
	}
	q, err := database.ParseQuery([]byte(fmt.Sprintf(`{"source":{"type":"FullTableScan","tableName":%q},"operators":[]}`, table)))
	if err != nil {
		return nil, err
	}
	p, err := tx.QueryPage(ctx, database.PageRequest{Query: q, PageSize: maxDashboardWrites + 1})
	if err != nil {
		return nil, err
	}
	if !p.IsDone || len(p.Page) > maxDashboardWrites {
		return nil, badArg("Can’t edit more than %d documents at once.", maxDashboardWrites)
	}
	return pageIDs(p.Page)
}

// pageIDs returns the _id of each document of a query page.
func pageIDs(page []value.Object) ([]value.ID, error) {
	out := make([]value.ID, 0, len(page))
	for _, d := range page {
		v, _ := d.Get("_id")
		s, _ := v.(value.String)
		id, err := value.ParseID(string(s))
		if err != nil {
			return nil, fmt.Errorf("document id %q: %w", s, err)
		}
		out = append(out, id)
	}
	return out, nil
}

// objectArg decodes argument name as a Convex object.
func objectArg(args map[string]json.RawMessage, name string) (value.Object, error) {
	v, err := valueArg(args, name)
	if err != nil {
		return value.Object{}, err
	}
	obj, ok := v.(value.Object)
	if !ok {
		return value.Object{}, badArg("ArgumentValidationError: %s must be an object.", name)
	}
	return obj, nil
}

func replaceDocument(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var s string
	if err := decodeArg(args, "id", &s, true); err != nil {
		return nil, err
	}
	doc, err := objectArg(args, "document")
	if err != nil {
		return nil, err
	}
	id, ok := lookupID(tx, s, "")
	if !ok {
		return map[string]any{"success": false, "error": "Document does not exist."}, nil
	}
	if _, found, err := tx.Get(ctx, id); err != nil {
		return nil, err
	} else if !found {
		return map[string]any{"success": false, "error": "Document does not exist."}, nil
	}
	if _, err := tx.Replace(ctx, id, doc); err != nil {
		return nil, err
	}
	return success(), nil
}

func deleteDocuments(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var items []idAndTable
	if err := decodeArg(args, "toDelete", &items, true); err != nil {
		return nil, err
	}
	if len(items) > maxDashboardWrites {
		return map[string]any{"success": false, "error": fmt.Sprintf("You can't delete more than %d documents at once.", maxDashboardWrites)}, nil
	}
	for _, it := range items {
		id, ok := lookupID(tx, it.ID, it.TableName)
		if !ok {
			return nil, badArg("%q is not an id of table %s.", it.ID, it.TableName)
		}
		if _, err := tx.Delete(ctx, id); err != nil {
			return nil, err
		}
	}
	return success(), nil
}

// clearRowsPerCall bounds one clearTablePage call.
const clearRowsPerCall = 4000

func clearTablePage(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var table string
	var cursor *string
	if err := decodeArg(args, "tableName", &table, true); err != nil {
		return nil, err
	}
	if err := decodeArg(args, "cursor", &cursor, false); err != nil {
		return nil, err
	}
	if _, ok := tx.TableNumber(table); !ok || strings.HasPrefix(table, "_") {
		return map[string]any{"deleted": 0, "hasMore": false, "continueCursor": ""}, nil
	}
	q, err := database.ParseQuery([]byte(fmt.Sprintf(`{"source":{"type":"IndexRange","indexName":"%s.by_creation_time","range":[],"order":"asc"},"operators":[]}`, table)))
	if err != nil {
		return nil, err
	}
	p, err := tx.QueryPage(ctx, database.PageRequest{Query: q, Cursor: cursor, PageSize: clearRowsPerCall})
	if err != nil {
		return nil, err
	}
	ids, err := pageIDs(p.Page)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := tx.Delete(ctx, id); err != nil {
			return nil, err
		}
	}
	return map[string]any{"deleted": len(p.Page), "hasMore": !p.IsDone, "continueCursor": p.ContinueCursor}, nil
}

func createTable(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var table string
	if err := decodeArg(args, "table", &table, true); err != nil {
		return nil, err
	}
	id, err := tx.Insert(ctx, table, value.MustObject())
	if err != nil {
		return nil, err
	}
	if _, err := tx.Delete(ctx, id); err != nil {
		return nil, err
	}
	return nil, nil
}

// ClearTables deletes every document of each user table, in batches of
// one transaction each. The tables themselves stay, empty (hull keeps a
// table once created).
func (a *App) ClearTables(ctx context.Context, tables []string) error {
	for _, t := range tables {
		if err := value.ValidateIdentifier(t); err != nil || strings.HasPrefix(t, "_") {
			return &Error{Status: 400, Code: "InvalidTableName", Message: fmt.Sprintf("%q is not the name of a user table.", t)}
		}
		for {
			var more bool
			err := a.db.Retry(ctx, func(ctx context.Context) error {
				tx, err := a.db.Begin(ctx)
				if err != nil {
					return err
				}
				defer tx.Rollback()
				out, err := clearTablePage(ctx, a, tx, map[string]json.RawMessage{"tableName": json.RawMessage(fmt.Sprintf("%q", t))})
				if err != nil {
					return err
				}
				more = out.(map[string]any)["hasMore"].(bool)
				_, err = tx.Commit(ctx)
				return err
			})
			if err != nil {
				return fmt.Errorf("clear table %s: %w", t, err)
			}
			if !more {
				break
			}
		}
	}
	return nil
}
