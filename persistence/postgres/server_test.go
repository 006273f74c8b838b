package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Test policy (see scripts/pg-test-server.sh): tests that need a server
// read HULL_TEST_POSTGRES_URL and fail when it is unset, unless
// HULL_TEST_POSTGRES=off says explicitly that this run has no server.
const (
	envServerURL = "HULL_TEST_POSTGRES_URL"
	envServerOff = "HULL_TEST_POSTGRES"
)

// serverURL returns the test server's URL (its maintenance database).
func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv(envServerURL)
	if u != "" {
		return u
	}
	if os.Getenv(envServerOff) == "off" {
		t.Skip("HULL_TEST_POSTGRES=off: this run has no PostgreSQL server")
	}
	t.Fatalf("%s is unset: start a server with `eval \"$(scripts/pg-test-server.sh start DIR)\"; export %s`, "+
		"or set %s=off to run without PostgreSQL", envServerURL, envServerURL, envServerOff)
	return ""
}

// withDatabase returns the server URL pointed at database name.
func withDatabase(t *testing.T, server, name string) string {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", envServerURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// withoutDatabase returns the server URL with no database name.
func withoutDatabase(t *testing.T, server string) string {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", envServerURL, err)
	}
	u.Path = ""
	return u.String()
}

func uniqueName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// admin runs statements on the test server's maintenance database.
func admin(t *testing.T, sql ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL(t))
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// dropDatabaseLater drops name when the test ends, closing any session
// still on it.
func dropDatabaseLater(t *testing.T, name string) {
	t.Cleanup(func() {
		admin(t, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
}

// newDatabase creates a fresh, uniquely named database for one test and
// returns its URL; it is dropped when the test ends.
func newDatabase(t *testing.T) string {
	t.Helper()
	server := serverURL(t)
	name := uniqueName("hull_test_")
	admin(t, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	dropDatabaseLater(t, name)
	return withDatabase(t, server, name)
}

func quietConfig(u string) Config {
	return Config{URL: u, Logger: slog.New(slog.DiscardHandler)}
}
