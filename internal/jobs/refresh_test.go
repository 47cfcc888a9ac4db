package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

type refreshEnv struct {
	t      *testing.T
	st     *store.Store
	client *jobs.Client
	now    time.Time
}

func newRefreshEnv(t *testing.T, cfg jobs.Config, now time.Time) *refreshEnv {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	client, err := jobs.New(db, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &refreshEnv{t: t, client: client, now: now}
	e.st = store.New(db, client)
	e.st.Now = func() time.Time { return e.now }
	return e
}

func (e *refreshEnv) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.st.DB().Exec(e.st.DB().Rebind(query), args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

// user creates a user last active at lastActive.
func (e *refreshEnv) user(email string, lastActive time.Time) *tally.User {
	e.t.Helper()
	u, err := e.st.CreateUser(context.Background(), email, "hash")
	if err != nil {
		e.t.Fatal(err)
	}
	e.exec(`UPDATE users SET last_active_at = ? WHERE id = ?`, lastActive.UTC(), u.ID)
	u.LastActiveAt = lastActive.UTC()
	return u
}

// conn creates a connection to host that last synced at lastSuccess, with
// no job queued.
func (e *refreshEnv) conn(u *tally.User, host string, lastSuccess time.Time) string {
	e.t.Helper()
	c := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://" + host + "/ofx", Login: "l"}
	if err := e.st.CreateConnection(context.Background(), c, []byte("s"), nil); err != nil {
		e.t.Fatal(err)
	}
	e.exec(`UPDATE connections SET status = 'active', last_success_at = ? WHERE user_id = ? AND id = ?`, lastSuccess.UTC(), u.ID, c.ID)
	e.exec(`DELETE FROM river_job`)
	return c.ID
}

func (e *refreshEnv) queued() int {
	e.t.Helper()
	var n int
	if err := e.st.DB().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync'`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *refreshEnv) refresh() []jobs.PlannedSync {
	e.t.Helper()
	plan, err := e.client.RefreshDue(context.Background(), e.st, e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	return plan
}

// synced marks the planned syncs done at their time and their jobs gone.
func (e *refreshEnv) synced(plan []jobs.PlannedSync) {
	for _, p := range plan {
		e.exec(`UPDATE connections SET last_success_at = ? WHERE user_id = ? AND id = ?`, p.At.Add(time.Minute).UTC(), p.UserID, p.ConnectionID)
	}
	e.exec(`DELETE FROM river_job`)
}

// Over a day of hourly runs, every connection of an active user is
// refreshed once, at its own time, spread over the day; inactive users,
// connections needing attention and uploaded files are not refreshed.
func TestDailyRefreshSpreadsOverTheDayForActiveUsers(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	e := newRefreshEnv(t, jobs.Config{}, day)
	active := e.user("active@example.com", day.Add(-48*time.Hour))
	want := map[string]bool{}
	for i := range 48 {
		id := e.conn(active, fmt.Sprintf("bank%d.test", i%4), day)
		// Yesterday's refresh ran at the connection's time.
		e.exec(`UPDATE connections SET last_success_at = ? WHERE user_id = ? AND id = ?`,
			day.Add(-24*time.Hour+jobs.RefreshSlot(active.ID, id)+2*time.Minute), active.ID, id)
		want[id] = true
	}
	broken := e.conn(active, "bank0.test", day.Add(-72*time.Hour))
	e.exec(`UPDATE connections SET status = ? WHERE id = ?`, tally.StatusNeedsAttention, broken)
	if _, err := e.st.EnsureFileConnection(context.Background(), active.ID); err != nil {
		t.Fatal(err)
	}
	away := e.user("away@example.com", day.Add(-40*24*time.Hour))
	for range 10 {
		e.conn(away, "bank0.test", day.Add(-40*24*time.Hour))
	}

	got := map[string]int{}
	perHour := make([]int, 24)
	for h := range 24 {
		e.now = day.Add(time.Duration(h)*time.Hour + 30*time.Second)
		plan := e.refresh()
		if q := e.queued(); q != len(plan) {
			t.Fatalf("hour %d: planned %d syncs, %d jobs queued", h, len(plan), q)
		}
		window := day.Add(time.Duration(h) * time.Hour)
		for _, p := range plan {
			if !want[p.ConnectionID] {
				t.Fatalf("hour %d: refreshed connection %s of user %s, which must not be", h, p.ConnectionID, p.UserID)
			}
			if p.At.Before(window) || !p.At.Before(window.Add(time.Hour)) {
				t.Errorf("hour %d: scheduled at %s, outside the hour", h, p.At)
			}
			got[p.ConnectionID]++
		}
		perHour[h] = len(plan)
		e.synced(plan)
	}
	busy, most := 0, 0
	for _, n := range perHour {
		if n > 0 {
			busy++
		}
		most = max(most, n)
	}
	for id := range want {
		if got[id] != 1 {
			t.Errorf("connection %s refreshed %d times in the day, want once", id, got[id])
		}
	}
	if busy < 12 || most > 12 {
		t.Errorf("48 refreshes fell in %d hours, at most %d in one (%v); want them spread over the day", busy, most, perHour)
	}
}

// At most RefreshCap syncs per institution are scheduled per hour; the
// rest follow in the next hours, the longest waiting first.
func TestDailyRefreshCapsEachInstitution(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 9, 0, 5, 0, time.UTC)
	e := newRefreshEnv(t, jobs.Config{RefreshCap: 10}, now)
	u := e.user("busy@example.com", now.Add(-time.Hour))
	for i := range 30 {
		e.conn(u, "big.bank.test", now.Add(-48*time.Hour-time.Duration(i)*time.Minute))
	}
	for range 6 {
		e.conn(u, "small.bank.test", now.Add(-48*time.Hour))
	}
	count := func(plan []jobs.PlannedSync) map[string]int {
		n := map[string]int{}
		for _, p := range plan {
			n[p.Host]++
		}
		return n
	}
	first := e.refresh()
	if n := count(first); n["big.bank.test"] != 10 || n["small.bank.test"] != 6 {
		t.Fatalf("first hour: %v, want 10 of the big bank and all 6 of the small one", n)
	}
	if q := e.queued(); q != 16 {
		t.Fatalf("%d jobs queued, want 16", q)
	}
	// Running again in the same hour queues nothing more.
	again := e.refresh()
	for _, p := range again {
		if !p.Duplicate {
			t.Fatalf("second run in the hour queued a new sync of %s", p.ConnectionID)
		}
	}
	if q := e.queued(); q != 16 {
		t.Fatalf("after a second run: %d jobs queued, want 16", q)
	}
	e.synced(first)
	seen := map[string]bool{}
	for _, p := range first {
		seen[p.ConnectionID] = true
	}
	for h := 1; h <= 3; h++ {
		e.now = now.Add(time.Duration(h) * time.Hour)
		plan := e.refresh()
		wantBig := 10
		if h == 3 {
			wantBig = 0
		}
		if n := count(plan); n["big.bank.test"] != wantBig || n["small.bank.test"] != 0 {
			t.Fatalf("hour %d: %v, want %d of the big bank and none of the small one", h, n, wantBig)
		}
		for _, p := range plan {
			if seen[p.ConnectionID] {
				t.Fatalf("hour %d: %s refreshed twice", h, p.ConnectionID)
			}
			seen[p.ConnectionID] = true
		}
		e.synced(plan)
	}
}

// A user back after more than 30 days gets their connections refreshed on
// their first request, once.
func TestReturningUserIsRefreshed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	e := newRefreshEnv(t, jobs.Config{}, now)
	u := e.user("back@example.com", now.Add(-45*24*time.Hour))
	a := e.conn(u, "bank.test", now.Add(-45*24*time.Hour))
	b := e.conn(u, "other.test", now.Add(-45*24*time.Hour))
	broken := e.conn(u, "bank.test", now.Add(-45*24*time.Hour))
	e.exec(`UPDATE connections SET status = ? WHERE id = ?`, tally.StatusNeedsAttention, broken)
	if _, err := e.st.EnsureFileConnection(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if plan := e.refresh(); len(plan) != 0 {
		t.Fatalf("the daily refresh planned %d syncs for a user away 45 days, want 0", len(plan))
	}
	if q := e.queued(); q != 0 {
		t.Fatalf("%d jobs queued for an inactive user", q)
	}
	for range 2 {
		if err := e.st.TouchUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if q := e.queued(); q != 2 {
		t.Fatalf("after the user came back: %d sync jobs, want 2 (%s, %s)", q, a, b)
	}
	// The same user loaded again (another request) triggers nothing more.
	again, err := e.st.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !again.LastActiveAt.Equal(now) {
		t.Fatalf("last_active_at = %s, want %s", again.LastActiveAt, now)
	}
	if err := e.st.TouchUser(ctx, again); err != nil {
		t.Fatal(err)
	}
	if q := e.queued(); q != 2 {
		t.Fatalf("after another request: %d sync jobs, want 2", q)
	}
	// The user counts as active again: the daily refresh includes them,
	// and finds their syncs already queued.
	plan := e.refresh()
	if len(plan) != 2 || !plan[0].Duplicate || !plan[1].Duplicate {
		t.Fatalf("daily refresh after return: %+v, want the 2 connections, already queued", plan)
	}
}
