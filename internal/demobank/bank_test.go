package demobank

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/ofx"
)

// request builds a request for login: the account list and, for each
// account given, its statement since start.
func request(v ofx.Version, login, pass string, start time.Time, accts ...ofx.Account) *ofx.Request {
	req := &ofx.Request{
		Version: v,
		SignOn: ofx.SignOnRequest{
			ClientTime: testNow, UserID: login, UserPass: pass, Org: Org, FID: FID,
		},
		AccountInfo:       true,
		AccountInfoTrnUID: "acctinfo-1",
	}
	for i, a := range accts {
		req.Statements = append(req.Statements, ofx.StatementRequest{
			TrnUID: "stmt-" + string(rune('a'+i)), Account: a, Start: start, IncludeTransactions: true,
		})
	}
	return req
}

// post sends req to url and returns the HTTP status, the Content-Type and
// the body.
func post(t *testing.T, url string, req *ofx.Request) (int, string, []byte) {
	t.Helper()
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, req); err != nil {
		t.Fatalf("WriteRequest: %v", err)
	}
	resp, err := http.Post(url, "application/x-ofx", &body)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func newServer(t *testing.T, b *Bank) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return srv
}

func accountsOf(b *Bank, login string) []ofx.Account {
	var out []ofx.Account
	for _, ai := range b.Accounts(login) {
		out = append(out, ai.Account)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	srv := newServer(t, b)
	login := "alice"
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	want := b.Statements(login, start, time.Time{})
	for _, v := range []ofx.Version{102, 103, 151, 160, 200, 211, 220} {
		status, ctype, body := post(t, srv.URL, request(v, login, "secret", start, accountsOf(b, login)...))
		if status != http.StatusOK {
			t.Fatalf("version %d: got HTTP %d %s, want 200", v, status, body)
		}
		if ctype != "application/x-ofx" {
			t.Errorf("version %d: got Content-Type %q, want application/x-ofx", v, ctype)
		}
		isXML := bytes.HasPrefix(bytes.TrimSpace(body), []byte("<?xml"))
		if isXML != v.IsXML() {
			t.Errorf("version %d: got XML %v, want %v", v, isXML, v.IsXML())
		}
		resp, err := ofx.Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("version %d: Parse: %v", v, err)
		}
		if resp.Version != v {
			t.Errorf("got version %d, want %d", resp.Version, v)
		}
		so := resp.SignOn
		if so.Status.Code != 0 || so.Org != Org || so.FID != FID || !so.ServerTime.Equal(testNow) {
			t.Errorf("version %d: got sign-on %+v", v, so)
		}
		if len(resp.Accounts) != 4 || resp.AccountsTrnUID != "acctinfo-1" {
			t.Fatalf("version %d: got %d accounts (trnuid %q), want 4", v, len(resp.Accounts), resp.AccountsTrnUID)
		}
		for i, ai := range resp.Accounts {
			w := want[i].Account
			if ai.Account.AccountID != w.AccountID || ai.Account.Kind != w.Kind || ai.Account.Description != w.Description || ai.Currency != Currency {
				t.Errorf("version %d: account %d: got %+v, want %+v", v, i, ai, w)
			}
		}
		if len(resp.Statements) != 4 {
			t.Fatalf("version %d: got %d statements, want 4", v, len(resp.Statements))
		}
		for i := range resp.Statements {
			compareStatement(t, v, &resp.Statements[i], &want[i])
		}
	}
}

func compareStatement(t *testing.T, v ofx.Version, got, want *ofx.Statement) {
	t.Helper()
	if got.Account.AccountID != want.Account.AccountID || got.Account.Kind != want.Account.Kind {
		t.Errorf("version %d: got account %+v, want %+v", v, got.Account, want.Account)
		return
	}
	name := want.Account.Description
	if got.TrnUID == "" || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
		t.Errorf("version %d %s: got trnuid %q window %v - %v, want %v - %v", v, name, got.TrnUID, got.Start, got.End, want.Start, want.End)
	}
	if len(got.Transactions) != len(want.Transactions) {
		t.Errorf("version %d %s: got %d transactions, want %d", v, name, len(got.Transactions), len(want.Transactions))
		return
	}
	for j := range got.Transactions {
		g, w := got.Transactions[j], want.Transactions[j]
		if g.Type != w.Type || !g.Posted.Equal(w.Posted) || !g.User.Equal(w.User) || g.Amount != w.Amount ||
			g.FITID != w.FITID || g.Name != w.Name || g.Memo != w.Memo || g.SIC != w.SIC {
			t.Errorf("version %d %s: transaction %d: got %+v, want %+v", v, name, j, g, w)
			return
		}
	}
	if got.Ledger == nil || got.Ledger.Amount != want.Ledger.Amount {
		t.Errorf("version %d %s: got ledger %+v, want %+v", v, name, got.Ledger, want.Ledger)
	}
	if want.Account.Kind != ofx.KindInvestment && (got.Available == nil || got.Available.Amount != want.Available.Amount) {
		t.Errorf("version %d %s: got available %+v, want %+v", v, name, got.Available, want.Available)
	}
	if len(got.Positions) != len(want.Positions) {
		t.Errorf("version %d %s: got %d positions, want %d", v, name, len(got.Positions), len(want.Positions))
		return
	}
	for j := range got.Positions {
		g, w := got.Positions[j], want.Positions[j]
		if g.SecurityID != w.SecurityID || g.Units != w.Units || g.UnitPrice != w.UnitPrice || g.MarketValue != w.MarketValue {
			t.Errorf("version %d %s: position %d: got %+v, want %+v", v, name, j, g, w)
		}
	}
}

