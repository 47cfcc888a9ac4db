package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// InsightChange is what a write changed that an insight pass must look at
// again: the transactions of one seller in one account posted between
// First and Last. AccountID and the days are empty when only the filing of
// a seller's transactions changed; Merchant is empty when only an
// account's statement balance did.
type InsightChange struct {
	AccountID   string
	Merchant    string
	First, Last time.Time
}

// changeSet gathers the changes of one write, one per account and seller.
type changeSet map[[2]string]*InsightChange

func (c changeSet) add(accountID, merchant string, day time.Time) {
	k := [2]string{accountID, merchant}
	if x := c[k]; x != nil {
		if day.Before(x.First) {
			x.First = day
		}
		if day.After(x.Last) {
			x.Last = day
		}
		return
	}
	c[k] = &InsightChange{AccountID: accountID, Merchant: merchant, First: day, Last: day}
}

// markInsightChanges records changes inside tx, under the user's next
// change sequence number, in statements of 200 rows.
func (s *Store) markInsightChanges(ctx context.Context, tx *sql.Tx, userID string, changes changeSet) error {
	if len(changes) == 0 {
		return nil
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO insight_runs (user_id, change_seq) VALUES (?, 1)
		ON CONFLICT (user_id) DO UPDATE SET change_seq = insight_runs.change_seq + 1 RETURNING change_seq`), userID).Scan(&seq); err != nil {
		return fmt.Errorf("store: mark insight changes: %w", err)
	}
	list := make([]*InsightChange, 0, len(changes))
	for _, c := range changes {
		list = append(list, c)
	}
	// A fixed order keeps two writers of one user from deadlocking.
	sort.Slice(list, func(i, j int) bool {
		if list[i].AccountID != list[j].AccountID {
			return list[i].AccountID < list[j].AccountID
		}
		return list[i].Merchant < list[j].Merchant
	})
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(tally.DateLayout)
	}
	for rest := list; len(rest) > 0; {
		n := min(len(rest), 200)
		var b strings.Builder
		b.WriteString(`INSERT INTO insight_changes (user_id, account_id, merchant, first_day, last_day, seq) VALUES `)
		args := make([]any, 0, n*6)
		for i, c := range rest[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, userID, c.AccountID, c.Merchant, day(c.First), day(c.Last), seq)
		}
		b.WriteString(` ON CONFLICT (user_id, account_id, merchant) DO UPDATE SET
			first_day = CASE WHEN excluded.first_day < insight_changes.first_day THEN excluded.first_day ELSE insight_changes.first_day END,
			last_day = CASE WHEN excluded.last_day > insight_changes.last_day THEN excluded.last_day ELSE insight_changes.last_day END,
			seq = excluded.seq`)
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return fmt.Errorf("store: mark insight changes: %w", err)
		}
		rest = rest[n:]
	}
	return nil
}

// needFullInsight makes the user's next pass read the whole history, inside
// tx: transactions were removed, which no change row describes.
func (s *Store) needFullInsight(ctx context.Context, tx *sql.Tx, userID string) error {
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE insight_runs SET full_at = NULL WHERE user_id = ?`), userID); err != nil {
		return fmt.Errorf("store: insight full pass due: %w", err)
	}
	return nil
}

