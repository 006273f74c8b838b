package database

import (
	"errors"
	"fmt"

	"hull/persistence"
)

// Error is a deterministic error caused by the calling function (a bad
// argument, a missing document, an index range that does not fit its
// index, a limit exceeded). User code can catch it; Error returns the
// message user code sees. Code names the error kind, as Convex names it
// (for example "InvalidIndexRange").
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// UserFacing reports that the error is the function's fault, not the
// server's.
func (e *Error) UserFacing() bool { return true }

// userErr builds an *Error.
func userErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// CursorError is a pagination error the client recovers from by restarting
// pagination (a cursor from another query, a forged or corrupted cursor).
// Its ConvexData is the error data Convex attaches to it.
type CursorError struct {
	Msg string
}

func (e *CursorError) Error() string { return e.Msg }

// UserFacing reports that the error is the function's fault.
func (e *CursorError) UserFacing() bool { return true }

// ConvexData returns the Convex-encoded JSON error data that tells clients
// to restart pagination.
func (e *CursorError) ConvexData() []byte {
	return []byte(`{"isConvexSystemError":true,"paginationError":"InvalidCursor"}`)
}

func invalidCursor(reason string) *CursorError {
	return &CursorError{Msg: "InvalidCursor: " + reason}
}

// IsUserError reports whether err (or an error it wraps) is one user code
// caused and may catch.
func IsUserError(err error) bool {
	var ue *Error
	var ce *CursorError
	var te *TooOldError
	return errors.As(err, &ue) || errors.As(err, &ce) || errors.As(err, &te)
}

// ErrReadOnly is returned by writes in a read-only transaction.
var ErrReadOnly = &Error{Code: "ReadOnlyTransaction", Msg: "Can't modify the database in a query. Move writes into a mutation."}

// ErrTxDone is returned by every method of a committed or rolled-back
// transaction.
var ErrTxDone = errors.New("database: transaction already committed or rolled back")

// IsUnavailable reports whether err (or an error it wraps) says storage
// did not answer (persistence.ErrUnavailable): the server's trouble, to be
// answered with "try again later" and not shown to the caller in detail.
func IsUnavailable(err error) bool { return persistence.IsUnavailable(err) }
