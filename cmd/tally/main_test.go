package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// TestMain lets the test binary act as the tally command, so a test can run
// and kill a real server process without building one.
func TestMain(m *testing.M) {
	if os.Getenv("TALLY_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testDatabaseURL returns a fresh database for one test: SQLite in the
// data dir, or a private PostgreSQL schema when TALLY_TEST_DATABASE_URL is
// set.
func testDatabaseURL(t *testing.T, dataDir string) string {
	t.Helper()
	if sqldbtest.Dialect() == "sqlite" {
		return ""
	}
	return sqldbtest.Open(t).URL
}

// startMain runs a whole Tally process in the test on 127.0.0.1:0.
func startMain(t *testing.T, demo bool) *Main {
	t.Helper()
	c := config.Default()
	c.Addr = "127.0.0.1:0"
	c.DataDir = t.TempDir()
	c.DatabaseURL = testDatabaseURL(t, c.DataDir)
	c.Demo = demo
	c.JobTimeout = time.Minute
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return startMainOn(t, c)
}

// startMainOn runs a whole Tally process with the given configuration.
func startMainOn(t *testing.T, c config.Config) *Main {
	t.Helper()
	var out bytes.Buffer
	m := &Main{Config: c, Stdout: &out}
	if testing.Verbose() {
		m.Logger = newLogger(&c, os.Stderr)
	} else {
		m.Logger = newLogger(&config.Config{LogLevel: "error"}, io.Discard)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// startWithBank runs Tally without the demo user, and the demo bank on a
// test server of its own whose address alone the outbound guard allows.
// A test that links a bank of its own needs no demo user, whose 24-month
// first sync would only compete with the test for the CPU.
func startWithBank(t *testing.T) (*Main, string) {
	t.Helper()
	bank := httptest.NewServer(demobank.New())
	t.Cleanup(bank.Close)
	m := startWith(t, nil)
	ap, err := netip.ParseAddrPort(bank.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	m.Outbound.AllowAddr(ap)
	return m, bank.URL + "/ofx"
}

type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends a JSON request and decodes the JSON answer into a map.
func (c *client) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: answer is not JSON: %s", method, path, raw)
		}
	}
	return res.StatusCode, out
}

func (c *client) must(want int, method, path string, body any) map[string]any {
	c.t.Helper()
	status, out := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s = %d %v, want %d", method, path, status, out, want)
	}
	return out
}

// signUp creates a user and returns a client holding their token.
func signUp(t *testing.T, base, email string) (*client, string) {
	t.Helper()
	c := &client{t: t, base: base}
	u := c.must(201, "POST", "/api/v1/users", map[string]string{"email": email, "password": "correct horse battery"})
	tok := c.must(201, "POST", "/api/v1/tokens", map[string]string{"email": email, "password": "correct horse battery"})
	c.token = tok["token"].(string)
	return c, u["id"].(string)
}

// eventually polls cond until it holds or the timeout passes.
// jobWait bounds a wait for background work: a sync, an import, a job
// recorded as finished. It is a ceiling that catches a hang, not a pause:
// a passing test stops waiting the moment the work is done, and a -race
// build on a two-core machine busy with other builds took over two minutes
// for a first sync (load average 13-16).
const jobWait = 4 * time.Minute

func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// allTransactions reads every page of GET /transactions with the query.
func (c *client) allTransactions(query string) []map[string]any {
	c.t.Helper()
	var all []map[string]any
	cursor := ""
	for {
		q := "/api/v1/transactions?limit=500&" + query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := c.must(200, "GET", q, nil)
		for _, x := range page["transactions"].([]any) {
			all = append(all, x.(map[string]any))
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			return all
		}
		cursor = next
	}
}

func bankCount(login string) int {
	n := 0
	for _, st := range demobank.New().Statements(login, time.Time{}, time.Now()) {
		n += len(st.Transactions)
	}
	return n
}

func connectionStatus(c *client, id string) string {
	for _, x := range c.must(200, "GET", "/api/v1/connections", nil)["connections"].([]any) {
		conn := x.(map[string]any)
		if conn["id"] == id {
			return conn["status"].(string)
		}
	}
	return "missing"
}

func TestDemoIsPopulatedQuickly(t *testing.T) {
	t.Parallel()
	start := time.Now()
	m := startMain(t, true)
	out := m.Stdout.(*bytes.Buffer).String()
	if !strings.Contains(out, "Demo user: demo@tally.local  password: ") {
		t.Fatalf("serve --demo printed %q, want the demo credentials", out)
	}
	password := strings.Fields(out[strings.Index(out, "password: ")+len("password: "):])[0]
	c := &client{t: t, base: m.URL()}
	c.token = c.must(201, "POST", "/api/v1/tokens", map[string]string{"email": demoEmail, "password": password})["token"].(string)
	want := bankCount("demo")
	eventually(t, jobWait, "the demo history", func() bool {
		return len(c.allTransactions("")) == want
	})
	t.Logf("demo user has %d transactions %s after start", want, time.Since(start).Round(time.Millisecond))
	spending := c.must(200, "GET", "/api/v1/spending", nil)
	if len(spending["categories"].([]any)) == 0 {
		t.Fatalf("this month's spending is empty: %v", spending)
	}
}

func TestConnectSyncAndSpend(t *testing.T) {
	t.Parallel()
	m, bankURL := startWithBank(t)
	alice, aliceID := signUp(t, m.URL(), "alice@example.com")

	// The design's own request, as written.
	got := alice.must(201, "POST", "/api/v1/account", map[string]string{
		"user_id": aliceID, "account_url": bankURL, "account_login": "alice", "account_password": "pw",
	})
	if got["user_id"] != aliceID || got["action"] != "connect" || got["status"] != "success" || got["account_id"] == "" {
		t.Fatalf("POST /account = %v", got)
	}
	if n := len(got["accounts"].([]any)); n != 4 {
		t.Fatalf("POST /account discovered %d accounts, want 4", n)
	}
	connID := got["account_id"].(string)
	eventually(t, jobWait, "the first sync", func() bool { return connectionStatus(alice, connID) == tally.StatusActive })

	txns := alice.allTransactions("")
	if want := bankCount("alice"); len(txns) != want {
		t.Fatalf("GET /transactions has %d, the bank %d", len(txns), want)
	}
	// Spending per category equals the sum of the month's expense transactions.
	month := time.Now().UTC().AddDate(0, -1, 0).Format(tally.MonthLayout)
	checkSpending(t, alice, month)

	// A manual recategorization moves the amount.
	var moved map[string]any
	for _, x := range alice.allTransactions("month=" + month + "&category=groceries") {
		moved = x
		break
	}
	if moved == nil {
		t.Fatalf("no groceries in %s", month)
	}
	patched := alice.must(200, "PATCH", "/api/v1/transactions/"+moved["id"].(string), map[string]string{"category": "restaurants"})
	if patched["category"] != "restaurants" || patched["category_source"] != "manual" {
		t.Fatalf("PATCH = %v", patched)
	}
	checkSpending(t, alice, month)

	// Refresh adds nothing new.
	lastSync := func() time.Time {
		conn, err := m.Store.Connection(context.Background(), aliceID, connID)
		if err != nil || conn.LastSyncedAt == nil {
			return time.Time{}
		}
		return *conn.LastSyncedAt
	}
	settleSyncJobs(t, m)
	before := lastSync()
	alice.must(202, "POST", "/api/v1/connections/"+connID+"/refresh", nil)
	eventually(t, jobWait, "the refresh", func() bool {
		return connectionStatus(alice, connID) == tally.StatusActive && lastSync().After(before)
	})
	if n := len(alice.allTransactions("")); n != len(txns) {
		t.Fatalf("after refresh %d transactions, want %d", n, len(txns))
	}

	// Another user sees none of it.
	bob, _ := signUp(t, m.URL(), "bob@example.com")
	bob.must(404, "GET", "/api/v1/transactions/"+moved["id"].(string), nil)
	bob.must(404, "PATCH", "/api/v1/transactions/"+moved["id"].(string), map[string]string{"category": "gift"})
	bob.must(404, "POST", "/api/v1/connections/"+connID+"/refresh", nil)
	bob.must(404, "DELETE", "/api/v1/connections/"+connID, nil)
	bob.must(403, "POST", "/api/v1/account", map[string]string{
		"user_id": aliceID, "account_url": bankURL, "account_login": "x", "account_password": "pw",
	})

	// Deleting the connection takes its transactions and spending along.
	alice.must(204, "DELETE", "/api/v1/connections/"+connID, nil)
	alice.must(404, "DELETE", "/api/v1/connections/"+connID, nil)
	if n := len(alice.allTransactions("")); n != 0 {
		t.Fatalf("%d transactions remain after delete", n)
	}
	if total := alice.must(200, "GET", "/api/v1/spending?month="+month, nil)["total"]; total != "0.00" && total != "0" {
		t.Fatalf("spending after delete = %v, want 0", total)
	}
}

// checkSpending compares GET /spending with the month's transactions.
func checkSpending(t *testing.T, c *client, month string) {
	t.Helper()
	want := map[string]int64{}
	for _, x := range c.allTransactions("month=" + month) {
		cat := x["category"].(string)
		if !tally.IsSpending(cat) {
			continue
		}
		amt, err := tally.ParseAmount(x["amount"].(string), x["currency"].(string))
		if err != nil {
			t.Fatal(err)
		}
		want[cat] -= amt
	}
	got := map[string]int64{}
	for _, x := range c.must(200, "GET", "/api/v1/spending?month="+month, nil)["categories"].([]any) {
		row := x.(map[string]any)
		amt, err := tally.ParseAmount(row["amount"].(string), "USD")
		if err != nil {
			t.Fatal(err)
		}
		got[row["category"].(string)] = amt
	}
	for cat, w := range want {
		if w != 0 && got[cat] != w {
			t.Errorf("%s %s: spending %d, transactions add up to %d", month, cat, got[cat], w)
		}
	}
	for cat, g := range got {
		if g != want[cat] {
			t.Errorf("%s %s: spending %d, transactions add up to %d", month, cat, g, want[cat])
		}
	}
}

func TestConnectRefusedStoresNothing(t *testing.T) {
	t.Parallel()
	m, bankURL := startWithBank(t)
	c, _ := signUp(t, m.URL(), "carol@example.com")
	for _, login := range []string{"carol", "locked-carol"} {
		password := "pw"
		if login == "carol" {
			password = "wrong"
		}
		status, out := c.do("POST", "/api/v1/account", map[string]string{"account_url": bankURL, "account_login": login, "account_password": password})
		if status != 422 {
			t.Fatalf("%s: status %d %v, want 422", login, status, out)
		}
		e := out["error"].(map[string]any)
		if e["code"] != "unprocessable" || !strings.Contains(e["message"].(string), "refused") {
			t.Fatalf("%s: error %v, want a message saying the login was refused", login, e)
		}
	}
	status, out := c.do("POST", "/api/v1/account", map[string]string{"account_url": "http://127.0.0.1:1/ofx", "account_login": "x", "account_password": "pw"})
	if status != 400 {
		t.Fatalf("a bank on a private address: %d %v, want 400", status, out)
	}
	if n := len(c.must(200, "GET", "/api/v1/connections", nil)["connections"].([]any)); n != 0 {
		t.Fatalf("%d connections stored after refusals", n)
	}
	if n := len(c.must(200, "GET", "/api/v1/accounts", nil)["accounts"].([]any)); n != 0 {
		t.Fatalf("%d accounts stored after refusals", n)
	}
}

func TestFlakyBankIsRetried(t *testing.T) {
	t.Parallel()
	m, bankURL := startWithBank(t)
	c, _ := signUp(t, m.URL(), "dan@example.com")
	got := c.must(201, "POST", "/api/v1/connections", map[string]string{"kind": "ofx", "url": bankURL, "login": "flaky-dan", "password": "pw"})
	id, _ := got["id"].(string)
	if id == "" {
		if conn, ok := got["connection"].(map[string]any); ok {
			id, _ = conn["id"].(string)
		}
	}
	if id == "" {
		t.Fatalf("POST /connections = %v: no id", got)
	}
	// The bank fails every other request; the sync job retries with backoff.
	eventually(t, 45*time.Second, "the flaky bank's sync to succeed", func() bool { return connectionStatus(c, id) == tally.StatusActive })
	if n, want := len(c.allTransactions("")), bankCount("flaky-dan"); n != want {
		t.Fatalf("%d transactions, want %d", n, want)
	}
}

func TestSlowBankDoesNotBlockTheAPI(t *testing.T) {
	t.Parallel()
	// The bank is a test server on loopback.
	m := startWith(t, func(c *config.Config) { c.OutboundAllowCIDR = "127.0.0.1/32" })
	c, _ := signUp(t, m.URL(), "erin@example.com")
	// The slow bank says when the link's sign-on has reached it.
	bank := demobank.New()
	arrived := make(chan struct{})
	var once gosync.Once
	bankSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		bank.ServeHTTP(w, r)
	}))
	t.Cleanup(bankSrv.Close)
	done := make(chan int, 1)
	go func() {
		status, _ := c.do("POST", "/api/v1/account", map[string]string{"account_url": bankSrv.URL + "/ofx", "account_login": "slow-erin", "account_password": "pw"})
		done <- status
	}()
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the link never reached the bank")
	}
	for range 5 {
		start := time.Now()
		c.must(200, "GET", "/api/v1/accounts", nil)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("GET /accounts took %s while a slow bank was being linked", d)
		}
	}
	select {
	case status := <-done:
		t.Fatalf("the slow bank answered in under a second (status %d)", status)
	default:
	}
	if status := <-done; status != 201 {
		t.Fatalf("slow bank link: status %d, want 201 after the delay", status)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	m := startMain(t, false)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ok", "/metrics": "tally_http_requests_total"} {
		res, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d, want 200 containing %q", path, res.StatusCode, want)
		}
	}
}

func TestVersionAndUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "tally ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("unknown command error = %v", err)
	}
	if err := run(context.Background(), []string{"serve", "--role", "boss"}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "boss") {
		t.Fatalf("bad role error = %v", err)
	}
}

func TestUserAddAndMigrate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"--data-dir", dir}
	if u := testDatabaseURL(t, dir); u != "" {
		args = append(args, "--database-url", u)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"migrate"}, args...), nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	add := append([]string{"user", "add", "--email", "fay@example.com"}, args...)
	if err := run(context.Background(), add, strings.NewReader("short\n"), &out, &errOut); err == nil {
		t.Fatal("user add accepted a short password")
	}
	if err := run(context.Background(), add, strings.NewReader("a long enough password\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), add, strings.NewReader("a long enough password\n"), &out, &errOut); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second user add error = %v, want it to say the user exists", err)
	}
	out.Reset()
	if err := run(context.Background(), append([]string{"reconcile"}, args...), nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "match") {
		t.Fatalf("reconcile: %q, %v", out.String(), err)
	}
}

// Stopping the process lets a sync in flight finish instead of dropping it.
func TestCloseLetsRunningSyncFinish(t *testing.T) {
	t.Parallel()
	// The bank is a test server on loopback.
	m := startWith(t, func(c *config.Config) { c.OutboundAllowCIDR = "127.0.0.1/32" })
	c, userID := signUp(t, m.URL(), "gus@example.com")
	// A slow- bank answers after 5 s: the connect waits once, and the sync
	// job that follows is still waiting on the bank when Close is called.
	// The bank runs apart from the server being closed, and says when the
	// sync's request (its second) has arrived.
	bank := demobank.New()
	var requests atomic.Int32
	syncArrived := make(chan struct{})
	bankSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 2 {
			close(syncArrived)
		}
		bank.ServeHTTP(w, r)
	}))
	t.Cleanup(bankSrv.Close)
	got := c.must(201, "POST", "/api/v1/account", map[string]string{"account_url": bankSrv.URL + "/ofx", "account_login": "slow-gus", "account_password": "pw"})
	connID := got["account_id"].(string)
	select {
	case <-syncArrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the sync never reached the bank")
	}
	start := time.Now()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Close waited %s for the running sync", time.Since(start).Round(time.Millisecond))
	// Reopen the same database: the sync completed before the process stopped.
	m2 := startMainOn(t, m.Config)
	conn, err := m2.Store.Connection(context.Background(), userID, connID)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != tally.StatusActive || conn.LastSuccessAt == nil {
		t.Fatalf("after Close: connection %s (last success %v), want a finished sync", conn.Status, conn.LastSuccessAt)
	}
}

// settleSyncJobs waits until River has recorded every sync job as finished.
// River marks a job completed shortly after its worker returns; until then a
// refresh of the connection is a duplicate of the running sync, which
// already brings the newest transactions.
func settleSyncJobs(t *testing.T, m *Main) {
	t.Helper()
	eventually(t, jobWait, "sync jobs to be recorded as finished", func() bool {
		var n int
		if err := m.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync' AND state IN ('running', 'available', 'retryable')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}
