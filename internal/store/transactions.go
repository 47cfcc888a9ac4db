package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// rowsPerInsert is how many transactions one INSERT statement carries on
// SQLite: big enough to amortize the statement (1 + 11 parameters x 1,000
// rows), small enough that the statement compiled for it, held by the
// Store, costs about 5 MiB less of an import's memory than one of 2,500
// rows did, in the same time.
const rowsPerInsert = 1000

const insertRowColumns = `(user_num, posted_on, id, account_num, external_id, amount, currency, description, merchant_id, category, category_source, pending)`

// insertRowsSQL is SQLite's statement that inserts n rows, skipping those
// already stored; with returning it reads back what it inserted. The
// user's number is parameter ?1, bound once for every row; each row binds
// its other 11 values.
func insertRowsSQL(n int, returning bool) string {
	var b strings.Builder
	b.Grow(200 + n*26)
	b.WriteString(`INSERT INTO transaction_rows ` + insertRowColumns + ` VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?1,?,?,?,?,?,?,?,?,?,?,?)")
	}
	b.WriteString(` ON CONFLICT (user_num, account_num, external_id, posted_on) DO NOTHING`)
	if returning {
		b.WriteString(` RETURNING posted_on, category, currency, amount, account_num, merchant_id`)
	}
	return b.String()
}

// fullInsert returns SQLite's statement for a full batch of rowsPerInsert
// rows, prepared once for the Store: compiling a statement of 2,500 rows for
// every chunk cost about 4% of an import's CPU. A transaction
// takes its own copy with tx.StmtContext, which re-uses what its
// connection prepared before. It is prepared outside any transaction, so
// it never waits for a pool connection while holding the write lock.
func (s *Store) fullInsert(ctx context.Context) (*sql.Stmt, error) {
	s.insertMu.Lock()
	defer s.insertMu.Unlock()
	if s.insertStmt == nil {
		st, err := s.db.PrepareContext(ctx, s.q(insertRowsSQL(rowsPerInsert, false)))
		if err != nil {
			return nil, fmt.Errorf("store: insert transactions: %w", err)
		}
		s.insertStmt = st
	}
	return s.insertStmt, nil
}

// dateText is t's date as tally.DateLayout writes it (YYYY-MM-DD), without
// the layout's interpretation: the insert formats one a row.
func dateText(t time.Time) string {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(tally.DateLayout)
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:])
}

// addInserted adds a row just inserted to the chunk's totals and insight
// changes, from the row as given.
func addInserted(d deltas, changes changeSet, t *tally.Transaction) {
	posted := utcDay(t.PostedOn)
	day := dateText(posted)
	d.add(day[:len(day)-len("-02")], t.Category, t.Currency, t.Amount, 1)
	changes.add(t.AccountID, t.Merchant, posted)
}

// InsertTransactions stores the user's transactions in one database
// transaction, skipping any whose (account, external id, posting date) is
// already stored, and adds the inserted ones to the monthly totals in the
// same transaction. It returns how many were new and sets each
// transaction's ID (also of those skipped, whose IDs are then unused).
// Callers pass chunks of about 10,000 so one write never holds the database
// for long. Every account of the chunk must still exist when the chunk is
// written (it is locked for the transaction): a chunk for an account
// deleted meanwhile (its connection removed while a sync ran) stores
// nothing and is ENOTFOUND.
func (s *Store) InsertTransactions(ctx context.Context, userID string, txns []*tally.Transaction) (int, error) {
	if len(txns) == 0 {
		return 0, nil
	}
	p, err := s.PrepareTransactions(ctx, userID, txns)
	if err != nil {
		return 0, err
	}
	return s.InsertPrepared(ctx, p)
}

// Prepared is a chunk of one user's transactions with their numbers
// taken, ready for InsertPrepared.
type Prepared struct {
	userID string
	txns   []*tally.Transaction
	keys   *rowKeys
}

// PreparesAhead reports whether a caller writing chunks one after another
// gains by preparing the next chunk while the last one is written: on
// PostgreSQL the two run on two connections at once. SQLite has one
// writer, which the preparation would queue behind.
func (s *Store) PreparesAhead() bool { return s.db.Dialect == sqldb.Postgres }

// PrepareTransactions is the first half of InsertTransactions: it checks
// the chunk's amounts and gives its transactions their ids and the numbers
// of their user, accounts and sellers (new sellers are stored), in a
// database transaction of its own. Numbers taken for a chunk that is never
// inserted are skipped, never reused.
func (s *Store) PrepareTransactions(ctx context.Context, userID string, txns []*tally.Transaction) (*Prepared, error) {
	// Every source checks amounts first; this is the last line, so that no
	// path can store an amount that could carry a monthly total past int64.
	for _, t := range txns {
		if err := tally.CheckAmount("amount", t.Amount, t.Currency); err != nil {
			return nil, fmt.Errorf("store: transaction %s: %w", t.ExternalID, err)
		}
	}
	k, err := s.prepareRows(ctx, userID, txns)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i, t := range txns {
		t.ID = strconv.FormatInt(k.ids[i], 10)
		t.UserID = userID
		t.CreatedAt = now
	}
	return &Prepared{userID: userID, txns: txns, keys: k}, nil
}

// InsertPrepared is the second half of InsertTransactions, for a chunk
// PrepareTransactions prepared.
func (s *Store) InsertPrepared(ctx context.Context, p *Prepared) (int, error) {
	userID, txns, k := p.userID, p.txns, p.keys
	if len(txns) == 0 {
		return 0, nil
	}
	if s.db.Dialect == sqldb.Postgres {
		// Creating a partition waits for a lock on the whole table, so it
		// happens here, next to the write, and never while another chunk's
		// write holds the table.
		if err := s.ensurePartitions(ctx, txns); err != nil {
			return 0, err
		}
		return s.insertTransactionsCopy(ctx, userID, txns, k)
	}
	var err error
	var fullStmt *sql.Stmt
	if len(txns) >= rowsPerInsert {
		if fullStmt, err = s.fullInsert(ctx); err != nil {
			return 0, err
		}
	}
	inserted := 0
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		inserted = 0
		if err := s.lockAccounts(ctx, tx, userID, txns); err != nil {
			return err
		}
		keep, err := s.keepNotResent(ctx, tx, userID, txns, k)
		if err != nil {
			return err
		}
		d := deltas{}
		changes := changeSet{}
		// Each statement of rowsPerInsert rows runs without reading anything
		// back, in a savepoint: when it inserted all its rows (a new
		// statement) or none (the same file again), the totals come from the
		// rows as given. Only a statement that inserted some of its rows is
		// rolled back to the savepoint and runs again returning what it
		// inserted.
		var full, fullReturning *sql.Stmt
		defer func() {
			for _, st := range []*sql.Stmt{full, fullReturning} {
				if st != nil {
					st.Close()
				}
			}
		}()
		prepared := func(st **sql.Stmt, n int, returning bool) (*sql.Stmt, error) {
			if n != rowsPerInsert {
				return tx.PrepareContext(ctx, s.q(insertRowsSQL(n, returning)))
			}
			if *st == nil {
				if returning || fullStmt == nil {
					var err error
					if *st, err = tx.PrepareContext(ctx, s.q(insertRowsSQL(n, returning))); err != nil {
						return nil, err
					}
				} else {
					*st = tx.StmtContext(ctx, fullStmt)
				}
			}
			return *st, nil
		}
		args := make([]any, 0, 1+rowsPerInsert*11)
		for off := 0; off < len(keep); {
			n := min(len(keep)-off, rowsPerInsert)
			args = append(args[:0], k.user)
			for _, i := range keep[off : off+n] {
				t := txns[i]
				args = append(args, dateText(t.PostedOn), k.ids[i], k.accounts[t.AccountID], t.ExternalID, t.Amount, t.Currency,
					t.Description, k.merchants[merchantRef{t.Merchant, t.MerchantKey}], k.category[i], k.source[i], t.Pending)
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT insert_rows`); err != nil {
				return fmt.Errorf("store: insert transactions: %w", err)
			}
			st, err := prepared(&full, n, false)
			if err != nil {
				return fmt.Errorf("store: insert transactions: %w", err)
			}
			res, err := st.ExecContext(ctx, args...)
			if n != rowsPerInsert {
				st.Close()
			}
			if err != nil {
				return fmt.Errorf("store: insert transactions: %w", err)
			}
			added, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("store: insert transactions: %w", err)
			}
			if added == int64(n) {
				for _, i := range keep[off : off+n] {
					addInserted(d, changes, txns[i])
				}
				inserted += n
			} else if added > 0 {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO insert_rows`); err != nil {
					return fmt.Errorf("store: insert transactions: %w", err)
				}
				if err := s.insertReturning(ctx, prepared, &fullReturning, n, args, k, d, changes, &inserted); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE insert_rows`); err != nil {
				return fmt.Errorf("store: insert transactions: %w", err)
			}
			off += n
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

