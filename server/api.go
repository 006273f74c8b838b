package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"hull/app"
	"hull/database"
)

// apiRoutes serves the Convex API of one application: function calls,
// pushes, environment variables and logs.
type apiRoutes struct {
	app    *app.App
	auth   *Auth
	log    *slog.Logger
	redact bool // see Config.RedactErrors
}

// MountApp registers the application's endpoints on r.
func MountApp(r *Routes, a *app.App) {
	s := &apiRoutes{app: a, auth: r.Auth(), log: r.Logger(), redact: r.RedactErrors()}
	r.HandleFunc("POST /api/query", s.handleCall(callOptions{kind: "query", defaultFormat: "json"}, nil))
	r.HandleFunc("POST /api/mutation", s.handleCall(callOptions{kind: "mutation", defaultFormat: "json"}, nil))
	r.HandleFunc("POST /api/action", s.handleCall(callOptions{kind: "action", defaultFormat: "json"}, nil))
	r.HandleFunc("POST /api/function", s.handleCall(callOptions{defaultFormat: "json", adminOnly: true}, nil))
	r.HandleFunc("POST /api/run/{rest...}", s.handleCall(callOptions{defaultFormat: "json"}, runPath))
	r.HandleFunc("POST /api/query_ts", s.handleQueryTS)
	r.HandleFunc("POST /api/query_at_ts", s.handleCall(callOptions{kind: "query", defaultFormat: "json", atTS: true}, nil))

	s.pushRoutes(r)

	r.HandleFunc("POST /api/update_environment_variables", s.handleUpdateEnv)
	r.HandleFunc("GET /api/v1/list_environment_variables", s.handleListEnv)
	r.HandleFunc("GET /api/stream_function_logs", s.handleStreamLogs)
	s.frontendRoutes(r)
	MountHTTPActions(r, a)
	r.HandleFunc("GET /api/hull/next_due", s.handleNextDue)
	mountSync(r, a)
	mountStorage(r, a)
}

// isAdmin reports whether the request carries a valid admin key; a key
// that is present but wrong is an error (401), no key is anonymous. Any
// other Authorization (a user's token) is refused as Convex refuses one
// it cannot verify (see UserToken): dropping it would run the function
// as nobody, which the caller did not ask for.
func (s *apiRoutes) isAdmin(r *http.Request) (bool, error) {
	if _, ok := AdminKeyFromRequest(r); !ok {
		if h := r.Header.Get("Authorization"); h != "" {
			return false, UserToken(h)
		}
		return false, nil
	}
	if _, err := s.auth.Authorize(r, ""); err != nil {
		return false, err
	}
	return true, nil
}

// requireAdmin checks the admin key from the header, query or bodyKey.
func (s *apiRoutes) requireAdmin(r *http.Request, bodyKey string) error {
	_, err := s.auth.Authorize(r, bodyKey)
	return err
}

// writeError answers err as {"code","message"} with the right status.
// Storage that did not answer is a 503 with a generic reason; the
// details go to the log.
func (s *apiRoutes) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *app.Error
	var he *HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		WriteError(w, he.Status, he.Code, he.Message)
	case errors.As(err, &mbe):
		WriteErr(w, BodyError(err))
	case errors.As(err, &ae):
		WriteError(w, ae.Status, ae.Code, ae.Message)
	case database.IsUserError(err):
		WriteError(w, http.StatusBadRequest, CodeBadRequest, err.Error())
	case database.IsUnavailable(err):
		s.log.Warn("storage did not answer; the request answers 503", "component", "storage",
			"request_id", RequestID(r.Context()), "path", r.URL.Path, "err", err)
		WriteUnavailable(w)
	default:
		WriteErr(w, err)
	}
}

// decodeJSONBody reads a JSON request body into v; an empty body leaves v
// at its zero value.
func decodeJSONBody(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return BodyError(err)
	}
	if len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &app.Error{Status: http.StatusBadRequest, Code: "BadJsonBody", Message: "The request body is not valid JSON: " + err.Error()}
	}
	return nil
}

func writeJSONResponse(w http.ResponseWriter, status int, v any) { WriteJSON(w, status, v) }
