package insight_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/store"
)

// state is what passes leave behind for a user, in a comparable form:
// series (without ids and times), paired transactions and daily balances.
func state(t *testing.T, w *world, userID string, from, to time.Time) (series, pairs, balances string) {
	t.Helper()
	ctx := context.Background()
	rs, err := w.st.RecurringSeries(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	var ss []string
	for _, r := range rs {
		ss = append(ss, fmt.Sprintf("%s %s %s %s %d/%d/%d %s..%s next %s n=%d c=%d %s", r.Key, r.Category, r.Kind, r.Cadence, r.Amount, r.Previous, r.Usual,
			r.FirstDate.Format(tally.DateLayout), r.LastDate.Format(tally.DateLayout), r.NextDate.Format(tally.DateLayout), r.Count, r.Confidence, r.State))
	}
	sort.Strings(ss)
	paired, err := w.st.PairedTransactionIDs(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	var ps []string
	for id := range paired {
		ps = append(ps, id)
	}
	sort.Strings(ps)
	bs, err := w.st.Balances(ctx, userID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var bl []string
	for id, rows := range bs {
		for _, b := range rows {
			bl = append(bl, fmt.Sprintf("%s %s %d %s", id, b.Day.Format(tally.DateLayout), b.Balance, b.Source))
		}
	}
	sort.Strings(bl)
	return strings.Join(ss, "\n"), strings.Join(ps, " "), strings.Join(bl, "\n")
}

// A pass that reads only what changed leaves what a pass over the whole
// history leaves: the demo bank's labeled logins synced a month ago and
// again today (new charges of existing series, new transfers, a new
// statement balance), each followed by a pass.
func TestChangesPassEqualsWholePass(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	for _, login := range []string{"insight-alice", "insight-bob", "demo"} {
		t.Run(login, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := newWorld(t, now.AddDate(0, -1, 0))
			// No whole pass on its own during the month.
			pass := &insight.Service{Store: w.st, Now: func() time.Time { return w.now }, FullEvery: 365 * 24 * time.Hour}
			u, err := w.st.CreateUser(ctx, login+"@example.com", "hash")
			if err != nil {
				t.Fatal(err)
			}
			conn, _, err := w.sync.Connect(ctx, u.ID, ingest.ConnectRequest{Kind: tally.ConnectionOFX, URL: w.url, Login: login, Password: "pw"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.sync.Sync(ctx, u.ID, conn.ID); err != nil {
				t.Fatal(err)
			}
			first, err := pass.Run(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !first.Full {
				t.Fatal("the first pass should read the whole history")
			}
			// A sync and a pass every day for a month.
			linked, redetected := 0, 0
			for w.now.Before(now) {
				w.now = w.now.AddDate(0, 0, 1)
				if _, err := w.sync.Sync(ctx, u.ID, conn.ID); err != nil {
					t.Fatal(err)
				}
				res, err := pass.Run(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if res.Full {
					t.Fatalf("%s: the pass after a sync read the whole history, want only what changed", w.now.Format(tally.DateLayout))
				}
				if len(res.Found) >= first.Series {
					t.Errorf("%s: the pass detected %d series of %d stored, want only the changed sellers'", w.now.Format(tally.DateLayout), len(res.Found), first.Series)
				}
				linked += res.Linked
				redetected += len(res.Found)
			}
			t.Logf("%s: first pass %d series, %d pairs; the month's passes linked %d pairs and detected %d series again",
				login, first.Series, first.Linked, linked, redetected)
			from, to := now.AddDate(0, -HistoryMonthsForTest, 0), now
			series, pairs, balances := state(t, w, u.ID, from, to)

			all, err := pass.RunAll(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if all.Linked != 0 {
				t.Errorf("a whole pass after the changes pass linked %d more pairs, want none", all.Linked)
			}
			series2, pairs2, balances2 := state(t, w, u.ID, from, to)
			if series != series2 {
				t.Errorf("series after the changes pass:\n%s\nafter a whole pass:\n%s", series, series2)
			}
			if pairs != pairs2 {
				t.Errorf("paired transactions differ: %d after the changes pass, %d after a whole pass", len(strings.Fields(pairs)), len(strings.Fields(pairs2)))
			}
			if balances != balances2 {
				t.Errorf("daily balances differ between the changes pass and a whole pass")
			}
		})
	}
}

// HistoryMonthsForTest is the window the comparison covers.
const HistoryMonthsForTest = insight.HistoryMonths

// What no new transaction shows still reaches the passes: a charge of a
// series filed by hand under another category is seen by the next pass
// (which reads that seller, not the whole history), and removing a
// connection makes the next pass read the whole history, so its series go.
func TestChangesPassSeesRefilingAndRemovals(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	w := newWorld(t, now)
	ctx := context.Background()
	pass := &insight.Service{Store: w.st, Now: func() time.Time { return now }}
	u, err := w.st.CreateUser(ctx, "refile@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := w.sync.Connect(ctx, u.ID, ingest.ConnectRequest{Kind: tally.ConnectionOFX, URL: w.url, Login: "insight-carol", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.sync.Sync(ctx, u.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	first, err := pass.Run(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The latest charge of a monthly subscription, filed by hand.
	var sub *recurringSeriesOf
	for i := range first.Found {
		s := &first.Found[i]
		if s.Kind == "subscription" && s.Cadence == "monthly" && s.State == "active" {
			sub = &recurringSeriesOf{key: s.Key, last: s.TxnIDs[len(s.TxnIDs)-1], category: s.Category}
			break
		}
	}
	if sub == nil {
		t.Fatal("no active monthly subscription detected")
	}
	refiled := "entertainment"
	if sub.category == refiled {
		refiled = "education"
	}
	if _, _, _, err := w.st.RecategorizeCounted(ctx, u.ID, sub.last, refiled, store.CategoryChange{}); err != nil {
		t.Fatal(err)
	}
	res, err := pass.Run(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Full || len(res.Found) == 0 || len(res.Found) >= first.Series {
		t.Fatalf("pass after a re-filing: full %v, %d series detected of %d, want only the seller's", res.Full, len(res.Found), first.Series)
	}
	stored, err := w.st.RecurringSeries(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range stored {
		if r.Key == sub.key && r.Category != refiled {
			t.Errorf("series %s: category %s, want %s, its latest charge's filing", r.Key, r.Category, refiled)
		}
	}

	if _, err := w.st.DeleteConnection(ctx, u.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	res, err = pass.Run(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Full || res.Series != 0 {
		t.Fatalf("pass after removing the connection: full %v, %d series stored; want a whole pass and none", res.Full, res.Series)
	}
}

type recurringSeriesOf struct{ key, last, category string }
