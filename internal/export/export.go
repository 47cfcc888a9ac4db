// Package export writes a user's transactions as CSV (RFC 4180, UTF-8, a
// header row, amounts as decimal strings), page by page, so an export of
// any size is streamed in bounded queries. The API and the web app share it.
package export

import (
	"context"
	"encoding/csv"
	"io"

	"github.com/tallyhq/tally"
)

// Header is the CSV's first row.
var Header = []string{"id", "date", "account_id", "account", "description", "merchant", "category", "category_source", "amount", "currency", "pending"}

// Pager returns a page of transactions from cursor ("" first) and the next
// cursor ("" at the end); the store's Transactions is one.
type Pager func(ctx context.Context, f tally.TransactionFilter) ([]*tally.Transaction, string, error)

// PageSize is how many rows one query reads.
const PageSize = 500

// TransactionsCSV writes every transaction the filter matches to w, newest
// first. accountNames names accounts by id. It flushes after each page.
func TransactionsCSV(ctx context.Context, w io.Writer, page Pager, f tally.TransactionFilter, accountNames map[string]string) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Header); err != nil {
		return err
	}
	f.Limit, f.Cursor = PageSize, ""
	for {
		txns, next, err := page(ctx, f)
		if err != nil {
			return err
		}
		for _, t := range txns {
			pending := "false"
			if t.Pending {
				pending = "true"
			}
			if err := cw.Write([]string{t.ID, t.PostedOn.Format(tally.DateLayout), t.AccountID, accountNames[t.AccountID], t.Description, t.Merchant,
				t.Category, t.CategorySource, tally.FormatAmount(t.Amount, t.Currency), t.Currency, pending}); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
	}
}
