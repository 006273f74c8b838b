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
// given number, whatever its namespace.
func (tx *Tx) TableNamespace(n value.TableNumber) (ns, name string, ok bool) {
	t, ok := tx.cat.byNumber[n]
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
