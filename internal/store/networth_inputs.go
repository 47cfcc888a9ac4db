package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// NetWorthInputs returns in one statement the user's stored daily balances
// from from to to (each account led by its last balance before from) and
// the market value of each account's positions per reported day, every
// day (later ones too: the first tells from when positions are known).
func (s *Store) NetWorthInputs(ctx context.Context, userID string, from, to time.Time) (balances, values map[string][]tally.AccountBalance, err error) {
	f, t := from.Format(tally.DateLayout), to.Format(tally.DateLayout)
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT 'b' AS kind, account_id, day, balance, currency, source FROM account_balances
		WHERE user_id = ? AND ((day >= ? AND day <= ?) OR day = (SELECT MAX(b.day) FROM account_balances b
		WHERE b.user_id = account_balances.user_id AND b.account_id = account_balances.account_id AND b.day < ?))
		UNION ALL
		SELECT 'h' AS kind, account_id, as_of, SUM(market_value), MIN(currency), ? FROM holdings
		WHERE user_id = ? GROUP BY account_id, as_of
		ORDER BY 1, 2, 3`), userID, f, t, f, tally.BalanceStatement, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: net worth inputs: %w", err)
	}
	defer rows.Close()
	balances, values = map[string][]tally.AccountBalance{}, map[string][]tally.AccountBalance{}
	for rows.Next() {
		var kind string
		var b tally.AccountBalance
		var day sqldb.Date
		if err := rows.Scan(&kind, &b.AccountID, &day, &b.Balance, &b.Currency, &b.Source); err != nil {
			return nil, nil, fmt.Errorf("store: net worth inputs: %w", err)
		}
		b.Day = day.Time
		if kind == "h" {
			values[b.AccountID] = append(values[b.AccountID], b)
		} else {
			balances[b.AccountID] = append(balances[b.AccountID], b)
		}
	}
	return balances, values, rows.Err()
}
