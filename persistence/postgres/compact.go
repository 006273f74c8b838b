package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
)

// Compaction gives the space GC freed back to the file system. PostgreSQL
// only makes deleted rows' space reusable and returns nothing but empty
// pages at a table's end, and B-tree indexes never shrink, so after GC
// the logs keep the size of their largest burst of history. Compaction,
// run at the end of every GC, therefore
//
//   - finishes what a crash cut short (a pending detach, a detached
//     partition not yet dropped, an invalid index of a cut-short rebuild);
//   - when a check is due (below), measures hull's relations exactly and
//     starts a new log generation if the current one is mostly dead,
//     moves the rows off the tail of a mostly empty current-state table
//     so VACUUM can cut it short, and rebuilds (REINDEX INDEX
//     CONCURRENTLY) a current-state index that is much larger than its
//     live entries need;
//   - moves the live rows of every older generation into the current one,
//     a fenced chunk per transaction (DELETE … RETURNING feeding an
//     INSERT: a read sees each row exactly once), then detaches the empty
//     partition CONCURRENTLY and drops it.
//
// A check reads the current log partitions and both current-state tables
// once, so it runs only when it is likely to find something: when GC has
// deleted at least half as many log rows as the last check counted, or
// hull's relations have doubled since it. Its cost is so amortized over
// the deleting or writing that made it due.
const (
	// defaultCompactMinBytes: relations smaller than this are never
	// rebuilt, nor is anything checked while all of hull's together are.
	defaultCompactMinBytes = 1 << 20
	// compactWaste: a relation is rebuilt once it is over this many times
	// the size its live rows need (packed).
	compactWaste = 2
	// ddlLockTimeout bounds the wait for a lock of the DDL that runs in a
	// transaction (attaching a partition); a timeout is retried.
	ddlLockTimeout = 2 * time.Second
	ddlAttempts    = 3
)

// Compaction's bookkeeping in hull_meta.
const (
	metaCompactRows    = "compact_rows"    // rows the last check counted
	metaCompactBytes   = "compact_bytes"   // hull's relations' size after it
	metaCompactDeleted = "compact_deleted" // log rows GC deleted since
)

