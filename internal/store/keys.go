package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// Transactions are stored compactly (migration 00012, ADR 0008): a row in
// transaction_rows names its user by number (user_keys.num), its account by
// the account's number among the user's accounts (accounts.num), its seller
// by a per-user merchant id (merchants), and its category and source by
// small codes. This file hands those numbers out and maps them back.

// idDayShift is where a transaction id keeps its day: id = days since
// 1970-01-01 of posted_on << idDayShift | a number unique across users
// (takeTxnSeqs). An id so names its row's day, which is the partition key
// and the second column of the primary key, so a row is found by id with
// one index probe.
const idDayShift = 47

var epoch = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

// Posting dates an id can carry: from 1970 until the day count outgrows
// its 16 bits (2149).
var (
	firstDay = epoch
	lastDay  = epoch.AddDate(0, 0, 1<<(63-idDayShift)-1)
)

func txnID(posted time.Time, seq int64) int64 {
	days := int64(posted.Sub(epoch) / (24 * time.Hour))
	return days<<idDayShift | seq
}

// dayOfID is the posting day an id carries, as 'YYYY-MM-DD'.
func dayOfID(id int64) string {
	return epoch.AddDate(0, 0, int(id>>idDayShift)).Format(tally.DateLayout)
}

// sourceManual is the code of tally.SourceManual, fixed by migration 00012
// (the partial index transaction_rows_manual names it).
const sourceManual = 5

// codeTable maps the names in category_codes or source_codes to their small
// codes and back. Codes never change once given, so they are cached.
type codeTable struct {
	table, column string

	mu     sync.RWMutex
	byName map[string]int
	byCode map[int]string
}

func (c *codeTable) cached(name string) (int, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	code, ok := c.byName[name]
	return code, ok
}

func (c *codeTable) cachedName(code int) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	name, ok := c.byCode[code]
	return name, ok
}

func (c *codeTable) load(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT code, `+c.column+` FROM `+c.table)
	if err != nil {
		return fmt.Errorf("store: %s: %w", c.table, err)
	}
	defer rows.Close()
	byName, byCode := map[string]int{}, map[int]string{}
	for rows.Next() {
		var code int
		var name string
		if err := rows.Scan(&code, &name); err != nil {
			return fmt.Errorf("store: %s: %w", c.table, err)
		}
		byName[name], byCode[code] = code, name
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", c.table, err)
	}
	c.mu.Lock()
	c.byName, c.byCode = byName, byCode
	c.mu.Unlock()
	return nil
}

// code returns name's code, giving it the next free code when it has none.
// The code is committed on its own, so code is never called inside a
// transaction (codeIn is, after seedCodes).
func (s *Store) code(ctx context.Context, c *codeTable, name string) (int, error) {
	if code, ok := c.cached(name); ok {
		return code, nil
	}
	for range 5 {
		if err := c.load(ctx, s.db.DB); err != nil {
			return 0, err
		}
		if code, ok := c.cached(name); ok {
			return code, nil
		}
		// A concurrent writer may take the same code for another name;
		// DO NOTHING then, and the next round reads what won.
		if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO `+c.table+` (code, `+c.column+`) SELECT COALESCE(MAX(code), 0) + 1, ? FROM `+c.table+
			` WHERE 1 = 1 ON CONFLICT DO NOTHING`), name); err != nil {
			return 0, fmt.Errorf("store: %s: %w", c.table, err)
		}
	}
	return 0, fmt.Errorf("store: %s: no code for %q", c.table, name)
}

