package database

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"hull/value"
)

// PageRequest is one 1.0/queryPage call.
type PageRequest struct {
	Query     *Query
	Cursor    *string // nil: from the start
	EndCursor *string // nil: read PageSize rows
	PageSize  int
	// MaximumRowsRead and MaximumBytesRead end the page early with
	// SplitRequired; zero means no maximum. They apply only without an
	// end cursor.
	MaximumRowsRead  int
	MaximumBytesRead int64
}

// Page is the result of a page read.
type Page struct {
	Page           []value.Object
	IsDone         bool
	ContinueCursor string
	SplitCursor    *string
	PageStatus     string // "", "SplitRecommended" or "SplitRequired"
}

const (
	maxPageSize          = 32000
	splitRecommendedRows = 6144
	cursorVersion        = 1
	cursorAfter          = 0
	cursorEnd            = 1
	fingerprintLen       = 16
	macLen               = 16
)

// QueryPage reads one page of a query, as user code paginates.
func (tx *Tx) QueryPage(ctx context.Context, req PageRequest) (*Page, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	if err := checkPageRequest(req); err != nil {
		return nil, err
	}
	if req.Query.Kind == Search {
		return nil, userErr("SearchPaginationUnsupported", "Paginating a search query is not supported yet: use take(n) on search queries.")
	}
	p, err := tx.compile(req.Query, false)
	if err != nil {
		return nil, err
	}
	fp := tx.db.cursorFingerprint(req.Query, p)
	if req.Cursor != nil {
		end, key, err := tx.db.decodeCursor(*req.Cursor, fp)
		if err != nil {
			return nil, err
		}
		if end {
			return &Page{Page: []value.Object{}, IsDone: true, ContinueCursor: tx.db.encodeCursor(fp, true, nil)}, nil
		}
		p.resumeAfter(key)
	}
	if req.EndCursor != nil {
		end, key, err := tx.db.decodeCursor(*req.EndCursor, fp)
		if err != nil {
			return nil, err
		}
		if !end {
			p.stopAfter(key)
		}
	}
	return tx.readPage(ctx, req, p, fp)
}

func checkPageRequest(req PageRequest) error {
	if req.PageSize <= 0 {
		return userErr("NoDocumentsForPagination", "Must request at least 1 document while paginating")
	}
	if req.PageSize > maxPageSize {
		return userErr("PageSizeTooLarge", "Page size %d is too large: at most %d documents may be requested while paginating", req.PageSize, maxPageSize)
	}
	if req.MaximumRowsRead < 0 || req.MaximumBytesRead < 0 {
		return userErr("InvalidPaginationLimit", "maximumRowsRead and maximumBytesRead must be greater than 0")
	}
	return nil
}

// resumeAfter narrows the plan to rows strictly after key in scan order.
func (p *plan) resumeAfter(key []byte) {
	if p.desc {
		p.end = minEnd(p.end, key)
	} else {
		p.start = maxStart(p.start, keyAfter(key))
	}
}

// stopAfter narrows the plan to rows up to and including key.
func (p *plan) stopAfter(key []byte) {
	if p.desc {
		p.start = maxStart(p.start, key)
	} else {
		p.end = minEnd(p.end, keyAfter(key))
	}
}

func maxStart(a, b []byte) []byte {
	if bytes.Compare(a, b) >= 0 {
		return a
	}
	return b
}

func minEnd(a, b []byte) []byte {
	if a == nil || bytes.Compare(b, a) < 0 {
		return b
	}
	return a
}

