package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/summary"
)

// dashboardBudgets is how many budgets the dashboard shows.
const dashboardBudgets = 6

// dashboardPage is the dashboard's data, every figure already formatted.
// Syncing (in layout) is set when the user has no transactions yet and an
// account is syncing.
type dashboardPage struct {
	layout
	monthNav
	Accounts    []accountRow
	NetWorth    string
	NetNegative bool
	NetByType   []netRow
	netWorthHistory
	Spending      []spendingRow
	SpendingChart template.HTML
	Total         string
	Transactions  []transactionRow
	Budgets       []budgetRow
	Alerts        []alertRow // unread notifications, newest first
	HasIncome     bool
	MoreBudgets   int    // how many budgets /budgets has when the dashboard shows only some
	Budgeted      string // the month's budgets added up
	BudgetLeft    string // what is left of them ("$120.00 left" or "$30.00 over")
	BudgetOver    bool
}

// monthNav is a month page's heading and its neighbours.
type monthNav struct {
	Month      string // "2026-03"
	MonthLabel string // "March 2026"
	Prev, Next string // "2026-02", "2026-04"; Next is "" for the current month
	Current    bool
}

func newMonthNav(month, current string) monthNav {
	t, _ := time.Parse(tally.MonthLayout, month)
	n := monthNav{Month: month, MonthLabel: t.Format("January 2006"), Prev: t.AddDate(0, -1, 0).Format(tally.MonthLayout), Current: month == current}
	if month < current {
		n.Next = t.AddDate(0, 1, 0).Format(tally.MonthLayout)
	}
	return n
}

type accountRow struct {
	ID           string
	Name         string
	Type         string
	Mask         string
	Balance      string
	Negative     bool
	Status       string // active, syncing, needs_attention
	StatusLabel  string
	StatusReason string // shown when the account needs attention
}

type netRow struct {
	Type     string
	Amount   string
	Negative bool
}

type spendingRow struct {
	Category string
	ID       string
	Amount   string
	Count    int64
}

type transactionRow struct {
	ID       string
	Date     string
	Merchant string
	Category string
	Amount   string
	Negative bool
	Pending  bool
}

type budgetRow struct {
	Category  string
	ID        string
	Spent     string
	Amount    string
	Left      string // "$88.00 left" or "$12.00 over"
	Source    string // "from your history", "from your income", "set by you"
	Percent   int64
	Status    string // under, approaching, exceeded
	Width     int    // spent as a share of the budget, capped at 100, a multiple of 5
	Projected string // "On pace for $520.00" when the pace exceeds the budget
}

type alertRow struct {
	ID      string
	Message string
	Kind    string
	Created string
	Read    bool
}

var accountTypes = map[string]string{
	tally.AccountChecking:   "Checking",
	tally.AccountSavings:    "Savings",
	tally.AccountCreditCard: "Credit card",
	tally.AccountInvestment: "Investment",
	tally.AccountLoan:       "Loan",
	tally.AccountOther:      "Other",
}

// accountTypeOrder is how net worth lists account types: assets, then
// liabilities.
var accountTypeOrder = []string{tally.AccountChecking, tally.AccountSavings, tally.AccountInvestment, tally.AccountOther, tally.AccountCreditCard, tally.AccountLoan}

var statusLabels = map[string]string{
	tally.StatusActive:         "Up to date",
	tally.StatusSyncing:        "Syncing",
	tally.StatusNeedsAttention: "Needs attention",
}

var sourceLabels = map[string]string{
	budget.SourceHistory:  "from your history",
	budget.SourceTemplate: "from your income",
	budget.SourceManual:   "set by you",
}

func (h *Handler) notifier() *notify.Service {
	if h.Notify != nil {
		return h.Notify
	}
	return &notify.Service{Store: h.Store, Now: h.now}
}

// currentMonth is this month in the user's time zone.
func (h *Handler) currentMonth(u *tally.User) string {
	return h.now().In(u.Location()).Format(tally.MonthLayout)
}

// monthParam reads ?month=YYYY-MM, the current month when absent; ok is
// false for a malformed month.
func (h *Handler) monthParam(r *http.Request, u *tally.User) (string, bool) {
	v := r.URL.Query().Get("month")
	if v == "" {
		return h.currentMonth(u), true
	}
	t, err := time.Parse(tally.MonthLayout, v)
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		return "", false
	}
	return t.Format(tally.MonthLayout), true
}

