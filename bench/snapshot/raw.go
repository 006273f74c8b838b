package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the raw SQLite limit's driver

	"hull/bench/internal/benchutil"
	"hull/value"
)

// rawCopy is the limit: the same rows copied out of the store's
// documents table into a file and from that file into a fresh table, as
// plainly as the database allows.
type rawCopy interface {
	// export writes every row of table number tbl to path and returns
	// how many it wrote.
	export(ctx context.Context, tbl value.TableNumber, path string) (int64, error)
	// load reads the rows export wrote to path into a fresh table.
	load(ctx context.Context, path string) (int64, error)
	close()
}

// rawSQLiteBatch is how many rows one raw SQLite load transaction
// inserts.
const rawSQLiteBatch = 10_000

// rawSQLite reads the store's file with database/sql (tab-separated
// lines: hex id, ts, the stored JSON value) and loads them with prepared
// inserts in big transactions into a table shaped like the store's
// documents table, in a fresh file with the store's durability settings.
type rawSQLite struct {
	src *sql.DB
	dst *sql.DB
}

func openRawSQLite(storePath, dir string) (*rawSQLite, error) {
	src, err := sql.Open("sqlite", benchutil.RawSQLiteDSN(storePath))
	if err != nil {
		return nil, fmt.Errorf("raw sqlite: open %s: %w", storePath, err)
	}
	dst, err := sql.Open("sqlite", benchutil.RawSQLiteDSN(filepath.Join(dir, "raw-copy.db")))
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("raw sqlite: open the copy: %w", err)
	}
	dst.SetMaxOpenConns(1)
	return &rawSQLite{src: src, dst: dst}, nil
}

func (r *rawSQLite) export(ctx context.Context, tbl value.TableNumber, path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("raw sqlite export: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	rows, err := r.src.QueryContext(ctx, `SELECT id, ts, value FROM documents WHERE tbl = ?`, int64(tbl))
	if err != nil {
		return 0, fmt.Errorf("raw sqlite export: %w", err)
	}
	defer rows.Close()
	var (
		n     int64
		id    []byte
		ts    int64
		val   []byte
		hexID []byte
	)
	for rows.Next() {
		if err := rows.Scan(&id, &ts, &val); err != nil {
			return n, fmt.Errorf("raw sqlite export: %w", err)
		}
		hexID = hex.AppendEncode(hexID[:0], id)
		w.Write(hexID)
		w.WriteByte('\t')
		w.WriteString(strconv.FormatInt(ts, 10))
		w.WriteByte('\t')
		w.Write(val)
		w.WriteByte('\n')
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("raw sqlite export: %w", err)
	}
	if err := w.Flush(); err != nil {
		return n, fmt.Errorf("raw sqlite export: %w", err)
	}
	return n, f.Sync()
}

func (r *rawSQLite) load(ctx context.Context, path string) (int64, error) {
	if _, err := r.dst.ExecContext(ctx, `CREATE TABLE copy (
	tbl INTEGER NOT NULL, id BLOB NOT NULL, ts INTEGER NOT NULL, prev_ts INTEGER NOT NULL, value BLOB NOT NULL,
	PRIMARY KEY (tbl, id)) WITHOUT ROWID`); err != nil {
		return 0, fmt.Errorf("raw sqlite load: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("raw sqlite load: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(bufio.NewReaderSize(f, 1<<20))
	s.Buffer(make([]byte, 1<<20), 16<<20)
	var (
		n  int64
		tx *sql.Tx
		st *sql.Stmt
	)
	defer func() {
		if tx != nil {
			tx.Rollback()
		}
	}()
	for s.Scan() {
		if tx == nil {
			if tx, err = r.dst.BeginTx(ctx, nil); err != nil {
				return n, fmt.Errorf("raw sqlite load: %w", err)
			}
			if st, err = tx.PrepareContext(ctx, `INSERT INTO copy (tbl, id, ts, prev_ts, value) VALUES (1, ?, ?, 0, ?)`); err != nil {
				return n, fmt.Errorf("raw sqlite load: %w", err)
			}
		}
		hexID, rest, ok1 := bytes.Cut(s.Bytes(), []byte{'\t'})
		tsText, val, ok2 := bytes.Cut(rest, []byte{'\t'})
		id, err := hex.DecodeString(string(hexID))
		ts, terr := strconv.ParseInt(string(tsText), 10, 64)
		if !ok1 || !ok2 || err != nil || terr != nil {
			return n, fmt.Errorf("raw sqlite load: line %d is malformed", n+1)
		}
		if _, err := st.ExecContext(ctx, id, ts, val); err != nil {
			return n, fmt.Errorf("raw sqlite load: %w", err)
		}
		n++
		if n%rawSQLiteBatch == 0 {
			err := tx.Commit()
			tx = nil
			if err != nil {
				return n, fmt.Errorf("raw sqlite load: %w", err)
			}
		}
	}
	if err := s.Err(); err != nil {
		return n, fmt.Errorf("raw sqlite load: %w", err)
	}
	if tx != nil {
		err := tx.Commit()
		tx = nil
		if err != nil {
			return n, fmt.Errorf("raw sqlite load: %w", err)
		}
	}
	return n, nil
}

func (r *rawSQLite) close() { r.src.Close(); r.dst.Close() }

// rawPostgres is COPY: the store's rows of the table out to a file in
// COPY's text format, then from that file into a table shaped like
// hull_documents (primary key included) in the same database.
type rawPostgres struct {
	conn *pgx.Conn
}

func openRawPostgres(ctx context.Context, dbURL string) (*rawPostgres, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("raw postgres: connect: %w", err)
	}
	return &rawPostgres{conn: conn}, nil
}

func (r *rawPostgres) export(ctx context.Context, tbl value.TableNumber, path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("raw postgres export: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	tag, err := r.conn.PgConn().CopyTo(ctx, w, fmt.Sprintf(`COPY (SELECT tbl, id, ts, prev_ts, value FROM hull_documents WHERE tbl = %d) TO STDOUT`, int64(tbl)))
	if err != nil {
		return 0, fmt.Errorf("raw postgres export: %w", err)
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("raw postgres export: %w", err)
	}
	return tag.RowsAffected(), f.Sync()
}

func (r *rawPostgres) load(ctx context.Context, path string) (int64, error) {
	if _, err := r.conn.Exec(ctx, `CREATE TABLE bench_copy (LIKE hull_documents INCLUDING ALL)`); err != nil {
		return 0, fmt.Errorf("raw postgres load: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("raw postgres load: %w", err)
	}
	defer f.Close()
	tag, err := r.conn.PgConn().CopyFrom(ctx, bufio.NewReaderSize(f, 1<<20), `COPY bench_copy FROM STDIN`)
	if err != nil {
		return 0, fmt.Errorf("raw postgres load: %w", err)
	}
	return tag.RowsAffected(), nil
}

func (r *rawPostgres) close() {
	if r.conn != nil {
		_, _ = r.conn.Exec(context.Background(), `DROP TABLE IF EXISTS bench_copy`)
		r.conn.Close(context.Background())
	}
}

var errShort = errors.New("row count differs")
