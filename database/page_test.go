package database_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"hull/database"
)

// pageThrough reads a query page by page and returns the n values of each
// page.
func pageThrough(t *testing.T, e *env, q map[string]any, size int) []string {
	t.Helper()
	var pages []string
	var cursor *string
	for i := 0; i < 20; i++ {
		var p *database.Page
		e.read(func(tx *database.Tx) {
			var err error
			p, err = tx.QueryPage(context.Background(), database.PageRequest{Query: query(t, q), Cursor: cursor, PageSize: size})
			if err != nil {
				t.Fatal(err)
			}
		})
		pages = append(pages, ns(t, docsJSON(p)))
		if p.IsDone {
			return pages
		}
		c := p.ContinueCursor
		cursor = &c
	}
	t.Fatal("pagination did not finish")
	return nil
}

func docsJSON(p *database.Page) []string {
	var out []string
	for _, d := range p.Page {
		out = append(out, userFields(d))
	}
	return out
}

func TestPagination(t *testing.T) {
	e := itemsEnv(t)
	tests := []struct {
		name  string
		query map[string]any
		size  int
		want  string
	}{
		{"pages of a full scan", scanQuery("items", nil), 3, "1,2,3|4,5,6|7"},
		{"pages of a descending scan", scanQuery("items", "desc"), 3, "7,6,5|4,3,2|1"},
		{"pages of an index range", indexQuery("items.by_ab", nil, []any{rng("Gte", "a", 1)}), 2, "1,2|3,4|5"},
		{"pages of a descending index range", indexQuery("items.by_ab", "desc", []any{rng("Gte", "a", 1)}), 2, "5,4|3,2|1"},
		{"pages with a filter count passing rows", scanQuery("items", nil, map[string]any{"filter": op("$eq", field("b"), lit("x"))}), 2, "1,3|5,6|7"},
		{"one page holding everything", scanQuery("items", nil), 100, "1,2,3,4,5,6,7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(pageThrough(t, e, tc.query, tc.size), "|")
			if got != tc.want {
				t.Fatalf("pages %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPaginationCursors(t *testing.T) {
	ctx := context.Background()
	e := itemsEnv(t)
	q := indexQuery("items.by_ab", nil, nil) // 6,7,1,2,3,4,5
	var first *database.Page
	e.read(func(tx *database.Tx) {
		var err error
		first, err = tx.QueryPage(ctx, database.PageRequest{Query: query(t, q), PageSize: 4})
		if err != nil {
			t.Fatal(err)
		}
	})
	if first.SplitCursor == nil {
		t.Fatal("no split cursor on a page of 4")
	}
	t.Run("an end cursor bounds the page and grows with inserts", func(t *testing.T) {
		// An insert that sorts into the first page, between 7 and 1.
		e.mutate(func(tx *database.Tx) { mustInsert(t, tx, "items", `{"a":1,"b":"a","n":0}`) })
		e.read(func(tx *database.Tx) {
			p, err := tx.QueryPage(ctx, database.PageRequest{Query: query(t, q), EndCursor: &first.ContinueCursor, PageSize: 4})
			if err != nil {
				t.Fatal(err)
			}
			if got := ns(t, docsJSON(p)); got != "6,7,0,1,2" || p.ContinueCursor != first.ContinueCursor || p.IsDone {
				t.Fatalf("page %s continue %q done %v", got, p.ContinueCursor, p.IsDone)
			}
		})
	})
	t.Run("split pages cover the page exactly", func(t *testing.T) {
		e.read(func(tx *database.Tx) {
			a, err := tx.QueryPage(ctx, database.PageRequest{Query: query(t, q), EndCursor: first.SplitCursor, PageSize: 4})
			if err != nil {
				t.Fatal(err)
			}
			b, err := tx.QueryPage(ctx, database.PageRequest{Query: query(t, q), Cursor: first.SplitCursor, EndCursor: &first.ContinueCursor, PageSize: 4})
			if err != nil {
				t.Fatal(err)
			}
			if got := ns(t, docsJSON(a)) + "|" + ns(t, docsJSON(b)); got != "6,7|0,1,2" {
				t.Fatalf("split pages %s", got)
			}
		})
	})
	t.Run("maximumRowsRead ends the page with SplitRequired", func(t *testing.T) {
		e.read(func(tx *database.Tx) {
			p, err := tx.QueryPage(ctx, database.PageRequest{Query: query(t, q), PageSize: 10, MaximumRowsRead: 2})
			if err != nil {
				t.Fatal(err)
			}
			if got := ns(t, docsJSON(p)); got != "6,7" || p.PageStatus != "SplitRequired" || p.IsDone {
				t.Fatalf("page %s status %q done %v", got, p.PageStatus, p.IsDone)
			}
		})
	})
	bad := []struct {
		name   string
		cursor string
		query  map[string]any
	}{
		{"a cursor from another query", first.ContinueCursor, indexQuery("items.by_ab", "desc", nil)},
		{"a cursor from another index", first.ContinueCursor, scanQuery("items", nil)},
		{"a forged cursor", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", q},
		{"a tampered cursor", tamper(first.ContinueCursor), q},
		{"garbage", "not a cursor!", q},
	}
	for _, tc := range bad {
		t.Run(tc.name+" gives InvalidCursor", func(t *testing.T) {
			e.read(func(tx *database.Tx) {
				c := tc.cursor
				_, err := tx.QueryPage(ctx, database.PageRequest{Query: query(t, tc.query), Cursor: &c, PageSize: 2})
				ce, ok := err.(*database.CursorError)
				if !ok || !strings.HasPrefix(ce.Error(), "InvalidCursor") || !strings.Contains(string(ce.ConvexData()), `"paginationError":"InvalidCursor"`) {
					t.Fatalf("got %v", err)
				}
			})
		})
	}
	t.Run("a cursor from another deployment key gives InvalidCursor", func(t *testing.T) {
		e.key = []byte("another key")
		e.reopen()
		e.read(func(tx *database.Tx) {
			_, err := tx.QueryPage(ctx, database.PageRequest{Query: query(t, q), Cursor: &first.ContinueCursor, PageSize: 2})
			if _, ok := err.(*database.CursorError); !ok {
				t.Fatalf("got %v", err)
			}
		})
	})
}

func tamper(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestPaginationArgumentErrors(t *testing.T) {
	e := itemsEnv(t)
	tests := []struct {
		name string
		req  database.PageRequest
		code string
	}{
		{"a page size of zero", database.PageRequest{PageSize: 0}, "NoDocumentsForPagination"},
		{"a page size above 32000", database.PageRequest{PageSize: 32001}, "PageSizeTooLarge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.read(func(tx *database.Tx) {
				tc.req.Query = query(t, scanQuery("items", nil))
				_, err := tx.QueryPage(context.Background(), tc.req)
				if de, ok := err.(*database.Error); !ok || de.Code != tc.code {
					t.Fatalf("got %v", err)
				}
			})
		})
	}
}

func TestReadLimits(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mutate(func(tx *database.Tx) {
		for i := range 30 {
			mustInsert(t, tx, "t", fmt.Sprintf(`{"i":%d}`, i))
		}
	})
	// A low limit on a separate DB over the same store.
	lease, err := e.store.Acquire(ctx, "limits")
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, e.store, lease, database.Options{Limits: database.Limits{DocumentsRead: 10}})
	if err != nil {
		t.Fatal(err)
	}
	rtx, err := db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = collect(t, rtx, query(t, scanQuery("t", nil, map[string]any{"filter": op("$eq", field("i"), lit(-1))})))
	if de, ok := err.(*database.Error); !ok || de.Code != "TooManyDocumentsRead" {
		t.Fatalf("reading 30 documents with a limit of 10: %v", err)
	}
	rtx2, _ := db.BeginRead(ctx, 0)
	if got, err := collect(t, rtx2, query(t, scanQuery("t", nil, map[string]any{"limit": 10}))); err != nil || len(got) != 10 {
		t.Fatalf("reading exactly the limit: %d %v", len(got), err)
	}
}

func TestReadSetRecordsConsumedIntervals(t *testing.T) {
	ctx := context.Background()
	e := itemsEnv(t)
	e.read(func(tx *database.Tx) {
		s, err := tx.Query(ctx, query(t, scanQuery("items", nil)))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Next(ctx); err != nil {
			t.Fatal(err)
		}
		rs := tx.ReadSet()
		if len(rs) != 1 || rs[0].End == nil {
			t.Fatalf("after one row the read set is %+v, want one bounded interval", rs)
		}
		if _, err := s.Collect(ctx); err != nil {
			t.Fatal(err)
		}
		rs = tx.ReadSet()
		if len(rs) != 1 || rs[0].End != nil {
			t.Fatalf("after the whole table the read set is %+v, want the unbounded interval", rs)
		}
	})
}