// Estimates of the packed size of a relation's live rows (what a fresh
// copy would take). A heap row: tuple header, line pointer, fixed-width
// columns and alignment, plus its variable columns from pg_column_size
// (which reads no TOAST data; in a current-state heap a value over about
// 2 KB is TOASTed, leaving a pointer). An index entry: index tuple header, line
// pointer and key, with B-tree pages 90 % full; a B-tree has at least a
// meta page and a root. Each estimate errs large, so a freshly written
// relation is never taken for a wasteful one.
const (
	sqlMeasureDocumentLog = `
SELECT count(*), 65536 + count(*) * (96 + 2 * 58) + coalesce(sum(coalesce(pg_column_size(value), 0)), 0)
FROM %s`
	sqlMeasureIndexLog = `
SELECT count(*), 65536 + count(*) * (128 + 2 * 80)
	+ coalesce(sum(pg_column_size(key_prefix) * 33 / 10 + coalesce(pg_column_size(key), 0)), 0)
FROM %s`
	sqlMeasureDocuments = `
SELECT count(*), 16384 + count(*) * 52 FROM hull_documents`
	sqlMeasureIndexEntries = `
SELECT count(*), 16384 + count(*) * 70 + coalesce(sum(pg_column_size(key_prefix) * 11 / 10), 0)
FROM hull_index_entries`
	sqlMeasureDocumentsHeap = `
SELECT count(*), 8192 + count(*) * 80 + coalesce(sum(least(pg_column_size(value), 2032)), 0) FROM hull_documents`
	sqlMeasureIndexEntriesHeap = `
SELECT count(*), 8192 + count(*) * 104
	+ coalesce(sum(pg_column_size(key_prefix) + least(coalesce(pg_column_size(key), 0), 2032)), 0)
FROM hull_index_entries`
	sqlHullSize = `
SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
WHERE c.relkind = 'r' AND c.relname LIKE 'hull\_%' AND pg_table_is_visible(c.oid)`
	sqlMeta    = `SELECT coalesce((SELECT value FROM hull_meta WHERE key = $1::text), 0)`
	sqlMetaPut = `INSERT INTO hull_meta (key, value) VALUES ($1::text, $2::bigint) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
	sqlMetaAdd = `INSERT INTO hull_meta AS m (key, value) VALUES ($1::text, $2::bigint) ON CONFLICT (key) DO UPDATE SET value = m.value + excluded.value`
	sqlPartsOf = `
SELECT c.relname, i.inhdetachpending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = $1::text::regclass ORDER BY c.relname`
	sqlStrayPartitions = `
SELECT c.relname FROM pg_class c
WHERE c.relkind = 'r' AND NOT c.relispartition AND pg_table_is_visible(c.oid)
	AND c.relname ~ '^hull_(document|index)_log_g[0-9]+$'`
	sqlInvalidIndexes = `
SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
WHERE NOT x.indisvalid AND x.indrelid IN ('hull_documents'::regclass, 'hull_index_entries'::regclass)`
)

// compact runs after GC's walks; removed is how many log rows they
// deleted.
func (s *Store) compact(ctx context.Context, lease persistence.Lease, removed int64) error {
	if err := s.cleanUp(ctx); err != nil {
		return err
	}
	due, err := s.checkDue(ctx, removed)
	if err != nil {
		return err
	}
	var counted int64
	if due {
		if counted, err = s.check(ctx, lease); err != nil {
			return err
		}
	}
	if err := s.drainOld(ctx, lease); err != nil {
		return err
	}
	if due {
		return s.recordCheck(ctx, lease, counted)
	}
	return nil
}

// cleanUp finishes the DDL a crash cut short. None of it changes what a
// read sees: the partitions involved are empty and out of the log, and a
// cut-short index rebuild leaves an invalid index no plan uses.
func (s *Store) cleanUp(ctx context.Context) error {
	for _, l := range logTables {
		parts, err := s.partitions(ctx, l)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if p.detaching {
				if err := s.exec(ctx, fmt.Sprintf(`ALTER TABLE %s DETACH PARTITION %s FINALIZE`, l.name, p.name)); err != nil {
					return err
				}
			}
		}
	}
	for _, q := range []struct{ list, drop string }{
		{sqlStrayPartitions, `DROP TABLE IF EXISTS %s`},
		{sqlInvalidIndexes, `DROP INDEX CONCURRENTLY IF EXISTS %s`},
	} {
		names, err := s.names(ctx, q.list)
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := s.exec(ctx, fmt.Sprintf(q.drop, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDue adds removed to the deletions since the last check and
// reports whether a check is due.
func (s *Store) checkDue(ctx context.Context, removed int64) (bool, error) {
	var rows, bytes, deleted, size int64
	b := &pgx.Batch{}
	if removed > 0 {
		b.Queue(sqlMetaAdd, metaCompactDeleted, removed)
	}
	for _, q := range []struct {
		key  string
		dest *int64
	}{{metaCompactRows, &rows}, {metaCompactBytes, &bytes}, {metaCompactDeleted, &deleted}} {
		b.Queue(sqlMeta, q.key).QueryRow(func(r pgx.Row) error { return r.Scan(q.dest) })
	}
	b.Queue(sqlHullSize).QueryRow(func(r pgx.Row) error { return r.Scan(&size) })
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return false, fmt.Errorf("postgres: compact: read bookkeeping: %w", err)
	}
	if s.compactAlways {
		return true, nil
	}
	if size < s.compactMinBytes {
		return false, nil
	}
	return bytes == 0 || 2*deleted >= rows || size >= 2*bytes, nil
}

// relation is one measured relation: its size on disk and what its live
// rows need.
type relation struct {
	name, measure string
	kind          relKind
	rows, need    int64
	size          int64
}

type relKind int

const (
	logPartition relKind = iota // measured whole: heap, TOAST and indexes
	heap                        // a current-state table's rows
	index                       // a current-state index
)

// check measures the current log partitions and the current-state tables
// and indexes. It starts a new generation when a current log partition is
// mostly dead, moves the rows off the tail of a mostly empty current-state
// table (so VACUUM can cut it short) and rebuilds bloated indexes. It
// returns the rows it counted.
func (s *Store) check(ctx context.Context, lease persistence.Lease) (int64, error) {
	gen, err := s.currentGen(ctx)
	if err != nil {
		return 0, err
	}
	dl, il := documentLog.partition(gen), indexLog.partition(gen)
	rels := []*relation{
		{name: dl, measure: fmt.Sprintf(sqlMeasureDocumentLog, dl), kind: logPartition},
		{name: il, measure: fmt.Sprintf(sqlMeasureIndexLog, il), kind: logPartition},
		{name: "hull_documents", measure: sqlMeasureDocumentsHeap, kind: heap},
		{name: "hull_index_entries", measure: sqlMeasureIndexEntriesHeap, kind: heap},
		{name: "hull_documents_pkey", measure: sqlMeasureDocuments, kind: index},
		{name: "hull_index_entries_pkey", measure: sqlMeasureIndexEntries, kind: index},
	}
	var rotate bool
	var counted int64
	for _, r := range rels {
		if err := s.pool.QueryRow(ctx, r.measure).Scan(&r.rows, &r.need); err != nil {
			return 0, fmt.Errorf("postgres: compact: measure %s: %w", r.name, err)
		}
		size := `SELECT pg_relation_size($1::text::regclass)`
		if r.kind == logPartition {
			size = `SELECT pg_total_relation_size($1::text::regclass)`
		}
		if err := s.pool.QueryRow(ctx, size, r.name).Scan(&r.size); err != nil {
			return 0, fmt.Errorf("postgres: compact: size of %s: %w", r.name, err)
		}
		if r.kind != index {
			counted += r.rows
		}
		s.logger.Debug("postgres: compaction measured", "relation", r.name, "bytes", r.size, "live_rows", r.rows, "needed_bytes", r.need)
		if !s.wasteful(r) {
			continue
		}
		s.logger.Info("postgres: compacting", "relation", r.name, "bytes", r.size, "live_rows", r.rows, "needed_bytes", r.need)
		switch r.kind {
		case logPartition:
			rotate = true
		case heap:
			err = s.moveTail(ctx, lease, r)
		case index:
			err = s.exec(ctx, `REINDEX INDEX CONCURRENTLY `+r.name)
		}
		if err != nil {
			return 0, err
		}
	}
	if rotate {
		if err := s.rotate(ctx, lease, gen); err != nil {
			return 0, err
		}
	}
	return counted, nil
}

// heapChunk bounds the rows one tail move rewrites: it holds the lease
// row's exclusive lock, so a commit may wait for it.
const heapChunk = 500

// moveTail rewrites the rows of r that lie beyond the pages a packed copy
// of it would need: each is deleted and inserted again in one statement,
// and the insert takes space the free-space map offers, which after a
// VACUUM of a mostly empty table lies mostly in its first pages. Then
// VACUUM can truncate the emptied tail. A chunk holds the
// lease row's exclusive lock, as a write does, so no write touches the
// rows in between (a write's delete of a row moved under it would miss
// the new copy); rows are visited in ctid order up to the table's end as
// it was at the start, so the walk ends even where the map hands out a
// tail page again.
func (s *Store) moveTail(ctx context.Context, lease persistence.Lease, r *relation) (err error) {
	keep := r.need*5/4/8192 + 1
	end := r.size / 8192
	stmt := fmt.Sprintf(`
WITH tail AS (
	SELECT ctid FROM %[1]s
	WHERE ctid > $1::text::tid AND ctid >= $2::text::tid AND ctid < $3::text::tid ORDER BY ctid LIMIT $4::bigint),
gone AS (DELETE FROM %[1]s t USING tail WHERE t.ctid = tail.ctid RETURNING t.*),
put AS (INSERT INTO %[1]s SELECT * FROM gone RETURNING 1)
SELECT (SELECT ctid FROM tail ORDER BY ctid DESC LIMIT 1)::text, (SELECT count(*) FROM tail)`, r.name)
	// A VACUUM first tells the free-space map about the pages writes
	// emptied, and one after cuts the emptied tail off. That one must
	// clean the indexes: with as few dead rows as a move leaves, VACUUM
	// would otherwise skip index cleanup and keep their line pointers,
	// and a page holding one is not empty.
	if err := s.exec(ctx, `VACUUM `+r.name); err != nil {
		return err
	}
	defer func() {
		if err == nil {
			err = s.exec(ctx, `VACUUM (INDEX_CLEANUP ON) `+r.name)
		}
	}()
	// A server process remembers the page it last inserted into and
	// tries it first; a pooled one may remember the tail. A new
	// connection asks the free-space map.
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("postgres: compact: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	cursor := "(0,0)"
	for {
		var next *string
		var seen int64
		start := time.Now()
		b := &pgx.Batch{}
		b.Queue(`SELECT hull_check_fence($1::bigint, true)`, lease.Fence)
		b.Queue(stmt, cursor, fmt.Sprintf("(%d,0)", keep), fmt.Sprintf("(%d,0)", end), int64(heapChunk)).
			QueryRow(func(row pgx.Row) error { return row.Scan(&next, &seen) })
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return writeError("compact: move the tail of "+r.name, lease, err)
		}
		if seen < heapChunk || next == nil {
			return nil
		}
		cursor = *next
		if err := pause(ctx, time.Since(start)); err != nil {
			return err
		}
	}
}

// recordCheck records what a check counted and the size compaction left,
// the base the next check is due against.
func (s *Store) recordCheck(ctx context.Context, lease persistence.Lease, counted int64) error {
	var size int64
	if err := s.pool.QueryRow(ctx, sqlHullSize).Scan(&size); err != nil {
		return fmt.Errorf("postgres: compact: size: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue(sqlMetaPut, metaCompactRows, counted)
	b.Queue(sqlMetaPut, metaCompactBytes, size)
	b.Queue(sqlMetaPut, metaCompactDeleted, int64(0))
	b.Queue(sqlCheckShared, lease.Fence)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return writeError("compact", lease, err)
	}
	return nil
}

// wasteful reports whether r is worth rebuilding.
func (s *Store) wasteful(r *relation) bool {
	return s.compactAlways || r.size >= s.compactMinBytes && r.size > compactWaste*r.need
}

// rotate makes gen+1 the current generation: both partitions created
// standalone, attached, and log_gen moved, in one fenced transaction.
func (s *Store) rotate(ctx context.Context, lease persistence.Lease, gen int64) error {
	var stmts []string
	for _, l := range logTables {
		stmts = append(stmts, l.createPartition(gen+1)...)
	}
	return s.retryLocked(ctx, "start generation "+strconv.FormatInt(gen+1, 10), func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', $1::text, true)`,
				strconv.FormatInt(ddlLockTimeout.Milliseconds(), 10)); err != nil {
				return err
			}
			var cur int64
			if err := tx.QueryRow(ctx, `SELECT value FROM hull_meta WHERE key = 'log_gen' FOR UPDATE`).Scan(&cur); err != nil {
				return err
			}
			if cur != gen {
				return nil // another pass got there first
			}
			for _, q := range stmts {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE hull_meta SET value = $1::bigint WHERE key = 'log_gen'`, gen+1); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, sqlCheckShared, lease.Fence)
			return err
		})
	}, lease)
}

// retryLocked runs fn, again after a lock timeout (SQLSTATE 55P03).
func (s *Store) retryLocked(ctx context.Context, what string, fn func() error, lease persistence.Lease) error {
	var err error
	for range ddlAttempts {
		if err = fn(); pgCode(err) != "55P03" {
			break
		}
		if err := pause(ctx, gcMaxPause); err != nil {
			return err
		}
	}
	if err != nil {
		return writeError("compact: "+what, lease, err)
	}
	return nil
}

// drainOld moves the rows of every generation older than the current one
// into it, then detaches and drops the emptied partitions.
func (s *Store) drainOld(ctx context.Context, lease persistence.Lease) error {
	gen, err := s.currentGen(ctx)
	if err != nil {
		return err
	}
	for _, l := range logTables {
		parts, err := s.partitions(ctx, l)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if p.gen >= gen {
				continue
			}
			if err := s.drain(ctx, lease, l, p.name); err != nil {
				return err
			}
			if err := s.exec(ctx, fmt.Sprintf(`ALTER TABLE %s DETACH PARTITION %s CONCURRENTLY`, l.name, p.name)); err != nil {
				return err
			}
			if err := s.exec(ctx, `DROP TABLE `+p.name); err != nil {
				return err
			}
			s.logger.Info("postgres: dropped an old log generation", "partition", p.name)
		}
	}
	return nil
}

// drain moves part's rows into the current generation, in key order, a
// chunk per fenced transaction, until it is empty.
func (s *Store) drain(ctx context.Context, lease persistence.Lease, l logTable, part string) error {
	n := len(l.key)
	params := make([]string, n)
	cursor := make([]any, n)
	for i, t := range l.keyType {
		params[i] = fmt.Sprintf("$%d::%s", i+2, t)
		switch t {
		case "bigint":
			cursor[i] = int64(math.MinInt64)
		default:
			cursor[i] = []byte{}
		}
	}
	key := joinCols(l.key)
	var match, desc []string
	for _, c := range l.key {
		match = append(match, fmt.Sprintf("l.%[1]s = win.%[1]s", c))
		desc = append(desc, c+" DESC")
	}
	stmt := fmt.Sprintf(`
WITH win AS (
	SELECT %[2]s FROM %[1]s WHERE (%[2]s) > (%[3]s) ORDER BY %[2]s LIMIT $1::bigint),
moved AS (
	DELETE FROM %[1]s l USING win WHERE %[4]s RETURNING %[5]s),
put AS (
	INSERT INTO %[6]s (%[7]s, gen)
	SELECT %[7]s, (SELECT value FROM hull_meta WHERE key = 'log_gen')::integer FROM moved RETURNING 1)
SELECT %[2]s, (SELECT count(*) FROM put), (SELECT count(*) FROM win)
FROM (SELECT %[2]s FROM win ORDER BY %[8]s LIMIT 1) w`,
		part, key, strings.Join(params, ", "), strings.Join(match, " AND "),
		prefixCols("l.", l.columns), l.name, l.columns, strings.Join(desc, ", "))
	_, err := s.chunked(ctx, lease, "compact", stmt, []any{s.gcChunk}, cursor)
	return err
}

func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = prefix + c
	}
	return strings.Join(parts, ", ")
}

// partitionInfo is one attached partition of a log.
type partitionInfo struct {
	name      string
	gen       int64
	detaching bool
}

func (s *Store) partitions(ctx context.Context, l logTable) ([]partitionInfo, error) {
	rows, err := s.pool.Query(ctx, sqlPartsOf, l.name)
	if err != nil {
		return nil, fmt.Errorf("postgres: compact: partitions of %s: %w", l.name, err)
	}
	var out []partitionInfo
	for rows.Next() {
		var p partitionInfo
		if err := rows.Scan(&p.name, &p.detaching); err != nil {
			return nil, fmt.Errorf("postgres: compact: partitions of %s: %w", l.name, err)
		}
		g, err := strconv.ParseInt(strings.TrimPrefix(p.name, l.name+"_g"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("postgres: compact: partition %s of %s has no generation", p.name, l.name)
		}
		p.gen = g
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: compact: partitions of %s: %w", l.name, err)
	}
	return out, nil
}

func (s *Store) currentGen(ctx context.Context) (int64, error) {
	var gen int64
	if err := s.pool.QueryRow(ctx, sqlMeta, "log_gen").Scan(&gen); err != nil {
		return 0, fmt.Errorf("postgres: compact: current generation: %w", err)
	}
	return gen, nil
}

func (s *Store) names(ctx context.Context, sql string) ([]string, error) {
	rows, err := s.pool.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("postgres: compact: list: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: compact: list: %w", err)
	}
	return names, nil
}

// exec runs one statement outside a transaction (what the CONCURRENTLY
// forms need).
func (s *Store) exec(ctx context.Context, sql string) error {
	if _, err := s.pool.Exec(ctx, sql); err != nil {
		return fmt.Errorf("postgres: compact: %s: %w", sql, err)
	}
	return nil
}
