package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// Wrong passwords lock the account after five tries, before any password
// is hashed, with a 429 and Retry-After; the lock lives in the database,
// so another process over it refuses too; it lifts after its time.
func TestTokenAttemptsAreLimitedPerAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("alice@example.com")
	creds := func(pw string) map[string]string {
		return map[string]string{"email": "alice@example.com", "password": pw}
	}
	for i := 1; i <= 4; i++ {
		e.do("POST", "/api/v1/tokens", "", creds("wrong-password")).wantError(t, http.StatusUnauthorized, "unauthenticated")
	}
	res := e.do("POST", "/api/v1/tokens", "", creds("wrong-password"))
	res.wantError(t, http.StatusTooManyRequests, "rate_limited", "too many failed attempts")
	if s, _ := strconv.Atoi(res.header.Get("Retry-After")); s < 60 || s > 15*60 {
		t.Errorf("Retry-After = %q, want up to 15 minutes in seconds", res.header.Get("Retry-After"))
	}
	// The right password is refused too while locked, by another server
	// over the same database.
	other := e.withNow(now)
	other.do("POST", "/api/v1/tokens", "", creds("password123")).wantError(t, http.StatusTooManyRequests, "rate_limited")

	e.store.Now = func() time.Time { return now.Add(16 * time.Minute) }
	e.do("POST", "/api/v1/tokens", "", creds("password123")).want(t, http.StatusCreated)
}

// One client address trying many accounts is stopped too.
func TestTokenAttemptsAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("victim@example.com")
	var last response
	for i := 0; i < 20; i++ {
		last = e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "user" + strconv.Itoa(i) + "@example.com", "password": "guess-password"})
	}
	last.wantError(t, http.StatusTooManyRequests, "rate_limited")
	e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "victim@example.com", "password": "password123"}).
		wantError(t, http.StatusTooManyRequests, "rate_limited")
}

// TOTP: enroll, confirm with a code, then tokens need a code; each code
// and recovery code works once; a code turns it off.
func TestTwoFactorTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t).withSecrets()
	_, token := e.signUp("alice@example.com")
	e.do("GET", "/api/v1/totp", token, nil).want(t, http.StatusOK)

	enr := e.do("POST", "/api/v1/totp", token, nil).want(t, http.StatusCreated)
	secret := enr.str("secret")
	if secret == "" || !strings.HasPrefix(enr.str("otpauth_url"), "otpauth://totp/") || !strings.HasPrefix(enr.str("qr_svg"), "<svg") {
		t.Fatalf("enroll: %s", enr.raw)
	}
	// Not in force before confirmation.
	e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "alice@example.com", "password": "password123"}).want(t, http.StatusCreated)
	e.do("POST", "/api/v1/totp/confirm", token, map[string]string{"code": "000000"}).wantError(t, http.StatusUnauthorized, "unauthenticated", "incorrect")

	code := func(at time.Time) string {
		c, err := totp.GenerateCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	conf := e.do("POST", "/api/v1/totp/confirm", token, map[string]string{"code": code(now)}).want(t, http.StatusOK)
	var recovery []string
	for _, c := range conf.body["recovery_codes"].([]any) {
		recovery = append(recovery, c.(string))
	}
	if len(recovery) != 10 {
		t.Fatalf("confirm: %s, want 10 recovery codes", conf.raw)
	}

	creds := map[string]string{"email": "alice@example.com", "password": "password123"}
	e.do("POST", "/api/v1/tokens", "", creds).wantError(t, http.StatusUnauthorized, "unauthenticated", "totp_code")
	creds["totp_code"] = code(now)
	e.do("POST", "/api/v1/tokens", "", creds).wantError(t, http.StatusUnauthorized, "unauthenticated", "already used")

	later := now.Add(30 * time.Second)
	e.store.Now = func() time.Time { return later }
	creds["totp_code"] = code(later)
	e.do("POST", "/api/v1/tokens", "", creds).want(t, http.StatusCreated)
	creds["totp_code"] = recovery[0]
	e.do("POST", "/api/v1/tokens", "", creds).want(t, http.StatusCreated)
	e.do("POST", "/api/v1/tokens", "", creds).wantError(t, http.StatusUnauthorized, "unauthenticated")

	e.do("DELETE", "/api/v1/totp", token, map[string]string{"code": "123"}).wantError(t, http.StatusUnauthorized, "unauthenticated")
	e.do("DELETE", "/api/v1/totp", token, map[string]string{"code": recovery[1]}).want(t, http.StatusNoContent)
	delete(creds, "totp_code")
	e.do("POST", "/api/v1/tokens", "", creds).want(t, http.StatusCreated)
}

// Sign-out everywhere ends every token of the user and no one else's.
func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, a1 := e.signUp("alice@example.com")
	a2 := e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "alice@example.com", "password": "password123"}).want(t, http.StatusCreated).str("token")
	_, b := e.signUp("bob@example.com")
	e.do("DELETE", "/api/v1/sessions", a1, nil).want(t, http.StatusNoContent)
	for _, tok := range []string{a1, a2} {
		e.do("GET", "/api/v1/accounts", tok, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
	}
	e.do("GET", "/api/v1/accounts", b, nil).want(t, http.StatusOK)
}
