package database

import (
	"testing"
	"time"
)

// The recent-commit log keeps the last recentMinAge of commits past its
// soft cap, and never more than its hard cap.
func TestRecentCommitLogKeepsAMinimumAge(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		spacing time.Duration
		minKept int
		maxKept int
		trimmed bool
	}{
		{"under the soft cap nothing is dropped", recentSoftCap, time.Second, recentSoftCap, recentSoftCap, false},
		{"young commits past the soft cap are kept", recentSoftCap * 2, time.Millisecond / 2, recentSoftCap * 2, recentSoftCap * 2, false},
		{"old commits past the soft cap are dropped", recentSoftCap * 2, time.Second, recentSoftCap / 2, recentSoftCap * 3 / 2, true},
		{"the hard cap holds even for young commits", recentHardCap + 10, time.Microsecond, recentHardCap * 3 / 4, recentHardCap, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := &DB{}
			for i := 1; i <= tc.n; i++ {
				db.record(CommitSummary{TS: int64(i) * tc.spacing.Nanoseconds()})
			}
			if got := len(db.recent); got < tc.minKept || got > tc.maxKept {
				t.Fatalf("kept %d summaries, want %d..%d", got, tc.minKept, tc.maxKept)
			}
			if (db.recentFrom != 0) != tc.trimmed {
				t.Fatalf("recentFrom %d, trimmed %v", db.recentFrom, tc.trimmed)
			}
			if tc.trimmed && db.recent[0].TS <= db.recentFrom {
				t.Fatalf("the log starts at %d, not after recentFrom %d", db.recent[0].TS, db.recentFrom)
			}
		})
	}
}

// Big commits (an import's chunks) are dropped by size, young or not, so
// the log's memory stays bounded; the newest summary always stays.
func TestRecentCommitLogIsBoundedBySize(t *testing.T) {
	db := &DB{}
	key := make([]byte, 100)
	keys := make([]WrittenKey, 20_000) // ~3.3 MiB per summary
	for i := range keys {
		keys[i] = WrittenKey{Key: key}
	}
	for i := 1; i <= 100; i++ {
		db.record(CommitSummary{TS: int64(i), Keys: keys})
		if db.recentBytes > recentMaxBytes+db.recent[len(db.recent)-1].size() {
			t.Fatalf("after %d commits the log holds %d bytes", i, db.recentBytes)
		}
	}
	var sum int64
	for i := range db.recent {
		sum += db.recent[i].size()
	}
	if sum != db.recentBytes {
		t.Fatalf("recentBytes %d, summaries hold %d", db.recentBytes, sum)
	}
	if last := db.recent[len(db.recent)-1].TS; last != 100 || db.recentFrom >= db.recent[0].TS {
		t.Fatalf("log %d..%d after recentFrom %d", db.recent[0].TS, last, db.recentFrom)
	}
	// One summary bigger than the whole cap stays, alone.
	db.record(CommitSummary{TS: 101, Keys: make([]WrittenKey, recentMaxBytes/64+1)})
	if len(db.recent) != 1 || db.recent[0].TS != 101 {
		t.Fatalf("kept %d summaries after a huge one", len(db.recent))
	}
}
