// Package config owns hull's configuration surface: command-line flags, the
// environment (hull's own names and the Convex self-hosted names), their
// defaults, validation, and the resulting Config. Flags win over the
// environment; errors name the flag or variable at fault.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Defaults.
const (
	DefaultPort            = 3210
	DefaultInterface       = "0.0.0.0"
	DefaultDataDir         = "./hull-data"
	DefaultInstanceName    = "convex-self-hosted"
	DefaultReadyWait       = 20 * time.Second
	DefaultShutdownTimeout = 10 * time.Second
	DefaultMaxBodyBytes    = 200_000_000
	// DefaultMaxSyncSessions caps the WebSocket sync sessions: about
	// 200 MB of idle sessions.
	DefaultMaxSyncSessions = 10000
	// DefaultRetention is how long the history of the database is kept
	// (reads at an older timestamp fail as too old): a day, so the log
	// holds at most a day of writes beyond the live data, while a
	// client's consistent reads and an operator's look at yesterday
	// still work.
	DefaultRetention = 24 * time.Hour
	// MinRetention is the shortest retention window accepted.
	MinRetention = time.Second
)

// Log formats.
const (
	LogAuto = "auto" // text on a terminal, JSON otherwise
	LogText = "text"
	LogJSON = "json"
)

// Config is the validated configuration of one hull process.
type Config struct {
	// DashboardLinkTTL is how long a `hull dashboard` login link works.
	DashboardLinkTTL time.Duration
	// Interface and Port form the listen address.
	Interface string
	Port      int
	// SitePort, when not 0, is a second port serving HTTP actions at its
	// root (the classic layout's site port).
	SitePort int
	// MetricsPort, when not 0, is a port answering GET /metrics without
	// an admin key, on MetricsInterface (default 127.0.0.1).
	MetricsPort      int
	MetricsInterface string
	// DataDir holds the embedded database, local files and the generated
	// instance secret.
	DataDir string
	// InstanceName names the deployment; admin keys carry it.
	InstanceName string
	// InstanceSecret is 64 hex characters, or empty when it is to be
	// generated and kept in DataDir (embedded SQLite only).
	InstanceSecret string
	// DatabaseURL selects PostgreSQL; empty means embedded SQLite.
	DatabaseURL string
	// RequireSSL is true unless DO_NOT_REQUIRE_SSL / --do-not-require-ssl.
	RequireSSL bool
	// PublicOrigin, when set, implies CloudOrigin and SiteOrigin.
	PublicOrigin string
	// CloudOrigin and SiteOrigin are the public origins of the API and of
	// HTTP actions. Empty means "derive from each request".
	CloudOrigin string
	SiteOrigin  string
	// TrustedProxies lists the peers whose X-Forwarded-* headers count.
	TrustedProxies []netip.Prefix
	LogLevel       slog.Level
	LogFormat      string
	// ReadyWait bounds how long a request waits for storage at startup.
	ReadyWait time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests at shutdown.
	ShutdownTimeout time.Duration
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64
	// Function limits (zero: the runtime's defaults, see runtime.Options).
	FunctionMemoryBytes  int64
	QueryTimeout         time.Duration // CPU time of a query or mutation
	ActionTimeout        time.Duration
	MaxConcurrentQueries int // queries and mutations running at once
	MaxConcurrentActions int
	// MaxSyncSessions caps the WebSocket sync sessions open at once.
	MaxSyncSessions int
	// Retention is how long the database keeps the history of every
	// document; GC removes what is older, continuously.
	Retention time.Duration
	// Production selects production defaults (--production,
	// HULL_PRODUCTION): today, redacted function errors.
	Production bool
	// RedactErrors, when set, says whether callers without an admin key
	// see failed functions redacted (--redact-logs-to-client,
	// REDACT_LOGS_TO_CLIENT); unset follows Production. See Redact.
	RedactErrors *bool
	// Storage says where file bytes go (see storage.go).
	Storage Storage
	// Node.js actions: the executable, the working folder (default
	// <DataDir>/node), the processes running at once and how long an idle
	// one is kept.
	NodePath        string
	NodeDir         string
	NodeProcesses   int
	NodeIdleTimeout time.Duration
	// NodeMemoryBytes is the JavaScript heap of each Node.js process.
	NodeMemoryBytes int64
	// BackupInterval is the time between scheduled backups (0: none);
	// BackupKeep how many stay; BackupIncludeFiles whether they hold the
	// bytes of stored files.
	BackupInterval     time.Duration
	BackupKeep         int
	BackupIncludeFiles bool
	// JSEngine names the JavaScript engine: "tiered", "v8", "quickjs" or
	// JSEngineAuto (tiered when the binary has V8).
	JSEngine string
}

// Redact reports whether callers without an admin key see function
// errors redacted, as on a Convex production deployment.
func (c Config) Redact() bool {
	if c.RedactErrors != nil {
		return *c.RedactErrors
	}
	return c.Production
}

// JSEngineAuto picks the best JavaScript engine the binary has.
const JSEngineAuto = "auto"

// Addr is the listen address.
func (c Config) Addr() string {
	return net.JoinHostPort(c.Interface, strconv.Itoa(c.Port))
}

// SiteAddr is the site listener's address, or "" when it is off.
func (c Config) SiteAddr() string {
	if c.SitePort == 0 {
		return ""
	}
	return net.JoinHostPort(c.Interface, strconv.Itoa(c.SitePort))
}

