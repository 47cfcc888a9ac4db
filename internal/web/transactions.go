package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/export"
	"github.com/tallyhq/tally/internal/store"
)

// transactionsPageSize is how many transactions a page lists.
const transactionsPageSize = 50

// searchWindow is how many transactions one page of a search reads: a rare
// term costs a bounded scan, and "Search older" goes on from there.
const searchWindow = 2000

// transactionsPage is the searchable transaction list.
type transactionsPage struct {
	layout
	Q, Account, Category, Month string // the filters as given
	Accounts                    []*tally.Account
	Groups                      []categoryGroup
	Rows                        []txnListRow
	Next                        string // query string of the next page, "" on the last
	First                       string // query string of the first page, "" on it
	Edit                        string // the id of the row whose category form is open
	Self                        string // this page's path and query, to come back to
	CSV                         string // the export of the same filters
	Filtered                    bool
}

type txnListRow struct {
	transactionRow
	CategoryID string
	Account    string
	EditLink   string
	transferNote
}

// txnFilter reads the list's filters; bad ones are field errors.
func txnFilter(q url.Values, f *form, accounts []*tally.Account) tally.TransactionFilter {
	tf := tally.TransactionFilter{Query: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"), Limit: transactionsPageSize}
	if len(tf.Query) > 200 {
		f.set("q", "Search for at most 200 characters.")
		tf.Query = ""
	}
	if v := q.Get("account"); v != "" {
		found := false
		for _, a := range accounts {
			found = found || a.ID == v
		}
		if !found {
			f.set("account", "That account is not one of yours.")
		} else {
			tf.AccountID = v
		}
	}
	if v := q.Get("month"); v != "" {
		t, err := parseMonthValue(v)
		if err != nil {
			f.set("month", "The month must look like 2026-03.")
		} else {
			tf.Month = t
		}
	}
	if v := q.Get("category"); v != "" {
		c, ok := tally.LookupCategory(v)
		if !ok {
			f.set("category", "That is not a known category.")
		} else {
			tf.Categories = []string{c.ID}
			if c.Parent == "" {
				for _, sub := range tally.Categories() {
					if sub.Parent == c.ID {
						tf.Categories = append(tf.Categories, sub.ID)
					}
				}
			}
		}
	}
	return tf
}

// GET /transactions?q=&account=&category=&month=&cursor=&edit=
func (h *Handler) transactions(w http.ResponseWriter, r *http.Request, u *tally.User) {
	q := r.URL.Query()
	l := h.page(w, r, u, "Transactions", "transactions")
	accounts, err := h.Store.Accounts(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	l.Form = form{Name: "filter", Values: q, Errors: map[string]string{}}
	tf := txnFilter(q, &l.Form, accounts)
	tf.SearchWindow = searchWindow
	txns, next, err := h.Store.Transactions(r.Context(), u.ID, tf)
	if tally.ErrorCode(err) == tally.EINVALID {
		l.Form.set("cursor", "That page link is broken; showing the first page.")
		tf.Cursor = ""
		txns, next, err = h.Store.Transactions(r.Context(), u.ID, tf)
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page := transactionsPage{layout: l, Q: q.Get("q"), Account: q.Get("account"), Category: q.Get("category"), Month: q.Get("month"),
		Accounts: accounts, Edit: q.Get("edit"), Self: r.URL.RequestURI()}
	page.Filtered = page.Q != "" || page.Account != "" || page.Category != "" || page.Month != ""
	names := map[string]string{}
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	base := url.Values{}
	for _, k := range []string{"q", "account", "category", "month"} {
		if v := q.Get(k); v != "" && l.Form.Error(k) == "" {
			base.Set(k, v)
		}
	}
	page.CSV = "/transactions.csv"
	if len(base) > 0 {
		page.CSV += "?" + base.Encode()
	}
	if tf.Cursor != "" {
		page.First = "?" + base.Encode()
	}
	if next != "" {
		nq := url.Values{}
		for k, v := range base {
			nq[k] = v
		}
		nq.Set("cursor", next)
		page.Next = "?" + nq.Encode()
	}
	for _, t := range txns {
		row := txnListRow{transactionRow: newTransactionRow(t), CategoryID: t.Category, Account: names[t.AccountID]}
		eq := url.Values{}
		for k, v := range base {
			eq[k] = v
		}
		if tf.Cursor != "" {
			eq.Set("cursor", tf.Cursor)
		}
		eq.Set("edit", t.ID)
		row.EditLink = "/transactions?" + eq.Encode() + "#t-" + t.ID
		page.Rows = append(page.Rows, row)
	}
	page.Rows = h.markTransfers(r.Context(), u.ID, page.Rows, names, page.Account != "")
	page.Groups = categoryGroups()
	h.render(w, r, http.StatusOK, "transactions", page)
}

// parseMonthValue checks a YYYY-MM value.
func parseMonthValue(v string) (string, error) {
	var y, m int
	if len(v) != 7 || v[4] != '-' {
		return "", fmt.Errorf("bad month")
	}
	if _, err := fmt.Sscanf(v, "%4d-%2d", &y, &m); err != nil || y < 1900 || m < 1 || m > 12 {
		return "", fmt.Errorf("bad month")
	}
	return v, nil
}

// GET /transactions.csv with the list's filters: every matching row.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request, u *tally.User) {
	accounts, err := h.Store.Accounts(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var f form
	tf := txnFilter(r.URL.Query(), &f, accounts)
	if f.Failed() {
		for _, msg := range f.Errors {
			h.errorPage(w, r, u, http.StatusBadRequest, msg)
			return
		}
	}
	names := map[string]string{}
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tally-transactions.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	page := func(ctx context.Context, f tally.TransactionFilter) ([]*tally.Transaction, string, error) {
		return h.Store.Transactions(ctx, u.ID, f)
	}
	if err := export.TransactionsCSV(r.Context(), w, page, tf, names); err != nil {
		h.logger().WarnContext(r.Context(), "export transactions", "user_id", u.ID, "error", err)
	}
}

// transactionPage is one transaction and why it has its category.
type transactionPage struct {
	layout
	transactionRow
	CategoryID  string
	Description string
	Account     string
	Posted      string
	Source      string
	Reason      string
	Groups      []categoryGroup
	HasSeller   bool
	transferNote
}

// GET /transactions/{id}
func (h *Handler) transaction(w http.ResponseWriter, r *http.Request, u *tally.User) {
	t, err := h.Store.Transaction(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	a, err := h.Store.Account(r.Context(), u.ID, t.AccountID)
	name := ""
	if err == nil {
		name = a.Name
	}
	res := h.categorized(t)
	h.render(w, r, http.StatusOK, "transaction", transactionPage{layout: h.page(w, r, u, "Transaction", "transactions"),
		transactionRow: newTransactionRow(t), CategoryID: t.Category, Description: t.Description, Account: name,
		Posted: t.PostedOn.Format("Monday, January 2, 2006"), Source: t.CategorySource, Reason: tally.CategoryReason(t),
		Groups: categoryGroups(), HasSeller: res.Key != "", transferNote: h.transferNoteOf(r.Context(), u, t)})
}

// POST /transactions/{id}/category: category, apply (to every transaction
// from the merchant: makes a rule), back (the list page to return to).
func (h *Handler) recategorize(w http.ResponseWriter, r *http.Request, u *tally.User) {
	id := r.PathValue("id")
	back := safeNext(r.PostForm.Get("back"))
	if back == "/" {
		back = "/transactions/" + id
	}
	category := r.PostForm.Get("category")
	if _, ok := tally.LookupCategory(category); !ok {
		if _, err := h.Store.Transaction(r.Context(), u.ID, id); err != nil {
			h.failed(w, r, u, err)
			return
		}
		h.errorPage(w, r, u, http.StatusBadRequest, "Choose a category from the list.")
		return
	}
	apply := r.PostForm.Get("apply") == "on"
	t, rule, moved, err := h.recategorizeTxn(r.Context(), u.ID, id, category, apply)
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	merchant := t.Merchant
	if merchant == "" {
		merchant = t.Description
	}
	msg := fmt.Sprintf("Filed %s under %s.", merchant, categoryName(category))
	if rule != nil {
		msg += fmt.Sprintf(" New rule: every %s transaction goes under %s; it moved %d other %s.", rule.Merchant, categoryName(category), moved, plural(int64(moved), "transaction", "transactions"))
	}
	redirect(w, r, back, msg)
}

// recategorizeTxn files a transaction by hand; with applyToMerchant it
// also makes a rule for the seller and re-files the seller's other
// transactions. A seller that is not in the dictionary gets the user's vote
// for its crowd category. PATCH /api/v1/transactions/{id} does the same.
func (h *Handler) recategorizeTxn(ctx context.Context, userID, id, category string, applyToMerchant bool) (*tally.Transaction, *tally.Rule, int, error) {
	t, err := h.Store.Transaction(ctx, userID, id)
	if err != nil {
		return nil, nil, 0, err
	}
	e := h.engine()
	res := h.categorized(t)
	if applyToMerchant && res.Key == "" {
		return nil, nil, 0, tally.Errorf(tally.EINVALID, "this transaction names no merchant to make a rule for")
	}
	ch := store.CategoryChange{MerchantKey: res.Key, Rule: applyToMerchant}
	if _, known := e.Dictionary().Seller(res.Key); !known {
		ch.Vote = true
	}
	return h.Store.RecategorizeCounted(ctx, userID, id, category, ch)
}

// categorized is the categorizer's answer for t, with the seller key stored
// at insert when there is one (it was computed from every field of the
// line, which the description alone may not repeat).
func (h *Handler) categorized(t *tally.Transaction) categorize.Result {
	res := h.engine().Categorize(categorize.Input{Description: t.Description, Amount: t.Amount})
	if t.MerchantKey != "" && !strings.HasPrefix(t.MerchantKey, "name:") {
		res.Key = t.MerchantKey
	}
	return res
}
