package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/insight"
)

// runInsight runs a user's recurring detection and transfer matching pass
// on the pinned clock.
func (e *env) runInsight(userID string, at time.Time) insight.Result {
	e.t.Helper()
	svc := &insight.Service{Store: e.store, Now: func() time.Time { return at }}
	res, err := svc.Run(context.Background(), userID)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) reconcileClean(userID string) {
	e.t.Helper()
	drifts, err := e.store.ReconcileUser(context.Background(), userID, false)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(drifts) != 0 {
		e.t.Fatalf("reconcile found drift: %+v", drifts)
	}
}

func TestTransfersMatchedAndUnlinked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, tok := e.signUp("transfers@example.com")
	_, accts := e.link(tok)
	checking, card := accts[0], accts[1]
	seeded := e.seed(uid,
		txn{account: checking, date: "2026-03-02", amount: -45000, category: "credit_card_payment", merchant: "Card Autopay"},
		// The card's side came in uncategorized: it counts as a refund in
		// spending until matched.
		txn{account: card, date: "2026-03-03", amount: 45000, category: "uncategorized", merchant: "Payment Thank You"},
		txn{account: card, date: "2026-03-04", amount: -8000, category: "groceries", merchant: "Safeway"},
		// A refund equal to a purchase elsewhere is not a transfer.
		txn{account: checking, date: "2026-03-05", amount: -2999, category: "shopping", merchant: "Target"},
		txn{account: card, date: "2026-03-06", amount: 2999, category: "returned_purchase", merchant: "Target"},
	)
	out, in := seeded[0].ID, seeded[1].ID
	spending := func() string {
		return e.do("GET", "/api/v1/spending?month=2026-03", tok, nil).want(t, http.StatusOK).str("total")
	}
	// Groceries 80 and the purchase 29.99, offset by the payment 450.
	before := spending()
	if before != "-340.01" {
		t.Fatalf("spending before matching: got %s, want -340.01", before)
	}

	if res := e.runInsight(uid, now); res.Linked != 1 {
		t.Fatalf("linked %d pairs, want 1", res.Linked)
	}
	e.reconcileClean(uid)
	got := e.do("GET", "/api/v1/transactions/"+in, tok, nil).want(t, http.StatusOK)
	if got.str("transfer_of") != out || got.str("category") != "credit_card_payment" || got.str("category_source") != tally.SourceTransfer {
		t.Fatalf("inflow after matching: got transfer_of %q category %q source %q, want %s credit_card_payment transfer",
			got.str("transfer_of"), got.str("category"), got.str("category_source"), out)
	}
	if got := e.do("GET", "/api/v1/transactions/"+out, tok, nil).want(t, http.StatusOK).str("transfer_of"); got != in {
		t.Fatalf("outflow: got transfer_of %q, want %s", got, in)
	}
	for _, x := range e.do("GET", "/api/v1/transactions?month=2026-03", tok, nil).want(t, http.StatusOK).list("transactions") {
		want := map[string]any{out: in, in: out}[x["id"].(string)]
		if x["transfer_of"] != want {
			t.Errorf("list: %s has transfer_of %v, want %v", x["id"], x["transfer_of"], want)
		}
	}
	if got := e.do("GET", "/api/v1/transactions/"+seeded[4].ID, tok, nil).want(t, http.StatusOK); got.body["transfer_of"] != nil {
		t.Fatalf("a refund got transfer_of %v", got.body["transfer_of"])
	}
	// The payment no longer offsets spending (the refund is income, as
	// before).
	if got := spending(); got != "109.99" {
		t.Fatalf("spending after matching: got %s, want 109.99", got)
	}

	// Another user cannot unlink it.
	_, other := e.signUp("other@example.com")
	e.do("DELETE", "/api/v1/transactions/"+in+"/transfer", other, nil).wantError(t, http.StatusNotFound, tally.ENOTFOUND)

	// Unlinking restores the category; matching never links it again.
	got = e.do("DELETE", "/api/v1/transactions/"+in+"/transfer", tok, nil).want(t, http.StatusOK)
	if got.body["transfer_of"] != nil || got.str("category") != "uncategorized" || got.str("category_source") != tally.SourceDictionary {
		t.Fatalf("after unlinking: got %s", got.raw)
	}
	e.reconcileClean(uid)
	if got := spending(); got != before {
		t.Fatalf("spending after unlinking: got %s, want %s as before matching", got, before)
	}
	if res := e.runInsight(uid, now.Add(time.Hour)); res.Linked != 0 {
		t.Fatalf("a pass after unlinking linked %d pairs, want 0", res.Linked)
	}
	e.do("DELETE", "/api/v1/transactions/"+in+"/transfer", tok, nil).wantError(t, http.StatusNotFound, tally.ENOTFOUND, "transfer")
}

func TestRecurringAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, tok := e.signUp("recurring@example.com")
	_, accts := e.link(tok)
	var txns []txn
	for i := range 8 {
		d := time.Date(2025, 7+time.Month(i), 20, 0, 0, 0, 0, time.UTC)
		txns = append(txns, txn{account: accts[1], date: d.Format(tally.DateLayout), amount: -1549, category: "streaming", merchant: "Netflix"})
	}
	e.seed(uid, txns...)
	if res := e.runInsight(uid, now); res.Series != 1 {
		t.Fatalf("stored %d series, want 1", res.Series)
	}
	res := e.do("GET", "/api/v1/recurring", tok, nil).want(t, http.StatusOK)
	list := res.list("recurring")
	if len(list) != 1 {
		t.Fatalf("got %d series, want 1: %s", len(list), res.raw)
	}
	s := list[0]
	want := map[string]any{"merchant": "Netflix", "category": "streaming", "cadence": "monthly", "amount": "-15.49", "last_date": "2026-02-20",
		"next_date": "2026-03-20", "status": "active", "kind": "subscription", "transactions": float64(8), "confirmed": false}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("%s: got %v, want %v", k, s[k], v)
		}
	}
	up := res.list("upcoming")
	if len(up) != 1 || up[0]["date"] != "2026-03-20" || up[0]["recurring_id"] != s["id"] {
		t.Errorf("upcoming: got %v, want Netflix on 2026-03-20", up)
	}
	id := s["id"].(string)

	e.do("PATCH", "/api/v1/recurring/"+id, tok, map[string]string{"status": "paused"}).wantError(t, http.StatusBadRequest, tally.EINVALID, "status")
	e.do("PATCH", "/api/v1/recurring/"+id, tok, map[string]string{}).wantError(t, http.StatusBadRequest, tally.EINVALID, "status")
	_, other := e.signUp("other@example.com")
	e.do("PATCH", "/api/v1/recurring/"+id, other, map[string]string{"status": "ignored"}).wantError(t, http.StatusNotFound, tally.ENOTFOUND)
	got := e.do("PATCH", "/api/v1/recurring/"+id, tok, map[string]string{"status": "ignored"}).want(t, http.StatusOK)
	if got.str("status") != "ignored" {
		t.Fatalf("got status %q, want ignored", got.str("status"))
	}
	// The choice survives the next pass, and ignored series expect nothing.
	e.runInsight(uid, now.Add(time.Hour))
	res = e.do("GET", "/api/v1/recurring", tok, nil).want(t, http.StatusOK)
	if l := res.list("recurring"); len(l) != 1 || l[0]["status"] != "ignored" {
		t.Fatalf("after a pass: got %s, want the series still ignored", res.raw)
	}
	if up := res.body["upcoming"].([]any); len(up) != 0 {
		t.Errorf("upcoming of an ignored series: got %v, want none", up)
	}
	got = e.do("PATCH", "/api/v1/recurring/"+id, tok, map[string]string{"status": "confirmed"}).want(t, http.StatusOK)
	if got.str("status") != "active" || got.body["confirmed"] != true {
		t.Fatalf("confirmed: got %s", got.raw)
	}
}

