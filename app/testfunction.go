package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"hull/runtime"
)

// TestFunctionRequest is a dashboard's "run a custom function": one
// bundled module whose default export is a query or mutation, run once
// against the deployment's data without being deployed.
type TestFunctionRequest struct {
	Path      string // the module's path, e.g. "testQuery.js"
	Source    string
	Args      []byte // Convex-encoded JSON object
	RequestID string
}

// maxTestFunctionSource bounds the module of a test function.
const maxTestFunctionSource = 8 << 20

// RunTestFunction runs req's module. Failures of the code (it does not
// load, exports no query or mutation, throws) are the result's Err. The
// run is not recorded in the function log.
func (a *App) RunTestFunction(ctx context.Context, req TestFunctionRequest) (*CallResult, error) {
	if req.Path == "" {
		req.Path = "testQuery.js"
	}
	if len(req.Source) > maxTestFunctionSource {
		return nil, &Error{Status: 400, Code: "ModuleTooLarge", Message: fmt.Sprintf("The test function's bundle is %d bytes; the limit is %d.", len(req.Source), maxTestFunctionSource)}
	}
	if req.RequestID == "" {
		req.RequestID = newRequestID()
	}
	sum := sha256.Sum256([]byte(req.Source))
	mods := moduleSet{req.Path: runtime.Module{Path: req.Path, Source: req.Source, SHA256: hex.EncodeToString(sum[:])}}
	env, err := a.EnvVars(ctx)
	if err != nil {
		return nil, err
	}
	an, err := a.pool.Analyze(ctx, mods, a.functionEnv(env))
	if err != nil {
		return &CallResult{Err: &runtime.UserError{Message: "Could not load the test function: " + err.Error()}}, nil
	}
	kind := runtime.Kind("")
	for _, m := range an.Modules {
		for _, f := range m.Functions {
			if m.Path == req.Path && f.Name == "default" {
				kind = f.Kind
			}
		}
	}
	call := CallRequest{Path: FunctionPath{Module: req.Path, Export: "default"}, Args: req.Args, Admin: true, RequestID: req.RequestID, version: a.active.Load()}
	var res *CallResult
	switch kind {
	case runtime.KindQuery:
		res, err = a.runQuery(ctx, mods, call, 0)
	case runtime.KindMutation:
		res, err = a.runMutation(ctx, mods, call, 0)
	default:
		return &CallResult{Err: &runtime.UserError{Message: "The test function's module must export a query or a mutation as its default export."}}, nil
	}
	if err != nil {
		return nil, err
	}
	res.Kind, res.RequestID = kind, req.RequestID
	return res, nil
}
