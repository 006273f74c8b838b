package database_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"hull/database"
)

const itemsSchema = `{"tables":[{"tableName":"items","indexes":[{"indexDescriptor":"by_ab","fields":["a","b"]},{"indexDescriptor":"by_nested","fields":["o.k"]}],"searchIndexes":[],"vectorIndexes":[],"documentType":{"type":"any"}}],"schemaValidation":true}`

// itemsEnv holds items inserted one per transaction with a rising clock,
// so _creationTime order is insertion order.
func itemsEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	docs := []string{
		`{"a":1,"b":"x","n":1}`,
		`{"a":1,"b":"y","n":2}`,
		`{"a":2,"b":"x","n":3}`,
		`{"a":2,"b":"y","n":4,"o":{"k":"z"}}`,
		`{"a":3,"b":"x","n":5}`,
		`{"b":"x","n":6}`,
		`{"a":null,"b":"x","n":7}`,
	}
	for _, d := range docs {
		e.clock.now = e.clock.now.Add(1e9)
		e.mutate(func(tx *database.Tx) { mustInsert(t, tx, "items", d) })
	}
	e.mutate(func(tx *database.Tx) {
		s, err := database.ParseSchema([]byte(itemsSchema))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ApplySchema(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	})
	return e
}

func rng(typ, field string, v any) map[string]any {
	return map[string]any{"type": typ, "fieldPath": field, "value": v}
}

var undefined = map[string]any{"$undefined": nil}

func indexQuery(index string, order any, r []any, ops ...any) map[string]any {
	if r == nil {
		r = []any{}
	}
	if ops == nil {
		ops = []any{}
	}
	return map[string]any{"source": map[string]any{"type": "IndexRange", "indexName": index, "range": r, "order": order}, "operators": ops}
}

func scanQuery(table string, order any, ops ...any) map[string]any {
	if ops == nil {
		ops = []any{}
	}
	return map[string]any{"source": map[string]any{"type": "FullTableScan", "tableName": table, "order": order}, "operators": ops}
}

// ns extracts the n fields of the results, in order.
func ns(t *testing.T, docs []string) string {
	t.Helper()
	var out []string
	for _, d := range docs {
		var m map[string]any
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m["n"])
		out = append(out, string(b))
	}
	return strings.Join(out, ",")
}

func TestQueries(t *testing.T) {
	e := itemsEnv(t)
	tests := []struct {
		name  string
		query map[string]any
		want  string
	}{
		{"a full table scan is in creation order", scanQuery("items", nil), "1,2,3,4,5,6,7"},
		{"a descending full table scan is reversed", scanQuery("items", "desc"), "7,6,5,4,3,2,1"},
		{"by_creation_time without a range is a full scan", indexQuery("items.by_creation_time", "asc", nil), "1,2,3,4,5,6,7"},
		{"an index without a range orders by its fields, undefined and null first", indexQuery("items.by_ab", "asc", nil), "6,7,1,2,3,4,5"},
		{"eq on the first field", indexQuery("items.by_ab", nil, []any{rng("Eq", "a", 2)}), "3,4"},
		{"eq on both fields in reverse call order", indexQuery("items.by_ab", nil, []any{rng("Eq", "b", "y"), rng("Eq", "a", 1)}), "2"},
		{"eq undefined matches a missing field", indexQuery("items.by_ab", nil, []any{rng("Eq", "a", undefined)}), "6"},
		{"eq null matches null only", indexQuery("items.by_ab", nil, []any{rng("Eq", "a", nil)}), "7"},
		{"gt is exclusive", indexQuery("items.by_ab", nil, []any{rng("Gt", "a", 1)}), "3,4,5"},
		{"gte is inclusive", indexQuery("items.by_ab", nil, []any{rng("Gte", "a", 2)}), "3,4,5"},
		{"lt is exclusive and includes lower types", indexQuery("items.by_ab", nil, []any{rng("Lt", "a", 2)}), "6,7,1,2"},
		{"lte is inclusive", indexQuery("items.by_ab", nil, []any{rng("Lte", "a", 2)}), "6,7,1,2,3,4"},
		{"gt and lt together", indexQuery("items.by_ab", nil, []any{rng("Gt", "a", 1), rng("Lt", "a", 3)}), "3,4"},
		{"eq then a bound on the second field", indexQuery("items.by_ab", nil, []any{rng("Eq", "a", 1), rng("Gt", "b", "x")}), "2"},
		{"a range in descending order", indexQuery("items.by_ab", "desc", []any{rng("Gte", "a", 2)}), "5,4,3"},
		{"an empty range", indexQuery("items.by_ab", nil, []any{rng("Gt", "a", 3), rng("Lt", "a", 1)}), ""},
		{"a range on _creationTime after the fields", indexQuery("items.by_ab", nil, []any{rng("Eq", "a", 2), rng("Eq", "b", "x"), rng("Gt", "_creationTime", 0)}), "3"},
		{"a nested field index", indexQuery("items.by_nested", nil, []any{rng("Eq", "o.k", "z")}), "4"},
		{"a limit stops the stream", scanQuery("items", nil, map[string]any{"limit": 2}), "1,2"},
		{"a limit of zero yields nothing", scanQuery("items", nil, map[string]any{"limit": 0}), ""},
		{"a filter then a limit", scanQuery("items", nil, map[string]any{"filter": map[string]any{"$eq": []any{map[string]any{"$field": "b"}, map[string]any{"$literal": "x"}}}}, map[string]any{"limit": 2}), "1,3"},
		{"a limit then a filter", scanQuery("items", nil, map[string]any{"limit": 2}, map[string]any{"filter": map[string]any{"$eq": []any{map[string]any{"$field": "b"}, map[string]any{"$literal": "x"}}}}), "1"},
		{"a query on a missing table yields nothing", scanQuery("nothing", nil), ""},
		{"an index query on a missing table yields nothing", indexQuery("nothing.by_x", nil, nil), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.read(func(tx *database.Tx) {
				got, err := collect(t, tx, query(t, tc.query))
				if err != nil {
					t.Fatal(err)
				}
				if g := ns(t, got); g != tc.want {
					t.Fatalf("got n=%s, want %s", g, tc.want)
				}
			})
		})
	}
}

