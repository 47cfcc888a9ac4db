package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tallyhq/tally"
)

func (s *Store) insertAccount(ctx context.Context, tx *sql.Tx, a *tally.Account) error {
	if a.ID == "" {
		a.ID = tally.NewID()
	}
	if a.Status == "" {
		a.Status = tally.StatusSyncing
	}
	a.CreatedAt = s.now()
	if err := tally.CheckAmount("balance", a.Balance, a.Currency); err != nil {
		return fmt.Errorf("store: account %s: %w", a.ExternalID, err)
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO accounts (user_id, id, connection_id, external_id, name, type, mask, currency, balance, status, status_reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		a.UserID, a.ID, a.ConnectionID, a.ExternalID, a.Name, a.Type, a.Mask, a.Currency, a.Balance, a.Status, a.StatusReason, a.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: insert account: %w", err)
	}
	return nil
}

// EnsureAccount returns the connection's account with the external id,
// creating it when the institution reports an account Tally has not seen.
func (s *Store) EnsureAccount(ctx context.Context, a *tally.Account) (*tally.Account, error) {
	var out *tally.Account
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, a.UserID)
		got, err := scanAccount(tx.QueryRowContext(ctx, s.q(`SELECT `+accountColumns+` FROM accounts WHERE user_id = ? AND connection_id = ? AND external_id = ?`),
			a.UserID, a.ConnectionID, a.ExternalID))
		if err == nil {
			out = got
			return nil
		}
		if err != sql.ErrNoRows {
			return fmt.Errorf("store: ensure account: %w", err)
		}
		if err := s.insertAccount(ctx, tx, a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

const accountColumns = `user_id, id, connection_id, external_id, name, type, mask, currency, balance, status, status_reason, last_synced_at, created_at, hidden`

func scanAccount(row interface{ Scan(...any) error }) (*tally.Account, error) {
	var a tally.Account
	var synced sql.NullTime
	if err := row.Scan(&a.UserID, &a.ID, &a.ConnectionID, &a.ExternalID, &a.Name, &a.Type, &a.Mask, &a.Currency, &a.Balance, &a.Status, &a.StatusReason, &synced, &a.CreatedAt, &a.Hidden); err != nil {
		return nil, err
	}
	a.LastSyncedAt = nullTime(synced)
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

func (s *Store) queryAccounts(ctx context.Context, query string, args ...any) ([]*tally.Account, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	defer rows.Close()
	var out []*tally.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("store: accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	return out, nil
}

// Accounts lists the user's accounts (capped at 1,000).
func (s *Store) Accounts(ctx context.Context, userID string) ([]*tally.Account, error) {
	return s.queryAccounts(ctx, `SELECT `+accountColumns+` FROM accounts WHERE user_id = ? ORDER BY connection_id, id LIMIT 1000`, userID)
}

// ConnectionAccounts lists the accounts of one of the user's connections.
func (s *Store) ConnectionAccounts(ctx context.Context, userID, connectionID string) ([]*tally.Account, error) {
	return s.queryAccounts(ctx, `SELECT `+accountColumns+` FROM accounts WHERE user_id = ? AND connection_id = ? ORDER BY id LIMIT 1000`, userID, connectionID)
}

// Account returns one of the user's accounts.
func (s *Store) Account(ctx context.Context, userID, id string) (*tally.Account, error) {
	a, err := scanAccount(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+accountColumns+` FROM accounts WHERE user_id = ? AND id = ?`), userID, id))
	if err != nil {
		return nil, notFound(err, "account")
	}
	return a, nil
}

// SetAccountBalance records the balance the institution reported; one
// beyond ±tally.MaxAmount is refused, so net worth sums stay in range.
func (s *Store) SetAccountBalance(ctx context.Context, userID, id string, balance int64) error {
	if err := tally.CheckAmount("balance", balance, ""); err != nil {
		return fmt.Errorf("store: account %s: %w", id, err)
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE accounts SET balance = ? WHERE user_id = ? AND id = ?`), balance, userID, id)
	if err != nil {
		return fmt.Errorf("store: set balance: %w", err)
	}
	s.changed(ctx, userID)
	return nil
}

// UpdateAccount renames one of the user's accounts or hides it (from net
// worth and budgets); a nil field is left as it is.
func (s *Store) UpdateAccount(ctx context.Context, userID, id string, name *string, hidden *bool) (*tally.Account, error) {
	var out *tally.Account
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		a, err := scanAccount(tx.QueryRowContext(ctx, s.q(`SELECT `+accountColumns+` FROM accounts WHERE user_id = ? AND id = ?`+s.forUpdate()), userID, id))
		if err != nil {
			return notFound(err, "account")
		}
		if name != nil {
			a.Name = *name
		}
		changed := hidden != nil && *hidden != a.Hidden
		if hidden != nil {
			a.Hidden = *hidden
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET name = ?, hidden = ? WHERE user_id = ? AND id = ?`), a.Name, a.Hidden, userID, id); err != nil {
			return fmt.Errorf("store: update account: %w", err)
		}
		out = a
		if changed {
			// Budgets leave hidden accounts out: this month is checked again.
			return s.enqueueBudgetChecks(ctx, tx, userID, []string{s.now().Format(tally.MonthLayout)})
		}
		return nil
	})
	return out, err
}

