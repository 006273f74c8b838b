package matcher

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// check verifies the treap's invariants below n: in order, heap-ordered by
// priority, and every subtree maximum exact. It returns the subtree's size.
func check(n *node) (int, error) {
	if n == nil {
		return 0, nil
	}
	size := 1
	maxEnd, maxInf := n.end, n.end == nil
	for _, c := range []*node{n.left, n.right} {
		if c == nil {
			continue
		}
		if c.prio > n.prio {
			return 0, fmt.Errorf("child priority above parent at %q", n.start)
		}
		s, err := check(c)
		if err != nil {
			return 0, err
		}
		size += s
		if c.maxInf {
			maxInf = true
		} else if !maxInf && bytes.Compare(c.maxEnd, maxEnd) > 0 {
			maxEnd = c.maxEnd
		}
	}
	if n.left != nil && !less(n.left, n) || n.right != nil && !less(n, n.right) {
		return 0, fmt.Errorf("children out of order at %q", n.start)
	}
	if maxInf != n.maxInf || !maxInf && !bytes.Equal(maxEnd, n.maxEnd) {
		return 0, fmt.Errorf("stale subtree maximum at %q", n.start)
	}
	return size, nil
}

func TestTreesKeepTheirInvariantsUnderChurn(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	key := func() []byte { return []byte{byte(r.IntN(20)), byte(r.IntN(4))} }
	m := New()
	for step := range 5000 {
		id := SubscriptionID(r.IntN(300))
		if r.IntN(3) == 0 {
			m.Unregister(id)
		} else {
			var rs ReadSet
			for range 1 + r.IntN(3) {
				iv := Interval{Index: 1, Start: key()}
				if r.IntN(5) > 0 {
					iv.End = append(append([]byte{}, iv.Start...), key()...)
				}
				rs.Intervals = append(rs.Intervals, iv)
			}
			m.Register(id, rs)
		}
		for _, tr := range m.trees {
			size, err := check(tr.root)
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if size != len(tr.byKey) {
				t.Fatalf("step %d: tree holds %d nodes, byKey %d", step, size, len(tr.byKey))
			}
			for _, n := range tr.byKey {
				if len(n.subs) == 0 {
					t.Fatalf("step %d: an empty node stayed in the tree", step)
				}
			}
		}
		if len(m.regs) == 0 && len(m.trees) != 0 {
			t.Fatalf("step %d: trees left after every read set went", step)
		}
	}
}
