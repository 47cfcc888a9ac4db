package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/trends"
)

// rulesPage lists the user's categorization rules.
type rulesPage struct {
	layout
	Rules  []ruleRow
	Groups []categoryGroup
}

type ruleRow struct {
	ID, Merchant, Category, Created, Link string
}

// GET /rules
func (h *Handler) rules(w http.ResponseWriter, r *http.Request, u *tally.User) {
	h.renderRules(w, r, u, http.StatusOK, h.page(w, r, u, "Rules", "transactions"))
}

func (h *Handler) renderRules(w http.ResponseWriter, r *http.Request, u *tally.User, status int, l layout) {
	rules, err := h.Store.Rules(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page := rulesPage{layout: l, Groups: categoryGroups()}
	for _, x := range rules {
		page.Rules = append(page.Rules, ruleRow{ID: x.ID, Merchant: x.Merchant, Category: categoryName(x.Category),
			Created: x.CreatedAt.In(u.Location()).Format("Jan 2, 2006"), Link: "/transactions?q=" + urlQuery(x.Merchant)})
	}
	h.render(w, r, status, "rules", page)
}

// POST /rules: merchant, category.
func (h *Handler) createRule(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f := newForm("rule", r)
	merchant := checkField(&f, "merchant", r.PostForm.Get("merchant"), "merchant", 200)
	category := r.PostForm.Get("category")
	if _, ok := tally.LookupCategory(category); !ok {
		f.set("category", "Choose a category from the list.")
	}
	var key, name string
	if !f.Failed() {
		m := h.engine().Merchant(merchant)
		if key, name = m.Key, m.Name; key == "" {
			f.set("merchant", fmt.Sprintf("%q names no merchant Tally can recognize.", merchant))
		}
	}
	if f.Failed() {
		l := h.base(r, u, "Rules", "transactions")
		l.Form = f
		h.renderRules(w, r, u, http.StatusUnprocessableEntity, l)
		return
	}
	rule, n, err := h.Store.PutRule(r.Context(), u.ID, key, name, category)
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, "/rules", fmt.Sprintf("Every %s transaction now goes under %s; %d past %s moved.", rule.Merchant, categoryName(category), n, plural(int64(n), "transaction", "transactions")))
}

// POST /rules/{id}/delete
func (h *Handler) deleteRule(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if err := h.Store.DeleteRule(r.Context(), u.ID, r.PathValue("id")); err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, "/rules", "Rule deleted. Past transactions keep their categories.")
}

// budgetsPage is a month's budgets with the forms to change them.
type budgetsPage struct {
	layout
	monthNav
	Lines     []budgetLine
	Total     string
	Income    string
	Over      bool // more budgeted than income
	Left      string
	Spending  []tally.Category // spending categories without a budget, for the add form
	Currency  string
	HasIncome bool
}

type budgetLine struct {
	budgetRow
	Input       string // the amount as a form value, "450.00"
	Manual      bool
	Recommended string // what Tally recommends, with where it came from
	Rollover    string // none, surplus or surplus_and_deficit
	Carried     string // carried from past months, "" without a rollover
	Available   string // the budget plus what was carried
}

// GET /budgets?month=
func (h *Handler) budgets(w http.ResponseWriter, r *http.Request, u *tally.User) {
	month, ok := h.monthParam(r, u)
	if !ok {
		h.errorPage(w, r, u, http.StatusBadRequest, "The month must look like 2026-03.")
		return
	}
	h.renderBudgets(w, r, u, month, http.StatusOK, h.page(w, r, u, "Budgets", "budgets"))
}

