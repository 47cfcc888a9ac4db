package simplefin

import (
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source"
)

// Currency is an account's ISO 4217 code; custom currencies (URLs in the
// protocol) and blanks read as USD.
func Currency(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	if len(c) != 3 {
		return "USD"
	}
	return c
}

// AccountOf describes a bridge account.
func AccountOf(a Account) source.Account {
	name := strings.ToLower(a.Name)
	typ := tally.AccountOther
	switch {
	case strings.Contains(name, "credit") || strings.Contains(name, "card") || strings.Contains(name, "visa"):
		typ = tally.AccountCreditCard
	case strings.Contains(name, "saving"):
		typ = tally.AccountSavings
	case strings.Contains(name, "checking"):
		typ = tally.AccountChecking
	}
	mask := a.ID
	if len(mask) > 4 {
		mask = mask[len(mask)-4:]
	}
	return source.Account{ExternalID: "sfin:" + a.ID, Name: a.Name, Type: typ, Mask: mask, Currency: Currency(a.Currency)}
}

// Statement turns a bridge account into a source statement. A line whose
// amount cannot be read is left out and reported in skipped; a line with
// neither a posting nor a transaction date is dated now.
func Statement(a Account, now time.Time) (st source.Statement, skipped []error) {
	cur := Currency(a.Currency)
	st = source.Statement{
		Account:      AccountOf(a),
		Currency:     cur,
		Transactions: make([]source.Transaction, 0, len(a.Transactions)),
		ListsPending: true,
	}
	if bal, err := tally.ParseAmount(a.Balance, cur); err == nil {
		st.Balance = &bal
		if a.BalanceDate > 0 {
			st.BalanceAsOf = time.Unix(a.BalanceDate, 0).UTC()
		}
	}
	for i := range a.Transactions {
		l, err := line(&a.Transactions[i], cur, now)
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		st.Transactions = append(st.Transactions, l)
	}
	return st, skipped
}

// line converts one bridge transaction of an account in currency cur.
func line(t *Transaction, cur string, now time.Time) (source.Transaction, error) {
	amt, err := tally.ParseAmount(t.Amount, cur)
	if err != nil {
		return source.Transaction{}, fmt.Errorf("transaction %s: %w", t.ID, err)
	}
	when := t.Posted
	if when == 0 {
		when = t.TransactedAt
	}
	posted := now.UTC()
	if when != 0 {
		posted = time.Unix(when, 0).UTC()
	}
	name, memo := t.Payee, t.Memo
	if name == "" {
		name = t.Description
	} else if memo == "" {
		memo = t.Description
	}
	return source.Transaction{
		Date:        time.Date(posted.Year(), posted.Month(), posted.Day(), 0, 0, 0, 0, time.UTC),
		Amount:      amt,
		Description: name,
		Memo:        memo,
		FITID:       t.ID,
		Pending:     t.Pending,
	}, nil
}
