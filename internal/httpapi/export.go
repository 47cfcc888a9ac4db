package httpapi

import (
	"context"
	"net/http"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/export"
)

// GET /api/v1/transactions.csv: every transaction the filters of GET
// /transactions match (limit and cursor aside), streamed as CSV.
func (s *Server) exportTransactions(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f, err := transactionFilter(r.URL.Query())
	if err != nil {
		s.error(w, r, err)
		return
	}
	accounts, err := s.Store.Accounts(r.Context(), u.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	names := map[string]string{}
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	if _, ok := names[f.AccountID]; f.AccountID != "" && !ok {
		s.error(w, r, tally.Errorf(tally.ENOTFOUND, "account not found"))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="transactions.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	page := func(ctx context.Context, f tally.TransactionFilter) ([]*tally.Transaction, string, error) {
		return s.Store.Transactions(ctx, u.ID, f)
	}
	if err := export.TransactionsCSV(r.Context(), w, page, f, names); err != nil {
		// The header is sent: the client sees a cut-off file, the log why.
		s.logger().WarnContext(r.Context(), "export transactions", "user_id", u.ID, "error", err)
	}
}