// readPage reads rows until the page is full, a maximum is hit, or the
// interval ends.
func (tx *Tx) readPage(ctx context.Context, req PageRequest, p *plan, fp []byte) (*Page, error) {
	want := 0
	if !hasFilter(req.Query.Operators) && req.PageSize > 0 {
		want = req.PageSize
		if w := wanted(req.Query.Operators); w > 0 {
			want = min(want, w)
		}
	}
	sc, err := tx.newScanner(p, want)
	if err != nil {
		return nil, err
	}
	st := &Stream{tx: tx, q: req.Query, sc: sc, counts: make([]int, len(req.Query.Operators))}
	open := req.EndCursor == nil
	out := &Page{Page: []value.Object{}}
	var keys [][]byte
	var last []byte
	var rows int
	var nbytes int64
	exhausted := false
	for {
		if st.limitReached() {
			exhausted = true
			break
		}
		if open && len(out.Page) >= req.PageSize {
			break
		}
		if open && ((req.MaximumRowsRead > 0 && rows >= req.MaximumRowsRead) || (req.MaximumBytesRead > 0 && nbytes >= req.MaximumBytesRead)) {
			out.PageStatus = "SplitRequired"
			break
		}
		r, ok, err := st.sc.next(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			exhausted = true
			break
		}
		rows++
		nbytes += int64(r.size)
		last = r.key
		pass, err := st.apply(r.doc)
		if err != nil {
			return nil, err
		}
		if pass {
			out.Page = append(out.Page, r.doc)
			keys = append(keys, r.key)
		}
	}
	switch {
	case !open && exhausted:
		out.ContinueCursor = *req.EndCursor
	case exhausted:
		out.ContinueCursor = tx.db.encodeCursor(fp, true, nil)
	default:
		out.ContinueCursor = tx.db.encodeCursor(fp, false, last)
	}
	out.IsDone = tx.db.isEndCursor(out.ContinueCursor)
	if len(keys) >= 2 {
		s := tx.db.encodeCursor(fp, false, keys[(len(keys)-1)/2])
		out.SplitCursor = &s
	}
	if out.PageStatus == "" && tx.splitRecommended(req, rows, nbytes, len(out.Page)) {
		out.PageStatus = "SplitRecommended"
	}
	return out, nil
}

func (tx *Tx) splitRecommended(req PageRequest, rows int, nbytes int64, n int) bool {
	lim := tx.db.opts.Limits
	soft := func(used, limit int64) bool { return limit > 0 && used*4 > limit*3 }
	return n > splitRecommendedRows ||
		soft(int64(rows), int64(req.MaximumRowsRead)) || soft(nbytes, req.MaximumBytesRead) ||
		soft(int64(tx.docsRead), int64(lim.DocumentsRead)) || soft(tx.bytesRead, lim.BytesRead)
}

// cursorFingerprint binds cursors to the query and its index layout.
func (db *DB) cursorFingerprint(q *Query, p *plan) []byte {
	h := sha256.New()
	h.Write(q.fingerprint[:])
	if p.index != nil {
		h.Write([]byte(strings.Join(p.fields, "\x00")))
	}
	return h.Sum(nil)[:fingerprintLen]
}

// A cursor is base64url(version, kind, fingerprint, key, hmac): opaque to
// clients, unforgeable without the cursor key.
func (db *DB) encodeCursor(fp []byte, end bool, key []byte) string {
	kind := byte(cursorAfter)
	if end {
		kind = cursorEnd
	}
	payload := append([]byte{cursorVersion, kind}, fp...)
	payload = append(payload, key...)
	return base64.RawURLEncoding.EncodeToString(append(payload, db.mac(payload)...))
}

func (db *DB) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, db.opts.CursorKey)
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// decodeCursor checks a cursor's signature and query binding.
func (db *DB) decodeCursor(s string, fp []byte) (end bool, key []byte, err error) {
	raw, derr := base64.RawURLEncoding.DecodeString(s)
	if derr != nil || len(raw) < 2+fingerprintLen+macLen {
		return false, nil, invalidCursor("Failed to parse cursor.")
	}
	payload, sig := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(sig, db.mac(payload)) || payload[0] != cursorVersion || payload[1] > cursorEnd {
		return false, nil, invalidCursor("Failed to parse cursor.")
	}
	if !bytes.Equal(payload[2:2+fingerprintLen], fp) {
		return false, nil, invalidCursor("Tried to run a query starting from a cursor, but it looks like this cursor is from a different query.")
	}
	return payload[1] == cursorEnd, payload[2+fingerprintLen:], nil
}

func (db *DB) isEndCursor(s string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(raw) >= 2 && raw[1] == cursorEnd
}
