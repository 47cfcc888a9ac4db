package ingest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

type fixture struct {
	svc  *ingest.Service
	st   *store.Store
	bank *demobank.Bank
	url  string
	user *tally.User
	now  time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	f.bank = demobank.New()
	f.bank.Now = func() time.Time { return f.now }
	f.bank.SlowDelay = 2 * time.Second
	srv := httptest.NewServer(f.bank)
	t.Cleanup(srv.Close)
	f.url = srv.URL + "/ofx"
	f.st = store.New(sqldbtest.Open(t), store.NoJobs{})
	f.st.Now = func() time.Time { return f.now }
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &ingest.Service{Store: f.st, Blobs: blobs, Box: box, Categorize: categorize.New(), Now: func() time.Time { return f.now },
		ConnectTimeout: time.Second, HTTP: loopbackClient()}
	f.user, err = f.st.CreateUser(context.Background(), "u@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// bankCount is how many transactions the demo bank holds for login up to now.
func (f *fixture) bankCount(login string) int {
	n := 0
	for _, st := range f.bank.Statements(login, time.Time{}, f.now) {
		n += len(st.Transactions)
	}
	return n
}

// fitids is the set of the demo bank's transaction ids for login as of now.
func (f *fixture) fitids(login string) map[string]bool {
	ids := map[string]bool{}
	for _, st := range f.bank.Statements(login, time.Time{}, f.now) {
		for _, t := range st.Transactions {
			ids[st.Account.AccountID+"/"+t.FITID] = true
		}
	}
	return ids
}

func (f *fixture) storedCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT COUNT(*) FROM transactions WHERE user_id = ?`), f.user.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConnectAndSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, accts, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 4 {
		t.Fatalf("got %d accounts, want 4", len(accts))
	}
	types := map[string]bool{}
	for _, a := range accts {
		types[a.Type] = true
	}
	for _, want := range []string{tally.AccountChecking, tally.AccountSavings, tally.AccountCreditCard, tally.AccountInvestment} {
		if !types[want] {
			t.Errorf("no %s account among %v", want, types)
		}
	}
	res, err := f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := f.bankCount("alice")
	if res.Inserted != want || f.storedCount(t) != want {
		t.Fatalf("inserted %d, stored %d, want all %d of the bank's transactions", res.Inserted, f.storedCount(t), want)
	}
	// Syncing again adds nothing.
	res, err = f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil || res.Inserted != 0 {
		t.Fatalf("second sync inserted %d, %v; want 0", res.Inserted, err)
	}
	got, err := f.st.Connection(ctx, f.user.ID, conn.ID)
	if err != nil || got.Status != tally.StatusActive || got.LastSuccessAt == nil {
		t.Fatalf("connection after sync = %+v, %v; want active with a last success", got, err)
	}
	accounts, err := f.st.Accounts(ctx, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if a.Status != tally.StatusActive || a.LastSyncedAt == nil {
			t.Errorf("account %s: status %s, last synced %v", a.Name, a.Status, a.LastSyncedAt)
		}
	}
	assertTotalsMatch(t, f)
	assertCategorized(t, f)
}

// Spending for every month equals the sum of that month's transactions.
func assertTotalsMatch(t *testing.T, f *fixture) {
	t.Helper()
	drifts, err := f.st.ReconcileUser(context.Background(), f.user.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drifts) != 0 {
		t.Fatalf("monthly totals drifted from transactions: %+v", drifts[0])
	}
}

// Every demo-bank transaction lands in a known, non-fallback category.
func assertCategorized(t *testing.T, f *fixture) {
	t.Helper()
	var n int
	if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT COUNT(*) FROM transactions WHERE user_id = ? AND category = ?`),
		f.user.ID, tally.Uncategorized).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d demo transactions are uncategorized", n)
	}
}

