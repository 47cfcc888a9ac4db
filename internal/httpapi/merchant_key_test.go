package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tallyhq/tally/internal/categorize"
)

// A line whose NAME is generic (POS PURCHASE) and whose MEMO names the
// seller is filed by the seller; rules made from it, votes and
// explanations use that seller's key, stored at insert, not the key of the
// description alone.
func TestRulesAndExplanationsUseTheStoredMerchantKey(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	userID, token := e.signUp("memo@example.com")
	const doc = `OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>111<ACCTID>999<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260301<DTEND>20260331
<STMTTRN><TRNTYPE>POS<DTPOSTED>20260302<TRNAMT>-56.78<FITID>1<NAME>POS PURCHASE<MEMO>WHOLEFDS HOU 10236</STMTTRN>
<STMTTRN><TRNTYPE>POS<DTPOSTED>20260309<TRNAMT>-12.00<FITID>2<NAME>POS PURCHASE<MEMO>WHOLEFDS HOU 10236</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
`
	id := e.upload(token, "memo.ofx", []byte(doc), "").want(t, http.StatusAccepted).str("id")
	if _, err := e.svc.RunImport(context.Background(), userID, id, nil); err != nil {
		t.Fatal(err)
	}
	eng := categorize.New()
	wholeFoods := eng.Merchant("WHOLEFDS HOU 10236")
	generic := eng.Merchant("POS PURCHASE")
	if wholeFoods.Key == "" || wholeFoods.Key == generic.Key {
		t.Fatalf("the engine does not tell Whole Foods (%q) from POS PURCHASE (%q)", wholeFoods.Key, generic.Key)
	}
	txns := e.do("GET", "/api/v1/transactions", token, nil).want(t, http.StatusOK).list("transactions")
	if len(txns) != 2 {
		t.Fatalf("got %d transactions, want 2", len(txns))
	}
	first := txns[1]["id"].(string)
	if txns[1]["merchant"] != wholeFoods.Name {
		t.Fatalf("filed under merchant %v, want %s", txns[1]["merchant"], wholeFoods.Name)
	}

	got := e.do("GET", "/api/v1/transactions/"+first, token, nil).want(t, http.StatusOK)
	why, _ := got.body["category_explanation"].(map[string]any)
	if why == nil || why["merchant_key"] != wholeFoods.Key {
		t.Errorf("explanation %v, want merchant_key %s", why, wholeFoods.Key)
	}

	e.do("PATCH", "/api/v1/transactions/"+first, token, map[string]any{"category": "restaurants", "apply_to_merchant": true}).want(t, http.StatusOK)
	rules := e.do("GET", "/api/v1/rules", token, nil).want(t, http.StatusOK).list("rules")
	if len(rules) != 1 || rules[0]["merchant_key"] != wholeFoods.Key {
		t.Fatalf("got rules %v, want one for %s", rules, wholeFoods.Key)
	}
	// The rule re-filed the other Whole Foods line.
	for _, x := range e.do("GET", "/api/v1/transactions", token, nil).want(t, http.StatusOK).list("transactions") {
		if x["category"] != "restaurants" {
			t.Errorf("transaction %v is %v, want restaurants", x["id"], x["category"])
		}
	}
	// Whole Foods is in the dictionary: no crowd vote, and none for the
	// generic name either.
	var votes int
	if err := e.store.DB().QueryRow(`SELECT COUNT(*) FROM crowd_votes`).Scan(&votes); err != nil {
		t.Fatal(err)
	}
	if votes != 0 {
		t.Errorf("%d crowd votes recorded, want none", votes)
	}
}
