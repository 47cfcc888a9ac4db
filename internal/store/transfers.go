package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// MaxInsightTransactions caps how many transactions one detection or
// matching pass reads for a user.
const MaxInsightTransactions = 250_000

// InsightTransactions returns the user's posted transactions from the day
// from on, oldest first, capped at MaxInsightTransactions (the newest are
// kept). Recurring detection and transfer matching read them.
func (s *Store) InsightTransactions(ctx context.Context, userID string, from time.Time) ([]*tally.Transaction, error) {
	out, err := s.insightRows(ctx, "", ` AND t.posted_on >= ? AND NOT t.pending ORDER BY t.posted_on DESC, t.id DESC LIMIT ?`,
		userID, from.Format(tally.DateLayout), MaxInsightTransactions)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// PairedTransactionIDs returns the ids of the user's transactions that are
// in a transfer pair, linked or unlinked by the user: matching never
// considers them again.
func (s *Store) PairedTransactionIDs(ctx context.Context, userID string) (map[string]bool, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT out_id, in_id FROM transfer_pairs WHERE user_id = ?`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: paired transactions: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, fmt.Errorf("store: paired transactions: %w", err)
		}
		out[a], out[b] = true, true
	}
	return out, rows.Err()
}

// TransferLink asks for two transactions to be linked as a transfer, each
// filed under the given category (its own when already a transfer).
type TransferLink struct {
	OutID, InID             string
	OutCategory, InCategory string
}

// LinkTransfers stores matched transfer pairs in one database transaction:
// each side that was not under a transfer category moves there (source
// transfer), with the monthly totals moved and budget checks enqueued in the
// same transaction. A side that is already paired, was set by hand to a
// spending or income category since, or belongs to another user is
// skipped. It returns the pairs stored. Reads, inserts and updates go in
// batches of a few hundred rows.
func (s *Store) LinkTransfers(ctx context.Context, userID string, links []TransferLink) ([]*tally.TransferPair, error) {
	if len(links) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, 2*len(links))
	for _, l := range links {
		ids = append(ids, l.OutID, l.InID)
	}
	var out []*tally.TransferPair
	if err := s.seedCodes(ctx); err != nil {
		return nil, err
	}
	num, ok, err := s.lookupUserNum(ctx, s.db.DB, userID)
	if err != nil || !ok {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		out = nil
		txns, err := s.lockTransactions(ctx, tx, userID, num, ids)
		if err != nil {
			return err
		}
		now := s.now()
		used := map[string]bool{}
		var cands []*tally.TransferPair
		moves := map[string]string{} // transaction id -> its transfer category
		for _, l := range links {
			o, in := txns[l.OutID], txns[l.InID]
			if o == nil || in == nil || used[o.ID] || used[in.ID] || o.Amount >= 0 || in.Amount != -o.Amount || o.Currency != in.Currency ||
				o.AccountID == in.AccountID || !transferable(o, l.OutCategory) || !transferable(in, l.InCategory) {
				continue
			}
			used[o.ID], used[in.ID] = true, true
			cands = append(cands, &tally.TransferPair{UserID: userID, ID: tally.NewID(), OutID: o.ID, InID: in.ID, Amount: in.Amount,
				Currency: in.Currency, OutCategory: o.Category, OutSource: o.CategorySource, InCategory: in.Category, InSource: in.CategorySource,
				Status: tally.TransferLinked, CreatedAt: now})
			moves[o.ID], moves[in.ID] = l.OutCategory, l.InCategory
		}
		inserted, err := s.insertPairs(ctx, tx, userID, cands)
		if err != nil {
			return err
		}
		d := deltas{}
		byCategory := map[string][]string{}
		for _, p := range cands {
			if !inserted[p.ID] {
				continue // a side is in another pair already
			}
			out = append(out, p)
			for _, id := range []string{p.OutID, p.InID} {
				t, c := txns[id], moves[id]
				if t.Category == c {
					continue
				}
				byCategory[c] = append(byCategory[c], id)
				d.add(t.Month(), t.Category, t.Currency, -t.Amount, -1)
				d.add(t.Month(), c, t.Currency, t.Amount, 1)
			}
		}
		for c, ids := range byCategory {
			cc, err := s.codeIn(ctx, tx, &s.categories, c)
			if err != nil {
				return err
			}
			sc, err := s.codeIn(ctx, tx, &s.sources, tally.SourceTransfer)
			if err != nil {
				return err
			}
			nums := parseTxnIDs(ids)
			for len(nums) > 0 {
				n := min(len(nums), 400)
				cond, args := idsWhere("", nums[:n])
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE transaction_rows SET category = ?, category_source = ? WHERE user_num = ?`+cond),
					append([]any{cc, sc, num}, args...)...); err != nil {
					return fmt.Errorf("store: link transfers: %w", err)
				}
				nums = nums[n:]
			}
		}
		ds := d.list()
		if err := s.addTotals(ctx, tx, userID, ds); err != nil {
			return err
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds))
	})
	return out, err
}

