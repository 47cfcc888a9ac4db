package file_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source/file"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

type goldenTxn struct {
	Line        int    `json:"line"`
	Date        string `json:"date"`
	Amount      string `json:"amount"`
	Description string `json:"description"`
	Memo        string `json:"memo,omitempty"`
	FITID       string `json:"fitid,omitempty"`
	CheckNum    string `json:"check_num,omitempty"`
	Type        string `json:"type,omitempty"`
	Repeated    string `json:"repeated_fitid,omitempty"`
	Pending     bool   `json:"pending,omitempty"`
}

// goldenChunk records what a chunk says besides its transactions.
type goldenChunk struct {
	Account      string `json:"account,omitempty"`
	Currency     string `json:"currency,omitempty"`
	Transactions int    `json:"transactions"`
	Errors       int    `json:"errors,omitempty"`
	Opening      string `json:"opening,omitempty"`
	Ledger       string `json:"ledger,omitempty"`
	LedgerOn     string `json:"ledger_on,omitempty"`
}

type golden struct {
	Format       string          `json:"format"`
	Error        string          `json:"error,omitempty"`
	Parsed       int             `json:"parsed"`
	Rejected     int             `json:"rejected"`
	Chunks       int             `json:"chunks"`
	Accounts     []string        `json:"accounts,omitempty"`
	Statements   []goldenChunk   `json:"statements,omitempty"`
	Transactions []goldenTxn     `json:"transactions"`
	Errors       []file.RowError `json:"errors"`
}

// read runs a file through Read in chunks of 2 and records everything.
// A file named NAME.CUR.ext (cash.jpy.qif) is read with that currency.
func read(t *testing.T, data []byte, currency string) golden {
	t.Helper()
	g := golden{Transactions: []goldenTxn{}, Errors: []file.RowError{}}
	multi := false
	sum, err := file.ReadWith(bytes.NewReader(data), file.ReadOptions{ChunkSize: 2, Currency: currency}, func(c *file.Chunk) error {
		g.Chunks++
		if len(c.Transactions) > 2 {
			t.Errorf("chunk of %d transactions, want at most 2", len(c.Transactions))
		}
		cur := c.Currency
		if cur == "" {
			cur = "USD"
		}
		gc := goldenChunk{Currency: c.Currency, Transactions: len(c.Transactions), Errors: len(c.Errors)}
		if c.Account != nil {
			g.Accounts = append(g.Accounts, c.Account.Kind+":"+c.Account.AccountID)
			gc.Account = c.Account.Kind + ":" + c.Account.BankID + "/" + c.Account.AccountID
		}
		if c.Opening != nil {
			gc.Opening = tally.FormatAmount(*c.Opening, cur)
		}
		if c.Ledger != nil {
			gc.Ledger = tally.FormatAmount(*c.Ledger, cur)
			if !c.LedgerAsOf.IsZero() {
				gc.LedgerOn = c.LedgerAsOf.UTC().Format(tally.DateLayout)
			}
		}
		if c.Account != nil || c.Opening != nil || c.Ledger != nil || c.Currency != "" {
			multi = true
		}
		g.Statements = append(g.Statements, gc)
		for _, x := range c.Transactions {
			g.Transactions = append(g.Transactions, goldenTxn{x.Line, x.Date.Format(tally.DateLayout), tally.FormatAmount(x.Amount, cur),
				x.Description, x.Memo, x.FITID, x.CheckNum, x.Type, x.RepeatedFITID, x.Pending})
		}
		g.Errors = append(g.Errors, c.Errors...)
		return nil
	})
	if !multi && currency == "" {
		// The chunk-by-chunk record says something only for files with
		// accounts, balances or currencies of their own.
		g.Statements = nil
	}
	g.Format, g.Parsed, g.Rejected = sum.Format, sum.Parsed, sum.Rejected
	if err != nil {
		g.Error = tally.ErrorCode(err) + ": " + tally.ErrorMessage(err)
		if g.Chunks != 0 {
			t.Errorf("Read failed after handing out %d chunks; a file that cannot be read must hand out none", g.Chunks)
		}
	}
	if len(g.Transactions) != g.Parsed || len(g.Errors) != g.Rejected {
		t.Errorf("summary says %d parsed, %d rejected; chunks held %d and %d", g.Parsed, g.Rejected, len(g.Transactions), len(g.Errors))
	}
	return g
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, ".golden.json") || strings.HasSuffix(path, ".md") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if other, ok := seen[name]; ok {
			t.Fatalf("%s and %s would share %s.golden.json; rename one", other, path, name)
		}
		seen[name] = path
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			currency := ""
			if parts := strings.Split(filepath.Base(path), "."); len(parts) == 3 && len(parts[1]) == 3 {
				currency = strings.ToUpper(parts[1])
			}
			got, err := json.MarshalIndent(read(t, data, currency), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			goldenPath := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/source/file -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n%s", goldenPath, got)
			}
		})
	}
}
