package main

import (
	"context"
	"errors"
	"log/slog"

	"hull/config"
	"hull/persistence"
	"hull/persistence/postgres"
)

// openPostgres opens the PostgreSQL store named by the configuration. Its
// failures carry an operator hint that /healthz shows while hull retries.
func openPostgres(ctx context.Context, cfg config.Config, log *slog.Logger) (persistence.Store, error) {
	if log == nil {
		log = slog.Default()
	}
	store, err := postgres.Open(ctx, postgres.Config{
		URL:             cfg.DatabaseURL,
		InstanceName:    cfg.InstanceName,
		DoNotRequireSSL: !cfg.RequireSSL,
		Logger:          log,
	})
	if err != nil {
		hint := "check POSTGRES_URL/DATABASE_URL, that the server is reachable from here, and DO_NOT_REQUIRE_SSL if it has no TLS"
		var h interface{ Hint() string }
		if errors.As(err, &h) && h.Hint() != "" {
			hint = h.Hint()
		}
		return nil, &storageError{err: err, hint: hint}
	}
	logStorage(log, "opened PostgreSQL database")
	return store, nil
}
