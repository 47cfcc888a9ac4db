package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// vote records the user's choice for a seller and recounts the seller's
// votes; when the crowd category changes it enqueues its application.
func (s *Store) vote(ctx context.Context, tx *sql.Tx, userID, merchantKey, merchant, category string) error {
	now := s.now()
	// Lock the seller's row first so that concurrent votes count in turn.
	var current string
	if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO crowd_categories (merchant_key, merchant, category, voters, updated_at) VALUES (?, ?, '', 0, ?)
		ON CONFLICT (merchant_key) DO UPDATE SET merchant = excluded.merchant RETURNING category`), merchantKey, merchant, now).Scan(&current); err != nil {
		return fmt.Errorf("store: vote: %w", err)
	}
	// A vote counts only from a voter with the seller in transactions from
	// a linked bank (files can say anything) and an account old enough;
	// the first is fixed when the vote is cast, the age when votes count.
	var linked bool
	if err := tx.QueryRowContext(ctx, s.q(`SELECT EXISTS (SELECT 1 FROM transactions t
		JOIN accounts a ON a.user_id = t.user_id AND a.id = t.account_id
		JOIN connections c ON c.user_id = a.user_id AND c.id = a.connection_id
		WHERE t.user_id = ? AND t.merchant_key IN (?, ?) AND c.kind <> ?)`), userID, merchantKey, legacyKey(merchant), tally.ConnectionFile).Scan(&linked); err != nil {
		return fmt.Errorf("store: vote: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO crowd_votes (merchant_key, user_id, merchant, category, voted_at, linked_history) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (merchant_key, user_id) DO UPDATE SET merchant = excluded.merchant, category = excluded.category, voted_at = excluded.voted_at,
		linked_history = excluded.linked_history`),
		merchantKey, userID, merchant, category, now, linked); err != nil {
		return fmt.Errorf("store: vote: %w", err)
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT v.category, COUNT(*) FROM crowd_votes v JOIN users u ON u.id = v.user_id
		WHERE v.merchant_key = ? AND v.linked_history AND u.created_at <= ? GROUP BY v.category`), merchantKey, now.Add(-categorize.CrowdMinAge))
	if err != nil {
		return fmt.Errorf("store: count votes: %w", err)
	}
	counts := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			rows.Close()
			return fmt.Errorf("store: count votes: %w", err)
		}
		counts[c] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: count votes: %w", err)
	}
	var users int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM (SELECT DISTINCT m.user_id FROM merchants m JOIN user_keys k ON k.user_id = m.user_id
		WHERE m.merchant_key IN (?, ?) AND EXISTS (SELECT 1 FROM transaction_rows t WHERE t.user_num = k.num AND t.merchant_id = m.id) LIMIT ?) x`),
		merchantKey, legacyKey(merchant), categorize.CrowdUsersCap).Scan(&users); err != nil {
		return fmt.Errorf("store: count seller users: %w", err)
	}
	winner, voters := categorize.CrowdConsensus(counts, users)
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE crowd_categories SET category = ?, voters = ?, updated_at = ? WHERE merchant_key = ?`),
		winner, voters, now, merchantKey); err != nil {
		return fmt.Errorf("store: vote: %w", err)
	}
	if winner == current || winner == "" {
		// No consensus any more leaves past transactions where the last
		// consensus put them; new ones get the engine's category again.
		return nil
	}
	return s.jobs.EnqueueCrowdApplyTx(ctx, tx, merchantKey)
}

// ApplyCrowd files every user's transactions of the seller under its crowd
// category, except those set by hand or by the user's own rule, moving
// monthly totals in the same transaction. It is safe to run twice; it
// returns how many transactions changed.
func (s *Store) ApplyCrowd(ctx context.Context, merchantKey string) (int, error) {
	var n int
	if err := s.seedCodes(ctx); err != nil {
		return 0, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockKey(ctx, tx, "crowd:"+merchantKey); err != nil {
			return err
		}
		var err error
		n, err = s.applyCrowd(ctx, tx, merchantKey)
		return err
	})
	return n, err
}

func (s *Store) applyCrowd(ctx context.Context, tx *sql.Tx, merchantKey string) (int, error) {
	var merchant, category string
	// No lock on the seller's row: a vote locks it before the transaction
	// it changes, this job the other way round. A vote that changes the
	// category again enqueues another run, which applies the newer one.
	err := tx.QueryRowContext(ctx, s.q(`SELECT merchant, category FROM crowd_categories WHERE merchant_key = ?`), merchantKey).Scan(&merchant, &category)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return 0, fmt.Errorf("store: apply crowd category: %w", err)
	}
	if category == "" {
		return 0, nil
	}
	// A user who chose another category for the seller keeps their own
	// choice: the crowd leaves their transactions alone.
	n, err := s.refile(ctx, tx, `m.merchant_key IN (?, ?) AND m.user_id NOT IN (SELECT user_id FROM crowd_votes WHERE merchant_key = ? AND category <> ?)`,
		[]any{merchantKey, legacyKey(merchant), merchantKey, category}, []string{tally.SourceManual, tally.SourceRule}, category, tally.SourceCrowd)
	if err != nil {
		return 0, fmt.Errorf("store: apply crowd category: %w", err)
	}
	return n, nil
}

// CrowdCategory is a seller's crowd category and how many users chose it.
type CrowdCategory struct {
	MerchantKey string
	Merchant    string
	Category    string
	Voters      int
}

// CrowdCategories returns every seller's crowd category as seller key to
// category, for the sync's in-memory cache.
func (s *Store) CrowdCategories(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT merchant_key, category FROM crowd_categories WHERE category <> ''`)
	if err != nil {
		return nil, fmt.Errorf("store: crowd categories: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return nil, fmt.Errorf("store: crowd categories: %w", err)
		}
		m[k] = c
	}
	return m, rows.Err()
}

// CrowdCategoryOf returns a seller's crowd category, ENOTFOUND when there is
// none.
func (s *Store) CrowdCategoryOf(ctx context.Context, merchantKey string) (*CrowdCategory, error) {
	c := CrowdCategory{MerchantKey: merchantKey}
	err := s.db.Reader().QueryRowContext(ctx, s.q(`SELECT merchant, category, voters FROM crowd_categories WHERE merchant_key = ? AND category <> ''`), merchantKey).
		Scan(&c.Merchant, &c.Category, &c.Voters)
	if err != nil {
		return nil, notFound(err, "crowd category")
	}
	return &c, nil
}

// VoteCategories returns the categories the user chose for sellers, as
// seller key to category: where the crowd disagrees, the user's own choice
// wins for their transactions.
func (s *Store) VoteCategories(ctx context.Context, userID string) (map[string]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT merchant_key, category FROM crowd_votes WHERE user_id = ?`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: vote categories: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return nil, fmt.Errorf("store: vote categories: %w", err)
		}
		m[k] = c
	}
	return m, rows.Err()
}
