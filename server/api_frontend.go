package server

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"hull/app"
)

// The HTTP endpoints dashboards call besides the system functions: the
// admin-key check, table shapes, indexes, test functions, the overview of
// hull's own dashboard, and the scheduler's cancel endpoints. All need an
// admin key.

// frontendRoutes serves the dashboard endpoints of one application.
type frontendRoutes struct {
	*apiRoutes
	info DeploymentInfo
}

func (s *apiRoutes) frontendRoutes(r *Routes) {
	f := &frontendRoutes{apiRoutes: s, info: r.Info()}
	req := s.auth.Require
	r.Handle("GET /api/check_admin_key", req(http.HandlerFunc(f.handleCheckAdminKey)))
	r.Handle("GET /api/shapes2", req(http.HandlerFunc(f.handleShapes)))
	r.Handle("GET /api/get_indexes", req(http.HandlerFunc(f.handleGetIndexes)))
	r.HandleFunc("POST /api/run_test_function", f.handleRunTestFunction)
	r.Handle("GET /api/hull/overview", req(http.HandlerFunc(f.handleOverview)))
	r.Handle("POST /api/cancel_job", req(http.HandlerFunc(f.handleCancelJob)))
	r.Handle("POST /api/cancel_all_jobs", req(http.HandlerFunc(f.handleCancelAllJobs)))
	r.Handle("POST /api/delete_scheduled_functions_table", req(http.HandlerFunc(f.handleCancelAllJobs)))
	r.Handle("POST /api/delete_tables", req(http.HandlerFunc(f.handleDeleteTables)))
	// The deployment API's settings endpoints (/api/v1/*).
	r.HandleFunc("POST /api/v1/update_environment_variables", s.handleUpdateEnv)
	r.Handle("GET /api/v1/deployment_info", req(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSONResponse(w, http.StatusOK, map[string]any{"kind": "selfHosted"})
	})))
	r.Handle("GET /api/v1/list_audit_log_events", req(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// hull keeps no audit log yet.
		writeJSONResponse(w, http.StatusOK, map[string]any{"items": []any{}, "pagination": map[string]any{"hasMore": false, "nextCursor": nil}})
	})))
	unsupported := func(what string) http.Handler {
		return req(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.writeError(w, r, &app.Error{Status: 400, Code: "Unsupported", Message: what + " is not supported by hull."})
		}))
	}
	r.Handle("POST /api/v1/pause_deployment", unsupported("Pausing a deployment"))
	r.Handle("POST /api/v1/unpause_deployment", unsupported("Pausing a deployment"))
	f.metricsRoutes(r)
}

// handleCheckAdminKey answers a valid key with what it may do; Require
// has refused any other.
func (f *frontendRoutes) handleCheckAdminKey(w http.ResponseWriter, _ *http.Request) {
	writeJSONResponse(w, http.StatusOK, map[string]any{"success": true, "allowedOps": []string{}, "isReadOnly": false})
}

func (f *frontendRoutes) handleShapes(w http.ResponseWriter, r *http.Request) {
	shapes, err := f.app.TableShapes(r.Context())
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, shapes)
}

func (f *frontendRoutes) handleGetIndexes(w http.ResponseWriter, _ *http.Request) {
	out := []map[string]any{}
	for _, ix := range f.app.Indexes("") {
		out = append(out, map[string]any{"table": ix.Table, "name": ix.Name, "fields": ix.Fields,
			"staged": ix.Staged, "backfill": ix.Backfill})
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{"indexes": out})
}

// testFunctionRequest is the body of /api/run_test_function.
type testFunctionRequest struct {
	AdminKey string `json:"adminKey"`
	Bundle   struct {
		Path   string `json:"path"`
		Source string `json:"source"`
	} `json:"bundle"`
	Args        json.RawMessage `json:"args"`
	Format      *string         `json:"format"`
	ComponentID *string         `json:"componentId"`
}

