package matcher_test

import (
	"fmt"
	"testing"

	"hull/database/matcher"
	"hull/database/matcher/matchertest"
)

// BenchmarkMatch matches commits of 10 written keys against 10,000 read
// sets at several overlap rates; BenchmarkMatchBruteForce is the same
// work checking every read set.
func BenchmarkMatch(b *testing.B) {
	w := matchertest.New(10000, 1)
	m := matcher.New()
	for i, rs := range w.ReadSets {
		m.Register(matcher.SubscriptionID(i), rs)
	}
	for _, overlap := range []float64{0, 0.01, 0.1} {
		commits := make([][]matcher.Key, 256)
		for i := range commits {
			commits[i] = w.Commit(overlap)
		}
		b.Run(fmt.Sprintf("overlap=%g%%", overlap*100), func(b *testing.B) {
			buf := make([]matcher.SubscriptionID, 0, len(w.ReadSets))
			i := 0
			for b.Loop() {
				buf = m.AppendMatches(buf[:0], commits[i%len(commits)], nil)
				i++
			}
		})
	}
}

func BenchmarkMatchBruteForce(b *testing.B) {
	w := matchertest.New(10000, 1)
	keys := w.Commit(0.01)
	for b.Loop() {
		n := 0
		for _, rs := range w.ReadSets {
			if rs.Touches(keys, nil) {
				n++
			}
		}
		if n == 0 {
			b.Fatal("commit touched nothing")
		}
	}
}

func BenchmarkRegister(b *testing.B) {
	w := matchertest.New(10000, 1)
	m := matcher.New()
	for i, rs := range w.ReadSets {
		m.Register(matcher.SubscriptionID(i), rs)
	}
	i := 0
	for b.Loop() {
		id := matcher.SubscriptionID(i % len(w.ReadSets))
		m.Unregister(id)
		m.Register(id, w.ReadSets[id])
		i++
	}
}
