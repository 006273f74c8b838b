package storetest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"hull/persistence"
)

// model is the reference a backend is checked against: the full history of
// every document and index key, kept in memory.
type model struct {
	docs  map[persistence.DocID][]persistence.Revision // ascending ts
	index map[persistence.IndexID]map[string][]indexRev
	maxTS int64
}

type indexRev struct {
	ts      int64
	deleted bool
	doc     persistence.DocID
}

func newModel() *model {
	return &model{
		docs:  map[persistence.DocID][]persistence.Revision{},
		index: map[persistence.IndexID]map[string][]indexRev{},
	}
}

// apply records c, filling in each revision's PrevTS from the history.
func (m *model) apply(c persistence.Commit) persistence.Commit {
	for i, r := range c.Documents {
		hist := m.docs[r.ID]
		r.PrevTS = 0
		if len(hist) > 0 {
			r.PrevTS = hist[len(hist)-1].TS
		}
		c.Documents[i] = r
		m.docs[r.ID] = append(hist, r)
	}
	for _, w := range c.Indexes {
		keys := m.index[w.Index]
		if keys == nil {
			keys = map[string][]indexRev{}
			m.index[w.Index] = keys
		}
		keys[string(w.Key)] = append(keys[string(w.Key)], indexRev{ts: c.TS, deleted: w.Deleted, doc: w.Doc})
	}
	m.maxTS = c.TS
	return c
}

// docAt returns the live revision of id at ts, if any.
func (m *model) docAt(id persistence.DocID, at int64) (persistence.Revision, bool) {
	hist := m.docs[id]
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].TS <= at {
			return hist[i], !hist[i].Deleted
		}
	}
	return persistence.Revision{}, false
}

// ids returns every document id the model has seen, sorted.
func (m *model) ids() []persistence.DocID {
	out := make([]persistence.DocID, 0, len(m.docs))
	for id := range m.docs {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return compareIDs(out[i], out[j]) < 0 })
	return out
}

// get is what Store.Get must return for ids at ts.
func (m *model) get(ids []persistence.DocID, at int64) map[persistence.DocID]persistence.Revision {
	out := map[persistence.DocID]persistence.Revision{}
	for _, id := range ids {
		if r, ok := m.docAt(id, at); ok {
			out[id] = r
		}
	}
	return out
}

// scan is what Store.Scan must return for r at ts.
func (m *model) scan(r persistence.Range, at int64) []persistence.IndexEntry {
	var out []persistence.IndexEntry
	start, end := string(r.Start), string(r.End)
	for key, hist := range m.index[r.Index] {
		if key < start || (r.End != nil && key >= end) {
			continue
		}
		var live *indexRev
		for i := len(hist) - 1; i >= 0; i-- {
			if hist[i].ts <= at {
				if !hist[i].deleted {
					live = &hist[i]
				}
				break
			}
		}
		if live == nil {
			continue
		}
		doc, ok := m.docAt(live.doc, at)
		if !ok {
			panic(fmt.Sprintf("model: index entry %x points at missing document", key))
		}
		out = append(out, persistence.IndexEntry{Key: []byte(key), Doc: doc})
	}
	slices.SortFunc(out, func(a, b persistence.IndexEntry) int {
		if r.Descending {
			return bytes.Compare(b.Key, a.Key)
		}
		return bytes.Compare(a.Key, b.Key)
	})
	if r.Limit > 0 && len(out) > r.Limit {
		out = out[:r.Limit]
	}
	return out
}

func compareIDs(a, b persistence.DocID) int {
	if a.Table != b.Table {
		if a.Table < b.Table {
			return -1
		}
		return 1
	}
	return bytes.Compare(a.Internal[:], b.Internal[:])
}

// Indexes the workload maintains.
const (
	byField persistence.IndexID = 1 // key: field bytes, then document id
	byID    persistence.IndexID = 2 // key: document id
)

// workload generates random, seeded commits over a small set of
// documents, with the two indexes kept consistent, and records them in its
// model.
type workload struct {
	rng   *rand.Rand
	model *model
	live  map[persistence.DocID][]byte // current field of each live document
	order []persistence.DocID          // live ids in creation order
	ts    int64
	pad   int // values carry up to pad filler bytes
}

