package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// statements are prepared once per Store: parsing SQL costs more than
// running these small queries.
type statements struct {
	all []*sql.Stmt

	// On the writer.
	lease, maxTS           *sql.Stmt
	prevTS, delDoc, delIdx *sql.Stmt
	batch                  [batchKinds][batchSizes]*sql.Stmt // multi-row writes (batch.go)
	// On the read pool.
	getLatest, getAt *sql.Stmt
	scan             [2][2][2]*sql.Stmt // [historical][bounded][descending]
}

func prepareStatements(ctx context.Context, write, read *sql.DB) (*statements, error) {
	st := &statements{}
	prep := func(db *sql.DB, dst **sql.Stmt, query string) error {
		stmt, err := db.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", query, err)
		}
		st.all = append(st.all, stmt)
		*dst = stmt
		return nil
	}
	var errs []error
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.lease, sqlLease}, {&st.maxTS, sqlMaxTS},
		{&st.prevTS, sqlPrevTS}, {&st.delDoc, sqlDeleteDocument}, {&st.delIdx, sqlDeleteIndex},
	} {
		errs = append(errs, prep(write, p.dst, p.query))
	}
	errs = append(errs, prepareBatches(ctx, write, st))
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.getLatest, sqlGetLatest}, {&st.getAt, sqlGetAt},
	} {
		errs = append(errs, prep(read, p.dst, p.query))
	}
	for hist, query := range []string{sqlScanLatest, sqlScanAt} {
		alias := [...]string{"e", "l"}[hist]
		for bounded, bound := range []string{"AND ?3 IS NULL", "AND " + alias + ".key < ?3"} {
			for desc, order := range []string{"ASC", "DESC"} {
				errs = append(errs, prep(read, &st.scan[hist][bounded][desc], fmt.Sprintf(query, bound, order)))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

func (st *statements) close() {
	for _, s := range st.all {
		_ = s.Close()
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
