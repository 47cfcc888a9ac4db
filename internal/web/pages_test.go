package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/web"
)

// fakeLinker stands in for the institution: password "wrong" is refused,
// a URL without https:// is invalid; otherwise it links a checking account.
type fakeLinker struct{ e *env }

func (f *fakeLinker) Connect(ctx context.Context, userID string, req ingest.ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	switch {
	case req.Password == "wrong":
		return nil, nil, tally.Errorf(tally.EUNPROCESSABLE, "the institution refused the login or password")
	case req.Kind == tally.ConnectionOFX && !strings.HasPrefix(req.URL, "https://"):
		return nil, nil, tally.Errorf(tally.EINVALID, "url %q: want https://", req.URL)
	}
	conn := &tally.Connection{UserID: userID, Kind: req.Kind, URL: req.URL, Login: req.Login, Institution: "Demo Bank"}
	accounts := []*tally.Account{{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Mask: "1234", Currency: "USD", Balance: 123456}}
	if err := f.e.store.CreateConnection(ctx, conn, []byte("x"), accounts); err != nil {
		return nil, nil, err
	}
	return conn, accounts, nil
}

func (f *fakeLinker) UpdateCredentials(ctx context.Context, userID, connectionID, login, password string) (*tally.Connection, error) {
	if password == "wrong" {
		return nil, tally.Errorf(tally.EUNPROCESSABLE, "the institution refused the login or password")
	}
	return f.e.store.Connection(ctx, userID, connectionID)
}

// site is a web app with a linker and webhooks, signed in as alice.
func site(t *testing.T) (*env, *tally.User) {
	t.Helper()
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	linker := &fakeLinker{}
	e := newEnvWith(t, func(c *web.Config) { c.Linker = linker; c.Secrets = box })
	linker.e = e
	alice := e.user("alice@example.com")
	e.signIn("alice@example.com")
	return e, alice
}

func (e *env) signIn(email string) {
	e.t.Helper()
	res := e.post("/signin", url.Values{"email": {email}, "password": {"password123"}}, nil)
	body(e.t, res)
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in: got %d", res.StatusCode)
	}
}

// submit posts a form and follows its redirect; it returns the status of
// the answer to the post and the page finally shown.
func (e *env) submit(path string, form url.Values) (int, string) {
	e.t.Helper()
	res := e.post(path, form, nil)
	page := body(e.t, res)
	if res.StatusCode == http.StatusSeeOther {
		_, page = e.get(res.Header.Get("Location"))
	}
	return res.StatusCode, page
}

// seedCard links a card account for u with n transactions of "Blue Bottle
// Coffee" and one of another seller, all in March 2026.
func (e *env) seedCard(u *tally.User, n int) (*tally.Account, []*tally.Transaction) {
	e.t.Helper()
	ctx := context.Background()
	acct := &tally.Account{ExternalID: "card", Name: "Visa", Type: tally.AccountCreditCard, Currency: "USD"}
	if err := e.store.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "x"}, []byte("x"), []*tally.Account{acct}); err != nil {
		e.t.Fatal(err)
	}
	var txns []*tally.Transaction
	for i := range n {
		txns = append(txns, &tally.Transaction{AccountID: acct.ID, ExternalID: fmt.Sprint("bb", i), PostedOn: time.Date(2026, 3, 1+i%14, 0, 0, 0, 0, time.UTC),
			Amount: -450, Currency: "USD", Description: "SQ *BLUE BOTTLE COFFEE", Merchant: "Blue Bottle Coffee", MerchantKey: "blue_bottle_coffee", Category: "coffee_shops", CategorySource: tally.SourceDictionary})
	}
	txns = append(txns, &tally.Transaction{AccountID: acct.ID, ExternalID: "wf", PostedOn: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		Amount: -8412, Currency: "USD", Description: "WHOLEFDS HOU 10236", Merchant: "Whole Foods Market", MerchantKey: "whole_foods_market", Category: "groceries", CategorySource: tally.SourceDictionary})
	if _, err := e.store.InsertTransactions(ctx, u.ID, txns); err != nil {
		e.t.Fatal(err)
	}
	return acct, txns
}

