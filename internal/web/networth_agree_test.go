package web_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/summary"
	"github.com/tallyhq/tally/internal/web"
)

var dashboardNetRE = regexp.MustCompile(`<h2 id="networth-title">Net worth</h2>\s*<p class="big[^"]*">([^<]+)</p>`)

// The dashboard, GET /api/v1/networth and the summary service give the
// same net worth for a user with a hidden account, an account the daily
// pass has not reached yet and an investment account with positions: one
// sum, one rule (hidden accounts never count). Before the positions were
// first reported the figures count only the investment account's cash,
// and both the API and the chart say so.
func TestNetWorthAgreesEverywhere(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	st.Now = func() time.Time { return now }
	h, err := web.New(web.Config{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	api := &httpapi.Server{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	mux := http.NewServeMux()
	h.Routes(mux)
	api.Routes(mux)
	srv := httptest.NewServer(httpx.Middleware(mux, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	e := newEnvOn(t, st, srv)

	u := e.user("agree@example.com")
	day := func(s string) time.Time { d, _ := time.Parse(tally.DateLayout, s); return d }
	chk := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD", Balance: 150000}
	card := &tally.Account{ExternalID: "2", Name: "Visa", Type: tally.AccountCreditCard, Currency: "USD", Balance: -4250}
	brk := &tally.Account{ExternalID: "3", Name: "Brokerage", Type: tally.AccountInvestment, Currency: "USD", Balance: 5000}
	old := &tally.Account{ExternalID: "4", Name: "Joint savings", Type: tally.AccountSavings, Currency: "USD", Balance: 900000}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "a"}, []byte("x"),
		[]*tally.Account{chk, card, brk, old}); err != nil {
		t.Fatal(err)
	}
	// The pass has derived checking, brokerage and savings; not the card.
	if err := st.SaveDailyBalances(ctx, u.ID, []tally.AccountBalance{
		{AccountID: chk.ID, Day: day("2026-01-20"), Balance: 100000, Currency: "USD", Source: tally.BalanceDerived},
		{AccountID: chk.ID, Day: day("2026-03-15"), Balance: 150000, Currency: "USD", Source: tally.BalanceDerived},
		{AccountID: brk.ID, Day: day("2026-01-20"), Balance: 5000, Currency: "USD", Source: tally.BalanceDerived},
		{AccountID: old.ID, Day: day("2026-01-20"), Balance: 900000, Currency: "USD", Source: tally.BalanceDerived},
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordStatement(ctx, u.ID, brk.ID, nil, []tally.Holding{{SecurityID: "922908363", IDType: "CUSIP", PositionType: "POSMF",
		Units: "4.000", UnitPrice: "500.00", MarketValue: 200000, Currency: "USD", AsOf: day("2026-03-05")}}); err != nil {
		t.Fatal(err)
	}
	e.signIn("agree@example.com")
	// Hidden through the page a user would use.
	e.submit("/accounts/"+old.ID, url.Values{"name": {"Joint savings"}, "hidden": {"on"}})
	if a, err := st.Account(ctx, u.ID, old.ID); err != nil || !a.Hidden {
		t.Fatalf("savings account not hidden: %v", err)
	}

	// 1,500.00 checking - 42.50 card + 50.00 cash + 2,000.00 positions;
	// the hidden 9,000.00 nowhere.
	const want = "3507.50"

	_, page := e.get("/")
	m := dashboardNetRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("dashboard shows no net worth: %.500s", page)
	}
	if got := strings.NewReplacer("$", "", ",", "").Replace(m[1]); got != want {
		t.Errorf("dashboard: got net worth %s, want %s", m[1], want)
	}

	tok := apiToken(t, srv.URL, "agree@example.com")
	var series struct {
		PositionsFrom string `json:"positions_from"`
		Points        []struct {
			Date    string `json:"date"`
			Net     string `json:"net"`
			Partial bool   `json:"partial"`
		} `json:"points"`
	}
	apiGet(t, srv.URL+"/api/v1/networth?from=2026-03-03&to=2026-03-15", tok, &series)
	last := series.Points[len(series.Points)-1]
	if last.Date != "2026-03-15" || last.Net != want {
		t.Errorf("GET /networth: got %s on %s, want %s today", last.Net, last.Date, want)
	}
	if series.PositionsFrom != "2026-03-05" {
		t.Errorf("GET /networth: got positions_from %q, want 2026-03-05", series.PositionsFrom)
	}
	for _, p := range series.Points {
		if wantPartial := p.Date < "2026-03-05"; p.Partial != wantPartial {
			t.Errorf("GET /networth %s: got partial %v, want %v", p.Date, p.Partial, wantPartial)
		}
	}

	var sum struct {
		NetWorth []struct {
			Currency string `json:"currency"`
			Total    string `json:"total"`
		} `json:"net_worth"`
	}
	apiGet(t, srv.URL+"/api/v1/summary", tok, &sum)
	if len(sum.NetWorth) != 1 || sum.NetWorth[0].Total != want {
		t.Errorf("GET /summary: got net worth %+v, want one USD total %s", sum.NetWorth, want)
	}
	svc := &summary.Service{Store: st, Notify: &notify.Service{Store: st, Now: st.Now}, Now: st.Now}
	s, err := svc.Load(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if got := tally.FormatAmount(s.NetWorth[0].Total, "USD"); got != want {
		t.Errorf("summary service: got %s, want %s", got, want)
	}

	// The chart's January and February count the brokerage's cash only,
	// and the dashboard says why.
	for _, w := range []string{"Feb 2026 *</td>", "Months marked * count only the cash in Brokerage", "first reported on Mar 5, 2026", `class="dot partial"`} {
		if !strings.Contains(page, w) {
			t.Errorf("dashboard lacks %q", w)
		}
	}
	if strings.Contains(page, "Mar 2026 *") {
		t.Error("dashboard marks March, whose positions are known, as partial")
	}
}

func apiToken(t *testing.T, base, email string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": "password123"})
	res, err := http.Post(base+"/api/v1/tokens", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/tokens: %d %v", res.StatusCode, err)
	}
	return out.Token
}

func apiGet(t *testing.T, url, token string, into any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}
