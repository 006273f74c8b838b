package matcher

// scratch is one match's working memory, pooled between matches.
type scratch struct {
	seen []uint64 // bit per registration slot: already reported
	out  []SubscriptionID
	ids  []SubscriptionID // Match's buffer
}

// collect reports every registration of g not reported yet.
func (s *scratch) collect(g *group) {
	for _, r := range g.subs {
		w, b := r.slot>>6, uint64(1)<<(r.slot&63)
		if s.seen[w]&b == 0 {
			s.seen[w] |= b
			s.out = append(s.out, r.id)
		}
	}
}

func (m *Matcher) getScratch() *scratch {
	if s, ok := m.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{}
}

// AppendMatches appends to dst the id of every registered read set that
// has an interval containing one of keys (same index) or a token among
// tokens, each id once, in no particular order, and returns the extended
// slice. Ids already in dst are not looked at.
func (m *Matcher) AppendMatches(dst []SubscriptionID, keys []Key, tokens []string) []SubscriptionID {
	s := m.getScratch()
	s.out = dst
	m.mu.RLock()
	words := (m.slots + 63) / 64
	if cap(s.seen) < words {
		s.seen = make([]uint64, words)
	}
	s.seen = s.seen[:words]
	clear(s.seen)
	for _, k := range keys {
		if t := m.trees[k.Index]; t != nil {
			stab(t.root, prefix(k.Key), k.Key, s)
		}
	}
	for _, tok := range tokens {
		if g := m.tokens[tok]; g != nil {
			s.collect(&g.group)
		}
	}
	m.mu.RUnlock()
	dst, s.out = s.out, nil
	m.scratch.Put(s)
	return dst
}

// Match calls fn once with the id of every registered read set the commit
// touches (see AppendMatches). fn runs after the matcher's lock is
// released, so it may register and unregister.
func (m *Matcher) Match(keys []Key, tokens []string, fn func(SubscriptionID)) {
	s := m.getScratch()
	ids := m.AppendMatches(s.ids[:0], keys, tokens)
	for _, id := range ids {
		fn(id)
	}
	s.ids = ids[:0]
	m.scratch.Put(s)
}
