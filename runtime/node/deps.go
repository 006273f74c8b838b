package node

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// ArchiveStore keeps archives of installed external packages, keyed by
// their dependency id (see Executor.DepsID). hull keeps them in its
// database, so a container that starts with an empty disk restores a
// version's packages in a moment instead of installing them again.
type ArchiveStore interface {
	// LoadArchive returns the archive stored under id, or nil and no
	// error when there is none.
	LoadArchive(ctx context.Context, id string) ([]byte, error)
	// SaveArchive stores an archive under id.
	SaveArchive(ctx context.Context, id string, archive []byte) error
}

// Bounds on external packages: the archive kept in the database, and
// what one may unpack to.
const (
	maxArchiveBytes  = 256 << 20
	maxUnpackedBytes = 2 << 30
)

// InstallError is a failed installation of a version's external
// packages.
type InstallError struct {
	Deps   []Dependency
	Output string // the end of npm's output
	Err    error
}

func (e *InstallError) Error() string {
	names := make([]string, 0, len(e.Deps))
	for _, d := range e.Deps {
		names = append(names, d.Name+"@"+d.Version)
	}
	msg := fmt.Sprintf("Installing the external packages of Node.js actions (%s, from node.externalPackages in convex.json) with npm failed: %v", strings.Join(names, ", "), e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "\n" + out
	}
	return msg
}

func (e *InstallError) Unwrap() error { return e.Err }

// ensureDeps makes sure the packages of deps are in deps/<id>: already
// there, restored from their stored archive, or installed with npm (and
// their archive stored for next time).
func (e *Executor) ensureDeps(ctx context.Context, deps []Dependency, id string) error {
	dir := filepath.Join(e.opts.Dir, "deps", id)
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		return nil
	}
	return e.once(ctx, "deps/"+id, func(ctx context.Context) error {
		if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
			return nil
		}
		parent := filepath.Dir(dir)
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return folderError(parent, err)
		}
		tmp, err := os.MkdirTemp(parent, ".tmp-")
		if err != nil {
			return folderError(parent, err)
		}
		defer os.RemoveAll(tmp)
		restored := false
		if e.opts.Archives != nil {
			data, err := e.opts.Archives.LoadArchive(ctx, id)
			if err != nil {
				e.log.Warn("load the archive of external packages; installing them instead", "err", err)
			}
			if data != nil {
				start := time.Now()
				if err := extractArchive(data, tmp); err != nil {
					e.log.Warn("unpack the archive of external packages; installing them instead", "err", err)
					_ = os.RemoveAll(tmp)
					if err := os.MkdirAll(tmp, 0o755); err != nil {
						return err
					}
				} else {
					restored = true
					e.log.Info("restored external packages of Node.js actions from the database", "bytes", len(data), "took", time.Since(start).Round(time.Millisecond))
				}
			}
		}
		if !restored {
			start := time.Now()
			if err := e.install(ctx, deps, tmp); err != nil {
				return err
			}
			e.log.Info("installed external packages of Node.js actions", "packages", len(deps), "took", time.Since(start).Round(time.Millisecond))
			if e.opts.Archives != nil {
				data, err := archiveDir(tmp)
				if err != nil {
					return fmt.Errorf("node: archive external packages: %w", err)
				}
				if err := e.opts.Archives.SaveArchive(ctx, id, data); err != nil {
					return fmt.Errorf("node: store the archive of external packages: %w", err)
				}
			}
		}
		if err := os.Rename(tmp, dir); err != nil {
			if _, serr := os.Stat(filepath.Join(dir, "node_modules")); serr == nil {
				return nil
			}
			return fmt.Errorf("node: put external packages in place: %w", err)
		}
		return nil
	})
}

// npmPath finds npm: the configured one, the one next to node, or the
// one on PATH.
func (e *Executor) npmPath(info Info) (string, error) {
	if e.opts.NPM != "" {
		p, err := exec.LookPath(e.opts.NPM)
		if err == nil {
			return p, nil
		}
	} else {
		sibling := filepath.Join(filepath.Dir(info.Path), "npm")
		if st, err := os.Stat(sibling); err == nil && !st.IsDir() {
			return sibling, nil
		}
		if p, err := exec.LookPath("npm"); err == nil {
			return p, nil
		}
	}
	return "", &UnavailableError{
		What: "node.externalPackages in convex.json asks for packages to install, and no \"npm\" executable was found next to node or on hull's PATH",
		Hint: "Install npm (Debian: \"apt-get install npm\"; it comes with Node.js from https://nodejs.org), then push again",
	}
}

