package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

// Pressing refresh again within the cooldown is 429 with Retry-After; the
// cooldown lives in the database, so every server process honours it.
func TestRefreshCooldown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, alice := e.signUp("alice@example.com")
	connID, _ := e.link(alice)
	before := e.jobs.count()
	e.do("POST", "/api/v1/connections/"+connID+"/refresh", alice, nil).want(t, http.StatusAccepted)

	e.store.Now = func() time.Time { return now.Add(20 * time.Second) }
	res := e.do("POST", "/api/v1/connections/"+connID+"/refresh", alice, nil)
	res.wantError(t, http.StatusTooManyRequests, "rate_limited", "try again in 40 seconds")
	if got := res.header.Get("Retry-After"); got != "40" {
		t.Fatalf("Retry-After = %q, want 40", got)
	}
	// A second server over the same database agrees: the handler keeps no
	// state of its own.
	other := e.withNow(now.Add(30 * time.Second))
	e.store.Now = func() time.Time { return now.Add(30 * time.Second) }
	other.do("POST", "/api/v1/connections/"+connID+"/refresh", alice, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")
	if got := e.jobs.count(); got != before+1 {
		t.Fatalf("%d sync jobs enqueued, want %d", got, before+1)
	}

	e.store.Now = func() time.Time { return now.Add(61 * time.Second) }
	e.do("POST", "/api/v1/connections/"+connID+"/refresh", alice, nil).want(t, http.StatusAccepted)
	if got := e.jobs.count(); got != before+2 {
		t.Fatalf("%d sync jobs enqueued after the cooldown, want %d", got, before+2)
	}
}
