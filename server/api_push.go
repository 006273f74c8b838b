package server

import (
	"encoding/json"
	"net/http"
	"time"

	"hull/app"
)

// readPushBody reads a (possibly brotli-compressed) push body with the push
// size cap.
func readPushBody(r *http.Request, into any) error {
	data, err := app.ReadBody(r.Body, r.Header.Get("Content-Encoding"), app.MaxPushBytes)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return &app.Error{Status: 400, Code: "InvalidPushRequest", Message: "The push body is not valid JSON of the expected shape: " + err.Error()}
	}
	return nil
}

// pushHandler reads a (possibly compressed) JSON body into a T, checks the
// admin key from the header or the body's adminKey, runs fn and answers
// its result as JSON.
func pushHandler[T any](s *apiRoutes, key func(*T) string, fn func(r *http.Request, req *T) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req T
		if err := readPushBody(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.requireAdmin(r, key(&req)); err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := fn(r, &req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSONResponse(w, http.StatusOK, out)
	}
}

// adminOnly is the body of push endpoints that carry nothing but the key.
type adminOnly struct {
	AdminKey string `json:"adminKey"`
}

// waitForSchema is the body of wait_for_schema.
type waitForSchema struct {
	AdminKey     string `json:"adminKey"`
	SchemaChange struct {
		SchemaIDs map[string]app.SchemaCheck `json:"schemaIds"`
	} `json:"schemaChange"`
	TimeoutMs int64 `json:"timeoutMs"`
}

func waitKey(b *waitForSchema) string               { return b.AdminKey }
func adminOnlyKey(b *adminOnly) string              { return b.AdminKey }
func startPushKey(b *app.StartPushRequest) string   { return b.AdminKey }
func finishPushKey(b *app.FinishPushRequest) string { return b.AdminKey }

func (s *apiRoutes) pushRoutes(r *Routes) {
	r.HandleFunc("POST /api/get_config_hashes", pushHandler(s, adminOnlyKey, func(r *http.Request, _ *adminOnly) (any, error) {
		return s.app.ConfigHashes(r.Context())
	}))
	r.HandleFunc("POST /api/deploy2/evaluate_schema", pushHandler(s, startPushKey, func(r *http.Request, req *app.StartPushRequest) (any, error) {
		return s.app.EvaluateSchema(r.Context(), req)
	}))
	r.HandleFunc("POST /api/deploy2/evaluate_push", pushHandler(s, startPushKey, func(r *http.Request, req *app.StartPushRequest) (any, error) {
		return s.app.EvaluatePush(r.Context(), req)
	}))
	r.HandleFunc("POST /api/deploy2/start_push", pushHandler(s, startPushKey, func(r *http.Request, req *app.StartPushRequest) (any, error) {
		return s.app.StartPush(r.Context(), req)
	}))
	// The schema becomes active in the finish_push commit; start_push
	// found any document the schema rejects (reported here, as the CLI
	// expects) and started the backfill of new indexes, whose progress
	// this long poll reports.
	r.HandleFunc("POST /api/deploy2/wait_for_schema", pushHandler(s, waitKey, func(r *http.Request, req *waitForSchema) (any, error) {
		return s.app.WaitForSchema(r.Context(), req.SchemaChange.SchemaIDs, time.Duration(req.TimeoutMs)*time.Millisecond)
	}))
	r.HandleFunc("POST /api/deploy2/finish_push", pushHandler(s, finishPushKey, func(r *http.Request, req *app.FinishPushRequest) (any, error) {
		return s.app.FinishPush(r.Context(), req)
	}))
	r.HandleFunc("POST /api/deploy2/report_push_completed", pushHandler(s, adminOnlyKey, func(*http.Request, *adminOnly) (any, error) {
		return nil, nil
	}))
}

// handleUpdateEnv serves `npx convex env set/remove`.
func (s *apiRoutes) handleUpdateEnv(w http.ResponseWriter, r *http.Request) {
	if err := s.requireAdmin(r, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		Changes []app.EnvChange `json:"changes"`
	}
	if err := decodeJSONBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.UpdateEnvVars(r.Context(), req.Changes); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{})
}

// handleDeleteComponent serves the dashboard's delete of an unmounted
// component instance: {"componentId": <id from components:list>}.
func (s *apiRoutes) handleDeleteComponent(w http.ResponseWriter, r *http.Request) {
	if err := s.requireAdmin(r, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		ComponentID *string `json:"componentId"`
	}
	if err := decodeJSONBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.ComponentID == nil || *req.ComponentID == "" {
		s.writeError(w, r, &app.Error{Status: 400, Code: "InvalidArgument", Message: "Cannot delete root component"})
		return
	}
	if err := s.app.DeleteComponent(r.Context(), *req.ComponentID); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{})
}

func (s *apiRoutes) handleListEnv(w http.ResponseWriter, r *http.Request) {
	if err := s.requireAdmin(r, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	env, err := s.app.EnvVars(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{"environmentVariables": env})
}

// handleStreamLogs serves the `npx convex logs` long poll. It never answers
// 403: the CLI treats that as fatal.
func (s *apiRoutes) handleStreamLogs(w http.ResponseWriter, r *http.Request) {
	if err := s.requireAdmin(r, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	var cursor float64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if err := json.Unmarshal([]byte(c), &cursor); err != nil {
			s.writeError(w, r, &app.Error{Status: 400, Code: "InvalidCursor", Message: "cursor must be a number"})
			return
		}
	}
	entries, next := s.app.Logs().Since(r.Context(), cursor, 55*time.Second)
	structured := true
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		out = append(out, executionJSON(e, structured))
	}
	writeJSONResponse(w, http.StatusOK, map[string]any{"entries": out, "newCursor": next})
}

func executionJSON(e app.Execution, structured bool) map[string]any {
	lines := make([]any, 0, len(e.Logs))
	for _, l := range e.Logs {
		if structured {
			lines = append(lines, map[string]any{"messages": []string{l.Message}, "level": l.Level,
				"timestamp": float64(l.Timestamp.UnixMilli()), "isTruncated": false})
		} else {
			lines = append(lines, "["+l.Level+"] "+l.Message)
		}
	}
	var errMsg any
	if e.Error != "" {
		errMsg = e.Error
	}
	var componentPath any
	if e.ComponentPath != "" {
		componentPath = e.ComponentPath
	}
	return map[string]any{
		"kind":               "Completion",
		"udfType":            e.UDFType,
		"componentPath":      componentPath,
		"identifier":         e.Identifier,
		"logLines":           lines,
		"timestamp":          float64(e.Started.UnixMilli()) / 1000,
		"cachedResult":       false,
		"executionTime":      e.Duration.Seconds(),
		"success":            e.Error == "",
		"error":              errMsg,
		"requestId":          e.RequestID,
		"executionId":        e.ExecutionID,
		"usageStats":         map[string]any{"databaseReadBytes": 0, "databaseWriteBytes": 0, "storageReadBytes": 0, "storageWriteBytes": 0, "vectorIndexReadBytes": 0, "vectorIndexWriteBytes": 0, "memoryUsedMb": 0},
		"identityType":       "unknown",
		"environment":        "isolate",
		"executionTimestamp": float64(e.Started.UnixMilli()) / 1000,
	}
}
