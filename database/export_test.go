package database

import (
	"context"
	"runtime"
)

// Queued returns how many commits wait for the committer.
func Queued(db *DB) int {
	db.queue.mu.Lock()
	defer db.queue.mu.Unlock()
	return len(db.queue.items)
}

// Yield lets other goroutines run while a test polls.
func Yield() { runtime.Gosched() }

// StepBackfill makes the backfill worker wait for a token on the returned
// channel before each batch.
func StepBackfill(db *DB) chan<- struct{} {
	db.bf.mu.Lock()
	defer db.bf.mu.Unlock()
	db.bf.step = make(chan struct{})
	return db.bf.step
}

// RunSerialized runs attempt as Retry runs a serialized attempt: its
// first Begin holds the committer.
func RunSerialized(ctx context.Context, db *DB, attempt func(ctx context.Context) error) error {
	return db.runSerialized(ctx, attempt)
}
