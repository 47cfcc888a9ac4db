package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// recordHoldings stores a statement's positions inside tx, replacing those
// of the same account, security and day.
func (s *Store) recordHoldings(ctx context.Context, tx *sql.Tx, userID, accountID string, hs []tally.Holding) error {
	for rest := hs; len(rest) > 0; {
		n := min(len(rest), 200)
		var b strings.Builder
		b.WriteString(`INSERT INTO holdings (user_id, account_id, security_id, as_of, id_type, position_type, units, unit_price, market_value, currency) VALUES `)
		args := make([]any, 0, n*10)
		for i, h := range rest[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, userID, accountID, h.SecurityID, h.AsOf.Format(tally.DateLayout), h.IDType, h.PositionType, h.Units, h.UnitPrice,
				h.MarketValue, h.Currency)
		}
		b.WriteString(` ON CONFLICT (user_id, account_id, security_id, as_of) DO UPDATE SET id_type = excluded.id_type,
			position_type = excluded.position_type, units = excluded.units, unit_price = excluded.unit_price,
			market_value = excluded.market_value, currency = excluded.currency`)
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return fmt.Errorf("store: record holdings: %w", err)
		}
		rest = rest[n:]
	}
	return nil
}

const holdingColumns = `account_id, security_id, as_of, id_type, position_type, units, unit_price, market_value, currency`

// LatestHoldings returns each of the user's accounts' positions on the last
// day a statement reported them, capped at 1,000.
func (s *Store) LatestHoldings(ctx context.Context, userID string) ([]tally.Holding, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT `+holdingColumns+` FROM holdings h WHERE user_id = ?
		AND as_of = (SELECT MAX(as_of) FROM holdings l WHERE l.user_id = h.user_id AND l.account_id = h.account_id)
		ORDER BY account_id, market_value DESC, security_id LIMIT 1000`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: holdings: %w", err)
	}
	defer rows.Close()
	var out []tally.Holding
	for rows.Next() {
		var h tally.Holding
		var asOf sqldb.Date
		if err := rows.Scan(&h.AccountID, &h.SecurityID, &asOf, &h.IDType, &h.PositionType, &h.Units, &h.UnitPrice, &h.MarketValue, &h.Currency); err != nil {
			return nil, fmt.Errorf("store: holdings: %w", err)
		}
		h.AsOf = asOf.Time
		out = append(out, h)
	}
	return out, rows.Err()
}

// HoldingValues returns the market value of each of the user's accounts'
// positions per reported day up to to.
func (s *Store) HoldingValues(ctx context.Context, userID string, to time.Time) (map[string][]tally.AccountBalance, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT account_id, as_of, SUM(market_value), MIN(currency) FROM holdings
		WHERE user_id = ? AND as_of <= ? GROUP BY account_id, as_of ORDER BY account_id, as_of`), userID, to.Format(tally.DateLayout))
	if err != nil {
		return nil, fmt.Errorf("store: holding values: %w", err)
	}
	defer rows.Close()
	out := map[string][]tally.AccountBalance{}
	for rows.Next() {
		var b tally.AccountBalance
		var day sqldb.Date
		if err := rows.Scan(&b.AccountID, &day, &b.Balance, &b.Currency); err != nil {
			return nil, fmt.Errorf("store: holding values: %w", err)
		}
		b.Day, b.Source = day.Time, tally.BalanceStatement
		out[b.AccountID] = append(out[b.AccountID], b)
	}
	return out, rows.Err()
}
