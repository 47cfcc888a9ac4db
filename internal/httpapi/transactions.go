package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

// transactionJSON is a transaction as the API shows it.
type transactionJSON struct {
	ID             string `json:"id"`
	AccountID      string `json:"account_id"`
	PostedOn       string `json:"posted_on"`
	Amount         string `json:"amount"`
	Currency       string `json:"currency"`
	Description    string `json:"description"`
	Merchant       string `json:"merchant"`
	Category       string `json:"category"`
	CategorySource string `json:"category_source"`
	Pending        bool   `json:"pending"`
	// TransferOf is the other side's id when the transaction is matched as
	// a transfer between the user's accounts; absent otherwise.
	TransferOf *string `json:"transfer_of,omitempty"`
}

func newTransactionJSON(t *tally.Transaction) transactionJSON {
	return transactionJSON{
		ID:             t.ID,
		AccountID:      t.AccountID,
		PostedOn:       t.PostedOn.Format(tally.DateLayout),
		Amount:         tally.FormatAmount(t.Amount, t.Currency),
		Currency:       t.Currency,
		Description:    t.Description,
		Merchant:       t.Merchant,
		Category:       t.Category,
		CategorySource: t.CategorySource,
		Pending:        t.Pending,
	}
}

// transactionDetailJSON is one transaction with why it has its category.
type transactionDetailJSON struct {
	transactionJSON
	CategoryReason      string              `json:"category_reason"`
	CategoryExplanation categoryExplanation `json:"category_explanation"`
}

func (s *Server) newTransactionDetailJSON(ctx context.Context, t *tally.Transaction) transactionDetailJSON {
	out := transactionDetailJSON{transactionJSON: newTransactionJSON(t), CategoryReason: tally.CategoryReason(t), CategoryExplanation: s.explain(ctx, t)}
	out.TransferOf = s.transferOf(ctx, t)
	return out
}

// GET /api/v1/transactions
func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f, err := transactionFilter(r.URL.Query())
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Recent transactions are what users read most: pages are cached like
	// summaries, by their exact query, until the user's next write.
	s.cachedJSON(w, r, u, "transactions:"+r.URL.Query().Encode(), func(ctx context.Context) (any, error) {
		if f.AccountID != "" {
			// Another user's account answers 404, not an empty page.
			if _, err := s.Store.Account(ctx, u.ID, f.AccountID); err != nil {
				return nil, err
			}
		}
		txns, next, err := s.Store.Transactions(ctx, u.ID, f)
		if err != nil {
			return nil, err
		}
		out := struct {
			Transactions []transactionJSON `json:"transactions"`
			NextCursor   *string           `json:"next_cursor"`
		}{Transactions: make([]transactionJSON, 0, len(txns))}
		for _, t := range txns {
			out.Transactions = append(out.Transactions, newTransactionJSON(t))
		}
		s.setTransferPeers(ctx, u.ID, out.Transactions)
		if next != "" {
			out.NextCursor = &next
		}
		return out, nil
	})
}

// transactionFilter reads GET /transactions' query; each error names its
// parameter.
func transactionFilter(q url.Values) (tally.TransactionFilter, error) {
	f := tally.TransactionFilter{
		AccountID: strings.TrimSpace(q.Get("account_id")),
		Query:     strings.TrimSpace(q.Get("q")),
		Cursor:    q.Get("cursor"),
		Limit:     store.DefaultPageSize,
	}
	if len(f.Query) > 200 {
		return f, tally.Errorf(tally.EINVALID, "q is longer than 200 characters")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxPageSize {
			return f, tally.Errorf(tally.EINVALID, "limit %q: want a whole number from 1 to %d", v, store.MaxPageSize)
		}
		f.Limit = n
	}
	if v := q.Get("month"); v != "" {
		m, err := parseMonth(v)
		if err != nil {
			return f, err
		}
		f.Month = m
	}
	if v := q.Get("category"); v != "" {
		ids, err := categoryWithChildren(v)
		if err != nil {
			return f, err
		}
		f.Categories = ids
	}
	return f, nil
}

// parseMonth checks a month=YYYY-MM parameter.
func parseMonth(v string) (string, error) {
	t, err := time.Parse(tally.MonthLayout, v)
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		return "", tally.Errorf(tally.EINVALID, "month %q: want YYYY-MM", v)
	}
	return t.Format(tally.MonthLayout), nil
}

// categoryWithChildren returns id and, for a top-level category, all of its
// subcategories.
func categoryWithChildren(id string) ([]string, error) {
	c, ok := tally.LookupCategory(id)
	if !ok {
		return nil, tally.Errorf(tally.EINVALID, "category %q is not a known category id; see GET /api/v1/categories", id)
	}
	ids := []string{c.ID}
	if c.Parent == "" {
		for _, sub := range tally.Categories() {
			if sub.Parent == c.ID {
				ids = append(ids, sub.ID)
			}
		}
	}
	return ids, nil
}

// GET /api/v1/transactions/{id}
//
// The answer is cached until the user's next write, like a page of
// transactions; the crowd's voter count in the explanation moves with
// other users' votes, so it may lag them by the cache's lifetime.
func (s *Server) getTransaction(w http.ResponseWriter, r *http.Request, u *tally.User) {
	id := r.PathValue("id")
	s.cachedJSON(w, r, u, "transaction:"+id, func(ctx context.Context) (any, error) {
		t, err := s.Store.Transaction(ctx, u.ID, id)
		if err != nil {
			return nil, err
		}
		return s.newTransactionDetailJSON(ctx, t), nil
	})
}

type patchTransactionRequest struct {
	Category        *string `json:"category"`
	ApplyToMerchant *bool   `json:"apply_to_merchant"`
}

// PATCH /api/v1/transactions/{id}: file the transaction under a category by
// hand. With "apply_to_merchant": true it also makes (or changes) the user's
// rule for the seller, which re-files their other transactions of it.
func (s *Server) patchTransaction(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req patchTransactionRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Category == nil || *req.Category == "" {
		s.error(w, r, tally.Errorf(tally.EINVALID, "category is required"))
		return
	}
	if _, ok := tally.LookupCategory(*req.Category); !ok {
		s.error(w, r, tally.Errorf(tally.EINVALID, "category %q is not a known category id; see GET /api/v1/categories", *req.Category))
		return
	}
	t, rule, err := s.recategorize(r.Context(), u.ID, r.PathValue("id"), *req.Category, req.ApplyToMerchant != nil && *req.ApplyToMerchant)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := struct {
		transactionDetailJSON
		Rule *ruleJSON `json:"rule,omitempty"`
	}{transactionDetailJSON: s.newTransactionDetailJSON(r.Context(), t)}
	if rule != nil {
		j := newRuleJSON(rule)
		out.Rule = &j
	}
	writeJSON(w, http.StatusOK, out)
}
