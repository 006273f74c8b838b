package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MapModules is a module set held in memory, keyed by path.
type MapModules map[string]Module

// Get returns the module at path.
func (m MapModules) Get(path string) (Module, bool) {
	mod, ok := m[path]
	return mod, ok
}

// Paths returns every module path, sorted.
func (m MapModules) Paths() []string {
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// DirModules reads a CLI bundle written to disk (for example by
// `npx convex deploy --debug-bundle-path DIR`, its DIR/isolate folder):
// every .js file under root, with its .map beside it when present, hashed
// as the CLI hashes modules.
func DirModules(root string) (MapModules, error) {
	m := MapModules{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		mod := Module{Path: rel, Source: string(src)}
		h := sha256.New()
		h.Write(src)
		if sm, err := os.ReadFile(p + ".map"); err == nil {
			mod.SourceMap = string(sm)
			h.Write(sm)
		}
		mod.SHA256 = hex.EncodeToString(h.Sum(nil))
		m[rel] = mod
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("runtime: read modules under %s: %w", root, err)
	}
	return m, nil
}
