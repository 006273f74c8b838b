package main

import (
	"context"
	"fmt"
	"time"

	"hull/persistence"
)

const rangeRows = 1000

// measure runs each benchmark, alternating hull and raw iterations so
// both see the same cache and disk conditions.
func measure(ctx context.Context, t target, w *loaded, n int) ([]result, error) {
	benches := []struct {
		name  string
		iters int
		hull  func(ctx context.Context, t target, w *loaded) error
		raw   func(ctx context.Context, t target, w *loaded) error
	}{
		{"point read + decode", n, hullPointRead, rawPointRead},
		{fmt.Sprintf("range read %d rows + decode", rangeRows), max(1, n/10), hullRangeRead, rawRangeRead},
		{"single commit (1 doc, 1 index entry)", max(1, n/10), hullCommit, rawCommit},
	}
	var out []result
	for _, b := range benches {
		r := result{name: b.name}
		for i := range b.iters + b.iters/10 { // the first tenth warms up
			for side := range 2 {
				f, dst := b.hull, &r.hull
				if (i+side)%2 == 1 {
					f, dst = b.raw, &r.raw
				}
				start := time.Now()
				if err := f(ctx, t, w); err != nil {
					return nil, fmt.Errorf("%s: %w", b.name, err)
				}
				if i >= b.iters/10 {
					*dst = append(*dst, time.Since(start))
				}
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func hullPointRead(ctx context.Context, t target, w *loaded) error {
	id := w.ids[w.rng.IntN(len(w.ids))]
	docs, err := t.store.Get(ctx, []persistence.DocID{id}, persistence.Latest)
	if err != nil {
		return err
	}
	d, ok := docs[id]
	if !ok {
		return fmt.Errorf("document %v missing", id)
	}
	_, err = decode(d.Value)
	return err
}

func rawPointRead(ctx context.Context, t target, w *loaded) error {
	v, err := t.raw.get(ctx, w.rows[w.rng.IntN(len(w.rows))].id)
	if err != nil {
		return err
	}
	_, err = decode(v)
	return err
}

func rangeStart(w *loaded) []byte {
	return w.rows[w.rng.IntN(len(w.rows)-rangeRows+1)].key
}

func hullRangeRead(ctx context.Context, t target, w *loaded) error {
	entries, err := t.store.Scan(ctx, persistence.Range{Index: benchIndex, Start: rangeStart(w), Limit: rangeRows}, persistence.Latest)
	if err != nil {
		return err
	}
	if len(entries) != rangeRows {
		return fmt.Errorf("scan returned %d rows, want %d", len(entries), rangeRows)
	}
	for _, e := range entries {
		if _, err := decode(e.Doc.Value); err != nil {
			return err
		}
	}
	return nil
}

func rawRangeRead(ctx context.Context, t target, w *loaded) error {
	values, err := t.raw.scan(ctx, rangeStart(w), rangeRows)
	if err != nil {
		return err
	}
	if len(values) != rangeRows {
		return fmt.Errorf("raw scan returned %d rows, want %d", len(values), rangeRows)
	}
	for _, v := range values {
		if _, err := decode(v); err != nil {
			return err
		}
	}
	return nil
}

func hullCommit(ctx context.Context, t target, w *loaded) error {
	i := w.rng.IntN(len(w.ids))
	c := w.nextCommit()
	c.Documents = []persistence.Revision{{ID: w.ids[i], TS: c.TS, Value: docValue(i, w.rng)}}
	c.Indexes = []persistence.IndexWrite{{Index: benchIndex, Key: w.rows[i].key, Doc: w.ids[i]}}
	return t.store.Write(ctx, w.lease, []persistence.Commit{c})
}

func rawCommit(ctx context.Context, t target, w *loaded) error {
	i := w.rng.IntN(len(w.rows))
	r := w.rows[i]
	r.value = docValue(i, w.rng)
	return t.raw.commit(ctx, r)
}