func TestIndexRangeErrors(t *testing.T) {
	e := itemsEnv(t)
	tests := []struct {
		name  string
		query map[string]any
		code  string
		want  string
	}{
		{"a second equality on a field", indexQuery("items.by_ab", nil, []any{rng("Eq", "a", 1), rng("Eq", "a", 2)}), "AlreadyDefinedBound", `Already defined equality bound in index range. Can't add "a" == 1.`},
		{"a second lower bound", indexQuery("items.by_ab", nil, []any{rng("Gt", "a", 1), rng("Gte", "a", 2)}), "AlreadyDefinedBound", `Already defined lower bound in index range. Can't add "a" >= 2.`},
		{"a second upper bound", indexQuery("items.by_ab", nil, []any{rng("Lt", "a", 1), rng("Lte", "a", 2)}), "AlreadyDefinedBound", "Already defined upper bound"},
		{"an equality and a bound on one field", indexQuery("items.by_ab", nil, []any{rng("Eq", "a", 1), rng("Gt", "a", 0)}), "AlreadyDefinedBound", "Already defined inequality bound"},
		{"bounds on two fields", indexQuery("items.by_ab", nil, []any{rng("Gt", "a", 1), rng("Lt", "b", "z")}), "BoundsOnMultipleFields", `attempted to set a range bound on both "a" and "b"`},
		{"a field outside the index", indexQuery("items.by_ab", nil, []any{rng("Eq", "c", 1)}), "FieldNotInIndex", `The index range included a comparison with "c", but items.by_ab with fields ["a", "b", "_creationTime"] doesn't index this field.`},
		{"fields out of index order", indexQuery("items.by_ab", nil, []any{rng("Eq", "b", 1)}), "InvalidIndexRange", "Tried to query index items.by_ab but the query didn't use the index fields in order.\nIndex fields: [\"a\", \"b\", \"_creationTime\"]\nQuery fields: [\"b\"]\nFirst incorrect field: \"b\""},
		{"a bound before an equality", indexQuery("items.by_ab", nil, []any{rng("Gt", "a", 1), rng("Eq", "b", 2)}), "InvalidIndexRange", `First incorrect field: "b"`},
		{"an unknown index", indexQuery("items.by_zzz", nil, nil), "IndexNotFound", "Index items.by_zzz not found."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.read(func(tx *database.Tx) {
				_, err := tx.Query(context.Background(), query(t, tc.query))
				de, ok := err.(*database.Error)
				if !ok {
					t.Fatalf("error %v (%T), want a *database.Error", err, err)
				}
				if de.Code != tc.code || !strings.Contains(de.Msg, tc.want) {
					t.Fatalf("got %s: %q\nwant %s containing %q", de.Code, de.Msg, tc.code, tc.want)
				}
			})
		})
	}
}

