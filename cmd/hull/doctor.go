package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"hull/adminkey"
	"hull/blob"
	"hull/config"
	"hull/persistence/postgres"
)

// Doctor verdicts.
const (
	doctorOK   = "ok"
	doctorWarn = "warn"
	doctorFail = "FAIL"
)

// doctorLatencyWarn is the database round trip above which doctor warns:
// every commit costs at least one, so the container belongs near the
// database.
const doctorLatencyWarn = 20 * time.Millisecond

// doctorTimeout bounds each check that talks to a server.
const doctorTimeout = 15 * time.Second

// finding is the outcome of one doctor check.
type finding struct {
	status string // doctorOK, doctorWarn or doctorFail
	detail string // what was found
	fix    string // what to change, for a warning or a failure
}

// doctorCheck is one thing `hull doctor` checks.
type doctorCheck struct {
	name string
	run  func(ctx context.Context, cfg config.Config) finding
}

// doctorChecks are the checks in the order they run and print.
func doctorChecks() []doctorCheck {
	return []doctorCheck{
		{"secrets", checkSecrets},
		{"database", checkDatabase},
		{"file storage", checkFiles},
		{"origins", checkOrigins},
		{"metrics", checkMetricsListener},
		{"javascript", checkEngine},
	}
}

// doctor runs `hull doctor`: it checks the configuration `hull serve`
// would run with (the same flags and environment) and prints one line per
// check, with the fix for each problem. A failing check makes it return
// errDoctorFailed.
func doctor(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(args, env)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			printFinding(stdout, "configuration", finding{status: doctorFail, detail: ce.Error(), fix: "change " + ce.Source + " as the message says"})
			return errDoctorFailed
		}
		return err
	}
	failed := false
	for _, c := range doctorChecks() {
		f := c.run(ctx, cfg)
		printFinding(stdout, c.name, f)
		failed = failed || f.status == doctorFail
	}
	if failed {
		return errDoctorFailed
	}
	return nil
}

// errDoctorFailed is returned when a check failed; the findings say why.
var errDoctorFailed = errors.New("some checks failed")

func printFinding(w io.Writer, name string, f finding) {
	fmt.Fprintf(w, "%-4s  %-13s %s\n", f.status, name, f.detail)
	if f.fix != "" && f.status != doctorOK {
		fmt.Fprintf(w, "      %-13s fix: %s\n", "", f.fix)
	}
}

// checkSecrets checks that admin keys can be minted and verified: from
// INSTANCE_SECRET, or from the secret `hull serve` keeps in the data
// folder (embedded SQLite only).
func checkSecrets(_ context.Context, cfg config.Config) finding {
	secret, source := cfg.InstanceSecret, "INSTANCE_SECRET"
	if secret == "" {
		s, err := config.ReadSecret(cfg.SecretPath())
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return finding{status: doctorWarn, detail: "no INSTANCE_SECRET and none generated yet in " + cfg.SecretPath(),
				fix: "nothing to do for a first start (hull serve generates one there); in production set INSTANCE_SECRET (openssl rand -hex 32) so no secret lives on disk"}
		case err != nil:
			return finding{status: doctorFail, detail: "reading " + cfg.SecretPath() + ": " + err.Error(),
				fix: "make the file readable, or set INSTANCE_SECRET"}
		}
		secret, source = s, cfg.SecretPath()
	}
	key, err := adminkey.Issue(cfg.InstanceName, secret)
	if err == nil {
		err = adminkey.Verify(key, cfg.InstanceName, secret)
	}
	if err != nil {
		return finding{status: doctorFail, detail: "an admin key cannot be derived: " + err.Error(),
			fix: "set INSTANCE_SECRET to 64 hex characters (openssl rand -hex 32)"}
	}
	f := finding{status: doctorOK, detail: fmt.Sprintf("instance %q: admin keys derive from %s", cfg.InstanceName, source)}
	if cfg.InstanceSecret == "" && cfg.Production {
		f.status = doctorWarn
		f.fix = "in production set INSTANCE_SECRET instead of keeping the secret in the data folder"
	}
	return f
}

