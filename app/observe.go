package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"hull/runtime"
)

// Observer is told of every user function run as it completes (the
// system functions of the CLI and dashboards are left out, as from the
// function log), for metrics. FunctionRun is called on the caller's
// goroutine and must return quickly.
type Observer interface {
	// FunctionRun reports one run: its kind ("Query", "Mutation",
	// "Action", "HttpAction"), the component it is in ("" for the app),
	// its identifier ("messages:list"), whether it failed and how long
	// it took.
	FunctionRun(udfType, component, identifier string, failed bool, took time.Duration)
}

// PoolStats returns what the function runtime holds now (slots and
// engines), for metrics.
func (a *App) PoolStats() runtime.PoolStats { return a.pool.Stats() }

// logFunctionLines writes the console lines of a run to the process log,
// each with the request id the run served, so a request can be followed
// from its access line through its function's output.
func (a *App) logFunctionLines(e Execution) {
	if len(e.Logs) == 0 {
		return
	}
	ctx := context.Background()
	for _, l := range e.Logs {
		level := consoleLevel(l.Level)
		if !a.log.Enabled(ctx, level) {
			continue
		}
		attrs := []slog.Attr{
			slog.String("component", "function"),
			slog.String("request_id", e.RequestID),
			slog.String("function", e.Identifier),
			slog.String("udf_type", e.UDFType),
			slog.String("console", strings.ToLower(l.Level)),
			slog.String("message", l.Message),
		}
		if e.ComponentPath != "" {
			attrs = append(attrs, slog.String("component_path", e.ComponentPath))
		}
		a.log.LogAttrs(ctx, level, "function log", attrs...)
	}
}

// consoleLevel maps a console method's level to a log level.
func consoleLevel(level string) slog.Level {
	switch strings.ToUpper(level) {
	case "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR":
		return slog.LevelError
	}
	return slog.LevelInfo
}