func (f *frontendRoutes) handleRunTestFunction(w http.ResponseWriter, r *http.Request) {
	var req testFunctionRequest
	if err := decodeJSONBody(r, &req); err != nil {
		f.writeError(w, r, err)
		return
	}
	if err := f.requireAdmin(r, req.AdminKey); err != nil {
		f.writeError(w, r, err)
		return
	}
	if req.Bundle.Source == "" {
		f.writeError(w, r, &app.Error{Status: 400, Code: "BadRequest", Message: "run_test_function needs a bundle with the module's source."})
		return
	}
	format, err := parseFormat(req.Format, "convex_encoded_json")
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	args, err := normalizeArgs(req.Args)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	res, err := f.app.RunTestFunction(r.Context(), app.TestFunctionRequest{Path: req.Bundle.Path, Source: req.Bundle.Source, Args: args, RequestID: RequestID(r.Context())})
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	out, err := udfResponse(res, format, res.RequestID, false)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, out)
}

// handleOverview answers what hull's own dashboard shows on its first
// page: version, uptime, storage, the deployed code at a glance.
func (f *frontendRoutes) handleOverview(w http.ResponseWriter, r *http.Request) {
	backends := map[string]string{}
	for k, v := range f.info.Backends {
		backends[k] = v
	}
	status := Status{State: StateReady}
	if f.info.Status != nil {
		status = f.info.Status()
	}
	v, _ := f.app.ActiveVersion(r.Context())
	functions, modules := 0, 0
	deployed := false
	if v != nil {
		deployed = true
		functions, modules = len(v.Functions), len(v.Modules)
	}
	env, _ := f.app.EnvVars(r.Context())
	names := make([]string, 0, len(f.app.Indexes("")))
	for _, ix := range f.app.Indexes("") {
		if ix.Backfill["state"] != "done" {
			names = append(names, ix.Table+"."+ix.Name)
		}
	}
	sort.Strings(names)
	writeJSONResponse(w, http.StatusOK, map[string]any{
		"instanceName":       f.info.InstanceName,
		"version":            f.info.Version,
		"startedAt":          f.info.Started.UnixMilli(),
		"uptimeSeconds":      time.Since(f.info.Started).Seconds(),
		"backends":           backends,
		"status":             status,
		"deployed":           deployed,
		"functions":          functions,
		"modules":            modules,
		"environmentVars":    len(env),
		"backfillingIndexes": names,
		"redactErrors":       f.redact,
	})
}

// handleCancelJob cancels one scheduled function ({"id"}).
func (f *frontendRoutes) handleCancelJob(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID string `json:"id"`
	}
	if err := decodeJSONBody(r, &body); err != nil {
		f.writeError(w, r, err)
		return
	}
	if body.ID == "" {
		f.writeError(w, r, &app.Error{Status: 400, Code: "InvalidArgument", Message: "cancel_job needs {\"id\": <_scheduled_functions id>}"})
		return
	}
	if err := f.app.CancelJob(r.Context(), body.ID); err != nil {
		f.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{})
}

// handleCancelAllJobs cancels every waiting or running job, or those of
// one function ({"udfPath"}).
func (f *frontendRoutes) handleCancelAllJobs(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UDFPath *string `json:"udfPath"`
	}
	if err := decodeJSONBody(r, &body); err != nil {
		f.writeError(w, r, err)
		return
	}
	path := ""
	if body.UDFPath != nil && *body.UDFPath != "" {
		p, err := app.ParseFunctionPath(*body.UDFPath)
		if err != nil {
			f.writeError(w, r, err)
			return
		}
		path = p.Module + ":" + p.Export
	}
	n, err := f.app.CancelAllJobs(r.Context(), path)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{"canceled": n})
}

// handleDeleteTables empties tables ({"tableNames": [...]}).
func (f *frontendRoutes) handleDeleteTables(w http.ResponseWriter, r *http.Request) {
	var body struct {
		TableNames []string `json:"tableNames"`
	}
	if err := decodeJSONBody(r, &body); err != nil {
		f.writeError(w, r, err)
		return
	}
	if err := f.app.ClearTables(r.Context(), body.TableNames); err != nil {
		f.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{})
}
