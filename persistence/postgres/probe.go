package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ProbeResult is what Probe found out about a database.
type ProbeResult struct {
	// Database and Host are the database the URL resolves to and its
	// server.
	Database, Host string
	// SSLMode is the TLS mode the connection used.
	SSLMode string
	// Missing is set when the URL names only a cluster and the database
	// does not exist yet: Open creates it.
	Missing bool
	// RoundTrip is the median time of the timed round trips (zero when
	// Missing); ServerVersion is the server's server_version.
	RoundTrip     time.Duration
	ServerVersion string
}

// Probe connects as Open would and times rounds round trips (at least
// one), without creating or migrating anything: a check that the URL,
// the credentials and TLS work, and of how far away the server is. Its
// errors are *Error with an operator hint, as Open's.
func Probe(ctx context.Context, cfg Config, rounds int) (ProbeResult, error) {
	cfg.MaxConns = 1
	t, err := resolveURL(cfg)
	if err != nil {
		return ProbeResult{}, err
	}
	res := ProbeResult{Database: t.database, Host: t.host, SSLMode: t.sslmode}
	pool, err := newPool(cfg, t.url)
	if err != nil {
		return res, err
	}
	defer pool.Close()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		if t.create && pgCode(err) == "3D000" {
			res.Missing = true
			return res, nil
		}
		return res, classify("connect", t, err)
	}
	defer conn.Release()
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&res.ServerVersion); err != nil {
		return res, classify("query", t, err)
	}
	times := make([]time.Duration, 0, max(rounds, 1))
	for range max(rounds, 1) {
		start := time.Now()
		var one int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			return res, classify("query", t, err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	res.RoundTrip = times[len(times)/2]
	return res, nil
}

// String describes the result for an operator.
func (r ProbeResult) String() string {
	if r.Missing {
		return fmt.Sprintf("database %q on %s does not exist yet; hull creates it at the first start", r.Database, r.Host)
	}
	return fmt.Sprintf("database %q on %s (PostgreSQL %s, sslmode %s)", r.Database, r.Host, r.ServerVersion, r.SSLMode)
}
