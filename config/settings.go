package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hull/adminkey"
)

// allSettings lists every setting in the order it is applied and shown.
func allSettings() []setting {
	return append([]setting{
		{flags: []string{"port"}, envs: []string{"PORT"}, def: strconv.Itoa(DefaultPort),
			usage: "TCP port serving the API, HTTP actions and health routes",
			apply: func(c *Config, v string) (err error) { c.Port, err = parsePort(v); return err }},
		{flags: []string{"site-port", "site-proxy-port"}, envs: []string{"HULL_SITE_PORT"},
			usage: "TCP port serving HTTP actions at its root too, as Convex's classic layout does (its 3211); unset: HTTP actions only under /http on --port",
			apply: func(c *Config, v string) (err error) {
				if v == "" {
					return nil
				}
				c.SitePort, err = parsePort(v)
				if err == nil && c.SitePort == 0 {
					err = errors.New("want a port number between 1 and 65535")
				}
				return err
			}},
		{flags: []string{"metrics-port"}, envs: []string{"HULL_METRICS_PORT"},
			usage: "TCP port answering GET /metrics (Prometheus text format) without an admin key; unset: /metrics only on --port, for admin keys",
			apply: func(c *Config, v string) (err error) {
				if v == "" {
					return nil
				}
				c.MetricsPort, err = parsePort(v)
				if err == nil && c.MetricsPort == 0 {
					err = errors.New("want a port number between 1 and 65535")
				}
				return err
			}},
		{flags: []string{"metrics-interface"}, envs: []string{"HULL_METRICS_INTERFACE"}, def: "127.0.0.1",
			usage: "address the --metrics-port listener binds to; anyone who reaches it reads the metrics",
			apply: func(c *Config, v string) error { c.MetricsInterface = v; return nil }},
		{flags: []string{"interface", "host"}, envs: []string{"HULL_INTERFACE"}, def: DefaultInterface,
			usage: "address to listen on",
			apply: func(c *Config, v string) error { c.Interface = v; return nil }},
		{flags: []string{"data-dir"}, envs: []string{"HULL_DATA_DIR"}, def: DefaultDataDir,
			usage: "folder for the embedded database, files and the generated instance secret",
			apply: func(c *Config, v string) error { c.DataDir = v; return nil }},
		{flags: []string{"instance-name"}, envs: []string{"INSTANCE_NAME"}, def: DefaultInstanceName,
			usage: "deployment name; admin keys carry it",
			apply: applyInstanceName},
		{flags: []string{"instance-secret"}, envs: []string{"INSTANCE_SECRET"},
			usage: "64 hex characters signing admin keys; generated into the data dir when unset (SQLite only)",
			apply: applyInstanceSecret},
		{flags: []string{"database-url", "db-url"}, envs: []string{"POSTGRES_URL", "DATABASE_URL"},
			usage: "PostgreSQL URL; unset means embedded SQLite in the data dir",
			apply: applyDatabaseURL},
		{flags: []string{"do-not-require-ssl"}, envs: []string{"DO_NOT_REQUIRE_SSL"}, def: "false", boolean: true,
			usage: "allow PostgreSQL connections without TLS",
			apply: func(c *Config, v string) error {
				b, err := parseBool(v)
				c.RequireSSL = !b
				return err
			}},
		{flags: []string{"public-origin"}, envs: []string{"PUBLIC_ORIGIN"},
			usage: "public origin serving everything; implies the cloud origin and the site origin <origin>/http",
			apply: func(c *Config, v string) (err error) { c.PublicOrigin, err = parseOrigin(v); return err }},
		{flags: []string{"cloud-origin", "convex-origin"}, envs: []string{"CONVEX_CLOUD_ORIGIN"},
			usage: "public origin of the Convex API (CONVEX_CLOUD_URL in functions)",
			apply: func(c *Config, v string) (err error) { c.CloudOrigin, err = parseOrigin(v); return err }},
		{flags: []string{"site-origin", "convex-site"}, envs: []string{"CONVEX_SITE_ORIGIN"},
			usage: "public origin of HTTP actions (CONVEX_SITE_URL in functions)",
			apply: func(c *Config, v string) (err error) { c.SiteOrigin, err = parseOrigin(v); return err }},
		{flags: []string{"trusted-proxies"}, envs: []string{"HULL_TRUSTED_PROXIES"}, def: "127.0.0.0/8,::1/128",
			usage: "comma-separated CIDRs whose X-Forwarded-Proto/Host headers are honoured",
			apply: func(c *Config, v string) (err error) { c.TrustedProxies, err = parsePrefixes(v); return err }},
		{flags: []string{"log-level"}, envs: []string{"HULL_LOG_LEVEL"}, def: "info",
			usage: "debug, info, warn or error",
			apply: func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
		{flags: []string{"log-format"}, envs: []string{"HULL_LOG_FORMAT"}, def: LogAuto,
			usage: "auto (text on a terminal, JSON otherwise), text or json",
			apply: applyLogFormat},
		{flags: []string{"ready-wait"}, envs: []string{"HULL_READY_WAIT"}, def: DefaultReadyWait.String(),
			usage: "how long a request waits for storage at startup before a 503",
			apply: func(c *Config, v string) (err error) { c.ReadyWait, err = parseDuration(v); return err }},
		{flags: []string{"shutdown-timeout"}, envs: []string{"HULL_SHUTDOWN_TIMEOUT"}, def: DefaultShutdownTimeout.String(),
			usage: "how long in-flight requests may run after SIGTERM",
			apply: func(c *Config, v string) (err error) { c.ShutdownTimeout, err = parseDuration(v); return err }},
		{flags: []string{"max-body-bytes"}, envs: []string{"HULL_MAX_BODY_BYTES", "MAX_PUSH_BYTES"}, def: strconv.Itoa(DefaultMaxBodyBytes),
			usage: "largest accepted request body, in bytes",
			apply: func(c *Config, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n <= 0 {
					return errors.New("want a positive number of bytes")
				}
				c.MaxBodyBytes = n
				return nil
			}},
		{flags: []string{"function-memory"}, envs: []string{"HULL_FUNCTION_MEMORY_BYTES"}, def: "67108864",
			usage: "memory one function run may use (JS heap and engine), in bytes",
			apply: func(c *Config, v string) (err error) { c.FunctionMemoryBytes, err = parsePositive(v); return err }},
		{flags: []string{"query-timeout"}, envs: []string{"HULL_QUERY_TIMEOUT"}, def: "1s",
			usage: "CPU time a query or mutation may use",
			apply: func(c *Config, v string) (err error) { c.QueryTimeout, err = parseDuration(v); return err }},
		{flags: []string{"action-timeout"}, envs: []string{"HULL_ACTION_TIMEOUT"}, def: "10m",
			usage: "how long an action may run",
			apply: func(c *Config, v string) (err error) { c.ActionTimeout, err = parseDuration(v); return err }},
		{flags: []string{"js-engine"}, envs: []string{"HULL_JS_ENGINE"}, def: JSEngineAuto,
			usage: "JavaScript engine: tiered (each function on QuickJS until measured to need V8), v8, quickjs, or auto (tiered when this binary has V8, else quickjs)",
			apply: func(c *Config, v string) error {
				switch v {
				case JSEngineAuto, "tiered", "v8", "quickjs":
					c.JSEngine = v
					return nil
				}
				return errors.New("want tiered, v8, quickjs or auto")
			}},
		{flags: []string{"max-concurrent-queries"}, envs: []string{"HULL_MAX_CONCURRENT_QUERIES"}, def: "32",
			usage: "queries and mutations running at once; more wait",
			apply: func(c *Config, v string) error {
				n, err := parsePositive(v)
				c.MaxConcurrentQueries = int(n)
				return err
			}},
		{flags: []string{"production"}, envs: []string{"HULL_PRODUCTION"}, def: "false", boolean: true,
			usage: "production defaults: function errors and logs are redacted for callers without an admin key",
			apply: func(c *Config, v string) (err error) { c.Production, err = parseBool(v); return err }},
		{flags: []string{"redact-logs-to-client"}, envs: []string{"REDACT_LOGS_TO_CLIENT"}, boolean: true,
			usage: "show callers without an admin key only \"[Request ID: <id>] Server Error\" (and ConvexError data) of a failed function, and no log lines (default: on with --production, else off)",
			apply: applyRedact},
		{flags: []string{"max-concurrent-actions"}, envs: []string{"HULL_MAX_CONCURRENT_ACTIONS"}, def: "64",
			usage: "actions running at once; more wait",
			apply: func(c *Config, v string) error {
				n, err := parsePositive(v)
				c.MaxConcurrentActions = int(n)
				return err
			}},
		{flags: []string{"node-path"}, envs: []string{"HULL_NODE_PATH"}, def: "node",
			usage: "the Node.js executable that runs \"use node\" actions: a path, or a name looked up on PATH",
			apply: func(c *Config, v string) error { c.NodePath = v; return nil }},
		{flags: []string{"node-dir"}, envs: []string{"HULL_NODE_DIR"},
			usage: "working folder of Node.js actions (their code and installed packages, rebuilt from the database when missing); default <data-dir>/node",
			apply: func(c *Config, v string) error { c.NodeDir = v; return nil }},
		{flags: []string{"node-processes"}, envs: []string{"HULL_NODE_PROCESSES", "APPLICATION_MAX_CONCURRENT_NODE_ACTIONS"}, def: "4",
			usage: "Node.js processes running \"use node\" actions at once (one action each); more actions wait",
			apply: func(c *Config, v string) error {
				n, err := parsePositive(v)
				c.NodeProcesses = int(n)
				return err
			}},
		{flags: []string{"node-memory"}, envs: []string{"HULL_NODE_MEMORY_BYTES"}, def: "536870912",
			usage: "JavaScript heap of each Node.js action process, in bytes (512 MiB, as Convex gives Node actions)",
			apply: func(c *Config, v string) (err error) { c.NodeMemoryBytes, err = parsePositive(v); return err }},
		{flags: []string{"node-idle-timeout"}, envs: []string{"HULL_NODE_IDLE_TIMEOUT"}, def: "1m",
			usage: "how long an idle Node.js process is kept for the next action",
			apply: func(c *Config, v string) (err error) { c.NodeIdleTimeout, err = parseDuration(v); return err }},
		{flags: []string{"dashboard-link-ttl"}, envs: []string{"HULL_DASHBOARD_LINK_TTL"}, def: "5m",
			usage: "how long a one-time login link printed by `hull dashboard` works",
			apply: func(c *Config, v string) (err error) { c.DashboardLinkTTL, err = parseDuration(v); return err }},
		{flags: []string{"backup-interval"}, envs: []string{"HULL_BACKUP_INTERVAL"}, def: "0",
			usage: "write a backup (a snapshot ZIP, as `npx convex export` makes) to the blob store at this interval, such as 6h; 0 turns scheduled backups off",
			apply: func(c *Config, v string) (err error) {
				if v == "0" {
					c.BackupInterval = 0
					return nil
				}
				c.BackupInterval, err = parseDuration(v)
				return err
			}},
		{flags: []string{"backup-keep"}, envs: []string{"HULL_BACKUP_KEEP"}, def: "7",
			usage: "how many scheduled backups stay in the blob store; older ones are deleted",
			apply: func(c *Config, v string) error {
				n, err := parsePositive(v)
				c.BackupKeep = int(n)
				return err
			}},
		{flags: []string{"backup-include-files"}, envs: []string{"HULL_BACKUP_INCLUDE_FILES"}, def: "true", boolean: true,
			usage: "put the bytes of stored files into scheduled backups",
			apply: func(c *Config, v string) (err error) { c.BackupIncludeFiles, err = parseBool(v); return err }},
		{flags: []string{"max-sync-sessions"}, envs: []string{"HULL_MAX_SYNC_SESSIONS"}, def: strconv.Itoa(DefaultMaxSyncSessions),
			usage: "WebSocket sync sessions open at once; one more is closed with a TooManySessions reason",
			apply: func(c *Config, v string) error {
				n, err := parsePositive(v)
				c.MaxSyncSessions = int(n)
				return err
			}},
		{flags: []string{"retention"}, envs: []string{"HULL_RETENTION"}, def: DefaultRetention.String(),
			usage: "how long the history of every document is kept (reads at an older timestamp fail as too old); older revisions and deleted documents are removed continuously",
			apply: func(c *Config, v string) (err error) {
				c.Retention, err = parseDuration(v)
				if err == nil && c.Retention < MinRetention {
					err = fmt.Errorf("want at least %s", MinRetention)
				}
				return err
			}},
	}, storageSettings()...)
}

// applyRedact sets RedactErrors from an explicit value; the default
// follows --production (see finish).
func applyRedact(c *Config, v string) error {
	if v == "" {
		return nil
	}
	b, err := parseBool(v)
	c.RedactErrors = &b
	return err
}

func parsePositive(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("want a positive whole number")
	}
	return n, nil
}

