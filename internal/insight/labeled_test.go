package insight_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// world is a store, the demo bank and a sync service on a pinned clock.
type world struct {
	st   *store.Store
	bank *demobank.Bank
	sync *ingest.Service
	url  string
	now  time.Time
}

func newWorld(t *testing.T, now time.Time) *world {
	t.Helper()
	w := &world{now: now, bank: demobank.New()}
	w.bank.Now = func() time.Time { return w.now }
	srv := httptest.NewServer(w.bank)
	t.Cleanup(srv.Close)
	w.url = srv.URL + "/ofx"
	w.st = store.New(sqldbtest.Open(t), store.NoJobs{})
	w.st.Now = func() time.Time { return w.now }
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	w.sync = &ingest.Service{Store: w.st, Blobs: blobs, Box: box, Categorize: categorize.New(), Now: func() time.Time { return w.now }, HTTP: outbound.Loopback().Client(0)}
	return w
}

// link creates a user, connects login at the demo bank and syncs it.
func (w *world) link(t *testing.T, email, login string) *tally.User {
	t.Helper()
	ctx := context.Background()
	u, err := w.st.CreateUser(ctx, email, "hash")
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
	return u
}

// fitids maps the user's transaction ids to the bank's FITIDs.
func (w *world) fitids(t *testing.T, userID string) map[string]string {
	t.Helper()
	rows, err := w.st.InsightTransactions(context.Background(), userID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.ID] = r.ExternalID
	}
	return out
}

// The labeled set: the demo bank's insight- history through the real sync,
// categorizer and pass, scored against what is true about it.
func TestLabeledSetPrecisionRecall(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	w := newWorld(t, now)
	var recP, recR, trP, trR []float64
	for _, login := range []string{"insight-alice", "insight-bob", "insight-carol"} {
		u := w.link(t, login+"@example.com", login)
		res, err := (&insight.Service{Store: w.st, Now: func() time.Time { return now }}).Run(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, labels := demobank.InsightHistory(login, now)
		fit := w.fitids(t, u.ID)

		// Recurring: a detected series is right when 80 % of its lines
		// belong to one true series; a true series is found when right
		// detections cover half its lines.
		owner := map[string]string{}
		for _, s := range labels.Series {
			for _, id := range s.FITIDs {
				owner[id] = s.Name
			}
		}
		right := 0
		covered := map[string]int{}
		for _, s := range res.Found {
			votes := map[string]int{}
			for _, id := range s.TxnIDs {
				votes[owner[fit[id]]]++
			}
			best, n := "", 0
			for name, v := range votes {
				if v > n {
					best, n = name, v
				}
			}
			if best != "" && n*5 >= len(s.TxnIDs)*4 {
				right++
				covered[best] += n
			} else {
				t.Logf("%s: not a true series: %s %s %s, %d lines", login, s.Merchant, s.Cadence, s.Kind, s.Count())
			}
		}
		found := 0
		for _, s := range labels.Series {
			if covered[s.Name]*2 >= len(s.FITIDs) {
				found++
			} else {
				t.Logf("%s: missed %s (%s, %d lines)", login, s.Name, s.Cadence, len(s.FITIDs))
			}
		}
		recP = append(recP, ratio(right, len(res.Found)))
		recR = append(recR, ratio(found, len(labels.Series)))

		// Transfers.
		truth := map[[2]string]bool{}
		for _, p := range labels.Transfers {
			truth[[2]string{p.Out, p.In}] = true
		}
		good := 0
		for _, p := range res.Pairs {
			if truth[[2]string{fit[p.OutID], fit[p.InID]}] {
				good++
			} else {
				t.Logf("%s: wrong transfer %s -> %s", login, fit[p.OutID], fit[p.InID])
			}
		}
		trP = append(trP, ratio(good, len(res.Pairs)))
		trR = append(trR, ratio(good, len(labels.Transfers)))
		t.Logf("%s: %d series detected, %d true; %d pairs linked, %d true", login, len(res.Found), len(labels.Series), len(res.Pairs), len(labels.Transfers))
	}
	rp, rr, tp, tr := mean(recP), mean(recR), mean(trP), mean(trR)
	t.Logf("recurring detection: precision %.3f, recall %.3f", rp, rr)
	t.Logf("transfer matching:   precision %.3f, recall %.3f", tp, tr)
	if rp < 0.95 || rr < 0.90 {
		t.Errorf("recurring detection: precision %.3f recall %.3f, want >= 0.95 and >= 0.90", rp, rr)
	}
	if tp < 0.99 {
		t.Errorf("transfer matching: precision %.3f, want >= 0.99", tp)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
