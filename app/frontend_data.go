package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"hull/database"
	"hull/value"
)

// Documents for dashboards: a page of a table with the data page's
// filters (field comparisons, anyOf/noneOf, type filters, an index
// range), and documents by id. The edits are in frontend_edits.go.

// undefinedPlaceholder is the string dashboards send for undefined, which
// cannot travel in a Convex value.
const undefinedPlaceholder = "__CONVEX_PLACEHOLDER_undefined_I23atX0jcndVbFgXoQZffsih7eAqktCyFjgUuAeNBtfr3ySOljPSPSEOPFgprkdBO3zXNiGEJxmJ5ZFPc5C5qKesG80QRPvlJe8vgSxAt9feLTwxTg4PHfVwUaTEJU67FDwldWmTxp1guMPwxQ2jOuhEryTBf3mQ"

// filterExpression is the data page's filter state: clauses on fields,
// an order, and optionally an index range.
type filterExpression struct {
	Clauses []filterClause `json:"clauses"`
	Order   string         `json:"order"`
	Index   *struct {
		Name    string              `json:"name"`
		Search  *string             `json:"search"`
		Clauses []indexFilterClause `json:"clauses"`
	} `json:"index"`
}

type filterClause struct {
	Op      string          `json:"op"`
	Field   string          `json:"field"`
	Value   json.RawMessage `json:"value"`
	Enabled *bool           `json:"enabled"`
}

type indexFilterClause struct {
	Type       string          `json:"type"` // indexEq or indexRange
	Enabled    bool            `json:"enabled"`
	Value      json.RawMessage `json:"value"`
	LowerOp    string          `json:"lowerOp"`
	LowerValue json.RawMessage `json:"lowerValue"`
	UpperOp    string          `json:"upperOp"`
	UpperValue json.RawMessage `json:"upperValue"`
}

var comparisonOps = map[string]string{"eq": "$eq", "neq": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}

// parseFilters decodes the base64 JSON of the filters argument.
func parseFilters(s string) (*filterExpression, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, badArg("Invalid filters: not base64 (%v)", err)
		}
	}
	var f filterExpression
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, badArg("Invalid filters: %v", err)
	}
	for _, c := range f.Clauses {
		if _, ok := comparisonOps[c.Op]; !ok && c.Op != "anyOf" && c.Op != "noneOf" && c.Op != "type" && c.Op != "notype" {
			return nil, badArg("Invalid filters: unknown operator %q", c.Op)
		}
	}
	if f.Order != "" && f.Order != "asc" && f.Order != "desc" {
		return nil, badArg("Invalid filters: order must be asc or desc")
	}
	return &f, nil
}

// literal renders a clause value (Convex JSON, or the undefined
// placeholder) as a $literal expression.
func literal(raw json.RawMessage) map[string]any {
	var s string
	if json.Unmarshal(raw, &s) == nil && s == undefinedPlaceholder || len(raw) == 0 {
		return map[string]any{"$literal": map[string]any{"$undefined": nil}}
	}
	return map[string]any{"$literal": raw}
}

// filterOperator builds the query filter of the enabled comparison and
// anyOf/noneOf clauses, or nil when there are none.
func filterOperator(clauses []filterClause) map[string]any {
	var terms []any
	for _, c := range clauses {
		if (c.Enabled != nil && !*c.Enabled) || c.Field == "" {
			continue
		}
		field := map[string]any{"$field": c.Field}
		if op, ok := comparisonOps[c.Op]; ok {
			terms = append(terms, map[string]any{op: []any{field, literal(c.Value)}})
			continue
		}
		if c.Op != "anyOf" && c.Op != "noneOf" {
			continue
		}
		var vals []json.RawMessage
		if json.Unmarshal(c.Value, &vals) != nil || len(vals) == 0 {
			continue
		}
		var alts []any
		for _, v := range vals {
			op := "$eq"
			if c.Op == "noneOf" {
				op = "$neq"
			}
			alts = append(alts, map[string]any{op: []any{field, literal(v)}})
		}
		join := "$or"
		if c.Op == "noneOf" {
			join = "$and"
		}
		terms = append(terms, map[string]any{join: alts})
	}
	if len(terms) == 0 {
		return nil
	}
	return map[string]any{"$and": terms}
}

