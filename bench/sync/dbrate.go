package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"hull/database"
	"hull/persistence/sqlite"
	"hull/value"
)

// dbCommitRate is the limit of mutationRate: n goroutines committing
// single-document patches (each its own document) through the database
// layer on a fresh SQLite file, with no function run and no network.
func dbCommitRate(ctx context.Context, n int, d time.Duration) (float64, error) {
	dir, err := os.MkdirTemp("", "hull-bench-db-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "db.sqlite3"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, err
	}
	defer store.Close()
	lease, err := store.Acquire(ctx, "bench")
	if err != nil {
		return 0, err
	}
	db, err := database.Open(ctx, store, lease, database.Options{})
	if err != nil {
		return 0, err
	}
	ids := make([]value.ID, n)
	for i := range ids {
		tx, err := db.Begin(ctx)
		if err != nil {
			return 0, err
		}
		ids[i], err = tx.Insert(ctx, "counters", value.MustObject(value.Field{Name: "n", Value: value.Float64(0)}))
		if err == nil {
			_, err = tx.Commit(ctx)
		}
		tx.Rollback()
		if err != nil {
			return 0, fmt.Errorf("seed: %w", err)
		}
	}
	var done atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	var wg gosync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 1; time.Now().Before(deadline); k++ {
				tx, err := db.Begin(ctx)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				_, err = tx.Patch(ctx, ids[i], []value.Field{{Name: "n", Value: value.Float64(k)}})
				if err == nil {
					_, err = tx.Commit(ctx)
				}
				tx.Rollback()
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

func websocketDial(ctx context.Context, u string) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(64 << 20)
	return conn, nil
}