func TestNetWorthAndHoldings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, tok := e.signUp("networth@example.com")
	_, accts := e.link(tok)
	checking, card := accts[0], accts[1]
	e.seed(uid,
		txn{account: checking, date: "2026-03-02", amount: -10000, category: "groceries"},
		txn{account: checking, date: "2026-03-04", amount: 200000, category: "paycheck"},
		txn{account: card, date: "2026-03-03", amount: -5000, category: "restaurants"},
	)
	ctx := context.Background()
	day := func(s string) time.Time { d, _ := time.Parse(tally.DateLayout, s); return d }
	// The bank said checking held 5,000.00 at the end of the 4th, with
	// positions worth 4,200.00 on the 3rd, and the card owed 50.00 on the
	// 3rd.
	if err := e.store.RecordStatement(ctx, uid, checking, &tally.AccountBalance{Day: day("2026-03-04"), Balance: 500000, Currency: "USD"}, []tally.Holding{
		{SecurityID: "922908363", IDType: "CUSIP", PositionType: "POSMF", Units: "10.500", UnitPrice: "400.00", MarketValue: 420000, Currency: "USD", AsOf: day("2026-03-03")},
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RecordStatement(ctx, uid, card, &tally.AccountBalance{Day: day("2026-03-03"), Balance: -5000, Currency: "USD"}, nil); err != nil {
		t.Fatal(err)
	}
	e.runInsight(uid, now)

	res := e.do("GET", "/api/v1/networth?from=2026-03-01&to=2026-03-05", tok, nil).want(t, http.StatusOK)
	var got []string
	for _, p := range res.list("points") {
		got = append(got, fmt.Sprintf("%s %s %s %s", p["date"], p["assets"], p["liabilities"], p["net"]))
	}
	want := []string{
		// Before the first transaction: the balance the statement implies.
		"2026-03-01 3100.00 0.00 3100.00",
		"2026-03-02 3000.00 0.00 3000.00",
		// The positions count from the day they were reported; the card
		// owes 50.
		"2026-03-03 7200.00 50.00 7150.00",
		"2026-03-04 9200.00 50.00 9150.00",
		"2026-03-05 9200.00 50.00 9150.00",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("points:\n got %v\nwant %v", got, want)
	}
	res = e.do("GET", "/api/v1/holdings", tok, nil).want(t, http.StatusOK)
	hs := res.list("holdings")
	if len(hs) != 1 || hs[0]["market_value"] != "4200.00" || hs[0]["units"] != "10.500" || hs[0]["as_of"] != "2026-03-03" {
		t.Fatalf("holdings: got %s", res.raw)
	}

	for _, c := range []struct{ query, field string }{
		{"from=2026-13-01", "from"}, {"to=yesterday", "to"}, {"from=2026-03-05&to=2026-03-01", "from"}, {"from=2000-01-01&to=2026-01-01", "range"},
	} {
		e.do("GET", "/api/v1/networth?"+c.query, tok, nil).wantError(t, http.StatusBadRequest, tally.EINVALID, c.field)
	}
	// Two years answer month by month.
	res = e.do("GET", "/api/v1/networth?from=2024-04-01&to=2026-03-31", tok, nil).want(t, http.StatusOK)
	if n := len(res.list("points")); n != 24 || res.str("interval") != "month" {
		t.Fatalf("two years: got %d points at %s, want 24 month ends", n, res.str("interval"))
	}
}

func TestBudgetRolloverAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, tok := e.signUp("rollover@example.com")
	_, accts := e.link(tok)
	e.do("PUT", "/api/v1/budgets/food_dining", tok, map[string]string{"amount": "300.00", "rollover": "sideways"}).
		wantError(t, http.StatusBadRequest, tally.EINVALID, "rollover")
	got := e.do("PUT", "/api/v1/budgets/food_dining", tok, map[string]string{"amount": "300.00", "rollover": "surplus"}).want(t, http.StatusOK)
	if got.str("rollover") != "surplus" || got.str("carried") != "0.00" || got.str("available") != "300.00" {
		t.Fatalf("PUT: got %s", got.raw)
	}
	// March spends 120: April starts with 180 carried.
	e.seed(uid, txn{account: accts[0], date: "2026-03-10", amount: -12000, category: "restaurants"},
		txn{account: accts[0], date: "2026-04-02", amount: -40000, category: "restaurants"})
	april := e.withNow(time.Date(2026, 4, 5, 12, 0, 0, 0, time.UTC))
	res := april.do("GET", "/api/v1/budgets", tok, nil).want(t, http.StatusOK)
	var line map[string]any
	for _, l := range res.list("categories") {
		if l["category"] == "food_dining" {
			line = l
		}
	}
	if line == nil || line["carried"] != "180.00" || line["available"] != "480.00" || line["spent"] != "400.00" || line["status"] != "approaching" {
		t.Fatalf("April: got %v, want carried 180.00 available 480.00 spent 400.00 approaching", line)
	}
	// Rollover alone keeps the amount; none turns it off.
	got = april.do("PUT", "/api/v1/budgets/food_dining", tok, map[string]string{"rollover": "none"}).want(t, http.StatusOK)
	if got.str("amount") != "300.00" || got.str("rollover") != "none" || got.str("status") != "exceeded" {
		t.Fatalf("rollover none: got %s", got.raw)
	}
}

