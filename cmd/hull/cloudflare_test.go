package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hull/deploy/cloudflare"
)

func runHull(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCloudflareInitWritesTheKitAndRefusesToOverwriteIt(t *testing.T) {
	project := filepath.Join(t.TempDir(), "My Shop")
	dir := filepath.Join(project, "cloudflare")
	code, out, errs := runHull(t, "cloudflare", "init", "--dir", dir, "--account-id", strings.Repeat("0f", 16))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wrangler, err := os.ReadFile(filepath.Join(dir, "wrangler.jsonc"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(wrangler), `"INSTANCE_NAME": "my-shop"`) {
		t.Errorf("the name was not taken from the project folder:\n%s", wrangler)
	}
	for _, f := range []string{"CLOUDFLARE.md", "Dockerfile", "src/index.ts", "package-lock.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was not written: %v", f, err)
		}
	}
	if !strings.Contains(out, "CLOUDFLARE.md") {
		t.Errorf("the summary does not point at the walkthrough:\n%s", out)
	}

	// A second run changes nothing without --force.
	marker := filepath.Join(dir, "wrangler.jsonc")
	if err := os.WriteFile(marker, []byte("// mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runHull(t, "cloudflare", "init", "--dir", dir)
	if code == exitOK || !strings.Contains(errs, "refusing to overwrite") || !strings.Contains(errs, "wrangler.jsonc") {
		t.Fatalf("exit %d, stderr %q: want a refusal naming wrangler.jsonc", code, errs)
	}
	if b, _ := os.ReadFile(marker); string(b) != "// mine\n" {
		t.Fatal("a refused init overwrote wrangler.jsonc")
	}
	code, _, errs = runHull(t, "cloudflare", "init", "--dir", dir, "--force", "--name", "shop-two")
	if code != exitOK {
		t.Fatalf("--force: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(marker); !strings.Contains(string(b), `"name": "shop-two"`) {
		t.Fatalf("--force did not rewrite wrangler.jsonc:\n%s", b)
	}
}

func TestCloudflareInitFlagErrorsAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"cloudflare"}, "usage: hull cloudflare init"},
		{"a bad name", []string{"cloudflare", "init", "--dir", dir, "--name", "Bad_Name"}, "--name"},
		{"a bad backend", []string{"cloudflare", "init", "--dir", dir, "--backend", "rust"}, "--backend"},
		{"a source that is no hull checkout", []string{"cloudflare", "init", "--dir", dir, "--source", dir}, "not a hull checkout"},
		{"a binary that is no linux/amd64 executable", []string{"cloudflare", "init", "--dir", dir, "--binary", "cloudflare.go"}, "not a linux/amd64 executable"},
		{"an unknown flag", []string{"cloudflare", "init", "--colour"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runHull(t, tt.args...)
			if code == exitOK || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q: want a failure mentioning %q", code, errs, tt.want)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("failed runs wrote %d entries", len(entries))
	}
}

func TestTheKitShipsWithThisHullsVersion(t *testing.T) {
	v, err := cloudflare.Version()
	if err != nil {
		t.Fatal(err)
	}
	if v != version {
		t.Fatalf("deploy/cloudflare/src/version.ts says %s, hull is %s: bump both together", v, version)
	}
}

func TestDeploymentNamesFromProjectFolders(t *testing.T) {
	tests := map[string]string{
		"/x/my-app":    "my-app",
		"/x/My Shop":   "my-shop",
		"/x/42things":  "hull-42things",
		"/x/a":         "a-app",
		"/x/__proj__":  "proj",
		"/x/Ünïcode!!": "n-code",
	}
	for dir, want := range tests {
		if got := nameFromFolder(dir); got != want {
			t.Errorf("nameFromFolder(%q) = %q, want %q", dir, got, want)
		}
	}
}
