package postgres

import "fmt"

// The revision logs are partitioned by generation (gen), not by ts: a
// live row of an old ts must be able to leave an old partition. Writes go
// to the current generation, hull_meta's log_gen. Compaction (compact.go)
// starts a new generation when the current one is mostly dead rows,
// moves the few live rows of older generations into it and drops the
// emptied partitions whole, which hands their space back to the file
// system; deleting rows would only make it reusable.
//
// A unique index on a partitioned table must include the partition key,
// so each partition carries its own primary key (unique within the
// partition) and ts index instead of inheriting them from the parent:
// that lets an existing log table become generation 0 with its indexes
// as they are. Rows are never in two generations at once (a move deletes
// and inserts in one transaction) and ts rises, so uniqueness holds
// across the whole log as before.

// logTable describes one revision log.
type logTable struct {
	name    string   // the partitioned parent
	key     []string // primary key of each partition, ts last
	keyType []string // SQL types of key, for cursor parameters
	byTS    string   // columns of the ts index
	columns string   // every column but gen
}

var (
	documentLog = logTable{
		name:    "hull_document_log",
		key:     []string{"tbl", "id", "ts"},
		keyType: []string{"bigint", "bytea", "bigint"},
		byTS:    "ts, tbl, id",
		columns: "tbl, id, ts, prev_ts, deleted, value",
	}
	indexLog = logTable{
		name:    "hull_index_log",
		key:     []string{"idx", "key_prefix", "key_hash", "ts"},
		keyType: []string{"bigint", "bytea", "bytea", "bigint"},
		byTS:    "ts, idx, key_prefix, key_hash",
		columns: "idx, key_prefix, key_hash, ts, deleted, key, tbl, id",
	}
	logTables = []logTable{documentLog, indexLog}
)

// partition is the name of gen's partition of l.
func (l logTable) partition(gen int64) string { return fmt.Sprintf("%s_g%d", l.name, gen) }

// createPartition returns the statements that create gen's partition of
// l as a standalone table with its indexes and a CHECK constraint that
// proves the partition bound, so attaching it scans nothing and takes
// only a SHARE UPDATE EXCLUSIVE lock on the parent.
func (l logTable) createPartition(gen int64) []string {
	p := l.partition(gen)
	return []string{
		fmt.Sprintf(`CREATE TABLE %s (LIKE %s)`, p, l.name),
		fmt.Sprintf(`ALTER TABLE %[1]s ADD CONSTRAINT %[1]s_gen CHECK (gen = %[2]d), ADD CONSTRAINT %[1]s_pkey PRIMARY KEY (%[3]s)`,
			p, gen, joinCols(l.key)),
		fmt.Sprintf(`CREATE INDEX %[1]s_by_ts ON %[1]s (%[2]s)`, p, l.byTS),
		fmt.Sprintf(`ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (%d)`, l.name, p, gen),
	}
}

func joinCols(cols []string) string {
	out := ""
	for i, c := range cols {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}

// convertLog is the migration step that turns an existing log table into
// generation 0 of a new partitioned table of the same name. Adding a
// column with a constant default rewrites nothing; the CHECK constraint
// reads the table once, so attaching it needs no second scan; the
// existing indexes stay.
func convertLog(name string) string {
	return fmt.Sprintf(`
ALTER TABLE %[1]s RENAME TO %[1]s_g0;
ALTER INDEX %[1]s_pkey RENAME TO %[1]s_g0_pkey;
ALTER INDEX %[1]s_by_ts RENAME TO %[1]s_g0_by_ts;
ALTER TABLE %[1]s_g0 ADD COLUMN gen integer NOT NULL DEFAULT 0;
ALTER TABLE %[1]s_g0 ADD CONSTRAINT %[1]s_g0_gen CHECK (gen = 0);
ALTER TABLE %[1]s_g0 ALTER COLUMN gen DROP DEFAULT;
CREATE TABLE %[1]s (LIKE %[1]s_g0) PARTITION BY LIST (gen);
ALTER TABLE %[1]s ATTACH PARTITION %[1]s_g0 FOR VALUES IN (0);
`, name)
}

// migrationPartitionLogs (2) partitions both logs by generation and
// teaches hull_write to append to the current one.
var migrationPartitionLogs = convertLog("hull_document_log") + convertLog("hull_index_log") + `
INSERT INTO hull_meta (key, value) VALUES ('log_gen', 0) ON CONFLICT (key) DO NOTHING;

-- hull_write as in migration 1, with the log rows put in the current
-- generation. log_gen is read after the lease row is locked; a
-- generation change locks that row too (shared), so once it commits no
-- write still in flight can add rows to the generation it retired.
CREATE OR REPLACE FUNCTION hull_write(
	want_fence bigint, first_ts bigint, floor_ts bigint,
	d_tbl bigint[], d_id bytea[], d_ts bigint[], d_prev bigint[], d_value bytea[],
	dd_tbl bigint[], dd_id bytea[],
	dp_tbl bigint[], dp_id bytea[], dp_ts bigint[], dp_value bytea[],
	i_idx bigint[], i_prefix bytea[], i_hash bytea[], i_key bytea[], i_ts bigint[], i_deleted boolean[], i_tbl bigint[], i_id bytea[],
	id_idx bigint[], id_prefix bytea[], id_hash bytea[],
	ip_idx bigint[], ip_prefix bytea[], ip_hash bytea[], ip_key bytea[], ip_tbl bigint[], ip_id bytea[]
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	g integer;
BEGIN
	PERFORM hull_begin_write(want_fence, first_ts);
	SELECT value INTO g FROM hull_meta WHERE key = 'log_gen';
	IF d_tbl IS NOT NULL THEN
		INSERT INTO hull_document_log (tbl, id, ts, prev_ts, deleted, value, gen)
		SELECT u.tbl, u.id, u.ts,
			CASE WHEN u.prev_ts >= 0 THEN u.prev_ts ELSE coalesce(
				(SELECT max(l.ts) FROM hull_document_log l WHERE l.tbl = u.tbl AND l.id = u.id), 0) END,
			u.value IS NULL, u.value, g
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
		INSERT INTO hull_index_log (idx, key_prefix, key_hash, key, ts, deleted, tbl, id, gen)
		SELECT u.*, g FROM unnest(i_idx, i_prefix, i_hash, i_key, i_ts, i_deleted, i_tbl, i_id) AS u;
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
`