func (h *Handler) renderBudgets(w http.ResponseWriter, r *http.Request, u *tally.User, month string, status int, l layout) {
	plan, err := h.notifier().Plan(r.Context(), u.ID, month)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page := budgetsPage{layout: l, monthNav: newMonthNav(month, h.currentMonth(u)), Currency: plan.Currency}
	// A refused amount for a category without a budget line shows in the
	// form that adds one.
	if name, ok := strings.CutPrefix(l.Form.Name, "budget-"); ok && name != "new" {
		found := false
		for _, line := range plan.Lines {
			found = found || line.Category == name
		}
		if !found {
			page.Form.Name = "budget-new"
			page.Form.Values.Set("category", name)
		}
	}
	budgeted := map[string]bool{}
	var total int64
	for _, line := range plan.Lines {
		budgeted[line.Category] = true
		total += line.Amount
		bl := budgetLine{budgetRow: newBudgetRow(line, plan.Currency), Input: tally.FormatAmount(line.Amount, plan.Currency), Manual: line.Source == budget.SourceManual,
			Rollover: line.Rollover}
		if line.Rollover != "" && line.Rollover != tally.RolloverNone {
			bl.Carried, bl.Available = formatMoney(line.Carried, plan.Currency), formatMoney(line.Available, plan.Currency)
		}
		if rec, ok := plan.Recommended[line.Category]; ok {
			bl.Recommended = "Recommended " + formatMoney(rec.Amount, plan.Currency) + " " + label(sourceLabels, rec.Source)
			if rec.Source == budget.SourceHistory {
				bl.Recommended = "Recommended " + formatMoney(rec.Amount, plan.Currency) + ": the median of your last complete months"
			}
			if rec.Source == budget.SourceTemplate {
				bl.Recommended = "Recommended " + formatMoney(rec.Amount, plan.Currency) + ": a share of your monthly income"
			}
		} else if bl.Manual {
			bl.Recommended = "No recommendation: you spend little here"
		}
		page.Lines = append(page.Lines, bl)
	}
	page.Total = formatMoney(total, plan.Currency)
	if p := plan.Profile; p != nil && p.MonthlyIncome > 0 {
		page.HasIncome = true
		page.Income = formatMoney(p.MonthlyIncome, plan.Currency)
		page.Over = total > p.MonthlyIncome
		if page.Over {
			page.Left = formatMoney(total-p.MonthlyIncome, plan.Currency) + " more than your income"
		} else {
			page.Left = formatMoney(p.MonthlyIncome-total, plan.Currency) + " of your income not budgeted"
		}
	}
	for _, c := range tally.Categories() {
		if c.Kind == tally.KindExpense && !budgeted[c.ID] {
			page.Spending = append(page.Spending, c)
		}
	}
	h.render(w, r, status, "budgets", page)
}

// POST /budgets/{category}: amount; month is the page to return to.
func (h *Handler) setBudget(w http.ResponseWriter, r *http.Request, u *tally.User) {
	category := r.PathValue("category")
	if category == "new" {
		category = r.PostForm.Get("category")
	}
	month := h.currentMonth(u)
	back := "/budgets"
	if m, err := parseMonthValue(r.PostForm.Get("month")); err == nil {
		back += "?month=" + m
	}
	f := newForm("budget-"+r.PathValue("category"), r)
	if c, ok := tally.LookupCategory(category); !ok || c.Kind != tally.KindExpense {
		f.set("category", "Choose a spending category from the list.")
	}
	p, err := h.Store.Profile(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	raw := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.PostForm.Get("amount")), "$"))
	amount, err := tally.ParseAmount(strings.ReplaceAll(raw, ",", ""), p.Currency)
	switch {
	case raw == "":
		f.set("amount", "Enter an amount such as 450.00.")
	case len(raw) > 20 || err != nil:
		f.set("amount", "Enter an amount such as 450.00, without letters.")
	case amount <= 0:
		f.set("amount", "A budget is more than zero; reset it to go back to the recommendation.")
	case amount > 100_000_000_00:
		f.set("amount", "That budget is larger than Tally accepts.")
	}
	rollover, ok := rolloverValue(r.PostForm)
	if !ok {
		f.set("rollover", "Choose a rollover from the list: none, surplus, or surplus and deficit.")
	}
	if f.Failed() {
		l := h.base(r, u, "Budgets", "budgets")
		l.Form = f
		shown, err := parseMonthValue(r.PostForm.Get("month"))
		if err != nil {
			shown = month
		}
		h.renderBudgets(w, r, u, shown, http.StatusUnprocessableEntity, l)
		return
	}
	if err := h.Store.PutBudget(r.Context(), u.ID, category, &amount, p.Currency, rollover, month); err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, back, fmt.Sprintf("%s budget set to %s a month.", categoryName(category), formatMoney(amount, p.Currency)))
}

// POST /budgets/{category}/reset
func (h *Handler) resetBudget(w http.ResponseWriter, r *http.Request, u *tally.User) {
	category := r.PathValue("category")
	if c, ok := tally.LookupCategory(category); !ok || c.Kind != tally.KindExpense {
		h.errorPage(w, r, u, http.StatusNotFound, "There is no budget for that category.")
		return
	}
	if err := h.Store.DeleteBudget(r.Context(), u.ID, category, h.currentMonth(u)); err != nil {
		h.failed(w, r, u, err)
		return
	}
	back := "/budgets"
	if m, err := parseMonthValue(r.PostForm.Get("month")); err == nil {
		back += "?month=" + m
	}
	redirect(w, r, back, categoryName(category)+" budget is back to Tally’s recommendation.")
}

// trendsPage is spending over the last months.
type trendsPage struct {
	layout
	From, To      string
	Category      string // "" or the top-level category broken down
	CategoryName  string
	Months        []trendMonth
	Categories    []trendCategory
	MonthsChart   template.HTML
	CategoryChart template.HTML
	Empty         bool
}

type trendMonth struct {
	Label, Income, Spending, Net string
	NetNegative                  bool
}

type trendCategory struct {
	ID, Name, Total, Average string
	Link                     string
}