// insertReturning runs the insert of n rows that reads back what it
// inserted, and adds those rows to d and changes.
func (s *Store) insertReturning(ctx context.Context, prepared func(**sql.Stmt, int, bool) (*sql.Stmt, error), full **sql.Stmt, n int,
	args []any, k *rowKeys, d deltas, changes changeSet, inserted *int) error {
	st, err := prepared(full, n, true)
	if err != nil {
		return fmt.Errorf("store: insert transactions: %w", err)
	}
	if n != rowsPerInsert {
		defer st.Close()
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("store: insert transactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var posted sqldb.Date
		var code int
		var currency string
		var amount, acctNum, merchantID int64
		if err := rows.Scan(&posted, &code, &currency, &amount, &acctNum, &merchantID); err != nil {
			return fmt.Errorf("store: insert transactions: %w", err)
		}
		category, err := s.categoryName(ctx, code)
		if err != nil {
			return err
		}
		d.add(posted.Format(tally.MonthLayout), category, currency, amount, 1)
		changes.add(k.accountID(acctNum), k.merchantName(merchantID), posted.Time)
		*inserted++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: insert transactions: %w", err)
	}
	return nil
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

// txnColumns are the columns of the view transactions (the pre-00012
// layout), read by scanTxn where no page waits on the query.
const txnColumns = `user_id, id, account_id, external_id, posted_on, amount, currency, description, merchant, merchant_key, category, category_source, pending`

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
		&t.Category, &t.CategorySource, &t.Pending); err != nil {
		return nil, err
	}
	t.PostedOn = posted.Time
	return &t, nil
}