// MetricsAddr is the metrics listener's address, or "" when it is off.
func (c Config) MetricsAddr() string {
	if c.MetricsPort == 0 {
		return ""
	}
	return net.JoinHostPort(c.MetricsInterface, strconv.Itoa(c.MetricsPort))
}

// UsesPostgres reports whether storage is PostgreSQL.
func (c Config) UsesPostgres() bool { return c.DatabaseURL != "" }

// SQLitePath is the embedded database file.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "hull.db") }

// SecretPath is where a generated instance secret is kept.
func (c Config) SecretPath() string {
	return filepath.Join(c.DataDir, "credentials", "instance_secret")
}

// Error is a configuration error naming its source (a flag or variable).
type Error struct {
	Source string // e.g. "--port" or "PORT"
	Value  string
	Reason string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("config: %s: %s", e.Source, e.Reason)
	}
	return fmt.Sprintf("config: %s=%q: %s", e.Source, e.Value, e.Reason)
}

// setting is one configurable value: a flag (plus aliases), environment
// variables in priority order, a default and a parser.
type setting struct {
	flags   []string
	envs    []string
	def     string
	usage   string
	boolean bool
	apply   func(c *Config, v string) error
}

// value is a flag.Value recording whether it was set.
type value struct {
	s       string
	set     bool
	boolean bool
	name    string // the flag name used on the command line
}

func (v *value) String() string     { return v.s }
func (v *value) Set(s string) error { v.s, v.set = s, true; return nil }
func (v *value) IsBoolFlag() bool   { return v.boolean }

// Load builds a Config from args (without the program or subcommand name)
// and env (os.Getenv in production). It returns flag.ErrHelp for -h.
func Load(args []string, env func(string) string) (Config, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	settings := allSettings()
	fs := flag.NewFlagSet("hull", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := make([]*value, len(settings))
	for i, s := range settings {
		vals[i] = &value{boolean: s.boolean}
		for _, name := range s.flags {
			fs.Var(vals[i], name, s.usage)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, flag.ErrHelp
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	fs.Visit(func(f *flag.Flag) { f.Value.(*value).name = f.Name })
	if fs.NArg() > 0 {
		return Config{}, &Error{Source: "arguments", Value: strings.Join(fs.Args(), " "), Reason: "unexpected arguments"}
	}
	var c Config
	for i, s := range settings {
		raw, source := resolve(s, vals[i], env)
		if err := s.apply(&c, raw); err != nil {
			return Config{}, &Error{Source: source, Value: raw, Reason: err.Error()}
		}
	}
	if err := c.finish(env); err != nil {
		return Config{}, err
	}
	return c, nil
}

// resolve picks the flag value, else the first non-empty variable, else the
// default, and names where it came from.
func resolve(s setting, v *value, env func(string) string) (raw, source string) {
	if v.set {
		return v.s, "--" + v.name
	}
	for _, name := range s.envs {
		if e := strings.TrimSpace(env(name)); e != "" {
			return e, name
		}
	}
	src := "default"
	if len(s.flags) > 0 {
		src = "--" + s.flags[0]
	}
	return s.def, src
}

// finish derives dependent values and checks cross-setting rules.
func (c *Config) finish(env func(string) string) error {
	if c.PublicOrigin != "" {
		if c.CloudOrigin == "" {
			c.CloudOrigin = c.PublicOrigin
		}
		if c.SiteOrigin == "" {
			c.SiteOrigin = c.PublicOrigin + "/http"
		}
	}
	if c.SitePort != 0 && c.SitePort == c.Port {
		return &Error{Source: "--site-port", Value: strconv.Itoa(c.SitePort), Reason: "must differ from --port (HTTP actions are served under /http on --port already)"}
	}
	if c.MetricsPort != 0 && (c.MetricsPort == c.Port || c.MetricsPort == c.SitePort) {
		return &Error{Source: "--metrics-port", Value: strconv.Itoa(c.MetricsPort), Reason: "must differ from --port and --site-port"}
	}
	if c.NodeDir == "" {
		c.NodeDir = filepath.Join(c.DataDir, "node")
	}
	if c.UsesPostgres() && c.InstanceSecret == "" {
		return &Error{Source: "INSTANCE_SECRET", Reason: "required with PostgreSQL (POSTGRES_URL/DATABASE_URL/--database-url): " +
			"no secret is kept on disk in production; generate one with `openssl rand -hex 32` and pass it as INSTANCE_SECRET or --instance-secret"}
	}
	return c.checkStorage()
}

// Usage writes the flag and environment reference to w.
func Usage(w io.Writer) {
	for _, s := range allSettings() {
		names := make([]string, len(s.flags))
		for i, f := range s.flags {
			names[i] = "--" + f
		}
		line := "  " + strings.Join(names, ", ")
		switch {
		case len(names) == 0:
			line += "env " + strings.Join(s.envs, ", ") // environment only (credentials)
		case len(s.envs) > 0:
			line += " (env " + strings.Join(s.envs, ", ") + ")"
		}
		fmt.Fprintln(w, line)
		detail := "      " + s.usage
		if s.def != "" {
			detail += " (default " + s.def + ")"
		}
		fmt.Fprintln(w, detail)
	}
}
