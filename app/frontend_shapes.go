package app

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"hull/database"
	"hull/value"
)

// Table shapes: the types a table's documents have, as dashboards draw
// their columns from. hull infers them from the newest documents of each
// table (up to shapeSample), so they are a view of the data, not a
// guarantee over all of it.

// shapeSample is how many documents per table a shape is inferred from.
const shapeSample = 500

// maxShapeDepth bounds how deep nested objects and arrays are described.
const maxShapeDepth = 4

// Shape is one inferred type in Convex's dashboard shape JSON.
type Shape map[string]any

// TableShapes returns the inferred shape of every user table by name.
func (a *App) TableShapes(ctx context.Context) (map[string]Shape, error) {
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("read table shapes: %w", err)
	}
	defer tx.Rollback()
	out := map[string]Shape{}
	for _, table := range userTableNames(tx) {
		if strings.HasPrefix(table, "_") {
			continue
		}
		q, err := database.ParseQuery([]byte(fmt.Sprintf(`{"source":{"type":"FullTableScan","tableName":%q,"order":"desc"},"operators":[]}`, table)))
		if err != nil {
			return nil, err
		}
		p, err := tx.QueryPage(ctx, database.PageRequest{Query: q, PageSize: shapeSample})
		if err != nil {
			return nil, fmt.Errorf("sample %s: %w", table, err)
		}
		if len(p.Page) == 0 {
			out[table] = Shape{"type": "Never"}
			continue
		}
		vals := make([]value.Value, 0, len(p.Page))
		for _, d := range p.Page {
			vals = append(vals, d)
		}
		out[table] = shapeOf(tx, vals, 0)
	}
	return out, nil
}

// shapeOf unions the shapes of vals.
func shapeOf(tx *database.Tx, vals []value.Value, depth int) Shape {
	groups := map[string][]value.Value{}
	var order []string
	for _, v := range vals {
		k := shapeKind(tx, v)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], v)
	}
	sort.Strings(order)
	shapes := make([]any, 0, len(order))
	for _, k := range order {
		shapes = append(shapes, kindShape(tx, k, groups[k], depth))
	}
	if len(shapes) == 1 {
		return shapes[0].(Shape)
	}
	if len(shapes) == 0 {
		return Shape{"type": "Never"}
	}
	return Shape{"type": "Union", "shapes": shapes}
}

// shapeKind groups values of one shape: ids by table, else the type.
func shapeKind(tx *database.Tx, v value.Value) string {
	switch x := v.(type) {
	case value.Null:
		return "Null"
	case value.Int64:
		return "Int64"
	case value.Float64:
		return "Float64"
	case value.Boolean:
		return "Boolean"
	case value.Bytes:
		return "Bytes"
	case value.Array:
		return "Array"
	case value.Object:
		return "Object"
	case value.String:
		if id, err := value.ParseID(string(x)); err == nil {
			if name, ok := tx.TableName(id.Table); ok {
				return "Id:" + name
			}
		}
		return "String"
	}
	return "Unknown"
}

func kindShape(tx *database.Tx, kind string, vals []value.Value, depth int) Shape {
	if table, ok := strings.CutPrefix(kind, "Id:"); ok {
		return Shape{"type": "Id", "tableName": table}
	}
	switch kind {
	case "Float64":
		return Shape{"type": "Float64", "float64Range": map[string]any{}}
	case "Array":
		if depth >= maxShapeDepth {
			return Shape{"type": "Array", "shape": Shape{"type": "Unknown"}}
		}
		var elems []value.Value
		for _, v := range vals {
			elems = append(elems, v.(value.Array)...)
		}
		return Shape{"type": "Array", "shape": shapeOf(tx, elems, depth+1)}
	case "Object":
		if depth >= maxShapeDepth {
			return Shape{"type": "Unknown"}
		}
		return objectShape(tx, vals, depth)
	}
	return Shape{"type": kind}
}

// objectShape describes the fields of objects: a field missing from some
// of them is optional.
func objectShape(tx *database.Tx, vals []value.Value, depth int) Shape {
	byField := map[string][]value.Value{}
	for _, v := range vals {
		for _, f := range v.(value.Object).Fields() {
			byField[f.Name] = append(byField[f.Name], f.Value)
		}
	}
	names := make([]string, 0, len(byField))
	for n := range byField {
		names = append(names, n)
	}
	sort.Strings(names)
	fields := make([]any, 0, len(names))
	for _, n := range names {
		fields = append(fields, map[string]any{
			"fieldName": n,
			"optional":  len(byField[n]) < len(vals),
			"shape":     shapeOf(tx, byField[n], depth+1),
		})
	}
	return Shape{"type": "Object", "fields": fields}
}
