package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"hull/auth"
	"hull/runtime"
)

// Function addresses. A call, a schedule or createFunctionHandle names
// its function in one of three ways (the convex package's
// getFunctionAddress): a name ("lib:enqueue", in the caller's component),
// a reference ("_reference/childComponent/<child>/<module path>/<fn>",
// a public function of a child; "_reference/function/<module>:<fn>", one
// of the caller's own), or a handle ("function://...").

// Target is a function of one component instance.
type Target struct {
	Component string // component path, "" for the app
	Path      FunctionPath
}

func (t Target) String() string {
	if t.Component == "" {
		return t.Path.String()
	}
	return t.Component + "/" + t.Path.String()
}

// address is the function part of a syscall's arguments.
type address struct {
	Name           string  `json:"name"`
	Reference      *string `json:"reference"`
	FunctionHandle *string `json:"functionHandle"`
}

// referenceError is Convex's error for a reference that names nothing.
func referenceError(format string, args ...any) error {
	return fmt.Errorf("InvalidReference: "+format, args...)
}

// resolve finds the function an address names for a caller running in
// the component at caller, in version v.
func (a *App) resolve(v *Version, caller string, ad address) (Target, error) {
	switch {
	case ad.FunctionHandle != nil:
		return a.parseHandle(*ad.FunctionHandle)
	case ad.Reference != nil:
		return resolveReference(v, caller, *ad.Reference)
	case ad.Name != "":
		p, err := ParseFunctionPath(ad.Name)
		if err != nil {
			return Target{}, err
		}
		return Target{Component: caller, Path: p}, nil
	}
	return Target{}, fmt.Errorf("InvalidArgument: no function to call was given (expected name, reference or functionHandle)")
}

