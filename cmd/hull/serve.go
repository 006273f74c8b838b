package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	"hull/adminkey"
	"hull/config"
	"hull/runtime"
	"hull/server"
)

// serve runs `hull serve` until ctx ends (SIGTERM/SIGINT).
func serve(ctx context.Context, args []string, env func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, env)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	// An engine that cannot start fails the boot, before the port is
	// bound: no request could be served.
	engine, err := jsEngine(cfg)
	if err != nil {
		return err
	}
	secret, created, err := instanceSecret(cfg)
	if err != nil {
		return err
	}
	cfg.InstanceSecret = secret

	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr(), err)
	}
	if created {
		if err := printBanner(stderr, cfg, ln.Addr()); err != nil {
			ln.Close()
			return err
		}
	}
	storage := "sqlite " + cfg.SQLitePath()
	if cfg.UsesPostgres() {
		storage = "postgres"
	}
	srv, err := server.New(server.Config{
		InstanceName:    cfg.InstanceName,
		InstanceSecret:  cfg.InstanceSecret,
		Version:         version,
		CloudOrigin:     cfg.CloudOrigin,
		SiteOrigin:      cfg.SiteOrigin,
		TrustedProxies:  cfg.TrustedProxies,
		ReadyWait:       cfg.ReadyWait,
		ShutdownTimeout: cfg.ShutdownTimeout,
		MaxBodyBytes:    cfg.MaxBodyBytes,
		MaxSyncSessions: cfg.MaxSyncSessions,
		RedactErrors:    cfg.Redact(),
		Backends:        backendsOf(cfg, storage),
		Logger:          log,
	})
	if err != nil {
		ln.Close()
		return err
	}
	if addr := cfg.SiteAddr(); addr != "" {
		siteLn, err := net.Listen("tcp", addr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (--site-port): %w", addr, err)
		}
		srv.ServeSite(siteLn)
	}
	if addr := cfg.MetricsAddr(); addr != "" {
		metricsLn, err := net.Listen("tcp", addr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (--metrics-port): %w", addr, err)
		}
		srv.ServeMetrics(metricsLn)
	}
	log.Info("starting hull", "version", version, "instance", cfg.InstanceName, "storage", storage, "js_engine", engineName(cfg),
		"production", cfg.Production, "redact_errors", cfg.Redact())
	// A backend that loses the writer lease to a newer process ends the
	// serve loop as SIGTERM would: drain, close, exit 0.
	ctx, handOver := context.WithCancel(ctx)
	defer handOver()
	return srv.Serve(ctx, ln, func(openCtx context.Context) (server.Backend, error) {
		return openBackend(openCtx, cfg, engine, srv, log, handOver)
	})
}

// jsEngine returns the configured JavaScript engine, started once to
// prove it works here.
func jsEngine(cfg config.Config) (runtime.Engine, error) {
	engine, err := runtime.EngineNamed(engineName(cfg))
	if err != nil {
		return nil, fmt.Errorf("%w (set --js-engine / HULL_JS_ENGINE to quickjs to run without V8)", err)
	}
	return engine, nil
}

// engineName names the engine jsEngine picks.
func engineName(cfg config.Config) string {
	if cfg.JSEngine == config.JSEngineAuto {
		return runtime.DefaultEngineName()
	}
	return cfg.JSEngine
}

// instanceSecret returns the configured secret or, for the embedded
// default, the one kept in the data folder (generated on first start).
func instanceSecret(cfg config.Config) (secret string, created bool, err error) {
	if cfg.InstanceSecret != "" {
		return cfg.InstanceSecret, false, nil
	}
	if cfg.UsesPostgres() {
		// config.Load refuses this already; keep the rule explicit here.
		return "", false, fmt.Errorf("INSTANCE_SECRET is required with PostgreSQL")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return "", false, fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	return config.LoadOrCreateSecret(cfg.SecretPath())
}

// printBanner tells a first-time user how to point the CLI at this server.
func printBanner(w io.Writer, cfg config.Config, addr net.Addr) error {
	key, err := adminkey.Issue(cfg.InstanceName, cfg.InstanceSecret)
	if err != nil {
		return fmt.Errorf("issue the first admin key: %w", err)
	}
	url := cfg.CloudOrigin
	if url == "" {
		port := strconv.Itoa(cfg.Port)
		if tcp, ok := addr.(*net.TCPAddr); ok {
			port = strconv.Itoa(tcp.Port)
		}
		host := cfg.Interface
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		url = "http://" + net.JoinHostPort(host, port)
	}
	_, err = fmt.Fprintf(w, `
hull: generated a new instance secret in %s
      Keep it private: it signs every admin key. Print a key again with "hull keys admin".

      Paste these lines into your app's .env.local, then run "npx convex dev":

CONVEX_SELF_HOSTED_URL=%s
CONVEX_SELF_HOSTED_ADMIN_KEY=%s

`, cfg.SecretPath(), url, key)
	return err
}

// backendsOf describes the storage in use, as dashboards show it.
func backendsOf(cfg config.Config, database string) map[string]string {
	files := "local folder " + cfg.FilesDir()
	if cfg.UsesS3() {
		files = "S3 bucket " + cfg.Storage.S3.FilesBucket
		if cfg.Storage.S3.Endpoint != "" {
			files += " at " + cfg.Storage.S3.Endpoint
		}
	}
	return map[string]string{"database": database, "files": files}
}
