package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Stacks of errors are reported the way Convex reports them: each frame
// in a pushed module is mapped through that module's source map (stored
// with it) to the developer's file, line and column, and frames that do
// not come from the app's own sources (the bundled npm packages, hull's
// glue) are left out. Maps are decoded lazily, once per module version.

// sourceMap is a decoded source map (version 3): for each generated line,
// its segments sorted by column.
type sourceMap struct {
	sources []string
	names   []string
	lines   [][]segment
}

type segment struct {
	genCol, src, line, col, name int // src and name are -1 when absent
}

func parseSourceMap(data string) (*sourceMap, error) {
	var raw struct {
		Version  int      `json:"version"`
		Sources  []string `json:"sources"`
		Names    []string `json:"names"`
		Mappings string   `json:"mappings"`
	}
	if err := json.Unmarshal([]byte(data), &raw); err != nil {
		return nil, fmt.Errorf("source map: %w", err)
	}
	if raw.Version != 3 {
		return nil, fmt.Errorf("source map: version %d is not supported", raw.Version)
	}
	sm := &sourceMap{sources: raw.Sources, names: raw.Names}
	var src, line, col, name int
	for _, l := range strings.Split(raw.Mappings, ";") {
		var segs []segment
		genCol := 0
		for _, s := range strings.Split(l, ",") {
			if s == "" {
				continue
			}
			f, err := decodeVLQ(s)
			if err != nil {
				return nil, err
			}
			genCol += f[0]
			seg := segment{genCol: genCol, src: -1, name: -1}
			if len(f) >= 4 {
				src, line, col = src+f[1], line+f[2], col+f[3]
				seg.src, seg.line, seg.col = src, line, col
			}
			if len(f) >= 5 {
				name += f[4]
				seg.name = name
			}
			segs = append(segs, seg)
		}
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].genCol < segs[j].genCol })
		sm.lines = append(sm.lines, segs)
	}
	return sm, nil
}

const base64VLQ = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeVLQ decodes one segment's base64 VLQ fields.
func decodeVLQ(s string) ([]int, error) {
	var out []int
	value, shift := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base64VLQ, s[i])
		if d < 0 {
			return nil, fmt.Errorf("source map: bad mapping character %q", s[i])
		}
		value += (d & 31) << shift
		if d&32 != 0 {
			shift += 5
			if shift > 30 {
				return nil, errors.New("source map: mapping value too large")
			}
			continue
		}
		if value&1 != 0 {
			out = append(out, -(value >> 1))
		} else {
			out = append(out, value>>1)
		}
		value, shift = 0, 0
	}
	if shift != 0 {
		return nil, errors.New("source map: truncated mapping")
	}
	return out, nil
}

// lookup maps a generated position (1-based line and column, as stacks
// print them) to the original source, 1-based line and column.
func (sm *sourceMap) lookup(line, col int) (source string, oline, ocol int, ok bool) {
	if line < 1 || line > len(sm.lines) {
		return "", 0, 0, false
	}
	segs := sm.lines[line-1]
	i := sort.Search(len(segs), func(i int) bool { return segs[i].genCol > col-1 }) - 1
	if i < 0 || segs[i].src < 0 || segs[i].src >= len(sm.sources) {
		return "", 0, 0, false
	}
	s := segs[i]
	return sm.sources[s.src], s.line + 1, s.col + 1, true
}

// sourceMaps caches decoded maps by module version.
type sourceMaps struct {
	mu sync.Mutex
	m  map[string]*sourceMap // nil value: the module has no usable map
}

// maxCachedMaps bounds the decoded maps kept; past it the cache starts
// over.
const maxCachedMaps = 256

func (c *sourceMaps) get(mod Module) *sourceMap {
	key := moduleKey(mod)
	c.mu.Lock()
	sm, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return sm
	}
	if mod.SourceMap != "" {
		sm, _ = parseSourceMap(mod.SourceMap)
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedMaps {
		c.m = map[string]*sourceMap{}
	}
	c.m[key] = sm
	c.mu.Unlock()
	return sm
}

// stackFrame matches "    at name (file:line:col)" and "    at file:line:col".
var stackFrame = regexp.MustCompile(`^\s*at (?:(.*?) \()?([^()\s]+):(\d+):(\d+)\)?\s*$`)

// mapStack rewrites a JS stack into the app's own frames, mapped to its
// sources; it returns "" when no frame maps to them.
func (c *sourceMaps) mapStack(stack string, mods Modules) string {
	var b strings.Builder
	for _, l := range strings.Split(stack, "\n") {
		m := stackFrame.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		mod, ok := mods.Get(m[2])
		if !ok {
			continue
		}
		sm := c.get(mod)
		if sm == nil {
			continue
		}
		line, _ := strconv.Atoi(m[3])
		col, _ := strconv.Atoi(m[4])
		src, ol, oc, ok := sm.lookup(line, col)
		if !ok || strings.Contains(src, "node_modules/") || strings.Contains(src, "/_generated/") {
			continue
		}
		name := m[1]
		if name == "" || name == "<anonymous>" {
			fmt.Fprintf(&b, "\n    at %s:%d:%d", src, ol, oc)
		} else {
			fmt.Fprintf(&b, "\n    at %s (%s:%d:%d)", name, src, ol, oc)
		}
	}
	return b.String()
}
