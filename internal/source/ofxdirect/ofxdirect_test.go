package ofxdirect_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/source/ofxdirect"
)

func TestVerifyFetchAndParse(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	bank := demobank.New()
	bank.Now = func() time.Time { return now }
	var failNext atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failNext.CompareAndSwap(true, false) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		bank.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := &ofxdirect.Client{Now: func() time.Time { return now }}
	ctx := context.Background()

	// One dropped request is retried.
	failNext.Store(true)
	inst, accounts, err := c.Verify(ctx, srv.URL+"/ofx", "alice", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if inst.Org == "" || len(accounts) != 4 {
		t.Fatalf("got %+v and %d accounts, want the demo bank's four", inst, len(accounts))
	}

	_, _, err = c.Verify(ctx, srv.URL+"/ofx", "alice", "wrong")
	if !ofxdirect.IsCredentialError(err) {
		t.Fatalf("wrong password: got %v, want a credential error", err)
	}
	if got := ofxdirect.ConnectError(srv.URL, err); tally.ErrorCode(got) != tally.EUNPROCESSABLE {
		t.Errorf("ConnectError = %v, want unprocessable", got)
	}
	if msg, ok := ofxdirect.Reason(err); !ok || msg == "" {
		t.Errorf("Reason = %q, %v, want the refused login explained", msg, ok)
	}

	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ExternalID
	}
	body, err := c.Fetch(ctx, srv.URL+"/ofx", "alice", "pw", ids, now.AddDate(0, 0, -30))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(body)
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	statements, err := ofxdirect.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	// Read hands out the same statements a few lines at a time.
	var streamed []source.Statement
	var open *source.Statement
	err = ofxdirect.Read(bytes.NewReader(raw), 3, func(st *source.Statement, txs []source.Transaction, done bool) error {
		if len(txs) > 3 {
			t.Errorf("a chunk of %d lines, want at most 3", len(txs))
		}
		if open == nil {
			c := *st
			c.Transactions = make([]source.Transaction, 0)
			open = &c
		}
		if st.Account != open.Account || (st.Balance == nil) != (open.Balance == nil) {
			t.Errorf("a statement's calls differ: %+v, then %+v", open.Account, st.Account)
		}
		open.Transactions = append(open.Transactions, txs...)
		if done {
			streamed = append(streamed, *open)
			open = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(streamed, statements) {
		t.Errorf("Read gave %d statements that differ from Parse's %d", len(streamed), len(statements))
	}
	if len(statements) == 0 {
		t.Fatal("no statements")
	}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	lines := 0
	for _, st := range statements {
		if !known[st.Account.ExternalID] {
			t.Errorf("statement for %s, an account the login does not list", st.Account.ExternalID)
		}
		for _, l := range st.Transactions {
			lines++
			if l.FITID == "" || l.Description == "" || l.Date.IsZero() || l.Date.Hour() != 0 {
				t.Fatalf("line %+v lacks an id, a description or a calendar date", l)
			}
		}
	}
	if lines == 0 {
		t.Fatal("no transactions in 30 days")
	}

	failNext.Store(true)
	_, err = c.Fetch(ctx, srv.URL+"/ofx", "alice", "pw", ids, time.Time{})
	if !ofxdirect.IsRetryable(err) {
		t.Errorf("HTTP 503: got %v, want a retryable error", err)
	}
}

func TestStatementKeepsBalanceAndPositions(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	st := ofxdirect.Statement(&ofx.Statement{
		Account:  ofx.Account{Kind: ofx.KindInvestment, BrokerID: "broker.example", AccountID: "INV-1"},
		Currency: "USD",
		Ledger:   &ofx.Balance{Amount: 1234567},
		Positions: []ofx.Position{{SecurityID: "037833100", SecurityIDType: "CUSIP", Type: "POSSTOCK", Units: "10", UnitPrice: "190.25",
			MarketValue: 190250, AsOf: asOf}},
		Transactions: []ofx.Transaction{{Type: "POS", Posted: asOf.Add(15 * time.Hour), Amount: -2500, FITID: "F1", Memo: "WHOLEFDS HOU 10236", SIC: "5411"}},
	})
	if st.Account.ExternalID != "investment::broker.example:INV-1" || st.Balance == nil || *st.Balance != 1234567 {
		t.Fatalf("got account %s, balance %v", st.Account.ExternalID, st.Balance)
	}
	if len(st.Holdings) != 1 || st.Holdings[0].SecurityID != "037833100" || st.Holdings[0].MarketValue != 190250 {
		t.Fatalf("got holdings %+v", st.Holdings)
	}
	l := st.Transactions[0]
	if l.Description != "WHOLEFDS HOU 10236" || l.MCC != "5411" || l.Date != asOf {
		t.Fatalf("got line %+v, want the MEMO as description without a NAME, the SIC as MCC, a calendar date", l)
	}
}

// An answer that breaks off half-way hands nothing out, and an answer
// larger than the limit fails to read.
func TestReadRefusesABrokenAnswerBeforeHandingOutLines(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	resp := &ofx.Response{Version: 102, SignOn: ofx.SignOnResponse{Org: demobank.Org, FID: demobank.FID},
		Statements: []ofx.Statement{demobank.SyntheticStatement(50, 1)}}
	if err := ofx.WriteResponse(&buf, resp); err != nil {
		t.Fatal(err)
	}
	doc := buf.Bytes()
	cut := doc[:len(doc)*2/3]
	calls := 0
	err := ofxdirect.Read(bytes.NewReader(cut), 10, func(*source.Statement, []source.Transaction, bool) error {
		calls++
		return nil
	})
	if err == nil || calls != 0 {
		t.Fatalf("an answer cut off: got %v after %d calls, want an error before any", err, calls)
	}
	stop := errors.New("stop")
	err = ofxdirect.Read(bytes.NewReader(doc), 10, func(*source.Statement, []source.Transaction, bool) error { return stop })
	if err != stop {
		t.Errorf("got %v, want the callback's own error", err)
	}

	big := source.LimitBody(io.NopCloser(strings.NewReader(strings.Repeat("x", 3<<20))), 2<<20, "ofxdirect")
	if _, err := io.ReadAll(big); err == nil || !strings.Contains(err.Error(), "larger than 2 MiB") {
		t.Errorf("3 MiB through a 2 MiB limit: got %v", err)
	}
	exact := source.LimitBody(io.NopCloser(strings.NewReader(strings.Repeat("x", 2<<20))), 2<<20, "ofxdirect")
	if b, err := io.ReadAll(exact); err != nil || len(b) != 2<<20 {
		t.Errorf("2 MiB through a 2 MiB limit: got %d bytes, %v", len(b), err)
	}
}