// typeMatches applies a type/notype clause to one document.
func typeMatches(doc value.Object, c filterClause) bool {
	var want string
	_ = json.Unmarshal(c.Value, &want)
	v, present := doc.Get(c.Field)
	got := "unset"
	if present {
		switch x := v.(type) {
		case value.Null:
			got = "null"
		case value.Boolean:
			got = "boolean"
		case value.Float64:
			got = "number"
		case value.Int64:
			got = "bigint"
		case value.Bytes:
			got = "bytes"
		case value.Array:
			got = "array"
		case value.Object:
			got = "object"
		case value.String:
			got = "string"
			if _, err := value.ParseID(string(x)); err == nil {
				got = "id"
			}
		}
	}
	match := got == want || (want == "string" && got == "id")
	if c.Op == "notype" {
		return !match
	}
	return match
}

// documentQuery builds the serialized query of a filtered table read.
func (a *App) documentQuery(table string, f *filterExpression) (*database.Query, error) {
	order := "desc"
	if f != nil && f.Order != "" {
		order = f.Order
	}
	src := map[string]any{"type": "FullTableScan", "tableName": table, "order": order}
	if f != nil && f.Index != nil {
		if f.Index.Search != nil {
			return nil, badArg("Filtering by a search index is not supported by this dashboard yet.")
		}
		var fields []string
		found := false
		for _, ix := range a.Indexes(table) {
			if ix.Name == f.Index.Name {
				fields, found = ix.Fields, true
			}
		}
		if !found && f.Index.Name != "by_creation_time" && f.Index.Name != "by_id" {
			return nil, badArg("Index %s.%s does not exist.", table, f.Index.Name)
		}
		if f.Index.Name == "by_creation_time" {
			fields = []string{"_creationTime"}
		}
		var rng []any
		for i, c := range f.Index.Clauses {
			if !c.Enabled || i >= len(fields) {
				break
			}
			switch c.Type {
			case "indexEq":
				rng = append(rng, map[string]any{"type": "Eq", "fieldPath": fields[i], "value": c.Value})
			case "indexRange":
				if c.LowerOp != "" {
					rng = append(rng, map[string]any{"type": strings.Title(c.LowerOp), "fieldPath": fields[i], "value": c.LowerValue}) //nolint:staticcheck // ASCII operator names
				}
				if c.UpperOp != "" {
					rng = append(rng, map[string]any{"type": strings.Title(c.UpperOp), "fieldPath": fields[i], "value": c.UpperValue}) //nolint:staticcheck // ASCII operator names
				}
			}
		}
		src = map[string]any{"type": "IndexRange", "indexName": table + "." + f.Index.Name, "range": nonNilSlice(rng), "order": order}
	}
	ops := []any{}
	if f != nil {
		if op := filterOperator(f.Clauses); op != nil {
			ops = append(ops, map[string]any{"filter": op})
		}
	}
	body, err := json.Marshal(map[string]any{"source": src, "operators": ops})
	if err != nil {
		return nil, fmt.Errorf("encode document query: %w", err)
	}
	return database.ParseQuery(body)
}

func nonNilSlice(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}

// paginationOpts are the convex client's pagination options.
type paginationOpts struct {
	NumItems  float64 `json:"numItems"`
	Cursor    *string `json:"cursor"`
	EndCursor *string `json:"endCursor"`
}