// install runs npm install for deps in dir.
func (e *Executor) install(ctx context.Context, deps []Dependency, dir string) error {
	info, err := e.Check(ctx)
	if err != nil {
		return err
	}
	npm, err := e.npmPath(info)
	if err != nil {
		return err
	}
	want := map[string]string{}
	for _, d := range deps {
		want[d.Name] = d.Version
	}
	pkg, err := json.Marshal(map[string]any{"name": "hull-external-packages", "private": true, "dependencies": want})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), pkg, 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.InstallTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--omit=dev", "--loglevel=error", "--no-update-notifier")
	cmd.Dir = dir
	env := childEnv([]string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
		"NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "npm_config_*", "NPM_CONFIG_*"})
	// npm's own scripts run "node": the one hull uses comes first.
	env = append(env, "PATH="+filepath.Dir(info.Path)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"npm_config_cache="+filepath.Join(e.opts.Dir, "npm-cache"))
	cmd.Env = env
	var out tail
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	setSysProcAttr(cmd)
	cmd.Cancel = func() error { return killGroup(cmd) }
	if err := e.spawn(cmd); err != nil {
		return &InstallError{Deps: deps, Err: err}
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (after %s)", ctx.Err(), e.opts.InstallTimeout)
		}
		return &InstallError{Deps: deps, Output: out.String(), Err: err}
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		return &InstallError{Deps: deps, Output: out.String(), Err: errors.New("npm created no node_modules folder")}
	}
	return nil
}

// archiveDir packs dir/node_modules as a gzipped tar: folders, regular
// files with their modes, and symlinks.
func archiveDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(filepath.Join(dir, "node_modules"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		st, err := d.Info()
		if err != nil {
			return err
		}
		h := &tar.Header{Name: name, Mode: int64(st.Mode().Perm()), ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			h.Typeflag, h.Linkname = tar.TypeSymlink, filepath.ToSlash(target)
		case d.IsDir():
			h.Typeflag, h.Name = tar.TypeDir, name+"/"
		case st.Mode().IsRegular():
			h.Typeflag, h.Size = tar.TypeReg, st.Size()
		default:
			return nil // sockets, devices: nothing a package needs
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		if buf.Len() > maxArchiveBytes {
			return fmt.Errorf("the installed packages are more than %d MiB compressed", maxArchiveBytes>>20)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// extractArchive unpacks an archive made by archiveDir into dst. Entries
// that would land outside dst (absolute or ".." paths, symlinks pointing
// out) are refused, and so is an archive unpacking to more than
// maxUnpackedBytes.
func extractArchive(data []byte, dst string) error {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("node: archive: %w", err)
	}
	tr := tar.NewReader(gz)
	var total int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("node: archive: %w", err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		rel, err := safeRel(name)
		if err != nil || !strings.HasPrefix(name, "node_modules") {
			return fmt.Errorf("node: archive entry %q is outside node_modules", h.Name)
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			total += h.Size
			if h.Size < 0 || total > maxUnpackedBytes {
				return fmt.Errorf("node: archive unpacks to more than %d MiB", maxUnpackedBytes>>20)
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_EXCL, fs.FileMode(h.Mode).Perm()|0o600)
			if err != nil {
				return err
			}
			_, err = io.CopyN(f, tr, h.Size)
			cerr := f.Close()
			if err != nil {
				return fmt.Errorf("node: archive entry %s: %w", h.Name, err)
			}
			if cerr != nil {
				return cerr
			}
		case tar.TypeSymlink:
			link := h.Linkname
			if path.IsAbs(link) || strings.Contains(link, "\\") {
				return fmt.Errorf("node: archive symlink %s points outside the packages", h.Name)
			}
			resolved := path.Clean(path.Join(path.Dir(name), link))
			if resolved == ".." || strings.HasPrefix(resolved, "../") || !strings.HasPrefix(resolved, "node_modules") {
				return fmt.Errorf("node: archive symlink %s points outside the packages", h.Name)
			}
			if err := os.Symlink(filepath.FromSlash(link), target); err != nil {
				return err
			}
		default:
			// Nothing else is ever archived.
		}
	}
}
