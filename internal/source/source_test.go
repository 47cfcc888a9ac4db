package source_test

import (
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/source"
)

func TestOFXAccountRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   ofx.Account
		want source.Account
	}{
		{ofx.Account{Kind: ofx.KindBank, BankID: "121000248", AccountID: "000123456789", AccountType: "CHECKING"},
			source.Account{ExternalID: "bank:CHECKING:121000248:000123456789", Name: "Checking 6789", Type: tally.AccountChecking, Mask: "6789", Currency: "USD"}},
		{ofx.Account{Kind: ofx.KindInvestment, BrokerID: "broker.example", AccountID: "X:1"},
			source.Account{ExternalID: "investment::broker.example:X:1", Name: "Investment X:1", Type: tally.AccountInvestment, Mask: "X:1", Currency: "USD"}},
	} {
		got := source.OFXAccount(tc.in, "")
		if got != tc.want {
			t.Errorf("OFXAccount(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
		back, ok := source.ParseOFXAccount(got.ExternalID)
		if !ok || back != tc.in {
			t.Errorf("ParseOFXAccount(%q) = %+v, %v, want %+v", got.ExternalID, back, ok, tc.in)
		}
	}
	if _, ok := source.ParseOFXAccount("sfin:ACT-1"); ok {
		t.Error("a SimpleFIN id read as an OFX identity")
	}
}
