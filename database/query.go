package database

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"hull/value"
)

// SourceKind says where a query's rows come from.
type SourceKind int

// Query sources, as the serialized query names them.
const (
	FullTableScan SourceKind = iota + 1
	IndexRange
	Search
)

// Query is a parsed serialized query (the JSON the convex package sends
// with 1.0/queryStream and 1.0/queryPage).
type Query struct {
	Kind  SourceKind
	Table string
	// Index is the index descriptor ("by_author") for IndexRange and Search.
	Index      string
	Range      []RangeExpr
	Descending bool
	Search     []SearchFilter
	Operators  []Operator

	fingerprint [32]byte
}

// RangeExpr is one withIndex range call. A nil Value is undefined.
type RangeExpr struct {
	Op    string // Eq, Gt, Gte, Lt, Lte
	Field string
	Value value.Value
}

// SearchFilter is one search-index filter: a full-text Search term or an
// Eq on a filter field.
type SearchFilter struct {
	Op    string // Search or Eq
	Field string
	Value value.Value // a String for Search; nil is undefined
}

// Operator is a filter (Filter set) or a limit.
type Operator struct {
	Filter *Expr
	Limit  int
}

// maxOperators bounds the operators of one query.
const maxOperators = 256

type rawQuery struct {
	Source struct {
		Type      string     `json:"type"`
		TableName string     `json:"tableName"`
		IndexName string     `json:"indexName"`
		Range     []rawRange `json:"range"`
		Filters   []rawRange `json:"filters"`
		Order     *string    `json:"order"`
	} `json:"source"`
	Operators []map[string]json.RawMessage `json:"operators"`
}

type rawRange struct {
	Type      string          `json:"type"`
	FieldPath string          `json:"fieldPath"`
	Value     json.RawMessage `json:"value"`
}

// ParseQuery parses a serialized query. Errors are user errors.
func ParseQuery(data []byte) (*Query, error) {
	var raw rawQuery
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, userErr("InvalidQuery", "Invalid query: %v", err)
	}
	q := &Query{}
	src := raw.Source
	switch src.Type {
	case "FullTableScan":
		q.Kind, q.Table = FullTableScan, src.TableName
	case "IndexRange", "Search":
		table, index, ok := strings.Cut(src.IndexName, ".")
		if !ok || table == "" || index == "" {
			return nil, userErr("InvalidQuery", "Invalid index name %q: expected \"table.index\"", src.IndexName)
		}
		q.Table, q.Index = table, index
		q.Kind = IndexRange
		if src.Type == "Search" {
			q.Kind = Search
		}
	default:
		return nil, userErr("InvalidQuery", "Invalid query source type %q", src.Type)
	}
	if src.Order != nil {
		switch *src.Order {
		case "asc":
		case "desc":
			q.Descending = true
		default:
			return nil, userErr("InvalidQuery", "Invalid query order %q", *src.Order)
		}
	}
	if err := q.parseRanges(src.Range, src.Filters); err != nil {
		return nil, err
	}
	if err := q.parseOperators(raw.Operators); err != nil {
		return nil, err
	}
	q.fingerprint = fingerprint(data)
	return q, nil
}

func (q *Query) parseRanges(rng, filters []rawRange) error {
	for _, r := range rng {
		switch r.Type {
		case "Eq", "Gt", "Gte", "Lt", "Lte":
		default:
			return userErr("InvalidQuery", "Invalid index range expression type %q", r.Type)
		}
		v, err := parseMaybeUndefined(r.Value)
		if err != nil {
			return err
		}
		if v == nil && r.Type != "Eq" {
			return userErr("InvalidQuery", "Index range bound %s on %q cannot be undefined", r.Type, r.FieldPath)
		}
		q.Range = append(q.Range, RangeExpr{Op: r.Type, Field: r.FieldPath, Value: v})
	}
	for _, f := range filters {
		if f.Type != "Search" && f.Type != "Eq" {
			return userErr("InvalidQuery", "Invalid search filter type %q", f.Type)
		}
		v, err := parseMaybeUndefined(f.Value)
		if err != nil {
			return err
		}
		q.Search = append(q.Search, SearchFilter{Op: f.Type, Field: f.FieldPath, Value: v})
	}
	return nil
}

func (q *Query) parseOperators(ops []map[string]json.RawMessage) error {
	if len(ops) > maxOperators {
		return userErr("InvalidQuery", "Query has too many operators (%d > %d)", len(ops), maxOperators)
	}
	for _, op := range ops {
		if raw, ok := op["filter"]; ok && len(op) == 1 {
			e, err := parseExpr(raw)
			if err != nil {
				return err
			}
			q.Operators = append(q.Operators, Operator{Filter: e})
			continue
		}
		if raw, ok := op["limit"]; ok && len(op) == 1 {
			var n float64
			if err := json.Unmarshal(raw, &n); err != nil || n < 0 || n != float64(int(n)) {
				return userErr("InvalidQuery", "Invalid limit %s: expected a non-negative integer", string(raw))
			}
			q.Operators = append(q.Operators, Operator{Limit: int(n)})
			continue
		}
		return userErr("InvalidQuery", "Invalid query operator %s", mustJSON(op))
	}
	return nil
}

// parseMaybeUndefined decodes a Convex-encoded JSON value, where
// {"$undefined": null} stands for undefined (nil).
func parseMaybeUndefined(raw json.RawMessage) (value.Value, error) {
	if isUndefinedJSON(raw) {
		return nil, nil
	}
	v, err := value.FromJSON(raw)
	if err != nil {
		return nil, userErr("InvalidArgument", "Invalid value: %v", err)
	}
	return v, nil
}

// isUndefinedJSON reports whether raw is {"$undefined": null} (or a
// missing value).
func isUndefinedJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return true
	}
	if t[0] != '{' || !bytes.Contains(t, []byte(`"$undefined"`)) {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(t, &m) != nil || len(m) != 1 {
		return false
	}
	_, ok := m["$undefined"]
	return ok
}

// fingerprint hashes the query in a canonical form (keys sorted), so
// cursors bind to it whatever the key order on the wire.
func fingerprint(data []byte) [32]byte {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return sha256.Sum256(data)
	}
	canon, err := json.Marshal(v)
	if err != nil {
		return sha256.Sum256(data)
	}
	return sha256.Sum256(canon)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