func TestSignUpFollowsTheSignupSetting(t *testing.T) {
	t.Parallel()
	closed := newEnv(t, "")
	// The first user of an instance may always sign up.
	if status, page := closed.get("/signup"); status != 200 || !strings.Contains(page, `action="/signup"`) {
		t.Fatalf("first sign-up form: %d", status)
	}
	f := url.Values{"email": {"first@example.com"}, "password": {"password123"}, "password_confirm": {"password123"}}
	if status, page := closed.submit("/signup", f); status != http.StatusSeeOther || !strings.Contains(page, "Welcome to Tally") || !strings.Contains(page, "Get started") {
		t.Fatalf("first sign-up: %d %.300s", status, page)
	}
	other := closed
	other.client.Jar, _ = newJar()
	if status, page := other.get("/signup"); status != http.StatusForbidden || !strings.Contains(page, "Sign-up is closed") {
		t.Fatalf("second sign-up form: %d", status)
	}
	f.Set("email", "second@example.com")
	if status, page := other.submit("/signup", f); status != http.StatusForbidden || !strings.Contains(page, "Sign-up is closed") {
		t.Fatalf("second sign-up: %d", status)
	}
	if _, _, err := closed.store.UserByEmail(context.Background(), "second@example.com"); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatal("a refused sign-up stored the user")
	}

	open := newEnvWith(t, func(c *web.Config) { c.SignupOpen = true })
	open.user("taken@example.com")
	for _, tc := range []struct {
		form     url.Values
		contains []string
	}{
		{url.Values{"email": {""}, "password": {"password123"}, "password_confirm": {"password123"}}, []string{"Enter your email address."}},
		{url.Values{"email": {"not-an-email"}, "password": {"password123"}, "password_confirm": {"password123"}}, []string{`value="not-an-email"`, "you@example.com"}},
		{url.Values{"email": {strings.Repeat("a", 250) + "@x.com"}, "password": {"password123"}}, []string{"at most 254"}},
		{url.Values{"email": {"new@example.com"}, "password": {"short"}, "password_confirm": {"short"}}, []string{`value="new@example.com"`, "at least 8"}},
		{url.Values{"email": {"new@example.com"}, "password": {"password123"}, "password_confirm": {"password124"}}, []string{"differ"}},
		{url.Values{"email": {"Taken@example.com"}, "password": {"password123"}, "password_confirm": {"password123"}}, []string{"already an account"}},
	} {
		status, page := open.submit("/signup", tc.form)
		if status != http.StatusUnprocessableEntity || strings.Contains(page, "password123") {
			t.Errorf("%v: got %d (passwords must not come back)", tc.form, status)
		}
		for _, c := range tc.contains {
			if !strings.Contains(page, c) {
				t.Errorf("%v: page lacks %q", tc.form, c)
			}
		}
	}
}

func TestSignInReturnsToTheAskedPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.user("alice@example.com")
	res, err := e.client.Get(e.srv.URL + "/budgets?month=2026-02")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/signin?next=%2Fbudgets%3Fmonth%3D2026-02" {
		t.Fatalf("a visitor got %d to %q", res.StatusCode, loc)
	}
	if _, page := e.get("/signin?next=%2Fbudgets%3Fmonth%3D2026-02"); !strings.Contains(page, `name="next" value="/budgets?month=2026-02"`) {
		t.Fatal("the sign-in form forgets where to return")
	}
	for next, want := range map[string]string{
		"/budgets?month=2026-02": "/budgets?month=2026-02",
		"//evil.example/x":       "/",
		"https://evil.example/":  "/",
		"/\\evil.example":        "/",
		"":                       "/",
	} {
		res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}, "next": {next}}, nil)
		body(t, res)
		if loc := res.Header.Get("Location"); loc != want {
			t.Errorf("next %q: went to %q, want %q", next, loc, want)
		}
	}
}

