package ingest

import (
	"context"
	gosync "sync"
	"time"

	"github.com/tallyhq/tally"
)

// CrowdRefresh is how long the in-memory crowd categories are used before
// they are read from the database again.
const CrowdRefresh = time.Minute

// crowdCache holds every seller's crowd category, shared by all syncs of a
// process, so categorizing a transaction never waits on the database.
type crowdCache struct {
	mu     gosync.Mutex
	loaded time.Time
	m      map[string]string // seller key -> category
}

// crowdCategories returns the crowd categories, reading them again when the
// copy is older than CrowdRefresh. When the read fails it keeps the old copy
// (crowd categories only refine the dictionary).
func (s *Service) crowdCategories(ctx context.Context) map[string]string {
	c := &s.crowd
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.m != nil && now.Sub(c.loaded) < CrowdRefresh && !now.Before(c.loaded) {
		return c.m
	}
	m, err := s.Store.CrowdCategories(ctx)
	if err != nil {
		s.logger().WarnContext(ctx, "load crowd categories", "error", err)
		if c.m == nil {
			return map[string]string{}
		}
		return c.m
	}
	c.m, c.loaded = m, now
	return m
}

// overrides are what beats the engine for one user's sync: their rules, then
// the crowd's categories.
type overrides struct {
	rules map[string]string
	crowd map[string]string
	votes map[string]string // the user's own choices: the crowd does not overrule them
}

// overridesFor loads the user's rules (one query) and the cached crowd
// categories.
func (s *Service) overridesFor(ctx context.Context, userID string) (overrides, error) {
	rules, err := s.Store.RuleCategories(ctx, userID)
	if err != nil {
		return overrides{}, err
	}
	votes, err := s.Store.VoteCategories(ctx, userID)
	if err != nil {
		return overrides{}, err
	}
	return overrides{rules: rules, crowd: s.crowdCategories(ctx), votes: votes}, nil
}

// apply files t, whose seller key is key, by the user's rule or the crowd.
func (o overrides) apply(t *tally.Transaction, key string) {
	if key == "" {
		return
	}
	if c, ok := o.rules[key]; ok {
		t.Category, t.CategorySource = c, tally.SourceRule
		return
	}
	if c, ok := o.crowd[key]; ok {
		if v, voted := o.votes[key]; voted && v != c {
			return
		}
		t.Category, t.CategorySource = c, tally.SourceCrowd
	}
}
