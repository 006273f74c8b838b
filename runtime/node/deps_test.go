package node

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hull/runtime"
)

// memArchives is an ArchiveStore in memory.
type memArchives struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (a *memArchives) LoadArchive(_ context.Context, id string) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.m[id], nil
}

func (a *memArchives) SaveArchive(_ context.Context, id string, data []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string][]byte{}
	}
	a.m[id] = data
	return nil
}

// localPackage writes an npm package tarball, so npm installs it without
// the registry.
func localPackage(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	files := map[string]string{
		"package/package.json": `{"name":"tiny-local","version":"1.0.0","main":"index.js"}`,
		"package/index.js":     `module.exports = (s) => s.toUpperCase();`,
	}
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	p := filepath.Join(t.TempDir(), "tiny-local-1.0.0.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const shoutJS = `
import up from "tiny-local";
export const shout = { isAction: true, isPublic: true, invokeAction: async (rid, a) => JSON.stringify(up(JSON.parse(a)[0].s)) };
`

func TestExternalPackagesAreInstalledAndRestored(t *testing.T) {
	archives := &memArchives{}
	pkg := localPackage(t)
	code := &Code{Modules: []runtime.Module{{Path: "shout.js", Source: shoutJS, SHA256: "s"}},
		Deps: []Dependency{{Name: "tiny-local", Version: "file:" + pkg}}}
	call := runtime.Call{Kind: runtime.KindAction, Module: "shout.js", Export: "shout", Args: []byte(`[{"s":"hello"}]`), Host: &testHost{}}
	shout := func(e *Executor) {
		t.Helper()
		res, err := e.Run(context.Background(), code, call)
		if err != nil {
			t.Fatal(err)
		}
		if got := value(t, res); got != `"HELLO"` {
			t.Fatalf("got %s", got)
		}
	}

	installer := newTestExecutor(t, Options{Archives: archives})
	shout(installer)
	if len(archives.m) != 1 {
		t.Fatalf("%d archives stored, want 1", len(archives.m))
	}
	// A fresh container: an empty folder, and no npm to install with.
	fresh := newTestExecutor(t, Options{Archives: archives, NPM: filepath.Join(t.TempDir(), "no-npm")})
	shout(fresh)
}

func TestAFailedInstallNamesThePackages(t *testing.T) {
	e := newTestExecutor(t, Options{})
	code := &Code{Modules: []runtime.Module{{Path: "shout.js", Source: shoutJS, SHA256: "s"}},
		Deps: []Dependency{{Name: "tiny-local", Version: "file:" + filepath.Join(t.TempDir(), "missing.tgz")}}}
	_, err := e.Analyze(context.Background(), code, nil)
	var ie *InstallError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "tiny-local@file:") {
		t.Fatalf("got %v", err)
	}
}

func TestArchivesRoundTrip(t *testing.T) {
	src := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(src, "node_modules", "a", "bin"), 0o755))
	must(os.WriteFile(filepath.Join(src, "node_modules", "a", "index.js"), []byte("module.exports = 1;"), 0o644))
	must(os.WriteFile(filepath.Join(src, "node_modules", "a", "bin", "run"), []byte("#!/bin/sh\n"), 0o755))
	must(os.MkdirAll(filepath.Join(src, "node_modules", ".bin"), 0o755))
	must(os.Symlink("../a/bin/run", filepath.Join(src, "node_modules", ".bin", "run")))
	data, err := archiveDir(src)
	must(err)
	dst := filepath.Join(t.TempDir(), "out")
	must(extractArchive(data, dst))
	b, err := os.ReadFile(filepath.Join(dst, "node_modules", ".bin", "run"))
	if err != nil || string(b) != "#!/bin/sh\n" {
		t.Fatalf("through the symlink: %q, %v", b, err)
	}
	st, err := os.Stat(filepath.Join(dst, "node_modules", "a", "bin", "run"))
	if err != nil || st.Mode().Perm()&0o100 == 0 {
		t.Fatalf("executable bit lost: %v, %v", st.Mode(), err)
	}
}

func tarGz(t testing.TB, entries ...*tar.Header) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, h := range entries {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestArchivesCannotEscapeTheirFolder(t *testing.T) {
	reg := func(name string) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: 1}
	}
	link := func(name, to string) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: to}
	}
	cases := []struct {
		name  string
		entry *tar.Header
	}{
		{"an absolute path", reg("/tmp/evil")},
		{"a path climbing out", reg("node_modules/../../evil")},
		{"a file beside node_modules", reg("evil.js")},
		{"a symlink to an absolute path", link("node_modules/x", "/etc")},
		{"a symlink climbing out", link("node_modules/x", "../../evil")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			dst := filepath.Join(root, "out")
			if err := extractArchive(tarGz(t, c.entry), dst); err == nil {
				t.Fatal("extracted it")
			}
			if entries, _ := os.ReadDir(root); len(entries) > 1 {
				t.Fatalf("wrote outside the folder: %v", entries)
			}
		})
	}
}

// FuzzExtractArchive unpacks arbitrary archives: nothing may land outside
// the destination folder.
func FuzzExtractArchive(f *testing.F) {
	f.Add(tarGz(f, &tar.Header{Name: "node_modules/a.js", Typeflag: tar.TypeReg, Mode: 0o644, Size: 3}))
	f.Add(tarGz(f, &tar.Header{Name: "node_modules/l", Typeflag: tar.TypeSymlink, Linkname: "a.js"}))
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		_ = extractArchive(data, filepath.Join(root, "out"))
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if e.Name() != "out" {
				t.Fatalf("wrote %s outside the folder", e.Name())
			}
		}
	})
}
