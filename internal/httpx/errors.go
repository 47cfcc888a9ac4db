package httpx

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// StatusOf maps a tally error code to its HTTP status. It is the only place
// that mapping lives.
func StatusOf(code string) int {
	switch code {
	case tally.EINVALID:
		return http.StatusBadRequest
	case tally.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case tally.EFORBIDDEN:
		return http.StatusForbidden
	case tally.ENOTFOUND:
		return http.StatusNotFound
	case tally.ECONFLICT:
		return http.StatusConflict
	case tally.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case tally.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case tally.ERATELIMIT:
		return http.StatusTooManyRequests
	case tally.EUPSTREAM:
		return http.StatusBadGateway
	case tally.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorBody is the shape of every JSON error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a programming error gets here: every answer is a plain
		// struct. Answer the error shape rather than half a body.
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	b = append(b, '\n')
	// With its length known the answer is sent whole, not in chunks.
	h.Set("Content-Length", strconv.Itoa(len(b)))
	WholeResponse(w, len(b))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// DatabaseRetryAfter is what an answer says to wait while the database
// cannot be reached.
const DatabaseRetryAfter = 5 * time.Second

// StorageFullRetryAfter is what an answer says to wait while the
// database's disk is full: space comes back when an operator frees it.
const StorageFullRetryAfter = 30 * time.Second

// Unavailable turns an error that means the database cannot be reached
// (connection refused or lost, server restarting, disk full) into
// EUNAVAILABLE with a Retry-After, so clients see 503 and try again rather
// than a 500; other errors pass through. The web app maps errors with it
// too.
func Unavailable(err error) error {
	if tally.ErrorCode(err) != tally.EINTERNAL || !sqldb.IsUnavailable(err) {
		return err
	}
	if sqldb.IsFull(err) {
		e := tally.Errorf(tally.EUNAVAILABLE, "the server is out of storage space, so nothing was saved; try again later")
		e.RetryAfter = StorageFullRetryAfter
		return fmt.Errorf("%w: %w", e, err)
	}
	e := tally.Errorf(tally.EUNAVAILABLE, "the service is briefly unavailable; try again in a few seconds")
	e.RetryAfter = DatabaseRetryAfter
	return fmt.Errorf("%w: %w", e, err)
}

// WriteError answers err in the JSON error shape. The user sees the code and
// message of the first tally.Error in the chain; anything else is an
// internal error, logged whole (when logger is set) and shown only as
// "internal error".
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	err = Unavailable(err)
	code := tally.ErrorCode(err)
	if code == tally.EUNAVAILABLE && logger != nil {
		logger.WarnContext(r.Context(), "unavailable",
			"request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	if d := tally.RetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
	if code == tally.EINTERNAL && logger != nil {
		logger.ErrorContext(r.Context(), "internal error",
			"request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	WriteJSON(w, StatusOf(code), errorBody{Error: errorDetail{Code: code, Message: tally.ErrorMessage(err)}})
}
