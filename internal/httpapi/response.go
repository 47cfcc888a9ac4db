package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tallyhq/tally/internal/httpx"
)

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) { httpx.WriteJSON(w, status, v) }

// writeError answers err in the error shape (httpx.WriteError).
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	httpx.WriteError(w, r, logger, err)
}

// error answers err; see writeError.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	if !s.settleDeferred(r) {
		return // the token's user wrote since: authed serves the request again
	}
	writeError(w, r, s.logger(), err)
}

// noContent answers 204.
func noContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// timeJSON renders a time as RFC 3339 in UTC.
func timeJSON(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// optTime renders an optional time, null when unset.
func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := timeJSON(*t)
	return &s
}
