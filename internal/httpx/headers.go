package httpx

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// The values SecurityHeaders sets, shared by every response. Each has
// length and capacity 1, so a handler's Header().Add makes a new slice
// rather than writing into these; handlers replace them with Set.
var (
	defaultCSP = []string{"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}
	noSniff    = []string{"nosniff"}
	sameOrigin = []string{"same-origin"}
	deny       = []string{"DENY"}
	hsts       = []string{"max-age=31536000; includeSubDomains"}
)

// SecurityHeaders sets the headers every answer carries: a strict Content
// Security Policy (pages set their own, stricter for what they load),
// no MIME sniffing, no referrer to other sites, no framing, and HSTS when
// the client came over TLS (directly, or through a trusted proxy).
func SecurityHeaders(next http.Handler, trustProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Canonical keys and values made once: every request sets them.
		h := w.Header()
		h["Content-Security-Policy"] = defaultCSP
		h["X-Content-Type-Options"] = noSniff
		h["Referrer-Policy"] = sameOrigin
		h["X-Frame-Options"] = deny
		if IsHTTPS(r, trustProxy) {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// MetricsGuard serves metrics to a client with the bearer token, or to
// anyone when open is set and no token is configured (a loopback or
// separate metrics address); otherwise it answers 404, as if there were no
// such page.
func MetricsGuard(next http.Handler, token string, open bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" && open {
			next.ServeHTTP(w, r)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token != "" && ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1 {
			next.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	})
}
