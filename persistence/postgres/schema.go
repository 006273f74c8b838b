package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// keyPrefixLen bounds the indexed part of an index key. PostgreSQL caps a
// btree row near 2.7 KB, and Convex allows indexed strings up to the size
// of a document; a key longer than this is stored as its prefix (indexed),
// its sha256 (indexed, for uniqueness) and the full key (not indexed), and
// rows whose prefixes tie are ordered by the full key.
const keyPrefixLen = 1024

// Errors raised inside a write batch, as SQLSTATEs of hull's own class
// "HL", so a fenced or out-of-order write aborts its implicit transaction.
const (
	codeFenced     = "HL001"
	codeTSNotRises = "HL002"
)

// schemaLockKey is the pg_advisory_xact_lock key migrations run under.
const schemaLockKey int64 = 0x68756c6c5f736368 // "hull_sch"

// migrations are applied in order; migrations[i] brings the schema from
// version i to version i+1. Never edit a released step: append a new one.
var migrations = []string{
	// 1: the revision logs, current state, lease, module store, and the
	// functions that fence writes.
	`
CREATE TABLE hull_lease (
	id       integer PRIMARY KEY CHECK (id = 1),
	fence    bigint NOT NULL,
	holder   text NOT NULL,
	released boolean NOT NULL DEFAULT false
);

CREATE TABLE hull_documents (
	tbl     bigint NOT NULL,
	id      bytea NOT NULL,
	ts      bigint NOT NULL,
	prev_ts bigint NOT NULL,
	value   bytea NOT NULL,
	PRIMARY KEY (tbl, id)
);

CREATE TABLE hull_document_log (
	tbl     bigint NOT NULL,
	id      bytea NOT NULL,
	ts      bigint NOT NULL,
	prev_ts bigint NOT NULL,
	deleted boolean NOT NULL,
	value   bytea,
	PRIMARY KEY (tbl, id, ts)
);
CREATE INDEX hull_document_log_by_ts ON hull_document_log (ts, tbl, id);

-- key is NULL when the whole key fits in key_prefix.
CREATE TABLE hull_index_entries (
	idx        bigint NOT NULL,
	key_prefix bytea NOT NULL,
	key_hash   bytea NOT NULL,
	key        bytea,
	tbl        bigint NOT NULL,
	id         bytea NOT NULL,
	PRIMARY KEY (idx, key_prefix, key_hash)
);

CREATE TABLE hull_index_log (
	idx        bigint NOT NULL,
	key_prefix bytea NOT NULL,
	key_hash   bytea NOT NULL,
	ts         bigint NOT NULL,
	deleted    boolean NOT NULL,
	key        bytea,
	tbl        bigint NOT NULL,
	id         bytea NOT NULL,
	PRIMARY KEY (idx, key_prefix, key_hash, ts)
);
CREATE INDEX hull_index_log_by_ts ON hull_index_log (ts, idx, key_prefix, key_hash);

CREATE TABLE hull_modules (
	path        text NOT NULL,
	environment text NOT NULL,
	sha256      text NOT NULL,
	source      bytea NOT NULL,
	source_map  bytea,
	PRIMARY KEY (path, environment, sha256)
);

-- hull_max_ts is the highest durable commit ts: the newest log row, or the
-- floor GC and empty commits leave in hull_meta.
CREATE FUNCTION hull_max_ts() RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT coalesce(greatest(
		(SELECT max(ts) FROM hull_document_log),
		(SELECT max(ts) FROM hull_index_log),
		(SELECT value FROM hull_meta WHERE key = 'ts_floor')), 0)
$$;

-- hull_check_fence locks the lease row (exclusively for writes, shared for
-- GC) and raises HL001 unless want is the current, unreleased fence.
CREATE FUNCTION hull_check_fence(want bigint, exclusive boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	cur hull_lease%ROWTYPE;
BEGIN
	IF exclusive THEN
		SELECT * INTO cur FROM hull_lease WHERE id = 1 FOR UPDATE;
	ELSE
		SELECT * INTO cur FROM hull_lease WHERE id = 1 FOR SHARE;
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'HL001', MESSAGE = format('lease %s was never acquired', want);
	ELSIF cur.fence <> want THEN
		RAISE EXCEPTION USING ERRCODE = 'HL001',
			MESSAGE = format('lease %s superseded by fence %s held by %L', want, cur.fence, cur.holder);
	ELSIF cur.released THEN
		RAISE EXCEPTION USING ERRCODE = 'HL001', MESSAGE = format('lease %s was released', want);
	END IF;
END $$;

-- hull_begin_write fences a write and raises HL002 unless its first commit
-- ts rises above the durable maximum. The exclusive lock on the lease row
-- orders concurrent writers, so the check holds until commit.
CREATE FUNCTION hull_begin_write(want bigint, first_ts bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	top bigint;
BEGIN
	PERFORM hull_check_fence(want, true);
	top := hull_max_ts();
	IF first_ts <= top THEN
		RAISE EXCEPTION USING ERRCODE = 'HL002',
			MESSAGE = format('commit ts %s is not above the durable max ts %s', first_ts, top);
	END IF;
END $$;

-- hull_write applies one write group in one statement: fence and ts
-- check, then the document log, current documents, the index log and
-- current index entries, each from whole columns passed as arrays. Its
-- statements are planned once per server session and reused (plain
-- PL/pgSQL plan caching, invisible to clients and to poolers). A document
-- row with prev_ts < 0 takes its prev_ts from the log; floor_ts > 0
-- records the ts of trailing empty commits.
CREATE FUNCTION hull_write(
	want_fence bigint, first_ts bigint, floor_ts bigint,
	d_tbl bigint[], d_id bytea[], d_ts bigint[], d_prev bigint[], d_value bytea[],
	dd_tbl bigint[], dd_id bytea[],
	dp_tbl bigint[], dp_id bytea[], dp_ts bigint[], dp_value bytea[],
	i_idx bigint[], i_prefix bytea[], i_hash bytea[], i_key bytea[], i_ts bigint[], i_deleted boolean[], i_tbl bigint[], i_id bytea[],
	id_idx bigint[], id_prefix bytea[], id_hash bytea[],
	ip_idx bigint[], ip_prefix bytea[], ip_hash bytea[], ip_key bytea[], ip_tbl bigint[], ip_id bytea[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM hull_begin_write(want_fence, first_ts);
	IF d_tbl IS NOT NULL THEN
		INSERT INTO hull_document_log (tbl, id, ts, prev_ts, deleted, value)
		SELECT u.tbl, u.id, u.ts,
			CASE WHEN u.prev_ts >= 0 THEN u.prev_ts ELSE coalesce(
				(SELECT max(l.ts) FROM hull_document_log l WHERE l.tbl = u.tbl AND l.id = u.id), 0) END,
			u.value IS NULL, u.value
		FROM unnest(d_tbl, d_id, d_ts, d_prev, d_value) AS u (tbl, id, ts, prev_ts, value);
	END IF;
	IF dd_tbl IS NOT NULL THEN
		DELETE FROM hull_documents d USING unnest(dd_tbl, dd_id) AS u (tbl, id)
		WHERE d.tbl = u.tbl AND d.id = u.id;
	END IF;
	IF dp_tbl IS NOT NULL THEN
		INSERT INTO hull_documents AS d (tbl, id, ts, prev_ts, value)
		SELECT u.tbl, u.id, u.ts, coalesce(
				(SELECT max(l.ts) FROM hull_document_log l WHERE l.tbl = u.tbl AND l.id = u.id AND l.ts < u.ts), 0),
			u.value
		FROM unnest(dp_tbl, dp_id, dp_ts, dp_value) AS u (tbl, id, ts, value)
		ON CONFLICT (tbl, id) DO UPDATE SET ts = excluded.ts, prev_ts = excluded.prev_ts, value = excluded.value;
	END IF;
	IF i_idx IS NOT NULL THEN
		INSERT INTO hull_index_log (idx, key_prefix, key_hash, key, ts, deleted, tbl, id)
		SELECT * FROM unnest(i_idx, i_prefix, i_hash, i_key, i_ts, i_deleted, i_tbl, i_id);
	END IF;
	IF id_idx IS NOT NULL THEN
		DELETE FROM hull_index_entries e USING unnest(id_idx, id_prefix, id_hash) AS u (idx, key_prefix, key_hash)
		WHERE e.idx = u.idx AND e.key_prefix = u.key_prefix AND e.key_hash = u.key_hash;
	END IF;
	IF ip_idx IS NOT NULL THEN
		INSERT INTO hull_index_entries AS e (idx, key_prefix, key_hash, key, tbl, id)
		SELECT * FROM unnest(ip_idx, ip_prefix, ip_hash, ip_key, ip_tbl, ip_id)
		ON CONFLICT (idx, key_prefix, key_hash) DO UPDATE SET key = excluded.key, tbl = excluded.tbl, id = excluded.id;
	END IF;
	IF floor_ts > 0 THEN
		INSERT INTO hull_meta AS m (key, value) VALUES ('ts_floor', floor_ts)
		ON CONFLICT (key) DO UPDATE SET value = greatest(m.value, excluded.value);
	END IF;
END $$;
`,
	// 2: both logs partitioned by generation (see partition.go).
	migrationPartitionLogs,
}

