package sync

import (
	"context"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// recordStatement stores a statement's ledger balance, as of its day, and
// its investment positions, for net worth over time and holdings.
func (s *Service) recordStatement(ctx context.Context, acct *tally.Account, st *ofx.Statement) error {
	currency := st.Currency
	if currency == "" {
		currency = acct.Currency
	}
	var ledger *tally.AccountBalance
	if st.Ledger != nil && !st.Ledger.AsOf.IsZero() {
		ledger = &tally.AccountBalance{AccountID: acct.ID, Day: dayOf(st.Ledger.AsOf), Balance: st.Ledger.Amount, Currency: currency,
			Source: tally.BalanceStatement}
	}
	holdings := make([]tally.Holding, 0, len(st.Positions))
	for _, p := range st.Positions {
		asOf := p.AsOf
		if asOf.IsZero() && st.Ledger != nil {
			asOf = st.Ledger.AsOf
		}
		if asOf.IsZero() || p.SecurityID == "" {
			continue
		}
		holdings = append(holdings, tally.Holding{AccountID: acct.ID, SecurityID: p.SecurityID, IDType: p.SecurityIDType, PositionType: p.Type,
			Units: p.Units, UnitPrice: p.UnitPrice, MarketValue: p.MarketValue, Currency: currency, AsOf: dayOf(asOf)})
	}
	return s.Store.RecordStatement(ctx, acct.UserID, acct.ID, ledger, holdings)
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
