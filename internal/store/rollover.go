package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tallyhq/tally"
)

// BudgetRollover is a budget's rollover mode and the month it was turned on.
type BudgetRollover struct {
	Mode  string
	Since string // "YYYY-MM"
}

// BudgetSettings returns the user's manual budgets and rollover settings by
// category, in one statement.
func (s *Store) BudgetSettings(ctx context.Context, userID string) (map[string]int64, map[string]BudgetRollover, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT category, amount, '', '' FROM budgets WHERE user_id = ?
		UNION ALL SELECT category, 0, rollover, since_month FROM budget_rollovers WHERE user_id = ?`), userID, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: budget settings: %w", err)
	}
	defer rows.Close()
	manual, rollovers := map[string]int64{}, map[string]BudgetRollover{}
	for rows.Next() {
		var c string
		var amount int64
		var r BudgetRollover
		if err := rows.Scan(&c, &amount, &r.Mode, &r.Since); err != nil {
			return nil, nil, fmt.Errorf("store: budget settings: %w", err)
		}
		if r.Mode == "" {
			manual[c] = amount
		} else {
			rollovers[c] = r
		}
	}
	return manual, rollovers, rows.Err()
}

// PutBudget sets a manual budget amount (when amount is set) and its
// rollover mode (when rollover is set) in one transaction, and enqueues a
// check of month. Turning a rollover on (or changing its mode) starts
// carrying from month's leftover on; none removes the setting.
func (s *Store) PutBudget(ctx context.Context, userID, category string, amount *int64, currency string, rollover *string, month string) error {
	if rollover != nil {
		switch *rollover {
		case tally.RolloverNone, tally.RolloverSurplus, tally.RolloverSurplusAndDeficit:
		default:
			return tally.Errorf(tally.EINVALID, "rollover %q: want none, surplus or surplus_and_deficit", *rollover)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		now := s.now()
		if amount != nil {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO budgets (user_id, category, amount, currency, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (user_id, category) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, updated_at = excluded.updated_at`),
				userID, category, *amount, currency, now); err != nil {
				return fmt.Errorf("store: put budget: %w", err)
			}
		}
		if rollover != nil {
			var err error
			if *rollover == tally.RolloverNone {
				_, err = tx.ExecContext(ctx, s.q(`DELETE FROM budget_rollovers WHERE user_id = ? AND category = ?`), userID, category)
			} else {
				_, err = tx.ExecContext(ctx, s.q(`INSERT INTO budget_rollovers (user_id, category, rollover, since_month, updated_at) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (user_id, category) DO UPDATE SET rollover = excluded.rollover,
					since_month = CASE WHEN budget_rollovers.rollover = excluded.rollover THEN budget_rollovers.since_month ELSE excluded.since_month END,
					updated_at = excluded.updated_at`), userID, category, *rollover, month, now)
			}
			if err != nil {
				return fmt.Errorf("store: put budget rollover: %w", err)
			}
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, []string{month})
	})
}
