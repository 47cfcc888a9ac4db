package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tallyhq/tally"
)

// insertTransactionsCopy is InsertTransactions on PostgreSQL: the chunk is
// streamed with COPY into a session-local temporary table, then moved into
// transaction_rows with one INSERT ... SELECT that skips duplicates and
// returns what it inserted, all in one database transaction with the
// monthly totals. COPY carries rows several times faster than multi-row
// INSERTs.
func (s *Store) insertTransactionsCopy(ctx context.Context, userID string, txns []*tally.Transaction, k *rowKeys) (int, error) {
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
		keep, err := s.keepNotResent(ctx, tx, userID, txns, k)
		if err != nil {
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
			if _, err := pc.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS transaction_rows_import
				(LIKE transaction_rows) ON COMMIT DELETE ROWS`); err != nil {
				return err
			}
			cols := []string{"user_num", "posted_on", "id", "account_num", "external_id", "amount", "currency", "description",
				"merchant_id", "category", "category_source", "pending"}
			row := make([]any, len(cols))
			_, err := pc.CopyFrom(ctx, pgx.Identifier{"transaction_rows_import"}, cols, pgx.CopyFromSlice(len(keep), func(j int) ([]any, error) {
				i := keep[j]
				t := txns[i]
				posted := time.Date(t.PostedOn.Year(), t.PostedOn.Month(), t.PostedOn.Day(), 0, 0, 0, 0, time.UTC)
				row[0], row[1], row[2], row[3], row[4], row[5] = int32(k.user), posted, k.ids[i], int16(k.accounts[t.AccountID]), t.ExternalID, t.Amount
				row[6], row[7], row[8], row[9], row[10], row[11] = t.Currency, t.Description, int32(k.merchants[merchantRef{t.Merchant, t.MerchantKey}]),
					int16(k.category[i]), int16(k.source[i]), t.Pending
				return row, nil
			}))
			if err != nil {
				return err
			}
			rows, err := pc.Query(ctx, `INSERT INTO transaction_rows `+insertRowColumns+` SELECT `+strings.Trim(insertRowColumns, "()")+` FROM transaction_rows_import
				ON CONFLICT (user_num, account_num, external_id, posted_on) DO NOTHING
				RETURNING posted_on, category, currency, amount, account_num, merchant_id`)
			if err != nil {
				return err
			}
			d := deltas{}
			for rows.Next() {
				var posted time.Time
				var currency string
				var code, acctNum int16
				var merchantID int32
				var amount int64
				if err := rows.Scan(&posted, &code, &currency, &amount, &acctNum, &merchantID); err != nil {
					rows.Close()
					return err
				}
				category, err := s.categoryName(ctx, int(code))
				if err != nil {
					rows.Close()
					return err
				}
				d.add(posted.Format(tally.MonthLayout), category, currency, amount, 1)
				changes.add(k.accountID(int64(acctNum)), k.merchantName(int64(merchantID)), posted)
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