func TestFormsRefuseForgedOrMissingTokens(t *testing.T) {
	t.Parallel()
	e, alice := site(t)
	for _, tok := range []string{"", "forged"} {
		res := e.post("/rules", url.Values{"csrf": {tok}, "merchant": {"Starbucks"}, "category": {"coffee_shops"}}, nil)
		if page := body(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(page, "This form has expired") {
			t.Fatalf("token %q: got %d", tok, res.StatusCode)
		}
	}
	res := e.post("/settings/tokens", url.Values{"name": {"x"}}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	body(t, res)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin: got %d", res.StatusCode)
	}
	if rules, _ := e.store.Rules(context.Background(), alice.ID); len(rules) != 0 {
		t.Fatal("a refused form made a rule")
	}
	if ts, _ := e.store.APITokens(context.Background(), alice.ID); len(ts) != 0 {
		t.Fatal("a refused form made a token")
	}
	// A visitor's post gets a page, not a redirect loop or a 500.
	e.client.Jar, _ = newJar()
	res = e.post("/rules", url.Values{"merchant": {"x"}}, nil)
	if body(t, res); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a visitor's post: got %d", res.StatusCode)
	}
}

func TestBadInputNeverFails(t *testing.T) {
	t.Parallel()
	e, alice := site(t)
	acct, txns := e.seedCard(alice, 3)
	bob := e.user("bob@example.com")
	bobAcct, bobTxns := e.seedCard(bob, 1)
	long := strings.Repeat("x", 5000)
	for _, tc := range []struct {
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"/rules", url.Values{"merchant": {""}, "category": {"coffee_shops"}}, 422, "Enter the merchant."},
		{"/rules", url.Values{"merchant": {long}, "category": {"coffee_shops"}}, 422, "longer than 200"},
		{"/rules", url.Values{"merchant": {"Starbucks"}, "category": {"not_a_category"}}, 422, "Choose a category"},
		{"/rules", url.Values{"merchant": {"Starbucks"}}, 422, "Choose a category"},
		{"/rules/" + "nope" + "/delete", nil, 404, "nothing of yours"},
		{"/budgets/groceries", url.Values{"amount": {""}}, 422, "Enter an amount"},
		{"/budgets/groceries", url.Values{"amount": {"lots"}}, 422, "without letters"},
		{"/budgets/groceries", url.Values{"amount": {"-5"}}, 422, "more than zero"},
		{"/budgets/groceries", url.Values{"amount": {long}}, 422, "without letters"},
		{"/budgets/paycheck", url.Values{"amount": {"10"}}, 422, "spending category"},
		{"/budgets/new", url.Values{"category": {"nope"}, "amount": {"10"}}, 422, "spending category"},
		{"/budgets/nope/reset", nil, 404, "no budget"},
		{"/transactions/" + txns[0].ID + "/category", url.Values{"category": {"nope"}}, 400, "Choose a category"},
		{"/transactions/" + bobTxns[0].ID + "/category", url.Values{"category": {"groceries"}}, 404, "nothing of yours"},
		{"/transactions/" + bobTxns[0].ID + "/category", url.Values{"category": {"nope"}}, 404, "nothing of yours"},
		{"/accounts/" + bobAcct.ID, url.Values{"name": {"Mine"}}, 404, "nothing of yours"},
		{"/accounts/" + acct.ID, url.Values{"name": {""}}, 422, "Name must not be empty"},
		{"/accounts/" + acct.ID, url.Values{"name": {long}}, 422, "longer than 100"},
		{"/accounts/" + acct.ID + "/delete", nil, 409, "remove its connection"},
		{"/accounts/" + bobAcct.ID + "/delete", nil, 404, "nothing of yours"},
		{"/connections/nope/refresh", nil, 404, "nothing of yours"},
		{"/connections/nope/remove", nil, 404, "nothing of yours"},
		{"/connections/" + bobAcct.ConnectionID + "/remove", nil, 404, "nothing of yours"},
		{"/connections/" + bobAcct.ConnectionID + "/credentials", url.Values{"password": {"x"}}, 404, "nothing of yours"},
		{"/connections/" + acct.ConnectionID + "/credentials", url.Values{"password": {""}}, 422, "Enter the new password."},
		{"/connections/" + acct.ConnectionID + "/credentials", url.Values{"password": {"wrong"}}, 422, "refused the login"},
		{"/accounts/link", url.Values{"kind": {"ofx"}}, 422, "Enter the institution"},
		{"/accounts/link", url.Values{"kind": {"ofx"}, "url": {"https://bank.example"}, "login": {"me"}, "password": {"wrong"}}, 422, "refused the login"},
		{"/accounts/link", url.Values{"kind": {"ofx"}, "url": {"ftp://bank"}, "login": {"me"}, "password": {"pw"}}, 400, "want https://"},
		{"/accounts/link", url.Values{"kind": {"ofx"}, "url": {long}, "login": {"me"}, "password": {"pw"}}, 422, "longer than 2048"},
		{"/accounts/link", url.Values{"kind": {"simplefin"}}, 422, "Enter the setup token."},
		{"/accounts/link", url.Values{"kind": {"plaid"}}, 400, "Choose OFX"},
		{"/alerts/nope/read", nil, 404, "nothing of yours"},
		{"/settings/profile", url.Values{"income": {"lots"}, "time_zone": {"UTC"}, "approaching": {"80"}}, 422, "Enter your monthly income"},
		{"/settings/profile", url.Values{"income": {"10"}, "time_zone": {"Mars/Olympus"}, "approaching": {"80"}}, 422, "Choose a time zone"},
		{"/settings/profile", url.Values{"time_zone": {"UTC"}, "approaching": {"150"}}, 422, "from 1 to 99"},
		{"/settings/profile", url.Values{"time_zone": {"UTC"}, "approaching": {"x"}}, 422, "from 1 to 99"},
		{"/settings/profile", url.Values{"time_zone": {"UTC"}, "approaching": {"80"}, "notify_email": {"nope"}}, 422, "Enter an email address"},
		{"/settings/webhook", url.Values{"action": {"set"}, "webhook_url": {""}}, 422, "Enter the https://"},
		{"/settings/webhook", url.Values{"action": {"set"}, "webhook_url": {"ftp://hooks.example.com/x"}}, 422, "http"},
		{"/settings/webhook", url.Values{"action": {"rotate"}}, 422, "no webhook"},
		{"/settings/webhook", url.Values{"action": {"explode"}}, 400, "Choose to save"},
		{"/settings/tokens", url.Values{"name": {""}}, 422, "Name the token"},
		{"/settings/tokens", url.Values{"name": {long}}, 422, "longer than 100"},
		{"/settings/tokens/nope/revoke", nil, 404, "nothing of yours"},
		{"/settings/password", url.Values{"current_password": {"wrong-one"}, "new_password": {"newpassword1"}, "new_password_confirm": {"newpassword1"}}, 422, "not your current password"},
		{"/settings/password", url.Values{"current_password": {"password123"}, "new_password": {"short"}, "new_password_confirm": {"short"}}, 422, "at least 8"},
		{"/settings/password", url.Values{"current_password": {"password123"}, "new_password": {"newpassword1"}, "new_password_confirm": {"other"}}, 422, "differ"},
		{"/nowhere", nil, 404, "no page at this address"},
	} {
		status, page := e.submit(tc.path, tc.form)
		if status != tc.status || !strings.Contains(page, tc.want) {
			t.Errorf("POST %s %v: got %d, want %d with %q: %.200s", tc.path, tc.form, status, tc.status, tc.want, pageText(page))
		}
		if !strings.Contains(page, `<html lang="en">`) || strings.Contains(page, "password123") {
			t.Errorf("POST %s: not a whole page, or it shows a password", tc.path)
		}
	}
	for _, path := range []string{"/?month=2026-13", "/budgets?month=x", "/trends?to=2026", "/trends?category=groceries", "/transactions?month=13&account=nope&category=x&q=" + long[:300],
		"/transactions?cursor=@@@", "/alerts?cursor=@@@", "/transactions/" + bobTxns[0].ID, "/connections/" + bobAcct.ConnectionID + "/remove", "/accounts/" + bobAcct.ID + "/delete",
		"/transactions.csv?month=nope"} {
		status, page := e.get(path)
		if status >= 500 || status == 200 && !strings.Contains(page, "field-error") {
			t.Errorf("GET %s: got %d: %.200s", path, status, pageText(page))
		}
	}
	// Nothing was half-written.
	ctx := context.Background()
	if rules, _ := e.store.Rules(ctx, alice.ID); len(rules) != 0 {
		t.Error("a refused form made a rule")
	}
	if b, _ := e.store.Budgets(ctx, alice.ID); len(b) != 0 {
		t.Errorf("a refused form set budgets %v", b)
	}
	if p, _ := e.store.Profile(ctx, alice.ID); p.MonthlyIncome != 0 || p.TimeZone != "UTC" || p.WebhookURL != "" {
		t.Errorf("a refused form changed the profile: %+v", p)
	}
	if got, _ := e.store.Transaction(ctx, bob.ID, bobTxns[0].ID); got.Category != "coffee_shops" {
		t.Error("alice changed bob's transaction")
	}
	if conns, _ := e.store.Connections(ctx, alice.ID); len(conns) != 1 {
		t.Errorf("refused links stored %d connections", len(conns))
	}
}

