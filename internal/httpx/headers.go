package httpx

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// SecurityHeaders sets the headers every answer carries: a strict Content
// Security Policy (pages set their own, stricter for what they load),
// no MIME sniffing, no referrer to other sites, no framing, and HSTS when
// the client came over TLS (directly, or through a trusted proxy).
func SecurityHeaders(next http.Handler, trustProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if IsHTTPS(r, trustProxy) {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
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
