package app

import (
	"encoding/json"

	"hull/runtime"
	"hull/runtime/node"
)

// ModuleConfig is one module of a push, as the CLI sends it.
type ModuleConfig struct {
	Path        string  `json:"path"`
	Source      string  `json:"source"`
	SourceMap   *string `json:"sourceMap,omitempty"`
	Environment string  `json:"environment"`
}

// ModuleHash names a module the CLI did not resend because the deployment
// already has it.
type ModuleHash struct {
	Path        string `json:"path"`
	Environment string `json:"environment"`
	SHA256      string `json:"sha256"`
}

// StartPushRequest is the body of /api/deploy2/start_push (and of
// evaluate_push and evaluate_schema).
type StartPushRequest struct {
	AdminKey      string `json:"adminKey"`
	DryRun        bool   `json:"dryRun"`
	Functions     string `json:"functions"`
	ForCodegen    bool   `json:"forCodegen"`
	AppDefinition struct {
		Definition            *ModuleConfig  `json:"definition"`
		Dependencies          []string       `json:"dependencies"`
		Schema                *ModuleConfig  `json:"schema"`
		ChangedModules        []ModuleConfig `json:"changedModules"`
		Functions             []ModuleConfig `json:"functions"` // CLIs up to 1.31 used this name
		UnchangedModuleHashes []ModuleHash   `json:"unchangedModuleHashes"`
		UDFServerVersion      string         `json:"udfServerVersion"`
	} `json:"appDefinition"`
	ComponentDefinitions []ComponentDefinitionConfig `json:"componentDefinitions"`
	NodeDependencies     []node.Dependency           `json:"nodeDependencies"`
	NodeVersion          *string                     `json:"nodeVersion"`
}

// ComponentDefinitionConfig is one component definition of a push: its
// convex.config.js bundle, the definitions it uses, its schema and its
// modules.
type ComponentDefinitionConfig struct {
	DefinitionPath   string         `json:"definitionPath"`
	Definition       *ModuleConfig  `json:"definition"`
	Dependencies     []string       `json:"dependencies"`
	Schema           *ModuleConfig  `json:"schema"`
	Functions        []ModuleConfig `json:"functions"`
	UDFServerVersion string         `json:"udfServerVersion"`
}

// FunctionInfo is what a version knows of one exported function.
type FunctionInfo struct {
	Kind       runtime.Kind `json:"kind"`
	Visibility string       `json:"visibility"`        // "public" or "internal"
	Args       string       `json:"args,omitempty"`    // validator JSON
	Returns    string       `json:"returns,omitempty"` // validator JSON
	// Node is set for actions of "use node" modules, which run in Node.js.
	Node bool `json:"node,omitempty"`
}

// Version is one deployed code version: everything finish_push switches in
// one commit. Code is the app's (its fields encode at the top level, as
// versions stored before components did); Components holds every other
// component instance by its path (see components.go).
type Version struct {
	Code
	AuthConfig   json.RawMessage       `json:"authConfig,omitempty"`
	FunctionsDir string                `json:"functionsDir"`
	Components   map[string]*Component `json:"components,omitempty"`
	// NodeDependencies are the external packages of the "use node"
	// modules (convex.json's node.externalPackages), installed at push
	// time; NodeVersion is convex.json's node.nodeVersion.
	NodeDependencies []node.Dependency `json:"nodeDependencies,omitempty"`
	NodeVersion      string            `json:"nodeVersion,omitempty"`

	nodeDepsID string // known during a push only
}

// externalDepsID is start_push's externalDepsId: the id the version's
// external packages are installed and archived under, or null.
func (v *Version) externalDepsID() *string {
	if v.nodeDepsID == "" {
		return nil
	}
	id := v.nodeDepsID
	return &id
}

// indexConfig is one index as the CLI prints index diffs. It is encoded
// with the fields of its type only (see MarshalJSON).
type indexConfig struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Fields []string `json:"fields,omitempty"`
	// search and vector indexes
	SearchField  string   `json:"searchField,omitempty"`
	VectorField  string   `json:"vectorField,omitempty"`
	Dimensions   int      `json:"dimensions,omitempty"`
	FilterFields []string `json:"filterFields,omitempty"`
}

// MarshalJSON encodes the index as the CLI's schema for its type demands:
// a database index has fields, a search index searchField and
// filterFields, a vector index vectorField, dimensions and filterFields —
// every one present, filterFields as [] when there are none.
func (ix indexConfig) MarshalJSON() ([]byte, error) {
	switch ix.Type {
	case "search":
		return json.Marshal(struct {
			Name         string   `json:"name"`
			Type         string   `json:"type"`
			SearchField  string   `json:"searchField"`
			FilterFields []string `json:"filterFields"`
		}{ix.Name, ix.Type, ix.SearchField, nonNil(ix.FilterFields)})
	case "vector":
		return json.Marshal(struct {
			Name         string   `json:"name"`
			Type         string   `json:"type"`
			VectorField  string   `json:"vectorField"`
			Dimensions   int      `json:"dimensions"`
			FilterFields []string `json:"filterFields"`
		}{ix.Name, ix.Type, ix.VectorField, ix.Dimensions, nonNil(ix.FilterFields)})
	}
	return json.Marshal(struct {
		Name   string   `json:"name"`
		Type   string   `json:"type"`
		Fields []string `json:"fields"`
	}{ix.Name, ix.Type, nonNil(ix.Fields)})
}

type indexDiff struct {
	Added   []indexConfig `json:"added_indexes"`
	Removed []indexConfig `json:"removed_indexes"`
}

// StartPushResponse is the answer to start_push. The CLI echoes it back
// verbatim in finish_push, so the pending version travels inside it
// (HullVersion) and no push state is kept between the two calls.
type StartPushResponse struct {
	EnvironmentVariables        map[string]string          `json:"environmentVariables"`
	ExternalDepsID              *string                    `json:"externalDepsId"`
	ComponentDefinitionPackages map[string]json.RawMessage `json:"componentDefinitionPackages"`
	AppAuth                     []json.RawMessage          `json:"appAuth"`
	Analysis                    map[string]any             `json:"analysis"`
	App                         map[string]any             `json:"app"`
	SchemaChange                schemaChange               `json:"schemaChange"`
	HullVersion                 *Version                   `json:"hullVersion,omitempty"`
}

type schemaChange struct {
	AllocatedComponentIDs map[string]any       `json:"allocatedComponentIds"`
	SchemaIDs             map[string]any       `json:"schemaIds"`
	IndexDiffs            map[string]indexDiff `json:"indexDiffs"`
}

// FinishPushRequest is the body of /api/deploy2/finish_push.
type FinishPushRequest struct {
	AdminKey  string            `json:"adminKey"`
	StartPush StartPushResponse `json:"startPush"`
	DryRun    bool              `json:"dryRun"`
	Message   *string           `json:"message"`
}
