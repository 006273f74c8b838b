package database

import (
	"sort"

	"hull/value"
)

// Namespace views of a transaction (see catalog.go for namespaces).

// In returns a view of the transaction on namespace ns ("" for the app's
// tables, else a component path). Views share everything but the
// namespace names resolve in: reads, writes, limits and the commit.
func (tx *Tx) In(ns string) *Tx {
	if ns == tx.ns {
		return tx
	}
	return &Tx{txState: tx.txState, ns: ns}
}

// Namespace returns the namespace the view resolves table names in.
func (tx *Tx) Namespace() string { return tx.ns }

// visible reports whether t is in the view's namespace.
func (tx *Tx) visible(t *tableInfo) bool { return t.Namespace == tx.ns }

// TableNamespace returns the namespace and name of the table with the
// given number: the view's namespace's, if it is a hidden namespace with
// such a table, else the public one's, whatever its namespace.
func (tx *Tx) TableNamespace(n value.TableNumber) (ns, name string, ok bool) {
	t, ok := tx.cat.tableFor(tx.ns, n)
	if !ok {
		return "", "", false
	}
	return t.Namespace, t.Name, true
}

// TableNames lists the tables of the view's namespace, system tables
// included, sorted.
func (tx *Tx) TableNames() []string {
	var out []string
	for k := range tx.cat.byName {
		if k.ns == tx.ns {
			out = append(out, k.name)
		}
	}
	sort.Strings(out)
	return out
}

// TableStorageID returns the storage identity (tablet id, see catalog.go)
// of the table that ids of number n name as the view sees them (as
// TableNamespace finds it). Two tables never share one, while a table of
// a hidden namespace may share its number with a public table: it tells
// apart data kept beside the documents of such tables (as the keys of
// files are). It does not change when a table moves.
func (tx *Tx) TableStorageID(n value.TableNumber) (uint32, bool) {
	t, ok := tx.cat.tableFor(tx.ns, n)
	if !ok {
		return 0, false
	}
	return uint32(t.Tablet), true
}
