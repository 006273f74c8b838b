package app

import (
	"fmt"
	"strings"
)

// FunctionPath names one exported function: a module path with the ".js"
// suffix (as pushed) and an export name.
type FunctionPath struct {
	Module string // e.g. "messages.js", "dir/file.js"
	Export string // e.g. "list", "default"
}

// String returns the client's canonical form, "dir/file:fn" without ".js".
func (p FunctionPath) String() string {
	return strings.TrimSuffix(p.Module, ".js") + ":" + p.Export
}

// ParseFunctionPath accepts every form clients send ("messages",
// "messages:list", "messages.js:list", "dir/file:fn") and returns the
// canonical path.
func ParseFunctionPath(s string) (FunctionPath, error) {
	if s == "" {
		return FunctionPath{}, &Error{Code: "BadConvexFunctionIdentifier", Status: 400, Message: "Function path is empty."}
	}
	mod, exp, found := strings.Cut(s, ":")
	if !found {
		exp = "default"
	}
	if strings.HasPrefix(mod, "convex/") {
		mod = strings.TrimPrefix(mod, "convex/")
	}
	mod = strings.TrimSuffix(mod, ".js")
	if mod == "" || exp == "" || strings.Contains(exp, ":") || strings.HasPrefix(mod, "/") ||
		strings.HasSuffix(mod, "/") || strings.Contains(mod, "//") || strings.Contains(mod, "..") {
		return FunctionPath{}, &Error{Code: "BadConvexFunctionIdentifier", Status: 400,
			Message: fmt.Sprintf("Invalid function path %q: expected \"module/path:functionName\".", s)}
	}
	if strings.HasPrefix(mod, "_deps/") {
		return FunctionPath{}, &Error{Code: "BadConvexFunctionIdentifier", Status: 400,
			Message: fmt.Sprintf("Invalid function path %q: modules under _deps/ are not functions.", s)}
	}
	return FunctionPath{Module: mod + ".js", Export: exp}, nil
}

// Error is an infrastructure error with the HTTP status and the short code
// Convex clients expect in {"code", "message"} bodies.
type Error struct {
	Status  int
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }
