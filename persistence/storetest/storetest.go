// Package storetest is the conformance suite every persistence.Store backend
// must pass. Backends call Run from their own tests.
package storetest

import (
	"context"
	"testing"

	"hull/persistence"
)

// Backend describes a store implementation under test.
type Backend struct {
	// NewDB prepares a fresh, empty database and returns a function that
	// opens it. Calling open again opens the same database as another
	// process would (for reopen and takeover cases).
	NewDB func(t *testing.T) (open func(ctx context.Context) (persistence.Store, error))
}

// Run runs every conformance case against b.
func Run(t *testing.T, b Backend) {
	t.Helper()
	_ = b
}
