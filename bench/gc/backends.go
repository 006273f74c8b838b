package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"

	"hull/bench/internal/benchutil"
)

// openSQLite opens a store on a new file in a temp folder. Its size is
// the file's after a checkpoint folds the write-ahead log into it.
func openSQLite(ctx context.Context) (target, error) {
	s, path, cleanup, err := benchutil.TempSQLite(ctx, "gc")
	if err != nil {
		return target{}, err
	}
	side, err := sql.Open("sqlite", benchutil.RawSQLiteDSN(path))
	if err != nil {
		cleanup()
		return target{}, err
	}
	size := func(ctx context.Context) (int64, error) {
		if _, err := side.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return 0, fmt.Errorf("checkpoint: %w", err)
		}
		var n int64
		for _, p := range []string{path, path + "-wal"} {
			fi, err := os.Stat(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return 0, err
			}
			n += fi.Size()
		}
		return n, nil
	}
	return target{
		store:  s,
		size:   size,
		settle: func(context.Context) error { return nil },
		close:  func() { side.Close(); cleanup() },
	}, nil
}

// openPostgres creates a fresh database on the server and drops it on
// close. Its size is pg_database_size; settle runs VACUUM, which
// autovacuum would run on its own a little later, and with reindex also
// REINDEX CONCURRENTLY of hull's tables.
func openPostgres(ctx context.Context, dsn string, reindex bool) (target, error) {
	s, dbURL, drop, err := benchutil.FreshPostgres(ctx, dsn, "gc")
	if err != nil {
		return target{}, err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		drop()
		return target{}, err
	}
	return target{
		store: s,
		size: func(ctx context.Context) (n int64, err error) {
			err = conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
			return n, err
		},
		settle: func(ctx context.Context) error {
			if _, err := conn.Exec(ctx, `VACUUM`); err != nil {
				return fmt.Errorf("vacuum: %w", err)
			}
			if !reindex {
				return nil
			}
			// Rebuilds the indexes beside the old ones without blocking
			// writes, then swaps them in.
			for _, tbl := range []string{"hull_document_log", "hull_index_log", "hull_documents", "hull_index_entries"} {
				if _, err := conn.Exec(ctx, `REINDEX TABLE CONCURRENTLY `+tbl); err != nil {
					return fmt.Errorf("reindex %s: %w", tbl, err)
				}
			}
			return nil
		},
		detail: func(ctx context.Context) { pgDetail(ctx, conn) },
		close:  func() { conn.Close(context.Background()); drop() },
	}, nil
}

// pgDetail prints the size of each of hull's tables: its rows (heap) and
// its indexes.
func pgDetail(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `
SELECT c.relname, pg_relation_size(c.oid), pg_indexes_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relname LIKE 'hull_%' AND n.nspname = current_schema()
ORDER BY pg_total_relation_size(c.oid) DESC`)
	if err != nil {
		fmt.Println("table sizes:", err)
		return
	}
	defer rows.Close()
	fmt.Printf("\n| %-24s | %12s | %12s |\n", "table (after the last GC)", "rows", "indexes")
	fmt.Printf("|%s|%s|%s|\n", strings.Repeat("-", 26), strings.Repeat("-", 14), strings.Repeat("-", 14))
	for rows.Next() {
		var name string
		var heap, idx int64
		if err := rows.Scan(&name, &heap, &idx); err != nil {
			fmt.Println("table sizes:", err)
			return
		}
		fmt.Printf("| %-24s | %9.2f MB | %9.2f MB |\n", name, float64(heap)/1e6, float64(idx)/1e6)
	}
}
