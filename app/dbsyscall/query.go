package dbsyscall

import (
	"context"
	"encoding/json"
	"strconv"

	"hull/database"
	"hull/value"
)

func (h *Handler) queryStream(ctx context.Context, args []byte) ([]byte, error) {
	var a struct {
		Query json.RawMessage `json:"query"`
	}
	if err := decodeArgs("1.0/queryStream", args, &a); err != nil {
		return nil, err
	}
	q, err := database.ParseQuery(a.Query)
	if err != nil {
		return nil, err
	}
	s, err := h.tx.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	h.nextQuery++
	h.streams[h.nextQuery] = s
	return []byte(`{"queryId":` + strconv.FormatUint(uint64(h.nextQuery), 10) + `}`), nil
}

type queryIDArgs struct {
	QueryID uint32 `json:"queryId"`
}

func (h *Handler) queryStreamNext(ctx context.Context, args []byte) ([]byte, error) {
	var a queryIDArgs
	if err := decodeArgs("1.0/queryStreamNext", args, &a); err != nil {
		return nil, err
	}
	s, ok := h.streams[a.QueryID]
	if !ok {
		return nil, &database.Error{Code: "QueryNotFound", Msg: "Query not found: the query with id " + strconv.FormatUint(uint64(a.QueryID), 10) + " was already closed or never started."}
	}
	doc, ok, err := s.Next(ctx)
	if err != nil {
		delete(h.streams, a.QueryID)
		return nil, err
	}
	if !ok {
		delete(h.streams, a.QueryID)
		return []byte(`{"done":true,"value":null}`), nil
	}
	return append(append([]byte(`{"done":false,"value":`), value.ToJSON(doc)...), '}'), nil
}

func (h *Handler) queryCleanup(args []byte) ([]byte, error) {
	var a queryIDArgs
	if err := decodeArgs("1.0/queryCleanup", args, &a); err != nil {
		return nil, err
	}
	_, ok := h.streams[a.QueryID]
	delete(h.streams, a.QueryID)
	return strconv.AppendBool(nil, ok), nil
}

type pageArgs struct {
	Query            json.RawMessage `json:"query"`
	Cursor           *string         `json:"cursor"`
	EndCursor        *string         `json:"endCursor"`
	PageSize         float64         `json:"pageSize"`
	MaximumRowsRead  *float64        `json:"maximumRowsRead"`
	MaximumBytesRead *float64        `json:"maximumBytesRead"`
}

func (h *Handler) queryPage(ctx context.Context, args []byte) ([]byte, error) {
	var a pageArgs
	if err := decodeArgs("1.0/queryPage", args, &a); err != nil {
		return nil, err
	}
	if h.paginated {
		return nil, &database.Error{Code: "MultiplePaginatedDatabaseQueries", Msg: "This query or mutation function ran multiple paginated queries. Convex only supports a single paginated query in each function."}
	}
	h.paginated = true
	q, err := database.ParseQuery(a.Query)
	if err != nil {
		return nil, err
	}
	req := database.PageRequest{Query: q, Cursor: a.Cursor, EndCursor: a.EndCursor, PageSize: int(a.PageSize)}
	if (a.MaximumRowsRead != nil && *a.MaximumRowsRead <= 0) || (a.MaximumBytesRead != nil && *a.MaximumBytesRead <= 0) {
		return nil, &database.Error{Code: "InvalidPaginationLimit", Msg: "maximumRowsRead and maximumBytesRead must be greater than 0"}
	}
	if a.MaximumRowsRead != nil {
		req.MaximumRowsRead = int(*a.MaximumRowsRead)
	}
	if a.MaximumBytesRead != nil {
		req.MaximumBytesRead = int64(*a.MaximumBytesRead)
	}
	if req.EndCursor == nil && h.opts.PrevEndCursor != "" {
		// A re-run of a reactive page ends where its last run ended.
		end := h.opts.PrevEndCursor
		req.EndCursor = &end
	}
	page, err := h.tx.QueryPage(ctx, req)
	if err != nil {
		return nil, err
	}
	h.endCursor = page.ContinueCursor
	return pageJSON(page), nil
}

func pageJSON(p *database.Page) []byte {
	out := []byte(`{"page":[`)
	for i, doc := range p.Page {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, value.ToJSON(doc)...)
	}
	out = append(out, `],"isDone":`...)
	out = strconv.AppendBool(out, p.IsDone)
	out = append(out, `,"continueCursor":`...)
	out = strconv.AppendQuote(out, p.ContinueCursor)
	out = append(out, `,"splitCursor":`...)
	if p.SplitCursor != nil {
		out = strconv.AppendQuote(out, *p.SplitCursor)
	} else {
		out = append(out, "null"...)
	}
	out = append(out, `,"pageStatus":`...)
	if p.PageStatus != "" {
		out = strconv.AppendQuote(out, p.PageStatus)
	} else {
		out = append(out, "null"...)
	}
	return append(out, '}')
}