func parsePort(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 65535 {
		return 0, errors.New("want a port number between 0 and 65535")
	}
	return n, nil
}

// parseBool reads a switch the way the Convex self-hosted scripts do: set
// to anything means on, except an explicit false, 0, no or off.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return true, nil
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		// A bare number counts as seconds.
		secs, nerr := strconv.ParseFloat(v, 64)
		if nerr != nil {
			return 0, errors.New("want a duration such as 20s or 1m")
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 {
		return 0, errors.New("want a positive duration")
	}
	return d, nil
}

func applyInstanceName(c *Config, v string) error {
	if v == "" || strings.ContainsAny(v, "|: /") {
		return errors.New("want a non-empty name without '|', ':', '/' or spaces")
	}
	c.InstanceName = v
	return nil
}

func applyInstanceSecret(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if _, err := adminkey.DecodeSecret(v); err != nil {
		return errors.New("want 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`")
	}
	c.InstanceSecret = strings.ToLower(v)
	return nil
}

func applyDatabaseURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return errors.New("want a postgres:// or postgresql:// URL")
	}
	c.DatabaseURL = v
	return nil
}

func applyLogFormat(c *Config, v string) error {
	switch v = strings.ToLower(v); v {
	case LogAuto, LogText, LogJSON:
		c.LogFormat = v
		return nil
	}
	return errors.New("want auto, text or json")
}

// parseOrigin accepts "" or an http(s) origin, possibly with a path (for
// a site origin under /http); a trailing slash is dropped.
func parseOrigin(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("want an origin starting with http:// or https://")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("an origin has no query or fragment")
	}
	return strings.TrimRight(v, "/"), nil
}

func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", part)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
