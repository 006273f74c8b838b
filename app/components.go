package app

import (
	"encoding/json"
	"sort"
	"strings"

	"hull/runtime"
)

// Components.
//
// A deployment is a tree of component instances: the app (component path
// "") and, for every app.use(definition, {name}) in a convex.config.ts,
// an instance under its parent, named by the path of names from the root
// ("ratelimiter", "workflow/workpool"). A definition (the CLI's
// definitionPath: the directory of a component's convex.config.ts) may
// be used several times; every instance has its own data.
//
//   - Code. An instance runs its definition's modules. The Version holds
//     the app's code and, in Components, every other instance's, so one
//     commit of finish_push switches the code, schemas, indexes and crons
//     of all of them (DESIGN decision 6).
//   - Data. An instance's tables live in the database namespace named by
//     its path (database/catalog.go): its own tables, its
//     _scheduled_functions, its _storage, its schema. Its functions see
//     only those: ctx.db in a component cannot reach the app's tables nor
//     the app its. Ids stay unique across namespaces.
//   - The scheduler's queue (_scheduled_jobs) and the crons (_cron_jobs,
//     _cron_job_logs) are hull's own tables in the app's namespace; each
//     entry names the component whose function it runs.
//   - Calls. A function runs in its component: names ("lib:enqueue"),
//     references ("_reference/childComponent/<name>/<module path>/<fn>",
//     which the components object of _generated/api builds) and handles
//     ("function://...", from createFunctionHandle) resolve relative to
//     the caller. ctx.runQuery/ctx.runMutation into another component run
//     nested in the caller's transaction, on the callee's namespace, so
//     they commit, conflict and roll back with the caller exactly as
//     nested calls within the app do; actions' calls run on their own.
//   - Visibility. Public clients reach the app's public functions only.
//     A component exports its public functions to its parent (file-based:
//     module path, then function name); its internal functions are
//     callable only from within it (or by a handle it created). An admin
//     may call any function of any instance (run --component).
//   - Environment. The app's functions see the deployment's environment
//     variables. A component's see only what its parent bound in
//     app.use(c, {env}): a value, or a reference to a variable the parent
//     declared (resolved against the deployment's variables), plus
//     CONVEX_CLOUD_URL and CONVEX_SITE_URL.
//   - Removal. An instance that is no longer used is unmounted, as Convex
//     does: its functions and crons go away, its tables and documents
//     stay, and using it again under the same path remounts it with its
//     data.

// EnvBinding is how a parent sets one environment variable of a child
// component: a value, or the name of one of its own variables.
type EnvBinding struct {
	Type  string `json:"type"` // "value" or "envVar"
	Value string `json:"value,omitempty"`
	Name  string `json:"name,omitempty"`
}

// Code is what runs in one component instance, the app included.
type Code struct {
	Modules          []ModuleHash            `json:"modules"`
	Functions        map[string]FunctionInfo `json:"functions"` // key: "messages.js:list"
	Schema           json.RawMessage         `json:"schema,omitempty"`
	HTTPRoutes       []runtime.HTTPRoute     `json:"httpRoutes,omitempty"`
	Crons            json.RawMessage         `json:"crons,omitempty"`
	UDFServerVersion string                  `json:"udfServerVersion"`
}

// Component is one instance of a component below the app.
type Component struct {
	Code
	DefinitionPath string                `json:"definitionPath"`
	Env            map[string]EnvBinding `json:"env,omitempty"`
	// HTTPPrefix is where its HTTP routes are mounted ("" when they are not).
	HTTPPrefix string `json:"httpPrefix,omitempty"`
	// Unmounted instances keep their data but run nothing.
	Unmounted bool `json:"unmounted,omitempty"`
}

// code returns the code of the instance at path, or nil when there is no
// mounted instance there.
func (v *Version) code(path string) *Code {
	if v == nil {
		return nil
	}
	if path == "" {
		return &v.Code
	}
	c, ok := v.Components[path]
	if !ok || c.Unmounted {
		return nil
	}
	return &c.Code
}

// component returns the instance at path below the app (mounted or not).
func (v *Version) component(path string) (*Component, bool) {
	if v == nil || path == "" {
		return nil, false
	}
	c, ok := v.Components[path]
	return c, ok
}

// mountedPaths lists the paths of the mounted instances, the app ("")
// first, then in path order.
func (v *Version) mountedPaths() []string {
	out := []string{""}
	if v == nil {
		return out
	}
	for p, c := range v.Components {
		if !c.Unmounted {
			out = append(out, p)
		}
	}
	sort.Strings(out[1:])
	return out
}

// childPath is the path of the child named name of the instance at parent.
func childPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

// parentPath is the path of the parent of the instance at path ("" for
// the app's children).
func parentPath(path string) string {
	i := strings.LastIndex(path, "/")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// componentName is the last name of a component path ("" for the app).
func componentName(path string) string {
	return path[strings.LastIndex(path, "/")+1:]
}

// componentLabel names an instance in messages: its path, or "the app".
func componentLabel(path string) string {
	if path == "" {
		return "the app"
	}
	return "component " + path
}
