package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// rowsPerInsert is how many transactions one INSERT statement carries: big
// enough to amortize the round trip, small enough for SQLite's parameter
// limit (14 columns x 1,000 rows).
const rowsPerInsert = 1000

const insertTxnColumns = `(user_id, id, account_id, external_id, posted_on, amount, currency, description, merchant, merchant_key, category, category_source, pending, created_at)`

func insertTxnSQL(n int) string {
	var b strings.Builder
	b.Grow(64 + n*44)
	b.WriteString(`INSERT INTO transactions ` + insertTxnColumns + ` VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
	}
	b.WriteString(` ON CONFLICT (user_id, account_id, external_id) DO NOTHING RETURNING posted_on, category, currency, amount, account_id, merchant`)
	return b.String()
}

// InsertTransactions stores the user's transactions in one database
// transaction, skipping any whose (account, external id) is already stored,
// and adds the inserted ones to the monthly totals in the same transaction.
// It returns how many were new. Callers pass chunks of about 10,000 so one
// write never holds the database for long. Every account of the chunk must
// still exist when the chunk is written (it is locked for the transaction):
// a chunk for an account deleted meanwhile (its connection removed while a
// sync ran) stores nothing and is ENOTFOUND.
func (s *Store) InsertTransactions(ctx context.Context, userID string, txns []*tally.Transaction) (int, error) {
	if len(txns) == 0 {
		return 0, nil
	}
	// Every source checks amounts first; this is the last line, so that no
	// path can store an amount that could carry a monthly total past int64.
	for _, t := range txns {
		if err := tally.CheckAmount("amount", t.Amount, t.Currency); err != nil {
			return 0, fmt.Errorf("store: transaction %s: %w", t.ExternalID, err)
		}
	}
	if s.db.Dialect == sqldb.Postgres {
		return s.insertTransactionsCopy(ctx, userID, txns)
	}
	now := s.now()
	inserted := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		inserted = 0
		if err := s.lockAccounts(ctx, tx, userID, txns); err != nil {
			return err
		}
		d := deltas{}
		changes := changeSet{}
		var full *sql.Stmt
		defer func() {
			if full != nil {
				full.Close()
			}
		}()
		args := make([]any, 0, rowsPerInsert*14)
		for rest := txns; len(rest) > 0; {
			n := min(len(rest), rowsPerInsert)
			args = args[:0]
			for _, t := range rest[:n] {
				if t.ID == "" {
					t.ID = tally.NewID()
				}
				t.UserID = userID
				t.CreatedAt = now
				args = append(args, userID, t.ID, t.AccountID, t.ExternalID, t.PostedOn.Format(tally.DateLayout), t.Amount, t.Currency,
					t.Description, t.Merchant, t.MerchantKey, t.Category, t.CategorySource, t.Pending, now)
			}
			var rows *sql.Rows
			var err error
			if n == rowsPerInsert {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, s.q(insertTxnSQL(n))); err != nil {
						return fmt.Errorf("store: insert transactions: %w", err)
					}
				}
				rows, err = full.QueryContext(ctx, args...)
			} else {
				rows, err = tx.QueryContext(ctx, s.q(insertTxnSQL(n)), args...)
			}
			if err != nil {
				return fmt.Errorf("store: insert transactions: %w", err)
			}
			for rows.Next() {
				var posted sqldb.Date
				var category, currency, account, merchant string
				var amount int64
				if err := rows.Scan(&posted, &category, &currency, &amount, &account, &merchant); err != nil {
					rows.Close()
					return fmt.Errorf("store: insert transactions: %w", err)
				}
				d.add(posted.Format(tally.MonthLayout), category, currency, amount, 1)
				changes.add(account, merchant, posted.Time)
				inserted++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: insert transactions: %w", err)
			}
			rest = rest[n:]
		}
		ds := d.list()
		if err := s.addTotals(ctx, tx, userID, ds); err != nil {
			return err
		}
		if err := s.countSyncInserted(ctx, tx, userID, txns[0].AccountID, inserted); err != nil {
			return err
		}
		if err := s.markInsightChanges(ctx, tx, userID, changes); err != nil {
			return err
		}
		if err := s.enqueueRecurringDetect(ctx, tx, userID, len(ds) > 0); err != nil {
			return err
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds))
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

// countSyncInserted adds n to what the running sync of the account's
// connection inserted, in the chunk's own transaction, so the count
// survives a crash and a retried sync goes on from it. A chunk carries the
// accounts of one connection.
func (s *Store) countSyncInserted(ctx context.Context, tx *sql.Tx, userID, accountID string, n int) error {
	if n == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.q(`UPDATE connections SET sync_inserted = sync_inserted + ?
		WHERE user_id = ? AND status = ? AND id = (SELECT connection_id FROM accounts WHERE user_id = ? AND id = ?)`),
		n, userID, tally.StatusSyncing, userID, accountID)
	if err != nil {
		return fmt.Errorf("store: count sync rows: %w", err)
	}
	return nil
}

// SyncInserted returns how many transactions the connection's current (or
// last) sync inserted, across every attempt of it.
func (s *Store) SyncInserted(ctx context.Context, userID, connectionID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT sync_inserted FROM connections WHERE user_id = ? AND id = ?`), userID, connectionID).Scan(&n)
	if err != nil {
		return 0, notFound(err, "connection")
	}
	return n, nil
}

