package database

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"hull/persistence"
	"hull/value"
)

// row is one document read from an index, with its key.
type row struct {
	key  []byte
	doc  value.Object
	size int
}

// scanner yields the rows of one index interval in order, merging the
// store's committed rows (read in growing batches) with the transaction's
// own pending writes. It records the consumed part of the interval in the
// read set and charges every row against the read limits.
type scanner struct {
	tx    *Tx
	p     *plan
	start []byte // remaining store interval
	end   []byte
	buf   []row
	pend  []row
	batch int
	done  bool // store exhausted
	last  []byte
	read  int // index of this scan's entry in tx.reads, -1 if none
	// uncharged rows do not count against the read limits (counting).
	uncharged bool
}

// A scan reads its first batch sized to the rows its consumer wants when
// that is known (a limit that no filter precedes, a page size), else
// defaultBatch; each later batch doubles, up to maxBatch.
const (
	defaultBatch = 32
	maxBatch     = 512
)

// newScanner starts a scan of p's interval; want is the number of rows
// the consumer will take at most, 0 when unknown.
func (tx *Tx) newScanner(p *plan, want int) (*scanner, error) {
	batch := defaultBatch
	if want > 0 {
		batch = min(want, maxBatch)
	}
	s := &scanner{tx: tx, p: p, start: p.start, end: p.end, batch: batch, read: -1}
	if p.table == nil {
		// The table does not exist: what was read is its absence, which
		// only the creation of a table can change.
		s.done = true
		tables := tx.cat.byNumber[tablesTable]
		return s, tx.addRead(tables, ReadInterval{Index: tablesByCreationTime})
	}
	if p.empty() {
		s.done = true // an empty interval: no write can fall in it
		return s, nil
	}
	s.pend = tx.pendingRows(p)
	if err := tx.addRead(p.table, ReadInterval{Index: p.index.ID}); err != nil {
		return nil, err
	}
	s.read = len(tx.reads) - 1
	s.noteConsumed()
	return s, nil
}

// pendingRows returns the transaction's own live documents whose keys fall
// in the plan's interval, in scan order.
func (tx *Tx) pendingRows(p *plan) []row {
	var out []row
	for _, did := range tx.order {
		w := tx.writes[did]
		if w.tablet != p.table.Tablet || !w.hasDoc {
			continue
		}
		k := indexKey(p.index, w.doc)
		if bytes.Compare(k, p.start) < 0 || (p.end != nil && bytes.Compare(k, p.end) >= 0) {
			continue
		}
		out = append(out, row{key: k, doc: w.doc})
	}
	sort.Slice(out, func(i, j int) bool {
		c := bytes.Compare(out[i].key, out[j].key)
		if p.desc {
			return c > 0
		}
		return c < 0
	})
	return out
}

// next returns the next row, or ok=false at the end of the interval.
func (s *scanner) next(ctx context.Context) (row, bool, error) {
	for len(s.buf) == 0 && !s.done {
		if err := s.fill(ctx); err != nil {
			return row{}, false, err
		}
	}
	var r row
	switch {
	case len(s.buf) == 0 && len(s.pend) == 0:
		s.last = nil
		s.noteConsumed()
		return row{}, false, nil
	case len(s.buf) == 0:
		r, s.pend = s.pend[0], s.pend[1:]
	case len(s.pend) == 0 || s.before(s.buf[0].key, s.pend[0].key):
		r, s.buf = s.buf[0], s.buf[1:]
		if !s.uncharged {
			if err := s.tx.countRead(s.p.table, r.size); err != nil {
				return row{}, false, err
			}
		}
	default:
		r, s.pend = s.pend[0], s.pend[1:]
	}
	s.last = r.key
	s.noteConsumed()
	return r, true, nil
}

// before reports whether key a comes before key b in scan order.
func (s *scanner) before(a, b []byte) bool {
	c := bytes.Compare(a, b)
	if s.p.desc {
		return c > 0
	}
	return c < 0
}

// fill reads the next batch of committed rows, skipping documents the
// transaction wrote (their pending version is in pend).
func (s *scanner) fill(ctx context.Context) error {
	r := persistence.Range{Index: s.p.index.ID, Start: s.start, End: s.end, Descending: s.p.desc, Limit: s.batch}
	if err := s.tx.db.Fenced(); err != nil {
		return err
	}
	entries, err := s.tx.scan(ctx, r)
	if err != nil {
		return s.tx.readErr(fmt.Sprintf("scan index %s", s.p.index.Name), err)
	}
	if len(entries) < s.batch {
		s.done = true
	} else {
		lastKey := entries[len(entries)-1].Key
		if s.p.desc {
			s.end = lastKey
		} else {
			s.start = keyAfter(lastKey)
		}
		s.batch = min(s.batch*2, maxBatch)
	}
	for _, e := range entries {
		if _, written := s.tx.writes[e.Doc.ID]; written {
			continue
		}
		doc, err := decodeDoc(e.Doc.Value)
		if err != nil {
			return err
		}
		s.buf = append(s.buf, row{key: e.Key, doc: doc, size: len(e.Doc.Value)})
		// Same snapshot: a later get or write of the document needs no
		// store round trip.
		if _, ok := s.tx.cache[e.Doc.ID]; !ok {
			s.tx.cache[e.Doc.ID] = cachedDoc{obj: doc, ts: e.Doc.TS, size: len(e.Doc.Value), found: true}
		}
	}
	return nil
}

