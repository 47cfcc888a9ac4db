package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/tallyhq/tally/internal/auth"
)

// get sends a GET with extra headers through roundTrip (so the answer is
// checked against openapi.json).
func (e *env) get(path, token string, header map[string]string) response {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return e.roundTrip(req)
}

// A cached answer carries an ETag; sent back in If-None-Match it gets 304
// with no body while the user has not written, from this process or
// another sharing the cache; any write of the user's changes the tag, and
// one user's tag never gets another user a 304.
func TestConditionalGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	b := e.process(backend, prefix, true)
	idA, tokA := a.signUp("etag-a@example.com")
	_, tokB := a.signUp("etag-b@example.com")
	_, accts := a.link(tokA)
	a.seed(idA, txn{account: accts[0], date: "2026-03-10", category: "groceries", merchant: "Corner Market", amount: -2500})

	for _, path := range []string{"/api/v1/summary", "/api/v1/spending", "/api/v1/transactions?limit=5", "/api/v1/profile"} {
		first := a.get(path, tokA, nil).want(t, http.StatusOK)
		tag := first.header.Get("ETag")
		if tag == "" || first.header.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("%s: ETag %q, Cache-Control %q", path, tag, first.header.Get("Cache-Control"))
		}
		// The same process, then another one, while nothing changed.
		for _, p := range []*env{a, b} {
			nm := p.get(path, tokA, map[string]string{"If-None-Match": tag}).want(t, http.StatusNotModified)
			if len(nm.raw) != 0 || nm.header.Get("ETag") != tag {
				t.Fatalf("%s: 304 with body %q and ETag %q, want none and %q", path, nm.raw, nm.header.Get("ETag"), tag)
			}
			p.get(path, tokA, map[string]string{"If-None-Match": `W/"other", ` + tag}).want(t, http.StatusNotModified)
			p.get(path, tokA, map[string]string{"If-None-Match": `"other"`}).want(t, http.StatusOK)
		}
		// Another user with A's tag is answered in full, under a tag of
		// their own.
		other := b.get(path, tokB, map[string]string{"If-None-Match": tag}).want(t, http.StatusOK)
		if other.header.Get("ETag") == tag || other.header.Get("ETag") == "" {
			t.Fatalf("%s: user B's answer under tag %q, user A's %q", path, other.header.Get("ETag"), tag)
		}
	}

	// A write through b: a's old tags no longer match, at a or b.
	sum := a.get("/api/v1/summary", tokA, nil).want(t, http.StatusOK)
	tag := sum.header.Get("ETag")
	b.do("PUT", "/api/v1/profile", tokA, map[string]any{"monthly_income": "5000.00"}).want(t, http.StatusOK)
	for _, p := range []*env{a, b} {
		r := p.get("/api/v1/summary", tokA, map[string]string{"If-None-Match": tag}).want(t, http.StatusOK)
		if r.header.Get("ETag") == tag || len(r.raw) == 0 {
			t.Fatalf("after a write: ETag %q unchanged or empty body", tag)
		}
	}
	// A write that changes nothing the summary shows still moves the tag:
	// it names the data as of the user's last write, not the bytes.
	tag = a.get("/api/v1/summary", tokA, nil).header.Get("ETag")
	a.do("POST", "/api/v1/rules", tokA, map[string]any{"merchant": "Nobody Shop", "category": "groceries"}).want(t, http.StatusCreated)
	if got := a.get("/api/v1/summary", tokA, map[string]string{"If-None-Match": tag}).want(t, http.StatusOK).header.Get("ETag"); got == tag {
		t.Fatal("a rule was added and the summary's ETag did not change")
	}
}

// A revoked token is refused even when its request names a current tag: a
// 304 comes only after the same authentication as a 200.
func TestConditionalGetRevokedToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	worker := e.process(backend, prefix, false)
	_, token := a.signUp("etag-revoke@example.com")
	tag := a.get("/api/v1/summary", token, nil).want(t, http.StatusOK).header.Get("ETag")
	a.get("/api/v1/summary", token, map[string]string{"If-None-Match": tag}).want(t, http.StatusNotModified)
	if err := worker.store.DeleteToken(context.Background(), auth.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	a.get("/api/v1/summary", token, map[string]string{"If-None-Match": tag}).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

// With Accept-Encoding: gzip a cached answer comes compressed, the same
// JSON once inflated, under a tag of its own that also gets a 304; a
// client that refuses gzip (q=0) gets the plain body.
func TestCachedGzip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	id, token := a.signUp("gzip@example.com")
	_, accts := a.link(token)
	var txns []txn
	for d := 1; d <= 14; d++ {
		txns = append(txns, txn{account: accts[0], date: "2026-03-" + two(d), category: "groceries", merchant: "Corner Market", amount: -1000 - int64(d)})
	}
	a.seed(id, txns...)
	plain := a.get("/api/v1/summary", token, map[string]string{"Accept-Encoding": "identity"}).want(t, http.StatusOK)
	if len(plain.raw) < 1024 {
		t.Fatalf("summary of %d bytes: too small to be compressed", len(plain.raw))
	}

	send := func(header map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", a.srv.URL+"/api/v1/summary", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		for k, v := range header {
			req.Header.Set(k, v) // set by hand, the transport does not inflate
		}
		res, err := a.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if err := checkOpenAPI(req, res, raw); err != nil {
			t.Errorf("answer not described by openapi.json: %v", err)
		}
		return res, raw
	}
	for range 2 { // made, then kept
		res, body := send(map[string]string{"Accept-Encoding": "br;q=1.0, gzip;q=0.8"})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("status %d, Content-Encoding %q, Vary %q", res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		if n, _ := res.ContentLength, 0; n <= 0 || n >= int64(len(plain.raw)) {
			t.Fatalf("gzip body of %d bytes for %d plain", n, len(plain.raw))
		}
		if !bytes.Equal(body, plain.raw) {
			t.Fatalf("inflated body differs from the plain one")
		}
		gzTag := res.Header.Get("ETag")
		if gzTag == plain.header.Get("ETag") || gzTag == "" {
			t.Fatalf("gzip body under tag %q, plain under %q", gzTag, plain.header.Get("ETag"))
		}
		res, body = send(map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gzTag})
		if res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Fatalf("If-None-Match with the gzip tag: status %d, %d bytes", res.StatusCode, len(body))
		}
	}
	res, body := send(map[string]string{"Accept-Encoding": "gzip;q=0, identity"})
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, plain.raw) {
		t.Fatalf("gzip;q=0: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}