// codeIn returns the code of name inside tx. A name without a code (a
// category the taxonomy does not know) gets one in tx, which is then not
// cached before tx commits.
func (s *Store) codeIn(ctx context.Context, tx *sql.Tx, c *codeTable, name string) (int, error) {
	if code, ok := c.cached(name); ok {
		return code, nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+c.table+` (code, `+c.column+`) SELECT COALESCE(MAX(code), 0) + 1, ? FROM `+c.table+
		` WHERE 1 = 1 ON CONFLICT DO NOTHING`), name); err != nil {
		return 0, fmt.Errorf("store: %s: %w", c.table, err)
	}
	var code int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT code FROM `+c.table+` WHERE `+c.column+` = ?`), name).Scan(&code); err != nil {
		return 0, fmt.Errorf("store: %s: no code for %q: %w", c.table, name, err)
	}
	return code, nil
}

// seedCodes gives every category of the taxonomy and every category source
// a code, once per Store, so writes that re-file transactions find them
// cached inside their transaction.
func (s *Store) seedCodes(ctx context.Context) error {
	if s.seeded.Load() {
		return nil
	}
	for _, c := range tally.Categories() {
		if _, err := s.code(ctx, &s.categories, c.ID); err != nil {
			return err
		}
	}
	for _, src := range []string{tally.SourceDictionary, tally.SourceCrowd, tally.SourceRule, tally.SourceMCC, tally.SourceManual, tally.SourceNone, tally.SourceTransfer} {
		if _, err := s.code(ctx, &s.sources, src); err != nil {
			return err
		}
	}
	s.seeded.Store(true)
	return nil
}

// codeName returns the name of code.
func (s *Store) codeName(ctx context.Context, c *codeTable, code int) (string, error) {
	if name, ok := c.cachedName(code); ok {
		return name, nil
	}
	if err := c.load(ctx, s.db.DB); err != nil {
		return "", err
	}
	if name, ok := c.cachedName(code); ok {
		return name, nil
	}
	return "", fmt.Errorf("store: %s: unknown code %d", c.table, code)
}

func (s *Store) categoryName(ctx context.Context, code int) (string, error) {
	return s.codeName(ctx, &s.categories, code)
}

func (s *Store) sourceName(ctx context.Context, code int) (string, error) {
	return s.codeName(ctx, &s.sources, code)
}

// categoryCodes returns the codes of the named categories that have one;
// a category without a code has no transactions.
func (s *Store) categoryCodes(ctx context.Context, names []string) ([]int, error) {
	for _, n := range names {
		if _, ok := s.categories.cached(n); !ok {
			// Another process may have coded it since: read the table once.
			if err := s.categories.load(ctx, s.db.DB); err != nil {
				return nil, err
			}
			break
		}
	}
	var out []int
	for _, n := range names {
		if code, ok := s.categories.cached(n); ok {
			out = append(out, code)
		}
	}
	return out, nil
}

// userNum returns the user's number, giving the user one on first use.
func (s *Store) userNum(ctx context.Context, userID string) (int64, error) {
	if v, ok := s.nums.Load(userID); ok {
		return v.(int64), nil
	}
	var num int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT num FROM user_keys WHERE user_id = ?`), userID).Scan(&num)
	if errors.Is(err, sql.ErrNoRows) {
		next := `(SELECT COALESCE(MAX(num), 0) + 1 FROM user_keys)`
		if s.db.Dialect == sqldb.Postgres {
			next = `nextval('user_nums')`
		}
		if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO user_keys (user_id, num) VALUES (?, `+next+`) ON CONFLICT (user_id) DO NOTHING`), userID); err != nil {
			return 0, fmt.Errorf("store: user number: %w", err)
		}
		err = s.db.QueryRowContext(ctx, s.q(`SELECT num FROM user_keys WHERE user_id = ?`), userID).Scan(&num)
	}
	if err != nil {
		return 0, fmt.Errorf("store: user number: %w", err)
	}
	s.nums.Store(userID, num)
	return num, nil
}

// lookupUserNum returns the user's number, or ok false when the user has
// never stored a transaction (and so has none to read).
func (s *Store) lookupUserNum(ctx context.Context, q rowQuerier, userID string) (int64, bool, error) {
	if v, ok := s.nums.Load(userID); ok {
		return v.(int64), true, nil
	}
	var num int64
	err := q.QueryRowContext(ctx, s.q(`SELECT num FROM user_keys WHERE user_id = ?`), userID).Scan(&num)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: user number: %w", err)
	}
	s.nums.Store(userID, num)
	return num, true, nil
}

// rowQuerier is what *sql.DB and *sql.Tx share.
type rowQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// take adds n to one of the user's counters in user_keys, inside tx (the
// row stays locked until tx ends), and returns the counter's new value: the
// caller owns the n numbers up to it.
func (s *Store) take(ctx context.Context, tx *sql.Tx, userID, counter string, n int) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, s.q(`UPDATE user_keys SET `+counter+` = `+counter+` + ? WHERE user_id = ? RETURNING `+counter), n, userID).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("store: take %s: %w", counter, err)
	}
	return last, nil
}

// txnSeqBlock is how many numbers one nextval of transaction_seq gives
// on PostgreSQL (migration 00016 sets the sequence's step to it): the
// number it returns and the ones after it, up to the next block. A sync
// of a few lines leaves most of its block unused: 30 million accounts'
// daily syncs would take about 7 * 10^11 numbers a year of the 2^47 an id
// has room for, enough for about 200 years.
const txnSeqBlock = 64

// takeTxnSeqs takes n numbers for transaction ids, unique across users:
// from the sequence transaction_seq on PostgreSQL (no lock), a block of
// txnSeqBlock numbers a nextval, from the one-row table of that name on
// SQLite (whose writes are serialized).
func (s *Store) takeTxnSeqs(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	if s.db.Dialect == sqldb.Postgres {
		blocks := (n + txnSeqBlock - 1) / txnSeqBlock
		rows, err := tx.QueryContext(ctx, `SELECT nextval('transaction_seq') FROM generate_series(1, $1)`, blocks)
		if err != nil {
			return nil, fmt.Errorf("store: transaction ids: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var first int64
			if err := rows.Scan(&first); err != nil {
				return nil, fmt.Errorf("store: transaction ids: %w", err)
			}
			if first+txnSeqBlock > 1<<idDayShift {
				return nil, fmt.Errorf("store: transaction ids: the sequence reached %d", first)
			}
			for v := first; v < first+txnSeqBlock && len(out) < n; v++ {
				out = append(out, v)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: transaction ids: %w", err)
		}
	} else {
		var last int64
		if err := tx.QueryRowContext(ctx, `UPDATE transaction_seq SET next = next + ? WHERE one = 1 RETURNING next`, n).Scan(&last); err != nil {
			return nil, fmt.Errorf("store: transaction ids: %w", err)
		}
		for i := range n {
			out = append(out, last-int64(n)+1+int64(i))
		}
	}
	if len(out) != n || (n > 0 && out[n-1] >= 1<<idDayShift) {
		return nil, fmt.Errorf("store: transaction ids: %d of %d taken", len(out), n)
	}
	return out, nil
}

type merchantRef struct{ name, key string }

// rowKeys are the numbers a chunk's rows are stored with.
type rowKeys struct {
	user      int64
	accounts  map[string]int64
	merchants map[merchantRef]int64
	ids       []int64          // one per transaction, in order
	names     map[int64]string // merchant id -> name, made by merchantName
	category  []int
	source    []int
}

// accountID is the id of the chunk's account numbered num.
func (k *rowKeys) accountID(num int64) string {
	for id, n := range k.accounts {
		if n == num {
			return id
		}
	}
	return ""
}

// merchantName is the name of the chunk's seller with id ("" for none).
func (k *rowKeys) merchantName(id int64) string {
	if k.names == nil {
		k.names = make(map[int64]string, len(k.merchants))
		for r, i := range k.merchants {
			k.names[i] = r.name
		}
	}
	return k.names[id]
}

// prepareRows gives a chunk of the user's transactions their numbers: the
// user's, each account's (on its first transaction), each new seller's,
// one id per transaction, category and source codes. All of it commits on
// its own, before the chunk's transaction: numbers taken by a chunk that
// then fails are skipped, never reused.
func (s *Store) prepareRows(ctx context.Context, userID string, txns []*tally.Transaction) (*rowKeys, error) {
	num, err := s.userNum(ctx, userID)
	if err != nil {
		return nil, err
	}
	if err := s.seedCodes(ctx); err != nil {
		return nil, err
	}
	k := &rowKeys{user: num, ids: make([]int64, len(txns)), category: make([]int, len(txns)), source: make([]int, len(txns))}
	var accountIDs []string
	seenAcct := map[string]bool{}
	refs := map[merchantRef]bool{}
	for i, t := range txns {
		if t.PostedOn.Before(firstDay) || t.PostedOn.After(lastDay) {
			return nil, tally.Errorf(tally.EINVALID, "transaction %s: date %s is outside %s..%s", t.ExternalID,
				t.PostedOn.Format(tally.DateLayout), firstDay.Format(tally.DateLayout), lastDay.Format(tally.DateLayout))
		}
		if !seenAcct[t.AccountID] {
			seenAcct[t.AccountID] = true
			accountIDs = append(accountIDs, t.AccountID)
		}
		if t.Merchant != "" || t.MerchantKey != "" {
			refs[merchantRef{t.Merchant, t.MerchantKey}] = true
		}
		if k.category[i], err = s.code(ctx, &s.categories, t.Category); err != nil {
			return nil, err
		}
		if k.source[i], err = s.code(ctx, &s.sources, t.CategorySource); err != nil {
			return nil, err
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		seqs, err := s.takeTxnSeqs(ctx, tx, len(txns))
		if err != nil {
			return err
		}
		for i, t := range txns {
			k.ids[i] = txnID(t.PostedOn, seqs[i])
		}
		if k.accounts, err = s.accountNums(ctx, tx, userID, accountIDs); err != nil {
			return err
		}
		k.merchants, err = s.merchantIDs(ctx, tx, userID, refs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// accountNums returns the accounts' numbers, numbering those that have none
// yet. An account that does not exist is left out (the chunk then fails
// in lockAccounts).
func (s *Store) accountNums(ctx context.Context, tx *sql.Tx, userID string, ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, id := range ids {
		var num sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q(`SELECT num FROM accounts WHERE user_id = ? AND id = ?`), userID, id).Scan(&num)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: account number: %w", err)
		}
		if !num.Valid {
			next, err := s.take(ctx, tx, userID, "next_account", 1)
			if err != nil {
				return nil, err
			}
			// A writer that numbered the account meanwhile (it held the
			// counter) wins: its rows carry its number.
			if err := tx.QueryRowContext(ctx, s.q(`UPDATE accounts SET num = COALESCE(num, ?) WHERE user_id = ? AND id = ? RETURNING num`),
				next, userID, id).Scan(&num.Int64); err != nil {
				return nil, fmt.Errorf("store: account number: %w", err)
			}
		}
		out[id] = num.Int64
	}
	return out, nil
}

// merchantIDs returns the ids of the user's sellers, storing those not
// stored yet. The user's counter row, locked by take in the same
// transaction before the sellers are read, keeps two writers from storing
// one seller twice.
func (s *Store) merchantIDs(ctx context.Context, tx *sql.Tx, userID string, refs map[merchantRef]bool) (map[merchantRef]int64, error) {
	out := map[merchantRef]int64{}
	if len(refs) == 0 {
		return out, nil
	}
	if _, err := s.take(ctx, tx, userID, "next_merchant", 0); err != nil {
		return nil, err
	}
	list := make([]merchantRef, 0, len(refs))
	for r := range refs {
		list = append(list, r)
	}
	// lookup adds to out the stored sellers of list and returns the others.
	lookup := func(list []merchantRef) ([]merchantRef, error) {
		for rest := list; len(rest) > 0; {
			n := min(len(rest), 300)
			var b strings.Builder
			args := []any{userID}
			for i, r := range rest[:n] {
				if i > 0 {
					b.WriteString(" OR ")
				}
				b.WriteString("(merchant_key = ? AND name = ?)")
				args = append(args, r.key, r.name)
			}
			rows, err := tx.QueryContext(ctx, s.q(`SELECT id, name, merchant_key FROM merchants WHERE user_id = ? AND (`+b.String()+`)`), args...)
			if err != nil {
				return nil, fmt.Errorf("store: merchants: %w", err)
			}
			for rows.Next() {
				var id int64
				var r merchantRef
				if err := rows.Scan(&id, &r.name, &r.key); err != nil {
					rows.Close()
					return nil, fmt.Errorf("store: merchants: %w", err)
				}
				out[r] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("store: merchants: %w", err)
			}
			rest = rest[n:]
		}
		var missing []merchantRef
		for _, r := range list {
			if _, ok := out[r]; !ok {
				missing = append(missing, r)
			}
		}
		return missing, nil
	}
	missing, err := lookup(list)
	if err != nil || len(missing) == 0 {
		return out, err
	}
	last, err := s.take(ctx, tx, userID, "next_merchant", len(missing))
	if err != nil {
		return nil, err
	}
	first := last - int64(len(missing)) + 1
	for rest, i := missing, first; len(rest) > 0; {
		n := min(len(rest), 500)
		args := make([]any, 0, n*4)
		for _, r := range rest[:n] {
			args = append(args, userID, i, r.name, r.key)
			out[r] = i
			i++
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO merchants (user_id, id, name, merchant_key) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ")), args...); err != nil {
			return nil, fmt.Errorf("store: merchants: %w", err)
		}
		rest = rest[n:]
	}
	return out, nil
}

// ensurePartitions creates the partitions of transaction_rows the
// transactions go into, each on its own (creating a partition locks the
// table briefly, so never inside a long transaction).
func (s *Store) ensurePartitions(ctx context.Context, txns []*tally.Transaction) error {
	for _, t := range txns {
		if err := s.ensurePartition(ctx, t.PostedOn); err != nil {
			return err
		}
	}
	return nil
}

// Partitions of transaction_rows (PostgreSQL, ADR 0008 as amended by
// migration 00015): a month of the current year or later has a partition
// of its own, transaction_rows_yYYYYmMM, where the writes of syncs go; a
// month of an earlier year is history and shares its year's partition,
// transaction_rows_yYYYY, unless that year already has monthly partitions
// (made while it was the current year), where it gets one more month.
// Every partition carries about 90 KB of pages whatever it holds, so a
// ten-year history in 12 partitions instead of 123 costs about 100 bytes
// less a transaction.

func monthPartition(month time.Time) string { return "transaction_rows_" + month.Format("y2006m01") }
func yearPartition(year int) string         { return fmt.Sprintf("transaction_rows_y%04d", year) }

// ensurePartition makes sure a partition holds day's month.
func (s *Store) ensurePartition(ctx context.Context, day time.Time) error {
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	if _, ok := s.partitions.Load(month); ok {
		return nil
	}
	covered := func() (bool, error) {
		var ok bool
		err := s.db.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL OR to_regclass($2) IS NOT NULL`,
			monthPartition(month), yearPartition(month.Year())).Scan(&ok)
		return ok, err
	}
	// Two tries: another process may create an overlapping partition (the
	// year's, or one of its months) between the check and the statement.
	for try := 0; ; try++ {
		ok, err := covered()
		if err != nil {
			return fmt.Errorf("store: partition for %s: %w", month.Format(tally.MonthLayout), err)
		}
		if ok {
			break
		}
		name, from, to := monthPartition(month), month, month.AddDate(0, 1, 0)
		if month.Year() < s.now().Year() {
			var months bool
			err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
				WHERE i.inhparent = 'transaction_rows'::regclass AND starts_with(c.relname, $1))`,
				yearPartition(month.Year())+"m").Scan(&months)
			if err != nil {
				return fmt.Errorf("store: partition for %s: %w", month.Format(tally.MonthLayout), err)
			}
			if !months {
				from = time.Date(month.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
				name, to = yearPartition(month.Year()), from.AddDate(1, 0, 0)
			}
		}
		_, err = s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+name+` PARTITION OF transaction_rows FOR VALUES FROM ('`+
			from.Format(tally.DateLayout)+`') TO ('`+to.Format(tally.DateLayout)+`')`)
		if err == nil {
			break
		}
		if try == 1 {
			if ok, err2 := covered(); err2 != nil || !ok {
				return fmt.Errorf("store: partition %s: %w", name, err)
			}
			break
		}
	}
	s.partitions.Store(month, true)
	return nil
}

