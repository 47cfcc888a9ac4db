package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/metrics"
)

func TestAccessLogAndMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, token := e.signUp("alice@example.com")

	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/accounts?q=secret-search", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Request-Id", "req-from-proxy.1")
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if got := res.Header.Get("X-Request-Id"); got != "req-from-proxy.1" {
		t.Fatalf("got X-Request-Id %q, want the incoming one", got)
	}
	// A malformed incoming id is replaced.
	req.Header.Set("X-Request-Id", "bad id\twith spaces")
	res, err = e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("X-Request-Id"); len(got) != 24 {
		t.Fatalf("got X-Request-Id %q, want a new 24-character id", got)
	}

	var found bool
	for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if rec["msg"] != "http request" {
			continue
		}
		for _, k := range []string{"request_id", "method", "path", "route", "status", "duration_ms"} {
			if _, ok := rec[k]; !ok {
				t.Fatalf("access log %s lacks %s", line, k)
			}
		}
		if rec["request_id"] == "req-from-proxy.1" {
			found = true
			if rec["route"] != "GET /api/v1/accounts" || rec["user_id"] != aliceID || rec["status"] != 200.0 || rec["path"] != "/api/v1/accounts" {
				t.Fatalf("got access log %s, want route GET /api/v1/accounts, user_id %s, status 200", line, aliceID)
			}
		}
	}
	if !found {
		t.Fatalf("no access log line with the request id in %s", e.logs)
	}
	for _, secret := range []string{token, "password123", "secret-search", "Authorization", "Bearer"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Fatalf("the logs contain %q", secret)
		}
	}

	rec := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if want := `tally_http_requests_total{code="200",method="GET",route="GET /api/v1/accounts"}`; !strings.Contains(rec.Body.String(), want) {
		t.Fatalf("metrics lack %s", want)
	}
	if want := `tally_http_requests_total{code="201",method="POST",route="POST /api/v1/users"}`; !strings.Contains(rec.Body.String(), want) {
		t.Fatalf("metrics lack %s", want)
	}
}
