package httpapi_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/tallyhq/tally/internal/cache"
)

// BenchmarkReadPath measures GET requests through the whole handler stack
// (middleware, authentication, cache) against an unauthenticated static
// answer served by the same server.
func BenchmarkReadPath(b *testing.B) {
	e := newBenchEnv(b)
	id, token := e.signUp("bench@example.com")
	_, accts := e.link(token)
	var txns []txn
	for d := 1; d <= 28; d++ {
		txns = append(txns, txn{account: accts[0], date: "2026-03-" + two(d%14+1), category: "groceries", amount: -1000})
	}
	e.seed(id, txns...)
	for _, path := range []string{"/api/v1/openapi.json", "/api/v1/summary", "/api/v1/spending", "/api/v1/budgets", "/api/v1/accounts", "/api/v1/profile"} {
		b.Run(path, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := e.srv.Client().Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("GET %s: %d", path, res.StatusCode)
						return
					}
				}
			})
		})
	}
}

func newBenchEnv(b *testing.B) *env {
	b.Helper()
	e := newEnv(b)
	return e.process(cache.NewMemory(0), "tally:", true)
}
