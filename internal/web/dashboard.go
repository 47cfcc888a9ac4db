package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
)

// recentTransactions is how many transactions the dashboard lists.
const recentTransactions = 20

// dashboardPage is the dashboard's data, every figure already formatted.
// Syncing (in layout) is set when the user has no transactions yet and a
// connection is syncing.
type dashboardPage struct {
	layout
	Accounts     []accountRow
	Month        string // "March 2026"
	Spending     []spendingRow
	Total        string
	Transactions []transactionRow
	Budgets      []budgetRow
	Alerts       []alertRow // unread notifications, newest first
}

type accountRow struct {
	Name         string
	Type         string
	Mask         string
	Balance      string
	Negative     bool
	Status       string // active, syncing, needs_attention
	StatusLabel  string
	StatusReason string // shown when the account needs attention
}

type spendingRow struct {
	Category string
	Amount   string
	Count    int64
	Width    int // bar width in percent of the largest category, a multiple of 5
}

type transactionRow struct {
	Date     string
	Merchant string
	Category string
	Amount   string
	Negative bool
	Pending  bool
}

var accountTypes = map[string]string{
	tally.AccountChecking:   "Checking",
	tally.AccountSavings:    "Savings",
	tally.AccountCreditCard: "Credit card",
	tally.AccountInvestment: "Investment",
	tally.AccountLoan:       "Loan",
	tally.AccountOther:      "Other",
}

var statusLabels = map[string]string{
	tally.StatusActive:         "Up to date",
	tally.StatusSyncing:        "Syncing",
	tally.StatusNeedsAttention: "Needs attention",
}

// dashboard gathers the signed-in user's dashboard.
func (h *Handler) dashboard(r *http.Request, u *tally.User) (*dashboardPage, error) {
	ctx := r.Context()
	conns, err := h.Store.Connections(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	accounts, err := h.Store.Accounts(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	txns, _, err := h.Store.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: recentTransactions})
	if err != nil {
		return nil, err
	}
	local := h.now().In(u.Location())
	month := local.Format(tally.MonthLayout)
	totals, err := h.Store.MonthlyTotals(ctx, u.ID, month)
	if err != nil {
		return nil, err
	}

	page := &dashboardPage{layout: layout{Title: "Dashboard", Email: u.Email}, Month: local.Format("January 2006")}
	reasons := map[string]string{}
	for _, c := range conns {
		reasons[c.ID] = c.StatusReason
		if c.Status == tally.StatusSyncing && len(txns) == 0 {
			page.Syncing = true
		}
	}
	for _, a := range accounts {
		row := accountRow{
			Name: a.Name, Type: label(accountTypes, a.Type), Mask: a.Mask,
			Balance: formatMoney(a.Balance, a.Currency), Negative: a.Balance < 0,
			Status: a.Status, StatusLabel: label(statusLabels, a.Status),
		}
		if a.Status == tally.StatusNeedsAttention {
			row.StatusReason = a.StatusReason
			if row.StatusReason == "" {
				row.StatusReason = reasons[a.ConnectionID]
			}
		}
		page.Accounts = append(page.Accounts, row)
	}

	sp := budget.SummarizeSpending(month, totals)
	page.Total = formatMoney(sp.Total, sp.Currency)
	var largest int64
	for _, c := range sp.Categories {
		largest = max(largest, c.Amount)
	}
	for _, c := range sp.Categories {
		page.Spending = append(page.Spending, spendingRow{
			Category: categoryName(c.Category), Amount: formatMoney(c.Amount, sp.Currency), Count: c.Count,
			Width: barWidth(c.Amount, largest),
		})
	}

	if err := h.addBudgets(ctx, u, month, page); err != nil {
		return nil, err
	}

	for _, t := range txns {
		merchant := t.Merchant
		if merchant == "" {
			merchant = t.Description
		}
		page.Transactions = append(page.Transactions, transactionRow{
			Date: t.PostedOn.Format("Jan 2"), Merchant: merchant, Category: categoryName(t.Category),
			Amount: formatMoney(t.Amount, t.Currency), Negative: t.Amount < 0, Pending: t.Pending,
		})
	}
	return page, nil
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

// barWidth is amount as a percentage of largest, rounded to a multiple of 5
// (the stylesheet has a class per step, so pages need no inline styles).
func barWidth(amount, largest int64) int {
	if amount <= 0 || largest <= 0 {
		return 0
	}
	w := int((amount*100/largest + 2) / 5 * 5)
	return max(w, 5)
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
