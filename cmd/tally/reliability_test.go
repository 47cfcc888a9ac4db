package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// The tests in this file measure what docs/reliability.md reports. They
// take minutes, so they run only with TALLY_RELIABILITY=1:
//
//	TALLY_RELIABILITY=1 go test ./cmd/tally -run Reliability -v -timeout 30m
//
// (add TALLY_TEST_DATABASE_URL=postgres://... for PostgreSQL).

func reliabilityOnly(t *testing.T) {
	if os.Getenv("TALLY_RELIABILITY") == "" {
		t.Skip("a reliability measurement: set TALLY_RELIABILITY=1 (takes minutes)")
	}
}

// bigLogin is a demo-bank login whose checking account answers a synthetic
// history of bigCount transactions.
const (
	bigLogin = "synthetic-1"
	bigCount = 100_000
)

// bigBank is the demo bank with bigLogin's checking account swapped for a
// 100,000-transaction statement.
type bigBank struct {
	bank *demobank.Bank
	once gosync.Once
	big  ofx.Statement
}

func (b *bigBank) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := ofx.ParseRequest(bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp := b.bank.Respond(req)
	if strings.EqualFold(req.SignOn.UserID, bigLogin) {
		b.once.Do(func() { b.big = demobank.SyntheticStatement(bigCount, 1) })
		for i, st := range resp.Statements {
			if st.Account.AccountID == b.big.Account.AccountID {
				resp.Statements[i].Transactions = b.big.Transactions
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-ofx")
	ofx.WriteResponse(w, resp)
}

// expected is how many transactions the big login's first sync stores.
func (b *bigBank) expected() int {
	b.once.Do(func() { b.big = demobank.SyntheticStatement(bigCount, 1) })
	n := 0
	for _, st := range b.bank.Statements(bigLogin, time.Time{}, time.Now()) {
		if st.Account.AccountID == b.big.Account.AccountID {
			n += len(b.big.Transactions)
			continue
		}
		n += len(st.Transactions)
	}
	return n
}

func reliabilityServe(t *testing.T, dataDir, dbURL, addr string) *exec.Cmd {
	t.Helper()
	args := []string{"serve", "--addr", addr, "--data-dir", dataDir, "--outbound-allow-cidr", "127.0.0.1/32",
		"--sync-chunk-size", "2000", "--log-level", "error"}
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TALLY_TEST_RUN_MAIN=1")
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestReliabilityKillFirstSync kills the server with SIGKILL 20 times during
// the first sync of a 100,000-transaction login, then lets it finish, and
// reports lost and duplicated transactions, reconcile, false alerts and
// how long each restart took to resume the sync.
func TestReliabilityKillFirstSync(t *testing.T) {
	reliabilityOnly(t)
	ctx := context.Background()
	bank := &bigBank{bank: demobank.New()}
	bankSrv := httptest.NewServer(bank)
	t.Cleanup(bankSrv.Close)
	want := bank.expected()

	dataDir := t.TempDir()
	dbURL := testDatabaseURL(t, dataDir)
	openURL := dbURL
	if openURL == "" {
		openURL = sqldb.DefaultURL(dataDir)
	}
	addr := freeAddr(t)
	base := "http://" + addr
	cmd := reliabilityServe(t, dataDir, dbURL, addr)
	eventually(t, jobWait, "the server", func() bool {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	})
	alice, _ := signUp(t, base, "alice@example.com")
	// A budget that partial history could make look exceeded.
	alice.must(200, "PUT", "/api/v1/budgets/groceries", map[string]string{"amount": "50.00"})
	start := time.Now()
	got := alice.must(201, "POST", "/api/v1/account", map[string]string{"account_url": bankSrv.URL, "account_login": bigLogin, "account_password": "pw"})
	connID := got["account_id"].(string)

	db, err := sqldb.Open(ctx, openURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func() int {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM transactions`).Scan(&n); err != nil {
			return -1
		}
		return n
	}
	kills, midSync := 0, 0
	var resume []time.Duration
	for kills < 20 {
		before := count()
		if before >= want {
			break
		}
		// Kill once this process has written something new.
		deadline := time.Now().Add(3 * time.Minute)
		for n := count(); n <= before && time.Now().Before(deadline); n = count() {
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
		n := count()
		if n > 0 && n < want {
			midSync++
		}
		t.Logf("kill %d: %d of %d transactions stored", kills, n, want)
		restarted := time.Now()
		cmd = reliabilityServe(t, dataDir, dbURL, addr)
		if n < want {
			// Resumed: the new process writes its first chunk.
			for time.Since(restarted) < 3*time.Minute && count() <= n {
				time.Sleep(10 * time.Millisecond)
			}
			resume = append(resume, time.Since(restarted))
		}
	}
	eventually(t, 5*time.Minute, "the whole history", func() bool { return count() >= want })
	eventually(t, time.Minute, "the connection active", func() bool { return connectionStatus(alice, connID) == "active" })
	elapsed := time.Since(start)
	// Every sync job finished: nothing is left that could still add a
	// duplicate.
	eventually(t, time.Minute, "sync jobs to finish", func() bool {
		var left int
		if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync' AND state IN ('running', 'available', 'retryable')`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		return left == 0
	})
	n := count()
	st := store.New(db, store.NoJobs{})
	ids, err := st.UserIDs(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	drifted := 0
	for _, id := range ids {
		d, err := st.ReconcileUser(ctx, id, false)
		if err != nil {
			t.Fatal(err)
		}
		drifted += len(d)
	}
	// An alert is false when the final budgets do not bear it out.
	budgets := alice.must(200, "GET", "/api/v1/budgets", nil)
	status := map[string]string{}
	for _, x := range budgets["categories"].([]any) {
		l := x.(map[string]any)
		status[l["category"].(string)] = l["status"].(string)
	}
	falseAlerts := 0
	for _, x := range alice.must(200, "GET", "/api/v1/notifications", nil)["notifications"].([]any) {
		nt := x.(map[string]any)
		kind := nt["kind"].(string)
		if kind == "budget_exceeded" && status[nt["category"].(string)] != "exceeded" ||
			kind == "budget_approaching" && status[nt["category"].(string)] == "under" {
			falseAlerts++
			t.Logf("false alert: %v", nt)
		}
	}
	var maxResume time.Duration
	for _, d := range resume {
		maxResume = max(maxResume, d)
	}
	t.Logf("RESULT kills=%d mid_sync=%d stored=%d want=%d lost=%d duplicated=%d drifted_totals=%d false_alerts=%d max_resume=%s total=%s",
		kills, midSync, n, want, max(want-n, 0), max(n-want, 0), drifted, falseAlerts, maxResume.Round(100*time.Millisecond), elapsed.Round(time.Second))
	if n != want || drifted != 0 || falseAlerts != 0 {
		t.Fail()
	}
}

// hangingBank answers sign-on and the account list like the demo bank but
// never answers a statement request.
type hangingBank struct {
	bank *demobank.Bank
	hung atomic.Int32
}

func (b *hangingBank) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := ofx.ParseRequest(bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(req.Statements) > 0 {
		b.hung.Add(1)
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/x-ofx")
	ofx.WriteResponse(w, b.bank.Respond(req))
}

// A bank that hangs costs a worker only its fetch timeout: the connection
// says why it is not done, and another connection syncs meanwhile.
func TestHangingBankTimesOut(t *testing.T) {
	t.Parallel()
	hang := &hangingBank{bank: demobank.New()}
	hangSrv := httptest.NewServer(hang)
	t.Cleanup(hangSrv.Close)
	fine := httptest.NewServer(demobank.New())
	t.Cleanup(fine.Close)
	m := startWith(t, func(c *config.Config) { c.OutboundAllowCIDR = "127.0.0.1/32"; c.Workers = 1 })
	m.Sync.FetchTimeout = 2 * time.Second
	alice, _ := signUp(t, m.URL(), "alice@example.com")
	start := time.Now()
	hung := alice.must(201, "POST", "/api/v1/account", map[string]string{"account_url": hangSrv.URL, "account_login": "alice", "account_password": "pw"})["account_id"].(string)
	ok := alice.must(201, "POST", "/api/v1/account", map[string]string{"account_url": fine.URL, "account_login": "bob", "account_password": "pw"})["account_id"].(string)
	eventually(t, jobWait, "the other connection synced by the only worker", func() bool { return connectionStatus(alice, ok) == "active" })
	otherDone := time.Since(start)
	var reason string
	eventually(t, jobWait, "the reason on the hung connection", func() bool {
		for _, x := range alice.must(200, "GET", "/api/v1/connections", nil)["connections"].([]any) {
			c := x.(map[string]any)
			if c["id"] == hung {
				reason = c["status_reason"].(string)
			}
		}
		return reason != ""
	})
	t.Logf("RESULT hung_requests=%d other_connection_synced_after=%s reason=%q", hang.hung.Load(), otherDone.Round(100*time.Millisecond), reason)
	if !strings.Contains(reason, "did not answer in time") {
		t.Errorf("reason %q, want the institution's timeout", reason)
	}
}

// TestReliabilityDatabaseOutage cuts PostgreSQL off for 30 s (a proxy
// between Tally and the server drops every connection and refuses new
// ones, as a stopped server looks to its clients) under a bounded load of
// writes and reads, and reports the answers while down, how long after the
// database came back the first write succeeded, and whether every accepted
// write is stored. TestReliabilityPostgresStopped does the same by
// stopping a server of its own.
func TestReliabilityDatabaseOutage(t *testing.T) {
	reliabilityOnly(t)
	if sqldbtest.Dialect() != "postgres" {
		t.Skip("needs PostgreSQL: set TALLY_TEST_DATABASE_URL")
	}
	dbURL := sqldbtest.Open(t).URL
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	m := startWith(t, func(c *config.Config) { c.DatabaseURL = u.String() })
	measureOutage(t, m, dbURL, proxy.Cut, proxy.Restore)
}

// measureOutage runs a bounded load against m (20 requests a second, half
// of them registrations, half reads) until 50 registrations are accepted,
// takes the database down with cut until 300 are refused (30 s), brings it
// back with restore (which returns once the database accepts connections)
// and keeps the load until 100 more are accepted. It reports
// the answers in each phase, how long after restore returned the first
// write succeeded, and how many accepted writes dbURL does not hold.
func measureOutage(t *testing.T, m *Main, dbURL string, cut, restore func()) {
	alice, _ := signUp(t, m.URL(), "alice@example.com")

	const rate = 20 // requests a second, half writes
	var mu gosync.Mutex
	statuses := map[string]map[int]int{} // "phase kind" -> status -> count
	var accepted []string                // emails whose registration the API accepted
	phase := "before"
	var firstOK time.Time
	noRetryAfter := 0 // 503 answers without Retry-After
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			mu.Lock()
			ph := phase
			mu.Unlock()
			var status int
			email, kind := "", "reads"
			if i%2 == 0 {
				email, kind = fmt.Sprintf("outage-%d@example.com", i), "writes"
				a := send(t, "POST", m.URL()+"/api/v1/users", alice.token, "application/json",
					strings.NewReader(`{"email":"`+email+`","password":"correct horse battery"}`))
				status = a.status
				if status == 503 && a.header.Get("Retry-After") == "" {
					mu.Lock()
					noRetryAfter++
					mu.Unlock()
				}
			} else {
				status, _ = alice.do("GET", "/api/v1/accounts", nil)
			}
			mu.Lock()
			if ph != phase {
				ph = "edge" // the database went down or came back during the request
			}
			key := ph + " " + kind
			if statuses[key] == nil {
				statuses[key] = map[int]int{}
			}
			statuses[key][status]++
			if status == 201 {
				accepted = append(accepted, email)
			}
			if ph == "after" && firstOK.IsZero() && status < 300 && email != "" {
				firstOK = time.Now()
			}
			mu.Unlock()
		}
	}()
	setPhase := func(p string) { mu.Lock(); phase = p; mu.Unlock() }
	// answered waits until the load has had n answers of status to writes
	// in the phase: each phase lasts until the load has met it that often.
	answered := func(ph string, status, n int) {
		t.Helper()
		eventually(t, 5*time.Minute, fmt.Sprintf("%d writes answered %d while %s", n, status, ph), func() bool {
			mu.Lock()
			defer mu.Unlock()
			return statuses[ph+" writes"][status] >= n
		})
	}
	// At 10 writes a second: about 5 s of load before the outage, a 30 s
	// outage (300 writes refused), 10 s of recovery (100 accepted).
	// Requests while cut or restore runs are counted apart ("stopping",
	// "starting"); one the database went down or came back under is an
	// "edge".
	answered("before", 201, 50)
	setPhase("stopping")
	cut()
	setPhase("down")
	answered("down", 503, 300)
	restoreStart := time.Now()
	setPhase("starting")
	restore()
	restoredAt := time.Now()
	setPhase("after")
	answered("after", 201, 100)
	close(stop)
	<-done

	direct, err := sqldb.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	lost := 0
	for _, email := range accepted {
		var n int
		if err := direct.QueryRow(`SELECT COUNT(*) FROM users WHERE email = $1`, email).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			lost++
		}
	}
	recovery := time.Duration(-1)
	if !firstOK.IsZero() {
		recovery = firstOK.Sub(restoredAt)
	}
	t.Logf("RESULT %v restart=%s recovery=%s accepted_writes=%d lost=%d",
		statuses, restoredAt.Sub(restoreStart).Round(10*time.Millisecond), recovery.Round(10*time.Millisecond), len(accepted), lost)
	// While down, writes answer 503; reads answer 503 or, from the cache,
	// 200.
	for _, ph := range []string{"down", "starting"} {
		for s := range statuses[ph+" writes"] {
			if s != 503 {
				t.Errorf("a write answered %d while the database was %s, want only 503", s, ph)
			}
		}
		for s := range statuses[ph+" reads"] {
			if s != 503 && s != 200 {
				t.Errorf("a read answered %d while the database was %s, want 503 (or 200 from the cache)", s, ph)
			}
		}
	}
	for _, ph := range []string{"stopping", "edge"} {
		for s := range statuses[ph+" writes"] {
			if s != 503 && s != 201 {
				t.Errorf("a write answered %d as the database went down or came back, want 201 or 503", s)
			}
		}
	}
	if noRetryAfter > 0 {
		t.Errorf("%d answers of 503 without Retry-After", noRetryAfter)
	}
	if len(statuses["down writes"]) == 0 {
		t.Error("no write was tried while the database was down")
	}
	if lost != 0 || recovery < 0 || recovery > 5*time.Second {
		t.Fail()
	}
}
