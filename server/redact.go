package server

import (
	"hull/app"
	"hull/runtime"
)

// failureShown is what a caller sees of a function's own failure (a
// thrown error or a limit it hit): Convex's message, "[Request ID: <id>]
// Server Error" followed by the error on a new line, and the run's log
// lines. With redact, as on a Convex production deployment, the first
// line is all that is left and the log lines go; ConvexError data is
// kept either way, so an app's own errors still reach its client.
// Callers with an admin key always see everything.
type failureShown struct {
	Message string
	Data    []byte // Convex-encoded JSON, nil unless ConvexError
}

// showFailure renders e for a caller.
func showFailure(e *runtime.UserError, requestID string, redact bool) failureShown {
	head := "[Request ID: " + requestID + "] Server Error"
	if redact {
		return failureShown{Message: head, Data: e.Data}
	}
	return failureShown{Message: head + "\n" + e.Message, Data: e.Data}
}

// shownLogs returns the log lines a caller may see, formatted as Convex
// sends them ("[LEVEL] message"): none when redacting.
func shownLogs(lines []app.LogLine, redact bool) []string {
	if redact || len(lines) == 0 {
		return nil
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, "["+l.Level+"] "+l.Message)
	}
	return out
}
