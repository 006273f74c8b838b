package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"hull/persistence"
)

// unreachable reports whether err says the server could not be reached or
// used: a failed connection attempt, a connection that broke, or the
// server refusing work because it is shutting down, starting up or out of
// resources. An error that only says the caller's context ended is not
// (the caller gave up; storage may be fine), nor is anything the server
// answered about the statement itself.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, persistence.ErrUnavailable) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true // no connection, whatever the reason (refused, timed out, rejected login)
	}
	if code := pgCode(err); code != "" {
		switch {
		case strings.HasPrefix(code, "08"): // connection exception
			return true
		case code == "57P01", code == "57P02", code == "57P03": // admin or crash shutdown, cannot connect now
			return true
		case strings.HasPrefix(code, "53"): // insufficient resources: disk full, out of memory, too many connections
			return true
		case strings.HasPrefix(code, "58"): // system error: I/O failure on the server
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// observe ends every exported method that makes a round trip: it marks an
// error of an unreachable server as persistence.ErrUnavailable and records
// the outcome in the store's health, logging when storage goes down or
// comes back.
func (s *Store) observe(errp *error) {
	if unreachable(*errp) {
		*errp = persistence.Unavailable(*errp)
	}
	if !s.health.Observe(*errp) {
		return
	}
	if st := s.health.Status(); st.Up {
		s.logger.Info("postgres: the server answers again", "component", "storage", "database", s.database)
	} else {
		s.logger.Warn("postgres: the server is unreachable; requests answer 503 until it is back",
			"component", "storage", "database", s.database, "err", redactErr(st.Err))
	}
}

// Health returns the record of whether the server answers.
func (s *Store) Health() *persistence.Health { return &s.health }