// resolveReference resolves a "_reference/..." path.
func resolveReference(v *Version, caller, ref string) (Target, error) {
	parts := strings.Split(ref, "/")
	if len(parts) < 2 || parts[0] != "_reference" {
		return Target{}, referenceError("Invalid reference %s", ref)
	}
	switch parts[1] {
	case "function":
		p, err := ParseFunctionPath(strings.Join(parts[2:], "/"))
		if err != nil {
			return Target{}, referenceError("Invalid reference %s", ref)
		}
		return Target{Component: caller, Path: p}, nil
	case "childComponent":
		if len(parts) < 3 {
			return Target{}, referenceError("Invalid reference %s", ref)
		}
		name, attrs := parts[2], parts[3:]
		child := childPath(caller, name)
		code := v.code(child)
		if code == nil {
			return Target{}, referenceError("Child component %q not found", name)
		}
		quoted := make([]string, len(attrs))
		for i, s := range attrs {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		notExported := referenceError("Child component %q does not export [%s]", name, strings.Join(quoted, ", "))
		if len(attrs) < 2 {
			return Target{}, notExported
		}
		p := FunctionPath{Module: strings.Join(attrs[:len(attrs)-1], "/") + ".js", Export: attrs[len(attrs)-1]}
		fi, ok := code.Functions[p.Module+":"+p.Export]
		if !ok || fi.Visibility != "public" {
			return Target{}, notExported
		}
		return Target{Component: child, Path: p}, nil
	case "componentArgument":
		return Target{}, fmt.Errorf("InvalidResource: Only functions can be called. %s is a component argument", ref)
	}
	return Target{}, referenceError("Invalid reference %s", ref)
}

// Function handles are "function://<component path>;<module>:<export>#<mac>":
// they name the function itself, so they stay valid across pushes (and
// fail at the call once the function is gone), and carry an HMAC under
// the deployment's handle key, so only the deployment mints them and a
// client cannot forge one to reach an internal function.
const handlePrefix = "function://"

func (a *App) handleMAC(body string) string {
	m := hmac.New(sha256.New, a.opts.HandleKey)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// functionHandle mints the handle of t.
func (a *App) functionHandle(t Target) string {
	body := t.Component + ";" + t.Path.Module + ":" + t.Path.Export
	return handlePrefix + body + "#" + a.handleMAC(body)
}

// parseHandle reads back a handle functionHandle minted.
func (a *App) parseHandle(h string) (Target, error) {
	notFound := fmt.Errorf("FunctionHandleNotFound: Function handle not found")
	rest, ok := strings.CutPrefix(h, handlePrefix)
	if !ok {
		return Target{}, fmt.Errorf("InvalidArgument: %q is not a function handle", h)
	}
	body, mac, ok := strings.Cut(rest, "#")
	if !ok || !hmac.Equal([]byte(mac), []byte(a.handleMAC(body))) {
		return Target{}, notFound
	}
	comp, fn, ok := strings.Cut(body, ";")
	if !ok {
		return Target{}, notFound
	}
	p, err := ParseFunctionPath(fn)
	if err != nil {
		return Target{}, notFound
	}
	return Target{Component: comp, Path: p}, nil
}

// lookupFunction finds a function of a mounted instance of v.
func lookupFunction(v *Version, t Target) (FunctionInfo, bool) {
	code := v.code(t.Component)
	if code == nil {
		return FunctionInfo{}, false
	}
	fi, ok := code.Functions[t.Path.Module+":"+t.Path.Export]
	return fi, ok
}

// createFunctionHandle serves 1.0/createFunctionHandle.
func (h *host) createFunctionHandle(args []byte) ([]byte, error) {
	var ad address
	if err := json.Unmarshal(args, &ad); err != nil {
		return nil, fmt.Errorf("invalid syscall arguments: %w", err)
	}
	v := h.version()
	t, err := h.app.resolve(v, h.component, ad)
	if err != nil {
		return nil, err
	}
	if _, ok := lookupFunction(v, t); !ok {
		return nil, fmt.Errorf("FunctionHandleNotFound: Function handle not found: %s does not exist", t)
	}
	return json.Marshal(h.app.functionHandle(t))
}

// functionMetadata serves 1.0/getFunctionMetadata: the running function
// and its component.
func (h *host) functionMetadata() ([]byte, error) {
	return json.Marshal(map[string]string{"name": h.req.Path.String(), "componentPath": h.component})
}

// componentArgument serves 1.0/componentArgument. Definitions declare no
// arguments today (the convex package sends none), so there is never a
// value.
func (h *host) componentArgument(args []byte) ([]byte, error) {
	var a struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, fmt.Errorf("invalid syscall arguments: %w", err)
	}
	return []byte("{}"), nil
}

// componentEnv is process.env of a function of the instance at path: the
// deployment's variables for the app; for a component, the bindings its
// parent gave it (a reference resolved against the deployment's
// variables), CONVEX_CLOUD_URL and CONVEX_SITE_URL (under its HTTP
// prefix when it has one).
func (a *App) componentEnv(v *Version, path string, env map[string]string) map[string]string {
	if path == "" {
		return a.functionEnv(env)
	}
	out := a.functionEnv(nil)
	c, ok := v.component(path)
	if !ok {
		return out
	}
	if site, prefix := out["CONVEX_SITE_URL"], sitePrefix(v, path); site != "" && prefix != "" {
		out["CONVEX_SITE_URL"] = strings.TrimSuffix(site, "/") + prefix
	}
	for name, b := range c.Env {
		switch b.Type {
		case "value":
			out[name] = b.Value
		case "envVar":
			if val, ok := env[b.Name]; ok {
				out[name] = val
			}
		}
	}
	return out
}

// propagateIdentity is the user a call from the instance at caller into
// the one at callee runs as: the caller's within the app, nobody when
// either side is a component (as on Convex: components do not see the
// app's users).
func propagateIdentity(req CallRequest, caller, callee string) (*auth.Identity, error) {
	if caller != "" || callee != "" {
		return nil, nil
	}
	return req.Identity, req.IdentityError
}

// kindOf maps a runUdf udfType to the kind of the function it calls.
func kindOf(udfType string) runtime.Kind {
	if udfType == "snapshotQuery" {
		return runtime.KindQuery
	}
	return runtime.Kind(udfType)
}