// checkDatabase reaches the database and times its round trips; a slow
// one is a warning with a hint to move the container.
func checkDatabase(ctx context.Context, cfg config.Config) finding {
	if !cfg.UsesPostgres() {
		return checkSQLiteDir(cfg)
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	res, err := postgres.Probe(ctx, postgres.Config{
		URL: cfg.DatabaseURL, InstanceName: cfg.InstanceName, DoNotRequireSSL: !cfg.RequireSSL,
		Logger: slog.New(slog.DiscardHandler),
	}, 5)
	if err != nil {
		fix := "check POSTGRES_URL/DATABASE_URL, that the server is reachable from here, and DO_NOT_REQUIRE_SSL if it has no TLS"
		detail := err.Error()
		var pe *postgres.Error
		if errors.As(err, &pe) && pe.Hint != "" {
			fix, detail = pe.Hint, pe.Op+": "+pe.Detail // the hint goes on the fix line
		}
		if errors.Is(err, context.DeadlineExceeded) {
			fix = "the database did not answer within " + doctorTimeout.String() + ": check the host, the port and any firewall between here and it"
		}
		return finding{status: doctorFail, detail: "PostgreSQL: " + detail, fix: fix}
	}
	if res.Missing {
		return finding{status: doctorOK, detail: res.String()}
	}
	f := finding{status: doctorOK, detail: fmt.Sprintf("%s answered in %s (median of 5 round trips)", res, res.RoundTrip.Round(10*time.Microsecond))}
	if res.RoundTrip > doctorLatencyWarn {
		f.status = doctorWarn
		f.fix = fmt.Sprintf("every commit and every uncached read costs a round trip: run hull in the same region as the database "+
			"(a Cloudflare container's location hint, or a database region near the container); above %s is slow", doctorLatencyWarn)
	}
	return f
}

// checkSQLiteDir checks that the embedded database's folder is writable,
// without opening the database (a running hull holds it locked).
func checkSQLiteDir(cfg config.Config) finding {
	dir := cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return finding{status: doctorFail, detail: "the data folder " + dir + " cannot be created: " + err.Error(),
			fix: "point --data-dir / HULL_DATA_DIR at a writable folder"}
	}
	probe, err := os.CreateTemp(dir, ".hull-doctor-*")
	if err != nil {
		return finding{status: doctorFail, detail: "the data folder " + dir + " is not writable: " + err.Error(),
			fix: "make it writable by this user, or point --data-dir / HULL_DATA_DIR elsewhere"}
	}
	probe.Close()
	os.Remove(probe.Name())
	f := finding{status: doctorOK, detail: "embedded SQLite at " + cfg.SQLitePath()}
	if cfg.Production {
		f.status = doctorWarn
		f.fix = "a container's disk is lost when it stops: in production set POSTGRES_URL (or DATABASE_URL)"
	}
	return f
}

// checkFiles writes, reads back and deletes a probe object in the file
// store: the bucket exists and the credentials may do all three.
func checkFiles(ctx context.Context, cfg config.Config) finding {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	where := "local folder " + cfg.FilesDir()
	if cfg.UsesS3() {
		where = "S3 bucket " + cfg.Storage.S3.FilesBucket
	}
	store, err := openFiles(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return finding{status: doctorFail, detail: where + ": " + err.Error(), fix: hintOf(err, "check the S3_* and AWS_* settings")}
	}
	defer store.Close()
	var b [8]byte
	_, _ = rand.Read(b[:])
	key := "hull-doctor/probe-" + hex.EncodeToString(b[:])
	body := []byte("hull doctor probe " + key)
	step := func(what string, err error) finding {
		return finding{status: doctorFail, detail: fmt.Sprintf("%s: %s a probe object: %v", where, what, err),
			fix: hintOf(err, "the credentials must be allowed to put, get and delete objects in the bucket")}
	}
	if _, err := store.Put(ctx, key, bytes.NewReader(body)); err != nil {
		return step("writing", err)
	}
	rc, err := store.Get(ctx, key, blob.Range{})
	if err != nil {
		_ = store.Delete(ctx, key)
		return step("reading", err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err == nil && !bytes.Equal(got, body) {
		err = fmt.Errorf("read back %d bytes that differ from the %d written", len(got), len(body))
	}
	if err != nil {
		_ = store.Delete(ctx, key)
		return step("reading", err)
	}
	if err := store.Delete(ctx, key); err != nil {
		return step("deleting", err)
	}
	f := finding{status: doctorOK, detail: where + ": a probe object was written, read back and deleted"}
	if !cfg.UsesS3() && cfg.Production {
		f.status = doctorWarn
		f.fix = "a container's disk is lost when it stops: in production set S3_STORAGE_FILES_BUCKET with S3_ENDPOINT_URL and the AWS_* credentials (R2 works)"
	}
	return f
}

// hintOf returns the operator hint an error carries, else def.
func hintOf(err error, def string) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		return h.Hint()
	}
	if h := blob.Hint(err); h != "" {
		return h
	}
	return def
}

