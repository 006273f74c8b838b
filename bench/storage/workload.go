package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"hull/persistence"
)

const benchIndex persistence.IndexID = 1

// loaded is the data set both sides hold.
type loaded struct {
	ids   []persistence.DocID
	rows  []row // same order as ids
	lease persistence.Lease
	ts    int64
	rng   *rand.Rand
}

func docID(i int) persistence.DocID {
	id := persistence.DocID{Table: 1}
	binary.BigEndian.PutUint64(id.Internal[:8], uint64(i)*0x9e3779b97f4a7c15)
	binary.BigEndian.PutUint64(id.Internal[8:], uint64(i))
	return id
}

// indexKey orders documents by their number, then id, as the database
// layer's index keys would.
func indexKey(i int, id persistence.DocID) []byte {
	k := binary.BigEndian.AppendUint64([]byte{0x02}, uint64(i))
	k = binary.BigEndian.AppendUint32(k, id.Table)
	return append(k, id.Internal[:]...)
}

func docValue(i int, rng *rand.Rand) []byte {
	v, _ := json.Marshal(map[string]any{
		"_id":           fmt.Sprintf("k%030d", i),
		"_creationTime": float64(1.7e12) + float64(i),
		"author":        fmt.Sprintf("user %d", rng.IntN(100)),
		"body":          fmt.Sprintf("message number %d with some text to make it a realistic size", i),
		"channel":       "general",
		"likes":         rng.IntN(1000),
		"tags":          []string{"a", "b", "c"},
	})
	return v
}

// load writes docs documents to the store (100 per commit) and the same
// rows to the raw table.
func load(ctx context.Context, t target, docs int) (*loaded, error) {
	w := &loaded{rng: rand.New(rand.NewPCG(1, 2))}
	lease, err := t.store.Acquire(ctx, "bench")
	if err != nil {
		return nil, err
	}
	w.lease = lease
	if w.ts, err = t.store.MaxTS(ctx); err != nil {
		return nil, err
	}
	for i := range docs {
		id := docID(i)
		w.ids = append(w.ids, id)
		w.rows = append(w.rows, row{id: idBytes(id), key: indexKey(i, id), value: docValue(i, w.rng)})
	}
	for start := 0; start < docs; start += 100 {
		c := w.nextCommit()
		for i := start; i < min(start+100, docs); i++ {
			c.Documents = append(c.Documents, persistence.Revision{ID: w.ids[i], TS: c.TS, Value: w.rows[i].value})
			c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: benchIndex, Key: w.rows[i].key, Doc: w.ids[i]})
		}
		if err := t.store.Write(ctx, lease, []persistence.Commit{c}); err != nil {
			return nil, fmt.Errorf("load store: %w", err)
		}
	}
	if err := t.raw.load(ctx, w.rows); err != nil {
		return nil, fmt.Errorf("load raw table: %w", err)
	}
	return w, nil
}

func (w *loaded) nextCommit() persistence.Commit {
	w.ts = max(w.ts+1, time.Now().UnixNano())
	return persistence.Commit{TS: w.ts}
}

func idBytes(id persistence.DocID) []byte {
	return append(binary.BigEndian.AppendUint32(nil, id.Table), id.Internal[:]...)
}

// decode turns stored bytes into a value, as a read path must.
func decode(b []byte) (any, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("decode value: %w", err)
	}
	return v, nil
}