// DeleteFileAccount removes one of the user's accounts made by statement
// file imports, with its transactions and the records of the files
// uploaded into it, taking their amounts out of the monthly totals in the
// same transaction. An account of a linked institution is removed with its
// connection instead (a conflict here). It returns the object-store keys
// that no remaining row names: delete those objects once it has returned.
func (s *Store) DeleteFileAccount(ctx context.Context, userID, id string) ([]string, error) {
	var orphans []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		orphans = nil
		var kind string
		err := tx.QueryRowContext(ctx, s.q(`SELECT c.kind FROM accounts a JOIN connections c ON c.user_id = a.user_id AND c.id = a.connection_id
			WHERE a.user_id = ? AND a.id = ?`+s.forUpdate()), userID, id).Scan(&kind)
		if err != nil {
			return notFound(err, "account")
		}
		if kind != tally.ConnectionFile {
			return tally.Errorf(tally.ECONFLICT, "account %s belongs to a linked institution; remove its connection instead", id)
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+s.monthOf("posted_on")+`, category, currency, SUM(amount), COUNT(*)
			FROM transactions WHERE user_id = ? AND account_id = ? GROUP BY 1, 2, 3`), userID, id)
		if err != nil {
			return fmt.Errorf("store: delete account: %w", err)
		}
		ds, err := scanTotals(rows)
		if err != nil {
			return fmt.Errorf("store: delete account: %w", err)
		}
		for i := range ds {
			ds[i].Amount, ds[i].Count = -ds[i].Amount, -ds[i].Count
		}
		if err := s.addTotals(ctx, tx, userID, ds); err != nil {
			return err
		}
		if err := s.needFullInsight(ctx, tx, userID); err != nil {
			return err
		}
		keys, err := s.documentKeys(ctx, tx, userID, "", id)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM transactions WHERE user_id = ? AND account_id = ?`,
			`DELETE FROM transaction_matches WHERE user_id = ? AND account_id = ?`,
			`DELETE FROM imports WHERE user_id = ? AND account_id = ?`,
			`DELETE FROM accounts WHERE user_id = ? AND id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), userID, id); err != nil {
				return fmt.Errorf("store: delete account: %w", err)
			}
		}
		if orphans, err = s.unreferenced(ctx, tx, userID, keys); err != nil {
			return err
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds))
	})
	if err != nil {
		return nil, err
	}
	return orphans, nil
}

// HiddenTotals returns what the user's hidden accounts add to the monthly
// totals from month from to month to (inclusive), per month, category and
// currency: budgets leave them out. It reads the hidden accounts' rows
// through the (user, account, date) index; with no hidden account it reads
// only the user's accounts.
func (s *Store) HiddenTotals(ctx context.Context, userID, from, to string) ([]tally.MonthlyTotal, error) {
	start, err := time.Parse(tally.MonthLayout, from)
	if err != nil {
		return nil, tally.Errorf(tally.EINVALID, "month %q: want YYYY-MM", from)
	}
	end, err := time.Parse(tally.MonthLayout, to)
	if err != nil {
		return nil, tally.Errorf(tally.EINVALID, "month %q: want YYYY-MM", to)
	}
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT `+s.monthOf("posted_on")+`, category, currency, SUM(amount), COUNT(*)
		FROM transactions
		WHERE user_id = ? AND account_id IN (SELECT id FROM accounts WHERE user_id = ? AND hidden = ?) AND posted_on >= ? AND posted_on < ?
		GROUP BY 1, 2, 3`), userID, userID, true, start.Format(tally.DateLayout), end.AddDate(0, 1, 0).Format(tally.DateLayout))
	if err != nil {
		return nil, fmt.Errorf("store: hidden totals: %w", err)
	}
	out, err := scanTotals(rows)
	if err != nil {
		return nil, fmt.Errorf("store: hidden totals: %w", err)
	}
	return out, nil
}
