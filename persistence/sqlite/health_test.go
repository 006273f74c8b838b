package sqlite

import (
	"context"
	"fmt"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"

	"hull/persistence"
)

// codeError stands in for the driver's error: a message and a result code.
type codeError int

func (e codeError) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e codeError) Code() int     { return int(e) }

func TestUnusableTellsAnUnusableFileFromStatementErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a lock held past the busy timeout is an outage", codeError(sqlite3.SQLITE_BUSY), true},
		{"an extended I/O error is an outage", fmt.Errorf("sqlite: write: %w", codeError(sqlite3.SQLITE_IOERR_WRITE)), true},
		{"a full disk is an outage", codeError(sqlite3.SQLITE_FULL), true},
		{"a file that cannot be opened is an outage", codeError(sqlite3.SQLITE_CANTOPEN), true},
		{"a read-only file is an outage", codeError(sqlite3.SQLITE_READONLY), true},
		{"a constraint violation is the statement's", codeError(sqlite3.SQLITE_CONSTRAINT_UNIQUE), false},
		{"a fenced write is not an outage", fmt.Errorf("sqlite: %w", persistence.ErrFenced), false},
		{"a caller giving up is not an outage", fmt.Errorf("sqlite: %w", context.Canceled), false},
		{"no error is not an outage", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unusable(tt.err); got != tt.want {
				t.Fatalf("unusable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
