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

// RecordStatement stores what one statement says about an account beyond
// its transactions, in one transaction: its ledger balance at the end of
// its day (nil when the statement has none) and its investment positions.
// Values beyond ±tally.MaxAmount are refused, so net worth sums stay in
// range.
func (s *Store) RecordStatement(ctx context.Context, userID, accountID string, ledger *tally.AccountBalance, holdings []tally.Holding) error {
	if ledger == nil && len(holdings) == 0 {
		return nil
	}
	if ledger != nil {
		if err := tally.CheckAmount("balance", ledger.Balance, ledger.Currency); err != nil {
			return fmt.Errorf("store: account %s: %w", accountID, err)
		}
	}
	for _, h := range holdings {
		if err := tally.CheckAmount("market value", h.MarketValue, h.Currency); err != nil {
			return fmt.Errorf("store: holding %s: %w", h.SecurityID, err)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		if ledger != nil {
			// The account's daily balances are derived again from it.
			c := changeSet{}
			c.add(accountID, "", ledger.Day)
			if err := s.markInsightChanges(ctx, tx, userID, c); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO account_balances (user_id, account_id, day, balance, currency, source) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (user_id, account_id, day) DO UPDATE SET balance = excluded.balance, currency = excluded.currency, source = excluded.source`),
				userID, accountID, ledger.Day.Format(tally.DateLayout), ledger.Balance, ledger.Currency, tally.BalanceStatement); err != nil {
				return fmt.Errorf("store: record balance: %w", err)
			}
		}
		return s.recordHoldings(ctx, tx, userID, accountID, holdings)
	})
}

// BalanceInputs returns, per account of the user, the net amount of its
// posted transactions per day and the balances statements reported.
func (s *Store) BalanceInputs(ctx context.Context, userID string) (map[string]map[time.Time]int64, map[string][]tally.AccountBalance, error) {
	where, args := `user_id = ?`, []any{userID}
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT account_id, posted_on, SUM(amount) FROM transactions
		WHERE `+where+` AND NOT pending GROUP BY account_id, posted_on`), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: balance inputs: %w", err)
	}
	defer rows.Close()
	flows := map[string]map[time.Time]int64{}
	for rows.Next() {
		var acct string
		var day sqldb.Date
		var sum int64
		if err := rows.Scan(&acct, &day, &sum); err != nil {
			return nil, nil, fmt.Errorf("store: balance inputs: %w", err)
		}
		if flows[acct] == nil {
			flows[acct] = map[time.Time]int64{}
		}
		flows[acct][day.Time] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: balance inputs: %w", err)
	}
	anchors, err := s.balances(ctx, where+` AND source = ?`, append(args, tally.BalanceStatement)...)
	if err != nil {
		return nil, nil, err
	}
	return flows, anchors, nil
}

// AccountFlows returns the net amount of the user's posted transactions per
// day for each account in after, of the days after its day (all days when
// that is zero).
func (s *Store) AccountFlows(ctx context.Context, userID string, after map[string]time.Time) (map[string]map[time.Time]int64, error) {
	flows := map[string]map[time.Time]int64{}
	if len(after) == 0 {
		return flows, nil
	}
	var or []string
	args := []any{userID}
	for id, d := range after {
		if d.IsZero() {
			or = append(or, `account_id = ?`)
			args = append(args, id)
			continue
		}
		or = append(or, `(account_id = ? AND posted_on > ?)`)
		args = append(args, id, d.Format(tally.DateLayout))
	}
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT account_id, posted_on, SUM(amount) FROM transactions
		WHERE user_id = ? AND (`+strings.Join(or, " OR ")+`) AND NOT pending GROUP BY account_id, posted_on`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: account flows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var acct string
		var day sqldb.Date
		var sum int64
		if err := rows.Scan(&acct, &day, &sum); err != nil {
			return nil, fmt.Errorf("store: account flows: %w", err)
		}
		if flows[acct] == nil {
			flows[acct] = map[time.Time]int64{}
		}
		flows[acct][day.Time] = sum
	}
	return flows, rows.Err()
}

// StatementBalances returns the balances statements reported for the
// user's accounts ids, by day.
func (s *Store) StatementBalances(ctx context.Context, userID string, ids []string) (map[string][]tally.AccountBalance, error) {
	if len(ids) == 0 {
		return map[string][]tally.AccountBalance{}, nil
	}
	args := []any{userID, tally.BalanceStatement}
	for _, id := range ids {
		args = append(args, id)
	}
	return s.balances(ctx, `user_id = ? AND source = ? AND account_id IN (`+placeholders(len(ids))+`)`, args...)
}

func (s *Store) balances(ctx context.Context, where string, args ...any) (map[string][]tally.AccountBalance, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT account_id, day, balance, currency, source FROM account_balances WHERE `+where+` ORDER BY account_id, day`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: balances: %w", err)
	}
	defer rows.Close()
	out := map[string][]tally.AccountBalance{}
	for rows.Next() {
		var b tally.AccountBalance
		var day sqldb.Date
		if err := rows.Scan(&b.AccountID, &day, &b.Balance, &b.Currency, &b.Source); err != nil {
			return nil, fmt.Errorf("store: balances: %w", err)
		}
		b.Day = day.Time
		out[b.AccountID] = append(out[b.AccountID], b)
	}
	return out, rows.Err()
}

// SaveDailyBalances stores an account's balance per day, replacing what was
// stored for those days, in statements of 500 rows in one transaction.
func (s *Store) SaveDailyBalances(ctx context.Context, userID string, days []tally.AccountBalance) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		for rest := days; len(rest) > 0; {
			n := min(len(rest), 500)
			var b strings.Builder
			b.WriteString(`INSERT INTO account_balances (user_id, account_id, day, balance, currency, source) VALUES `)
			args := make([]any, 0, n*6)
			for i, d := range rest[:n] {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?)")
				args = append(args, userID, d.AccountID, d.Day.Format(tally.DateLayout), d.Balance, d.Currency, d.Source)
			}
			b.WriteString(` ON CONFLICT (user_id, account_id, day) DO UPDATE SET balance = excluded.balance, currency = excluded.currency, source = excluded.source`)
			if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
				return fmt.Errorf("store: save balances: %w", err)
			}
			rest = rest[n:]
		}
		return nil
	})
}

// Balances returns the user's stored daily balances from from to to, per
// account and by day, each account led by its last balance before from (so
// it carries into the range).
func (s *Store) Balances(ctx context.Context, userID string, from, to time.Time) (map[string][]tally.AccountBalance, error) {
	f, t := from.Format(tally.DateLayout), to.Format(tally.DateLayout)
	return s.balances(ctx, `user_id = ? AND ((day >= ? AND day <= ?) OR day = (SELECT MAX(b.day) FROM account_balances b
		WHERE b.user_id = account_balances.user_id AND b.account_id = account_balances.account_id AND b.day < ?))`, userID, f, t, f)
}