// metaTable holds small named values: schema_version, retained_from (the
// oldest readable ts), ts_floor (a lower bound of the max ts), gc_done
// (the ts up to which GC finished deleting), log_gen (the generation
// writes go to) and compaction's bookkeeping (compact.go).
const metaTable = `
CREATE TABLE IF NOT EXISTS hull_meta (
	key   text PRIMARY KEY,
	value bigint NOT NULL
)`

// migrate brings the database to the newest schema version. The fast path
// is one query; otherwise every pending step runs in one transaction under
// a transaction-scoped advisory lock (session locks do not survive
// transaction poolers), so concurrent openers migrate once.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	var version int
	err := pool.QueryRow(ctx, `SELECT value FROM hull_meta WHERE key = 'schema_version'`).Scan(&version)
	switch {
	case err == nil && version == len(migrations):
		return nil
	case err == nil && version > len(migrations):
		return fmt.Errorf("schema version %d is newer than this hull knows (%d): upgrade hull", version, len(migrations))
	case err != nil && !errors.Is(err, pgx.ErrNoRows) && pgCode(err) != "42P01": // 42P01: no hull_meta yet
		return fmt.Errorf("read schema version: %w", err)
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::bigint)`, schemaLockKey); err != nil {
			return fmt.Errorf("take schema lock: %w", err)
		}
		if _, err := tx.Exec(ctx, metaTable); err != nil {
			return fmt.Errorf("create hull_meta: %w", err)
		}
		version := 0
		err := tx.QueryRow(ctx, `SELECT value FROM hull_meta WHERE key = 'schema_version'`).Scan(&version)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read schema version: %w", err)
		}
		if version > len(migrations) {
			return fmt.Errorf("schema version %d is newer than this hull knows (%d): upgrade hull", version, len(migrations))
		}
		for v := version; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
		}
		_, err = tx.Exec(ctx, `
INSERT INTO hull_meta (key, value) VALUES ('schema_version', $1::bigint)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, int64(len(migrations)))
		if err != nil {
			return fmt.Errorf("record schema version: %w", err)
		}
		return nil
	})
}
