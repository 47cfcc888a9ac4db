package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// resentWindowDays is how far apart two posting dates of one line can be
// for a FITID sent again under another date to be the line already stored
// (ADR 0008, "Deduplication"). Institutions re-date a line they send again
// when it moves from the authorization or transaction date to the posting
// date (card purchases post one to three business days later, up to six
// calendar days over a long weekend), or when a posting date is corrected
// after a holiday; foreign card purchases settle within about a week.
// Ten days covers these. The amount must match too, so a FITID an
// institution reuses for another purchase (some number lines per
// statement) is a new line unless it has the same amount within ten days.
const resentWindowDays = 10

type resentKey struct {
	account int64
	fitid   string
	amount  int64
}

type resentDay struct {
	day     int64 // days since 1970-01-01
	pending bool
}

// keepNotResent returns the positions in txns of the lines to insert:
// every line except those whose FITID, in the same account and with the
// same amount, is already stored, or comes earlier in txns, under another
// posting date at most resentWindowDays away. A line with the same date is
// left to the dedupe key (ON CONFLICT DO NOTHING). A pending row stored
// under the FITID does not hold back the posted line: the pending-to-posted
// replacement removes it. Lines without a FITID carry a content id that
// names their date ("h:..."), so they never match under another date, and
// identical purchases on one day are both kept.
//
// It runs inside the chunk's transaction, after lockAccounts, with one
// query for the chunk: the stored rows of the chunk's accounts whose
// external id is one of the chunk's FITIDs, within the window around the
// chunk's dates. A probe of the primary key first finds the first and last
// day stored in that window, so the query looks up only the FITIDs of
// lines within ten days of those, and is not run when the window holds
// nothing: a statement's chunks then look up only the days where each
// meets the one before, not their every line. On PostgreSQL it first takes
// a lock per account whose FITIDs the chunk carries, so two writes of one
// account's re-dated line at once store it once.
func (s *Store) keepNotResent(ctx context.Context, tx *sql.Tx, userID string, txns []*tally.Transaction, k *rowKeys) ([]int, error) {
	keep := make([]int, 0, len(txns))
	days := make([]int64, len(txns)) // of the lines with a FITID
	accounts := map[int64]string{}
	var lo, hi int64
	withFITID := 0
	for i, t := range txns {
		keep = append(keep, i)
		if !hasFITID(t) {
			continue
		}
		d := dayNumber(t.PostedOn)
		days[i] = d
		if withFITID == 0 || d < lo {
			lo = d
		}
		if withFITID == 0 || d > hi {
			hi = d
		}
		withFITID++
		accounts[k.accounts[t.AccountID]] = t.AccountID
	}
	if withFITID == 0 {
		return keep, nil
	}
	nums := make([]int64, 0, len(accounts))
	for n := range accounts {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(a, b int) bool { return nums[a] < nums[b] })
	for _, n := range nums {
		if err := s.lockKey(ctx, tx, "fitids:"+userID+":"+accounts[n]); err != nil {
			return nil, err
		}
	}

	from := epoch.AddDate(0, 0, int(lo-resentWindowDays)).Format(tally.DateLayout)
	to := epoch.AddDate(0, 0, int(hi+resentWindowDays)).Format(tally.DateLayout)
	first, last, stored, err := s.storedSpan(ctx, tx, k.user, nums, from, to)
	if err != nil {
		return nil, err
	}
	var fitids []string // of the lines that may be stored under another day
	if stored {
		for i, t := range txns {
			if hasFITID(t) && days[i] >= first-resentWindowDays && days[i] <= last+resentWindowDays {
				fitids = append(fitids, t.ExternalID)
			}
		}
	}
	var rows *sql.Rows // nil when no line is near a stored one
	switch {
	case len(fitids) == 0:
	case s.db.Dialect == sqldb.Postgres:
		rows, err = tx.QueryContext(ctx, `SELECT account_num, external_id, amount, posted_on - DATE '1970-01-01', pending FROM transaction_rows
			WHERE user_num = $1 AND account_num = ANY($2) AND external_id = ANY($3) AND posted_on BETWEEN $4 AND $5`,
			k.user, nums, fitids, from, to)
	default:
		numsJSON, _ := json.Marshal(nums)
		fitidsJSON, _ := json.Marshal(fitids)
		rows, err = tx.QueryContext(ctx, `SELECT account_num, external_id, amount, CAST(julianday(posted_on) - 2440587.5 AS INTEGER), pending FROM transaction_rows
			WHERE user_num = ? AND account_num IN (SELECT value FROM json_each(?)) AND external_id IN (SELECT value FROM json_each(?))
			AND posted_on BETWEEN ? AND ?`, k.user, string(numsJSON), string(fitidsJSON), from, to)
	}
	if err != nil {
		return nil, fmt.Errorf("store: re-dated lines: %w", err)
	}
	// Every line with a FITID is added to seen, most under a key of their
	// own: their first days share one array instead of a slice each.
	seen := make(map[resentKey][]resentDay, withFITID)
	firsts := make([]resentDay, 0, withFITID)
	see := func(key resentKey, d resentDay) {
		if l, ok := seen[key]; ok {
			seen[key] = append(l, d)
			return
		}
		firsts = append(firsts, d)
		seen[key] = firsts[len(firsts)-1 : len(firsts) : len(firsts)]
	}
	if rows != nil {
		for rows.Next() {
			var key resentKey
			var d resentDay
			if err := rows.Scan(&key.account, &key.fitid, &key.amount, &d.day, &d.pending); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: re-dated lines: %w", err)
			}
			see(key, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: re-dated lines: %w", err)
		}
	}

	keep = keep[:0]
lines:
	for i, t := range txns {
		if !hasFITID(t) {
			keep = append(keep, i)
			continue
		}
		key := resentKey{k.accounts[t.AccountID], t.ExternalID, t.Amount}
		d := days[i]
		for _, o := range seen[key] {
			if o.day != d && abs(o.day-d) <= resentWindowDays && !(o.pending && !t.Pending) {
				continue lines
			}
		}
		see(key, resentDay{d, t.Pending})
		keep = append(keep, i)
	}
	return keep, nil
}

