package config

import (
	"errors"
	"flag"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const secret = "4361726e697461732c206c69746572616c6c79206d65616e696e6720226c6974"

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Interface: "0.0.0.0", Port: 3210, DataDir: "./hull-data", InstanceName: "convex-self-hosted",
		RequireSSL: true, LogLevel: slog.LevelInfo, LogFormat: LogAuto,
		ReadyWait: 20 * time.Second, ShutdownTimeout: 10 * time.Second, MaxBodyBytes: DefaultMaxBodyBytes,
	}
	got := c
	got.TrustedProxies = nil
	if !equalConfig(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if len(c.TrustedProxies) != 2 || !c.TrustedProxies[0].Contains(netip.MustParseAddr("127.0.0.1")) || !c.TrustedProxies[1].Contains(netip.MustParseAddr("::1")) {
		t.Fatalf("trusted proxies = %v", c.TrustedProxies)
	}
	if c.NodePath != "node" || c.NodeDir != filepath.Join("hull-data", "node") || c.NodeProcesses != 4 || c.NodeIdleTimeout != time.Minute {
		t.Fatalf("node settings = %q %q %d %s", c.NodePath, c.NodeDir, c.NodeProcesses, c.NodeIdleTimeout)
	}
	if c.MaxSyncSessions != DefaultMaxSyncSessions {
		t.Fatalf("max sync sessions = %d, want %d", c.MaxSyncSessions, DefaultMaxSyncSessions)
	}
	if c.Addr() != "0.0.0.0:3210" || c.UsesPostgres() || c.SQLitePath() != filepath.Join("hull-data", "hull.db") {
		t.Fatalf("derived values wrong: %s %v %s", c.Addr(), c.UsesPostgres(), c.SQLitePath())
	}
}

