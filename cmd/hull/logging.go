package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/mattn/go-isatty"

	"hull/config"
)

// newLogger builds the process logger: text on a terminal, JSON otherwise,
// unless the configuration picks one.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == config.LogAuto {
		format = config.LogJSON
		if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
			format = config.LogText
		}
	}
	if format == config.LogText {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
