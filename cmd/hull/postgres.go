package main

import (
	"context"
	"errors"
	"log/slog"

	"hull/config"
	"hull/persistence"
)

// openPostgres opens the PostgreSQL store.
//
// SEAM: persistence/postgres is not available to this command yet; once
// it builds, call postgres.Open here with the URL, cfg.RequireSSL and
// cfg.InstanceName.
func openPostgres(ctx context.Context, cfg config.Config, log *slog.Logger) (persistence.Store, error) {
	return nil, &storageError{
		err:  errors.New("this hull build has no PostgreSQL support yet"),
		hint: "unset POSTGRES_URL/DATABASE_URL to use the embedded SQLite database",
	}
}
