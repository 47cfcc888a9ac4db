package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// copyColumns are the columns a chunk is copied with, in insertRowColumns'
// order.
var copyColumns = []string{"user_num", "posted_on", "id", "account_num", "external_id", "amount", "currency", "description",
	"merchant_id", "category", "category_source", "pending"}

// insertTransactionsCopy is InsertTransactions on PostgreSQL, in one
// database transaction with the monthly totals. A row can only duplicate a
// stored one of its account and posting day, so the chunk first asks which
// of its (account, day) pairs hold rows already (one range read of the
// primary key). Rows on the other days, each taken once, are copied
// straight into transaction_rows: the plain COPY path, with no conflict
// check and nothing to read back. Rows on days that hold rows (a
// statement overlapping the last one, or the same file again) go through a
// session-local temporary table and one INSERT ... SELECT that skips
// duplicates and returns what it inserted.
//
// A row written meanwhile by another import of the same account makes the
// direct COPY fail on the unique key; the chunk's transaction then rolls
// back whole and the chunk runs again with every row checked.
func (s *Store) insertTransactionsCopy(ctx context.Context, userID string, txns []*tally.Transaction, k *rowKeys) (int, error) {
	n, err := s.copyChunk(ctx, userID, txns, k, true)
	if sqldb.IsUniqueViolation(err) {
		n, err = s.copyChunk(ctx, userID, txns, k, false)
	}
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("store: insert transactions: %w", err)
	}
	s.changed(ctx, userID)
	return n, nil
}

// dayKey is an account's posting day, as the unique key names it.
type dayKey struct {
	account int64
	day     time.Time
}

// rowKey is a row's unique key within its user.
type rowKey struct {
	dayKey
	externalID string
}

// utcDay is t's date at midnight UTC, as PostgreSQL returns a DATE.
func utcDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// copyChunk writes txns in one transaction; direct allows the plain COPY
// of rows on days without stored rows.
func (s *Store) copyChunk(ctx context.Context, userID string, txns []*tally.Transaction, k *rowKeys, direct bool) (int, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	inserted := 0
	// The transaction is database/sql's, so jobs can be enqueued in it; the
	// COPY, the insert and the totals run on the same connection, inside it,
	// through pgx, which reads the RETURNING rows faster.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if err := s.lockAccounts(ctx, tx, userID, txns); err != nil {
		return 0, err
	}
	keep, err := s.keepNotResent(ctx, tx, userID, txns, k)
	if err != nil {
		return 0, err
	}
	var ds []tally.MonthlyTotal
	changes := changeSet{}
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection is %T, not pgx", dc)
		}
		pc := sc.Conn()
		d := deltas{}
		checked := keep // the rows the conflict-checking insert writes, as indexes of txns
		if direct && len(keep) > 0 {
			var fresh []int
			var err error
			fresh, checked, err = s.splitFresh(ctx, pc, txns, keep, k)
			if err != nil {
				return err
			}
			if len(fresh) > 0 {
				if err := copyRows(ctx, pc, "transaction_rows", txns, k, fresh); err != nil {
					return err
				}
				for _, i := range fresh {
					addInserted(d, changes, txns[i])
				}
				inserted += len(fresh)
			}
		}
		if len(checked) > 0 {
			n, err := s.insertChecked(ctx, pc, txns, k, checked, d, changes)
			if err != nil {
				return err
			}
			inserted += n
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
		return 0, err
	}
	if err := s.countSyncInserted(ctx, tx, userID, txns[0].AccountID, inserted); err != nil {
		return 0, err
	}
	if err := s.markInsightChanges(ctx, tx, userID, changes); err != nil {
		return 0, err
	}
	if err := s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds)); err != nil {
		return 0, err
	}
	if err := s.enqueueRecurringDetect(ctx, tx, userID, len(ds) > 0); err != nil {
		return 0, err
	}
	return inserted, tx.Commit()
}

