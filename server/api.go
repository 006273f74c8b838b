package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"hull/app"
	"hull/auth"
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
	s.snapshotRoutes(r)

	r.HandleFunc("POST /api/update_environment_variables", s.handleUpdateEnv)
	r.HandleFunc("GET /api/v1/list_environment_variables", s.handleListEnv)
	r.HandleFunc("POST /api/delete_component", s.handleDeleteComponent)
	r.HandleFunc("GET /api/stream_function_logs", s.handleStreamLogs)
	s.frontendRoutes(r)
	MountHTTPActions(r, a)
	r.HandleFunc("GET /api/hull/next_due", s.handleNextDue)
	mountSync(r, a)
	mountStorage(r, a)
	if r.metrics != nil {
		r.metrics.mountApp(a)
	}
}

// Caller is who a function-call request comes from.
type Caller struct {
	// Admin is set for a valid admin key.
	Admin bool
	// User is the identity the functions run as (nil: anonymous).
	User *auth.Identity
	// Refused (HTTPActionCaller only) is why a key or token the request
	// carried was refused.
	Refused error
}

// callerOf authenticates a function-call request: an admin key (which
// may carry an identity to act as), a user's "Authorization: Bearer
// <JWT>" verified against the deployed auth.config.ts providers, or
// nothing (anonymous). A key or token that is present but refused is an
// error with Convex's status, code and message: never run as nobody,
// which the caller did not ask for.
func (s *apiRoutes) callerOf(r *http.Request) (Caller, error) {
	return CallerOf(r, s.app, s.auth)
}

// CallerOf is callerOf for any handler that calls functions (HTTP
// actions too): the Caller's Admin and User go into app.CallRequest's
// Admin and Identity.
func CallerOf(r *http.Request, a *app.App, keys *Auth) (Caller, error) {
	if _, ok := AdminKeyFromRequest(r); ok {
		adm, err := keys.Authorize(r, "")
		if err != nil {
			return Caller{}, err
		}
		c := Caller{Admin: true}
		if adm.Identity != nil {
			if c.User, err = auth.ActingAs(adm.Identity); err != nil {
				return Caller{}, newHTTPError(http.StatusBadRequest, CodeBadRequest, "The identity after the admin key: "+err.Error())
			}
		}
		return c, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return Caller{}, nil
	}
	token, err := BearerToken(h)
	if err != nil {
		return Caller{}, err
	}
	user, err := a.VerifyUserToken(r.Context(), token)
	if err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) {
			return Caller{}, newHTTPError(ae.Status, ae.Code, ae.Message)
		}
		return Caller{}, fmt.Errorf("verify the bearer token: %w", err)
	}
	return Caller{User: user}, nil
}

// HTTPActionCaller is who an HTTP action's request comes from: as
// CallerOf, except that a refused key or token does not refuse the
// request (the Authorization header may be the app's own). The action
// runs anonymously, and ctx.auth.getUserIdentity() throws the refusal:
// pass Refused as app.CallRequest.IdentityError.
func HTTPActionCaller(r *http.Request, a *app.App, keys *Auth) Caller {
	c, err := CallerOf(r, a, keys)
	if err != nil {
		return Caller{Refused: err}
	}
	return c
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
