package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// LogLevels are the values of `serve --log-level`, quietest first.
var LogLevels = []string{"off", "error", "warn", "info", "debug"}

// NewLogger returns the request log of `scimcheck serve`: level is one of LogLevels ("off"
// discards everything, "error" keeps only failures such as a recovered panic, "info" adds one
// line per request, "debug" adds the client's address and the bytes each way to that line);
// format is "text" (key=value) or "json" (one object per line). Errors: an unknown level or
// format.
func NewLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "off":
		return slog.New(slog.DiscardHandler), checkLogFormat(format)
	case "error", "warn", "info", "debug":
		if err := lv.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("--log-level %q: %w", level, err)
		}
	default:
		return nil, fmt.Errorf("unknown --log-level %q: want one of %s", level, strings.Join(LogLevels, ", "))
	}
	if err := checkLogFormat(format); err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lv}
	if strings.EqualFold(format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func checkLogFormat(format string) error {
	switch strings.ToLower(format) {
	case "text", "json":
		return nil
	}
	return fmt.Errorf("unknown --log-format %q: want text or json", format)
}

// logRequest writes the request line of r to log at info level, when that level is enabled
// (otherwise it costs one Enabled call): method, path, query with credential-like values
// redacted, status and duration; at debug level also the client's address and the bytes
// read and written. Never a header, so never a credential.
func logRequest(log *slog.Logger, r *http.Request, sw *statusWriter, start time.Time) {
	ctx := context.Background()
	if log == nil || !log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("query", redactQuery(r.URL.RawQuery)),
		slog.Int("status", sw.status), slog.String("duration", time.Since(start).Round(time.Microsecond).String()),
	}
	if log.Enabled(ctx, slog.LevelDebug) {
		attrs = append(attrs, slog.String("remote", r.RemoteAddr), slog.Int64("request_bytes", r.ContentLength),
			slog.Int64("response_bytes", sw.bytes))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}
