package database

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// EnsureSystemIndex creates, if it does not exist yet, the index name over
// fields (then _creationTime and _id, as every index) on a system table,
// creating the table too. The index is filled from the table's documents
// at commit. It reports whether anything changed.
func (tx *Tx) EnsureSystemIndex(ctx context.Context, table, name string, fields []string) (bool, error) {
	if err := tx.check(true); err != nil {
		return false, err
	}
	if !strings.HasPrefix(table, "_") {
		return false, fmt.Errorf("database: %s is not a system table", table)
	}
	_, existed := tx.cat.table(tx.ns, table)
	t, err := tx.ensureTable(ctx, table)
	if err != nil {
		return false, err
	}
	if tx.cat.index(t.Tablet, name) != nil {
		return !existed, nil
	}
	ix := &indexInfo{Table: t.Tablet, Name: name, Fields: append(slices.Clone(fields), creationTimeField), State: indexStateReady}
	if err := tx.addIndex(ix, true); err != nil {
		return false, fmt.Errorf("database: create index %s.%s: %w", table, name, err)
	}
	return true, nil
}