// pageText is a page's main content, for failure messages.
func pageText(page string) string {
	if i := strings.Index(page, `<main`); i >= 0 {
		return page[i:]
	}
	return page
}

func TestRecategorizeFromTheListMakesARule(t *testing.T) {
	t.Parallel()
	e, alice := site(t)
	_, txns := e.seedCard(alice, 4)
	_, page := e.get("/transactions?q=blue+bottle")
	if n := strings.Count(page, "Blue Bottle Coffee</a>"); n != 4 || strings.Contains(page, "Whole Foods") {
		t.Fatalf("search found %d Blue Bottle rows", n)
	}
	_, page = e.get("/transactions?q=blue+bottle&edit=" + txns[0].ID)
	if !strings.Contains(page, `action="/transactions/`+txns[0].ID+`/category"`) || !strings.Contains(page, `<optgroup label="Food &amp; Dining">`) {
		t.Fatal("the list has no category form for the row asked for")
	}
	status, page := e.submit("/transactions/"+txns[0].ID+"/category", url.Values{"category": {"restaurants"}, "apply": {"on"}, "back": {"/transactions?q=blue+bottle"}})
	if status != http.StatusSeeOther || !strings.Contains(page, "it moved 3 other transactions") {
		t.Fatalf("recategorize: %d %s", status, pageText(page))
	}
	if strings.Count(page, ">Restaurants <a") != 4 {
		t.Fatalf("the merchant's transactions did not all move: %s", pageText(page))
	}
	_, page = e.get("/rules")
	if !strings.Contains(page, "Blue Bottle Coffee") || !strings.Contains(page, "Restaurants") {
		t.Fatal("the rule is not on /rules")
	}
	_, page = e.get("/transactions/" + txns[0].ID)
	if !strings.Contains(page, "Set by you") || !strings.Contains(page, "SQ *BLUE BOTTLE COFFEE") {
		t.Fatalf("the transaction page does not say why: %s", pageText(page))
	}
	_, page = e.get("/transactions/" + txns[1].ID)
	if !strings.Contains(page, "by your rule for Blue Bottle Coffee") {
		t.Fatalf("the rule's transaction does not say why: %s", pageText(page))
	}
	// A category filter on a parent includes its children.
	_, page = e.get("/transactions?category=food_dining")
	if strings.Count(page, "Blue Bottle Coffee</a>") != 4 || !strings.Contains(page, "Whole Foods") {
		t.Fatal("food_dining does not include restaurants and groceries")
	}
	// The CSV has the same rows.
	res, err := e.client.Get(e.srv.URL + "/transactions.csv?category=restaurants")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if err != nil || len(rows) != 5 || rows[1][6] != "restaurants" || rows[1][8] != "-4.50" {
		t.Fatalf("CSV: %v %v", rows, err)
	}
	// Deleting the rule keeps the categories.
	rules, _ := e.store.Rules(context.Background(), alice.ID)
	if status, page := e.submit("/rules/"+rules[0].ID+"/delete", nil); status != http.StatusSeeOther || !strings.Contains(page, "Rule deleted") {
		t.Fatalf("delete rule: %d", status)
	}
}

