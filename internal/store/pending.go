package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
)

// How far a posted transaction may follow its pending twin, and how much its
// amount may differ: up to 30% more (a tip) or 10% either way (exchange
// rates, adjusted holds).
const (
	pendingWindow   = 10 * 24 * time.Hour
	pendingTipRatio = 1.30
	pendingSlack    = 0.10
)

// Match is a pending transaction replaced by its posted twin.
type Match struct {
	PendingExternalID string
	PostedID          string
	PendingAmount     int64
	PostedAmount      int64
}

type matchRow struct {
	id, externalID, postedOn, category, currency, merchant, description string
	amount                                                              int64
}

// amountsMatch reports whether posted can be pending's posted form.
func amountsMatch(pending, posted int64) bool {
	if (pending < 0) != (posted < 0) {
		return false
	}
	p, q := float64(pending), float64(posted)
	if p < 0 {
		p, q = -p, -q
	}
	return (q >= p && q <= p*pendingTipRatio) || (q >= p*(1-pendingSlack) && q <= p*(1+pendingSlack))
}

func sameMerchant(a, b matchRow) bool {
	if a.merchant != "" && a.merchant == b.merchant {
		return true
	}
	x, y := strings.ToUpper(strings.TrimSpace(a.description)), strings.ToUpper(strings.TrimSpace(b.description))
	n := min(len(x), len(y), 12)
	return n >= 4 && x[:n] == y[:n]
}

// ReplacePending replaces the account's pending transactions that have
// posted: a stored non-pending transaction on the same day or up to 10 days
// later, of the same merchant and currency, with an amount the same or
// slightly different, not already matched. Pending transactions the
// institution still reports as pending (stillPending, by external id) are
// kept. Each replaced pending row is deleted with its amount taken out of
// the monthly totals, and the match recorded, in one database transaction.
func (s *Store) ReplacePending(ctx context.Context, userID, accountID string, stillPending map[string]bool) ([]Match, error) {
	var out []Match
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		out = nil
		load := func(query string, args ...any) ([]matchRow, error) {
			rows, err := tx.QueryContext(ctx, s.q(query), args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var list []matchRow
			for rows.Next() {
				var r matchRow
				var posted any
				if err := rows.Scan(&r.id, &r.externalID, &posted, &r.amount, &r.category, &r.currency, &r.merchant, &r.description); err != nil {
					return nil, err
				}
				r.postedOn = dateString(posted)
				list = append(list, r)
			}
			return list, rows.Err()
		}
		const cols = `id, external_id, posted_on, amount, category, currency, merchant, description`
		pending, err := load(`SELECT `+cols+` FROM transactions WHERE user_id = ? AND account_id = ? AND pending ORDER BY posted_on, id`, userID, accountID)
		if err != nil {
			return fmt.Errorf("store: replace pending: %w", err)
		}
		var candidates []matchRow
		for _, p := range pending {
			if !stillPending[p.externalID] {
				candidates = append(candidates, p)
			}
		}
		if len(candidates) == 0 {
			return nil
		}
		first, _ := time.Parse(tally.DateLayout, candidates[0].postedOn)
		last, _ := time.Parse(tally.DateLayout, candidates[len(candidates)-1].postedOn)
		posted, err := load(`SELECT `+cols+` FROM transactions t WHERE user_id = ? AND account_id = ? AND NOT pending AND posted_on >= ? AND posted_on <= ?
			AND NOT EXISTS (SELECT 1 FROM transaction_matches m WHERE m.user_id = t.user_id AND m.account_id = t.account_id AND m.posted_id = t.id)
			ORDER BY posted_on, id`,
			userID, accountID, first.Format(tally.DateLayout), last.Add(pendingWindow).Format(tally.DateLayout))
		if err != nil {
			return fmt.Errorf("store: replace pending: %w", err)
		}
		used := map[string]bool{}
		d := deltas{}
		now := s.now()
		for _, p := range candidates {
			pd, _ := time.Parse(tally.DateLayout, p.postedOn)
			best := -1
			var bestScore float64
			for i, q := range posted {
				qd, _ := time.Parse(tally.DateLayout, q.postedOn)
				if used[q.id] || q.currency != p.currency || qd.Before(pd) || qd.Sub(pd) > pendingWindow ||
					!amountsMatch(p.amount, q.amount) || !sameMerchant(p, q) {
					continue
				}
				// Closest in time first, then in amount.
				score := qd.Sub(pd).Hours()*1000 + float64(abs64(q.amount-p.amount))
				if best < 0 || score < bestScore {
					best, bestScore = i, score
				}
			}
			if best < 0 {
				continue
			}
			q := posted[best]
			used[q.id] = true
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM transactions WHERE user_id = ? AND id = ?`), userID, p.id); err != nil {
				return fmt.Errorf("store: replace pending: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO transaction_matches (user_id, account_id, pending_external_id, posted_id, pending_on, pending_amount, posted_amount, description, matched_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, account_id, pending_external_id) DO NOTHING`),
				userID, accountID, p.externalID, q.id, p.postedOn, p.amount, q.amount, p.description, now); err != nil {
				return fmt.Errorf("store: record match: %w", err)
			}
			d.add(p.postedOn[:7], p.category, p.currency, -p.amount, -1)
			out = append(out, Match{PendingExternalID: p.externalID, PostedID: q.id, PendingAmount: p.amount, PostedAmount: q.amount})
		}
		ds := d.list()
		if err := s.addTotals(ctx, tx, userID, ds); err != nil {
			return err
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds))
	})
	return out, err
}

// MatchedPending returns which of the external ids are pending transactions
// of the account that were already replaced, so they are not stored again.
func (s *Store) MatchedPending(ctx context.Context, userID, accountID string, externalIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(externalIDs) > 0 {
		n := min(len(externalIDs), 500)
		args := []any{userID, accountID}
		for _, id := range externalIDs[:n] {
			args = append(args, id)
		}
		rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT pending_external_id FROM transaction_matches WHERE user_id = ? AND account_id = ? AND pending_external_id IN (?`+strings.Repeat(",?", n-1)+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("store: matched pending: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: matched pending: %w", err)
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: matched pending: %w", err)
		}
		externalIDs = externalIDs[n:]
	}
	return out, nil
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// dateString reads a posted_on value: TEXT on SQLite, DATE on PostgreSQL.
func dateString(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(tally.DateLayout)
	case []byte:
		return string(x)[:min(len(x), 10)]
	case string:
		return x[:min(len(x), 10)]
	}
	return ""
}
