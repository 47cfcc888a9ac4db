package sync_test

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
	"github.com/tallyhq/tally/internal/source/simplefin"
	tsync "github.com/tallyhq/tally/internal/sync"
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

	conn, accts, err := f.svc.Connect(ctx, f.user.ID, tsync.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: b.token()})
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
	if _, _, err := f.svc.Connect(ctx, f.user.ID, tsync.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: b.token()}); tally.ErrorCode(err) != tally.EUNPROCESSABLE {
		t.Fatalf("second claim: got %v, want unprocessable", err)
	}
	if _, _, err := f.svc.Connect(ctx, f.user.ID, tsync.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: "%%%"}); tally.ErrorCode(err) != tally.EINVALID {
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
	wantStart := strconv.FormatInt(f.now.Add(-24*time.Hour).Add(-tsync.DefaultOverlap).Unix(), 10)
	if got := b.starts[len(b.starts)-1]; got != wantStart {
		t.Errorf("second sync start-date = %s, want %s (last success minus the overlap)", got, wantStart)
	}

	// Access revoked at the bridge: a credential error, which stops retries.
	b.mu.Lock()
	b.revoked = true
	b.mu.Unlock()
	_, err = f.svc.Sync(ctx, f.user.ID, conn.ID)
	if !tsync.IsCredentialError(err) || tsync.Reason(err) == "" {
		t.Fatalf("revoked access: got %v, want a credential error", err)
	}
}
