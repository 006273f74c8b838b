package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"hull/app"
	"hull/database"
)

// Error codes hull answers with, in the body {"code": ..., "message": ...}.
const (
	CodeBadRequest          = "BadRequest"
	CodeBadAdminKey         = "BadAdminKey"
	CodeForbidden           = "Forbidden"
	CodeNotFound            = "NotFound"
	CodeMethodNotAllowed    = "MethodNotAllowed"
	CodePayloadTooLarge     = "PayloadTooLarge"
	CodeInternal            = "InternalServerError"
	CodeNotImplemented      = "NotImplemented"
	CodeStorageUnavailable  = "StorageUnavailable"
	CodeServiceShuttingDown = "ServiceShuttingDown"
)

// HTTPError is an error with the status and code it answers with.
type HTTPError struct {
	Status  int
	Code    string
	Message string
}

func (e *HTTPError) Error() string { return e.Code + ": " + e.Message }

// newHTTPError returns an *HTTPError.
func newHTTPError(status int, code, message string) *HTTPError {
	return &HTTPError{Status: status, Code: code, Message: message}
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError writes {"code": code, "message": message} with status.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, errorBody{Code: code, Message: message})
}

// WriteErr writes err: an *HTTPError (anywhere in its chain) keeps its
// status and code; storage that did not answer is a 503 (see
// WriteUnavailable); any other error becomes a 500 InternalServerError.
func WriteErr(w http.ResponseWriter, err error) {
	var he *HTTPError
	if errors.As(err, &he) {
		WriteError(w, he.Status, he.Code, he.Message)
		return
	}
	if database.IsUnavailable(err) {
		WriteUnavailable(w)
		return
	}
	WriteError(w, http.StatusInternalServerError, CodeInternal, err.Error())
}

// unavailableRetryAfter is the Retry-After of a 503 for storage that did
// not answer, in seconds: about the interval of the storage probe.
const unavailableRetryAfter = "1"

// WriteUnavailable answers a request that failed because storage did not
// answer: 503 with Retry-After and a generic reason. The details (hosts,
// users, driver messages) belong in the log only.
func WriteUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", unavailableRetryAfter)
	WriteError(w, http.StatusServiceUnavailable, CodeStorageUnavailable, app.StorageUnavailableMessage)
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"code":"InternalServerError","message":"response encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// codeForStatus picks the error code for a status hull did not choose
// itself (the router's 404 and 405).
func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed
	case http.StatusBadRequest:
		return CodeBadRequest
	}
	return CodeInternal
}
