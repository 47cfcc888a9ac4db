package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

// seedSeries stores two detected series for u: a monthly subscription due
// within 30 days of now and a bill that ended.
func (e *env) seedSeries(u *tally.User) []*tally.RecurringSeries {
	e.t.Helper()
	day := func(s string) time.Time { d, _ := time.Parse(tally.DateLayout, s); return d }
	out, _, err := e.store.SaveRecurring(e.t.Context(), u.ID, []tally.RecurringSeries{
		{Key: "netflix|USD|out|monthly", Merchant: "Netflix", Category: "streaming", Currency: "USD", Cadence: "monthly", Kind: "subscription",
			Amount: -1549, Previous: -1549, Usual: -1549, FirstDate: day("2025-10-20"), LastDate: day("2026-02-20"), NextDate: day("2026-03-20"), Count: 5, Confidence: 90, State: "active"},
		{Key: "oldgym|USD|out|monthly", Merchant: "Old Gym", Category: "gym", Currency: "USD", Cadence: "monthly", Kind: "subscription",
			Amount: -4000, Previous: -4000, Usual: -4000, FirstDate: day("2025-06-03"), LastDate: day("2025-11-03"), NextDate: day("2025-12-03"), Count: 6, Confidence: 80, State: "ended"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func TestRecurringConfirmAndIgnore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	alice := e.user("alice@example.com")
	series := e.seedSeries(alice)
	ids := map[string]string{}
	for _, s := range series {
		ids[s.Merchant] = s.ID
	}
	e.signIn("alice@example.com")

	status, page := e.get("/recurring")
	if status != http.StatusOK {
		t.Fatalf("GET /recurring: %d", status)
	}
	upcoming := page[strings.Index(page, `id="upcoming-title"`):strings.Index(page, `id="series-title"`)]
	if !strings.Contains(upcoming, "Netflix") || !strings.Contains(upcoming, "Fri, Mar 20") || strings.Contains(upcoming, "Old Gym") {
		t.Errorf("upcoming bills should list Netflix on Mar 20 and not the ended gym: %s", upcoming)
	}
	for _, want := range []string{`href="/recurring" aria-current="page"`, "Old Gym", `class="status ended"`, "−$15.49", "Mar 20, 2026",
		`action="/recurring/` + ids["Netflix"] + `/confirm"`, `action="/recurring/` + ids["Netflix"] + `/ignore"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/recurring lacks %q", want)
		}
	}

	res := e.post("/recurring/"+ids["Netflix"]+"/confirm", nil, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/recurring" {
		t.Fatalf("confirm: %d to %q, want 303 to /recurring", res.StatusCode, res.Header.Get("Location"))
	}
	if s, _ := e.store.Recurring(t.Context(), alice.ID, ids["Netflix"]); s.UserStatus != tally.RecurringConfirmed {
		t.Errorf("after confirm the series is %q", s.UserStatus)
	}
	_, page = e.get("/recurring")
	if !strings.Contains(page, "Netflix is confirmed as recurring.") || strings.Contains(page, `action="/recurring/`+ids["Netflix"]+`/confirm"`) {
		t.Errorf("after confirm the page should say so and drop the confirm button")
	}

	body(t, e.post("/recurring/"+ids["Netflix"]+"/ignore", nil, nil))
	if s, _ := e.store.Recurring(t.Context(), alice.ID, ids["Netflix"]); s.UserStatus != tally.RecurringIgnored {
		t.Errorf("after ignore the series is %q", s.UserStatus)
	}
	_, page = e.get("/recurring")
	if !strings.Contains(page, "No bills or subscriptions are expected") {
		t.Errorf("an ignored series should leave upcoming bills")
	}
}

func TestRecurringRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	alice := e.user("alice@example.com")
	e.user("bob@example.com")
	id := e.seedSeries(alice)[0].ID
	e.signIn("bob@example.com")

	for _, action := range []string{"confirm", "ignore"} {
		res := e.post("/recurring/"+id+"/"+action, nil, nil)
		if page := body(t, res); res.StatusCode != http.StatusNotFound || !strings.Contains(page, "There is nothing of yours at this address.") {
			t.Errorf("bob's %s of alice's series: %d, want the styled 404", action, res.StatusCode)
		}
	}
	res := e.post("/recurring/nosuch/confirm", nil, nil)
	if body(t, res); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown series: %d, want 404", res.StatusCode)
	}
	e2 := newEnv(t, "")
	carol := e2.user("carol@example.com")
	cid := e2.seedSeries(carol)[0].ID
	e2.signIn("carol@example.com")
	res = e2.post("/recurring/"+cid+"/ignore", url.Values{"csrf": {"forged"}}, nil)
	if body(t, res); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged form token: %d, want 403", res.StatusCode)
	}
	if s, _ := e2.store.Recurring(t.Context(), carol.ID, cid); s.UserStatus != "" {
		t.Errorf("a refused form changed the series to %q", s.UserStatus)
	}
	if s, _ := e.store.Recurring(t.Context(), alice.ID, id); s.UserStatus != "" {
		t.Errorf("bob changed alice's series to %q", s.UserStatus)
	}
}
