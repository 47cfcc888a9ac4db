package ingest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	gosync "sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

// bridge is a SimpleFIN server: one setup token, claimable once, whose
// access URL reads the accounts below.
type bridge struct {
	mu       gosync.Mutex
	srv      *httptest.Server
	claimed  bool
	revoked  bool
	accounts []simplefin.Account
	starts   []string // start-date of each /accounts request
}

func newBridge(t *testing.T) *bridge {
	b := &bridge{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /claim/demo-token", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.claimed {
			http.Error(w, "already claimed", http.StatusForbidden)
			return
		}
		b.claimed = true
		u := b.srv.URL
		w.Write([]byte("http://tally:s3cret@" + u[len("http://"):] + "/simplefin"))
	})
	mux.HandleFunc("GET /simplefin/accounts", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		user, pass, ok := r.BasicAuth()
		if !ok || user != "tally" || pass != "s3cret" || b.revoked {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		start, _ := strconv.ParseInt(r.URL.Query().Get("start-date"), 10, 64)
		b.starts = append(b.starts, r.URL.Query().Get("start-date"))
		out := simplefin.AccountSet{Errors: []string{}}
		for _, a := range b.accounts {
			c := a
			c.Transactions = nil
			for _, t := range a.Transactions {
				if t.Pending && r.URL.Query().Get("pending") != "1" {
					continue
				}
				if t.Posted != 0 && t.Posted < start {
					continue
				}
				c.Transactions = append(c.Transactions, t)
			}
			out.Accounts = append(out.Accounts, c)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	return b
}

func (b *bridge) token() string {
	return base64.StdEncoding.EncodeToString([]byte(b.srv.URL + "/claim/demo-token"))
}

func day(s string) int64 {
	t, err := time.Parse(tally.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t.Add(15 * time.Hour).Unix()
}

func TestSimpleFINConnectAndSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	b := newBridge(t)
	org := simplefin.Org{Domain: "bank.example", Name: "Example Credit Union"}
	b.accounts = []simplefin.Account{
		{Org: org, ID: "ACT-1", Name: "Everyday Checking", Currency: "USD", Balance: "1234.56", BalanceDate: day("2026-11-20"), Transactions: []simplefin.Transaction{
			{ID: "T1", Posted: day("2026-11-17"), Amount: "-42.10", Description: "SHELL OIL 5744"},
			{ID: "T2", Posted: day("2026-11-18"), Amount: "2500.00", Description: "ACME CORP PAYROLL"},
			{ID: "T3", Amount: "-18.40", Description: "BLUE BOTTLE COFFEE", TransactedAt: day("2026-11-19"), Pending: true},
		}},
		{Org: org, ID: "ACT-2", Name: "Rewards Visa", Currency: "USD", Balance: "-99.99", Transactions: []simplefin.Transaction{
			{ID: "C1", Posted: day("2026-11-16"), Amount: "-99.99", Description: "AMAZON MKTPLACE"},
		}},
	}

	conn, accts, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: b.token()})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Kind != tally.ConnectionSimpleFIN || conn.Institution != "Example Credit Union" || len(accts) != 2 || conn.URL != b.srv.URL+"/simplefin" {
		t.Fatalf("connected %+v with %d accounts", conn, len(accts))
	}
	if accts[1].Type != tally.AccountCreditCard || accts[0].Balance != 123456 {
		t.Errorf("accounts %+v %+v: want a credit card and a balance of 1234.56", accts[0], accts[1])
	}
	// A setup token works once.
	if _, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: b.token()}); tally.ErrorCode(err) != tally.EUNPROCESSABLE {
		t.Fatalf("second claim: got %v, want unprocessable", err)
	}
	if _, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: "%%%"}); tally.ErrorCode(err) != tally.EINVALID {
		t.Fatalf("garbage token: got %v, want invalid", err)
	}

	res, err := f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Seen != 4 || res.Inserted != 4 || f.storedCount(t) != 4 {
		t.Fatalf("first sync saw %d, inserted %d; want 4 and 4", res.Seen, res.Inserted)
	}
	var pending int
	if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT COUNT(*) FROM transactions WHERE user_id = ? AND pending = ?`), f.user.ID, true).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 1 {
		t.Fatalf("%d pending transactions stored, want 1", pending)
	}
	assertTotalsMatch(t, f)

	// The next sync asks from the last success minus the overlap window and
	// adds only what is new.
	f.now = f.now.Add(24 * time.Hour)
	b.mu.Lock()
	b.accounts[1].Transactions = append(b.accounts[1].Transactions, simplefin.Transaction{ID: "C2", Posted: day("2026-11-20"), Amount: "-5.00", Description: "NETFLIX"})
	b.mu.Unlock()
	res, err = f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 1 {
		t.Fatalf("second sync inserted %d, want 1", res.Inserted)
	}
	wantStart := strconv.FormatInt(f.now.Add(-24*time.Hour).Add(-ingest.DefaultOverlap).Unix(), 10)
	if got := b.starts[len(b.starts)-1]; got != wantStart {
		t.Errorf("second sync start-date = %s, want %s (last success minus the overlap)", got, wantStart)
	}

	// Access revoked at the bridge: a credential error, which stops retries.
	b.mu.Lock()
	b.revoked = true
	b.mu.Unlock()
	_, err = f.svc.Sync(ctx, f.user.ID, conn.ID)
	if !ingest.IsCredentialError(err) || ingest.Reason(err) == "" {
		t.Fatalf("revoked access: got %v, want a credential error", err)
	}
}

// A pending purchase that posts under a new id with a tip added replaces its
// pending twin instead of counting twice; an identical purchase still
// pending is kept; the match is recorded; totals stay exact.
func TestPendingToPostedDoesNotDoubleCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	b := newBridge(t)
	org := simplefin.Org{Name: "Example Credit Union"}
	gas := simplefin.Transaction{ID: "T1", Posted: day("2026-11-17"), Amount: "-42.10", Description: "SHELL OIL 5744"}
	coffee1 := simplefin.Transaction{ID: "P1", Amount: "-18.40", Description: "BLUE BOTTLE COFFEE", TransactedAt: day("2026-11-19"), Pending: true}
	coffee2 := simplefin.Transaction{ID: "P2", Amount: "-18.40", Description: "BLUE BOTTLE COFFEE", TransactedAt: day("2026-11-19"), Pending: true}
	setTxns := func(txns ...simplefin.Transaction) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.accounts = []simplefin.Account{{Org: org, ID: "ACT-1", Name: "Checking", Currency: "USD", Balance: "100.00", Transactions: txns}}
	}
	setTxns(gas, coffee1, coffee2)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: b.token()})
	if err != nil {
		t.Fatal(err)
	}
	sum := func() (n int, total int64, pending int) {
		t.Helper()
		err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(SUM(CASE WHEN pending THEN 1 ELSE 0 END), 0) FROM transactions WHERE user_id = ?`), f.user.ID).Scan(&n, &total, &pending)
		if err != nil {
			t.Fatal(err)
		}
		return n, total, pending
	}
	sync := func() {
		t.Helper()
		if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
			t.Fatal(err)
		}
		assertTotalsMatch(t, f)
	}
	sync()
	if n, total, pending := sum(); n != 3 || total != -7890 || pending != 2 {
		t.Fatalf("day 1: %d transactions totalling %d with %d pending, want 3, -7890, 2", n, total, pending)
	}

	// Day 2: the first coffee posts with a tip under a new id; the second
	// is still pending.
	f.now = f.now.Add(24 * time.Hour)
	setTxns(gas, simplefin.Transaction{ID: "T4", Posted: day("2026-11-20"), Amount: "-22.00", Description: "BLUE BOTTLE COFFEE"}, coffee2)
	sync()
	if n, total, pending := sum(); n != 3 || total != -4210-2200-1840 || pending != 1 {
		t.Fatalf("day 2: %d transactions totalling %d with %d pending, want 3, %d, 1", n, total, pending, -4210-2200-1840)
	}
	var pendingID, postedAmount string
	var pa, qa int64
	if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT m.pending_external_id, t.external_id, m.pending_amount, m.posted_amount FROM transaction_matches m
		JOIN transactions t ON t.user_id = m.user_id AND t.id = m.posted_id WHERE m.user_id = ?`), f.user.ID).Scan(&pendingID, &postedAmount, &pa, &qa); err != nil {
		t.Fatalf("no match recorded: %v", err)
	}
	if pendingID != "P1" || postedAmount != "T4" || pa != -1840 || qa != -2200 {
		t.Fatalf("match %s -> %s (%d -> %d), want P1 -> T4 (-1840 -> -2200)", pendingID, postedAmount, pa, qa)
	}

	// Day 3: the bridge repeats the old pending line by mistake, and the
	// second coffee posts at the same amount.
	f.now = f.now.Add(24 * time.Hour)
	setTxns(gas, coffee1, simplefin.Transaction{ID: "T4", Posted: day("2026-11-20"), Amount: "-22.00", Description: "BLUE BOTTLE COFFEE"},
		simplefin.Transaction{ID: "T6", Posted: day("2026-11-21"), Amount: "-18.40", Description: "BLUE BOTTLE COFFEE"})
	sync()
	if n, total, pending := sum(); n != 3 || total != -4210-2200-1840 || pending != 0 {
		t.Fatalf("day 3: %d transactions totalling %d with %d pending, want 3, %d, 0", n, total, pending, -4210-2200-1840)
	}
}
