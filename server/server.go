// Package server owns hull's HTTP surface on one port: routing, the
// middleware every request passes (request ids, access logs, CORS, body
// limits, panic recovery), admin-key authentication, public origins, the
// health and status routes, and the process lifecycle around them —
// binding at once, holding requests until storage is open, and draining on
// shutdown. The application plugs its handlers in through Routes.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Server. Zero durations and sizes take defaults.
type Config struct {
	InstanceName   string
	InstanceSecret string
	// Version is reported by /version and /instance_version.
	Version string
	// CloudOrigin and SiteOrigin are the configured public origins; empty
	// means derive them from each request (see Origins).
	CloudOrigin string
	SiteOrigin  string
	// TrustedProxies may set X-Forwarded-Proto and X-Forwarded-Host.
	TrustedProxies []netip.Prefix
	// ReadyWait bounds how long a request waits for storage (default 20s).
	ReadyWait time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests, and then
	// separately the shutdown hooks (default 10s).
	ShutdownTimeout time.Duration
	// MaxBodyBytes caps request bodies (default 200,000,000).
	MaxBodyBytes int64
	// MaxSyncSessions caps the WebSocket sync sessions open at once
	// (default sync.DefaultMaxSessions).
	MaxSyncSessions int
	// RetryMin and RetryMax bound the backoff between attempts to open
	// storage (defaults 100ms and 5s).
	RetryMin, RetryMax time.Duration
	// RedactErrors shows callers without an admin key only what Convex
	// production deployments show them of a failed function: "[Request
	// ID: <id>] Server Error", ConvexError data kept, no log lines. The
	// log keeps everything.
	RedactErrors bool
	// Backends describes the storage in use for dashboards, e.g.
	// {"database": "sqlite", "files": "local folder"}.
	Backends map[string]string
	Logger   *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.ReadyWait <= 0 {
		c.ReadyWait = 20 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 200_000_000
	}
	if c.RetryMin <= 0 {
		c.RetryMin = 100 * time.Millisecond
	}
	if c.RetryMax < c.RetryMin {
		c.RetryMax = max(5*time.Second, c.RetryMin)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Version == "" {
		c.Version = "unknown"
	}
	return c
}

// Backend is the application once its storage is open.
type Backend interface {
	// Routes registers the application's handlers. It is called once.
	Routes(r *Routes)
}

// A Backend that also implements Readier is asked by /readyz whether it
// can serve. Ready must be cheap (a cached state, not a round trip): a
// non-nil error makes /readyz answer 503 with the error's text as the
// reason, so it must not carry secrets.
type Readier interface {
	Ready() error
}

// A Backend that also implements Shutdowner is shut down after the HTTP
// drain, before the hooks registered with OnShutdown.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// Opener opens storage and builds the application. Serve calls it in the
// background, again with exponential backoff while it fails, until it
// succeeds or shutdown begins. An error with a Hint() string method shows
// that hint on /healthz.
type Opener func(ctx context.Context) (Backend, error)

type hook struct {
	name string
	fn   func(ctx context.Context) error
}

// Server serves one hull deployment. Create it with New.
type Server struct {
	cfg     Config
	log     *slog.Logger
	auth    *Auth
	origins *originConfig
	handler http.Handler
	started time.Time
	// dashboardLinks remembers the one-time login codes already used.
	dashboardLinks *usedCodes
	metrics        *Metrics

	app      atomic.Pointer[http.Handler]
	ready    chan struct{} // closed once app is set
	failed   chan struct{} // closed if mounting the application failed
	stopping chan struct{} // closed when shutdown begins
	stopOnce sync.Once

	mu            sync.Mutex
	listenAddr    net.Addr
	siteLn        net.Listener // the site listener, or nil
	metricsLn     net.Listener // the metrics listener, or nil
	status        Status
	backend       Backend
	drainHooks    []hook
	shutdownHooks []hook
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if cfg.InstanceName == "" {
		return nil, errors.New("server: config needs an instance name")
	}
	s := &Server{
		cfg:  cfg,
		log:  cfg.Logger,
		auth: NewAuth(cfg.InstanceName, cfg.InstanceSecret),
		origins: &originConfig{cloud: cfg.CloudOrigin, site: cfg.SiteOrigin, trusted: cfg.TrustedProxies,
			siteHost: newSiteHost(cfg.CloudOrigin, cfg.SiteOrigin)},
		ready:          make(chan struct{}),
		failed:         make(chan struct{}),
		stopping:       make(chan struct{}),
		status:         Status{State: StateStarting, Reason: "storage is opening"},
		started:        time.Now(),
		dashboardLinks: newUsedCodes(),
	}
	s.metrics = newMetrics(cfg.Version, func() bool { return s.readiness().State == StateReady })
	s.handler = s.buildHandler()
	return s, nil
}

// Handler returns the full HTTP handler, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

// Auth returns the admin-key checker of this instance.
func (s *Server) Auth() *Auth { return s.auth }

// OnDrain registers fn to run as soon as shutdown begins, while in-flight
// requests drain: the place to close hijacked connections such as
// WebSocket sessions, which the HTTP drain does not wait for.
func (s *Server) OnDrain(name string, fn func(ctx context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drainHooks = append(s.drainHooks, hook{name, fn})
}

// OnShutdown registers fn to run after in-flight requests have drained,
// in reverse order of registration (e.g. "release the lease").
func (s *Server) OnShutdown(name string, fn func(ctx context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdownHooks = append(s.shutdownHooks, hook{name, fn})
}

// ServeSite makes Serve also serve HTTP actions at the root of ln, the
// classic layout's site port (Convex's 3211). Call it before Serve; Serve
// closes ln.
func (s *Server) ServeSite(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.siteLn = ln
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
		s.origins.sitePort = tcp.Port
	}
}

// ServeMetrics makes Serve also answer GET /metrics on ln without an
// admin key: a listener for a scraper on a private address (the command
// binds it to 127.0.0.1 unless told otherwise). Call it before Serve;
// Serve closes ln.
func (s *Server) ServeMetrics(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.metricsLn = ln
}

// newHTTPServer returns the http.Server of one listener.
func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln until ctx ends, opening storage in the background with
// open. When ctx ends it stops accepting, lets in-flight requests finish
// within ShutdownTimeout, runs the drain and shutdown hooks and returns
// nil. It returns an error only if serving itself fails.
func (s *Server) Serve(ctx context.Context, ln net.Listener, open Opener) error {
	servers := []*http.Server{s.newHTTPServer(s.handler)}
	listeners := []net.Listener{ln}
	s.mu.Lock()
	if s.siteLn != nil {
		servers = append(servers, s.newHTTPServer(withSiteRoot(s.handler)))
		listeners = append(listeners, s.siteLn)
	}
	metricsLn := s.metricsLn
	if metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", s.metrics.Handler())
		servers = append(servers, s.newHTTPServer(mux))
		listeners = append(listeners, metricsLn)
	}
	s.mu.Unlock()
	openCtx, cancelOpen := context.WithCancel(ctx)
	defer cancelOpen()
	var opening sync.WaitGroup
	opening.Go(func() { s.openLoop(openCtx, open) })

	s.mu.Lock()
	s.listenAddr = ln.Addr()
	s.mu.Unlock()
	served := make(chan error, len(servers))
	for i, hs := range servers {
		go func() { served <- hs.Serve(listeners[i]) }()
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "instance", s.cfg.InstanceName, "version", s.cfg.Version)
	for _, l := range listeners[1:] {
		if l == metricsLn {
			s.log.Info("serving /metrics without an admin key", "addr", l.Addr().String())
		} else {
			s.log.Info("serving HTTP actions at the site port", "addr", l.Addr().String())
		}
	}

	select {
	case <-ctx.Done():
		s.drain(servers)
		cancelOpen()
		opening.Wait()
		s.runShutdownHooks()
		s.log.Info("stopped")
		return nil
	case err := <-served:
		s.beginStopping()
		for _, hs := range servers {
			_ = hs.Close()
		}
		cancelOpen()
		opening.Wait()
		s.runShutdownHooks()
		return fmt.Errorf("server: serve %s: %w", ln.Addr(), err)
	}
}

func (s *Server) beginStopping() {
	s.stopOnce.Do(func() {
		close(s.stopping)
		s.mu.Lock()
		s.status = Status{State: StateStopping, Reason: "the server is shutting down"}
		s.mu.Unlock()
	})
}

// drain stops accepting and waits for in-flight requests, running the
// drain hooks alongside; past the deadline it closes what is left.
func (s *Server) drain(servers []*http.Server) {
	s.beginStopping()
	s.log.Info("shutting down", "deadline", s.cfg.ShutdownTimeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.mu.Lock()
	drainHooks := append([]hook(nil), s.drainHooks...)
	s.mu.Unlock()
	var hooks sync.WaitGroup
	for _, h := range drainHooks {
		hooks.Go(func() { s.runHook(ctx, "drain", h) })
	}
	var shut sync.WaitGroup
	for _, hs := range servers {
		shut.Go(func() {
			if err := hs.Shutdown(ctx); err != nil {
				s.log.Warn("in-flight requests did not finish before the deadline; closing them", "err", err)
				_ = hs.Close()
			}
		})
	}
	shut.Wait()
	hooks.Wait()
}

func (s *Server) runShutdownHooks() {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.mu.Lock()
	hooks := append([]hook(nil), s.shutdownHooks...)
	backend := s.backend
	s.mu.Unlock()
	if sd, ok := backend.(Shutdowner); ok {
		s.runHook(ctx, "shutdown", hook{"backend", sd.Shutdown})
	}
	for i := len(hooks) - 1; i >= 0; i-- {
		s.runHook(ctx, "shutdown", hooks[i])
	}
}

func (s *Server) runHook(ctx context.Context, phase string, h hook) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("shutdown hook panicked", "phase", phase, "hook", h.name, "panic", fmt.Sprint(v))
		}
	}()
	if err := h.fn(ctx); err != nil {
		s.log.Warn("shutdown hook failed", "phase", phase, "hook", h.name, "err", err)
	}
}
