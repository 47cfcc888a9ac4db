package store

import (
	"context"
	"fmt"
)

// TransferPeer is the other side of a transaction's linked transfer pair.
type TransferPeer struct {
	ID        string // the other side's transaction id
	AccountID string // its account
	Out       bool   // the transaction asked about is the outflow
}

// TransferPeerAccounts returns, for those of ids (at most 400) in a linked
// transfer pair, the other side and its account, in one statement.
func (s *Store) TransferPeerAccounts(ctx context.Context, userID string, ids []string) (map[string]TransferPeer, error) {
	out := map[string]TransferPeer{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > 400 {
		return nil, fmt.Errorf("store: transfer peer accounts: %d ids, at most 400", len(ids))
	}
	db := s.db.Reader()
	num, ok, err := s.lookupUserNum(ctx, db, userID)
	if err != nil || !ok {
		return out, err
	}
	ph := placeholders(len(ids))
	args := []any{userID}
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, userID)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, num, userID)
	// Each peer row is found by its primary key: its id names its day.
	rows, err := db.QueryContext(ctx, s.q(`SELECT x.self, x.peer_id, a.id, x.is_out FROM (
		SELECT p.out_id AS self, p.in_id AS peer_id, `+s.idNum("p.in_id")+` AS peer, 1 AS is_out FROM transfer_pairs p
		WHERE p.user_id = ? AND p.out_id IN (`+ph+`) AND p.status = 'linked'
		UNION ALL SELECT p.in_id, p.out_id, `+s.idNum("p.out_id")+`, 0 FROM transfer_pairs p
		WHERE p.user_id = ? AND p.in_id IN (`+ph+`) AND p.status = 'linked') x
		JOIN transaction_rows t ON t.user_num = ? AND t.posted_on = `+s.dayOfIDSQL("x.peer")+` AND t.id = x.peer
		JOIN accounts a ON a.user_id = ? AND a.num = t.account_num`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: transfer peer accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var p TransferPeer
		var isOut int
		if err := rows.Scan(&id, &p.ID, &p.AccountID, &isOut); err != nil {
			return nil, fmt.Errorf("store: transfer peer accounts: %w", err)
		}
		p.Out = isOut == 1
		out[id] = p
	}
	return out, rows.Err()
}