// GET / for a signed-in user.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, u *tally.User) {
	month, ok := h.monthParam(r, u)
	if !ok {
		h.errorPage(w, r, u, http.StatusBadRequest, "The month must look like 2026-03.")
		return
	}
	page, err := h.dashboardData(r.Context(), u, month)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page.CSRF = csrfFor(r)
	page.Flash = takeFlash(w, r)
	h.render(w, r, http.StatusOK, "dashboard", page)
}

// dashboardData gathers the user's dashboard for month from the summary
// service, the same answer GET /api/v1/summary gives, cached until the
// user's next write: accounts and net worth, the month's spending and
// budgets, recent transactions and unread alerts. The net worth chart is
// cached beside it.
func (h *Handler) dashboardData(ctx context.Context, u *tally.User, month string) (*dashboardPage, error) {
	sum, err := h.summaries().MonthSummary(ctx, u, month)
	if err != nil {
		return nil, err
	}
	page := &dashboardPage{layout: layout{Title: "Dashboard", Email: u.Email, Nav: "dashboard"}, monthNav: newMonthNav(month, h.currentMonth(u))}

	// Net worth: the summary's figure (networth.Compute, hidden accounts
	// never counting) in the main currency, by type and over the last
	// twelve months beside it.
	for _, a := range sum.Accounts {
		if a.Status == tally.StatusSyncing && len(sum.Recent) == 0 {
			page.Syncing = true
		}
		if !a.Hidden {
			page.Accounts = append(page.Accounts, newAccountRow(a))
		}
	}
	main := sum.NetWorth[0] // the main currency's, first
	nw, err := h.cachedNetWorth(ctx, u, sum.Accounts, main.Currency)
	if err != nil {
		return nil, err
	}
	page.netWorthHistory = nw.netWorthHistory
	page.NetWorth, page.NetNegative = formatMoney(main.Total, main.Currency), main.Total < 0
	for _, t := range accountTypeOrder {
		if v, ok := nw.ByType[t]; ok {
			page.NetByType = append(page.NetByType, netRow{Type: label(accountTypes, t), Amount: formatMoney(v, main.Currency), Negative: v < 0})
		}
	}

	currency := sum.Currency // the profile's, which budgets are in
	sp := sum.Spending
	page.Total = formatMoney(sp.Total, sp.Currency)
	var bars []barDatum
	for i, c := range sp.Categories {
		row := spendingRow{Category: categoryName(c.Category), ID: c.Category, Amount: formatMoney(c.Amount, sp.Currency), Count: c.Count}
		page.Spending = append(page.Spending, row)
		if i < 8 {
			bars = append(bars, barDatum{Label: row.Category, Value: c.Amount, Amount: row.Amount})
		}
	}
	page.SpendingChart = barChart("Spending by category in "+page.MonthLabel, bars)

	page.HasIncome = sum.Income > 0
	var budgeted, spent int64
	for _, l := range sum.Budgets {
		budgeted += l.Amount
		spent += l.Spent
	}
	if len(sum.Budgets) > 0 {
		page.Budgeted = formatMoney(budgeted, currency)
		if spent <= budgeted {
			page.BudgetLeft = formatMoney(budgeted-spent, currency) + " left"
		} else {
			page.BudgetLeft, page.BudgetOver = formatMoney(spent-budgeted, currency)+" over", true
		}
	}
	// The budgets closest to their limit (or spent most of) come first.
	lines := append([]budget.Line(nil), sum.Budgets...)
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].Percent != lines[j].Percent {
			return lines[i].Percent > lines[j].Percent
		}
		return lines[i].Spent > lines[j].Spent
	})
	if len(lines) > dashboardBudgets {
		page.MoreBudgets = len(lines)
		lines = lines[:dashboardBudgets]
	}
	for _, l := range lines {
		page.Budgets = append(page.Budgets, newBudgetRow(l, currency))
	}
	page.Unread = sum.Unread
	for _, n := range sum.Alerts {
		page.Alerts = append(page.Alerts, alertRow{ID: n.ID, Message: n.Message, Kind: n.Kind})
	}
	for _, t := range sum.Recent {
		page.Transactions = append(page.Transactions, newTransactionRow(t))
	}
	return page, nil
}

