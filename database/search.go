package database

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"unicode"

	"hull/value"
)

// Text search is a plain scan for now: every document of the table is
// tokenized like Convex's search (split on non-alphanumerics, lowercased,
// terms over 32 characters dropped), documents containing any query term
// match (the last term also as a prefix), and results are ranked by the
// number of distinct matching terms, then term occurrences, newest first.

const (
	maxSearchTerms      = 16
	maxSearchTermLen    = 32
	maxSearchCandidates = 1024
)

type searchIndex struct {
	IndexDescriptor string   `json:"indexDescriptor"`
	SearchField     string   `json:"searchField"`
	FilterFields    []string `json:"filterFields"`
}

// searchIndexDef finds a search index of the active schema.
func (tx *Tx) searchIndexDef(table, name string) (*searchIndex, bool) {
	schema := tx.schemas[tx.ns]
	if schema == nil {
		return nil, false
	}
	for _, t := range schema.Tables {
		if t.TableName != table {
			continue
		}
		for _, raw := range t.SearchIndexes {
			var si searchIndex
			if json.Unmarshal(raw, &si) == nil && si.IndexDescriptor == name {
				return &si, true
			}
		}
	}
	return nil, false
}

func (tx *Tx) searchQuery(ctx context.Context, q *Query, sys bool) (*Stream, error) {
	st := &Stream{tx: tx, q: q, counts: make([]int, len(q.Operators))}
	si, ok := tx.searchIndexDef(q.Table, q.Index)
	if !ok {
		return nil, userErr("IndexNotFound", "Index %s.%s not found.", q.Table, q.Index)
	}
	terms, eqs, err := searchFilters(q, si)
	if err != nil {
		return nil, err
	}
	scan, err := tx.query(ctx, &Query{Kind: FullTableScan, Table: q.Table}, sys)
	if err != nil {
		return nil, err
	}
	type scored struct {
		r            row
		distinct, tf int
	}
	var hits []scored
	for {
		r, ok, err := scan.sc.next(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if !matchesEqs(r.doc, eqs) {
			continue
		}
		text, _ := fieldValue(r.doc, splitPath(si.SearchField)).(value.String)
		d, n := scoreText(tokenize(string(text)), terms)
		if d > 0 {
			hits = append(hits, scored{r, d, n})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].distinct != hits[j].distinct {
			return hits[i].distinct > hits[j].distinct
		}
		if hits[i].tf != hits[j].tf {
			return hits[i].tf > hits[j].tf
		}
		return i > j // newer first
	})
	for i, h := range hits {
		if i == maxSearchCandidates {
			break
		}
		st.search = append(st.search, h.r)
	}
	return st, nil
}

// searchFilters checks the filters against the index: exactly one Search
// on the search field, Eq only on filter fields.
func searchFilters(q *Query, si *searchIndex) ([]string, map[string]value.Value, error) {
	var terms []string
	found := false
	eqs := map[string]value.Value{}
	for _, f := range q.Search {
		switch {
		case f.Op == "Search" && f.Field == si.SearchField && !found:
			found = true
			s, _ := f.Value.(value.String)
			terms = tokenize(string(s))
		case f.Op == "Eq" && slices.Contains(si.FilterFields, f.Field):
			eqs[f.Field] = f.Value
		default:
			return nil, nil, userErr("InvalidSearchQuery", "Search query against %s.%s has an invalid filter on %q: use search() on %q once and eq() on the filter fields %s.", q.Table, q.Index, f.Field, si.SearchField, quoteList(si.FilterFields))
		}
	}
	if !found {
		return nil, nil, userErr("MissingSearchFilterError", "Search query against %s.%s does not contain any search filters. You must include exactly one search filter on %q.", q.Table, q.Index, si.SearchField)
	}
	if len(terms) > maxSearchTerms {
		terms = terms[:maxSearchTerms]
	}
	return terms, eqs, nil
}

func matchesEqs(doc value.Object, eqs map[string]value.Value) bool {
	for f, v := range eqs {
		if value.Compare(fieldValue(doc, splitPath(f)), v) != 0 {
			return false
		}
	}
	return true
}

func tokenize(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) <= maxSearchTermLen {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}

// scoreText returns how many distinct query terms the document contains
// (the last one as a prefix) and how often they occur.
func scoreText(words, terms []string) (distinct, occurrences int) {
	for i, t := range terms {
		prefix := i == len(terms)-1
		n := 0
		for _, w := range words {
			if w == t || (prefix && strings.HasPrefix(w, t)) {
				n++
			}
		}
		if n > 0 {
			distinct++
			occurrences += n
		}
	}
	return distinct, occurrences
}