// GET /trends?to=YYYY-MM&category=
func (h *Handler) trends(w http.ResponseWriter, r *http.Request, u *tally.User) {
	q := r.URL.Query()
	to := h.currentMonth(u)
	if v := q.Get("to"); v != "" {
		m, err := parseMonthValue(v)
		if err != nil {
			h.errorPage(w, r, u, http.StatusBadRequest, "The month must look like 2026-03.")
			return
		}
		to = m
	}
	category := q.Get("category")
	if err := trends.CheckCategory(category); err != nil {
		h.errorPage(w, r, u, http.StatusBadRequest, "Choose a top-level category to break down.")
		return
	}
	end, _ := time.Parse(tally.MonthLayout, to)
	months, err := trends.Range(end.AddDate(0, -11, 0).Format(tally.MonthLayout), to)
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	l := h.page(w, r, u, "Trends", "trends")
	totals, err := h.Store.TotalsBetween(r.Context(), u.ID, months[0], months[len(months)-1])
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	rep := trends.Build(months, totals, category)
	page := trendsPage{layout: l, From: rep.From, To: rep.To, Category: category, CategoryName: categoryName(category), Empty: len(totals) == 0}
	var cols []columnDatum
	for _, m := range rep.Months {
		t, _ := time.Parse(tally.MonthLayout, m.Month)
		net := m.Income - m.Spending
		page.Months = append(page.Months, trendMonth{Label: t.Format("Jan 2006"), Income: formatMoney(m.Income, rep.Currency),
			Spending: formatMoney(m.Spending, rep.Currency), Net: formatMoney(net, rep.Currency), NetNegative: net < 0})
		a := m.Income
		if category != "" {
			a = 0
			for _, v := range m.Categories {
				a += v
			}
		}
		cols = append(cols, columnDatum{Label: t.Format("Jan"), A: a, B: m.Spending})
	}
	if category == "" {
		page.MonthsChart = columnChart("Income and spending per month", "Income", "Spending", cols)
	} else {
		for i := range cols {
			cols[i].B = 0
		}
		page.MonthsChart = columnChart(page.CategoryName+" per month", page.CategoryName, "", cols)
	}
	var bars []barDatum
	for _, c := range rep.Categories {
		tc := trendCategory{ID: c, Name: categoryName(c), Total: formatMoney(rep.Totals[c], rep.Currency),
			Average: formatMoney(rep.Totals[c]/int64(len(months)), rep.Currency)}
		if category == "" {
			tc.Link = "/trends?category=" + c + "&to=" + to
		} else {
			tc.Link = "/transactions?category=" + c
		}
		page.Categories = append(page.Categories, tc)
		bars = append(bars, barDatum{Label: tc.Name, Value: rep.Totals[c], Amount: tc.Total})
	}
	title := "Spending per category over 12 months"
	if category != "" {
		title = page.CategoryName + " by subcategory over 12 months"
	}
	page.CategoryChart = barChart(title, bars)
	h.render(w, r, http.StatusOK, "trends", page)
}

// alertsPage is the inbox.
type alertsPage struct {
	layout
	Alerts []alertRow
	Next   string
	First  bool
}

// GET /alerts?cursor=
func (h *Handler) alerts(w http.ResponseWriter, r *http.Request, u *tally.User) {
	cursor := r.URL.Query().Get("cursor")
	ns, next, unread, err := h.Store.Notifications(r.Context(), u.ID, cursor, 25)
	if tally.ErrorCode(err) == tally.EINVALID {
		h.errorPage(w, r, u, http.StatusBadRequest, "That page link is broken.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	l := h.page(w, r, u, "Alerts", "alerts")
	l.Unread = unread
	page := alertsPage{layout: l, First: cursor == ""}
	if next != "" {
		page.Next = "/alerts?cursor=" + urlQuery(next)
	}
	for _, n := range ns {
		page.Alerts = append(page.Alerts, alertRow{ID: n.ID, Message: n.Message, Kind: n.Kind, Read: n.ReadAt != nil,
			Created: n.CreatedAt.In(u.Location()).Format("Jan 2, 15:04")})
	}
	h.render(w, r, http.StatusOK, "alerts", page)
}

// POST /alerts/{id}/read
func (h *Handler) readAlert(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if _, err := h.Store.MarkNotificationRead(r.Context(), u.ID, r.PathValue("id")); err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, safeNextOr(r.PostForm.Get("back"), "/alerts"), "")
}

// POST /alerts/read-all
func (h *Handler) readAllAlerts(w http.ResponseWriter, r *http.Request, u *tally.User) {
	n, err := h.Store.MarkAllNotificationsRead(r.Context(), u.ID)
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, "/alerts", fmt.Sprintf("Marked %d %s read.", n, plural(int64(n), "alert", "alerts")))
}

// safeNextOr is safeNext with another default than "/".
func safeNextOr(next, def string) string {
	if next == "" {
		return def
	}
	return safeNext(next)
}
