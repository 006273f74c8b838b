package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hull/persistence"
)

// Acquire bumps the fence in the lease row and returns the new lease. Every
// write made under an older lease fails from this moment on: writes check
// the fence inside their own BEGIN IMMEDIATE transaction, which cannot
// interleave with this one.
func (s *Store) Acquire(ctx context.Context, holder string) (_ persistence.Lease, err error) {
	defer s.observe(&err)
	var fence int64
	err = s.write.QueryRowContext(ctx, `
INSERT INTO lease (id, fence, holder, released) VALUES (1, 1, ?, 0)
ON CONFLICT (id) DO UPDATE SET fence = fence + 1, holder = excluded.holder, released = 0
RETURNING fence`, holder).Scan(&fence)
	if err != nil {
		return persistence.Lease{}, fmt.Errorf("sqlite: acquire lease for %q: %w", holder, err)
	}
	s.logger.Info("sqlite: writer lease acquired", "path", s.path, "holder", holder, "fence", fence)
	return persistence.Lease{Fence: fence, Holder: holder}, nil
}

// CheckLease returns persistence.ErrFenced if lease is no longer the newest
// or was released.
func (s *Store) CheckLease(ctx context.Context, lease persistence.Lease) (err error) {
	defer s.observe(&err)
	return checkFence(ctx, s.read, lease)
}

// Release marks lease released if it is still the newest; a fenced lease is
// left alone. A released lease can no longer write.
func (s *Store) Release(ctx context.Context, lease persistence.Lease) (err error) {
	defer s.observe(&err)
	_, err = s.write.ExecContext(ctx,
		`UPDATE lease SET released = 1 WHERE id = 1 AND fence = ?`, lease.Fence)
	if err != nil {
		return fmt.Errorf("sqlite: release lease %d: %w", lease.Fence, err)
	}
	return nil
}

// querier is what checkFence needs from a *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const sqlLease = `SELECT fence, holder, released FROM lease WHERE id = 1`

// checkFence returns a wrapped persistence.ErrFenced unless lease is the
// current, unreleased lease. Inside a write transaction the database write
// lock makes the answer hold until commit.
func checkFence(ctx context.Context, q querier, lease persistence.Lease) error {
	return scanFence(q.QueryRowContext(ctx, sqlLease), lease)
}

// scanFence checks lease against row, the result of sqlLease.
func scanFence(row *sql.Row, lease persistence.Lease) error {
	var fence int64
	var holder string
	var released bool
	err := row.Scan(&fence, &holder, &released)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: lease %d was never acquired: %w", lease.Fence, persistence.ErrFenced)
	}
	if err != nil {
		return fmt.Errorf("sqlite: check lease: %w", err)
	}
	if fence != lease.Fence {
		return fmt.Errorf("sqlite: lease %d superseded by fence %d held by %q: %w",
			lease.Fence, fence, holder, persistence.ErrFenced)
	}
	if released {
		return fmt.Errorf("sqlite: lease %d was released: %w", lease.Fence, persistence.ErrFenced)
	}
	return nil
}
