package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tallyhq/tally"
)

// Amounts users enter are bounded like transactions; the largest allowed
// monthly income still gives sane template budgets.
func TestEnteredAmountsAreBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.signUp("alice@example.com")
	e.do("PUT", "/api/v1/budgets/groceries", token, map[string]string{"amount": "10000000000.01"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "amount", "10000000000.00")
	e.do("PUT", "/api/v1/budgets/groceries", token, map[string]string{"amount": "-99999999999999999999"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "amount")
	e.do("PUT", "/api/v1/profile", token, map[string]string{"monthly_income": "99999999999999.00"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "monthly_income")

	e.do("PUT", "/api/v1/profile", token, map[string]string{"monthly_income": "10000000000.00"}).want(t, http.StatusOK)
	lines := e.budgetLines(token, "2026-03")
	if len(lines) == 0 {
		t.Fatal("no template budgets for a huge income")
	}
	var sum int64
	for cat, l := range lines {
		a, err := tally.ParseAmount(l["amount"].(string), "USD")
		if err != nil || a <= 0 || a > tally.MaxAmount {
			t.Errorf("%s: budget %v (%v), want a positive amount within bounds", cat, l["amount"], err)
		}
		sum += a
	}
	if sum > tally.MaxAmount {
		t.Errorf("template budgets sum to %d, more than the income", sum)
	}
}
