package httpapi

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the OpenAPI 3.1 description of the API, served at
// GET /api/v1/openapi.json. It is written by hand; the API tests check every
// answer they receive against it.
//
//go:embed openapi.json
var OpenAPI []byte

// GET /api/v1/openapi.json
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(OpenAPI)
}