func newJar() (http.CookieJar, error) { return cookiejar.New(nil) }

func TestAccountsPage(t *testing.T) {
	t.Parallel()
	e, alice := site(t)
	ctx := context.Background()
	_, page := e.get("/accounts")
	if !strings.Contains(page, "Nothing linked yet") || !strings.Contains(page, "Link with SimpleFIN") {
		t.Fatal("the empty accounts page lacks its forms")
	}
	status, page := e.submit("/accounts/link", url.Values{"kind": {"ofx"}, "url": {"https://bank.example/ofx"}, "login": {"alice"}, "password": {"wrong"}})
	if status != 422 || !strings.Contains(page, `value="https://bank.example/ofx"`) || !strings.Contains(page, `value="alice"`) {
		t.Fatalf("refused link: %d, typed values gone", status)
	}
	status, page = e.submit("/accounts/link", url.Values{"kind": {"ofx"}, "url": {"https://bank.example/ofx"}, "login": {"alice"}, "password": {"right"}})
	if status != http.StatusSeeOther || !strings.Contains(page, "Linked Demo Bank: 1 account.") || !strings.Contains(page, "Checking") {
		t.Fatalf("link: %d %s", status, pageText(page))
	}
	conns, _ := e.store.Connections(ctx, alice.ID)
	accts, _ := e.store.Accounts(ctx, alice.ID)
	if status, page = e.submit("/connections/"+conns[0].ID+"/refresh", nil); !strings.Contains(page, "Refreshing.") {
		t.Fatalf("refresh: %d %s", status, pageText(page))
	}
	if _, page = e.submit("/connections/"+conns[0].ID+"/refresh", nil); !strings.Contains(page, "you can refresh again in 60 s") || !strings.Contains(page, "You can refresh again in 60 s.") {
		t.Fatalf("the cooldown is not shown: %s", pageText(page))
	}
	if status, page = e.submit("/accounts/"+accts[0].ID, url.Values{"name": {"Bills"}, "hidden": {"on"}}); status != http.StatusSeeOther || !strings.Contains(page, "Saved Bills.") {
		t.Fatalf("rename: %d", status)
	}
	if _, page = e.get("/"); strings.Contains(page, "Bills") {
		t.Fatal("a hidden account is on the dashboard")
	}
	if _, page = e.get("/connections/" + conns[0].ID + "/remove"); !strings.Contains(page, "Remove Demo Bank?") || !strings.Contains(page, "cannot be undone") {
		t.Fatal("no confirmation before removing")
	}
	if status, _ = e.submit("/connections/"+conns[0].ID+"/remove", nil); status != http.StatusSeeOther {
		t.Fatalf("remove: %d", status)
	}
	if conns, _ = e.store.Connections(ctx, alice.ID); len(conns) != 0 {
		t.Fatal("the connection is still there")
	}
}