func newWorkload(seed uint64, startTS int64) *workload {
	return &workload{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		model: newModel(),
		live:  map[persistence.DocID][]byte{},
		ts:    startTS,
		pad:   64,
	}
}

// next returns the next commit (1–4 document writes) and records it.
func (w *workload) next() persistence.Commit {
	w.ts += 1 + w.rng.Int64N(5)
	c := persistence.Commit{TS: w.ts}
	touched := map[persistence.DocID]bool{}
	for range 1 + w.rng.IntN(4) {
		switch p := w.rng.IntN(10); {
		case len(w.order) == 0 || p < 4:
			touched[w.insert(&c)] = true
		default:
			id := w.order[w.rng.IntN(len(w.order))]
			if touched[id] {
				continue
			}
			touched[id] = true
			if p < 8 {
				w.update(&c, id)
			} else {
				w.remove(&c, id)
			}
		}
	}
	return w.model.apply(c)
}

func (w *workload) newID() persistence.DocID {
	id := persistence.DocID{Table: uint32(1 + w.rng.IntN(2))}
	binary.BigEndian.PutUint64(id.Internal[:8], w.rng.Uint64())
	binary.BigEndian.PutUint64(id.Internal[8:], w.rng.Uint64())
	return id
}

// field returns a short key part from a tiny alphabet, so keys often tie,
// and are often prefixes of each other.
func (w *workload) field() []byte {
	alphabet := []byte{0x00, 0x01, 'a', 0xff}
	b := make([]byte, w.rng.IntN(4))
	for i := range b {
		b[i] = alphabet[w.rng.IntN(len(alphabet))]
	}
	return b
}

func (w *workload) value(field []byte) []byte {
	return fmt.Appendf(nil, `{"field":"%x","n":%d,"pad":"%s"}`,
		field, w.rng.Int64(), bytes.Repeat([]byte{'p'}, w.rng.IntN(w.pad)))
}

func (w *workload) insert(c *persistence.Commit) persistence.DocID {
	id, f := w.newID(), w.field()
	w.live[id] = f
	w.order = append(w.order, id)
	c.Documents = append(c.Documents, persistence.Revision{ID: id, TS: c.TS, Value: w.value(f)})
	c.Indexes = append(c.Indexes,
		persistence.IndexWrite{Index: byField, Key: fieldKey(f, id), Doc: id},
		persistence.IndexWrite{Index: byID, Key: idKey(id), Doc: id})
	return id
}

func (w *workload) update(c *persistence.Commit, id persistence.DocID) {
	w.updateTo(c, id, w.field())
}

// updateTo rewrites id with field f, moving its byField entry when f
// differs from its field.
func (w *workload) updateTo(c *persistence.Commit, id persistence.DocID, f []byte) {
	old := w.live[id]
	w.live[id] = f
	c.Documents = append(c.Documents, persistence.Revision{ID: id, TS: c.TS, Value: w.value(f)})
	if !bytes.Equal(old, f) {
		c.Indexes = append(c.Indexes,
			persistence.IndexWrite{Index: byField, Key: fieldKey(old, id), Doc: id, Deleted: true},
			persistence.IndexWrite{Index: byField, Key: fieldKey(f, id), Doc: id})
	}
	c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: byID, Key: idKey(id), Doc: id})
}

func (w *workload) remove(c *persistence.Commit, id persistence.DocID) {
	old := w.live[id]
	delete(w.live, id)
	w.order = slices.DeleteFunc(w.order, func(x persistence.DocID) bool { return x == id })
	c.Documents = append(c.Documents, persistence.Revision{ID: id, TS: c.TS, Deleted: true})
	c.Indexes = append(c.Indexes,
		persistence.IndexWrite{Index: byField, Key: fieldKey(old, id), Doc: id, Deleted: true},
		persistence.IndexWrite{Index: byID, Key: idKey(id), Doc: id, Deleted: true})
}

func idKey(id persistence.DocID) []byte {
	return append(binary.BigEndian.AppendUint32(nil, id.Table), id.Internal[:]...)
}

func fieldKey(field []byte, id persistence.DocID) []byte {
	k := slices.Clone(field)
	k = binary.BigEndian.AppendUint32(k, id.Table)
	return append(k, id.Internal[:]...)
}
