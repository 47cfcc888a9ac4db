package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

// A matched pair shows once in the list, as a transfer to the other
// account; "Not a transfer" unlinks it and only its owner can.
func TestTransferShownOnceAndUnlinked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	alice := e.user("alice@example.com")
	e.user("bob@example.com")
	ctx := t.Context()
	chk := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
	sav := &tally.Account{ExternalID: "2", Name: "Savings", Type: tally.AccountSavings, Currency: "USD"}
	if err := e.store.CreateConnection(ctx, &tally.Connection{UserID: alice.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "a"}, []byte("x"), []*tally.Account{chk, sav}); err != nil {
		t.Fatal(err)
	}
	out := &tally.Transaction{AccountID: chk.ID, ExternalID: "o", PostedOn: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Amount: -30000, Currency: "USD",
		Description: "ONLINE TRANSFER OUT", Merchant: "Online Transfer Out", Category: "uncategorized", CategorySource: tally.SourceDictionary}
	in := &tally.Transaction{AccountID: sav.ID, ExternalID: "i", PostedOn: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), Amount: 30000, Currency: "USD",
		Description: "ONLINE TRANSFER IN", Merchant: "Online Transfer In", Category: "uncategorized", CategorySource: tally.SourceDictionary}
	if _, err := e.store.InsertTransactions(ctx, alice.ID, []*tally.Transaction{out, in}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.LinkTransfers(ctx, alice.ID, []store.TransferLink{{OutID: out.ID, InID: in.ID, OutCategory: "account_transfer", InCategory: "account_transfer"}}); err != nil {
		t.Fatal(err)
	}

	e.signIn("bob@example.com")
	res := e.post("/transactions/"+out.ID+"/transfer/unlink", nil, nil)
	if page := body(t, res); res.StatusCode != http.StatusNotFound || !strings.Contains(page, "There is nothing of yours at this address.") {
		t.Errorf("bob unlinking alice's transfer: %d, want the styled 404", res.StatusCode)
	}
	body(t, e.post("/signout", nil, nil))

	e.signIn("alice@example.com")
	_, page := e.get("/transactions")
	if !strings.Contains(page, `href="/transactions/`+in.ID+`" class="transfer">Transfer to Savings</a>`) {
		t.Errorf("/transactions does not show the outflow as a transfer to Savings")
	}
	if strings.Contains(page, `href="/transactions/`+in.ID+`">`) {
		t.Errorf("/transactions lists both sides of the pair")
	}
	_, page = e.get("/transactions?account=" + sav.ID)
	if !strings.Contains(page, `class="transfer">Transfer from Checking</a>`) {
		t.Errorf("the savings account's list does not show the inflow as a transfer from Checking")
	}
	_, page = e.get("/transactions/" + in.ID)
	if !strings.Contains(page, "Transfer from Checking") || !strings.Contains(page, `action="/transactions/`+in.ID+`/transfer/unlink"`) {
		t.Fatalf("the detail page lacks the transfer and its unlink button")
	}

	res = e.post("/transactions/"+in.ID+"/transfer/unlink", url.Values{"csrf": {"forged"}}, nil)
	if body(t, res); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged form token: %d, want 403", res.StatusCode)
	}
	if other, _ := e.store.TransferOf(ctx, alice.ID, in.ID); other != out.ID {
		t.Fatalf("a refused form unlinked the pair")
	}

	res = e.post("/transactions/"+in.ID+"/transfer/unlink", nil, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/transactions/"+in.ID {
		t.Fatalf("unlink: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if other, _ := e.store.TransferOf(ctx, alice.ID, in.ID); other != "" {
		t.Errorf("after unlinking the pair is still linked to %q", other)
	}
	_, page = e.get("/transactions/" + in.ID)
	if strings.Contains(page, "Not a transfer</button>") || !strings.Contains(page, "Not a transfer: both sides") {
		t.Errorf("after unlinking the detail page should confirm and drop the button")
	}
	res = e.post("/transactions/"+in.ID+"/transfer/unlink", nil, nil)
	if body(t, res); res.StatusCode != http.StatusNotFound {
		t.Errorf("unlinking again: %d, want 404", res.StatusCode)
	}
}
