package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Error is a failure an operator can fix: what hull was doing, what went
// wrong, and what to change. It unwraps to the underlying error.
type Error struct {
	Op     string // e.g. "connect", "create database"
	Detail string // what went wrong, passwords redacted
	Hint   string // what to change
	Err    error
}

func (e *Error) Error() string {
	msg := "postgres: " + e.Op + ": " + e.Detail
	if e.Hint != "" {
		msg += " (hint: " + e.Hint + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

const hintURL = "set POSTGRES_URL (or DATABASE_URL) to postgres://user:password@host:5432/dbname; " +
	"leave the database name out to use INSTANCE_NAME's database"

// target is a resolved connection URL and what Open may do with it.
type target struct {
	url      string // with database and sslmode filled in
	redacted string // url without its password, for messages
	database string
	host     string
	user     string
	sslmode  string
	create   bool // the URL named no database: create it when missing
}

// resolveURL applies the database-name and TLS rules to cfg.URL.
func resolveURL(cfg Config) (*target, error) {
	if cfg.URL == "" {
		return nil, &Error{Op: "parse URL", Detail: "no database URL", Hint: hintURL}
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		detail := "not a postgres:// URL"
		if err != nil {
			detail = redactErr(err)
		}
		return nil, &Error{Op: "parse URL", Detail: detail, Hint: hintURL, Err: err}
	}
	t := &target{host: u.Host, user: u.User.Username()}
	t.database = strings.TrimPrefix(u.Path, "/")
	if strings.Contains(t.database, "/") {
		return nil, &Error{Op: "parse URL", Detail: fmt.Sprintf("database name %q contains '/'", t.database), Hint: hintURL}
	}
	if t.database == "" {
		t.database = DatabaseName(cfg.InstanceName)
		t.create = true
		u.Path = "/" + t.database
	}
	q := u.Query()
	t.sslmode = q.Get("sslmode")
	if t.sslmode == "" {
		t.sslmode = "require"
		if cfg.DoNotRequireSSL {
			t.sslmode = "prefer"
		}
		q.Set("sslmode", t.sslmode)
		u.RawQuery = q.Encode()
	}
	t.url, t.redacted = u.String(), u.Redacted()
	return t, nil
}

// DatabaseName is the database hull uses for an instance when the URL
// names none: the instance name with every '-' replaced by '_'
// (convex-self-hosted → convex_self_hosted).
func DatabaseName(instance string) string {
	if instance == "" {
		instance = DefaultInstanceName
	}
	return strings.ReplaceAll(instance, "-", "_")
}

// createDatabase creates t.database through the cluster's maintenance
// database. Losing a race with another process creating it is success.
func createDatabase(ctx context.Context, cfg Config, t *target) error {
	u, _ := url.Parse(t.url)
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return classify("connect to create database "+t.database, t, err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{t.database}.Sanitize())
	switch pgCode(err) {
	case "":
		if err != nil {
			return classify("create database "+t.database, t, err)
		}
		cfg.Logger.Info("postgres: created database", "database", t.database, "host", t.host)
		return nil
	case "42P04": // duplicate_database: another process was first
		return nil
	case "42501": // insufficient_privilege
		return &Error{
			Op:     "create database " + t.database,
			Detail: fmt.Sprintf("role %q may not create databases and database %q does not exist", t.user, t.database),
			Hint: fmt.Sprintf("grant the CREATEDB privilege (ALTER ROLE %s CREATEDB), or create it as an admin "+
				"(CREATE DATABASE %s OWNER %s), or put an existing database's name in the URL",
				pgx.Identifier{t.user}.Sanitize(), pgx.Identifier{t.database}.Sanitize(), pgx.Identifier{t.user}.Sanitize()),
			Err: err,
		}
	default:
		return classify("create database "+t.database, t, err)
	}
}

// classify turns a connection or setup error into an *Error with a hint
// when the operator can fix it, and wraps it otherwise.
func classify(op string, t *target, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: %s (%s): %w", op, t.redacted, err)
	}
	e := &Error{Op: op, Detail: fmt.Sprintf("%s: %s", t.redacted, redactErr(err)), Err: err}
	msg := err.Error()
	var netErr net.Error
	switch code := pgCode(err); {
	case code == "3D000":
		e.Hint = fmt.Sprintf("database %q does not exist: create it (CREATE DATABASE %s) or fix the name in the URL",
			t.database, pgx.Identifier{t.database}.Sanitize())
	case code == "28P01" || code == "28000":
		e.Hint = fmt.Sprintf("the server refused role %q: check the user name and password in the URL", t.user)
	case code == "42501":
		e.Hint = fmt.Sprintf("role %q lacks a privilege hull needs: it must be able to create tables in database %q "+
			"(GRANT CREATE ON SCHEMA public TO %s, or make it the database owner)",
			t.user, t.database, pgx.Identifier{t.user}.Sanitize())
	case code == "53300":
		e.Hint = "the server has no free connection slots: raise max_connections or lower other clients' pools"
	case strings.Contains(msg, "refused TLS") || strings.Contains(msg, "server does not support SSL"):
		e.Hint = "the server does not offer TLS: enable TLS on the server, or allow plaintext with " +
			"DO_NOT_REQUIRE_SSL=1 (or sslmode=disable in the URL) on a trusted network"
	case strings.Contains(msg, "tls:") || strings.Contains(msg, "x509:"):
		e.Hint = "the TLS handshake failed: check the server certificate and the URL's sslmode " +
			"(require encrypts without verifying; verify-full also checks the host name)"
	case code == "" && (errors.As(err, &netErr) || strings.Contains(msg, "dial") || strings.Contains(msg, "connect")):
		e.Hint = fmt.Sprintf("no PostgreSQL server answered at %s: check that it runs, that the host and port "+
			"in POSTGRES_URL/DATABASE_URL are right, and that no firewall is in the way", t.host)
	}
	return e
}

// redactErr renders err without any password a URL inside it may carry.
func redactErr(err error) string {
	msg := err.Error()
	for _, field := range strings.Fields(msg) {
		field = strings.Trim(field, `"'():,`)
		if u, perr := url.Parse(field); perr == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				msg = strings.ReplaceAll(msg, field, u.Redacted())
			}
		}
	}
	return msg
}
