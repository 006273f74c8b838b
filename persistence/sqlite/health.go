package sqlite

import (
	"context"
	"errors"

	sqlite3 "modernc.org/sqlite/lib"

	"hull/persistence"
)

// unusable reports whether err says the database file could not be used
// at all: locked by another process past the busy timeout, an I/O error,
// a full disk, a file that cannot be opened or written. Such a failure is
// the machine's, not the statement's, and may pass.
func unusable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, persistence.ErrUnavailable) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se interface{ Code() int }
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_READONLY:
		return true
	}
	return false
}

// observe ends every exported method that touches the database file: it
// marks an error of an unusable file as persistence.ErrUnavailable and
// records the outcome in the store's health, logging when the file
// becomes unusable or usable again.
func (s *Store) observe(errp *error) {
	if unusable(*errp) {
		*errp = persistence.Unavailable(*errp)
	}
	if !s.health.Observe(*errp) {
		return
	}
	if st := s.health.Status(); st.Up {
		s.logger.Info("sqlite: the database file is usable again", "component", "storage", "path", s.path)
	} else {
		s.logger.Warn("sqlite: the database file is unusable; requests answer 503 until it recovers",
			"component", "storage", "path", s.path, "err", st.Err)
	}
}

// Health returns the record of whether the database file is usable.
func (s *Store) Health() *persistence.Health { return &s.health }
