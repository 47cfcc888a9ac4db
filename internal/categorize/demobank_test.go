package categorize_test

import (
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
)

// Every merchant the demo bank writes is filed where a person would file it.
func TestDemoBankMerchants(t *testing.T) {
	t.Parallel()
	e := categorize.New()
	for _, m := range demobank.Merchants {
		for _, desc := range m.Examples(6) {
			amount := int64(-1234)
			switch m.Role {
			case demobank.Payroll, demobank.CardPayment, demobank.Interest, demobank.Dividend:
				amount = 1234
			case demobank.Transfer:
				if strings.Contains(desc, " FROM ") || strings.HasPrefix(desc, "CONTRIBUTION") {
					amount = 1234
				}
			}
			got := e.Categorize(categorize.Input{Description: desc, Amount: amount, MCC: m.MCC})
			if got.Category != m.Category {
				t.Errorf("%s: %q filed under %s (%s), want %s", m.Name, desc, got.Category, got.Matched, m.Category)
			}
		}
	}
}