// InsightState returns the user's change sequence number so far and when a
// pass last read the whole history (nil: never, or something since needs
// it to).
func (s *Store) InsightState(ctx context.Context, userID string) (int64, *time.Time, error) {
	var seq int64
	var full sql.NullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT change_seq, full_at FROM insight_runs WHERE user_id = ?`), userID).Scan(&seq, &full)
	if err == sql.ErrNoRows {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("store: insight state: %w", err)
	}
	return seq, nullTime(full), nil
}

// InsightChanges returns the changes recorded up to sequence number upTo.
func (s *Store) InsightChanges(ctx context.Context, userID string, upTo int64) ([]InsightChange, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT account_id, merchant, first_day, last_day FROM insight_changes
		WHERE user_id = ? AND seq <= ?`), userID, upTo)
	if err != nil {
		return nil, fmt.Errorf("store: insight changes: %w", err)
	}
	defer rows.Close()
	var out []InsightChange
	for rows.Next() {
		var c InsightChange
		var first, last string
		if err := rows.Scan(&c.AccountID, &c.Merchant, &first, &last); err != nil {
			return nil, fmt.Errorf("store: insight changes: %w", err)
		}
		if first != "" {
			c.First, _ = time.Parse(tally.DateLayout, first)
			c.Last, _ = time.Parse(tally.DateLayout, last)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsightRead records that a pass has read the changes up to upTo (and,
// when full, the whole history): they are forgotten, except those written
// again since.
func (s *Store) InsightRead(ctx context.Context, userID string, upTo int64, full bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM insight_changes WHERE user_id = ? AND seq <= ?`), userID, upTo); err != nil {
			return fmt.Errorf("store: insight read: %w", err)
		}
		if !full {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO insight_runs (user_id, full_at) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET full_at = excluded.full_at`), userID, s.now()); err != nil {
			return fmt.Errorf("store: insight read: %w", err)
		}
		return nil
	})
}

// InsightSellerTransactions returns the user's posted transactions of the
// given sellers from from on, oldest first, reading 500 sellers a
// statement.
func (s *Store) InsightSellerTransactions(ctx context.Context, userID string, sellers []string, from time.Time) ([]*tally.Transaction, error) {
	var out []*tally.Transaction
	for rest := sellers; len(rest) > 0; {
		n := min(len(rest), 500)
		args := make([]any, 0, n+2)
		args = append(args, userID, from.Format(tally.DateLayout))
		for _, m := range rest[:n] {
			args = append(args, m)
		}
		ts, err := s.insightRows(ctx, s.bySeller()+`user_id = ? AND posted_on >= ? AND NOT pending AND merchant IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
		rest = rest[n:]
	}
	sortTxns(out)
	return out, nil
}

// InsightWindow returns the user's posted transactions from from to to,
// oldest first.
func (s *Store) InsightWindow(ctx context.Context, userID string, from, to time.Time) ([]*tally.Transaction, error) {
	out, err := s.insightRows(ctx, `WHERE user_id = ? AND posted_on >= ? AND posted_on <= ? AND NOT pending`,
		userID, from.Format(tally.DateLayout), to.Format(tally.DateLayout))
	if err != nil {
		return nil, err
	}
	sortTxns(out)
	return out, nil
}

// bySeller makes SQLite read a few sellers' transactions through their
// index (migration 00014): without statistics it may rather scan the
// user's days (PostgreSQL chooses from its statistics).
func (s *Store) bySeller() string {
	if s.db.Dialect == sqldb.SQLite {
		return "INDEXED BY transactions_user_merchant WHERE "
	}
	return "WHERE "
}

// insightRows reads transactions; from is the query after FROM
// transactions: "WHERE ..." or an index hint and its WHERE.
func (s *Store) insightRows(ctx context.Context, from string, args ...any) ([]*tally.Transaction, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT `+txnColumns+` FROM transactions `+from), args...)
	if err != nil {
		return nil, fmt.Errorf("store: insight transactions: %w", err)
	}
	defer rows.Close()
	var out []*tally.Transaction
	for rows.Next() {
		t, err := scanTxn(rows)
		if err != nil {
			return nil, fmt.Errorf("store: insight transactions: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// sortTxns orders transactions as InsightTransactions does: by day, then id.
func sortTxns(ts []*tally.Transaction) {
	sort.Slice(ts, func(i, j int) bool {
		if !ts[i].PostedOn.Equal(ts[j].PostedOn) {
			return ts[i].PostedOn.Before(ts[j].PostedOn)
		}
		return ts[i].ID < ts[j].ID
	})
}
