package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// CategoryChange is what else a manual recategorization does, in the same
// database transaction.
type CategoryChange struct {
	// MerchantKey is the transaction's seller as the categorizer knows it
	// ("" when the line names no seller: then there is no rule or vote).
	MerchantKey string
	// Rule makes a rule of the choice for every transaction of the seller.
	Rule bool
	// Vote counts the choice towards the seller's crowd category; set it
	// only for sellers that are not in the dictionary.
	Vote bool
}

// Recategorize files one of the user's transactions under category by hand:
// its source becomes manual, final for automation; its amount moves between
// the two categories' monthly totals and a budget check of its month is
// enqueued, all in one transaction, where a rule is also made and a crowd
// vote recorded when ch asks for them. It returns the transaction and
// the rule (nil when none was made).
func (s *Store) Recategorize(ctx context.Context, userID, id, category string, ch CategoryChange) (*tally.Transaction, *tally.Rule, error) {
	t, rule, _, err := s.RecategorizeCounted(ctx, userID, id, category, ch)
	return t, rule, err
}

// RecategorizeCounted is Recategorize that also returns how many other
// transactions of the seller the rule re-filed.
func (s *Store) RecategorizeCounted(ctx context.Context, userID, id, category string, ch CategoryChange) (*tally.Transaction, *tally.Rule, int, error) {
	var applied int
	var out *tally.Transaction
	var rule *tally.Rule
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		out, rule, applied = nil, nil, 0
		// A rule or a vote re-files many transactions. Writers that do so
		// for one seller go one at a time, taking that lock before any row,
		// so two of them never hold rows the other needs.
		if ch.MerchantKey != "" && ch.Vote {
			if err := s.lockKey(ctx, tx, "crowd:"+ch.MerchantKey); err != nil {
				return err
			}
		}
		if ch.MerchantKey != "" && ch.Rule {
			if err := s.lockKey(ctx, tx, "rule:"+userID+":"+ch.MerchantKey); err != nil {
				return err
			}
		}
		t, err := scanTxn(tx.QueryRowContext(ctx, s.q(`SELECT `+txnColumns+` FROM transactions WHERE user_id = ? AND id = ?`+s.forUpdate()), userID, id))
		if err != nil {
			return notFound(err, "transaction")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE transactions SET category = ?, category_source = ? WHERE user_id = ? AND id = ?`),
			category, tally.SourceManual, userID, id); err != nil {
			return fmt.Errorf("store: set category: %w", err)
		}
		if t.Category != category {
			d := deltas{}
			d.add(t.Month(), t.Category, t.Currency, -t.Amount, -1)
			d.add(t.Month(), category, t.Currency, t.Amount, 1)
			ds := d.list()
			if err := s.addTotals(ctx, tx, userID, ds); err != nil {
				return err
			}
			if err := s.enqueueBudgetChecks(ctx, tx, userID, s.recentMonths(ds)); err != nil {
				return err
			}
		}
		t.Category, t.CategorySource = category, tally.SourceManual
		out = t
		// The seller's series take the new filing at the next pass.
		if err := s.markInsightChanges(ctx, tx, userID, changeSet{{"", t.Merchant}: {Merchant: t.Merchant}}); err != nil {
			return err
		}
		if ch.MerchantKey == "" {
			return nil
		}
		if ch.Vote {
			if err := s.vote(ctx, tx, userID, ch.MerchantKey, t.Merchant, category); err != nil {
				return err
			}
		}
		if ch.Rule {
			if rule, applied, err = s.putRule(ctx, tx, userID, ch.MerchantKey, t.Merchant, category); err != nil {
				return err
			}
		}
		return nil
	})
	return out, rule, applied, err
}

// PutRule makes or replaces the user's rule for a seller and, in the same
// transaction, files the user's past transactions of that seller under the
// category (all but those set by hand), moving monthly totals with them. It
// returns the rule and how many transactions it re-filed.
func (s *Store) PutRule(ctx context.Context, userID, merchantKey, merchant, category string) (*tally.Rule, int, error) {
	if _, ok := tally.LookupCategory(category); !ok {
		return nil, 0, tally.Errorf(tally.EINVALID, "category %q is not a known category id", category)
	}
	if merchantKey == "" || merchant == "" {
		return nil, 0, tally.Errorf(tally.EINVALID, "merchant names no seller")
	}
	var r *tally.Rule
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockKey(ctx, tx, "rule:"+userID+":"+merchantKey); err != nil {
			return err
		}
		s.touch(tx, userID)
		var err error
		r, n, err = s.putRule(ctx, tx, userID, merchantKey, merchant, category)
		return err
	})
	return r, n, err
}

func (s *Store) putRule(ctx context.Context, tx *sql.Tx, userID, merchantKey, merchant, category string) (*tally.Rule, int, error) {
	r := &tally.Rule{UserID: userID, ID: tally.NewID(), MerchantKey: merchantKey, Merchant: merchant, Category: category, CreatedAt: s.now()}
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO rules (user_id, id, merchant_key, merchant, category, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, merchant_key) DO UPDATE SET merchant = excluded.merchant, category = excluded.category
		RETURNING id, created_at`), r.UserID, r.ID, r.MerchantKey, r.Merchant, r.Category, r.CreatedAt).Scan(&r.ID, &r.CreatedAt)
	if err != nil {
		return nil, 0, fmt.Errorf("store: put rule: %w", err)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	n, err := s.refile(ctx, tx, `user_id = ? AND merchant_key IN (?, ?) AND category_source <> 'manual'`, []any{userID, merchantKey, legacyKey(merchant)}, category, tally.SourceRule)
	if err != nil {
		return nil, 0, fmt.Errorf("store: apply rule: %w", err)
	}
	return r, n, nil
}

