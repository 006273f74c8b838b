// Package matcher owns the read-set index behind reactivity: it holds the
// read sets of registered subscriptions (index intervals plus dependency
// tokens such as the code version, env vars and the identity) and answers,
// for one commit, which of them the commit touches.
//
// Intervals are kept per index in an interval tree (a treap ordered by
// start, each node carrying the largest end below it), so a written key is
// matched in O(log n + k) and registration costs O(log n) per interval.
// Identical intervals from different read sets share one tree node, so a
// thousand subscriptions of the same query cost one node.
package matcher

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"

	"hull/persistence"
)

// SubscriptionID names one registered read set. The caller chooses it.
type SubscriptionID uint64

// Interval is one index range a read consumed: keys k of Index with
// Start <= k < End, compared with bytes.Compare. A nil End means no upper
// bound; an interval whose End is not after Start holds no key.
type Interval struct {
	Index      persistence.IndexID
	Start, End []byte
}

// Contains reports whether k is a key of iv's index inside iv.
func (iv Interval) Contains(k Key) bool {
	return iv.Index == k.Index && bytes.Compare(k.Key, iv.Start) >= 0 &&
		(iv.End == nil || bytes.Compare(k.Key, iv.End) < 0)
}

// Key is one written index key (a document's old or new key in one index).
type Key struct {
	Index persistence.IndexID
	Key   []byte
}

// ReadSet is what one subscription depends on: the index intervals it read
// and tokens naming everything else it read ("version", "env:NAME",
// "identity:..."); a commit that changes something names the same token.
type ReadSet struct {
	Intervals []Interval
	Tokens    []string
}

// Touches reports whether a commit that wrote keys and changed tokens
// touches rs. It is the definition Matcher.Match implements, checked for
// one read set by brute force.
func (rs ReadSet) Touches(keys []Key, tokens []string) bool {
	for _, k := range keys {
		for _, iv := range rs.Intervals {
			if iv.Contains(k) {
				return true
			}
		}
	}
	for _, t := range tokens {
		for _, mine := range rs.Tokens {
			if t == mine {
				return true
			}
		}
	}
	return false
}

// Matcher indexes registered read sets. It is safe for concurrent use:
// matches run in parallel with each other and exclude registrations only
// for the time of their lookups. The zero value is ready to use; a Matcher
// must not be copied after first use.
type Matcher struct {
	mu      sync.RWMutex
	regs    map[SubscriptionID]*registration
	trees   map[persistence.IndexID]*tree
	tokens  map[string]*tokenGroup
	slots   int   // slots handed out so far (the size of a match's seen-set)
	free    []int // released slots, reused before new ones
	prioSeq uint64
	keyBuf  []byte // node-key scratch, used under mu held for writing

	scratch sync.Pool // *scratch
}

// registration is one registered read set and where it is listed.
type registration struct {
	id      SubscriptionID
	slot    int // dense number, for the seen-set of a match
	members []membership
	rs      ReadSet // as registered, to recognise an unchanged one
}

// membership places a registration in one group: position pos of g.subs.
// Exactly one of n (an interval node) or tok (a token group) is set.
type membership struct {
	g   *group
	pos int
	n   *node
	tok *tokenGroup
}

// group is the set of registrations sharing one interval or one token.
type group struct {
	subs []subRef
}

// subRef points from a group back at the registration and the entry of
// its members that names this group, so removal is O(1). It repeats the
// registration's id and slot so a match need not load the registration.
type subRef struct {
	reg    *registration
	member int
	slot   int
	id     SubscriptionID
}

type tokenGroup struct {
	group
	name string
}

// New returns an empty Matcher.
func New() *Matcher { return &Matcher{} }

// Len reports how many read sets are registered.
func (m *Matcher) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.regs)
}

// Register records rs under id, replacing whatever id had. Intervals that
// hold no key are dropped; repeated intervals and tokens count once. The
// matcher copies what it keeps: the caller may reuse rs afterwards.
func (m *Matcher) Register(id SubscriptionID, rs ReadSet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.regs == nil {
		m.regs = make(map[SubscriptionID]*registration)
		m.trees = make(map[persistence.IndexID]*tree)
		m.tokens = make(map[string]*tokenGroup)
	}
	if old := m.regs[id]; old != nil {
		if old.rs.equal(rs) {
			// A query re-run that read the same ranges (the common case
			// after a change) keeps its place.
			return
		}
		m.remove(old)
	}
	reg := &registration{id: id, slot: m.allocSlot(), rs: rs.clone()}
	reg.members = make([]membership, 0, len(rs.Intervals)+len(rs.Tokens))
	for _, iv := range rs.Intervals {
		if iv.End != nil && bytes.Compare(iv.Start, iv.End) >= 0 {
			continue
		}
		n := m.node(iv)
		m.join(reg, &n.group, membership{n: n})
	}
	for _, t := range rs.Tokens {
		g := m.tokens[t]
		if g == nil {
			g = &tokenGroup{name: t}
			m.tokens[t] = g
		}
		m.join(reg, &g.group, membership{tok: g})
	}
	m.regs[id] = reg
}

