package server

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"hull/app"
	"hull/database"
	"hull/runtime"
	"hull/value"
)

// componentPathForbidden answers a call into a component without an admin
// key.
const componentPathForbidden = "Calling a component's function directly (componentPath) needs an admin key; the app calls its components' functions through components.* references."

// functionRequest is the body of the function-call endpoints.
type functionRequest struct {
	Path          string          `json:"path"`
	Args          json.RawMessage `json:"args"`
	Format        *string         `json:"format"`
	TS            *string         `json:"ts"`
	ComponentPath *string         `json:"componentPath"`
}

// valueFormat renders values in the format a caller asked for.
type valueFormat func(value.Value) []byte

func parseFormat(f *string, def string) (valueFormat, error) {
	name := def
	if f != nil {
		name = *f
	}
	switch name {
	case "convex_encoded_json", "convex_json":
		return value.ToJSON, nil
	case "json", "convex_clean_json":
		return value.ToCleanJSON, nil
	case "export_json":
		return value.ToExportJSON, nil
	}
	return nil, &app.Error{Status: 400, Code: "BadFormat", Message: fmt.Sprintf("Unsupported format %q: use convex_encoded_json or json.", name)}
}

// maxArgsBytes caps the encoded arguments of one call, as Convex does.
const maxArgsBytes = 16 << 20

// normalizeArgs accepts an args object or the legacy one-element array and
// returns the Convex-encoded JSON of the object.
func normalizeArgs(raw json.RawMessage) ([]byte, error) {
	if len(raw) > maxArgsBytes {
		return nil, &app.Error{Status: 413, Code: "ArgumentsTooLarge",
			Message: fmt.Sprintf("Function arguments are %d bytes; the limit is %d bytes.", len(raw), maxArgsBytes)}
	}
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return []byte("{}"), nil
	}
	v, err := value.FromJSON([]byte(trimmed))
	if err != nil {
		return nil, &app.Error{Status: 400, Code: "InvalidArgs", Message: "Invalid function arguments: " + err.Error()}
	}
	if arr, ok := v.(value.Array); ok {
		if len(arr) != 1 {
			return nil, &app.Error{Status: 400, Code: "InvalidArgs", Message: "Function arguments must be one object (or an array holding one object)."}
		}
		v = arr[0]
	}
	if _, ok := v.(value.Object); !ok {
		return nil, &app.Error{Status: 400, Code: "InvalidArgs", Message: "Function arguments must be an object."}
	}
	return value.ToJSON(v), nil
}

func decodeTS(s string) (int64, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 8 {
		return 0, &app.Error{Status: 400, Code: "InvalidTimestamp", Message: "ts must be the base64 of 8 little-endian bytes, as /api/query_ts returns it."}
	}
	return int64(binary.LittleEndian.Uint64(b)), nil
}

func encodeTS(ts int64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(ts))
	return base64.StdEncoding.EncodeToString(b[:])
}

// udfResponse renders a function result in Convex's UdfResponse shape;
// redact hides the error and the log lines (see showFailure).
func udfResponse(res *app.CallResult, format valueFormat, requestID string, redact bool) (map[string]any, error) {
	out := map[string]any{}
	if lines := shownLogs(res.Logs, redact); len(lines) > 0 {
		out["logLines"] = lines
	}
	if res.Err != nil {
		shown := showFailure(res.Err, requestID, redact)
		out["status"] = "error"
		out["errorMessage"] = shown.Message
		if shown.Data != nil {
			d, err := value.FromJSON(shown.Data)
			if err != nil {
				return nil, fmt.Errorf("decode ConvexError data: %w", err)
			}
			out["errorData"] = json.RawMessage(format(d))
		}
		return out, nil
	}
	v, err := value.FromJSON(res.Value)
	if err != nil {
		return nil, fmt.Errorf("decode function result: %w", err)
	}
	out["status"] = "success"
	out["value"] = json.RawMessage(format(v))
	return out, nil
}

// callOptions says how one endpoint calls functions.
type callOptions struct {
	kind          runtime.Kind
	defaultFormat string
	adminOnly     bool
	atTS          bool
}

func (s *apiRoutes) handleCall(opts callOptions, pathFrom func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, err := s.callerOf(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		admin := who.Admin
		if opts.adminOnly && !admin {
			s.writeError(w, r, &app.Error{Status: 403, Code: "Forbidden", Message: "This endpoint needs an admin key (Authorization: Convex <key>)."})
			return
		}
		var req functionRequest
		if err := decodeJSONBody(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		if pathFrom != nil {
			req.Path = pathFrom(r)
		}
		component := ""
		if req.ComponentPath != nil {
			component = *req.ComponentPath
		}
		if component != "" && !admin {
			// A component's functions are its parent's to call, never a
			// client's.
			s.writeError(w, r, &app.Error{Status: 403, Code: "Unauthorized", Message: componentPathForbidden})
			return
		}
		format, err := parseFormat(req.Format, opts.defaultFormat)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		path, err := app.ParseFunctionPath(req.Path)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		args, err := normalizeArgs(req.Args)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		call := app.CallRequest{Component: component, Path: path, Args: args, Kind: opts.kind, Admin: admin, Identity: who.User, RequestID: requestIDOf(r)}
		if opts.atTS {
			if req.TS == nil {
				s.writeError(w, r, &app.Error{Status: 400, Code: "InvalidTimestamp", Message: "query_at_ts needs a ts."})
				return
			}
			if call.At, err = decodeTS(*req.TS); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		res, err := s.app.Call(r.Context(), call)
		if err != nil {
			s.writeCallError(w, r, err, admin, call.RequestID)
			return
		}
		body, err := udfResponse(res, format, call.RequestID, s.redact && !admin)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSONResponse(w, http.StatusOK, body)
	}
}

// writeCallError answers a call that failed on the server's side. What
// the server did not expect is logged; a caller without an admin key is
// told only that the request failed and under which id the log has it.
func (s *apiRoutes) writeCallError(w http.ResponseWriter, r *http.Request, err error, admin bool, requestID string) {
	var ae *app.Error
	var he *HTTPError
	if errors.As(err, &ae) || errors.As(err, &he) || database.IsUserError(err) || database.IsUnavailable(err) {
		s.writeError(w, r, err)
		return
	}
	s.log.Error("function call failed", "request_id", requestID, "path", r.URL.Path, "err", err)
	if admin {
		WriteErr(w, err)
		return
	}
	WriteError(w, http.StatusInternalServerError, CodeInternal, "[Request ID: "+requestID+"] Server Error")
}

func (s *apiRoutes) handleQueryTS(w http.ResponseWriter, r *http.Request) {
	ts, err := s.app.QueryTS(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]string{"ts": encodeTS(ts)})
}

// runPath joins /api/run/{dir}/{mod}/{fn} into "dir/mod:fn".
func runPath(r *http.Request) string {
	rest := strings.Trim(r.PathValue("rest"), "/")
	segs := strings.Split(rest, "/")
	if len(segs) < 2 {
		return ""
	}
	return strings.Join(segs[:len(segs)-1], "/") + ":" + segs[len(segs)-1]
}
