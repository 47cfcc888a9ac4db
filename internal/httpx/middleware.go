// Package httpx holds what the REST API and the web app share over HTTP:
// the request middleware (request ids, panic recovery, metrics, access log),
// the one mapping from error codes to HTTP status, and the JSON responders
// for error answers.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/metrics"
)

// RequestIDHeader carries the request id in both directions: a well-formed
// incoming value is kept (so a proxy's id follows the request), otherwise a
// new one is made; the response always carries it.
const RequestIDHeader = "X-Request-Id"

type requestInfoKey struct{}

// requestInfo is what the access log learns while a request runs.
type requestInfo struct {
	id string

	mu     sync.Mutex
	userID string
}

// SetRequestUser records the authenticated user of the request for the
// access log. Handlers outside this package (the web app) call it too. It
// does nothing for a context that did not come through Middleware.
func SetRequestUser(ctx context.Context, userID string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.mu.Lock()
		info.userID = userID
		info.mu.Unlock()
	}
}

// RequestID returns the id Middleware gave the request, "" outside it.
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// Middleware wraps the whole HTTP handler (API, web app and the rest): it
// gives each request an id, recovers panics into a 500, records Prometheus
// metrics labelled with the matched ServeMux pattern, and writes one access
// log line per request. It never logs headers, query strings or bodies, so
// tokens, passwords and search terms stay out of the logs.
func Middleware(next http.Handler, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestID(r.Header.Get(RequestIDHeader))}
		w.Header().Set(RequestIDHeader, info.id)
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		rec := &recorder{ResponseWriter: w}
		rec.conn, _ = r.Context().Value(wholeConnKey{}).(*wholeConn)

		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // the server's own signal to abort the response
				}
				logger.ErrorContext(r.Context(), "panic serving request",
					"request_id", info.id, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !rec.wroteHeader {
					if strings.HasPrefix(r.URL.Path, "/api/") {
						WriteError(rec, r, nil, errors.New("panic")) // logged above
					} else {
						http.Error(rec, "Internal Server Error", http.StatusInternalServerError)
					}
				}
			}
			// The ServeMux sets Pattern on the request it routes, which is
			// this r; unmatched requests share one label.
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			metrics.HTTPRequests.WithLabelValues(metricMethod(r.Method), route, strconv.Itoa(status)).Inc()
			metrics.HTTPDuration.WithLabelValues(route).Observe(elapsed.Seconds())

			info.mu.Lock()
			userID := info.userID
			info.mu.Unlock()
			attrs := make([]slog.Attr, 0, 9)
			attrs = append(attrs,
				slog.String("request_id", info.id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
				slog.String("remote_addr", r.RemoteAddr),
			)
			if userID != "" {
				attrs = append(attrs, slog.String("user_id", userID))
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			logger.LogAttrs(r.Context(), level, "http request", attrs...)
		}()
		if where := BadText(r); where != "" {
			err := tally.Errorf(tally.EINVALID, "the request's %s holds a NUL byte or invalid UTF-8", where)
			if strings.HasPrefix(r.URL.Path, "/api/") {
				WriteError(rec, r, nil, err)
			} else {
				http.Error(rec, "Bad request: "+tally.ErrorMessage(err)+".", http.StatusBadRequest)
			}
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// requestID keeps a well-formed incoming id or makes a new one.
func requestID(in string) string {
	if len(in) > 0 && len(in) <= 64 {
		ok := true
		for i := 0; i < len(in) && ok; i++ {
			c := in[i]
			ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		}
		if ok {
			return in
		}
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// metricMethod bounds the method label's values.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
	conn        *wholeConn // the Listener connection the response goes to, or nil
}

func (rec *recorder) WriteHeader(code int) {
	if !rec.wroteHeader && code >= 200 {
		rec.status, rec.wroteHeader = code, true
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = http.StatusOK, true
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