// lockTransactions reads the user's transactions with the given ids inside
// tx, locked for update, 400 per query. Ids that name no row are left out.
func (s *Store) lockTransactions(ctx context.Context, tx *sql.Tx, userID string, num int64, ids []string) (map[string]*tally.Transaction, error) {
	out := make(map[string]*tally.Transaction, len(ids))
	lock := ""
	if s.db.Dialect == sqldb.Postgres {
		lock = " FOR UPDATE OF t"
	}
	nums := parseTxnIDs(ids)
	for len(nums) > 0 {
		n := min(len(nums), 400)
		cond, args := idsWhere("t.", nums[:n])
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+rowColumns+rowsFrom+cond+` ORDER BY t.id`+lock), rowArgs(userID, num, args...)...)
		if err != nil {
			return nil, fmt.Errorf("store: link transfers: %w", err)
		}
		for rows.Next() {
			t, err := s.scanRow(ctx, userID, rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: link transfers: %w", err)
			}
			out[t.ID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: link transfers: %w", err)
		}
		nums = nums[n:]
	}
	return out, nil
}

// parseTxnIDs returns the transaction numbers among ids, sorted; an id
// that is not a number names no row (ids are numbers since 00012).
func parseTxnIDs(ids []string) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// idsWhere is the condition "posting day and id among ids" on columns with
// the given prefix, which finds each row with the primary key (the days
// prune the partitions).
func idsWhere(prefix string, ids []int64) (string, []any) {
	var days []string
	seen := map[string]bool{}
	for _, id := range ids {
		if d := dayOfID(id); !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	args := make([]any, 0, len(days)+len(ids))
	for _, d := range days {
		args = append(args, d)
	}
	for _, id := range ids {
		args = append(args, id)
	}
	return ` AND ` + prefix + `posted_on IN (` + placeholders(len(days)) + `) AND ` + prefix + `id IN (` + placeholders(len(ids)) + `)`, args
}

// insertPairs inserts pairs, 200 per statement, skipping any whose side is
// in a stored pair, and returns the ids inserted.
func (s *Store) insertPairs(ctx context.Context, tx *sql.Tx, userID string, pairs []*tally.TransferPair) (map[string]bool, error) {
	inserted := map[string]bool{}
	for len(pairs) > 0 {
		n := min(len(pairs), 200)
		var b strings.Builder
		b.WriteString(`INSERT INTO transfer_pairs (user_id, id, out_id, in_id, amount, currency, out_category, out_source, in_category, in_source, status, created_at) VALUES `)
		args := make([]any, 0, n*12)
		for i, p := range pairs[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, userID, p.ID, p.OutID, p.InID, p.Amount, p.Currency, p.OutCategory, p.OutSource, p.InCategory, p.InSource, p.Status, p.CreatedAt)
		}
		b.WriteString(` ON CONFLICT DO NOTHING RETURNING id`)
		rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
		if err != nil {
			return nil, fmt.Errorf("store: link transfers: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: link transfers: %w", err)
			}
			inserted[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: link transfers: %w", err)
		}
		pairs = pairs[n:]
	}
	return inserted, nil
}

// transferable reports whether t may be filed under the transfer category c:
// a category the user set by hand stays unless it is a transfer already.
func transferable(t *tally.Transaction, c string) bool {
	cat, ok := tally.LookupCategory(c)
	if !ok || cat.Kind != tally.KindTransfer {
		return false
	}
	if t.CategorySource == tally.SourceManual {
		own, _ := tally.LookupCategory(t.Category)
		return own.Kind == tally.KindTransfer
	}
	return true
}