// EnsureCurrentPartitions creates, on PostgreSQL, the partitions of the
// current month and the next one if they do not exist yet, so the first
// write of a month does not have to create its partition (which waits for
// a lock on the whole table). The server calls it when it starts, `tally
// migrate` after migrating, and the hourly refresh job before its work.
func (s *Store) EnsureCurrentPartitions(ctx context.Context) error {
	if s.db.Dialect != sqldb.Postgres {
		return nil
	}
	now := s.now()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, m := range []time.Time{month, month.AddDate(0, 1, 0)} {
		if err := s.ensurePartition(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// resolveTxnID returns the number of one of the user's transactions from
// its API id: the number itself, or an id handed out before migration
// 00012, looked up. An id that names nothing is ENOTFOUND.
func (s *Store) resolveTxnID(ctx context.Context, q rowQuerier, userID, id string) (int64, error) {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		if n <= 0 {
			return 0, tally.Errorf(tally.ENOTFOUND, "transaction not found")
		}
		return n, nil
	}
	var n int64
	err := q.QueryRowContext(ctx, s.q(`SELECT id FROM transaction_legacy_ids WHERE user_id = ? AND legacy_id = ?`), userID, id).Scan(&n)
	if err != nil {
		return 0, notFound(err, "transaction")
	}
	return n, nil
}

// rowColumns and rowsFrom read transaction_rows as tally.Transactions, the
// account's and seller's names looked up row by row, so the rows' own
// order, from an index, is kept (a join of accounts lets SQLite's planner
// read the accounts first and sort every row of the user). Their
// arguments, in order, come from rowArgs.
const rowColumns = `t.id, (SELECT a.id FROM accounts a WHERE a.user_id = ? AND a.num = t.account_num), t.external_id, t.posted_on, t.amount,
	t.currency, t.description, COALESCE(m.name, ''), COALESCE(m.merchant_key, ''), t.category, t.category_source, t.pending`

const rowsFrom = ` FROM transaction_rows t
	LEFT JOIN merchants m ON m.user_id = ? AND m.id = t.merchant_id
	WHERE t.user_num = ?`

func rowArgs(userID string, num int64, more ...any) []any {
	return append([]any{userID, userID, num}, more...)
}

// scanRow scans rowColumns.
func (s *Store) scanRow(ctx context.Context, userID string, row interface{ Scan(...any) error }) (*tally.Transaction, error) {
	t := tally.Transaction{UserID: userID}
	var id int64
	var posted sqldb.Date
	var category, source int
	if err := row.Scan(&id, &t.AccountID, &t.ExternalID, &posted, &t.Amount, &t.Currency, &t.Description, &t.Merchant, &t.MerchantKey,
		&category, &source, &t.Pending); err != nil {
		return nil, err
	}
	t.ID = strconv.FormatInt(id, 10)
	t.PostedOn = posted.Time
	var err error
	if t.Category, err = s.categoryName(ctx, category); err != nil {
		return nil, err
	}
	if t.CategorySource, err = s.sourceName(ctx, source); err != nil {
		return nil, err
	}
	return &t, nil
}

// lockRow reads one of the user's transactions by number inside tx, locked
// for update until tx ends.
func (s *Store) lockRow(ctx context.Context, tx *sql.Tx, userID string, num, id int64) (*tally.Transaction, error) {
	lock := ""
	if s.db.Dialect == sqldb.Postgres {
		lock = " FOR UPDATE OF t"
	}
	return s.scanRow(ctx, userID, tx.QueryRowContext(ctx, s.q(`SELECT `+rowColumns+rowsFrom+` AND t.posted_on = ? AND t.id = ?`+lock),
		rowArgs(userID, num, dayOfID(id), id)...))
}

// setRowCategory files one row under category with source, inside tx.
func (s *Store) setRowCategory(ctx context.Context, tx *sql.Tx, num, id int64, category, source string) error {
	cc, err := s.codeIn(ctx, tx, &s.categories, category)
	if err != nil {
		return err
	}
	sc, err := s.codeIn(ctx, tx, &s.sources, source)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE transaction_rows SET category = ?, category_source = ? WHERE user_num = ? AND posted_on = ? AND id = ?`),
		cc, sc, num, dayOfID(id), id)
	return err
}

// idText is the SQL text of a transaction number column, as the API and
// tables that name transactions (transfer_pairs, transaction_matches)
// write it.
func (s *Store) idText(col string) string {
	return "CAST(" + col + " AS TEXT)"
}

// dayOfIDSQL is dayOfID in SQL: the posting day a transaction number
// expression carries.
func (s *Store) dayOfIDSQL(expr string) string {
	if s.db.Dialect == sqldb.Postgres {
		return "(DATE '1970-01-01' + CAST(" + expr + " >> 47 AS INTEGER))"
	}
	return "date('1970-01-01', '+' || (" + expr + " >> 47) || ' days')"
}

// idNum is the transaction number a text column names (transfer_pairs,
// transaction_matches), or 0 when it names none (a row of a transaction
// deleted before migration 00012 kept its old id).
func (s *Store) idNum(col string) string {
	if s.db.Dialect == sqldb.Postgres {
		return "(CASE WHEN " + col + " ~ '^[0-9]{1,19}$' THEN CAST(" + col + " AS BIGINT) ELSE 0 END)"
	}
	return "CAST(" + col + " AS INTEGER)"
}
