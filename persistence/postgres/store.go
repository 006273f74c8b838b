// Package postgres is the production persistence.Store: hull's revision
// log, current-state tables, writer lease and module store in a PostgreSQL
// database.
//
// It speaks to the server through a pgxpool in QueryExecModeExec: no named
// prepared statements, no session state, no LISTEN, so it works behind
// transaction-mode poolers (PgBouncer, Supavisor, Neon's pooler). Every
// Write is one statement, a call of the hull_write function, in one round
// trip: it locks the lease row and raises when the fence moved or the ts
// does not rise, then appends to the logs and updates current state, so
// everything commits together or not at all. Multi-statement work (GC) is
// a pipelined batch ending in one Sync, which PostgreSQL runs as one
// implicit transaction.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hull/persistence"
)

// Config selects and tunes the database. The zero value of every field but
// URL works.
type Config struct {
	// URL is the PostgreSQL connection URL (POSTGRES_URL or DATABASE_URL),
	// postgres://user:password@host:port/dbname?sslmode=.... A URL with a
	// database name is used as given. A URL without one names a cluster:
	// the database is InstanceName with every '-' replaced by '_', created
	// when missing.
	URL string
	// InstanceName picks the database when URL names none. Default
	// "convex-self-hosted" (database convex_self_hosted).
	InstanceName string
	// DoNotRequireSSL (DO_NOT_REQUIRE_SSL) lets a URL without sslmode
	// connect without TLS (libpq's "prefer"). Without it such a URL gets
	// sslmode=require. An sslmode written in the URL is always honoured.
	DoNotRequireSSL bool
	// MaxConns bounds the pool. Default 8.
	MaxConns int32
	// Logger receives diagnostics. Default slog.Default().
	Logger *slog.Logger
}

// pingAfterIdle is how long a pooled connection may idle before it is
// checked with a ping on its next use.
const pingAfterIdle = 30 * time.Second

// DefaultInstanceName is the instance name used when Config.InstanceName
// is empty, as in Convex's self-hosted images.
const DefaultInstanceName = "convex-self-hosted"

// Store is a persistence.Store on one PostgreSQL database. It is safe for
// concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	database string
	logger   *slog.Logger
	gcChunk  int64 // log rows one GC transaction examines
	// compactMinBytes: relations smaller than this are never rebuilt.
	compactMinBytes int64
	// compactAlways (tests) makes every GC start a new log generation and
	// rebuild the current-state indexes.
	compactAlways bool
	health        persistence.Health

	analyzer analyzer
	bg       sync.WaitGroup // background work, stopped by Close
	bgCtx    context.Context
	bgCancel context.CancelFunc
}

var _ persistence.Store = (*Store)(nil)

// Open connects to the database cfg names (creating it when the URL names
// only a cluster), migrates hull's schema to the current version and
// returns the store. It does not take the writer lease. Errors an operator
// can fix are *Error values with a hint.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 8
	}
	target, err := resolveURL(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := connect(ctx, cfg, target)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, classify("migrate schema", target, err)
	}
	cfg.Logger.Info("postgres: store open", "database", target.database, "host", target.host,
		"sslmode", target.sslmode, "schema_version", len(migrations))
	s := &Store{pool: pool, database: target.database, logger: cfg.Logger, gcChunk: defaultGCChunk,
		compactMinBytes: defaultCompactMinBytes}
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	return s, nil
}

// connect opens the pool and checks the database is reachable, creating it
// first when the URL named only a cluster.
func connect(ctx context.Context, cfg Config, target *target) (*pgxpool.Pool, error) {
	pool, err := newPool(cfg, target.url)
	if err != nil {
		return nil, err
	}
	err = pool.Ping(ctx)
	if err == nil {
		return pool, nil
	}
	pool.Close()
	if !target.create || pgCode(err) != "3D000" { // 3D000: database does not exist
		return nil, classify("connect", target, err)
	}
	if err := createDatabase(ctx, cfg, target); err != nil {
		return nil, err
	}
	pool, err = newPool(cfg, target.url)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, classify("connect", target, err)
	}
	return pool, nil
}

// newPool builds a pool that works behind transaction poolers: no
// statement or description caches, parameters typed by the SQL text.
func newPool(cfg Config, url string) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &Error{Op: "parse URL", Detail: redactErr(err), Hint: hintURL, Err: err}
	}
	pc.MaxConns = cfg.MaxConns
	// pgxpool pings a connection idle for over a second before lending it:
	// a round trip in front of the first statement after every pause, and
	// with the database 10–300 ms away that doubles a commit. Check only
	// connections idle long enough for a NAT or pooler to have dropped them.
	pc.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool {
		return p.IdleDuration > pingAfterIdle
	}
	cc := pc.ConnConfig
	cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	cc.StatementCacheCapacity = 0
	cc.DescriptionCacheCapacity = 0
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	if _, ok := cc.RuntimeParams["application_name"]; !ok {
		cc.RuntimeParams["application_name"] = "hull"
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: new pool: %w", err)
	}
	return pool, nil
}

// Close closes the pool. The lease row stays; a later Acquire takes it
// over.
func (s *Store) Close() error {
	s.stopBackground()
	s.pool.Close()
	return nil
}

// Database returns the name of the database the store uses.
func (s *Store) Database() string { return s.database }

// pgCode returns the SQLSTATE of err, or "" when err carries none.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
