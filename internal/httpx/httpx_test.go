package httpx_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpx"
)

func TestStatusOf(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]int{
		tally.EINVALID: 400, tally.EUNAUTHORIZED: 401, tally.EFORBIDDEN: 403, tally.ENOTFOUND: 404,
		tally.ECONFLICT: 409, tally.ETOOLARGE: 413, tally.EUNPROCESSABLE: 422, tally.ERATELIMIT: 429,
		tally.EUPSTREAM: 502, tally.EUNAVAILABLE: 503, tally.EINTERNAL: 500, "something else": 500,
	} {
		if got := httpx.StatusOf(code); got != want {
			t.Errorf("StatusOf(%q): got %d, want %d", code, got, want)
		}
	}
}

// The request id reaches the handler and the answer; a JSON error shows
// the tally error's code and message and hides anything else.
func TestMiddlewareRequestIDAndErrors(t *testing.T) {
	t.Parallel()
	var seen string
	h := httpx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = httpx.RequestID(r.Context())
		httpx.SetRequestUser(r.Context(), "u1")
		if r.URL.Path == "/missing" {
			httpx.WriteError(w, r, nil, tally.Errorf(tally.ENOTFOUND, "account a1 not found"))
			return
		}
		httpx.WriteError(w, r, nil, errors.New("pq: connection refused"))
	}), slog.New(slog.DiscardHandler))

	for _, tc := range []struct {
		path, code, message string
		status              int
	}{
		{"/missing", tally.ENOTFOUND, "account a1 not found", http.StatusNotFound},
		{"/broken", tally.EINTERNAL, "internal error", http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", tc.path, nil)
		req.Header.Set(httpx.RequestIDHeader, "abc-123")
		h.ServeHTTP(rec, req)
		if seen != "abc-123" || rec.Header().Get(httpx.RequestIDHeader) != "abc-123" {
			t.Errorf("%s: handler saw request id %q, answer carries %q, want abc-123", tc.path, seen, rec.Header().Get(httpx.RequestIDHeader))
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: answer is not JSON: %s", tc.path, rec.Body)
		}
		if rec.Code != tc.status || body.Error.Code != tc.code || body.Error.Message != tc.message {
			t.Errorf("%s: got %d %+v, want %d %s %q", tc.path, rec.Code, body.Error, tc.status, tc.code, tc.message)
		}
	}
}
