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
