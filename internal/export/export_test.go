package export_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/export"
)

// pager serves n transactions in pages of the filter's limit.
func pager(n int, fail error) export.Pager {
	return func(ctx context.Context, f tally.TransactionFilter) ([]*tally.Transaction, string, error) {
		start := 0
		if f.Cursor != "" {
			fmt.Sscan(f.Cursor, &start)
			if fail != nil {
				return nil, "", fail
			}
		}
		var out []*tally.Transaction
		for i := start; i < n && len(out) < f.Limit; i++ {
			out = append(out, &tally.Transaction{ID: fmt.Sprint("t", i), AccountID: "a1", PostedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
				Amount: -int64(i + 1), Currency: "USD", Description: "SHOP, \"THE\" BEST\nINC", Merchant: "Shop", Category: "groceries",
				CategorySource: tally.SourceDictionary, Pending: i == 0})
		}
		next := ""
		if start+len(out) < n {
			next = fmt.Sprint(start + len(out))
		}
		return out, next, nil
	}
}

func TestTransactionsCSV(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	n := export.PageSize*2 + 3
	if err := export.TransactionsCSV(context.Background(), &b, pager(n, nil), tally.TransactionFilter{}, map[string]string{"a1": "Checking, joint"}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 || strings.Join(rows[0], ",") != strings.Join(export.Header, ",") {
		t.Fatalf("got %d rows, header %v", len(rows), rows[0])
	}
	first := rows[1]
	if first[0] != "t0" || first[1] != "2026-03-01" || first[3] != "Checking, joint" || first[4] != "SHOP, \"THE\" BEST\nINC" || first[8] != "-0.01" || first[10] != "true" {
		t.Fatalf("first row %q", first)
	}
	if rows[n][0] != fmt.Sprint("t", n-1) || rows[n][10] != "false" {
		t.Fatalf("last row %q", rows[n])
	}
	if !strings.HasSuffix(b.String(), "\r\n") {
		t.Error("rows do not end in CRLF")
	}
}

func TestTransactionsCSVReportsAFailedPage(t *testing.T) {
	t.Parallel()
	boom := errors.New("database gone")
	var b strings.Builder
	err := export.TransactionsCSV(context.Background(), &b, pager(export.PageSize*3, boom), tally.TransactionFilter{}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the page's error", err)
	}
}