// checkOrigins checks the public origins clients and functions are told.
func checkOrigins(_ context.Context, cfg config.Config) finding {
	if cfg.CloudOrigin == "" && cfg.SiteOrigin == "" {
		f := finding{status: doctorOK, detail: "no public origin set: each request's own origin is used (fine behind one host name)"}
		if cfg.Production {
			f.status = doctorWarn
			f.fix = "set PUBLIC_ORIGIN (or CONVEX_CLOUD_ORIGIN and CONVEX_SITE_ORIGIN) to the URL users reach, so process.env.CONVEX_SITE_URL and file URLs do not depend on the request"
		}
		return f
	}
	var problems, fixes []string
	for _, o := range []struct{ name, value string }{{"CONVEX_CLOUD_ORIGIN", cfg.CloudOrigin}, {"CONVEX_SITE_ORIGIN", cfg.SiteOrigin}} {
		if o.value == "" {
			problems = append(problems, o.name+" is not set")
			fixes = append(fixes, "set "+o.name+" too (or PUBLIC_ORIGIN for both)")
			continue
		}
		u, err := url.Parse(o.value)
		if err != nil {
			continue // config.Load refuses these
		}
		if u.Scheme == "http" && !isLocalHost(u.Hostname()) {
			problems = append(problems, o.name+" is plain http on a public host")
			fixes = append(fixes, "use https:// for "+o.name)
		}
	}
	if cfg.CloudOrigin != "" && cfg.CloudOrigin == cfg.SiteOrigin {
		problems = append(problems, "the site origin equals the cloud origin")
		fixes = append(fixes, "serve HTTP actions under "+cfg.CloudOrigin+"/http (the PUBLIC_ORIGIN default) or on a host of their own")
	}
	detail := fmt.Sprintf("cloud %s, site %s", orNone(cfg.CloudOrigin), orNone(cfg.SiteOrigin))
	if len(problems) == 0 {
		return finding{status: doctorOK, detail: detail}
	}
	status := doctorWarn
	if cfg.CloudOrigin != "" && cfg.CloudOrigin == cfg.SiteOrigin {
		status = doctorFail
	}
	return finding{status: status, detail: detail + ": " + strings.Join(problems, "; "), fix: strings.Join(fixes, "; ")}
}

func orNone(s string) string {
	if s == "" {
		return "(from each request)"
	}
	return s
}

func isLocalHost(h string) bool {
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate())
}

// checkMetricsListener warns when the unauthenticated metrics listener
// is reachable from beyond this machine.
func checkMetricsListener(_ context.Context, cfg config.Config) finding {
	if cfg.MetricsPort == 0 {
		return finding{status: doctorOK, detail: "/metrics on --port for admin keys only (no --metrics-port)"}
	}
	ip := net.ParseIP(cfg.MetricsInterface)
	if cfg.MetricsInterface == "localhost" || (ip != nil && ip.IsLoopback()) {
		return finding{status: doctorOK, detail: "/metrics without a key on " + cfg.MetricsAddr() + " (this machine only)"}
	}
	return finding{status: doctorWarn, detail: "/metrics without a key on " + cfg.MetricsAddr() + ", reachable from other machines",
		fix: "keep HULL_METRICS_INTERFACE at 127.0.0.1 (or a private network address), or scrape --port with an admin key"}
}

// checkEngine starts the configured JavaScript engine once.
func checkEngine(_ context.Context, cfg config.Config) finding {
	if _, err := jsEngine(cfg); err != nil {
		return finding{status: doctorFail, detail: err.Error(), fix: "set --js-engine / HULL_JS_ENGINE to quickjs, or use a build with V8"}
	}
	return finding{status: doctorOK, detail: "engine " + engineName(cfg) + " starts"}
}
