package ingest

import (
	"context"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source"
)

// recordStatement stores a statement's closing balance, as of its day, and
// its investment positions, for net worth over time and holdings.
func (s *Service) recordStatement(ctx context.Context, acct *tally.Account, st *source.Statement) error {
	currency := st.Currency
	if currency == "" {
		currency = acct.Currency
	}
	var ledger *tally.AccountBalance
	if st.Balance != nil && !st.BalanceAsOf.IsZero() {
		ledger = &tally.AccountBalance{AccountID: acct.ID, Day: dayOf(st.BalanceAsOf), Balance: *st.Balance, Currency: currency,
			Source: tally.BalanceStatement}
	}
	holdings := make([]tally.Holding, 0, len(st.Holdings))
	for _, h := range st.Holdings {
		if h.AsOf.IsZero() || h.SecurityID == "" {
			continue
		}
		h.AccountID, h.AsOf = acct.ID, dayOf(h.AsOf)
		if h.Currency == "" {
			h.Currency = currency
		}
		holdings = append(holdings, h)
	}
	return s.Store.RecordStatement(ctx, acct.UserID, acct.ID, ledger, holdings)
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