// noteConsumed updates the read-set entry to the part of the interval
// consumed so far: up to the last row returned, or all of it once the
// scan is exhausted (last == nil after the end).
func (s *scanner) noteConsumed() {
	if s.read < 0 {
		return
	}
	ri := &s.tx.reads[s.read]
	exhausted := s.done && len(s.buf) == 0 && len(s.pend) == 0 && s.last == nil
	switch {
	case exhausted:
		ri.Start, ri.End = s.p.start, s.p.end
	case s.last == nil:
		ri.Start, ri.End = s.p.start, s.p.start // nothing consumed yet
	case s.p.desc:
		ri.Start, ri.End = s.last, s.p.end
	default:
		ri.Start, ri.End = s.p.start, keyAfter(s.last)
	}
}

// Stream is a running query: its source rows pass through the filter and
// limit operators in order.
type Stream struct {
	tx *Tx
	q  *Query
	sc *scanner
	// search holds the ranked rows of a search query (sc is nil then).
	search []row
	counts []int // rows passed per limit operator
	ended  bool
}

// Query starts a query as user code runs it: private system tables look
// empty.
func (tx *Tx) Query(ctx context.Context, q *Query) (*Stream, error) {
	return tx.query(ctx, q, false)
}

// SystemQuery starts a query on any table.
func (tx *Tx) SystemQuery(ctx context.Context, q *Query) (*Stream, error) {
	return tx.query(ctx, q, true)
}

func (tx *Tx) query(ctx context.Context, q *Query, sys bool) (*Stream, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	if q.Kind == Search {
		return tx.searchQuery(ctx, q, sys)
	}
	p, err := tx.compile(q, sys)
	if err != nil {
		return nil, err
	}
	sc, err := tx.newScanner(p, wanted(q.Operators))
	if err != nil {
		return nil, err
	}
	return &Stream{tx: tx, q: q, sc: sc, counts: make([]int, len(q.Operators))}, nil
}

func hasFilter(ops []Operator) bool {
	for _, op := range ops {
		if op.Filter != nil {
			return true
		}
	}
	return false
}

// wanted is the number of rows a query's source must yield at most: the
// first limit when no filter comes before it, else 0 (unknown).
func wanted(ops []Operator) int {
	for _, op := range ops {
		if op.Filter != nil {
			return 0
		}
		return max(op.Limit, 1)
	}
	return 0
}

// Next returns the next document, or ok=false when the query is done.
func (s *Stream) Next(ctx context.Context) (value.Object, bool, error) {
	r, ok, err := s.nextRow(ctx)
	return r.doc, ok, err
}

// nextRow returns the next row that passes every operator.
func (s *Stream) nextRow(ctx context.Context) (row, bool, error) {
	if err := s.tx.check(false); err != nil {
		return row{}, false, err
	}
	for !s.ended {
		if s.limitReached() {
			s.ended = true
			break
		}
		r, ok, err := s.pull(ctx)
		if err != nil || !ok {
			s.ended = s.ended || err == nil
			return row{}, false, err
		}
		pass, err := s.apply(r.doc)
		if err != nil {
			return row{}, false, err
		}
		if pass {
			return r, true, nil
		}
	}
	return row{}, false, nil
}

// pull takes the next source row.
func (s *Stream) pull(ctx context.Context) (row, bool, error) {
	if s.sc == nil {
		if len(s.search) == 0 {
			return row{}, false, nil
		}
		r := s.search[0]
		s.search = s.search[1:]
		return r, true, nil
	}
	return s.sc.next(ctx)
}

// limitReached reports whether some limit operator lets nothing more
// through, so no more rows need to be read.
func (s *Stream) limitReached() bool {
	for i, op := range s.q.Operators {
		if op.Filter == nil && s.counts[i] >= op.Limit {
			return true
		}
	}
	return false
}

// apply runs the operators on one row.
func (s *Stream) apply(doc value.Object) (bool, error) {
	for i, op := range s.q.Operators {
		if op.Filter == nil {
			if s.counts[i] >= op.Limit {
				return false, nil
			}
			s.counts[i]++
			continue
		}
		v, err := op.Filter.Eval(doc)
		if err != nil {
			return false, err
		}
		ok, err := asBool(v)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// Collect reads every remaining document.
func (s *Stream) Collect(ctx context.Context) ([]value.Object, error) {
	var out []value.Object
	for {
		doc, ok, err := s.Next(ctx)
		if err != nil || !ok {
			return out, err
		}
		out = append(out, doc)
	}
}

// SystemScan returns every document of a table (any table, system tables
// included) in _creationTime order. Meant for small system tables.
func (tx *Tx) SystemScan(ctx context.Context, table string) ([]value.Object, error) {
	s, err := tx.SystemQuery(ctx, &Query{Kind: FullTableScan, Table: table})
	if err != nil {
		return nil, err
	}
	return s.Collect(ctx)
}

// Count returns the number of documents in a user table as this
// transaction sees it. Counting does not count against the read limits.
func (tx *Tx) Count(ctx context.Context, table string) (int64, error) {
	s, err := tx.Query(ctx, &Query{Kind: FullTableScan, Table: table})
	if err != nil {
		return 0, err
	}
	s.sc.uncharged = true
	var n int64
	for {
		_, ok, err := s.sc.next(ctx)
		if err != nil {
			return 0, err
		}
		if !ok {
			return n, nil
		}
		n++
	}
}
