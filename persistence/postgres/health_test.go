package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hull/persistence"
)

func TestUnreachableTellsOutagesFromStatementErrors(t *testing.T) {
	refused := connectError(t, "postgres://u@127.0.0.1:1/db?sslmode=disable&connect_timeout=5")
	cancelled := func() error {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := pgx.Connect(ctx, "postgres://u@127.0.0.1:1/db?sslmode=disable")
		return err
	}()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a refused connection is an outage", refused, true},
		{"a wrapped refused connection is an outage", fmt.Errorf("postgres: get: %w", refused), true},
		{"a server shutting down is an outage", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{"a server starting up is an outage", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}, true},
		{"a lost connection is an outage", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections is an outage", &pgconn.PgError{Code: "53300"}, true},
		{"a full disk is an outage", &pgconn.PgError{Code: "53100"}, true},
		{"a broken socket is an outage", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, true},
		{"an unexpected end of the stream is an outage", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"a closed connection is an outage", fmt.Errorf("x: %w", pgconn.ErrConnClosed), true},
		{"a unique violation is the statement's", &pgconn.PgError{Code: "23505"}, false},
		{"a raised exception is the statement's", &pgconn.PgError{Code: "P0001", Message: "fenced"}, false},
		{"a fenced write is not an outage", fmt.Errorf("postgres: write: %w", persistence.ErrFenced), false},
		{"a caller giving up is not an outage", fmt.Errorf("postgres: get: %w", context.Canceled), false},
		{"a connection attempt the caller cancelled is not an outage", cancelled, false},
		{"no error is not an outage", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unreachable(tt.err); got != tt.want {
				t.Fatalf("unreachable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func connectError(t *testing.T, u string) error {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), u)
	if err == nil {
		_ = conn.Close(context.Background())
		t.Fatalf("connected to %s", u)
	}
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("connect error is %T, not a ConnectError: %v", err, err)
	}
	return err
}

// A store whose server goes away answers ErrUnavailable, its health says
// so, and it recovers on its own once the server is back. The outage is
// a TCP proxy in front of the test server that stops accepting and cuts
// every connection, as a stopped or unreachable server does.
func TestAnUnreachableServerIsUnavailableUntilItIsBack(t *testing.T) {
	target, err := url.Parse(newDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	px := startProxy(t, target.Host)
	viaProxy := *target
	viaProxy.Host = px.addr
	ctx := t.Context()
	s, err := Open(ctx, quietConfig(viaProxy.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lease, err := s.Acquire(ctx, "health test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MaxTS(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Health().Status(); !st.Up || st.Last.IsZero() {
		t.Fatalf("health before the outage = %+v, want up", st)
	}

	px.stop()
	_, err = s.Get(ctx, []persistence.DocID{{Table: 1}}, persistence.Latest)
	if !errors.Is(err, persistence.ErrUnavailable) {
		t.Fatalf("get during the outage: %v, want ErrUnavailable", err)
	}
	err = s.Write(ctx, lease, []persistence.Commit{{TS: 10, Documents: []persistence.Revision{{ID: persistence.DocID{Table: 1}, TS: 10, Value: []byte(`{}`)}}}})
	if !errors.Is(err, persistence.ErrUnavailable) {
		t.Fatalf("write during the outage: %v, want ErrUnavailable", err)
	}
	if err := s.CheckLease(ctx, lease); !errors.Is(err, persistence.ErrUnavailable) {
		t.Fatalf("lease check during the outage: %v, want ErrUnavailable", err)
	}
	if st := s.Health().Status(); st.Up || !errors.Is(st.Err, persistence.ErrUnavailable) {
		t.Fatalf("health during the outage = %+v, want down", st)
	}

	px.start(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := s.MaxTS(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not recover: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st := s.Health().Status(); !st.Up {
		t.Fatalf("health after the outage = %+v, want up", st)
	}
	if err := s.CheckLease(ctx, lease); err != nil {
		t.Fatalf("lease check after the outage: %v", err)
	}
}

// proxy forwards TCP connections from a loopback port to a server; stop
// closes the port and cuts every connection, start opens the same port
// again.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	p := &proxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("reopen the proxy port: %v", err)
	}
	p.serve(ln)
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
	_, _ = io.Copy(c, up)
	_ = c.Close()
}

func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}