// hasFITID reports whether t's external id is its institution's FITID;
// content ids ("h:...") name their date, so they never match another day.
func hasFITID(t *tally.Transaction) bool {
	return t.ExternalID != "" && !strings.HasPrefix(t.ExternalID, "h:")
}

// storedSpan returns the first and last day (days since 1970-01-01) on
// which the user has a row stored in one of the accounts numbered nums,
// between from and to (dates as text), and false when there is none: each
// end is one probe of the primary key (user_num, posted_on, id).
func (s *Store) storedSpan(ctx context.Context, tx *sql.Tx, user int64, nums []int64, from, to string) (first, last int64, ok bool, err error) {
	args := make([]any, 0, 3+len(nums))
	args = append(args, user, from, to)
	var in strings.Builder
	for i, n := range nums {
		if i > 0 {
			in.WriteByte(',')
		}
		in.WriteByte('?')
		args = append(args, n)
	}
	day := "CAST(julianday(%s) - 2440587.5 AS INTEGER)"
	if s.db.Dialect == sqldb.Postgres {
		day = "%s - DATE '1970-01-01'"
	}
	var f, l sql.NullInt64
	err = tx.QueryRowContext(ctx, s.q(`SELECT `+fmt.Sprintf(day, "MIN(posted_on)")+`, `+fmt.Sprintf(day, "MAX(posted_on)")+`
		FROM transaction_rows WHERE user_num = ? AND posted_on BETWEEN ? AND ? AND account_num IN (`+in.String()+`)`), args...).Scan(&f, &l)
	if err != nil {
		return 0, 0, false, fmt.Errorf("store: re-dated lines: %w", err)
	}
	return f.Int64, l.Int64, f.Valid && l.Valid, nil
}

func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return int64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(epoch) / (24 * time.Hour))
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
