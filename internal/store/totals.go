package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/tallyhq/tally"
)

type totalKey struct{ month, category, currency string }

// deltas accumulates monthly-total changes before they are written in one
// statement.
type deltas map[totalKey]*tally.MonthlyTotal

func (d deltas) add(month, category, currency string, amount, count int64) {
	k := totalKey{month, category, currency}
	t := d[k]
	if t == nil {
		t = &tally.MonthlyTotal{Month: month, Category: category, Currency: currency}
		d[k] = t
	}
	t.Amount += amount
	t.Count += count
}

func (d deltas) list() []tally.MonthlyTotal {
	out := make([]tally.MonthlyTotal, 0, len(d))
	for _, t := range d {
		if t.Amount != 0 || t.Count != 0 {
			out = append(out, *t)
		}
	}
	// A fixed order keeps concurrent writers from deadlocking on PostgreSQL.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Currency < b.Currency
	})
	return out
}

func scanTotals(rows *sql.Rows) ([]tally.MonthlyTotal, error) {
	defer rows.Close()
	var out []tally.MonthlyTotal
	for rows.Next() {
		var t tally.MonthlyTotal
		if err := rows.Scan(&t.Month, &t.Category, &t.Currency, &t.Amount, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// addTotals adds deltas to the user's monthly totals in one statement per
// 1,000 rows, inside the caller's transaction.
func (s *Store) addTotals(ctx context.Context, tx *sql.Tx, userID string, ds []tally.MonthlyTotal) error {
	for _, st := range s.totalsStatements(userID, ds) {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return fmt.Errorf("store: add monthly totals: %w", err)
		}
	}
	return nil
}

type statement struct {
	query string
	args  []any
}

// totalsStatements builds the upserts that add ds to the monthly totals.
func (s *Store) totalsStatements(userID string, ds []tally.MonthlyTotal) []statement {
	const per = 1000
	var out []statement
	for len(ds) > 0 {
		n := min(len(ds), per)
		var b strings.Builder
		b.WriteString(`INSERT INTO monthly_totals (user_id, month, category, currency, amount, count) VALUES `)
		args := make([]any, 0, n*6)
		for i, d := range ds[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, userID, d.Month, d.Category, d.Currency, d.Amount, d.Count)
		}
		b.WriteString(` ON CONFLICT (user_id, month, category, currency) DO UPDATE SET amount = monthly_totals.amount + excluded.amount, count = monthly_totals.count + excluded.count`)
		out = append(out, statement{s.q(b.String()), args})
		ds = ds[n:]
	}
	return out
}

// MonthlyTotals returns the user's totals for a month ("YYYY-MM"), all
// categories and currencies.
func (s *Store) MonthlyTotals(ctx context.Context, userID, month string) ([]tally.MonthlyTotal, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT month, category, currency, amount, count FROM monthly_totals
		WHERE user_id = ? AND month = ? AND count <> 0 ORDER BY category, currency`), userID, month)
	if err != nil {
		return nil, fmt.Errorf("store: monthly totals: %w", err)
	}
	out, err := scanTotals(rows)
	if err != nil {
		return nil, fmt.Errorf("store: monthly totals: %w", err)
	}
	return out, nil
}

// Drift is a monthly total that does not match its transactions.
type Drift struct {
	UserID string
	tally.MonthlyTotal
	Want tally.MonthlyTotal // what the transactions add up to
}

// ReconcileUser compares the user's monthly totals with the sum of their
// transactions and, when repair is set, rewrites the totals that drifted, in
// one transaction.
func (s *Store) ReconcileUser(ctx context.Context, userID string, repair bool) ([]Drift, error) {
	var drifts []Drift
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		drifts = nil
		s.touch(tx, userID)
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+s.monthOf("posted_on")+`, category, currency, SUM(amount), COUNT(*)
			FROM transactions WHERE user_id = ? GROUP BY 1, 2, 3`), userID)
		if err != nil {
			return fmt.Errorf("store: reconcile: %w", err)
		}
		want, err := scanTotals(rows)
		if err != nil {
			return fmt.Errorf("store: reconcile: %w", err)
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT month, category, currency, amount, count FROM monthly_totals WHERE user_id = ?`), userID)
		if err != nil {
			return fmt.Errorf("store: reconcile: %w", err)
		}
		have, err := scanTotals(rows)
		if err != nil {
			return fmt.Errorf("store: reconcile: %w", err)
		}
		fix := deltas{}
		wantBy := map[totalKey]tally.MonthlyTotal{}
		for _, w := range want {
			wantBy[totalKey{w.Month, w.Category, w.Currency}] = w
		}
		haveBy := map[totalKey]tally.MonthlyTotal{}
		for _, h := range have {
			k := totalKey{h.Month, h.Category, h.Currency}
			haveBy[k] = h
			w := wantBy[k]
			if h.Amount != w.Amount || h.Count != w.Count {
				w.Month, w.Category, w.Currency = h.Month, h.Category, h.Currency
				drifts = append(drifts, Drift{UserID: userID, MonthlyTotal: h, Want: w})
				fix.add(h.Month, h.Category, h.Currency, w.Amount-h.Amount, w.Count-h.Count)
			}
		}
		for k, w := range wantBy {
			if _, ok := haveBy[k]; !ok {
				drifts = append(drifts, Drift{UserID: userID, MonthlyTotal: tally.MonthlyTotal{Month: w.Month, Category: w.Category, Currency: w.Currency}, Want: w})
				fix.add(w.Month, w.Category, w.Currency, w.Amount, w.Count)
			}
		}
		if !repair || len(fix) == 0 {
			return nil
		}
		return s.addTotals(ctx, tx, userID, fix.list())
	})
	return drifts, err
}

// UserIDs returns up to limit user ids after the given one, in order, for
// commands that walk every user.
func (s *Store) UserIDs(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: user ids: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: user ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
