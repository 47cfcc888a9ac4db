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
}

type golden struct {
	Format       string          `json:"format"`
	Error        string          `json:"error,omitempty"`
	Parsed       int             `json:"parsed"`
	Rejected     int             `json:"rejected"`
	Chunks       int             `json:"chunks"`
	Accounts     []string        `json:"accounts,omitempty"`
	Transactions []goldenTxn     `json:"transactions"`
	Errors       []file.RowError `json:"errors"`
}

// read runs a file through Read in chunks of 2 and records everything.
func read(t *testing.T, data []byte) golden {
	t.Helper()
	g := golden{Transactions: []goldenTxn{}, Errors: []file.RowError{}}
	sum, err := file.Read(bytes.NewReader(data), 2, func(c *file.Chunk) error {
		g.Chunks++
		if len(c.Transactions) > 2 {
			t.Errorf("chunk of %d transactions, want at most 2", len(c.Transactions))
		}
		if c.Account != nil {
			g.Accounts = append(g.Accounts, c.Account.Kind+":"+c.Account.AccountID)
		}
		for _, x := range c.Transactions {
			g.Transactions = append(g.Transactions, goldenTxn{x.Line, x.Date.Format(tally.DateLayout), tally.FormatAmount(x.Amount, "USD"),
				x.Description, x.Memo, x.FITID, x.CheckNum, x.Type})
		}
		g.Errors = append(g.Errors, c.Errors...)
		return nil
	})
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
	for _, path := range files {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(read(t, data), "", "  ")
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