// The rent paid as every month, against a budget made from those months,
// shows as paid and raises nothing; a fee on top is news again.
func TestBudgetShowsExpectedRentAsPaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, tok := e.signUp("rent@example.com")
	_, accts := e.link(tok)
	var txns []txn
	for i := range 7 {
		d := time.Date(2025, time.September, 1, 0, 0, 0, 0, time.UTC).AddDate(0, i, 0) // September 2025 to March 2026
		txns = append(txns, txn{account: accts[0], date: d.Format(tally.DateLayout), amount: -180000, category: "rent_mortgage", merchant: "Avalon Bay"})
	}
	e.seed(uid, txns...)
	rent := func() map[string]any {
		t.Helper()
		for _, l := range e.do("GET", "/api/v1/budgets", tok, nil).want(t, http.StatusOK).list("categories") {
			if l["category"] == "rent_mortgage" {
				return l
			}
		}
		t.Fatal("no rent budget")
		return nil
	}
	if l := rent(); l["status"] != "exceeded" || l["source"] != "history" {
		t.Fatalf("before detection: got %v, want a history budget the rent reached", l)
	}
	e.runInsight(uid, now)
	if l := rent(); l["status"] != "paid" || l["paid"] != "1800.00" || l["amount"] != "1800.00" {
		t.Fatalf("after detection: got %v, want paid 1800.00 of 1800.00", l)
	}
	e.seed(uid, txn{account: accts[0], date: "2026-03-03", amount: -5000, category: "rent_mortgage", merchant: "Avalon Bay Late Fee"})
	if l := rent(); l["status"] != "exceeded" || l["paid"] != "1800.00" {
		t.Fatalf("with a late fee: got %v, want exceeded", l)
	}
}

// Net worth, holdings and recurring series are cached answers: a
// statement, an insight pass and a series' status set by a worker or
// another process show on the next read of a process that cached them.
func TestInsightAnswersCachedReadYourWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	b := e.process(backend, prefix, true)
	worker := e.process(backend, prefix, false)
	ctx := context.Background()
	uid, tok := a.signUp("insight-cache@example.com")
	_, accts := a.link(tok)
	var txns []txn
	for i := range 8 {
		d := time.Date(2025, 7+time.Month(i), 20, 0, 0, 0, 0, time.UTC)
		txns = append(txns, txn{account: accts[1], date: d.Format(tally.DateLayout), amount: -1549, category: "streaming", merchant: "Netflix"})
	}
	worker.seed(uid, txns...)
	const nw = "/api/v1/networth?from=2026-03-01&to=2026-03-05"
	for _, p := range []string{nw, "/api/v1/holdings", "/api/v1/recurring"} {
		a.do("GET", p, tok, nil).want(t, http.StatusOK)
		a.do("GET", p, tok, nil).want(t, http.StatusOK) // from the cache
	}

	day := func(s string) time.Time { d, _ := time.Parse(tally.DateLayout, s); return d }
	if err := worker.store.RecordStatement(ctx, uid, accts[0], &tally.AccountBalance{Day: day("2026-03-04"), Balance: 500000, Currency: "USD"}, []tally.Holding{
		{SecurityID: "922908363", IDType: "CUSIP", PositionType: "POSMF", Units: "10.500", UnitPrice: "400.00", MarketValue: 420000, Currency: "USD", AsOf: day("2026-03-03")},
	}); err != nil {
		t.Fatal(err)
	}
	if hs := a.do("GET", "/api/v1/holdings", tok, nil).want(t, http.StatusOK).list("holdings"); len(hs) != 1 || hs[0]["market_value"] != "4200.00" {
		t.Fatalf("holdings after a statement: got %v, want the position worth 4200.00", hs)
	}
	worker.runInsight(uid, now)
	pts := a.do("GET", nw, tok, nil).want(t, http.StatusOK).list("points")
	if len(pts) != 5 || pts[4]["assets"] != "9200.00" {
		t.Fatalf("net worth after a statement and a pass: got %v, want 9200.00 of assets on the 5th", pts)
	}
	list := a.do("GET", "/api/v1/recurring", tok, nil).want(t, http.StatusOK).list("recurring")
	if len(list) != 1 || list[0]["status"] != "active" {
		t.Fatalf("recurring after a pass: got %v, want Netflix active", list)
	}
	b.do("PATCH", "/api/v1/recurring/"+list[0]["id"].(string), tok, map[string]string{"status": "ignored"}).want(t, http.StatusOK)
	if list = a.do("GET", "/api/v1/recurring", tok, nil).want(t, http.StatusOK).list("recurring"); list[0]["status"] != "ignored" {
		t.Fatalf("recurring after another process ignored it: got %v", list[0]["status"])
	}
}
