package simplefin_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

// streamed collects what Read hands out into whole statements.
func streamed(t *testing.T, doc string, chunk int, now time.Time) ([]source.Statement, []string, []error) {
	t.Helper()
	var out []source.Statement
	var open *source.Statement
	errs, skipped, err := simplefin.Read(strings.NewReader(doc), chunk, now, func(st *source.Statement, txs []source.Transaction, done bool) error {
		if len(txs) > chunk {
			t.Errorf("a chunk of %d lines, want at most %d", len(txs), chunk)
		}
		if open == nil {
			c := *st
			c.Transactions = []source.Transaction{}
			open = &c
		}
		open.Transactions = append(open.Transactions, txs...)
		if done {
			out = append(out, *open)
			open = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, errs, skipped
}

func TestReadStreamsWhatStatementConverts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	set := simplefin.AccountSet{Errors: []string{"Example Bank is down"}, Accounts: []simplefin.Account{
		{ID: "ACT-1", Name: "Checking", Currency: "USD", Balance: "100.00", BalanceDate: now.Unix(), Transactions: []simplefin.Transaction{
			{ID: "T1", Posted: now.Unix(), Amount: "-4.50", Description: "COFFEE"},
			{ID: "T2", Amount: "-9.99", Description: "NETFLIX", Pending: true},
			{ID: "T3", Posted: now.Unix(), Amount: "twelve", Description: "BAD"},
			{ID: "T4", Posted: now.Unix(), Amount: "1200.00", Payee: "ACME PAYROLL", Description: "SALARY"},
			{ID: "T5", Amount: "-1.00", Description: "GUM", Pending: true},
		}},
		{ID: "ACT-2", Name: "Visa Card", Currency: "eur", Balance: "-1.5"},
	}}
	doc, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	got, errs, skipped := streamed(t, string(doc), 2, now)
	var want []source.Statement
	for _, a := range set.Accounts {
		st, _ := simplefin.Statement(a, now)
		want = append(want, st)
	}
	want[0].PendingIDs = []string{"T2", "T5"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read gave\n%+v\nwant\n%+v", got, want)
	}
	if len(errs) != 1 || len(skipped) != 1 {
		t.Errorf("got bridge errors %v and skipped %v, want one of each", errs, skipped)
	}

	// An account's fields may follow its transactions.
	late := `{"accounts":[{"transactions":[{"id":"T1","posted":1763650800,"amount":"-4.50","description":"COFFEE"}],` +
		`"id":"ACT-9","name":"Savings","currency":"CAD","balance":"10.00"}]}`
	got, _, _ = streamed(t, late, 10, now)
	if len(got) != 1 || got[0].Account.ExternalID != "sfin:ACT-9" || got[0].Currency != "CAD" || len(got[0].Transactions) != 1 ||
		got[0].Transactions[0].Amount != -450 {
		t.Errorf("fields after the transactions: got %+v", got)
	}
}

func TestReadRefusesABrokenAnswerBeforeHandingOutLines(t *testing.T) {
	t.Parallel()
	good := `{"errors":[],"accounts":[{"id":"A","currency":"USD","balance":"1.00","transactions":[` +
		`{"id":"T1","posted":1763650800,"amount":"-1.00","description":"X"}]},{"id":"B","transactions":[`
	for name, doc := range map[string]string{
		"cut off":           good,
		"not JSON":          "<html>busy</html>",
		"an array":          `[{"id":"A"}]`,
		"garbage after":     `{"accounts":[]} {"accounts":[]}`,
		"a bad transaction": `{"accounts":[{"id":"A","transactions":[{"id":"T1","posted":"yesterday"}]}]}`,
	} {
		calls := 0
		_, _, err := simplefin.Read(strings.NewReader(doc), 10, time.Now(), func(*source.Statement, []source.Transaction, bool) error {
			calls++
			return nil
		})
		if err == nil || calls != 0 {
			t.Errorf("%s: got %v after %d calls, want an error before any", name, err, calls)
		}
	}
	stop := errors.New("stop")
	_, _, err := simplefin.Read(strings.NewReader(`{"accounts":[{"id":"A","transactions":[]}]}`), 10, time.Now(),
		func(*source.Statement, []source.Transaction, bool) error { return stop })
	if err != stop {
		t.Errorf("got %v, want the callback's own error", err)
	}
}
