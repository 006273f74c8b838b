package database

import "runtime"

// Queued returns how many commits wait for the committer.
func Queued(db *DB) int {
	db.queue.mu.Lock()
	defer db.queue.mu.Unlock()
	return len(db.queue.items)
}

// Yield lets other goroutines run while a test polls.
func Yield() { runtime.Gosched() }
