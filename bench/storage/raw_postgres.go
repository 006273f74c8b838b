package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// rawPostgres is the limit for the postgres backend: a plain table in the
// same database, queried with the same exec mode (no prepared-statement
// cache) and the server's default durability (synchronous_commit on).
// The benchmark is sequential, so one connection is the whole pool.
type rawPostgres struct {
	pool *pgx.Conn
}

func openRawPostgres(ctx context.Context, dsn string) (*rawPostgres, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("raw postgres: parse dsn: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	pool, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("raw postgres: connect: %w", err)
	}
	for _, ddl := range []string{
		`CREATE TABLE IF NOT EXISTS bench_raw (id bytea PRIMARY KEY, key bytea NOT NULL, value bytea NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS bench_raw_by_key ON bench_raw (key)`,
	} {
		if _, err := pool.Exec(ctx, ddl); err != nil {
			pool.Close(ctx)
			return nil, fmt.Errorf("raw postgres: schema: %w", err)
		}
	}
	return &rawPostgres{pool: pool}, nil
}

const rawPGUpsert = `INSERT INTO bench_raw (id, key, value) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET key = excluded.key, value = excluded.value`

func (r *rawPostgres) load(ctx context.Context, rows []row) error {
	b := &pgx.Batch{}
	for _, row := range rows {
		b.Queue(rawPGUpsert, row.id, row.key, row.value)
	}
	return r.pool.SendBatch(ctx, b).Close()
}

func (r *rawPostgres) get(ctx context.Context, id []byte) ([]byte, error) {
	var v []byte
	err := r.pool.QueryRow(ctx, `SELECT value FROM bench_raw WHERE id = $1`, id).Scan(&v)
	return v, err
}

func (r *rawPostgres) scan(ctx context.Context, start []byte, limit int) ([][]byte, error) {
	rows, err := r.pool.Query(ctx, `SELECT value FROM bench_raw WHERE key >= $1 ORDER BY key LIMIT $2`, start, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}

// commit is one single-row transaction in one round trip.
func (r *rawPostgres) commit(ctx context.Context, row row) error {
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, rawPGUpsert, row.id, row.key, row.value); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (r *rawPostgres) close() { r.pool.Close(context.Background()) }
