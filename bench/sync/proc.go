package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// hullProc is a hull process serving the live fixture app.
type hullProc struct {
	cmd      *exec.Cmd
	url      string
	dataDir  string
	adminKey string
	appDir   string
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startHull starts bin and deploys test/e2e/fixtures/live with the CLI.
func startHull(ctx context.Context, bin, root string, env []string) (*hullProc, error) {
	dataDir, err := os.MkdirTemp("", "hull-bench-sync-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	h := &hullProc{url: fmt.Sprintf("http://127.0.0.1:%d", port), dataDir: dataDir}
	h.cmd = exec.Command(bin, "serve", "--interface", "127.0.0.1", "--port", strconv.Itoa(port), "--data-dir", dataDir)
	h.cmd.Env = append(os.Environ(), append([]string{"HULL_LOG_LEVEL=" + logLevel(), "INSTANCE_NAME=bench-sync"}, env...)...)
	h.cmd.Stderr = os.Stderr
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start hull: %w", err)
	}
	if err := waitReady(ctx, h.url); err != nil {
		h.stop()
		return nil, err
	}
	keys := exec.Command(bin, "keys", "admin", "--data-dir", dataDir)
	keys.Env = h.cmd.Env
	key, err := keys.Output()
	if err != nil {
		h.stop()
		return nil, fmt.Errorf("admin key: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(key)), "\n")
	h.adminKey = strings.TrimSpace(lines[len(lines)-1])
	if err := h.deploy(root); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

func waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := httpGet(ctx, url+"/readyz"); err == nil && r == 200 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("hull at %s did not become ready", url)
}

func (h *hullProc) deploy(root string) error {
	dir, err := os.MkdirTemp("", "hull-bench-app-")
	if err != nil {
		return err
	}
	h.appDir = dir
	if err := exec.Command("cp", "-r", filepath.Join(root, "test/e2e/fixtures/live")+"/.", dir).Run(); err != nil {
		return fmt.Errorf("copy fixture: %w", err)
	}
	if err := os.Symlink(filepath.Join(root, "test/e2e/node_modules"), filepath.Join(dir, "node_modules")); err != nil {
		return err
	}
	cmd := exec.Command("node", filepath.Join(root, "test/e2e/node_modules/convex/bin/main.js"), "deploy", "-y", "--typecheck", "disable")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CONVEX_SELF_HOSTED_URL="+h.url, "CONVEX_SELF_HOSTED_ADMIN_KEY="+h.adminKey, "CI=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("convex deploy: %w\n%s", err, out.String())
	}
	return nil
}

func (h *hullProc) stop() {
	if h.cmd != nil && h.cmd.Process != nil {
		_ = h.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = h.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = h.cmd.Process.Kill()
		}
	}
	_ = os.RemoveAll(h.dataDir)
	if h.appDir != "" {
		_ = os.RemoveAll(h.appDir)
	}
}

// rssKiB reads a process's resident set size.
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// logLevel is hull's log level in the bench (BENCH_HULL_LOG_LEVEL, or
// warn).
func logLevel() string {
	if l := os.Getenv("BENCH_HULL_LOG_LEVEL"); l != "" {
		return l
	}
	return "warn"
}