// paginatedDocuments answers one page of a table, filtered as the data
// page asks; a subscription's re-runs keep their page end (journal).
func paginatedDocuments(ctx context.Context, a *App, tx *database.Tx, args map[string]json.RawMessage, journal *string) (any, *string, error) {
	var table string
	var opts paginationOpts
	var filters *string
	if err := decodeArg(args, "table", &table, true); err != nil {
		return nil, nil, err
	}
	if err := decodeArg(args, "paginationOpts", &opts, true); err != nil {
		return nil, nil, err
	}
	if err := decodeArg(args, "filters", &filters, false); err != nil {
		return nil, nil, err
	}
	var f *filterExpression
	if filters != nil && *filters != "" {
		var err error
		if f, err = parseFilters(*filters); err != nil {
			return nil, nil, err
		}
	}
	if _, ok := tx.TableNumber(table); !ok || strings.HasPrefix(table, "_") {
		return emptyPage(), nil, nil
	}
	if doc, single, err := singleDocument(ctx, tx, table, f); single || err != nil {
		return doc, nil, err
	}
	q, err := a.documentQuery(table, f)
	if err != nil {
		return nil, nil, err
	}
	n := int(opts.NumItems)
	if n <= 0 {
		n = 25
	}
	n = min(n, 1000)
	end := opts.EndCursor
	if end == nil {
		end = journal
	}
	p, err := tx.QueryPage(ctx, database.PageRequest{Query: q, Cursor: opts.Cursor, EndCursor: end, PageSize: n})
	if err != nil {
		return nil, nil, err
	}
	page := make([]value.Object, 0, len(p.Page))
	for _, d := range p.Page {
		if f != nil && !passesTypeFilters(d, f.Clauses) {
			continue
		}
		page = append(page, d)
	}
	next := p.ContinueCursor
	return map[string]any{"page": page, "isDone": p.IsDone, "continueCursor": p.ContinueCursor}, &next, nil
}

func passesTypeFilters(d value.Object, clauses []filterClause) bool {
	for _, c := range clauses {
		if (c.Enabled != nil && !*c.Enabled) || (c.Op != "type" && c.Op != "notype") {
			continue
		}
		if !typeMatches(d, c) {
			return false
		}
	}
	return true
}

// singleDocument answers a filter that is exactly "_id eq <id>" with a
// point read.
func singleDocument(ctx context.Context, tx *database.Tx, table string, f *filterExpression) (any, bool, error) {
	if f == nil || f.Index != nil {
		return nil, false, nil
	}
	var only *filterClause
	for i, c := range f.Clauses {
		if c.Enabled != nil && !*c.Enabled {
			continue
		}
		if only != nil {
			return nil, false, nil
		}
		only = &f.Clauses[i]
	}
	if only == nil || only.Field != "_id" || only.Op != "eq" {
		return nil, false, nil
	}
	var s string
	_ = json.Unmarshal(only.Value, &s)
	id, ok := lookupID(tx, s, table)
	if !ok {
		return emptyPage(), true, nil
	}
	doc, found, err := tx.Get(ctx, id)
	if err != nil || !found {
		return emptyPage(), true, err
	}
	return map[string]any{"page": []value.Object{doc}, "isDone": true, "continueCursor": ""}, true, nil
}

type idAndTable struct {
	ID        string `json:"id"`
	TableName string `json:"tableName"`
}

func listByID(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var ids []idAndTable
	if err := decodeArg(args, "ids", &ids, true); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(ids))
	for _, it := range ids {
		id, ok := lookupID(tx, it.ID, it.TableName)
		if !ok {
			out = append(out, nil)
			continue
		}
		doc, found, err := tx.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if !found {
			out = append(out, nil)
			continue
		}
		out = append(out, doc)
	}
	return out, nil
}

func getByID(ctx context.Context, _ *App, tx *database.Tx, args map[string]json.RawMessage) (any, error) {
	var s string
	if err := decodeArg(args, "id", &s, true); err != nil {
		return nil, err
	}
	id, ok := lookupID(tx, s, "")
	if !ok {
		return nil, nil
	}
	doc, found, err := tx.Get(ctx, id)
	if err != nil || !found {
		return nil, err
	}
	return doc, nil
}
