package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/httpx"
)

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.signUp("alice@example.com")

	for _, tc := range []struct {
		name     string
		method   string
		path     string
		body     string
		status   int
		code     string
		contains []string
	}{
		{"malformed JSON", "POST", "/api/v1/users", `{"email": "a@b.c",`, 400, "invalid_argument", []string{"malformed JSON"}},
		{"syntax error", "POST", "/api/v1/users", `{"email" "a@b.c"}`, 400, "invalid_argument", []string{"malformed JSON at byte"}},
		{"unknown field", "POST", "/api/v1/users", `{"email":"a@b.co","password":"password123","admin":true}`, 400, "invalid_argument", []string{`unknown field "admin"`}},
		{"wrong type", "POST", "/api/v1/users", `{"email":42,"password":"password123"}`, 400, "invalid_argument", []string{`"email"`, "string"}},
		{"empty body", "POST", "/api/v1/users", ``, 400, "invalid_argument", []string{"empty"}},
		{"not an object", "POST", "/api/v1/users", `["a"]`, 400, "invalid_argument", []string{"JSON object"}},
		{"two objects", "POST", "/api/v1/users", `{"email":"a@b.co","password":"password123"} {}`, 400, "invalid_argument", []string{"single JSON object"}},
		{"oversized", "POST", "/api/v1/users", `{"email":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "payload_too_large", []string{"1 MiB"}},
		{"oversized authed", "PATCH", "/api/v1/transactions/x", `{"category":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "payload_too_large", nil},
		{"unknown endpoint", "GET", "/api/v1/nope", ``, 404, "not_found", []string{"/api/v1/nope"}},
		{"apply_to_merchant not bool", "PATCH", "/api/v1/transactions/x", `{"category":"groceries","apply_to_merchant":"yes"}`, 400, "invalid_argument", []string{`"apply_to_merchant"`, "boolean"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" || tc.method != "GET" {
				body = tc.body
			}
			e.do(tc.method, tc.path, token, body).wantError(t, tc.status, tc.code, tc.contains...)
		})
	}

	// A body over the limit without a Content-Length (chunked) is cut at
	// 1 MiB all the same.
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(`{"email":"`))
		chunk := []byte(strings.Repeat("a", 64<<10))
		for range 20 {
			if _, err := pw.Write(chunk); err != nil {
				break
			}
		}
		pw.Write([]byte(`"}`))
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/users", pr)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversized body: got %d, want 413", res.StatusCode)
	}
}

func TestPanicRecoveryAndInternalErrors(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/boom", func(w http.ResponseWriter, r *http.Request) { panic("kaboom") })
	h := httpx.Middleware(mux, logger)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/boom", nil))
	if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != `{"error":{"code":"internal","message":"internal error"}}` {
		t.Fatalf("got %d %s, want 500 and the internal error shape", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "kaboom") || !strings.Contains(logs.String(), `"route":"GET /api/v1/boom"`) {
		t.Fatalf("logs %s do not record the panic and its route", logs)
	}
}

func TestInternalErrorHidesChain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.signUp("alice@example.com")
	// Closing the database makes every query fail with a driver error.
	e.store.DB().Close()
	res := e.do("GET", "/api/v1/accounts", token, nil)
	res.wantError(t, http.StatusInternalServerError, "internal")
	if !strings.Contains(string(res.raw), `"message":"internal error"`) {
		t.Fatalf("got %s, want only \"internal error\"", res.raw)
	}
	if !strings.Contains(e.logs.String(), "database is closed") {
		t.Fatalf("logs %s do not carry the error chain", e.logs)
	}
}
