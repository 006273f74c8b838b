package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hull/blob/s3/s3test"
)

const doctorSecret = "4361726c6f7320697320612076657279206c6f6e67207365637265742121212a"

// doctorCase is one run of `hull doctor` and what its report must say.
type doctorCase struct {
	name string
	args []string
	env  map[string]string
	exit int
	// want are lines (or parts of lines) the report must hold, in order.
	want []string
}

func runDoctor(t *testing.T, tc doctorCase) {
	t.Helper()
	env := func(k string) string { return tc.env[k] }
	var out, errb strings.Builder
	code := run(context.Background(), append([]string{"doctor"}, tc.args...), env, &out, &errb)
	report := out.String() + errb.String()
	if code != tc.exit {
		t.Fatalf("exit %d, want %d:\n%s", code, tc.exit, report)
	}
	rest := report
	for _, w := range tc.want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("the report lacks %q (after what came before):\n%s", w, report)
		}
		rest = rest[i+len(w):]
	}
}

func TestDoctor(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := func() string { return filepath.Join(t.TempDir(), "data") }
	tests := []doctorCase{
		{name: "the embedded default passes, telling that a secret is generated at the first start",
			args: []string{"--data-dir", data()}, exit: 0,
			want: []string{"warn  secrets", "fix: nothing to do for a first start", "ok    database      embedded SQLite", "ok    file storage", "ok    javascript"}},
		{name: "production on the embedded defaults warns that the disk is lost",
			args: []string{"--data-dir", data(), "--production", "--instance-secret", doctorSecret}, exit: 0,
			want: []string{"ok    secrets", "warn  database", "set POSTGRES_URL", "warn  file storage", "S3_STORAGE_FILES_BUCKET", "warn  origins", "PUBLIC_ORIGIN"}},
		{name: "a data folder that cannot be made fails with the fix",
			args: []string{"--data-dir", filepath.Join(notADir, "data"), "--instance-secret", doctorSecret}, exit: 1,
			want: []string{"FAIL  database", "fix: point --data-dir / HULL_DATA_DIR at a writable folder", "some checks failed"}},
		{name: "PostgreSQL without INSTANCE_SECRET fails naming it",
			env: map[string]string{"DATABASE_URL": "postgres://hull@127.0.0.1:1/hull?sslmode=disable"}, exit: 1,
			want: []string{"FAIL  configuration", "INSTANCE_SECRET", "openssl rand -hex 32"}},
		{name: "a malformed secret fails naming it",
			env: map[string]string{"INSTANCE_SECRET": "not-hex"}, exit: 1,
			want: []string{"FAIL  configuration", "INSTANCE_SECRET", "64 hex characters"}},
		{name: "a database URL that reaches no server fails with the fix",
			env: map[string]string{"DATABASE_URL": "postgres://hull:pw@127.0.0.1:1/hull?sslmode=disable", "INSTANCE_SECRET": doctorSecret,
				"HULL_DATA_DIR": data()}, exit: 1,
			want: []string{"ok    secrets", "FAIL  database", "fix: no PostgreSQL server answered at 127.0.0.1", "some checks failed"}},
		{name: "a database URL that is not PostgreSQL's fails the configuration",
			env: map[string]string{"DATABASE_URL": "mysql://hull@127.0.0.1/hull", "INSTANCE_SECRET": doctorSecret}, exit: 1,
			want: []string{"FAIL  configuration", "postgres://"}},
		{name: "a site origin equal to the cloud origin fails",
			args: []string{"--data-dir", data(), "--instance-secret", doctorSecret, "--cloud-origin", "https://api.example.com", "--site-origin", "https://api.example.com"}, exit: 1,
			want: []string{"FAIL  origins", "fix: serve HTTP actions under https://api.example.com/http"}},
		{name: "plain http on a public host warns",
			args: []string{"--data-dir", data(), "--instance-secret", doctorSecret, "--public-origin", "http://api.example.com"}, exit: 0,
			want: []string{"warn  origins", "use https://"}},
		{name: "a metrics listener open to other machines warns",
			args: []string{"--data-dir", data(), "--instance-secret", doctorSecret, "--metrics-port", "9100", "--metrics-interface", "0.0.0.0"}, exit: 0,
			want: []string{"warn  metrics", "HULL_METRICS_INTERFACE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runDoctor(t, tc) })
	}
}

// testPostgresURL returns the test server's URL, or ends the test as the
// project's policy says (fail when unset unless HULL_TEST_POSTGRES=off).
func testPostgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("HULL_TEST_POSTGRES_URL")
	if u == "" {
		if os.Getenv("HULL_TEST_POSTGRES") == "off" {
			t.Skip("HULL_TEST_POSTGRES=off: this run has no PostgreSQL server")
		}
		t.Fatal("HULL_TEST_POSTGRES_URL is unset: start a server with scripts/pg-test-server.sh, or set HULL_TEST_POSTGRES=off")
	}
	return u
}

func TestDoctorOnPostgreSQL(t *testing.T) {
	good := testPostgresURL(t)
	u, err := url.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("no_such_role", "wrong")
	badRole := u.String()
	u.User = url.User("postgres")
	u.Path = "/hull_doctor_missing"
	missing := u.String()
	env := func(dsn string) map[string]string {
		return map[string]string{"DATABASE_URL": dsn, "INSTANCE_SECRET": doctorSecret, "HULL_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	}
	for _, tc := range []doctorCase{
		{name: "a reachable database passes with its round trip", env: env(good), exit: 0,
			want: []string{"ok    secrets", "admin keys derive from INSTANCE_SECRET", "database \"postgres\"", "answered in", "median of 5 round trips"}},
		{name: "a refused role fails with the fix", env: env(badRole), exit: 1,
			want: []string{"FAIL  database", "fix:", "no_such_role"}},
		{name: "a database named in the URL that does not exist fails with the fix", env: env(missing), exit: 1,
			want: []string{"FAIL  database", "hull_doctor_missing", "CREATE DATABASE"}},
	} {
		t.Run(tc.name, func(t *testing.T) { runDoctor(t, tc) })
	}
}

func TestDoctorOnS3(t *testing.T) {
	o := s3test.NewBucket(t)
	env := func(secret, bucket string) map[string]string {
		return map[string]string{
			"HULL_DATA_DIR": filepath.Join(t.TempDir(), "data"), "INSTANCE_SECRET": doctorSecret,
			"S3_ENDPOINT_URL": o.Endpoint, "AWS_REGION": o.Region, "AWS_ACCESS_KEY_ID": o.AccessKeyID,
			"AWS_SECRET_ACCESS_KEY": secret, "S3_STORAGE_FILES_BUCKET": bucket,
		}
	}
	for _, tc := range []doctorCase{
		{name: "working credentials pass the probe object's round trip", env: env(o.SecretAccessKey, o.Bucket), exit: 0,
			want: []string{"ok    file storage  S3 bucket " + o.Bucket + ": a probe object was written, read back and deleted"}},
		{name: "a wrong secret fails with the fix", env: env("not-the-secret", o.Bucket), exit: 1,
			want: []string{"FAIL  file storage  S3 bucket " + o.Bucket, "fix:"}},
		{name: "a missing bucket fails with the fix", env: env(o.SecretAccessKey, o.Bucket+"-missing"), exit: 1,
			want: []string{"FAIL  file storage", "fix:"}},
	} {
		t.Run(tc.name, func(t *testing.T) { runDoctor(t, tc) })
	}
}
