package jobs

import (
	"context"
	"hash/fnv"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/store"
)

// Daily refresh defaults.
const (
	// DefaultRefreshCap is how many syncs of one institution (URL host) the
	// daily refresh schedules per hour.
	DefaultRefreshCap = 200
	// refreshDueAge: a connection is refreshed in its hour of the day once
	// its last success is this old (a sync the user asked for a few hours
	// before its hour is enough for the day).
	refreshDueAge = 20 * time.Hour
	// refreshOverdueAge: a connection that missed its hour (the process was
	// down, or its institution's cap was full) is refreshed in any hour.
	refreshOverdueAge = 36 * time.Hour
	refreshPage       = 1000
)

// RefreshArgs is the hourly job that schedules the daily refresh.
type RefreshArgs struct{}

// Kind is the job's stable name.
func (RefreshArgs) Kind() string { return "refresh_due" }

// InsertOpts makes the hourly job unique per hour, so processes starting
// together do not schedule it twice.
func (RefreshArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// RefreshSlot is a connection's time of day for its daily refresh, derived
// from a hash of its id so refreshes spread evenly over the day and a
// connection keeps the same time every day.
func RefreshSlot(userID, connectionID string) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(connectionID))
	return time.Duration(h.Sum64()%86400) * time.Second
}

// PlannedSync is a sync the daily refresh scheduled.
type PlannedSync struct {
	UserID, ConnectionID, Host string
	At                         time.Time
	Duplicate                  bool // a sync of the connection was already queued
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.ToLower(u.Hostname())
}

// RefreshDue schedules the syncs of the hour starting at now's hour: the
// connections of users active in the last 30 days whose hour of the day
// (RefreshSlot) it is and whose last success is older than 20 hours, plus
// any overdue by 36 hours, oldest first, at most RefreshCap per institution
// host. Each is scheduled at its slot's minute within the hour. Connections
// needing attention are skipped until the user fixes them. The hourly
// periodic job calls it; tests call it with a pinned clock.
func (c *Client) RefreshDue(ctx context.Context, st *store.Store, now time.Time) ([]PlannedSync, error) {
	now = now.UTC()
	window := now.Truncate(time.Hour)
	var due []store.RefreshCandidate
	afterUser, afterID := "", ""
	for {
		page, err := st.RefreshCandidates(ctx, now.Add(-store.InactiveAfter), now.Add(-refreshDueAge), afterUser, afterID, refreshPage)
		if err != nil {
			return nil, err
		}
		for _, cand := range page {
			slotHour := int(RefreshSlot(cand.UserID, cand.ID) / time.Hour)
			overdue := cand.LastSuccessAt == nil || cand.LastSuccessAt.Before(now.Add(-refreshOverdueAge))
			if slotHour == window.Hour() || overdue {
				due = append(due, cand)
			}
		}
		if len(page) < refreshPage {
			break
		}
		afterUser, afterID = page[len(page)-1].UserID, page[len(page)-1].ID
	}
	sort.SliceStable(due, func(i, j int) bool {
		a, b := due[i].LastSuccessAt, due[j].LastSuccessAt
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		}
		return a.Before(*b)
	})
	limit := c.refreshCap
	if limit <= 0 {
		limit = DefaultRefreshCap
	}
	perHost := map[string]int{}
	var plan []PlannedSync
	var params []river.InsertManyParams
	for _, cand := range due {
		host := hostOf(cand.URL)
		if perHost[host] >= limit {
			continue
		}
		perHost[host]++
		at := window.Add(RefreshSlot(cand.UserID, cand.ID) % time.Hour)
		plan = append(plan, PlannedSync{UserID: cand.UserID, ConnectionID: cand.ID, Host: host, At: at})
		opts := SyncArgs{}.InsertOpts()
		opts.ScheduledAt = at
		params = append(params, river.InsertManyParams{Args: SyncArgs{UserID: cand.UserID, ConnectionID: cand.ID}, InsertOpts: &opts})
	}
	for i := 0; i < len(params); i += refreshPage {
		end := min(i+refreshPage, len(params))
		res, err := c.river.InsertMany(ctx, params[i:end])
		if err != nil {
			return plan, err
		}
		for j, r := range res {
			plan[i+j].Duplicate = r.UniqueSkippedAsDuplicate
		}
	}
	if len(plan) > 0 {
		c.logger.InfoContext(ctx, "daily refresh scheduled", "syncs", len(plan), "hour", window.Format(time.RFC3339), "institutions", len(perHost))
	}
	return plan, nil
}

type refreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	client *Client
	store  *store.Store
	now    func() time.Time
}

func (w *refreshWorker) Work(ctx context.Context, job *river.Job[RefreshArgs]) error {
	// The partitions of this month and the next exist before the month's
	// first write, which so never waits to create one (PostgreSQL).
	err := w.store.EnsureCurrentPartitions(ctx)
	if err == nil {
		_, err = w.client.RefreshDue(ctx, w.store, w.now())
	}
	if err != nil {
		metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
		return err
	}
	metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
	return nil
}

// topOfTheHour runs the refresh at the start of each hour.
type topOfTheHour struct{}

func (topOfTheHour) Next(t time.Time) time.Time { return t.Truncate(time.Hour).Add(time.Hour) }

func refreshPeriodic(every time.Duration) *river.PeriodicJob {
	var sched river.PeriodicSchedule = topOfTheHour{}
	if every > 0 {
		sched = river.PeriodicInterval(every)
	}
	return river.NewPeriodicJob(sched, func() (river.JobArgs, *river.InsertOpts) {
		return RefreshArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
