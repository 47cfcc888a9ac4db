package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// oldRow is a transaction as stored before migration 00012.
type oldRow struct {
	id, account, external, posted string
	amount                        int64
	desc, merchant, key           string
	category, source              string
	pending                       bool
}

// A database at migration 00011 with transactions, a transfer pair, a
// replaced pending transaction and monthly totals migrates to the compact
// table, and the API then answers as before: the same transactions with
// the same fields and order, the same totals, every id handed out before
// still resolving (to the same transaction, for its owner only), and
// re-importing the old lines adds nothing.
func TestCompactMigrationKeepsAnswers(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.OpenAt(t, 11)
	jobs := &fakeJobs{}
	st := store.New(db, jobs)
	st.Now = func() time.Time { return now }
	e := &env{t: t, store: st, jobs: jobs, logs: &syncBuffer{}}
	e.serve(now)
	userID, token := e.signUp("before@example.com")
	_, accts := e.link(token)
	otherID, otherToken := e.signUp("other@example.com")
	_, otherAccts := e.link(otherToken)
	checking, visa := accts[0], accts[1]

	rows := []oldRow{
		{"01HOLDROW00000000000000001", checking, "F1", "2026-01-03", -450, "STARBUCKS #12", "Starbucks", "starbucks", "coffee_shops", "dictionary", false},
		// Identical purchases on one day, both kept (their FITIDs differ).
		{"01HOLDROW00000000000000002", checking, "F2", "2026-01-03", -450, "STARBUCKS #12", "Starbucks", "starbucks", "coffee_shops", "dictionary", false},
		{"01HOLDROW00000000000000003", checking, "F3", "2026-01-15", 250000, "PAYROLL ACME", "Acme", "acme", "paycheck", "rule", false},
		{"01HOLDROW00000000000000004", checking, "F4", "2026-02-01", -5000, "TRANSFER TO VISA", "", "", "credit_card_payment", "transfer", false},
		{"01HOLDROW00000000000000005", visa, "V1", "2026-02-02", 5000, "PAYMENT THANK YOU", "", "", "credit_card_payment", "transfer", false},
		{"01HOLDROW00000000000000006", visa, "V2", "2026-02-10", -12999, "AMAZON MKTPL", "Amazon", "amazon", "shopping", "manual", false},
		{"01HOLDROW00000000000000007", visa, "V3", "2026-03-05", -3125, "SHELL OIL 5543", "Shell", "shell", "gas_fuel", "crowd", false},
		{"01HOLDROW00000000000000008", visa, "V4", "2026-03-06", -1800, "UBER TRIP", "Uber", "uber", "ride_share", "dictionary", true},
		{"01HOLDROW00000000000000009", checking, "F5", "2026-03-07", -9900, "CHECK 1001", "", "", "uncategorized", "none", false},
	}
	totals := map[[3]string][2]int64{}
	for _, r := range rows {
		if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO transactions (user_id, id, account_id, external_id, posted_on, amount, currency, description,
			merchant, merchant_key, category, category_source, pending, created_at) VALUES (?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?, ?)`),
			userID, r.id, r.account, r.external, r.posted, r.amount, r.desc, r.merchant, r.key, r.category, r.source, r.pending, now); err != nil {
			t.Fatal(err)
		}
		k := [3]string{r.posted[:7], r.category, "USD"}
		v := totals[k]
		totals[k] = [2]int64{v[0] + r.amount, v[1] + 1}
	}
	for k, v := range totals {
		if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO monthly_totals (user_id, month, category, currency, amount, count) VALUES (?, ?, ?, ?, ?, ?)`),
			userID, k[0], k[1], k[2], v[0], v[1]); err != nil {
			t.Fatal(err)
		}
	}
	// Another user's purchase on the same day.
	if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO transactions (user_id, id, account_id, external_id, posted_on, amount, currency, description,
		merchant, merchant_key, category, category_source, pending, created_at) VALUES (?, '01HOTHER000000000000000001', ?, 'F1', '2026-01-03', -450, 'USD',
		'STARBUCKS #12', 'Starbucks', 'starbucks', 'coffee_shops', 'dictionary', ?, ?)`), otherID, otherAccts[0], false, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO transfer_pairs (user_id, id, out_id, in_id, amount, currency, out_category, out_source,
		in_category, in_source, status, created_at) VALUES (?, 'pair1', ?, ?, 5000, 'USD', 'shopping', 'dictionary', 'income', 'dictionary', 'linked', ?)`),
		userID, rows[3].id, rows[4].id, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO transaction_matches (user_id, account_id, pending_external_id, posted_id, pending_on,
		pending_amount, posted_amount, description, matched_at) VALUES (?, ?, 'P1', ?, '2026-01-02', -400, -450, 'STARBUCKS', ?)`),
		userID, checking, rows[0].id, now); err != nil {
		t.Fatal(err)
	}

	// Answers that do not read transaction rows, before the migration.
	reads := []string{"/api/v1/spending?month=2026-01", "/api/v1/spending?month=2026-03", "/api/v1/trends?from=2026-01&to=2026-03",
		"/api/v1/accounts", "/api/v1/budgets?month=2026-02"}
	before := map[string]any{}
	for _, p := range reads {
		res := e.do("GET", p, token, nil).want(t, http.StatusOK)
		before[p] = decode(t, res.raw)
	}

	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range reads {
		res := e.do("GET", p, token, nil).want(t, http.StatusOK)
		if got := decode(t, res.raw); !reflect.DeepEqual(got, before[p]) {
			t.Errorf("GET %s after the migration:\n got %s\nwant %v", p, res.raw, before[p])
		}
	}

	// Every transaction, newest first as before (same-day rows in the order
	// of their old ids), with the same fields.
	list := e.do("GET", "/api/v1/transactions?limit=500", token, nil).want(t, http.StatusOK).list("transactions")
	if len(list) != len(rows) {
		t.Fatalf("got %d transactions, want %d", len(list), len(rows))
	}
	newID := map[string]string{}
	for i, got := range list {
		r := rows[len(rows)-1-i]
		want := map[string]any{"account_id": r.account, "posted_on": r.posted, "amount": tally.FormatAmount(r.amount, "USD"), "currency": "USD",
			"description": r.desc, "merchant": r.merchant, "category": r.category, "category_source": r.source, "pending": r.pending}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("transaction %d (%s) %s: got %v, want %v", i, r.external, k, got[k], v)
			}
		}
		newID[r.id] = got["id"].(string)
	}

	// Old ids resolve to the same transaction, and only for its owner.
	for _, r := range rows {
		old := e.do("GET", "/api/v1/transactions/"+r.id, token, nil).want(t, http.StatusOK)
		cur := e.do("GET", "/api/v1/transactions/"+newID[r.id], token, nil).want(t, http.StatusOK)
		if string(old.raw) != string(cur.raw) {
			t.Errorf("GET by old id %s:\n got %s\nwant %s", r.id, old.raw, cur.raw)
		}
		e.do("GET", "/api/v1/transactions/"+r.id, otherToken, nil).wantError(t, http.StatusNotFound, "not_found")
	}

	// Ids stay unique across users: the other user's row has its own, which
	// names nothing of the first user's.
	theirs := e.do("GET", "/api/v1/transactions", otherToken, nil).want(t, http.StatusOK).list("transactions")
	if len(theirs) != 1 {
		t.Fatalf("the other user has %d transactions, want 1", len(theirs))
	}
	for _, id := range newID {
		if id == theirs[0]["id"] {
			t.Errorf("two users' transactions share id %s", id)
		}
	}
	e.do("GET", "/api/v1/transactions/"+theirs[0]["id"].(string), token, nil).wantError(t, http.StatusNotFound, "not_found")
	e.do("GET", "/api/v1/transactions/01HOTHER000000000000000001", token, nil).wantError(t, http.StatusNotFound, "not_found")

	// The transfer pair now names the new ids, seen from both sides.
	out := e.do("GET", "/api/v1/transactions/"+rows[3].id, token, nil).want(t, http.StatusOK)
	if got := out.str("transfer_of"); got != newID[rows[4].id] {
		t.Errorf("transfer_of of the outflow: got %q, want %q", got, newID[rows[4].id])
	}

	// Filters read the compact columns.
	for q, want := range map[string]int{"account_id=" + visa: 4, "category=coffee_shops": 2, "q=starbucks": 2, "month=2026-02": 3, "category=food_dining": 2} {
		if n := len(e.do("GET", "/api/v1/transactions?"+q, token, nil).want(t, http.StatusOK).list("transactions")); n != want {
			t.Errorf("GET /transactions?%s: got %d rows, want %d", q, n, want)
		}
	}

	// Writes by old id: re-file, then unlink the transfer.
	e.do("PATCH", "/api/v1/transactions/"+rows[6].id, token, map[string]string{"category": "auto_payment"}).want(t, http.StatusOK)
	e.do("DELETE", "/api/v1/transactions/"+rows[4].id+"/transfer", token, nil).want(t, http.StatusOK)
	in := e.do("GET", "/api/v1/transactions/"+rows[4].id, token, nil).want(t, http.StatusOK)
	if in.str("category") != "income" || in.str("category_source") != "dictionary" {
		t.Errorf("unlinked inflow: got %s/%s, want income/dictionary", in.str("category"), in.str("category_source"))
	}
	drifts, err := st.ReconcileUser(ctx, userID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drifts) > 0 {
		t.Errorf("monthly totals drifted from transactions after the migration: %+v", drifts)
	}

	// Re-importing the old lines adds nothing; a new line gets a new id.
	var again []*tally.Transaction
	for _, r := range rows {
		posted, _ := time.Parse(tally.DateLayout, r.posted)
		again = append(again, &tally.Transaction{AccountID: r.account, ExternalID: r.external, PostedOn: posted, Amount: r.amount, Currency: "USD",
			Description: r.desc, Merchant: r.merchant, MerchantKey: r.key, Category: r.category, CategorySource: r.source, Pending: r.pending})
	}
	fresh := &tally.Transaction{AccountID: checking, ExternalID: "F6", PostedOn: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), Amount: -450, Currency: "USD",
		Description: "STARBUCKS #12", Merchant: "Starbucks", MerchantKey: "starbucks", Category: "coffee_shops", CategorySource: "dictionary"}
	n, err := st.InsertTransactions(ctx, userID, append(again, fresh))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("re-import after the migration inserted %d, want 1 (the new line)", n)
	}
	for _, id := range newID {
		if fresh.ID == id {
			t.Errorf("new transaction got id %s, already a migrated transaction's", id)
		}
	}
	e.do("GET", "/api/v1/transactions/"+fresh.ID, token, nil).want(t, http.StatusOK)
}

func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return v
}
