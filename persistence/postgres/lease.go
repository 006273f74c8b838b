package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
)

// Acquire bumps the fence in the lease row and returns the new lease. The
// update waits for any write holding the row lock to commit; every write
// after it locks the row again and sees the new fence, so from the moment
// Acquire returns, writes under an older lease fail with ErrFenced.
func (s *Store) Acquire(ctx context.Context, holder string) (_ persistence.Lease, err error) {
	defer s.observe(&err)
	var fence int64
	err = s.pool.QueryRow(ctx, `
INSERT INTO hull_lease (id, fence, holder, released) VALUES (1, 1, $1::text, false)
ON CONFLICT (id) DO UPDATE SET fence = hull_lease.fence + 1, holder = excluded.holder, released = false
RETURNING fence`, holder).Scan(&fence)
	if err != nil {
		return persistence.Lease{}, fmt.Errorf("postgres: acquire lease for %q: %w", holder, err)
	}
	s.logger.Info("postgres: writer lease acquired", "database", s.database, "holder", holder, "fence", fence)
	return persistence.Lease{Fence: fence, Holder: holder}, nil
}

// CheckLease returns persistence.ErrFenced if lease is no longer the newest
// or was released.
func (s *Store) CheckLease(ctx context.Context, lease persistence.Lease) (err error) {
	defer s.observe(&err)
	var (
		fence    int64
		holder   string
		released bool
	)
	err = s.pool.QueryRow(ctx, `SELECT fence, holder, released FROM hull_lease WHERE id = 1`).
		Scan(&fence, &holder, &released)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: lease %d was never acquired: %w", lease.Fence, persistence.ErrFenced)
	case err != nil:
		return fmt.Errorf("postgres: check lease: %w", err)
	case fence != lease.Fence:
		return fmt.Errorf("postgres: lease %d superseded by fence %d held by %q: %w",
			lease.Fence, fence, holder, persistence.ErrFenced)
	case released:
		return fmt.Errorf("postgres: lease %d was released: %w", lease.Fence, persistence.ErrFenced)
	}
	return nil
}

// Release marks lease released if it is still the newest; a fenced lease is
// left alone. A released lease can no longer write.
func (s *Store) Release(ctx context.Context, lease persistence.Lease) (err error) {
	defer s.observe(&err)
	_, err = s.pool.Exec(ctx, `UPDATE hull_lease SET released = true WHERE id = 1 AND fence = $1::bigint`, lease.Fence)
	if err != nil {
		return fmt.Errorf("postgres: release lease %d: %w", lease.Fence, err)
	}
	return nil
}