// signOnError posts a request and returns the sign-on status error.
func signOnError(t *testing.T, url string, req *ofx.Request) *ofx.StatusError {
	t.Helper()
	status, _, body := post(t, url, req)
	if status != http.StatusOK {
		t.Fatalf("got HTTP %d, want 200 with an OFX error", status)
	}
	_, err := ofx.Parse(bytes.NewReader(body))
	var se *ofx.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("got error %v, want a *ofx.StatusError", err)
	}
	return se
}

func TestSignOnErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t, pinned(testNow))
	tests := []struct {
		name, login, pass string
		v                 ofx.Version
		code              int
	}{
		{"wrong password", "alice", "wrong", 102, ofx.StatusInvalidSignOn},
		{"wrong password xml", "alice", "wrong", 220, ofx.StatusInvalidSignOn},
		{"empty password", "alice", "", 102, ofx.StatusInvalidSignOn},
		{"empty login", "", "secret", 211, ofx.StatusInvalidSignOn},
		{"locked", "locked-bob", "secret", 102, ofx.StatusAccountLocked},
		{"locked xml", "LOCKED-bob", "secret", 220, ofx.StatusAccountLocked},
	}
	for _, tt := range tests {
		se := signOnError(t, srv.URL, request(tt.v, tt.login, tt.pass, time.Time{}))
		if se.Where != "SONRS" || se.Status.Code != tt.code {
			t.Errorf("%s: got %s status %d, want SONRS %d", tt.name, se.Where, se.Status.Code, tt.code)
		}
	}
}

func TestUnknownAccount(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	srv := newServer(t, b)
	accts := accountsOf(b, "alice")
	wrongKind := accts[0]
	wrongKind.Kind = ofx.KindCreditCard
	for _, a := range []ofx.Account{
		{Kind: ofx.KindBank, BankID: BankID, AccountID: "1000999999", AccountType: "CHECKING"},
		accountsOf(b, "bob")[2],
		wrongKind,
	} {
		se := signOnError(t, srv.URL, request(220, "alice", "secret", time.Time{}, a))
		if se.Status.Code != ofx.StatusAccountNotFound || se.Where == "SONRS" {
			t.Errorf("account %+v: got %s status %d, want a statement status %d", a, se.Where, se.Status.Code, ofx.StatusAccountNotFound)
		}
	}
	if _, err := b.Statement("alice", ofx.Account{AccountID: "nope"}, time.Time{}, time.Time{}); err == nil {
		t.Error("Statement of an unknown account: got no error")
	}
	if _, err := b.Balance("alice", ofx.Account{AccountID: "nope"}, testNow); err == nil {
		t.Error("Balance of an unknown account: got no error")
	}
}

func TestBalancesOnly(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	req := request(102, "alice", "secret", time.Time{}, accountsOf(b, "alice")[0])
	req.Statements[0].IncludeTransactions = false
	resp := b.Respond(req)
	st := resp.Statements[0]
	want := statement(t, b, "alice", 0, time.Time{}, time.Time{})
	if len(st.Transactions) != 0 || st.Ledger == nil || st.Ledger.Amount != want.Ledger.Amount {
		t.Errorf("got %d transactions and ledger %+v, want none and %d", len(st.Transactions), st.Ledger, want.Ledger.Amount)
	}
}