// TransferOf returns the id of the other side of the transaction's linked
// transfer pair, "" when it is in none.
func (s *Store) TransferOf(ctx context.Context, userID, txnID string) (string, error) {
	var other string
	err := s.db.Reader().QueryRowContext(ctx, s.q(`SELECT in_id FROM transfer_pairs WHERE user_id = ? AND out_id = ? AND status = 'linked'
		UNION ALL SELECT out_id FROM transfer_pairs WHERE user_id = ? AND in_id = ? AND status = 'linked'`),
		userID, txnID, userID, txnID).Scan(&other)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: transfer of: %w", err)
	}
	return other, nil
}

// TransferPeers returns, for those of ids in a linked transfer pair, the id
// of the other side.
func (s *Store) TransferPeers(ctx context.Context, userID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for len(ids) > 0 {
		n := min(len(ids), 400)
		ph := placeholders(n)
		args := []any{userID}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		args = append(args, userID)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT out_id, in_id FROM transfer_pairs WHERE user_id = ? AND out_id IN (`+ph+`) AND status = 'linked'
			UNION SELECT out_id, in_id FROM transfer_pairs WHERE user_id = ? AND in_id IN (`+ph+`) AND status = 'linked'`), args...)
		if err != nil {
			return nil, fmt.Errorf("store: transfer peers: %w", err)
		}
		for rows.Next() {
			var a, b string
			if err := rows.Scan(&a, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: transfer peers: %w", err)
			}
			out[a], out[b] = b, a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: transfer peers: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}

func placeholders(n int) string {
	b := make([]byte, 0, n*3)
	for i := range n {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		b = append(b, '?')
	}
	return string(b)
}

// UnlinkTransfer undoes the linked transfer pair one of the user's
// transactions is in: each side that matching had re-filed goes back to its
// category before (unless the user has filed it by hand since), with the
// monthly totals moved and budget checks enqueued in the same transaction.
// The pair stays, unlinked, so matching never links either side again.
func (s *Store) UnlinkTransfer(ctx context.Context, userID, txnID string) error {
	if err := s.seedCodes(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		num, ok, err := s.lookupUserNum(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !ok {
			return tally.Errorf(tally.ENOTFOUND, "transfer not found")
		}
		id, err := s.resolveTxnID(ctx, tx, userID, txnID)
		if err != nil {
			return tally.Errorf(tally.ENOTFOUND, "transfer not found")
		}
		txnID = strconv.FormatInt(id, 10)
		var p tally.TransferPair
		err = tx.QueryRowContext(ctx, s.q(`SELECT id, out_id, in_id, out_category, out_source, in_category, in_source FROM transfer_pairs
			WHERE user_id = ? AND (out_id = ? OR in_id = ?) AND status = 'linked'`+s.forUpdate()), userID, txnID, txnID).
			Scan(&p.ID, &p.OutID, &p.InID, &p.OutCategory, &p.OutSource, &p.InCategory, &p.InSource)
		if err != nil {
			return notFound(err, "transfer")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE transfer_pairs SET status = 'unlinked', unlinked_at = ? WHERE user_id = ? AND id = ?`),
			s.now(), userID, p.ID); err != nil {
			return fmt.Errorf("store: unlink transfer: %w", err)
		}
		d := deltas{}
		for _, side := range []struct{ id, category, source string }{{p.OutID, p.OutCategory, p.OutSource}, {p.InID, p.InCategory, p.InSource}} {
			sid, err := strconv.ParseInt(side.id, 10, 64)
			if err != nil {
				continue // names no row
			}
			t, err := s.lockRow(ctx, tx, userID, num, sid)
			if err == sql.ErrNoRows {
				continue // deleted with its account
			}
			if err != nil {
				return fmt.Errorf("store: unlink transfer: %w", err)
			}
			if t.CategorySource != tally.SourceTransfer {
				continue // the user filed it by hand since, or matching did not move it
			}
			if err := s.setRowCategory(ctx, tx, num, sid, side.category, side.source); err != nil {
				return fmt.Errorf("store: unlink transfer: %w", err)
			}
			d.add(t.Month(), t.Category, t.Currency, -t.Amount, -1)
			d.add(t.Month(), side.category, t.Currency, t.Amount, 1)
			// Back out of the transfer categories, the side may belong to
			// a series.
			if err := s.markInsightChanges(ctx, tx, userID, changeSet{{"", t.Merchant}: {Merchant: t.Merchant}}); err != nil {
				return err
			}
		}
		ds := d.list()
		if err := s.addTotals(ctx, tx, userID, ds); err != nil {
			return err
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds))
	})
}

