package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/tallyhq/tally"
)

// Match is a pending transaction replaced by its posted twin.
type Match struct {
	PendingExternalID string
	PostedID          string
	PendingAmount     int64
	PostedAmount      int64
}

// ReplacePending replaces the account's pending transactions that have
// posted, as tally.MatchPending pairs them with stored posted transactions
// not already matched. Pending transactions the institution still reports
// as pending (stillPending, by external id) are kept. Each replaced pending
// row is deleted with its amount taken out of the monthly totals, and the
// match recorded, in one database transaction.
func (s *Store) ReplacePending(ctx context.Context, userID, accountID string, stillPending map[string]bool) ([]Match, error) {
	var out []Match
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		out = nil
		num, ok, err := s.lookupUserNum(ctx, tx, userID)
		if err != nil || !ok {
			return err
		}
		load := func(where string, args ...any) ([]*tally.Transaction, error) {
			rows, err := tx.QueryContext(ctx, s.q(`SELECT `+rowColumns+rowsFrom+` AND t.account_num = (SELECT num FROM accounts WHERE user_id = ? AND id = ?) AND `+where+`
				ORDER BY t.posted_on, t.id`), rowArgs(userID, num, append([]any{userID, accountID}, args...)...)...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var list []*tally.Transaction
			for rows.Next() {
				t, err := s.scanRow(ctx, userID, rows)
				if err != nil {
					return nil, err
				}
				list = append(list, t)
			}
			return list, rows.Err()
		}
		pending, err := load(`t.pending`)
		if err != nil {
			return fmt.Errorf("store: replace pending: %w", err)
		}
		var candidates []*tally.Transaction
		for _, p := range pending {
			if !stillPending[p.ExternalID] {
				candidates = append(candidates, p)
			}
		}
		if len(candidates) == 0 {
			return nil
		}
		first, last := candidates[0].PostedOn, candidates[len(candidates)-1].PostedOn
		posted, err := load(`NOT t.pending AND t.posted_on >= ? AND t.posted_on <= ?
			AND NOT EXISTS (SELECT 1 FROM transaction_matches x WHERE x.user_id = ? AND x.account_id = ? AND x.posted_id = `+s.idText("t.id")+`)`,
			first.Format(tally.DateLayout), last.Add(tally.PendingWindow).Format(tally.DateLayout), userID, accountID)
		if err != nil {
			return fmt.Errorf("store: replace pending: %w", err)
		}
		d := deltas{}
		now := s.now()
		for _, m := range tally.MatchPending(candidates, posted) {
			p, q := candidates[m.Pending], posted[m.Posted]
			pid, err := strconv.ParseInt(p.ID, 10, 64)
			if err != nil {
				return fmt.Errorf("store: replace pending: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM transaction_rows WHERE user_num = ? AND posted_on = ? AND id = ?`), num, dayOfID(pid), pid); err != nil {
				return fmt.Errorf("store: replace pending: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO transaction_matches (user_id, account_id, pending_external_id, posted_id, pending_on, pending_amount, posted_amount, description, matched_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, account_id, pending_external_id) DO NOTHING`),
				userID, accountID, p.ExternalID, q.ID, p.PostedOn.Format(tally.DateLayout), p.Amount, q.Amount, p.Description, now); err != nil {
				return fmt.Errorf("store: record match: %w", err)
			}
			d.add(p.Month(), p.Category, p.Currency, -p.Amount, -1)
			out = append(out, Match{PendingExternalID: p.ExternalID, PostedID: q.ID, PendingAmount: p.Amount, PostedAmount: q.Amount})
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