func TestSlow(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	b.SlowDelay = 150 * time.Millisecond
	srv := newServer(t, b)

	begin := time.Now()
	status, _, _ := post(t, srv.URL, request(102, "slow-carol", "secret", time.Time{}))
	if took := time.Since(begin); status != http.StatusOK || took < b.SlowDelay {
		t.Errorf("got HTTP %d after %v, want 200 after at least %v", status, took, b.SlowDelay)
	}
	begin = time.Now()
	post(t, srv.URL, request(102, "carol", "secret", time.Time{}))
	if took := time.Since(begin); took >= b.SlowDelay {
		t.Errorf("an ordinary login took %v, want less than %v", took, b.SlowDelay)
	}
}

func TestSlowHonoursCancellation(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	b.SlowDelay = time.Minute
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, request(220, "slow-dan", "secret", time.Time{})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", &body)
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		b.ServeHTTP(w, r)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ServeHTTP did not return after the request was cancelled")
	}
	if w.Body.Len() != 0 {
		t.Errorf("got %d bytes written for a cancelled request, want none", w.Body.Len())
	}
}

func TestFlaky(t *testing.T) {
	t.Parallel()
	srv := newServer(t, pinned(testNow))
	for i, want := range []int{503, 200, 503, 200, 503} {
		status, _, body := post(t, srv.URL, request(102, "flaky-erin", "secret", time.Time{}))
		if status != want {
			t.Errorf("request %d: got HTTP %d, want %d", i+1, status, want)
		}
		if status == http.StatusOK {
			if _, err := ofx.Parse(bytes.NewReader(body)); err != nil {
				t.Errorf("request %d: Parse: %v", i+1, err)
			}
		}
	}
	// Each flaky login has its own count, starting with a failure.
	if status, _, _ := post(t, srv.URL, request(220, "flaky-frank", "secret", time.Time{})); status != http.StatusServiceUnavailable {
		t.Errorf("another flaky login's first request: got HTTP %d, want 503", status)
	}
	if status, _, _ := post(t, srv.URL, request(220, "grace", "secret", time.Time{})); status != http.StatusOK {
		t.Errorf("an ordinary login: got HTTP %d, want 200", status)
	}
}

func TestFlakyConcurrent(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, request(102, "flaky-heidi", "secret", time.Time{})); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fails int
	)
	for range n {
		wg.Go(func() {
			w := httptest.NewRecorder()
			b.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body.Bytes())))
			if w.Code == http.StatusServiceUnavailable {
				mu.Lock()
				fails++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if fails != n/2 {
		t.Errorf("got %d failures of %d requests, want %d", fails, n, n/2)
	}
}

func TestHTTPErrors(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	b.MaxBodyBytes = 64 << 10
	var valid bytes.Buffer
	if err := ofx.WriteRequest(&valid, request(102, "alice", "secret", time.Time{})); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, ctype string
		body                []byte
		status              int
		contains            string
	}{
		{"get", http.MethodGet, "", nil, http.StatusMethodNotAllowed, "POST"},
		{"put", http.MethodPut, "application/x-ofx", valid.Bytes(), http.StatusMethodNotAllowed, "POST"},
		{"too large", http.MethodPost, "application/x-ofx", bytes.Repeat([]byte("A"), 65<<10), http.StatusRequestEntityTooLarge, "bytes"},
		{"garbage", http.MethodPost, "application/x-ofx", []byte("hello, bank"), http.StatusBadRequest, "ofx"},
		{"no sign-on", http.MethodPost, "application/x-ofx", []byte("<OFX></OFX>"), http.StatusBadRequest, "SONRQ"},
		{"any content type", http.MethodPost, "text/plain", valid.Bytes(), http.StatusOK, "Tally Demo Bank"},
		{"no content type", http.MethodPost, "", valid.Bytes(), http.StatusOK, "Tally Demo Bank"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/demobank/ofx", bytes.NewReader(tt.body))
		if tt.ctype != "" {
			r.Header.Set("Content-Type", tt.ctype)
		}
		w := httptest.NewRecorder()
		b.ServeHTTP(w, r)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.contains) {
			t.Errorf("%s: got HTTP %d %q, want %d containing %q", tt.name, w.Code, w.Body.String(), tt.status, tt.contains)
		}
		if tt.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
			t.Errorf("%s: got Allow %q, want POST", tt.name, w.Header().Get("Allow"))
		}
	}
}

func BenchmarkServeHistory(b *testing.B) {
	bank := pinned(testNow)
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, request(220, "alice", "secret", time.Time{}, accountsOf(bank, "alice")...)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		w := httptest.NewRecorder()
		bank.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body.Bytes())))
		if w.Code != http.StatusOK {
			b.Fatalf("got HTTP %d", w.Code)
		}
	}
}
