package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/web"
)

// Behind a proxy that says the client used https, the session cookie is
// Secure, but only when the proxy is trusted.
func TestSecureCookieBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	hash, _ := auth.HashPassword("password123")
	if _, err := st.CreateUser(t.Context(), "alice@example.com", hash); err != nil {
		t.Fatal(err)
	}
	for _, trust := range []bool{true, false} {
		h := &web.Handler{Store: st, Logger: slog.New(slog.DiscardHandler), TrustProxy: trust}
		mux := http.NewServeMux()
		h.Routes(mux)
		req := httptest.NewRequest("POST", "http://tally.internal/signin", strings.NewReader("email=alice%40example.com&password=password123"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 1 || res.Cookies()[0].Secure != trust {
			t.Errorf("trust proxy %v: got %d and cookies %v, want Secure %v", trust, res.StatusCode, res.Cookies(), trust)
		}
	}
}

// A session ends after a week unused, and after 30 days however much it is
// used.
func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.user("alice@example.com")
	signIn := func() {
		res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil)
		body(t, res)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", res.StatusCode)
		}
	}
	signedIn := func(at time.Duration) bool {
		e.store.Now = func() time.Time { return now.Add(at) }
		_, page := e.get("/")
		return strings.Contains(page, "Sign out")
	}
	signIn()
	for _, d := range []int{6, 12, 18, 24} {
		if !signedIn(time.Duration(d) * 24 * time.Hour) {
			t.Fatalf("a session used every 6 days ended on day %d", d)
		}
	}
	if signedIn(30*24*time.Hour + time.Minute) {
		t.Fatal("a session outlived 30 days")
	}

	e.store.Now = func() time.Time { return now }
	signIn()
	if signedIn(8 * 24 * time.Hour) {
		t.Fatal("a session unused for 8 days still works")
	}
}

// Five wrong passwords lock the account on the web too.
func TestSignInFormIsLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.user("alice@example.com")
	for i := 0; i < 4; i++ {
		body(t, e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"wrong-password"}}, nil))
	}
	res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"wrong-password"}}, nil)
	if page := body(t, res); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(page, "too many failed attempts") {
		t.Fatalf("fifth wrong password: got %d Retry-After %q, want 429 with the reason", res.StatusCode, res.Header.Get("Retry-After"))
	}
	res = e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil)
	body(t, res)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: got %d, want 429", res.StatusCode)
	}
}

// Two-factor through the web pages: enroll with the QR code, confirm, and
// sign-in asks for the code.
func TestTwoFactorPages(t *testing.T) {
	t.Parallel()
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	clock := now
	st.Now = func() time.Time { return clock }
	box, _ := secret.New(make([]byte, 32))
	h, err := web.New(web.Config{Store: st, Logger: slog.New(slog.DiscardHandler), Gate: &auth.Gate{Store: st, Box: box}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := newEnvOn(t, st, srv)
	e.user("alice@example.com")
	body(t, e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil))

	page := body(t, e.post("/settings/two-factor/enroll", nil, nil))
	m := regexp.MustCompile(`Key: <code>([A-Z2-7]+)</code>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "<svg") {
		t.Fatalf("enroll page has no key or QR code: %s", page)
	}
	code, _ := totp.GenerateCode(m[1], clock)
	page = body(t, e.post("/settings/two-factor/confirm", url.Values{"code": {code}}, nil))
	if strings.Count(page, "<li><code>") != 10 {
		t.Fatalf("confirm page shows no recovery codes: %s", page)
	}
	body(t, e.post("/signout", nil, nil))

	res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil)
	if page := body(t, res); res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `name="code"`) {
		t.Fatalf("sign-in without the code: got %d, want 401 asking for it", res.StatusCode)
	}
	clock = clock.Add(30 * time.Second)
	code, _ = totp.GenerateCode(m[1], clock)
	res = e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}, "code": {code}}, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the code: got %d, want 303", res.StatusCode)
	}
}

// Hostile forms and parameters get 4xx, never 500.
func TestHostileFormsNeverAnswer500(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.user("alice@example.com")
	body(t, e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil))
	forms := []string{"email=%00&password=x", "email=%ff%fe&password=x", "email=%zz", "code=" + strings.Repeat("9", 70000),
		"email=' OR 1=1 --&password=x", "code=%00", strings.Repeat("a=b&", 20000)}
	paths := []string{"/signin", "/settings/two-factor/enroll", "/settings/two-factor/confirm", "/settings/two-factor/disable", "/imports", "/signout"}
	for _, p := range paths {
		for _, f := range forms {
			req, _ := http.NewRequest("POST", e.srv.URL+p, strings.NewReader(f))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", e.srv.URL)
			res, err := e.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body(t, res)
			if res.StatusCode >= 500 && res.StatusCode != http.StatusServiceUnavailable { // 503: this env has no importer
				t.Errorf("POST %s with %.40q: %d", p, f, res.StatusCode)
			}
		}
	}
	for _, q := range []string{"/?x=%00", "/imports?page=%ff", "/%00", "/settings/two-factor?a=%27"} {
		if status, _ := e.get(q); status >= 500 {
			t.Errorf("GET %s: %d", q, status)
		}
	}
}
