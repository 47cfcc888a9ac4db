package file_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/source/file"
)

// TestStatementsReconcile reads the CAMT.053 and MT940 statements from
// real banks' formats and checks each against the bank's own balances:
// the opening balance plus the transactions handed out must be the
// closing balance. A sign, a reversal or a decimal read wrong breaks it.
// Statements with rejected rows are left out: their balance holds rows
// that were not handed out.
func TestStatementsReconcile(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/*.sta")
	xml, _ := filepath.Glob("testdata/camt053_*.xml")
	files = append(files, xml...)
	checked := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var opening *int64
		var sum int64
		clean := true
		_, err = file.Read(strings.NewReader(string(data)), 3, func(c *file.Chunk) error {
			if c.Opening != nil {
				opening, sum, clean = c.Opening, 0, true
			}
			for _, x := range c.Transactions {
				sum += x.Amount
			}
			clean = clean && len(c.Errors) == 0
			if c.Ledger != nil && opening != nil && clean {
				checked++
				if *opening+sum != *c.Ledger {
					t.Errorf("%s: statement of %s: opening %d + transactions %d = %d, the bank's closing balance is %d",
						path, c.Account.AccountID, *opening, sum, *opening+sum, *c.Ledger)
				}
			}
			if c.Ledger != nil {
				opening = nil
			}
			return nil
		})
		if err != nil && !strings.Contains(path, "truncated") {
			t.Errorf("%s: %v", path, err)
		}
	}
	if checked < 6 {
		t.Errorf("checked %d statements, want at least 6", checked)
	}
}
