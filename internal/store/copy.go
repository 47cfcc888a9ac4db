package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tallyhq/tally"
)

// insertTransactionsCopy is InsertTransactions on PostgreSQL: the chunk is
// streamed with COPY into a session-local temporary table, then moved into
// transactions with one INSERT ... SELECT that skips duplicates and returns
// what it inserted, all in one database transaction with the monthly totals.
// COPY carries rows several times faster than multi-row INSERTs.
func (s *Store) insertTransactionsCopy(ctx context.Context, userID string, txns []*tally.Transaction) (int, error) {
	now := s.now()
	for _, t := range txns {
		if t.ID == "" {
			t.ID = tally.NewID()
		}
		t.UserID = userID
		t.CreatedAt = now
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: insert transactions: %w", err)
	}
	defer conn.Close()
	inserted := 0
	// The transaction is database/sql's, so jobs can be enqueued in it; the
	// COPY, the insert and the totals run on the same connection, inside it,
	// through pgx, which reads the RETURNING rows faster.
	err = func() error {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := s.lockAccounts(ctx, tx, userID, txns); err != nil {
			return err
		}
		var ds []tally.MonthlyTotal
		changes := changeSet{}
		err = conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("driver connection is %T, not pgx", dc)
			}
			pc := sc.Conn()
			if _, err := pc.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS transactions_import
				(LIKE transactions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`); err != nil {
				return err
			}
			cols := []string{"user_id", "id", "account_id", "external_id", "posted_on", "amount", "currency", "description",
				"merchant", "merchant_key", "category", "category_source", "pending", "created_at"}
			_, err := pc.CopyFrom(ctx, pgx.Identifier{"transactions_import"}, cols, pgx.CopyFromSlice(len(txns), func(i int) ([]any, error) {
				t := txns[i]
				posted := time.Date(t.PostedOn.Year(), t.PostedOn.Month(), t.PostedOn.Day(), 0, 0, 0, 0, time.UTC)
				return []any{userID, t.ID, t.AccountID, t.ExternalID, posted, t.Amount, t.Currency, t.Description,
					t.Merchant, t.MerchantKey, t.Category, t.CategorySource, t.Pending, now}, nil
			}))
			if err != nil {
				return err
			}
			rows, err := pc.Query(ctx, `INSERT INTO transactions `+insertTxnColumns+` SELECT `+txnColumns+` FROM transactions_import
				ON CONFLICT (user_id, account_id, external_id) DO NOTHING RETURNING posted_on, category, currency, amount, account_id, merchant`)
			if err != nil {
				return err
			}
			d := deltas{}
			for rows.Next() {
				var posted time.Time
				var category, currency, account, merchant string
				var amount int64
				if err := rows.Scan(&posted, &category, &currency, &amount, &account, &merchant); err != nil {
					rows.Close()
					return err
				}
				d.add(posted.Format(tally.MonthLayout), category, currency, amount, 1)
				changes.add(account, merchant, posted)
				inserted++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			ds = d.list()
			for _, st := range s.totalsStatements(userID, ds) {
				if _, err := pc.Exec(ctx, st.query, st.args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := s.countSyncInserted(ctx, tx, userID, txns[0].AccountID, inserted); err != nil {
			return err
		}
		if err := s.markInsightChanges(ctx, tx, userID, changes); err != nil {
			return err
		}
		if err := s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds)); err != nil {
			return err
		}
		if err := s.enqueueRecurringDetect(ctx, tx, userID, len(ds) > 0); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("store: insert transactions: %w", err)
	}
	s.changed(ctx, userID)
	return inserted, nil
}
