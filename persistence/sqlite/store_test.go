package sqlite_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"hull/persistence"
	"hull/persistence/sqlite"
	"hull/persistence/storetest"
)

func backend() storetest.Backend {
	return storetest.Backend{
		NewDB: func(t *testing.T) func(ctx context.Context) (persistence.Store, error) {
			path := filepath.Join(t.TempDir(), "hull.db")
			return func(ctx context.Context) (persistence.Store, error) {
				return sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
			}
		},
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, backend())
}

func TestCrashSafety(t *testing.T) {
	storetest.Crash(t, storetest.CrashConfig{
		NewTarget: func(t *testing.T) string { return filepath.Join(t.TempDir(), "crash.db") },
		Open: func(ctx context.Context, path string) (persistence.Store, error) {
			return sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
		},
		Kills: 25,
		Seed:  1,
	})
}
