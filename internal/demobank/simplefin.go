package demobank

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

// SimpleFIN serves the bank over the SimpleFIN protocol, as a bridge would,
// under the prefix it is mounted at (e.g. /demobank/simplefin/):
//
//	POST PREFIX/claim/LOGIN  answers an access URL for LOGIN; the setup token
//	                         is base64 of this URL. Any login can be claimed.
//	GET  PREFIX/LOGIN/accounts?start-date=UNIX  with the access URL's basic
//	                         auth answers LOGIN's accounts and transactions.
//
// Access URLs carry the password "demo"; "revoked-" logins are refused.
type SimpleFIN struct {
	Bank   *Bank
	Prefix string // where it is mounted, e.g. "/demobank/simplefin"
}

func (s *SimpleFIN) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(s.Prefix, "/"))
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case r.Method == http.MethodPost && len(parts) == 2 && parts[0] == "claim" && parts[1] != "":
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(scheme + "://" + parts[1] + ":demo@" + r.Host + strings.TrimSuffix(s.Prefix, "/") + "/" + parts[1]))
	case r.Method == http.MethodGet && len(parts) == 2 && parts[1] == "accounts":
		login := parts[0]
		user, pass, ok := r.BasicAuth()
		if !ok || user != login || pass != "demo" || strings.HasPrefix(login, "revoked-") {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		var start time.Time
		if v := r.URL.Query().Get("start-date"); v != "" {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				http.Error(w, "start-date must be a Unix time", http.StatusBadRequest)
				return
			}
			start = time.Unix(sec, 0).UTC()
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.accounts(login, start))
	default:
		http.NotFound(w, r)
	}
}

func (s *SimpleFIN) accounts(login string, start time.Time) simplefin.AccountSet {
	now := s.Bank.now()
	set := simplefin.AccountSet{Errors: []string{}}
	for _, st := range s.Bank.Statements(login, start, now) {
		name := st.Account.Description
		if name == "" {
			name = st.Account.AccountType
		}
		a := simplefin.Account{
			Org:         simplefin.Org{Name: Org, Domain: "demobank.tally.local"},
			ID:          st.Account.AccountID,
			Name:        name,
			Currency:    st.Currency,
			BalanceDate: now.Unix(),
		}
		if st.Ledger != nil {
			a.Balance = tally.FormatAmount(st.Ledger.Amount, st.Currency)
		}
		for _, t := range st.Transactions {
			a.Transactions = append(a.Transactions, simplefin.Transaction{
				ID: t.FITID, Posted: t.Posted.Unix(), Amount: tally.FormatAmount(t.Amount, st.Currency),
				Description: t.Name, Memo: t.Memo,
			})
		}
		set.Accounts = append(set.Accounts, a)
	}
	return set
}
