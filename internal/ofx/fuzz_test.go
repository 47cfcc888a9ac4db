package ofx

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary documents to Parse and ParseRequest. Neither may
// panic, and whatever Parse accepts must survive WriteResponse and Parse
// again unchanged, apart from the defaults the writer fills in.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.ofx")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := ParseRequest(bytes.NewReader(data)); err != nil {
			_ = err.Error()
		}
		resp, err := Parse(bytes.NewReader(data))
		// ParseStream accepts exactly what Parse accepts and hands out the
		// same transactions, three at a time.
		var streamed []Transaction
		_, serr := ParseStream(bytes.NewReader(data), 3, func(_ *Statement, txs []Transaction, _ bool) error {
			if len(txs) > 3 {
				t.Fatalf("chunk of %d, want at most 3", len(txs))
			}
			streamed = append(streamed, txs...)
			return nil
		})
		if (err == nil) != (serr == nil) {
			t.Fatalf("Parse error %v, ParseStream error %v", err, serr)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		var kept []Transaction
		for _, st := range resp.Statements {
			kept = append(kept, st.Transactions...)
		}
		if len(kept) != len(streamed) {
			t.Fatalf("Parse kept %d transactions, ParseStream handed out %d", len(kept), len(streamed))
		}
		var buf bytes.Buffer
		if err := WriteResponse(&buf, resp); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Parse of WriteResponse output: %v\n%s", err, buf.Bytes())
		}
		want, got := canonical(resp), canonical(again)
		if want != got {
			t.Fatalf("round trip differs:\nfirst  %s\nsecond %s\ndocument:\n%s", want, got, buf.Bytes())
		}
	})
}

// canonical renders r as JSON after applying the defaults WriteResponse
// fills in and the order it writes statements in.
func canonical(r *Response) string {
	c := *r
	c.SignOn.ServerTime = time.Time{}
	c.SignOn.Status.Severity = cmp.Or(c.SignOn.Status.Severity, "INFO")
	c.SignOn.Language = cmp.Or(c.SignOn.Language, "ENG")
	c.AccountsTrnUID = cmp.Or(c.AccountsTrnUID, "0")
	if c.Accounts != nil {
		c.Accounts = slices.Clone(c.Accounts)
		for i := range c.Accounts {
			a := &c.Accounts[i].Account
			a.Kind = cmp.Or(a.Kind, KindBank)
			defaults(a)
		}
	}
	order := map[string]int{KindBank: 0, KindCreditCard: 1, KindInvestment: 2}
	c.Statements = slices.Clone(c.Statements)
	slices.SortStableFunc(c.Statements, func(a, b Statement) int { return order[a.Account.Kind] - order[b.Account.Kind] })
	for i := range c.Statements {
		s := &c.Statements[i]
		s.TrnUID = cmp.Or(s.TrnUID, "0")
		s.Status.Severity = cmp.Or(s.Status.Severity, "INFO")
		defaults(&s.Account)
		s.Transactions = slices.Clone(s.Transactions)
		for j := range s.Transactions {
			tx := &s.Transactions[j]
			tx.Type = cmp.Or(tx.Type, "OTHER")
			if s.Account.Kind == KindInvestment {
				tx.SubAcct = cmp.Or(tx.SubAcct, "CASH")
			}
		}
		if len(s.Positions) == 0 {
			s.Positions = nil
		}
		s.Positions = slices.Clone(s.Positions)
		for j := range s.Positions {
			p := &s.Positions[j]
			p.Units = cmp.Or(p.Units, "0")
			p.UnitPrice = cmp.Or(p.UnitPrice, "0")
			p.SecurityIDType = cmp.Or(p.SecurityIDType, "CUSIP")
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func defaults(a *Account) {
	if a.Kind == KindBank {
		a.AccountType = cmp.Or(a.AccountType, "CHECKING")
	}
}