// Transaction returns one of the user's transactions.
func (s *Store) Transaction(ctx context.Context, userID, id string) (*tally.Transaction, error) {
	db := s.reader(ctx)
	num, ok, err := s.lookupUserNum(ctx, db, userID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, tally.Errorf(tally.ENOTFOUND, "transaction not found")
	}
	n, err := s.resolveTxnID(ctx, db, userID, id)
	if err != nil {
		return nil, err
	}
	t, err := s.scanRow(ctx, userID, db.QueryRowContext(ctx, s.q(`SELECT `+rowColumns+rowsFrom+` AND t.posted_on = ? AND t.id = ?`),
		rowArgs(userID, num, dayOfID(n), n)...))
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
	db := s.reader(ctx)
	num, ok, err := s.lookupUserNum(ctx, db, userID)
	if err != nil {
		return nil, "", err
	}
	var where strings.Builder
	var args []any
	if f.AccountID != "" {
		where.WriteString(` AND t.account_num = (SELECT num FROM accounts WHERE user_id = ? AND id = ?)`)
		args = append(args, userID, f.AccountID)
	}
	if f.Month != "" {
		start, err := time.Parse(tally.MonthLayout, f.Month)
		if err != nil {
			return nil, "", tally.Errorf(tally.EINVALID, "month %q: want YYYY-MM", f.Month)
		}
		where.WriteString(` AND t.posted_on >= ? AND t.posted_on < ?`)
		args = append(args, start.Format(tally.DateLayout), start.AddDate(0, 1, 0).Format(tally.DateLayout))
	}
	if len(f.Categories) > 0 {
		codes, err := s.categoryCodes(ctx, f.Categories)
		if err != nil {
			return nil, "", err
		}
		if len(codes) == 0 {
			ok = false // no transaction has any of them
		}
		where.WriteString(` AND t.category IN (` + placeholders(len(codes)) + `)`)
		for _, c := range codes {
			args = append(args, c)
		}
	}
	if f.Cursor != "" {
		posted, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, "", tally.Errorf(tally.EINVALID, "cursor %q is not valid", f.Cursor)
		}
		where.WriteString(` AND (t.posted_on < ? OR (t.posted_on = ? AND t.id < ?))`)
		args = append(args, posted, posted, n)
	}
	if !ok {
		return []*tally.Transaction{}, "", nil // the user has never stored a transaction
	}
	base := rowsFrom + where.String()
	baseArgs := rowArgs(userID, num, args...)
	// The window reads the rows alone, in the primary key's order.
	window := ` FROM transaction_rows t WHERE t.user_num = ?` + where.String()
	query := `SELECT ` + rowColumns + base
	qargs := append([]any(nil), baseArgs...)
	windowed := false
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + escapeLike(strings.ToLower(q)) + "%"
		match := ` (LOWER(t.description) LIKE ? ESCAPE '\' OR LOWER(COALESCE(m.name, '')) LIKE ? ESCAPE '\')`
		if f.SearchWindow > 0 {
			// Read at most SearchWindow rows in index order and match
			// within them, so a rare term costs one bounded scan a page.
			windowed = true
			query = `SELECT ` + rowColumns + ` FROM (SELECT t.*` + window + ` ORDER BY t.posted_on DESC, t.id DESC LIMIT ?) t
				LEFT JOIN merchants m ON m.user_id = ? AND m.id = t.merchant_id
				WHERE` + match
			qargs = append(append([]any{userID, num}, args...), f.SearchWindow, userID, pattern, pattern)
		} else {
			query += ` AND` + match
			qargs = append(qargs, pattern, pattern)
		}
	}
	qargs = append(qargs, limit+1)
	rows, err := db.QueryContext(ctx, s.q(query+` ORDER BY t.posted_on DESC, t.id DESC LIMIT ?`), qargs...)
	if err != nil {
		return nil, "", fmt.Errorf("store: transactions: %w", err)
	}
	defer rows.Close()
	out := make([]*tally.Transaction, 0, limit+1)
	for rows.Next() {
		t, err := s.scanRow(ctx, userID, rows)
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
		next, err = s.windowEnd(ctx, window, append([]any{num}, args...), f.SearchWindow)
		if err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// windowEnd returns the cursor after the window-th row of from (rows t
// and conditions, with its args), newest first; "" when there are no more.
func (s *Store) windowEnd(ctx context.Context, from string, args []any, window int) (string, error) {
	var t tally.Transaction
	var posted sqldb.Date
	var id int64
	err := s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT t.posted_on, t.id`+from+` ORDER BY t.posted_on DESC, t.id DESC LIMIT 1 OFFSET ?`),
		append(args[:len(args):len(args)], window)...).Scan(&posted, &id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: transactions: %w", err)
	}
	t.PostedOn, t.ID = posted.Time, strconv.FormatInt(id, 10)
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
