package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// replicaURL is TALLY_TEST_REPLICA_URL (a streaming replica of the database
// at TALLY_TEST_DATABASE_URL; scripts/pg-replica.sh starts one) pointed at
// the same schema as db.
func replicaURL(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	raw := os.Getenv("TALLY_TEST_REPLICA_URL")
	if raw == "" || sqldbtest.Dialect() != sqldb.Postgres {
		t.Skip("set TALLY_TEST_DATABASE_URL and TALLY_TEST_REPLICA_URL (scripts/pg-replica.sh start) to test the read replica")
	}
	primary, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", primary.Query().Get("search_path"))
	u.RawQuery = q.Encode()
	return u.String()
}

func replicaReads() (replica, primary float64) {
	return testutil.ToFloat64(metrics.DBReads.WithLabelValues("replica")), testutil.ToFloat64(metrics.DBReads.WithLabelValues("primary"))
}

// TestReplicaReadYourWrites runs against a real streaming replica with its
// replay paused, so it is certainly behind: a user who just wrote reads
// their write from the primary, another user reads from the replica, and
// once replay resumes the writer's reads go to the replica too.
func TestReplicaReadYourWrites(t *testing.T) {
	e := newEnv(t)
	db := e.store.DB()
	ctx := context.Background()
	rep, err := sqldb.OpenReplica(ctx, replicaURL(t, db), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })

	backend, prefix := sharedBackend(t)
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	c := cache.New(backend, cache.Options{Logger: logger, Prefix: prefix})
	c.WriteMark = db.WriteLSN
	st := store.New(db, e.jobs)
	st.Now = e.store.Now
	st.SetInvalidator(c)
	st.SetReplica(rep)
	s := &httpapi.Server{Store: st, Connector: &fakeConnector{store: st}, Logger: logger, Now: func() time.Time { return now }, Cache: c, SignupOpen: true}
	mux := http.NewServeMux()
	s.Routes(mux)
	a := &env{t: t, store: st, jobs: e.jobs, logs: e.logs, srv: httptest.NewServer(httpx.Middleware(mux, logger))}
	t.Cleanup(a.srv.Close)

	writer, wtok := a.signUp("writer@example.com")
	_, accts := a.link(wtok)
	a.seed(writer, txn{account: accts[0], date: "2026-03-03", category: "groceries", merchant: "Corner Market", amount: -1100})
	_, rtok := a.signUp("reader@example.com")

	// Wait until the replica serves the reader: it has replayed their
	// sign-up.
	servedByReplica := func(token, path string) bool {
		before, _ := replicaReads()
		a.do("GET", path, token, nil).want(t, http.StatusOK)
		after, _ := replicaReads()
		return after > before
	}
	deadline := time.Now().Add(10 * time.Second)
	for !servedByReplica(rtok, "/api/v1/accounts") {
		if time.Now().After(deadline) {
			t.Fatal("the replica never served the reader in 10 s")
		}
	}

	if _, err := rep.DB.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatalf("pause replay on the replica: %v", err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if _, err := rep.DB.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
				t.Errorf("resume replay on the replica: %v", err)
			}
		}
	}
	t.Cleanup(resume)

	// Each write is read back at once, never the value before it.
	for _, amount := range []string{"101.00", "202.00", "303.00"} {
		a.do("PUT", "/api/v1/budgets/food_dining", wtok, map[string]any{"amount": amount}).want(t, http.StatusOK)
		if got := budgetOf(a.summary(wtok), "food_dining"); got == nil || got["amount"] != amount {
			t.Fatalf("summary right after setting %s: got food_dining %v", amount, got)
		}
		if got := a.budgetLines(wtok, "2026-03")["food_dining"]["amount"]; got != amount {
			t.Fatalf("budgets right after setting %s: got %v", amount, got)
		}
	}
	txns := a.do("GET", "/api/v1/transactions", wtok, nil).want(t, http.StatusOK).list("transactions")
	a.do("PATCH", "/api/v1/transactions/"+txns[0]["id"].(string), wtok, map[string]any{"category": "restaurants"}).want(t, http.StatusOK)
	if got := a.do("GET", "/api/v1/transactions", wtok, nil).want(t, http.StatusOK).list("transactions")[0]["category"]; got != "restaurants" {
		t.Fatalf("transactions right after the change: got category %v, want restaurants", got)
	}
	if servedByReplica(wtok, "/api/v1/accounts") {
		t.Fatal("the writer was served by a replica that has not replayed their write")
	}
	// Meanwhile the reader, who wrote nothing since, is served by the
	// replica.
	if !servedByReplica(rtok, "/api/v1/accounts") {
		t.Fatal("the reader was not served by the replica")
	}

	resume()
	deadline = time.Now().Add(10 * time.Second)
	for !servedByReplica(wtok, "/api/v1/transactions") {
		if time.Now().After(deadline) {
			t.Fatal("the replica never served the writer after replay resumed")
		}
	}
	if got := a.do("GET", "/api/v1/transactions", wtok, nil).want(t, http.StatusOK).list("transactions")[0]["category"]; got != "restaurants" {
		t.Fatalf("from the replica: got category %v, want restaurants", got)
	}
}
