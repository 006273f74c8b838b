package matcher_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"hull/database/matcher"
	"hull/persistence"
)

func idx(i int64) persistence.IndexID { return persistence.IndexID(i) }

// gen draws keys from a small alphabet so intervals share endpoints, nest,
// repeat and touch keys at their exact boundaries.
type gen struct{ r *rand.Rand }

// Some keys share a seven-byte head, so comparisons past the first eight
// bytes are exercised too.
func (g gen) key() []byte {
	var b []byte
	if g.r.IntN(3) == 0 {
		b = append(b, "\x00a\xffbab\x00"...)
	}
	for range g.r.IntN(4) {
		b = append(b, "\x00ab\xff"[g.r.IntN(4)])
	}
	return b
}

func (g gen) interval() matcher.Interval {
	iv := matcher.Interval{Index: idx(int64(g.r.IntN(3))), Start: g.key()}
	switch g.r.IntN(6) {
	case 0: // unbounded
	case 1: // point read
		iv.End = append(append([]byte{}, iv.Start...), 0)
	default: // any range, possibly empty or reversed
		iv.End = g.key()
	}
	return iv
}

func (g gen) readSet() matcher.ReadSet {
	var rs matcher.ReadSet
	for range g.r.IntN(5) {
		rs.Intervals = append(rs.Intervals, g.interval())
	}
	for range g.r.IntN(2) {
		rs.Tokens = append(rs.Tokens, g.token())
	}
	return rs
}

func (g gen) token() string {
	return []string{"version", "env:A", "env:B", "identity:x"}[g.r.IntN(4)]
}

func (g gen) commit() ([]matcher.Key, []string) {
	var keys []matcher.Key
	for range g.r.IntN(5) {
		keys = append(keys, matcher.Key{Index: idx(int64(g.r.IntN(3))), Key: g.key()})
	}
	var tokens []string
	if g.r.IntN(8) == 0 {
		tokens = append(tokens, g.token())
	}
	return keys, tokens
}

func naive(model map[matcher.SubscriptionID]matcher.ReadSet, keys []matcher.Key, tokens []string) []matcher.SubscriptionID {
	var want []matcher.SubscriptionID
	for id, rs := range model {
		if rs.Touches(keys, tokens) {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	return want
}

func TestMatchAgreesWithBruteForceUnderChurn(t *testing.T) {
	for seed := range uint64(20) {
		g := gen{rand.New(rand.NewPCG(seed, 7))}
		m := matcher.New()
		model := map[matcher.SubscriptionID]matcher.ReadSet{}
		for step := range 3000 {
			id := matcher.SubscriptionID(g.r.IntN(150))
			switch g.r.IntN(3) {
			case 0:
				m.Unregister(id)
				delete(model, id)
			default:
				rs := g.readSet()
				m.Register(id, rs)
				model[id] = rs
			}
			keys, tokens := g.commit()
			if got, want := matches(m, keys, tokens), naive(model, keys, tokens); !slices.Equal(got, want) {
				t.Fatalf("seed %d step %d: keys %v tokens %v: Match = %v, brute force = %v", seed, step, keys, tokens, got, want)
			}
			if m.Len() != len(model) {
				t.Fatalf("seed %d step %d: Len = %d, want %d", seed, step, m.Len(), len(model))
			}
		}
	}
}

func TestMatchesRunConcurrentlyWithRegistrations(t *testing.T) {
	m := matcher.New()
	stable := matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "m", "n")}}
	for id := range matcher.SubscriptionID(50) {
		m.Register(id, stable)
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			g := gen{rand.New(rand.NewPCG(uint64(w), 1))}
			for i := range 2000 {
				id := matcher.SubscriptionID(1000*(w+1) + i%40)
				if i%3 == 0 {
					m.Unregister(id)
				} else {
					m.Register(id, g.readSet())
				}
			}
		})
	}
	errs := make(chan string, 2)
	for range 2 {
		wg.Go(func() {
			for range 2000 {
				got := m.AppendMatches(nil, []matcher.Key{k(1, "m")}, nil)
				n := 0
				for _, id := range got {
					if id < 50 {
						n++
					}
				}
				if n != 50 {
					errs <- "a match during registrations lost stable read sets"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
