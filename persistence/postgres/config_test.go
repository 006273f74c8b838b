package postgres

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestResolveURL(t *testing.T) {
	cases := []struct {
		name         string
		cfg          Config
		wantDB       string
		wantSSL      string
		wantCreate   bool
		wantErrMatch string
	}{
		{"a URL with a database name is used as given",
			Config{URL: "postgres://u:p@db.example.com:5432/app?sslmode=verify-full"}, "app", "verify-full", false, ""},
		{"a URL without a database name uses the default instance's database",
			Config{URL: "postgres://u:p@db.example.com:5432"}, "convex_self_hosted", "require", true, ""},
		{"a URL ending in a slash has no database name",
			Config{URL: "postgresql://u@db.example.com/"}, "convex_self_hosted", "require", true, ""},
		{"the instance name picks the database, dashes become underscores",
			Config{URL: "postgres://u@h", InstanceName: "my-app-prod"}, "my_app_prod", "require", true, ""},
		{"sslmode defaults to require",
			Config{URL: "postgres://u@h/app"}, "app", "require", false, ""},
		{"DO_NOT_REQUIRE_SSL lets a URL without sslmode fall back to plaintext",
			Config{URL: "postgres://u@h/app", DoNotRequireSSL: true}, "app", "prefer", false, ""},
		{"an sslmode in the URL is honoured",
			Config{URL: "postgres://u@h/app?sslmode=disable"}, "app", "disable", false, ""},
		{"an empty URL is refused with a hint", Config{}, "", "", false, "hint: set POSTGRES_URL"},
		{"a URL of another scheme is refused", Config{URL: "mysql://u@h/app"}, "", "", false, "not a postgres:// URL"},
		{"a key=value DSN is refused", Config{URL: "host=h dbname=app"}, "", "", false, "not a postgres:// URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := resolveURL(c.cfg)
			if c.wantErrMatch != "" {
				var pe *Error
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.wantErrMatch) {
					t.Fatalf("error %v, want an *Error containing %q", err, c.wantErrMatch)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			u, err := url.Parse(got.url)
			if err != nil {
				t.Fatalf("resolved URL %q: %v", got.url, err)
			}
			if got.database != c.wantDB || u.Path != "/"+c.wantDB || got.create != c.wantCreate {
				t.Fatalf("database %q (path %q, create %v), want %q (create %v)", got.database, u.Path, got.create, c.wantDB, c.wantCreate)
			}
			if got.sslmode != c.wantSSL || u.Query().Get("sslmode") != c.wantSSL {
				t.Fatalf("sslmode %q (URL %q), want %q", got.sslmode, got.redacted, c.wantSSL)
			}
			if strings.Contains(got.redacted, ":p@") {
				t.Fatalf("redacted URL %q shows the password", got.redacted)
			}
		})
	}
}

func TestSplitKeyBoundsTheIndexedPrefix(t *testing.T) {
	cases := []struct {
		name     string
		key      []byte
		wantRest bool
	}{
		{"an empty key is its own prefix", []byte{}, false},
		{"a nil key is the empty key", nil, false},
		{"a key of exactly the prefix length is its own prefix", make([]byte, keyPrefixLen), false},
		{"a longer key keeps its whole self beside the prefix", make([]byte, keyPrefixLen+1), true},
		{"a 100 KB key keeps a 1 KB prefix", make([]byte, 100_000), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := splitKey(c.key)
			if k.prefix == nil || len(k.prefix) > keyPrefixLen || len(k.hash) != 32 {
				t.Fatalf("prefix %d bytes (nil %v), hash %d bytes", len(k.prefix), k.prefix == nil, len(k.hash))
			}
			if (k.rest != nil) != c.wantRest {
				t.Fatalf("rest stored = %v, want %v", k.rest != nil, c.wantRest)
			}
			if !c.wantRest && len(k.prefix) != len(c.key) {
				t.Fatalf("prefix of a short key is %d bytes, want %d", len(k.prefix), len(c.key))
			}
		})
	}
}

func TestOpenWithADatabaseNameUsesThatDatabase(t *testing.T) {
	u := newDatabase(t)
	s, err := Open(t.Context(), quietConfig(u))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	var current string
	if err := s.pool.QueryRow(t.Context(), `SELECT current_database()`).Scan(&current); err != nil {
		t.Fatalf("current database: %v", err)
	}
	want := strings.TrimPrefix(mustParse(t, u).Path, "/")
	if current != want || s.Database() != want {
		t.Fatalf("connected to %q (Database() %q), want %q", current, s.Database(), want)
	}
}

func TestOpenWithoutADatabaseNameCreatesTheInstanceDatabase(t *testing.T) {
	instance := strings.ReplaceAll(uniqueName("hull-inst-"), "_", "-")
	want := strings.ReplaceAll(instance, "-", "_")
	dropDatabaseLater(t, want)
	cfg := quietConfig(withoutDatabase(t, serverURL(t)))
	cfg.InstanceName = instance
	for i := range 2 { // the second open finds the database there
		s, err := Open(t.Context(), cfg)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if s.Database() != want {
			t.Fatalf("database %q, want %q", s.Database(), want)
		}
		var current string
		if err := s.pool.QueryRow(t.Context(), `SELECT current_database()`).Scan(&current); err != nil || current != want {
			t.Fatalf("current database %q, %v; want %q", current, err, want)
		}
		s.Close()
	}
}

func TestOpenExplainsWhatAnOperatorCanFix(t *testing.T) {
	server := serverURL(t)
	noTLS := mustParse(t, server)
	q := noTLS.Query()
	q.Del("sslmode")
	noTLS.RawQuery = q.Encode()

	role := uniqueName("hull_nocreate_")
	admin(t, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN NOCREATEDB")
	t.Cleanup(func() { admin(t, "DROP ROLE IF EXISTS "+pgx.Identifier{role}.Sanitize()) })
	noCreate := mustParse(t, withoutDatabase(t, server))
	noCreate.User = url.User(role)

	missing := mustParse(t, withDatabase(t, server, uniqueName("hull_missing_")))
	notOwner := mustParse(t, newDatabase(t)) // owned by postgres: the role may not create tables
	notOwner.User = url.User(role)

	cases := []struct {
		name     string
		cfg      Config
		wantHint string
	}{
		{"an unreachable server names the address to check", quietConfig(closedPortURL(t)), "no PostgreSQL server answered at 127.0.0.1:"},
		{"a server without TLS, with TLS required by default, points at DO_NOT_REQUIRE_SSL",
			quietConfig(noTLS.String()), "DO_NOT_REQUIRE_SSL"},
		{"a role that may not create the instance database is told to grant CREATEDB",
			Config{URL: noCreate.String(), InstanceName: uniqueName("hull-nodb-"), Logger: quietConfig("").Logger}, "CREATEDB"},
		{"a named database that does not exist is not created, and the hint says so",
			quietConfig(missing.String()), "does not exist: create it"},
		{"a role that may not create tables is told which grant it needs",
			quietConfig(notOwner.String()), "GRANT CREATE ON SCHEMA public"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(t.Context(), c.cfg)
			if err == nil {
				s.Close()
				t.Fatalf("open succeeded")
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if !strings.Contains(pe.Hint, c.wantHint) {
				t.Fatalf("hint %q does not contain %q (error: %v)", pe.Hint, c.wantHint, err)
			}
			t.Log(err)
		})
	}
}

// closedPortURL returns a URL to a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/hull?sslmode=disable&connect_timeout=5"
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return u
}
