package database

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"hull/value"
)

// plan is a compiled query source: one interval of one index.
type plan struct {
	table *tableInfo // nil: the table does not exist (no rows)
	index *indexInfo
	start []byte
	end   []byte // nil: unbounded
	desc  bool
	// fields is the index's key layout, for cursor fingerprints.
	fields []string
}

// empty reports whether the plan can yield no rows.
func (p *plan) empty() bool {
	return p.table == nil || (p.end != nil && bytes.Compare(p.start, p.end) >= 0)
}

// compile resolves the query's table and index and turns its range
// expressions into a key interval, with Convex's errors for ranges that do
// not fit the index.
func (tx *Tx) compile(q *Query, sys bool) (*plan, error) {
	p := &plan{desc: q.Descending}
	t, ok := tx.cat.table(tx.ns, q.Table)
	if !ok || (!sys && !userVisible(t)) {
		return p, nil
	}
	p.table = t
	name := byCreationTimeIndex
	if q.Kind != FullTableScan {
		name = q.Index
	}
	ix := tx.cat.index(t.Tablet, name)
	if ix == nil || q.Kind == Search {
		return nil, userErr("IndexNotFound", "Index %s.%s not found.", q.Table, name)
	}
	if ix.State == indexStateBackfilling && !ix.Staged {
		return nil, userErr("IndexNotReady", "Index %s.%s is currently backfilling and not available to query yet.", q.Table, name)
	}
	if ix.Staged {
		return nil, userErr("IndexStaged", "Index %s.%s is staged: it is kept up to date but not available to query until it is enabled in the schema.", q.Table, name)
	}
	p.index, p.fields = ix, ix.fieldsWithID()
	if q.Kind == FullTableScan {
		return p, nil
	}
	sr, err := splitRange(q)
	if err != nil {
		return nil, err
	}
	prefix, err := sr.orderedPrefix(q, ix)
	if err != nil {
		return nil, err
	}
	p.start, p.end = sr.interval(prefix)
	return p, nil
}

// splitRangeResult is a range split into equalities and one inequality.
type splitRangeResult struct {
	eqs      map[string]value.Value
	ineq     string
	lower    value.Value
	lowerInc bool
	hasLower bool
	upper    value.Value
	upperInc bool
	hasUpper bool
}

func splitRange(q *Query) (*splitRangeResult, error) {
	sr := &splitRangeResult{eqs: map[string]value.Value{}}
	for _, r := range q.Range {
		if r.Op == "Eq" {
			if old, dup := sr.eqs[r.Field]; dup {
				return nil, alreadyDefined("equality", r.Field, "==", old)
			}
			sr.eqs[r.Field] = r.Value
			continue
		}
		less := r.Op == "Lt" || r.Op == "Lte"
		inc := r.Op == "Gte" || r.Op == "Lte"
		if (less && sr.hasUpper) || (!less && sr.hasLower) {
			kind := map[bool]string{true: "upper", false: "lower"}[less]
			return nil, alreadyDefined(kind, r.Field, comparator(r.Op), r.Value)
		}
		if sr.ineq != "" && sr.ineq != r.Field {
			return nil, userErr("BoundsOnMultipleFields", "Upper and lower bounds in `range` can only be applied to a single index field. This query against index %s.%s attempted to set a range bound on both %q and %q. Consider using `filter` instead. See https://docs.convex.dev/using/indexes for more info.", q.Table, q.Index, sr.ineq, r.Field)
		}
		sr.ineq = r.Field
		if less {
			sr.upper, sr.upperInc, sr.hasUpper = r.Value, inc, true
		} else {
			sr.lower, sr.lowerInc, sr.hasLower = r.Value, inc, true
		}
	}
	if v, ok := sr.eqs[sr.ineq]; ok && sr.ineq != "" {
		return nil, alreadyDefined("inequality", sr.ineq, "==", v)
	}
	return sr, nil
}

func comparator(op string) string {
	switch op {
	case "Gt":
		return ">"
	case "Gte":
		return ">="
	case "Lt":
		return "<"
	default:
		return "<="
	}
}

func alreadyDefined(kind, field, cmp string, v value.Value) error {
	return userErr("AlreadyDefinedBound", "Already defined %s bound in index range. Can't add %q %s %s.", kind, field, cmp, display(v))
}

// orderedPrefix checks that the equality fields (in index order) and then
// the inequality field form a prefix of the index fields, and returns the
// equality values in index order.
func (sr *splitRangeResult) orderedPrefix(q *Query, ix *indexInfo) ([]value.Value, error) {
	fields := ix.fieldsWithID()
	rank := make(map[string]int, len(fields))
	for i, f := range fields {
		rank[f] = i
	}
	name := q.Table + "." + q.Index
	eqFields := make([]string, 0, len(sr.eqs))
	for f := range sr.eqs {
		eqFields = append(eqFields, f)
	}
	sort.Strings(eqFields)
	for _, f := range eqFields {
		if _, ok := rank[f]; !ok {
			return nil, fieldNotInIndex(name, f, ix)
		}
	}
	sort.Slice(eqFields, func(i, j int) bool { return rank[eqFields[i]] < rank[eqFields[j]] })
	used := eqFields
	if sr.ineq != "" {
		if _, ok := rank[sr.ineq]; !ok {
			return nil, fieldNotInIndex(name, sr.ineq, ix)
		}
		used = append(append([]string(nil), eqFields...), sr.ineq)
	}
	for i, f := range used {
		if i >= len(fields) || fields[i] != f {
			return nil, userErr("InvalidIndexRange", "Tried to query index %s but the query didn't use the index fields in order.\nIndex fields: %s\nQuery fields: %s\nFirst incorrect field: %q\nFor more information see https://docs.convex.dev/using/indexes.", name, quoteList(ix.Fields), quoteList(used), f)
		}
	}
	prefix := make([]value.Value, len(eqFields))
	for i, f := range eqFields {
		prefix[i] = sr.eqs[f]
	}
	return prefix, nil
}

func fieldNotInIndex(name, field string, ix *indexInfo) error {
	return userErr("FieldNotInIndex", "The index range included a comparison with %q, but %s with fields %s doesn't index this field. For more information see https://docs.convex.dev/using/indexes.", field, name, quoteList(ix.Fields))
}

func quoteList(fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fmt.Sprintf("%q", f)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// interval turns the prefix and bounds into [start, end).
func (sr *splitRangeResult) interval(prefix []value.Value) (start, end []byte) {
	base := value.Key(prefix...)
	withBound := func(v value.Value) []byte {
		return value.AppendKey(append([]byte(nil), base...), v)
	}
	start = base
	if sr.hasLower {
		start = withBound(sr.lower)
		if !sr.lowerInc {
			start = value.PrefixSuccessor(start)
		}
	}
	end = value.PrefixSuccessor(base)
	if sr.hasUpper {
		if sr.upperInc {
			end = value.PrefixSuccessor(withBound(sr.upper))
		} else {
			end = withBound(sr.upper)
		}
	}
	if start == nil {
		// No key follows the lower bound: the interval is empty.
		start, end = []byte{0xff}, []byte{0xff}
	}
	return start, end
}