const txnColumns = `user_id, id, account_id, external_id, posted_on, amount, currency, description, merchant, merchant_key, category, category_source, pending, created_at`

// lockAccounts checks, inside tx, that every account txns go into still
// exists, and holds it until tx ends, so an account (or its connection)
// deleted concurrently is deleted either wholly before the chunk, which
// then fails, or after it, with the chunk's rows and totals.
func (s *Store) lockAccounts(ctx context.Context, tx *sql.Tx, userID string, txns []*tally.Transaction) error {
	seen := ""
	for _, t := range txns {
		if t.AccountID == seen {
			continue
		}
		seen = t.AccountID
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM accounts WHERE user_id = ? AND id = ?`+s.forShare()), userID, t.AccountID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return tally.Errorf(tally.ENOTFOUND, "account %s was deleted", t.AccountID)
		}
		if err != nil {
			return fmt.Errorf("store: insert transactions: %w", err)
		}
	}
	return nil
}

func scanTxn(row interface{ Scan(...any) error }) (*tally.Transaction, error) {
	var t tally.Transaction
	var posted sqldb.Date
	if err := row.Scan(&t.UserID, &t.ID, &t.AccountID, &t.ExternalID, &posted, &t.Amount, &t.Currency, &t.Description, &t.Merchant, &t.MerchantKey,
		&t.Category, &t.CategorySource, &t.Pending, &t.CreatedAt); err != nil {
		return nil, err
	}
	t.PostedOn = posted.Time
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// Transaction returns one of the user's transactions.
func (s *Store) Transaction(ctx context.Context, userID, id string) (*tally.Transaction, error) {
	t, err := scanTxn(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+txnColumns+` FROM transactions WHERE user_id = ? AND id = ?`), userID, id))
	if err != nil {
		return nil, notFound(err, "transaction")
	}
	return t, nil
}

// MaxPageSize caps a page of transactions.
const MaxPageSize = 500

// DefaultPageSize is a page's size when the caller names none.
const DefaultPageSize = 50

func encodeCursor(t *tally.Transaction) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.PostedOn.Format(tally.DateLayout) + "|" + t.ID))
}

func decodeCursor(c string) (posted, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", tally.Errorf(tally.EINVALID, "cursor %q is not valid", c)
	}
	posted, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return "", "", tally.Errorf(tally.EINVALID, "cursor %q is not valid", c)
	}
	if _, err := time.Parse(tally.DateLayout, posted); err != nil {
		return "", "", tally.Errorf(tally.EINVALID, "cursor %q is not valid", c)
	}
	return posted, id, nil
}

// Transactions returns a page of the user's transactions, newest first, and
// the cursor of the next page ("" at the end).
func (s *Store) Transactions(ctx context.Context, userID string, f tally.TransactionFilter) ([]*tally.Transaction, string, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	var where strings.Builder
	args := []any{userID}
	where.WriteString(`user_id = ?`)
	if f.AccountID != "" {
		where.WriteString(` AND account_id = ?`)
		args = append(args, f.AccountID)
	}
	if f.Month != "" {
		start, err := time.Parse(tally.MonthLayout, f.Month)
		if err != nil {
			return nil, "", tally.Errorf(tally.EINVALID, "month %q: want YYYY-MM", f.Month)
		}
		where.WriteString(` AND posted_on >= ? AND posted_on < ?`)
		args = append(args, start.Format(tally.DateLayout), start.AddDate(0, 1, 0).Format(tally.DateLayout))
	}
	if len(f.Categories) > 0 {
		where.WriteString(` AND category IN (?` + strings.Repeat(`, ?`, len(f.Categories)-1) + `)`)
		for _, c := range f.Categories {
			args = append(args, c)
		}
	}
	if f.Cursor != "" {
		posted, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where.WriteString(` AND (posted_on < ? OR (posted_on = ? AND id < ?))`)
		args = append(args, posted, posted, id)
	}
	query := `SELECT ` + txnColumns + ` FROM transactions WHERE ` + where.String()
	windowed := false
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + escapeLike(strings.ToLower(q)) + "%"
		match := ` (LOWER(description) LIKE ? ESCAPE '\' OR LOWER(merchant) LIKE ? ESCAPE '\')`
		if f.SearchWindow > 0 {
			// Read at most SearchWindow rows in index order and match
			// within them, so a rare term costs one bounded scan a page.
			windowed = true
			query = `SELECT ` + txnColumns + ` FROM (` + query + ` ORDER BY posted_on DESC, id DESC LIMIT ?) w WHERE` + match
			args = append(args, f.SearchWindow, pattern, pattern)
		} else {
			query += ` AND` + match
			args = append(args, pattern, pattern)
		}
	}
	args = append(args, limit+1)
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(query+` ORDER BY posted_on DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: transactions: %w", err)
	}
	defer rows.Close()
	out := make([]*tally.Transaction, 0, limit+1)
	for rows.Next() {
		t, err := scanTxn(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: transactions: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: transactions: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1])
	} else if windowed {
		// Fewer matches than a page: the next page starts after the last
		// row the window read, when there are older rows.
		next, err = s.windowEnd(ctx, where.String(), args[:len(args)-4], f.SearchWindow)
		if err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// windowEnd returns the cursor after the window-th row matching where
// (ordered newest first), "" when there are no more rows.
func (s *Store) windowEnd(ctx context.Context, where string, args []any, window int) (string, error) {
	var t tally.Transaction
	var posted sqldb.Date
	err := s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT posted_on, id FROM transactions WHERE `+where+` ORDER BY posted_on DESC, id DESC LIMIT 1 OFFSET ?`),
		append(args[:len(args):len(args)], window)...).Scan(&posted, &t.ID)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: transactions: %w", err)
	}
	t.PostedOn = posted.Time
	return encodeCursor(&t), nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// SetCategory files one of the user's transactions under category by hand:
// its source becomes manual, final for automation, and its amount moves
// between the two categories' monthly totals in the same transaction, with a
// budget check of its month enqueued there too. Recategorize does the same
// and can also record a crowd vote or make a rule.
func (s *Store) SetCategory(ctx context.Context, userID, id, category string) (*tally.Transaction, error) {
	t, _, err := s.Recategorize(ctx, userID, id, category, CategoryChange{})
	return t, err
}
