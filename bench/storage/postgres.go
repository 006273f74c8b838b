//go:build postgres

package main

import (
	"context"
	"errors"

	"hull/persistence/postgres"
)

// Built only with -tags postgres, so this program builds before and
// without the postgres backend.
func init() {
	openers["postgres"] = openPostgres
}

func openPostgres(ctx context.Context, dsn string) (target, error) {
	if dsn == "" {
		return target{}, errors.New("postgres needs -dsn (see scripts/pg-test-server.sh)")
	}
	s, err := postgres.Open(ctx, postgres.Config{URL: dsn})
	if err != nil {
		return target{}, err
	}
	raw, err := openRawPostgres(ctx, dsn)
	if err != nil {
		s.Close()
		return target{}, err
	}
	return target{store: s, raw: raw, close: func() { raw.close(); s.Close() }}, nil
}
