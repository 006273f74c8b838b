package matcher

import (
	"bytes"

	"hull/persistence"
)

// tree is the interval tree of one index: a treap of distinct intervals
// ordered by (start, end), each node augmented with the largest end in its
// subtree. byKey finds the node of an exact interval.
type tree struct {
	index persistence.IndexID
	root  *node
	byKey map[string]*node
}

// node is one distinct interval and the registrations that read it.
type node struct {
	group
	start, end  []byte // end nil: unbounded
	key         string // byKey's key for this interval
	prio        uint64
	left, right *node
	tree        *tree
	maxEnd      []byte // largest end in this subtree, unless maxInf
	maxInf      bool   // some interval in this subtree is unbounded
}

// less orders intervals by start, then end (unbounded last).
func less(a, b *node) bool {
	if c := bytes.Compare(a.start, b.start); c != 0 {
		return c < 0
	}
	switch {
	case a.end == nil:
		return false
	case b.end == nil:
		return true
	}
	return bytes.Compare(a.end, b.end) < 0
}

// fix recomputes n's subtree maximum from its own end and its children.
func (n *node) fix() {
	n.maxEnd, n.maxInf = n.end, n.end == nil
	for _, c := range [2]*node{n.left, n.right} {
		if c == nil || n.maxInf {
			continue
		}
		if c.maxInf {
			n.maxEnd, n.maxInf = nil, true
		} else if bytes.Compare(c.maxEnd, n.maxEnd) > 0 {
			n.maxEnd = c.maxEnd
		}
	}
}

func (t *tree) insert(n *node) {
	n.fix()
	t.root = insertAt(t.root, n)
}

func insertAt(t, n *node) *node {
	if t == nil {
		return n
	}
	if less(n, t) {
		t.left = insertAt(t.left, n)
		if t.left.prio > t.prio {
			return rotateRight(t)
		}
	} else {
		t.right = insertAt(t.right, n)
		if t.right.prio > t.prio {
			return rotateLeft(t)
		}
	}
	t.fix()
	return t
}

func rotateRight(t *node) *node {
	l := t.left
	t.left = l.right
	t.fix()
	l.right = t
	l.fix()
	return l
}

func rotateLeft(t *node) *node {
	r := t.right
	t.right = r.left
	t.fix()
	r.left = t
	r.fix()
	return r
}

// remove takes n out of the tree and out of byKey.
func (t *tree) remove(n *node) {
	t.root = removeAt(t.root, n)
	delete(t.byKey, n.key)
	n.left, n.right = nil, nil
}

func removeAt(t, n *node) *node {
	if t == nil {
		return nil
	}
	if t == n {
		return merge(t.left, t.right)
	}
	if less(n, t) {
		t.left = removeAt(t.left, n)
	} else {
		t.right = removeAt(t.right, n)
	}
	t.fix()
	return t
}

// merge joins two treaps where every interval of a orders before b's.
func merge(a, b *node) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		a.fix()
		return a
	default:
		b.left = merge(a, b.left)
		b.fix()
		return b
	}
}

// stab hands every node of n's subtree whose interval contains k to s.
// Subtrees whose largest end is not after k, and right subtrees of nodes
// starting after k, hold no match and are skipped.
func stab(n *node, k []byte, s *scratch) {
	for n != nil {
		if !n.maxInf && bytes.Compare(n.maxEnd, k) <= 0 {
			return
		}
		if n.left != nil {
			stab(n.left, k, s)
		}
		if bytes.Compare(n.start, k) > 0 {
			return
		}
		if n.end == nil || bytes.Compare(k, n.end) < 0 {
			s.collect(&n.group)
		}
		n = n.right
	}
}