// splitFresh sorts the chunk's rows idx (indexes of txns) into those that cannot duplicate a
// stored row, as indexes of txns, each key once (a later line with the key
// of an earlier one is dropped, as the conflict check would), and those
// that must be checked: the rows of (account, day) pairs that hold stored
// rows.
func (s *Store) splitFresh(ctx context.Context, pc *pgx.Conn, txns []*tally.Transaction, idx []int, k *rowKeys) (fresh, checked []int, err error) {
	first, last := utcDay(txns[idx[0]].PostedOn), utcDay(txns[idx[0]].PostedOn)
	accounts := make([]int64, 0, len(k.accounts))
	for _, n := range k.accounts {
		accounts = append(accounts, n)
	}
	for _, i := range idx[1:] {
		day := utcDay(txns[i].PostedOn)
		if day.Before(first) {
			first = day
		}
		if day.After(last) {
			last = day
		}
	}
	rows, err := pc.Query(ctx, `SELECT DISTINCT account_num, posted_on FROM transaction_rows
		WHERE user_num = $1 AND posted_on BETWEEN $2 AND $3 AND account_num = ANY($4)`, int32(k.user), first, last, accounts)
	if err != nil {
		return nil, nil, err
	}
	stored := map[dayKey]bool{}
	for rows.Next() {
		var acct int16
		var day time.Time
		if err := rows.Scan(&acct, &day); err != nil {
			rows.Close()
			return nil, nil, err
		}
		stored[dayKey{int64(acct), utcDay(day)}] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	fresh = make([]int, 0, len(idx))
	seen := make(map[rowKey]bool, len(idx))
	for _, i := range idx {
		t := txns[i]
		dk := dayKey{k.accounts[t.AccountID], utcDay(t.PostedOn)}
		if stored[dk] {
			checked = append(checked, i)
			continue
		}
		rk := rowKey{dk, t.ExternalID}
		if seen[rk] {
			continue
		}
		seen[rk] = true
		fresh = append(fresh, i)
	}
	return fresh, checked, nil
}

// copyRows copies the rows of txns at idx into table.
func copyRows(ctx context.Context, pc *pgx.Conn, table string, txns []*tally.Transaction, k *rowKeys, idx []int) error {
	row := make([]any, len(copyColumns))
	_, err := pc.CopyFrom(ctx, pgx.Identifier{table}, copyColumns, pgx.CopyFromSlice(len(idx), func(j int) ([]any, error) {
		i := idx[j]
		t := txns[i]
		row[0], row[1], row[2], row[3], row[4], row[5] = int32(k.user), utcDay(t.PostedOn), k.ids[i], int16(k.accounts[t.AccountID]), t.ExternalID, t.Amount
		row[6], row[7], row[8], row[9], row[10], row[11] = t.Currency, t.Description, int32(k.merchants[merchantRef{t.Merchant, t.MerchantKey}]),
			int16(k.category[i]), int16(k.source[i]), t.Pending
		return row, nil
	}))
	return err
}

// insertChecked writes the rows of txns at idx through the temporary
// table, skipping those already stored, and adds the inserted ones to d and
// changes.
func (s *Store) insertChecked(ctx context.Context, pc *pgx.Conn, txns []*tally.Transaction, k *rowKeys, idx []int, d deltas, changes changeSet) (int, error) {
	if _, err := pc.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS transaction_rows_import
		(LIKE transaction_rows) ON COMMIT DELETE ROWS`); err != nil {
		return 0, err
	}
	if err := copyRows(ctx, pc, "transaction_rows_import", txns, k, idx); err != nil {
		return 0, err
	}
	res, err := pc.Query(ctx, `INSERT INTO transaction_rows `+insertRowColumns+` SELECT `+strings.Trim(insertRowColumns, "()")+` FROM transaction_rows_import
		ON CONFLICT (user_num, account_num, external_id, posted_on) DO NOTHING
		RETURNING posted_on, category, currency, amount, account_num, merchant_id`)
	if err != nil {
		return 0, err
	}
	defer res.Close()
	inserted := 0
	for res.Next() {
		var posted time.Time
		var currency string
		var code, acctNum int16
		var merchantID int32
		var amount int64
		if err := res.Scan(&posted, &code, &currency, &amount, &acctNum, &merchantID); err != nil {
			return 0, err
		}
		category, err := s.categoryName(ctx, int(code))
		if err != nil {
			return 0, err
		}
		d.add(posted.Format(tally.MonthLayout), category, currency, amount, 1)
		changes.add(k.accountID(int64(acctNum)), k.merchantName(int64(merchantID)), posted)
		inserted++
	}
	res.Close()
	return inserted, res.Err()
}
