package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DefinitionFile is the module path a definition bundle (the CLI's
// convex.config.js) is evaluated under.
const DefinitionFile = "convex.config.js"

// Definition is a component definition evaluated before the one that
// uses it: the bundle imports it as "./_componentDeps/<base64url of
// Path>" and gets an object whose componentDefinitionPath and
// defaultName app.use reads.
type Definition struct {
	Path string
	// Name is the definition's own name (defineComponent's argument),
	// the default name of an instance.
	Name string
	// Metadata is what the definition's export() returned (JSON).
	Metadata json.RawMessage
}

// DefinitionDepModule is the module path a definition bundle imports the
// definition at path p under.
func DefinitionDepModule(p string) string {
	return "_componentDeps/" + base64.RawURLEncoding.EncodeToString([]byte(p))
}

// EvaluateDefinition evaluates a convex.config.js bundle (root: the app's,
// else a component's) with the definitions it may import, no syscalls and
// frozen time, and returns what its default export's export() returns, as
// JSON. env is process.env during the evaluation.
func (p *Pool) EvaluateDefinition(ctx context.Context, source, sourceMap string, root bool, deps []Definition, env map[string]string) (json.RawMessage, error) {
	mods := MapModules{DefinitionFile: {Path: DefinitionFile, Source: source, SourceMap: sourceMap}}
	for _, d := range deps {
		pathJSON, err := json.Marshal(d.Path)
		if err != nil {
			return nil, err
		}
		nameJSON, err := json.Marshal(d.Name)
		if err != nil {
			return nil, err
		}
		meta := d.Metadata
		if len(meta) == 0 {
			meta = json.RawMessage("{}")
		}
		src := fmt.Sprintf("export default { export: () => (%s), componentDefinitionPath: %s, defaultName: %s };\n", meta, pathJSON, nameJSON)
		mods[DefinitionDepModule(d.Path)] = Module{Path: DefinitionDepModule(d.Path), Source: src}
	}
	r, err := p.newVMRun(ctx, tierFast, mods, analyzeHost{}, vmConfig{Kind: "analyze", Now: float64(time.Now().UnixMilli()), Seed: [4]uint32{1, 2, 3, 4}, Env: env})
	if err != nil {
		return nil, err
	}
	defer r.close()
	rootJS := "false"
	if root {
		rootJS = "true"
	}
	timeout := p.opts.AnalyzeTimeout
	runErr := r.withDeadline(timeout, func() error {
		if _, err := r.vm.Eval("globalThis.__hull_define(" + quote(DefinitionFile) + ", " + rootJS + ");"); err != nil {
			return err
		}
		return r.drain()
	})
	if runErr != nil {
		return nil, fmt.Errorf("%s", r.engineError(runErr, "analyze", timeout).Message)
	}
	v, err := r.vm.Eval("JSON.stringify(globalThis.__hull_defined)")
	if err != nil {
		return nil, fmt.Errorf("runtime: read definition: %w", err)
	}
	s, _ := v.(string)
	var out struct {
		Value *string `json:"value"`
		Error *string `json:"error"`
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil || (out.Value == nil && out.Error == nil) {
		return nil, fmt.Errorf("the evaluation of convex.config.js did not finish: its top-level code awaits something that never resolves")
	}
	if out.Error != nil {
		msg := *out.Error
		if r.loadErr != nil && strings.Contains(msg, "is not part of this deployment") {
			msg = "convex.config.ts imports a module that is not a component definition: " + r.loadErr.Error()
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return json.RawMessage(*out.Value), nil
}