// legacyKey is the merchant key of a transaction stored before keys were:
// its display name (migration 00006).
func legacyKey(merchant string) string { return "name:" + merchant }

// refile moves the transactions matching where (a predicate with args) to
// category with the given source, and moves their amounts between monthly
// totals, all inside tx. Each UPDATE returns exactly the rows it changed, so
// the totals move by what was moved even while other writers insert. It
// returns how many transactions changed category or source.
func (s *Store) refile(ctx context.Context, tx *sql.Tx, where string, args []any, category, source string) (int, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT category FROM transactions WHERE `+where+` AND category <> ?`), append(args[:len(args):len(args)], category)...)
	if err != nil {
		return 0, err
	}
	var from []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, err
		}
		from = append(from, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sort.Strings(from)
	byUser := map[string]deltas{}
	moved := 0
	for _, old := range from {
		a := append(append([]any{category, source}, args...), old)
		rows, err := tx.QueryContext(ctx, s.q(`UPDATE transactions SET category = ?, category_source = ? WHERE `+where+` AND category = ?
			RETURNING user_id, posted_on, currency, amount`), a...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var user, currency string
			var posted sqldb.Date
			var amount int64
			if err := rows.Scan(&user, &posted, &currency, &amount); err != nil {
				rows.Close()
				return 0, err
			}
			d := byUser[user]
			if d == nil {
				d = deltas{}
				byUser[user] = d
			}
			month := posted.Format(tally.MonthLayout)
			d.add(month, old, currency, -amount, -1)
			d.add(month, category, currency, amount, 1)
			moved++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	// Those already in the category only change source.
	res, err := tx.ExecContext(ctx, s.q(`UPDATE transactions SET category_source = ? WHERE `+where+` AND category = ? AND category_source <> ?`),
		append(append([]any{source}, args...), category, source)...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err == nil {
		moved += int(n)
	}
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	sort.Strings(users) // a fixed order keeps concurrent writers from deadlocking
	s.touch(tx, users...)
	for _, u := range users {
		ds := byUser[u].list()
		if err := s.addTotals(ctx, tx, u, ds); err != nil {
			return 0, err
		}
		// Spending moved between categories: check this month's budgets.
		if err := s.enqueueBudgetChecks(ctx, tx, u, s.recentMonths(ds)); err != nil {
			return 0, err
		}
	}
	return moved, nil
}

const ruleColumns = `user_id, id, merchant_key, merchant, category, created_at`

func scanRule(row interface{ Scan(...any) error }) (*tally.Rule, error) {
	var r tally.Rule
	if err := row.Scan(&r.UserID, &r.ID, &r.MerchantKey, &r.Merchant, &r.Category, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// Rule returns one of the user's rules.
func (s *Store) Rule(ctx context.Context, userID, id string) (*tally.Rule, error) {
	r, err := scanRule(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+ruleColumns+` FROM rules WHERE user_id = ? AND id = ?`), userID, id))
	if err != nil {
		return nil, notFound(err, "rule")
	}
	return r, nil
}

// RuleFor returns the user's rule for a seller.
func (s *Store) RuleFor(ctx context.Context, userID, merchantKey string) (*tally.Rule, error) {
	r, err := scanRule(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+ruleColumns+` FROM rules WHERE user_id = ? AND merchant_key = ?`), userID, merchantKey))
	if err != nil {
		return nil, notFound(err, "rule")
	}
	return r, nil
}

// Rules returns the user's rules by seller name.
func (s *Store) Rules(ctx context.Context, userID string) ([]*tally.Rule, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT `+ruleColumns+` FROM rules WHERE user_id = ? ORDER BY merchant, id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: rules: %w", err)
	}
	defer rows.Close()
	out := []*tally.Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: rules: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rules: %w", err)
	}
	return out, nil
}

// RuleCategories returns the user's rules as seller key to category, for a
// sync to apply without a query per transaction.
func (s *Store) RuleCategories(ctx context.Context, userID string) (map[string]string, error) {
	rules, err := s.Rules(ctx, userID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(rules))
	for _, r := range rules {
		m[r.MerchantKey] = r.Category
	}
	return m, nil
}

// DeleteRule deletes one of the user's rules. Transactions it filed keep
// their category: a rule's past work is not undone.
func (s *Store) DeleteRule(ctx context.Context, userID, id string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM rules WHERE user_id = ? AND id = ?`), userID, id)
	if err != nil {
		return fmt.Errorf("store: delete rule: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return tally.Errorf(tally.ENOTFOUND, "rule not found")
	}
	s.changed(ctx, userID)
	return nil
}

// MaxManualCategories bounds the filings ManualCategories reads: the user's
// most recent ones, far more than anyone files by hand.
const MaxManualCategories = 20000

// ManualCategories returns the sellers the user has filed by hand, seller
// key to the category of the most recent transaction they filed, so a sync
// or import can file new transactions of those sellers the same way without
// a query per transaction. Transactions stored before seller keys existed
// are left out (their key is only a display name).
func (s *Store) ManualCategories(ctx context.Context, userID string) (map[string]string, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT merchant_key, category FROM transactions
		WHERE user_id = ? AND category_source = 'manual' AND merchant_key <> ''
		ORDER BY posted_on DESC, id DESC LIMIT ?`), userID, MaxManualCategories)
	if err != nil {
		return nil, fmt.Errorf("store: manual categories: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return nil, fmt.Errorf("store: manual categories: %w", err)
		}
		if _, seen := m[k]; seen || strings.HasPrefix(k, "name:") {
			continue // an older filing of the seller, or a key from before 00006
		}
		m[k] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: manual categories: %w", err)
	}
	return m, nil
}
