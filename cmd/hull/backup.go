package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"hull/adminkey"
)

// hull backup and hull restore talk to a running hull over its API (the
// endpoints `npx convex export` and `import` use), so they never open the
// database beside the server, which would take the writer lease from it.

// remoteFlags are the flags of backup and restore.
type remoteFlags struct {
	url, key, dataDir string
}

func (r *remoteFlags) register(fs *flag.FlagSet, env func(string) string) {
	def := env("CONVEX_SELF_HOSTED_URL")
	if def == "" {
		port := env("PORT")
		if port == "" {
			port = "3210"
		}
		def = "http://127.0.0.1:" + port
	}
	fs.StringVar(&r.url, "url", def, "URL of the running hull (CONVEX_SELF_HOSTED_URL)")
	fs.StringVar(&r.key, "admin-key", env("CONVEX_SELF_HOSTED_ADMIN_KEY"), "admin key (CONVEX_SELF_HOSTED_ADMIN_KEY; default: minted from the instance secret)")
	fs.StringVar(&r.dataDir, "data-dir", "", "data folder holding the instance secret, to mint an admin key")
}

func (r *remoteFlags) adminKey(env func(string) string) (string, error) {
	if r.key != "" {
		return r.key, nil
	}
	var args []string
	if r.dataDir != "" {
		args = []string{"--data-dir", r.dataDir}
	}
	cfg, secret, err := loadSecret(args, env)
	if err != nil {
		return "", fmt.Errorf("no admin key: pass --admin-key or set CONVEX_SELF_HOSTED_ADMIN_KEY (%w)", err)
	}
	return adminkey.Issue(cfg.InstanceName, secret)
}

func (r *remoteFlags) do(ctx context.Context, key, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(r.url, "/")+path, body)
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Convex "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach hull at %s: %w", r.url, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

// parseAt reads a point in time: nanoseconds since the epoch, or RFC 3339.
func parseAt(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, &usageError{fmt.Errorf("--at %q is neither a timestamp in nanoseconds nor an RFC 3339 time", s)}
	}
	return t.UnixNano(), nil
}

// backupCmd writes a snapshot ZIP of a running hull to a file.
func backupCmd(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var rf remoteFlags
	rf.register(fs, env)
	out := fs.String("o", "", "file to write the snapshot ZIP to (default snapshot_<ts>.zip)")
	at := fs.String("at", "", "point in time to back up (ns timestamp or RFC 3339) inside the revision log's retention window; default now")
	files := fs.Bool("include-file-storage", true, "include the bytes of stored files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key, err := rf.adminKey(env)
	if err != nil {
		return err
	}
	q := url.Values{"includeStorage": {strconv.FormatBool(*files)}}
	if *at != "" {
		ts, err := parseAt(*at)
		if err != nil {
			return err
		}
		q.Set("ts", strconv.FormatInt(ts, 10))
	}
	resp, err := rf.do(ctx, key, "POST", "/api/export/request/zip?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	var started struct{ TS string }
	err = json.NewDecoder(resp.Body).Decode(&started)
	resp.Body.Close()
	if err != nil || started.TS == "" {
		return fmt.Errorf("hull did not say which export it started: %v", err)
	}
	for {
		resp, err = rf.do(ctx, key, "GET", "/api/export/zip/"+started.TS, nil)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "ExportNotComplete") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	defer resp.Body.Close()
	path := *out
	if path == "" {
		path = "snapshot_" + started.TS + ".zip"
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("download the snapshot: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, snapshot at ts %s)\n", path, n, started.TS)
	return nil
}

// restoreCmd imports a snapshot ZIP into a running hull: refused when a
// table it holds already has documents, unless --replace (or --force).
func restoreCmd(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	var rf remoteFlags
	rf.register(fs, env)
	replace := fs.Bool("replace", false, "replace every table of the deployment (the deployment may hold data)")
	force := fs.Bool("force", false, "same as --replace")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{errors.New("usage: hull restore [flags] <snapshot.zip>")}
	}
	key, err := rf.adminKey(env)
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open the snapshot: %w", err)
	}
	defer f.Close()
	mode := "requireEmpty"
	if *replace || *force {
		mode = "replaceAll"
	}
	resp, err := rf.do(ctx, key, "POST", "/api/import?format=zip&mode="+mode, f)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res struct{ NumWritten int64 }
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("read hull's answer: %w", err)
	}
	fmt.Fprintf(stdout, "restored %d documents from %s\n", res.NumWritten, fs.Arg(0))
	return nil
}