func TestBudgetsAlertsTrendsAndSettings(t *testing.T) {
	t.Parallel()
	e, alice := site(t)
	ctx := context.Background()
	e.seedCard(alice, 10)
	status, page := e.submit("/budgets/new", url.Values{"category": {"coffee_shops"}, "amount": {"30"}, "month": {"2026-03"}})
	if status != http.StatusSeeOther || !strings.Contains(page, "Coffee Shops budget set to $30.00 a month.") || !strings.Contains(page, "$45.00 of $30.00") || !strings.Contains(page, "$15.00 over") {
		t.Fatalf("set budget: %d %s", status, pageText(page))
	}
	if _, page = e.submit("/budgets/coffee_shops/reset", url.Values{"month": {"2026-03"}}); !strings.Contains(page, "back to Tally’s recommendation") {
		t.Fatal("reset")
	}
	if b, _ := e.store.Budgets(ctx, alice.ID); len(b) != 0 {
		t.Fatalf("budgets after reset: %v", b)
	}
	if _, page = e.get("/budgets?month=2026-02"); !strings.Contains(page, "February 2026") || !strings.Contains(page, `href="/budgets?month=2026-03"`) {
		t.Fatal("previous month's budgets")
	}
	if _, page = e.get("/trends"); !strings.Contains(page, "Income and spending") || !strings.Contains(page, "Food &amp; Dining") || !strings.Contains(page, "<svg") {
		t.Fatalf("trends: %s", pageText(page))
	}
	if _, page = e.get("/trends?category=food_dining"); !strings.Contains(page, "Coffee Shops") || !strings.Contains(page, "Groceries") {
		t.Fatal("trends by subcategory")
	}

	if _, err := e.store.AddNotifications(ctx, alice.ID, []*tally.Notification{
		{Kind: tally.NotifyBudgetExceeded, Category: "coffee_shops", Month: "2026-03", Message: "Over on coffee"},
		{Kind: tally.NotifyBudgetApproaching, Category: "groceries", Month: "2026-03", Message: "Close on groceries"},
	}, nil); err != nil {
		t.Fatal(err)
	}
	_, page = e.get("/alerts")
	if !strings.Contains(page, "Over on coffee") || !strings.Contains(page, "Mark all 2 read") || !strings.Contains(page, `<span class="count">2`) {
		t.Fatal("alerts page")
	}
	if _, page = e.submit("/alerts/read-all", nil); !strings.Contains(page, "Marked 2 alerts read.") || strings.Contains(page, `class="count"`) {
		t.Fatalf("read all: %s", pageText(page))
	}

	status, page = e.submit("/settings/profile", url.Values{"income": {"5,200.00"}, "time_zone": {"Europe/Paris"}, "approaching": {"75"}, "notify_email": {"me@example.com"},
		"email_budget_exceeded": {"on"}, "webhook_budget_exceeded": {"on"}})
	if status != http.StatusSeeOther || !strings.Contains(page, "Settings saved.") || !strings.Contains(page, `value="5200.00"`) || !strings.Contains(page, "<option selected>Europe/Paris</option>") {
		t.Fatalf("profile: %d %s", status, pageText(page))
	}
	p, _ := e.store.Profile(ctx, alice.ID)
	if p.MonthlyIncome != 520000 || p.ApproachingPercent != 75 || len(p.Channels[tally.NotifyBudgetApproaching]) != 0 || len(p.Channels[tally.NotifyBudgetExceeded]) != 2 {
		t.Fatalf("profile stored: %+v", p)
	}
	status, page = e.submit("/settings/webhook", url.Values{"action": {"set"}, "webhook_url": {"https://hooks.example.com/tally"}})
	if status != 200 || !strings.Contains(page, `id="webhook-secret"`) {
		t.Fatalf("webhook: %d", status)
	}
	if _, page = e.get("/settings"); strings.Contains(page, `id="webhook-secret"`) {
		t.Fatal("the webhook secret is shown twice")
	}
	_, page = e.submit("/settings/webhook", url.Values{"action": {"rotate"}})
	if !strings.Contains(page, `id="webhook-secret"`) {
		t.Fatal("rotating shows no new secret")
	}
	status, page = e.submit("/settings/tokens", url.Values{"name": {"spreadsheet"}})
	if status != http.StatusCreated || !strings.Contains(page, `id="new-token"`) || !strings.Contains(page, "Never used") {
		t.Fatalf("token: %d", status)
	}
	ts, _ := e.store.APITokens(ctx, alice.ID)
	if len(ts) != 1 || ts[0].Name != "spreadsheet" {
		t.Fatalf("tokens %v", ts)
	}
	if _, page = e.submit("/settings/tokens/"+ts[0].ID+"/revoke", nil); !strings.Contains(page, "Token revoked") || strings.Contains(page, "spreadsheet<span") {
		t.Fatal("revoke")
	}
	status, page = e.submit("/settings/password", url.Values{"current_password": {"password123"}, "new_password": {"newpassword1"}, "new_password_confirm": {"newpassword1"}})
	if status != http.StatusSeeOther || !strings.Contains(page, "Password changed") {
		t.Fatalf("password: %d", status)
	}
	e.client.Jar, _ = newJar()
	res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"newpassword1"}}, nil)
	if body(t, res); res.StatusCode != http.StatusSeeOther {
		t.Fatal("the new password does not sign in")
	}
}
