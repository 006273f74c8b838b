package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations are applied in order; migrations[i] brings the schema from
// version i to version i+1. Never edit a released step: append a new one.
var migrations = []string{
	// 1: the revision log, current state, lease, module store.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE lease (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	fence    INTEGER NOT NULL,
	holder   TEXT NOT NULL,
	released INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE documents (
	tbl     INTEGER NOT NULL,
	id      BLOB NOT NULL,
	ts      INTEGER NOT NULL,
	prev_ts INTEGER NOT NULL,
	value   BLOB NOT NULL,
	PRIMARY KEY (tbl, id)
) WITHOUT ROWID;

CREATE TABLE document_log (
	tbl     INTEGER NOT NULL,
	id      BLOB NOT NULL,
	ts      INTEGER NOT NULL,
	prev_ts INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	value   BLOB,
	PRIMARY KEY (tbl, id, ts)
);
CREATE INDEX document_log_by_ts ON document_log (ts, tbl, id);

CREATE TABLE index_entries (
	idx INTEGER NOT NULL,
	key BLOB NOT NULL,
	tbl INTEGER NOT NULL,
	id  BLOB NOT NULL,
	ts  INTEGER NOT NULL,
	PRIMARY KEY (idx, key)
);

CREATE TABLE index_log (
	idx     INTEGER NOT NULL,
	key     BLOB NOT NULL,
	ts      INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	tbl     INTEGER NOT NULL,
	id      BLOB NOT NULL,
	PRIMARY KEY (idx, key, ts)
);
CREATE INDEX index_log_by_ts ON index_log (ts);

CREATE TABLE modules (
	path        TEXT NOT NULL,
	environment TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	source      BLOB NOT NULL,
	source_map  BLOB,
	PRIMARY KEY (path, environment, sha256)
) WITHOUT ROWID;
`,
	// 2: current documents in a rowid table. A WITHOUT ROWID table is a
	// b-tree of keys, whose rows keep at most ~1 KB in the page (with
	// 4 KiB pages) and spill the rest into an overflow page of its own: a
	// 1.1 KB document took 4.7 KB on disk. A rowid table keeps rows of up
	// to ~4 KB in the page, and its primary key becomes a small separate
	// index. The copy runs once, in the migration's transaction.
	`
CREATE TABLE documents_v2 (
	tbl     INTEGER NOT NULL,
	id      BLOB NOT NULL,
	ts      INTEGER NOT NULL,
	prev_ts INTEGER NOT NULL,
	value   BLOB NOT NULL,
	PRIMARY KEY (tbl, id)
);
INSERT INTO documents_v2 (tbl, id, ts, prev_ts, value) SELECT tbl, id, ts, prev_ts, value FROM documents;
DROP TABLE documents;
ALTER TABLE documents_v2 RENAME TO documents;
`,
}

// Keys of the meta table.
const (
	metaSchemaVersion = "schema_version"
	// metaRetainedFrom is the oldest ts a read may ask for.
	metaRetainedFrom = "retained_from"
	// metaTSFloor is the highest ts the log held when GC last ran, so MaxTS
	// never falls when GC removes the newest revision (a deletion).
	metaTSFloor = "ts_floor"
	// metaGCDone is the keepFrom of the last GC that walked the whole log.
	metaGCDone = "gc_done"
)

// migrate brings the database to the newest schema version, one
// transaction per step.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		version, err := schemaVersion(ctx, db)
		if err != nil {
			return err
		}
		if version > len(migrations) {
			return fmt.Errorf("schema version %d is newer than this binary knows (%d): upgrade hull", version, len(migrations))
		}
		if version == len(migrations) {
			return nil
		}
		if err := applyMigration(ctx, db, version); err != nil {
			return err
		}
	}
}

func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var exists int
	err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).Scan(&exists)
	if err != nil {
		return 0, fmt.Errorf("read schema: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	err = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaSchemaVersion).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// applyMigration runs step from → from+1. The version check is repeated
// inside the write transaction so two processes opening a new file at once
// do not both run a step.
func applyMigration(ctx context.Context, db *sql.DB, from int) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate to version %d: %w", from+1, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var exists int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).Scan(&exists); err != nil {
		return fmt.Errorf("migrate to version %d: %w", from+1, err)
	}
	if exists > 0 {
		var v int
		if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaSchemaVersion).Scan(&v); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("migrate to version %d: %w", from+1, err)
		}
		if v != from {
			return tx.Rollback() // someone else migrated; the caller re-reads
		}
	}
	if _, err := tx.ExecContext(ctx, migrations[from]); err != nil {
		return fmt.Errorf("migrate to version %d: %w", from+1, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		metaSchemaVersion, from+1); err != nil {
		return fmt.Errorf("migrate to version %d: record version: %w", from+1, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate to version %d: commit: %w", from+1, err)
	}
	return nil
}