func TestIncrementalSyncPicksUpNewDays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "bob", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	before := f.storedCount(t)
	had := f.fitids("bob")
	f.now = f.now.Add(6 * 24 * time.Hour)
	newIDs := 0
	for id := range f.fitids("bob") {
		if !had[id] {
			newIDs++
		}
	}
	res, err := f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if newIDs == 0 || res.Inserted != newIDs || f.storedCount(t) != before+newIDs {
		t.Fatalf("after 6 days: inserted %d, stored %d; want the bank's %d new transactions on top of %d", res.Inserted, f.storedCount(t), newIDs, before)
	}
	// The overlap window re-reads recent days instead of all history.
	if res.Seen >= before/4 {
		t.Errorf("incremental sync read %d transactions, want far fewer than the %d of a full history", res.Seen, before)
	}
	assertTotalsMatch(t, f)
}

func TestManualCategorySurvivesResync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "carol", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	page, _, err := f.st.Transactions(ctx, f.user.ID, tally.TransactionFilter{Limit: 1})
	if err != nil || len(page) != 1 {
		t.Fatalf("Transactions = %v, %v", page, err)
	}
	if _, err := f.st.SetCategory(ctx, f.user.ID, page[0].ID, "gifts"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(24 * time.Hour)
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.Transaction(ctx, f.user.ID, page[0].ID)
	if err != nil || got.Category != "gifts" || got.CategorySource != tally.SourceManual {
		t.Fatalf("after re-sync: %s/%s, %v; want gifts/manual", got.Category, got.CategorySource, err)
	}
	assertTotalsMatch(t, f)
}

func TestConnectRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	for _, tc := range []struct {
		name, url, login, password, code string
	}{
		{"wrong password", f.url, "dave", "wrong", tally.EUNPROCESSABLE},
		{"locked account", f.url, "locked-erin", "pw", tally.EUNPROCESSABLE},
		{"unreachable", "http://127.0.0.1:1/ofx", "frank", "pw", tally.EUPSTREAM},
		{"too slow", f.url, "slow-gina", "pw", tally.EUPSTREAM},
		{"not a URL", "ftp://bank", "h", "pw", tally.EINVALID},
		{"no password", f.url, "h", "", tally.EINVALID},
	} {
		_, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: tc.url, Login: tc.login, Password: tc.password})
		if tally.ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want code %s", tc.name, err, tc.code)
		}
		if tally.ErrorMessage(err) == "" {
			t.Errorf("%s: empty message", tc.name)
		}
	}
	conns, err := f.st.Connections(ctx, f.user.ID)
	if err != nil || len(conns) != 0 {
		t.Fatalf("refused connects stored %d connections, %v", len(conns), err)
	}
}

func TestFlakyBankSucceedsOnRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	// The verification retries the bank's first 503 itself.
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "flaky-hal", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	// The next request fails: the sync reports a retryable error...
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err == nil {
		t.Fatal("sync against a failing bank succeeded")
	} else if ingest.IsCredentialError(err) {
		t.Fatalf("a 503 was taken for refused credentials: %v", err)
	}
	// ...and the job's retry succeeds.
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := f.storedCount(t), f.bankCount("flaky-hal"); got != want {
		t.Fatalf("stored %d, want %d", got, want)
	}
}

func TestRefusedLoginIsACredentialError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "ivy", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	// The password changes at the bank: store a sealed "wrong" in its place.
	sealed := f.svc.Box.Seal([]byte("wrong"), []byte(conn.ID))
	if _, err := f.st.DB().Exec(f.st.DB().Rebind(`UPDATE connections SET secret = ? WHERE id = ?`), sealed, conn.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Sync(ctx, f.user.ID, conn.ID)
	if !ingest.IsCredentialError(err) {
		t.Fatalf("sync error = %v, want a credential error", err)
	}
	if reason := ingest.Reason(err); reason == "" || errors.Is(err, context.Canceled) {
		t.Fatalf("reason = %q", reason)
	}
	if f.storedCount(t) != 0 {
		t.Fatal("a refused sync stored transactions")
	}
}

// loopbackClient is the guarded outbound client with the test servers'
// loopback network allowed, as --outbound-allow-cidr 127.0.0.1/32 does.
func loopbackClient() *http.Client {
	prefixes, _ := outbound.ParseAllowList("127.0.0.1/32")
	return outbound.New(prefixes).Client(0)
}