// cachedNetWorth is netWorth, cached like the summary until the user's
// next write (it depends on the day, like the summary).
func (h *Handler) cachedNetWorth(ctx context.Context, u *tally.User, accounts []*tally.Account, currency string) (dashboardNetWorth, error) {
	c := h.summaries().Cache
	if c == nil {
		return h.netWorth(ctx, u, accounts, currency)
	}
	b, err := c.Get(ctx, u.ID, summary.CacheName("networth-dashboard", u, h.now())+":"+currency, func(ctx context.Context) ([]byte, error) {
		nw, err := h.netWorth(ctx, u, accounts, currency)
		if err != nil {
			return nil, err
		}
		return json.Marshal(nw)
	})
	if err != nil {
		return dashboardNetWorth{}, err
	}
	var nw dashboardNetWorth
	if err := json.Unmarshal(b, &nw); err != nil {
		return dashboardNetWorth{}, fmt.Errorf("web: decode cached net worth: %w", err)
	}
	return nw, nil
}

// summaries is the summary service the dashboard reads.
func (h *Handler) summaries() *summary.Service {
	if h.Summary != nil {
		return h.Summary
	}
	return &summary.Service{Store: h.Store, Notify: h.notifier(), Now: h.now}
}

func newAccountRow(a *tally.Account) accountRow {
	row := accountRow{
		ID: a.ID, Name: a.Name, Type: label(accountTypes, a.Type), Mask: a.Mask,
		Balance: formatMoney(a.Balance, a.Currency), Negative: a.Balance < 0,
		Status: a.Status, StatusLabel: label(statusLabels, a.Status),
	}
	if a.Status == tally.StatusNeedsAttention {
		row.StatusReason = a.StatusReason
	}
	return row
}

func newTransactionRow(t *tally.Transaction) transactionRow {
	merchant := t.Merchant
	if merchant == "" {
		merchant = t.Description
	}
	return transactionRow{ID: t.ID, Date: t.PostedOn.Format("Jan 2"), Merchant: merchant, Category: categoryName(t.Category),
		Amount: formatMoney(t.Amount, t.Currency), Negative: t.Amount < 0, Pending: t.Pending}
}

func newBudgetRow(l budget.Line, currency string) budgetRow {
	row := budgetRow{
		Category: categoryName(l.Category), ID: l.Category, Spent: formatMoney(l.Spent, currency), Amount: formatMoney(l.Amount, currency),
		Source: label(sourceLabels, l.Source), Percent: l.Percent, Status: l.Status, Width: barWidth(min(l.Spent, l.Amount), l.Amount),
	}
	if l.Remaining >= 0 {
		row.Left = formatMoney(l.Remaining, currency) + " left"
	} else {
		row.Left = formatMoney(-l.Remaining, currency) + " over"
	}
	if l.Projected {
		row.Projected = "On pace for " + formatMoney(l.Pace, currency)
	}
	return row
}

func label(labels map[string]string, key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

func categoryName(id string) string {
	if c, ok := tally.LookupCategory(id); ok {
		return c.Name
	}
	return id
}

// categoryGroup is a top-level category with its subcategories, for
// grouped select lists.
type categoryGroup struct {
	Parent   tally.Category
	Children []tally.Category
}

// categoryGroups is the taxonomy grouped by parent, top levels sorted by
// name.
func categoryGroups() []categoryGroup {
	var out []categoryGroup
	index := map[string]int{}
	for _, c := range tally.Categories() {
		if c.Parent == "" {
			index[c.ID] = len(out)
			out = append(out, categoryGroup{Parent: c})
			continue
		}
		if i, ok := index[c.Parent]; ok {
			out[i].Children = append(out[i].Children, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Parent.Name < out[j].Parent.Name })
	return out
}

// barWidth is amount as a percentage of largest, rounded to a multiple of 5
// (the stylesheet has a class per step, so pages need no inline styles).
func barWidth(amount, largest int64) int {
	if amount <= 0 || largest <= 0 {
		return 0
	}
	w := int((amount*100/largest + 2) / 5 * 5)
	return min(max(w, 5), 100)
}

var currencySymbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}

// formatMoney renders minor units for people: "$1,234.56", "−$42.50",
// "1,000.00 CHF".
func formatMoney(minor int64, currency string) string {
	s := tally.FormatAmount(minor, currency)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	sign := ""
	if neg {
		sign = "−" // U+2212 MINUS SIGN
	}
	if sym, ok := currencySymbols[currency]; ok {
		return sign + sym + b.String()
	}
	return fmt.Sprintf("%s%s %s", sign, b.String(), currency)
}

func urlQuery(s string) string { return url.QueryEscape(s) }
