package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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

// KeyedModules is a Modules that names its content: ModulesKey changes
// whenever any module's path or content does. A Pool keys the engines it
// prepares by it; for any other Modules it works the key out on every
// call from every module, which grows with the app (~22 µs and ~16 KB
// per call for 75 modules).
type KeyedModules interface {
	Modules
	ModulesKey() string
}

// Keyed returns the set with its key and sorted paths worked out once,
// for a set that serves many calls. m must not change afterwards.
func (m MapModules) Keyed() *KeyedMap {
	k := &KeyedMap{MapModules: m, paths: m.Paths()}
	k.key = modulesKey(m, k.paths)
	return k
}

// KeyedMap is a MapModules that knows its key (see Keyed).
type KeyedMap struct {
	MapModules
	paths []string
	key   string
}

// Paths returns every module path, sorted.
func (k *KeyedMap) Paths() []string { return slices.Clone(k.paths) }

// ModulesKey names the set's content.
func (k *KeyedMap) ModulesKey() string { return k.key }

// modulesKeyOf returns mods' key: its own when it keeps one.
func modulesKeyOf(mods Modules) string {
	if k, ok := mods.(KeyedModules); ok {
		return k.ModulesKey()
	}
	return modulesKey(mods, mods.Paths())
}

// modulesKey hashes every module's path and content hash, in path order.
func modulesKey(mods Modules, paths []string) string {
	h := sha256.New()
	var b []byte
	for _, p := range paths {
		m, _ := mods.Get(p)
		k := moduleKey(m)
		b = append(strconv.AppendInt(b[:0], int64(len(k)), 10), ':')
		h.Write(append(b, k...))
	}
	return hex.EncodeToString(h.Sum(nil))
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
