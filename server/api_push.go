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

func (s *apiRoutes) handleConfigHashes(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdminKey string `json:"adminKey"`
	}
	if err := readPushBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.requireAdmin(r, req.AdminKey); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.app.ConfigHashes(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, out)
}

// pushStep handles one push endpoint whose body is a StartPushRequest.
func (s *apiRoutes) pushStep(fn func(r *http.Request, req *app.StartPushRequest) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req app.StartPushRequest
		if err := readPushBody(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.requireAdmin(r, req.AdminKey); err != nil {
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

func (s *apiRoutes) handleStartPush(r *http.Request, req *app.StartPushRequest) (any, error) {
	return s.app.StartPush(r.Context(), req)
}

func (s *apiRoutes) handleEvaluatePush(r *http.Request, req *app.StartPushRequest) (any, error) {
	return s.app.EvaluatePush(r.Context(), req)
}

func (s *apiRoutes) handleEvaluateSchema(r *http.Request, req *app.StartPushRequest) (any, error) {
	return s.app.EvaluateSchema(r.Context(), req)
}

func (s *apiRoutes) handleWaitForSchema(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdminKey  string `json:"adminKey"`
		TimeoutMs int    `json:"timeoutMs"`
	}
	if err := readPushBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.requireAdmin(r, req.AdminKey); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Schema changes are applied in the finish_push commit, so there is
	// nothing to wait for here.
	writeJSONResponse(w, http.StatusOK, map[string]string{"type": "complete"})
}

func (s *apiRoutes) handleFinishPush(w http.ResponseWriter, r *http.Request) {
	var req app.FinishPushRequest
	if err := readPushBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.requireAdmin(r, req.AdminKey); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.app.FinishPush(r.Context(), &req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, out)
}

func (s *apiRoutes) handleReportPushCompleted(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdminKey string `json:"adminKey"`
	}
	if err := readPushBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.requireAdmin(r, req.AdminKey); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, nil)
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
	return map[string]any{
		"kind":               "Completion",
		"udfType":            e.UDFType,
		"componentPath":      nil,
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
