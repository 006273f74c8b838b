package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hull/adminkey"
	"hull/config"
	"hull/runtime/v8"
)

// buildHull compiles the real binary into a temporary folder.
func buildHull(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hull")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is a running hull process with its stderr collected.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr strings.Builder
	addr   chan string
	exited chan error
}

func startHull(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--interface", "127.0.0.1", "--port", "0", "--log-format", "json"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, addr: make(chan string, 1), exited: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.readStderr(pipe)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	select {
	case a := <-p.addr:
		_ = a
		p.addr <- a
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		t.Fatalf("hull exited before listening: %v\n%s", err, p.output())
	}
	return p
}

func (p *proc) readStderr(r io.Reader) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.stderr.WriteString(line + "\n")
		p.mu.Unlock()
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if !sent && json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
			p.addr <- rec.Addr
			sent = true
		}
	}
	p.exited <- p.cmd.Wait()
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *proc) url() string {
	a := <-p.addr
	p.addr <- a
	return "http://" + a
}

// bannerValue returns NAME=value from the first-start banner.
func (p *proc) bannerValue(name string) string {
	for _, line := range strings.Split(p.output(), "\n") {
		if v, ok := strings.CutPrefix(line, name+"="); ok {
			return v
		}
	}
	return ""
}

func get(t *testing.T, method, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func waitForHealthz(t *testing.T, url, status string) string {
	t.Helper()
	for {
		code, body := get(t, "GET", url+"/healthz", "", nil)
		var st struct {
			Status string `json:"status"`
		}
		_ = json.Unmarshal([]byte(body), &st)
		if st.Status == status {
			_ = code
			return body
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeEndToEnd(t *testing.T) {
	bin := buildHull(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	p := startHull(t, bin, []string{"HULL_DATA_DIR=" + dataDir})
	url := p.url()
	waitForHealthz(t, url, "ready")

	key := p.bannerValue("CONVEX_SELF_HOSTED_ADMIN_KEY")
	if p.bannerValue("CONVEX_SELF_HOSTED_URL") != url || key == "" {
		t.Fatalf("banner lacks the URL or key:\n%s", p.output())
	}
	secret, err := config.ReadSecret(filepath.Join(dataDir, "credentials", "instance_secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := adminkey.Verify(key, "convex-self-hosted", secret); err != nil {
		t.Fatalf("banner key does not verify: %v", err)
	}
	auth := map[string]string{"Authorization": "Convex " + key}
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		want                     string
	}{
		{"version answers", "GET", "/version", "", nil, 200, version},
		{"instance_name answers", "GET", "/instance_name", "", nil, 200, "convex-self-hosted"},
		{"echo echoes", "POST", "/echo", "hello hull", nil, 200, "hello hull"},
		{"readyz is ready", "GET", "/readyz", "", nil, 200, `"ready"`},
		{"canonical URLs need the admin key", "GET", "/api/v1/get_canonical_urls", "", nil, 401, "BadAdminKey"},
		{"canonical URLs are derived from the request", "GET", "/api/v1/get_canonical_urls", "", auth, 200, `"convexSiteUrl":"` + url + `/http"`},
		{"an export request answers with its snapshot ts", "POST", "/api/export/request/zip", "{}", auth, 200, ""},
		{"a push of an empty app is analyzed", "POST", "/api/deploy2/start_push", "{}", auth, 200, `"analysis"`},
		{"an unknown API path answers 404 JSON", "POST", "/api/unknown", "{}", nil, 404, `"code":"NotFound"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, tt.method, url+tt.path, tt.body, tt.header)
			if code != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("%s %s = %d %q, want %d containing %q", tt.method, tt.path, code, body, tt.status, tt.want)
			}
		})
	}

	out, err := exec.Command(bin, "keys", "admin", "--data-dir", dataDir).Output()
	if err != nil {
		t.Fatalf("hull keys admin: %v", err)
	}
	if err := adminkey.Verify(strings.TrimSpace(string(out)), "convex-self-hosted", secret); err != nil {
		t.Fatalf("hull keys admin printed a bad key: %v", err)
	}

	stopAndExpectZero(t, p)

	// A second start reuses the secret and prints no banner.
	again := startHull(t, bin, []string{"HULL_DATA_DIR=" + dataDir})
	waitForHealthz(t, again.url(), "ready")
	if strings.Contains(again.output(), "CONVEX_SELF_HOSTED_ADMIN_KEY") {
		t.Fatalf("banner printed again:\n%s", again.output())
	}
	code, _ := get(t, "GET", again.url()+"/api/v1/get_canonical_urls", "", auth)
	if code != 200 {
		t.Fatalf("the first key no longer works after a restart: %d", code)
	}
	stopAndExpectZero(t, again)
}

// stopAndExpectZero sends SIGTERM and expects exit code 0 well within the
// shutdown deadline.
func stopAndExpectZero(t *testing.T, p *proc) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("hull exited with %v after SIGTERM\n%s", err, p.output())
		}
		p.exited <- nil // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatalf("hull did not exit within 30s of SIGTERM\n%s", p.output())
	}
}

func TestRequestsAreHeldUntilStorageOpens(t *testing.T) {
	bin := buildHull(t)
	dataDir := t.TempDir()
	// A folder where the database file should be makes every open fail
	// until it is removed.
	blocker := filepath.Join(dataDir, "hull.db")
	if err := os.Mkdir(blocker, 0o700); err != nil {
		t.Fatal(err)
	}
	p := startHull(t, bin, []string{"HULL_DATA_DIR=" + dataDir, "HULL_READY_WAIT=2m"})
	url := p.url()
	body := waitForHealthz(t, url, "unavailable")
	if !strings.Contains(body, `"hint"`) || !strings.Contains(body, "hull.db") {
		t.Fatalf("healthz gives no hint: %s", body)
	}
	type result struct {
		code int
		body string
	}
	held := make(chan result, 1)
	go func() {
		code, body := get(t, "POST", url+"/api/query", `{"path":"x"}`, nil)
		held <- result{code, body}
	}()
	// healthz keeps answering at once while the request is held.
	waitForHealthz(t, url, "unavailable")
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	r := <-held
	if r.code != 200 || !strings.Contains(r.body, "Could not find public function") {
		t.Fatalf("held request got %d %s, want the application's answer", r.code, r.body)
	}
	waitForHealthz(t, url, "ready")
	stopAndExpectZero(t, p)
}

func TestRun(t *testing.T) {
	dataDir := t.TempDir()
	type runCase struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}
	tests := []runCase{
		{name: "version prints the version", args: []string{"version"}, code: 0, stdout: "hull " + version},
		{name: "no command prints usage", args: nil, code: 2, stderr: "Usage"},
		{name: "an unknown command is a usage error", args: []string{"frobnicate"}, code: 2, stderr: "unknown command"},
		{name: "serve -h lists flags and variables", args: []string{"serve", "-h"}, code: 0, stderr: "INSTANCE_SECRET"},
		{name: "PostgreSQL without INSTANCE_SECRET is refused", args: []string{"serve"},
			env: map[string]string{"POSTGRES_URL": "postgres://u@127.0.0.1:1"}, code: 2, stderr: "INSTANCE_SECRET"},
		{name: "a bad port names the variable", args: []string{"serve"}, env: map[string]string{"PORT": "x"}, code: 2, stderr: "PORT"},
		{name: "keys admin without a secret explains how to get one", args: []string{"keys", "admin", "--data-dir", dataDir}, code: 1, stderr: "INSTANCE_SECRET"},
		{name: "keys admin with INSTANCE_SECRET prints a key", args: []string{"keys", "admin", "--instance-name", "demo"},
			env: map[string]string{"INSTANCE_SECRET": strings.Repeat("ab", 32)}, code: 0, stdout: "demo|01"},
		{name: "keys without admin is a usage error", args: []string{"keys"}, code: 2, stderr: "keys admin"},
		{name: "dashboard without a secret explains how to get one", args: []string{"dashboard", "--data-dir", dataDir}, code: 1, stderr: "INSTANCE_SECRET"},
		{name: "dashboard prints a login link to the configured origin", args: []string{"dashboard", "--instance-name", "demo"},
			env: map[string]string{"INSTANCE_SECRET": strings.Repeat("ab", 32), "CONVEX_CLOUD_ORIGIN": "https://hull.example.com"}, code: 0,
			stdout: "https://hull.example.com/dashboard/#code="},
		{name: "dashboard prints a link to the local port by default", args: []string{"dashboard", "--instance-name", "demo", "--port", "4000"},
			env: map[string]string{"INSTANCE_SECRET": strings.Repeat("ab", 32)}, code: 0, stdout: "http://127.0.0.1:4000/dashboard/#code="},
		{name: "dashboard refuses a bad link lifetime", args: []string{"dashboard", "--dashboard-link-ttl", "soon"},
			env: map[string]string{"INSTANCE_SECRET": strings.Repeat("ab", 32)}, code: 2, stderr: "dashboard-link-ttl"},
		{name: "an unknown JavaScript engine names the setting", args: []string{"serve"}, env: map[string]string{"HULL_JS_ENGINE": "spidermonkey"}, code: 2, stderr: "HULL_JS_ENGINE"},
	}
	if !v8.Available {
		tests = append(tests, runCase{name: "V8 asked of a binary without it fails at boot, naming the fix", args: []string{"serve", "--data-dir", dataDir, "--js-engine", "v8"},
			code: 1, stderr: "--js-engine / HULL_JS_ENGINE to quickjs"}, runCase{name: "tiered asked of a binary without V8 fails at boot, naming the fix", args: []string{"serve", "--data-dir", dataDir, "--js-engine", "tiered"},
			code: 1, stderr: "--js-engine / HULL_JS_ENGINE to quickjs"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			env := func(k string) string { return tt.env[k] }
			code := run(context.Background(), tt.args, env, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("code %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
			}
		})
	}
}

func TestUnreachablePostgresIsReportedWithAHint(t *testing.T) {
	cfg, err := config.Load(nil, func(k string) string {
		return map[string]string{"POSTGRES_URL": "postgres://u@127.0.0.1:1/db", "INSTANCE_SECRET": strings.Repeat("ab", 32)}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = openStore(context.Background(), cfg, nil)
	var se *storageError
	if !errors.As(err, &se) || se.Hint() == "" {
		t.Fatalf("openStore = %v, want a storage error with a hint", err)
	}
}

func TestUnreachablePostgresKeepsHealthzAnsweringWithAHint(t *testing.T) {
	bin := buildHull(t)
	p := startHull(t, bin, []string{
		"DATABASE_URL=postgres://hull@127.0.0.1:1/hull_db",
		"INSTANCE_SECRET=" + strings.Repeat("cd", 32),
		"HULL_READY_WAIT=200ms",
	})
	url := p.url()
	body := waitForHealthz(t, url, "unavailable")
	if !strings.Contains(body, `"hint"`) || !strings.Contains(body, "DATABASE_URL") && !strings.Contains(body, "reach") {
		t.Fatalf("healthz gives no actionable hint: %s", body)
	}
	code, resp := get(t, "POST", url+"/api/query", `{"path":"x:y"}`, nil)
	if code != 503 || !strings.Contains(resp, `"code"`) {
		t.Fatalf("a request while storage is unreachable got %d %s, want a 503 JSON answer after the ready wait", code, resp)
	}
	// Still retrying, still answering.
	waitForHealthz(t, url, "unavailable")
	stopAndExpectZero(t, p)
}

func TestANewerProcessTakesOverAndTheOldOneShutsDown(t *testing.T) {
	bin := buildHull(t)
	dataDir := t.TempDir()
	env := []string{"HULL_DATA_DIR=" + dataDir}
	old := startHull(t, bin, env)
	waitForHealthz(t, old.url(), "ready")

	newer := startHull(t, bin, env)
	waitForHealthz(t, newer.url(), "ready")
	select {
	case err := <-old.exited:
		if err != nil {
			t.Fatalf("the fenced-out process exited with %v\n%s", err, old.output())
		}
		old.exited <- nil // for the cleanup
		if !strings.Contains(old.output(), "took over the writer lease") {
			t.Fatalf("the fenced-out process did not say why it stopped:\n%s", old.output())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the fenced-out process kept running\n%s", old.output())
	}
	code, body := get(t, "GET", newer.url()+"/readyz", "", nil)
	if code != 200 {
		t.Fatalf("the newer process is not ready after the takeover: %d %s", code, body)
	}
	stopAndExpectZero(t, newer)
}
