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

// BudgetRollovers returns the user's rollover settings by category.
func (s *Store) BudgetRollovers(ctx context.Context, userID string) (map[string]BudgetRollover, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT category, rollover, since_month FROM budget_rollovers WHERE user_id = ?`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: budget rollovers: %w", err)
	}
	defer rows.Close()
	out := map[string]BudgetRollover{}
	for rows.Next() {
		var c string
		var r BudgetRollover
		if err := rows.Scan(&c, &r.Mode, &r.Since); err != nil {
			return nil, fmt.Errorf("store: budget rollovers: %w", err)
		}
		out[c] = r
	}
	return out, rows.Err()
}

// SetBudgetRollover sets a budget's rollover mode and enqueues a check of
// month. Turning it on (or changing it) starts carrying from since; none
// removes the setting.
func (s *Store) SetBudgetRollover(ctx context.Context, userID, category, mode, since, month string) error {
	switch mode {
	case tally.RolloverNone, tally.RolloverSurplus, tally.RolloverSurplusAndDeficit:
	default:
		return tally.Errorf(tally.EINVALID, "rollover %q: want none, surplus or surplus_and_deficit", mode)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if mode == tally.RolloverNone {
			_, err = tx.ExecContext(ctx, s.q(`DELETE FROM budget_rollovers WHERE user_id = ? AND category = ?`), userID, category)
		} else {
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO budget_rollovers (user_id, category, rollover, since_month, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (user_id, category) DO UPDATE SET rollover = excluded.rollover,
				since_month = CASE WHEN budget_rollovers.rollover = excluded.rollover THEN budget_rollovers.since_month ELSE excluded.since_month END,
				updated_at = excluded.updated_at`), userID, category, mode, since, s.now())
		}
		if err != nil {
			return fmt.Errorf("store: set budget rollover: %w", err)
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, []string{month})
	})
}
