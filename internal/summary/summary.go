// Package summary gathers what a user's home screen shows, in one read:
// balances and net worth, this month's spending per category, budgets with
// their status, the latest transactions and the unread alert count. The REST
// API's GET /api/v1/summary and the web dashboard both read it; the answer
// is cached per user (see package cache) until the user's next write.
package summary

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/networth"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// RecentTransactions is how many transactions a summary lists.
const RecentTransactions = 10

// UnreadShown is how many unread notifications a summary lists.
const UnreadShown = 5

// Summary is one user's home screen.
type Summary struct {
	Month    string // this month in the user's time zone (or the month asked for), YYYY-MM
	Currency string // the user's main currency
	Income   int64  // the user's monthly income, 0 when not given
	Accounts []*tally.Account
	NetWorth []NetWorth // one per currency, the main currency first
	Spending budget.Spending
	Budgets  []budget.Line
	Recent   []*tally.Transaction  // newest first (of Month, when it is not this month)
	Unread   int                   // unread notifications
	Alerts   []*tally.Notification // the newest unread notifications, at most UnreadShown
}

// NetWorth is what the accounts in one currency that count add up to
// today: assets (positive balances, investment positions at their last
// reported value) less liabilities (negative ones, such as credit cards
// and loans).
type NetWorth struct {
	Currency    string
	Assets      int64
	Liabilities int64 // positive: what is owed
	Total       int64
}

// Service builds summaries.
type Service struct {
	Store  *store.Store
	Notify *notify.Service // budget plans
	Cache  *cache.Cache    // nil: every call reads the database
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// CacheName is the cache entry of a user's summary on the day: the budget
// projections depend on the date.
func CacheName(kind string, u *tally.User, now time.Time) string {
	return kind + ":" + now.In(u.Location()).Format(tally.DateLayout)
}

// Summary returns the user's summary of this month, from the cache when it
// holds one made since the user's last write.
func (s *Service) Summary(ctx context.Context, u *tally.User) (*Summary, error) {
	return s.MonthSummary(ctx, u, s.month(u))
}

// MonthSummary is Summary for month (YYYY-MM): its spending and budgets,
// and its latest transactions when it is not this month.
func (s *Service) MonthSummary(ctx context.Context, u *tally.User, month string) (*Summary, error) {
	if s.Cache == nil {
		return s.LoadMonth(ctx, u, month)
	}
	b, err := s.Cache.Get(ctx, u.ID, CacheName("summary", u, s.now())+":"+month, func(ctx context.Context) ([]byte, error) {
		sum, err := s.LoadMonth(ctx, u, month)
		if err != nil {
			return nil, err
		}
		return json.Marshal(sum)
	})
	if err != nil {
		return nil, err
	}
	var sum Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		return nil, fmt.Errorf("summary: decode cached entry: %w", err)
	}
	return &sum, nil
}

func (s *Service) month(u *tally.User) string {
	return s.now().In(u.Location()).Format(tally.MonthLayout)
}

// Load reads the user's summary of this month from the database.
func (s *Service) Load(ctx context.Context, u *tally.User) (*Summary, error) {
	return s.LoadMonth(ctx, u, s.month(u))
}

// LoadMonth reads the user's summary of month from the database.
func (s *Service) LoadMonth(ctx context.Context, u *tally.User, month string) (*Summary, error) {
	current := s.month(u)
	accounts, err := s.Store.Accounts(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	// The plan holds the month's totals of every account (what GET
	// /spending shows) besides the budgets.
	plan, err := s.Notify.Plan(ctx, u.ID, month)
	if err != nil {
		return nil, err
	}
	f := tally.TransactionFilter{Limit: RecentTransactions}
	if month != current {
		f.Month = month
	}
	recent, _, err := s.Store.Transactions(ctx, u.ID, f)
	if err != nil {
		return nil, err
	}
	alerts, unread, err := s.Store.UnreadNotifications(ctx, u.ID, UnreadShown)
	if err != nil {
		return nil, err
	}
	y, m, d := s.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	balances, values, err := s.Store.NetWorthInputs(ctx, u.ID, today, today)
	if err != nil {
		return nil, err
	}
	sum := &Summary{
		Month: month, Currency: plan.Currency, Accounts: accounts,
		NetWorth: NetWorthOf(accounts, plan.Currency, balances, values, today),
		Spending: budget.SummarizeSpending(month, plan.MonthTotals),
		Budgets:  plan.Lines, Recent: recent, Unread: unread, Alerts: alerts,
	}
	if plan.Profile != nil {
		sum.Income = plan.Profile.MonthlyIncome
	}
	if sum.Accounts == nil {
		sum.Accounts = []*tally.Account{}
	}
	if sum.Budgets == nil {
		sum.Budgets = []budget.Line{}
	}
	if sum.Recent == nil {
		sum.Recent = []*tally.Transaction{}
	}
	if sum.Alerts == nil {
		sum.Alerts = []*tally.Notification{}
	}
	return sum, nil
}

// NetWorthOf is the user's net worth today in each currency the accounts
// that count are in (see networth.Counts: hidden accounts never do), the
// main one first (networth.MainCurrency of the profile's currency, the
// figure the dashboard shows), then the others in alphabetical order: the
// last point of the same sum the dashboard's chart and GET
// /api/v1/networth draw. A user without accounts has a zero net worth in
// the profile's currency.
func NetWorthOf(accounts []*tally.Account, profile string, balances, values map[string][]tally.AccountBalance, today time.Time) []NetWorth {
	main := networth.MainCurrency(accounts, profile)
	currencies := map[string]bool{main: true}
	for _, a := range accounts {
		if networth.Counts(a, a.Currency) {
			currencies[a.Currency] = true
		}
	}
	out := make([]NetWorth, 0, len(currencies))
	for c := range currencies {
		in := networth.Input{Accounts: accounts, Currency: c, Balances: balances, Values: values, Today: today}
		p := networth.Compute(in, []time.Time{today}).Points[0]
		out = append(out, NetWorth{Currency: c, Assets: p.Assets, Liabilities: p.Liabilities, Total: p.Net()})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Currency == main) != (out[j].Currency == main) {
			return out[i].Currency == main
		}
		return out[i].Currency < out[j].Currency
	})
	return out
}
