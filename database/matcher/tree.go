package matcher

import (
	"bytes"
	"encoding/binary"

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
// Each endpoint carries its first eight bytes as a number (see prefix),
// which decides most comparisons without touching the bytes.
type node struct {
	left, right *node
	startP      uint64
	maxEndP     uint64
	endP        uint64
	maxInf      bool   // some interval in this subtree is unbounded
	maxEnd      []byte // largest end in this subtree, unless maxInf
	start, end  []byte // end nil: unbounded
	group
	prio uint64
	key  string // byKey's key for this interval
	tree *tree
}

// prefix is b's first eight bytes, big-endian, zero-padded. When two
// prefixes differ they order their byte strings; when equal, the bytes
// decide.
func prefix(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.BigEndian.Uint64(b)
	}
	var p uint64
	for i, c := range b {
		p |= uint64(c) << (56 - 8*i)
	}
	return p
}

// compare orders a and b given their prefixes.
func compare(ap uint64, a []byte, bp uint64, b []byte) int {
	switch {
	case ap < bp:
		return -1
	case ap > bp:
		return 1
	}
	return bytes.Compare(a, b)
}

// less orders intervals by start, then end (unbounded last).
func less(a, b *node) bool {
	if c := compare(a.startP, a.start, b.startP, b.start); c != 0 {
		return c < 0
	}
	switch {
	case a.end == nil:
		return false
	case b.end == nil:
		return true
	}
	return compare(a.endP, a.end, b.endP, b.end) < 0
}

// fix recomputes n's subtree maximum from its own end and its children.
func (n *node) fix() {
	n.maxEnd, n.maxEndP, n.maxInf = n.end, n.endP, n.end == nil
	for _, c := range [2]*node{n.left, n.right} {
		if c == nil || n.maxInf {
			continue
		}
		if c.maxInf {
			n.maxEnd, n.maxEndP, n.maxInf = nil, 0, true
		} else if compare(c.maxEndP, c.maxEnd, n.maxEndP, n.maxEnd) > 0 {
			n.maxEnd, n.maxEndP = c.maxEnd, c.maxEndP
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
func stab(n *node, kp uint64, k []byte, s *scratch) {
	for n != nil {
		if !n.maxInf && compare(n.maxEndP, n.maxEnd, kp, k) <= 0 {
			return
		}
		if n.left != nil {
			stab(n.left, kp, k, s)
		}
		if compare(n.startP, n.start, kp, k) > 0 {
			return
		}
		if n.end == nil || compare(kp, k, n.endP, n.end) < 0 {
			s.collect(&n.group)
		}
		n = n.right
	}
}