// unpairConnection, inside the transaction deleting connection
// connectionID, deletes the transfer pairs with a side in its accounts and
// puts each surviving side of a linked pair back in the category it had
// before matching (unless the user filed it by hand since), moving the
// monthly totals with it.
func (s *Store) unpairConnection(ctx context.Context, tx *sql.Tx, userID, connectionID string) error {
	deleted, err := s.queryAccountIDs(ctx, tx, userID, connectionID)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT p.id, p.out_id, p.in_id, p.out_category, p.out_source, p.in_category, p.in_source, p.status,
		COALESCE(o.account_id, ''), COALESCE(i.account_id, '')
		FROM transfer_pairs p
		LEFT JOIN transactions o ON o.user_id = p.user_id AND o.id = p.out_id
		LEFT JOIN transactions i ON i.user_id = p.user_id AND i.id = p.in_id
		WHERE p.user_id = ? AND (o.account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?)
			OR i.account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?))`),
		userID, userID, connectionID, userID, connectionID)
	if err != nil {
		return fmt.Errorf("store: unpair connection: %w", err)
	}
	type restore struct{ id, category, source string }
	var pairIDs []string
	var survivors []restore
	for rows.Next() {
		var p tally.TransferPair
		var outAcct, inAcct string
		if err := rows.Scan(&p.ID, &p.OutID, &p.InID, &p.OutCategory, &p.OutSource, &p.InCategory, &p.InSource, &p.Status, &outAcct, &inAcct); err != nil {
			rows.Close()
			return fmt.Errorf("store: unpair connection: %w", err)
		}
		pairIDs = append(pairIDs, p.ID)
		if p.Status != tally.TransferLinked {
			continue
		}
		switch {
		case !deleted[outAcct] && outAcct != "":
			survivors = append(survivors, restore{p.OutID, p.OutCategory, p.OutSource})
		case !deleted[inAcct] && inAcct != "":
			survivors = append(survivors, restore{p.InID, p.InCategory, p.InSource})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unpair connection: %w", err)
	}
	d := deltas{}
	num, _, err := s.lookupUserNum(ctx, tx, userID)
	if err != nil {
		return err
	}
	for _, r := range survivors {
		sid, err := strconv.ParseInt(r.id, 10, 64)
		if err != nil {
			continue
		}
		t, err := s.lockRow(ctx, tx, userID, num, sid)
		if err != nil || t.CategorySource != tally.SourceTransfer {
			continue
		}
		if err := s.setRowCategory(ctx, tx, num, sid, r.category, r.source); err != nil {
			return fmt.Errorf("store: unpair connection: %w", err)
		}
		d.add(t.Month(), t.Category, t.Currency, -t.Amount, -1)
		d.add(t.Month(), r.category, t.Currency, t.Amount, 1)
	}
	for len(pairIDs) > 0 {
		n := min(len(pairIDs), 400)
		args := []any{userID}
		for _, id := range pairIDs[:n] {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM transfer_pairs WHERE user_id = ? AND id IN (`+placeholders(n)+`)`), args...); err != nil {
			return fmt.Errorf("store: unpair connection: %w", err)
		}
		pairIDs = pairIDs[n:]
	}
	ds := d.list()
	if err := s.addTotals(ctx, tx, userID, ds); err != nil {
		return err
	}
	return s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds))
}

// queryAccountIDs returns the ids of a connection's accounts.
func (s *Store) queryAccountIDs(ctx context.Context, tx *sql.Tx, userID, connectionID string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?`), userID, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: unpair connection: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unpair connection: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