func field(f string) map[string]any { return map[string]any{"$field": f} }
func lit(v any) map[string]any      { return map[string]any{"$literal": v} }
func op(name string, args ...any) map[string]any {
	if len(args) == 1 {
		return map[string]any{name: args[0]}
	}
	return map[string]any{name: args}
}

func TestFilters(t *testing.T) {
	e := itemsEnv(t)
	i64 := func(n int64) map[string]any {
		b := make([]byte, 8)
		for i := range 8 {
			b[i] = byte(uint64(n) >> (8 * i))
		}
		return map[string]any{"$integer": b64(b)}
	}
	tests := []struct {
		name   string
		filter map[string]any
		want   string
		err    string
	}{
		{"eq on a field", op("$eq", field("a"), lit(2)), "3,4", ""},
		{"neq keeps missing fields", op("$neq", field("a"), lit(2)), "1,2,5,6,7", ""},
		{"eq undefined means missing", op("$eq", field("a"), lit(undefined)), "6", ""},
		{"lt counts undefined and null as lowest", op("$lt", field("a"), lit(2)), "1,2,6,7", ""},
		{"gte", op("$gte", field("n"), lit(6)), "6,7", ""},
		{"and", op("$and", op("$eq", field("b"), lit("x")), op("$gt", field("n"), lit(3))), "5,6,7", ""},
		{"or", op("$or", op("$eq", field("n"), lit(1)), op("$eq", field("n"), lit(7))), "1,7", ""},
		{"not", op("$not", op("$eq", field("b"), lit("x"))), "2,4", ""},
		{"arithmetic on floats", op("$eq", op("$add", field("n"), lit(1)), lit(3)), "2", ""},
		{"mod", op("$eq", op("$mod", field("n"), lit(2)), lit(0)), "2,4,6", ""},
		{"neg", op("$eq", op("$neg", field("n")), lit(-5)), "5", ""},
		{"nested field", op("$eq", field("o.k"), lit("z")), "4", ""},
		{"a number never equals an int64", op("$eq", field("n"), lit(i64(1))), "", ""},
		{"mixed arithmetic is an EvalError", op("$eq", op("$add", field("n"), lit(i64(1))), lit(2)), "", "EvalError"},
		{"int64 overflow is an EvalError", op("$eq", op("$add", lit(i64(1<<62)), lit(i64(1<<62))), lit(0)), "", "EvalError"},
		{"int64 division by zero is an EvalError", op("$eq", op("$div", lit(i64(1)), lit(i64(0))), lit(0)), "", "EvalError"},
		{"a non-boolean filter result", field("n"), "", "Cannot use value 1 as a Boolean"},
		{"a non-boolean and operand", op("$and", lit("yes"), lit(true)), "", `Cannot use value "yes" as a Boolean`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.read(func(tx *database.Tx) {
				got, err := collect(t, tx, query(t, scanQuery("items", nil, map[string]any{"filter": tc.filter})))
				if tc.err != "" {
					if err == nil || !strings.Contains(err.Error(), tc.err) || !database.IsUserError(err) {
						t.Fatalf("error %v, want a user error containing %q", err, tc.err)
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
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ name, json string }{
		{"an unknown source type", `{"source":{"type":"Nope","tableName":"t"},"operators":[]}`},
		{"an index name without a table", `{"source":{"type":"IndexRange","indexName":"by_x","range":[],"order":null},"operators":[]}`},
		{"a bad order", `{"source":{"type":"FullTableScan","tableName":"t","order":"up"},"operators":[]}`},
		{"a negative limit", `{"source":{"type":"FullTableScan","tableName":"t","order":null},"operators":[{"limit":-1}]}`},
		{"an unknown filter operator", `{"source":{"type":"FullTableScan","tableName":"t","order":null},"operators":[{"filter":{"$xor":[]}}]}`},
		{"an unknown range type", `{"source":{"type":"IndexRange","indexName":"t.by_x","range":[{"type":"Ne","fieldPath":"a","value":1}],"order":null},"operators":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := database.ParseQuery([]byte(tc.json)); err == nil || !database.IsUserError(err) {
				t.Fatalf("ParseQuery: %v, want a user error", err)
			}
		})
	}
}
