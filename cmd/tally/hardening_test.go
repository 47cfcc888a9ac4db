package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// The data directory is 0700 and the database files 0600, also when they
// existed before with wider permissions.
func TestDataFilesAreOwnerOnly(t *testing.T) {
	if sqldbtest.Dialect() != "sqlite" {
		t.Skip("the database files are SQLite's")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tally.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	startWith(t, func(c *config.Config) { c.DataDir = dir })
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir: %v %v, want 0700", fi.Mode().Perm(), err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*.db*"))
	if len(entries) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range entries {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", filepath.Base(f), fi.Mode().Perm(), err)
		}
	}
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// /metrics is not for anyone who can reach the server: behind a proxy it
// needs the token; on --metrics-addr it is served there and not on --addr.
func TestMetricsAreNotOpenToAnyone(t *testing.T) {
	t.Parallel()
	m := startWith(t, func(c *config.Config) { c.TrustProxy = true; c.MetricsToken = "metrics-s3cret" })
	if res, _ := get(t, m.URL()+"/metrics", nil); res.StatusCode != 404 {
		t.Errorf("/metrics without the token: %d, want 404", res.StatusCode)
	}
	if res, _ := get(t, m.URL()+"/metrics", map[string]string{"Authorization": "Bearer wrong"}); res.StatusCode != 404 {
		t.Errorf("/metrics with a wrong token: %d, want 404", res.StatusCode)
	}
	if res, body := get(t, m.URL()+"/metrics", map[string]string{"Authorization": "Bearer metrics-s3cret"}); res.StatusCode != 200 || !strings.Contains(body, "tally_http_requests_total") {
		t.Errorf("/metrics with the token: %d, want 200 with metrics", res.StatusCode)
	}

	m2 := startWith(t, func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" })
	if res, _ := get(t, m2.URL()+"/metrics", nil); res.StatusCode == 200 {
		t.Errorf("/metrics on --addr with --metrics-addr set: %d, want not served", res.StatusCode)
	}
	if res, body := get(t, m2.MetricsURL()+"/metrics", nil); res.StatusCode != 200 || !strings.Contains(body, "tally_") {
		t.Errorf("/metrics on --metrics-addr: %d, want 200", res.StatusCode)
	}
}

// Every answer carries the security headers; HSTS only over https.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	m := startWith(t, func(c *config.Config) { c.TrustProxy = true })
	for _, path := range []string{"/", "/healthz", "/api/v1/accounts", "/no/such/page", "/static/tally.css"} {
		res, _ := get(t, m.URL()+path, nil)
		h := res.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") == "" || h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	res, _ := get(t, m.URL()+"/healthz", map[string]string{"X-Forwarded-Proto": "https"})
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("over https behind the proxy: no HSTS in %v", res.Header)
	}
}