func equalConfig(a, b Config) bool {
	a.TrustedProxies, b.TrustedProxies = nil, nil
	return a.Interface == b.Interface && a.Port == b.Port && a.DataDir == b.DataDir &&
		a.InstanceName == b.InstanceName && a.InstanceSecret == b.InstanceSecret &&
		a.DatabaseURL == b.DatabaseURL && a.RequireSSL == b.RequireSSL &&
		a.PublicOrigin == b.PublicOrigin && a.CloudOrigin == b.CloudOrigin && a.SiteOrigin == b.SiteOrigin &&
		a.LogLevel == b.LogLevel && a.LogFormat == b.LogFormat && a.ReadyWait == b.ReadyWait &&
		a.ShutdownTimeout == b.ShutdownTimeout && a.MaxBodyBytes == b.MaxBodyBytes
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{name: "the Convex self-hosted variables are read", env: map[string]string{
			"INSTANCE_NAME": "my-app", "INSTANCE_SECRET": strings.ToUpper(secret), "POSTGRES_URL": "postgres://u@db/x",
			"DO_NOT_REQUIRE_SSL": "true", "CONVEX_CLOUD_ORIGIN": "https://api.example.com/", "CONVEX_SITE_ORIGIN": "https://site.example.com",
		}, check: func(t *testing.T, c Config) {
			if c.InstanceName != "my-app" || c.InstanceSecret != secret || c.DatabaseURL != "postgres://u@db/x" || c.RequireSSL ||
				c.CloudOrigin != "https://api.example.com" || c.SiteOrigin != "https://site.example.com" || !c.UsesPostgres() {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "DATABASE_URL is an alias when POSTGRES_URL is unset", env: map[string]string{"DATABASE_URL": "postgresql://u@db", "INSTANCE_SECRET": secret},
			check: func(t *testing.T, c Config) {
				if c.DatabaseURL != "postgresql://u@db" {
					t.Errorf("database url = %q", c.DatabaseURL)
				}
			}},
		{name: "POSTGRES_URL wins over DATABASE_URL", env: map[string]string{"DATABASE_URL": "postgres://a", "POSTGRES_URL": "postgres://b", "INSTANCE_SECRET": secret},
			check: func(t *testing.T, c Config) {
				if c.DatabaseURL != "postgres://b" {
					t.Errorf("database url = %q", c.DatabaseURL)
				}
			}},
		{name: "flags win over the environment", args: []string{"--port", "4000", "--data-dir=/tmp/x", "--instance-name", "flagged"},
			env: map[string]string{"PORT": "5000", "HULL_DATA_DIR": "/env", "INSTANCE_NAME": "env-name"},
			check: func(t *testing.T, c Config) {
				if c.Port != 4000 || c.DataDir != "/tmp/x" || c.InstanceName != "flagged" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "the environment wins over defaults", env: map[string]string{"PORT": "5000", "HULL_DATA_DIR": "/env", "HULL_LOG_LEVEL": "debug", "HULL_LOG_FORMAT": "JSON"},
			check: func(t *testing.T, c Config) {
				if c.Port != 5000 || c.DataDir != "/env" || c.LogLevel != slog.LevelDebug || c.LogFormat != LogJSON {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "any value of DO_NOT_REQUIRE_SSL turns SSL off, as in the Convex scripts", env: map[string]string{"DO_NOT_REQUIRE_SSL": "1"},
			check: func(t *testing.T, c Config) {
				if c.RequireSSL {
					t.Error("RequireSSL still on")
				}
			}},
		{name: "DO_NOT_REQUIRE_SSL=false keeps SSL required", env: map[string]string{"DO_NOT_REQUIRE_SSL": "false"},
			check: func(t *testing.T, c Config) {
				if !c.RequireSSL {
					t.Error("RequireSSL off")
				}
			}},
		{name: "a bare boolean flag turns SSL off", args: []string{"--do-not-require-ssl"},
			check: func(t *testing.T, c Config) {
				if c.RequireSSL {
					t.Error("RequireSSL still on")
				}
			}},
		{name: "PUBLIC_ORIGIN implies both origins", env: map[string]string{"PUBLIC_ORIGIN": "https://app.example.com/"},
			check: func(t *testing.T, c Config) {
				if c.CloudOrigin != "https://app.example.com" || c.SiteOrigin != "https://app.example.com/http" {
					t.Errorf("origins = %q %q", c.CloudOrigin, c.SiteOrigin)
				}
			}},
		{name: "an explicit site origin beats the one PUBLIC_ORIGIN implies", env: map[string]string{"PUBLIC_ORIGIN": "https://app.example.com", "CONVEX_SITE_ORIGIN": "https://site.example.com"},
			check: func(t *testing.T, c Config) {
				if c.CloudOrigin != "https://app.example.com" || c.SiteOrigin != "https://site.example.com" {
					t.Errorf("origins = %q %q", c.CloudOrigin, c.SiteOrigin)
				}
			}},
		{name: "the classic flag names of the Convex backend work", args: []string{"--convex-origin", "http://a:1", "--convex-site", "http://a:2", "--interface", "127.0.0.1"},
			check: func(t *testing.T, c Config) {
				if c.CloudOrigin != "http://a:1" || c.SiteOrigin != "http://a:2" || c.Addr() != "127.0.0.1:3210" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "trusted proxies accept CIDRs and bare addresses", args: []string{"--trusted-proxies", "10.0.0.0/8, 192.168.1.7"},
			check: func(t *testing.T, c Config) {
				if len(c.TrustedProxies) != 2 || !c.TrustedProxies[1].Contains(netip.MustParseAddr("192.168.1.7")) {
					t.Errorf("trusted proxies = %v", c.TrustedProxies)
				}
			}},
		{name: "an empty trusted proxy list trusts nobody", args: []string{"--trusted-proxies="},
			check: func(t *testing.T, c Config) {
				if len(c.TrustedProxies) != 0 {
					t.Errorf("trusted proxies = %v", c.TrustedProxies)
				}
			}},
		{name: "the sync session cap is read from the environment", env: map[string]string{"HULL_MAX_SYNC_SESSIONS": "250"},
			check: func(t *testing.T, c Config) {
				if c.MaxSyncSessions != 250 {
					t.Errorf("max sync sessions = %d", c.MaxSyncSessions)
				}
			}},
		{name: "the retention window defaults to a day", check: func(t *testing.T, c Config) {
			if c.Retention != DefaultRetention || DefaultRetention != 24*time.Hour {
				t.Errorf("retention = %v", c.Retention)
			}
		}},
		{name: "the retention window is read from the environment", env: map[string]string{"HULL_RETENTION": "48h"},
			check: func(t *testing.T, c Config) {
				if c.Retention != 48*time.Hour {
					t.Errorf("retention = %v", c.Retention)
				}
			}},
		{name: "the retention flag beats the environment", env: map[string]string{"HULL_RETENTION": "48h"}, args: []string{"--retention", "90m"},
			check: func(t *testing.T, c Config) {
				if c.Retention != 90*time.Minute {
					t.Errorf("retention = %v", c.Retention)
				}
			}},
		{name: "the site port is off unless set", check: func(t *testing.T, c Config) {
			if c.SitePort != 0 || c.SiteAddr() != "" {
				t.Errorf("site port %d, address %q", c.SitePort, c.SiteAddr())
			}
		}},
		{name: "HULL_SITE_PORT opens the site listener on the interface", env: map[string]string{"HULL_SITE_PORT": "3211", "HULL_INTERFACE": "127.0.0.1"},
			check: func(t *testing.T, c Config) {
				if c.SitePort != 3211 || c.SiteAddr() != "127.0.0.1:3211" {
					t.Errorf("site port %d, address %q", c.SitePort, c.SiteAddr())
				}
			}},
		{name: "the Convex backend's --site-proxy-port names the site port", args: []string{"--site-proxy-port", "4000"},
			check: func(t *testing.T, c Config) {
				if c.SitePort != 4000 {
					t.Errorf("site port %d", c.SitePort)
				}
			}},
		{name: "durations accept bare seconds", env: map[string]string{"HULL_READY_WAIT": "3", "HULL_SHUTDOWN_TIMEOUT": "1500ms"},
			check: func(t *testing.T, c Config) {
				if c.ReadyWait != 3*time.Second || c.ShutdownTimeout != 1500*time.Millisecond {
					t.Errorf("durations = %v %v", c.ReadyWait, c.ShutdownTimeout)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadErrorsNameTheirSource(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		source string
	}{
		{name: "a bad PORT names the variable", env: map[string]string{"PORT": "http"}, source: "PORT"},
		{name: "a bad --port names the flag", args: []string{"--port", "99999"}, source: "--port"},
		{name: "a short INSTANCE_SECRET names the variable", env: map[string]string{"INSTANCE_SECRET": "abc"}, source: "INSTANCE_SECRET"},
		{name: "PostgreSQL without a secret asks for INSTANCE_SECRET", env: map[string]string{"POSTGRES_URL": "postgres://u@h"}, source: "INSTANCE_SECRET"},
		{name: "a MySQL URL is refused", env: map[string]string{"DATABASE_URL": "mysql://u@h"}, source: "DATABASE_URL"},
		{name: "an origin without a scheme is refused", env: map[string]string{"CONVEX_CLOUD_ORIGIN": "example.com"}, source: "CONVEX_CLOUD_ORIGIN"},
		{name: "an instance name with a pipe is refused", args: []string{"--instance-name", "a|b"}, source: "--instance-name"},
		{name: "a bad CIDR names the variable", env: map[string]string{"HULL_TRUSTED_PROXIES": "10.0.0.0/99"}, source: "HULL_TRUSTED_PROXIES"},
		{name: "an alias flag is named as typed", args: []string{"--convex-origin", "ftp://x"}, source: "--convex-origin"},
		{name: "a bad log format names the flag", args: []string{"--log-format", "xml"}, source: "--log-format"},
		{name: "stray arguments are refused", args: []string{"extra"}, source: "arguments"},
		{name: "a retention window under a second is refused", env: map[string]string{"HULL_RETENTION": "10ms"}, source: "HULL_RETENTION"},
		{name: "a retention window of nothing is refused", args: []string{"--retention", "0"}, source: "--retention"},
		{name: "a site port of 0 names the flag", args: []string{"--site-port", "0"}, source: "--site-port"},
		{name: "a site port equal to the port is refused", env: map[string]string{"HULL_SITE_PORT": "3210"}, source: "--site-port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, envOf(tt.env))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want a *config.Error", err)
			}
			if ce.Source != tt.source || !strings.Contains(err.Error(), tt.source) {
				t.Fatalf("error %q names %q, want %q", err, ce.Source, tt.source)
			}
		})
	}
}

func TestLoadReportsHelpAndUnknownFlags(t *testing.T) {
	if _, err := Load([]string{"-h"}, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h gave %v", err)
	}
	if _, err := Load([]string{"--nope"}, nil); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown flag gave %v", err)
	}
	var b strings.Builder
	Usage(&b)
	if !strings.Contains(b.String(), "--port") || !strings.Contains(b.String(), "INSTANCE_SECRET") {
		t.Fatalf("usage lacks names:\n%s", b.String())
	}
}

func TestLoadOrCreateSecretKeepsOneSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials", "instance_secret")
	if _, err := ReadSecret(path); err == nil {
		t.Fatal("read a secret that does not exist")
	}
	first, created, err := LoadOrCreateSecret(path)
	if err != nil || !created || len(first) != 64 {
		t.Fatalf("first = %q created=%v err=%v", first, created, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode = %v, %v", info.Mode(), err)
	}
	second, created, err := LoadOrCreateSecret(path)
	if err != nil || created || second != first {
		t.Fatalf("second = %q created=%v err=%v", second, created, err)
	}
	if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateSecret(path); err == nil {
		t.Fatal("a corrupt secret file was accepted")
	}
}

func TestRedactionFollowsProductionUnlessSetExplicitly(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		production bool
		redact     bool
	}{
		{name: "a local run shows full messages", production: false, redact: false},
		{name: "--production redacts", args: []string{"--production"}, production: true, redact: true},
		{name: "HULL_PRODUCTION redacts", env: map[string]string{"HULL_PRODUCTION": "1"}, production: true, redact: true},
		{name: "REDACT_LOGS_TO_CLIENT redacts a local run", env: map[string]string{"REDACT_LOGS_TO_CLIENT": "true"}, redact: true},
		{name: "REDACT_LOGS_TO_CLIENT=false shows full messages in production", env: map[string]string{"HULL_PRODUCTION": "1", "REDACT_LOGS_TO_CLIENT": "false"}, production: true, redact: false},
		{name: "--redact-logs-to-client=false beats the variable", args: []string{"--redact-logs-to-client=false"}, env: map[string]string{"REDACT_LOGS_TO_CLIENT": "1"}, redact: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Production != tt.production || c.Redact() != tt.redact {
				t.Fatalf("production %v redact %v, want %v %v", c.Production, c.Redact(), tt.production, tt.redact)
			}
		})
	}
}