// equal reports whether rs and o hold the same intervals and tokens, in
// the same order.
func (rs ReadSet) equal(o ReadSet) bool {
	if len(rs.Intervals) != len(o.Intervals) || len(rs.Tokens) != len(o.Tokens) {
		return false
	}
	for i, iv := range rs.Intervals {
		ov := o.Intervals[i]
		if iv.Index != ov.Index || !bytes.Equal(iv.Start, ov.Start) || !bytes.Equal(iv.End, ov.End) || (iv.End == nil) != (ov.End == nil) {
			return false
		}
	}
	for i, t := range rs.Tokens {
		if t != o.Tokens[i] {
			return false
		}
	}
	return true
}

// clone copies rs's bytes: the caller may reuse its own.
func (rs ReadSet) clone() ReadSet {
	out := ReadSet{Intervals: make([]Interval, len(rs.Intervals)), Tokens: slices.Clone(rs.Tokens)}
	for i, iv := range rs.Intervals {
		out.Intervals[i] = Interval{Index: iv.Index, Start: bytes.Clone(iv.Start), End: bytes.Clone(iv.End)}
	}
	return out
}

// Unregister forgets id's read set. Unknown ids are ignored.
func (m *Matcher) Unregister(id SubscriptionID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if reg := m.regs[id]; reg != nil {
		m.remove(reg)
	}
}

// join adds reg to g unless reg is already in it. Within one Register
// nothing else touches g, so a repeat would be g's last entry.
func (m *Matcher) join(reg *registration, g *group, mem membership) {
	if k := len(g.subs); k > 0 && g.subs[k-1].reg == reg {
		return
	}
	mem.g, mem.pos = g, len(g.subs)
	g.subs = append(g.subs, subRef{reg: reg, member: len(reg.members), slot: reg.slot, id: reg.id})
	reg.members = append(reg.members, mem)
}

// remove takes reg out of every group, drops groups left empty and
// releases its slot.
func (m *Matcher) remove(reg *registration) {
	for _, mem := range reg.members {
		g := mem.g
		last := len(g.subs) - 1
		moved := g.subs[last]
		g.subs[mem.pos] = moved
		moved.reg.members[moved.member].pos = mem.pos
		g.subs[last] = subRef{}
		g.subs = g.subs[:last]
		if last > 0 {
			continue
		}
		if mem.n != nil {
			t := mem.n.tree
			t.remove(mem.n)
			if t.root == nil {
				delete(m.trees, t.index)
			}
		} else {
			delete(m.tokens, mem.tok.name)
		}
	}
	reg.members = nil
	m.free = append(m.free, reg.slot)
	delete(m.regs, reg.id)
}

func (m *Matcher) allocSlot() int {
	if k := len(m.free); k > 0 {
		s := m.free[k-1]
		m.free = m.free[:k-1]
		return s
	}
	m.slots++
	return m.slots - 1
}

// node returns the tree node holding exactly iv, creating it if needed.
func (m *Matcher) node(iv Interval) *node {
	t := m.trees[iv.Index]
	if t == nil {
		t = &tree{index: iv.Index, byKey: make(map[string]*node)}
		m.trees[iv.Index] = t
	}
	b := binary.AppendUvarint(m.keyBuf[:0], uint64(len(iv.Start)))
	b = append(b, iv.Start...)
	if iv.End != nil {
		b = append(b, 1)
		b = append(b, iv.End...)
	}
	m.keyBuf = b
	if n := t.byKey[string(b)]; n != nil {
		return n
	}
	m.prioSeq++
	n := &node{
		start:  append([]byte{}, iv.Start...),
		startP: prefix(iv.Start),
		key:    string(b),
		prio:   mix(m.prioSeq),
		tree:   t,
	}
	if iv.End != nil {
		n.end = append([]byte{}, iv.End...)
		n.endP = prefix(iv.End)
	}
	t.byKey[n.key] = n
	t.insert(n)
	return n
}

// mix spreads a counter over 64 bits (SplitMix64's finalizer), giving the
// treap priorities that behave as random without a random source.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
