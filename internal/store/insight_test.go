package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

func day(s string) time.Time {
	d, err := time.Parse(tally.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

// addAccount adds a savings account to the connection of acct.
func addAccount(t *testing.T, s *store.Store, acct *tally.Account, ext string) *tally.Account {
	t.Helper()
	a, err := s.EnsureAccount(context.Background(), &tally.Account{UserID: acct.UserID, ConnectionID: acct.ConnectionID, ExternalID: ext,
		Name: "Savings " + ext, Type: tally.AccountSavings, Currency: "USD", Status: tally.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLinkTransfersNeverAcrossUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	alice, aliceChk := seedAccount(t, s, "alice@example.com")
	bob, bobChk := seedAccount(t, s, "bob@example.com")
	out := txn(aliceChk, "a1", "2026-03-02", -50000, "account_transfer")
	manual := txn(aliceChk, "a2", "2026-03-02", -7000, "rent_mortgage")
	manual.CategorySource = tally.SourceManual
	if _, err := s.InsertTransactions(ctx, alice.ID, []*tally.Transaction{out, manual}); err != nil {
		t.Fatal(err)
	}
	in := txn(bobChk, "b1", "2026-03-03", 50000, "uncategorized")
	if _, err := s.InsertTransactions(ctx, bob.ID, []*tally.Transaction{in}); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{alice.ID, bob.ID} {
		pairs, err := s.LinkTransfers(ctx, user, []store.TransferLink{{OutID: out.ID, InID: in.ID, OutCategory: "account_transfer", InCategory: "account_transfer"}})
		if err != nil || len(pairs) != 0 {
			t.Fatalf("linking across users as %s: got %d pairs, %v; want none", user, len(pairs), err)
		}
	}
	// A side the user filed by hand under spending stays spending.
	in2 := txn(addAccount(t, s, aliceChk, "sav"), "a3", "2026-03-03", 7000, "uncategorized")
	if _, err := s.InsertTransactions(ctx, alice.ID, []*tally.Transaction{in2}); err != nil {
		t.Fatal(err)
	}
	pairs, err := s.LinkTransfers(ctx, alice.ID, []store.TransferLink{{OutID: manual.ID, InID: in2.ID, OutCategory: "account_transfer", InCategory: "account_transfer"}})
	if err != nil || len(pairs) != 0 {
		t.Fatalf("linking a manual rent payment: got %d pairs, %v; want none", len(pairs), err)
	}
	if err := s.UnlinkTransfer(ctx, bob.ID, out.ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("unlinking another user's transaction: got %v, want not found", err)
	}
}

func TestLinkAndUnlinkMoveTotals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, chk := seedAccount(t, s, "pair@example.com")
	out := txn(chk, "o", "2026-03-31", -25000, "account_transfer")
	in := txn(addAccount(t, s, chk, "sav"), "i", "2026-04-02", 25000, "paycheck") // misfiled as income
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{out, in}); err != nil {
		t.Fatal(err)
	}
	pairs, err := s.LinkTransfers(ctx, u.ID, []store.TransferLink{{OutID: out.ID, InID: in.ID, OutCategory: "account_transfer", InCategory: "account_transfer"}})
	if err != nil || len(pairs) != 1 {
		t.Fatalf("got %d pairs, %v; want 1", len(pairs), err)
	}
	if got := totals(t, s, u.ID, "2026-04"); got["paycheck"].Count != 0 || got["account_transfer"].Amount != 25000 {
		t.Fatalf("April after linking: got %+v, want the inflow moved from paycheck to account_transfer", got)
	}
	assertClean(t, s, u.ID)
	if other, err := s.TransferOf(ctx, u.ID, in.ID); err != nil || other != out.ID {
		t.Fatalf("TransferOf: got %q, %v; want %s", other, err, out.ID)
	}
	peers, err := s.TransferPeers(ctx, u.ID, []string{out.ID, in.ID, "nope"})
	if err != nil || peers[out.ID] != in.ID || peers[in.ID] != out.ID || len(peers) != 2 {
		t.Fatalf("TransferPeers: got %v, %v", peers, err)
	}
	// A second link of either side adds nothing.
	if pairs, err := s.LinkTransfers(ctx, u.ID, []store.TransferLink{{OutID: out.ID, InID: in.ID, OutCategory: "account_transfer", InCategory: "account_transfer"}}); err != nil || len(pairs) != 0 {
		t.Fatalf("linking again: got %d pairs, %v; want none", len(pairs), err)
	}
	if err := s.UnlinkTransfer(ctx, u.ID, out.ID); err != nil {
		t.Fatal(err)
	}
	if got := totals(t, s, u.ID, "2026-04"); got["paycheck"].Amount != 25000 || got["account_transfer"].Count != 0 {
		t.Fatalf("April after unlinking: got %+v, want the inflow back under paycheck", got)
	}
	assertClean(t, s, u.ID)
	paired, err := s.PairedTransactionIDs(ctx, u.ID)
	if err != nil || !paired[out.ID] || !paired[in.ID] {
		t.Fatalf("an unlinked pair's sides must stay out of matching: got %v, %v", paired, err)
	}
	if other, _ := s.TransferOf(ctx, u.ID, in.ID); other != "" {
		t.Fatalf("TransferOf after unlinking: got %q, want none", other)
	}
}

func assertClean(t *testing.T, s *store.Store, userID string) {
	t.Helper()
	drifts, err := s.ReconcileUser(context.Background(), userID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drifts) != 0 {
		t.Fatalf("reconcile found drift: %+v", drifts)
	}
}

func TestSaveRecurringKeepsIDsAndChoices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, _ := seedAccount(t, s, "series@example.com")
	other, _ := seedAccount(t, s, "other@example.com")
	series := func(key string, amount int64) tally.RecurringSeries {
		return tally.RecurringSeries{Key: key, Merchant: key, Category: "streaming", Currency: "USD", Cadence: "monthly", Kind: "subscription",
			Amount: amount, Previous: amount, Usual: amount, FirstDate: day("2026-01-05"), LastDate: day("2026-03-05"), NextDate: day("2026-04-05"),
			Count: 3, Confidence: 90, State: "active"}
	}
	stored, isNew, err := s.SaveRecurring(ctx, u.ID, []tally.RecurringSeries{series("Netflix", -1549), series("Hulu", -799), series("Gym", -4000)})
	if err != nil || len(stored) != 3 || len(isNew) != 3 {
		t.Fatalf("first save: got %d stored, %d new, %v", len(stored), len(isNew), err)
	}
	ids := map[string]string{}
	for _, r := range stored {
		ids[r.Key] = r.ID
	}
	if _, err := s.SetRecurringStatus(ctx, u.ID, ids["Hulu"], tally.RecurringIgnored); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRecurringStatus(ctx, other.ID, ids["Netflix"], tally.RecurringIgnored); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("another user's series: got %v, want not found", err)
	}
	if _, err := s.SetRecurringStatus(ctx, u.ID, ids["Netflix"], "paused"); tally.ErrorCode(err) != tally.EINVALID {
		t.Fatalf("status paused: got %v, want invalid", err)
	}
	// Next pass: Netflix costs more, Hulu and Gym are no longer found.
	stored, isNew, err = s.SaveRecurring(ctx, u.ID, []tally.RecurringSeries{series("Netflix", -1799)})
	if err != nil || len(isNew) != 0 || len(stored) != 2 {
		t.Fatalf("second save: %d stored (want Netflix and the ignored Hulu), new %v, %v", len(stored), isNew, err)
	}
	list, err := s.RecurringSeries(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*tally.RecurringSeries{}
	for _, r := range list {
		got[r.Key] = r
	}
	if n := got["Netflix"]; n == nil || n.ID != ids["Netflix"] || n.Amount != -1799 {
		t.Errorf("Netflix: got %+v, want the same id at -1799", n)
	}
	if h := got["Hulu"]; h == nil || h.UserStatus != tally.RecurringIgnored {
		t.Errorf("Hulu: got %+v, want kept, ignored", h)
	}
	if _, ok := got["Gym"]; ok {
		t.Errorf("Gym: still stored, want removed")
	}
	if list, err := s.RecurringSeries(ctx, other.ID); err != nil || len(list) != 0 {
		t.Errorf("another user's list: got %d, %v", len(list), err)
	}
}

func TestBalancesAndHoldings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, chk := seedAccount(t, s, "worth@example.com")
	h := func(asOf string, units string, value int64) tally.Holding {
		return tally.Holding{SecurityID: "922908363", IDType: "CUSIP", PositionType: "POSMF", Units: units, UnitPrice: "100.00", MarketValue: value, Currency: "USD", AsOf: day(asOf)}
	}
	if err := s.RecordStatement(ctx, u.ID, chk.ID, &tally.AccountBalance{Day: day("2026-03-01"), Balance: 1000, Currency: "USD"}, []tally.Holding{h("2026-03-01", "1.000", 10000)}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordStatement(ctx, u.ID, chk.ID, &tally.AccountBalance{Day: day("2026-03-05"), Balance: 3000, Currency: "USD"}, []tally.Holding{h("2026-03-05", "2.000", 20000)}); err != nil {
		t.Fatal(err)
	}
	hs, err := s.LatestHoldings(ctx, u.ID)
	if err != nil || len(hs) != 1 || hs[0].Units != "2.000" || !hs[0].AsOf.Equal(day("2026-03-05")) {
		t.Fatalf("latest holdings: got %+v, %v", hs, err)
	}
	if err := s.SaveDailyBalances(ctx, u.ID, []tally.AccountBalance{
		{AccountID: chk.ID, Day: day("2026-03-02"), Balance: 1500, Currency: "USD", Source: tally.BalanceDerived},
		{AccountID: chk.ID, Day: day("2026-03-03"), Balance: 2000, Currency: "USD", Source: tally.BalanceDerived},
	}); err != nil {
		t.Fatal(err)
	}
	bs, err := s.Balances(ctx, u.ID, day("2026-03-03"), day("2026-03-10"))
	if err != nil {
		t.Fatal(err)
	}
	rows := bs[chk.ID]
	// The day before the range leads, so its balance carries in.
	if len(rows) != 3 || rows[0].Balance != 1500 || rows[1].Balance != 2000 || rows[2].Balance != 3000 || rows[2].Source != tally.BalanceStatement {
		t.Fatalf("balances: got %+v", rows)
	}
	// NetWorthInputs answers both in one statement.
	nb, nv, err := s.NetWorthInputs(ctx, u.ID, day("2026-03-03"), day("2026-03-10"))
	if err != nil {
		t.Fatal(err)
	}
	hv, err := s.HoldingValues(ctx, u.ID, day("2026-03-10"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(nb, bs) || !reflect.DeepEqual(nv, hv) || len(nv[chk.ID]) != 2 || nv[chk.ID][1].Balance != 20000 {
		t.Fatalf("net worth inputs: got %+v and %+v, want %+v and %+v", nb, nv, bs, hv)
	}
	other, _ := seedAccount(t, s, "nobody@example.com")
	if bs, err := s.Balances(ctx, other.ID, day("2026-01-01"), day("2026-12-31")); err != nil || len(bs) != 0 {
		t.Fatalf("another user's balances: got %v, %v", bs, err)
	}
	// Deleting the connection takes its balances and positions with it.
	if _, err := s.DeleteConnection(ctx, u.ID, chk.ConnectionID); err != nil {
		t.Fatal(err)
	}
	hs, err = s.LatestHoldings(ctx, u.ID)
	bs, err2 := s.Balances(ctx, u.ID, day("2026-01-01"), day("2026-12-31"))
	if err != nil || err2 != nil || len(hs) != 0 || len(bs) != 0 {
		t.Fatalf("after deleting the connection: got %d holdings, %d accounts' balances (%v, %v); want none", len(hs), len(bs), err, err2)
	}
}

// Deleting one side's connection removes the pair and puts the other side
// back where it was.
func TestDeletingAConnectionUnpairsItsTransfers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, chk := seedAccount(t, s, "unpair@example.com")
	sav := &tally.Account{ExternalID: "bank:SAVINGS:2:200", Name: "Savings", Type: tally.AccountSavings, Currency: "USD"}
	other := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://other.test/ofx", Login: "me"}
	if err := s.CreateConnection(ctx, other, []byte("sealed"), []*tally.Account{sav}); err != nil {
		t.Fatal(err)
	}
	out := txn(chk, "o", "2026-03-02", -30000, "account_transfer")
	in := txn(sav, "i", "2026-03-04", 30000, "uncategorized")
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{out, in}); err != nil {
		t.Fatal(err)
	}
	if pairs, err := s.LinkTransfers(ctx, u.ID, []store.TransferLink{{OutID: out.ID, InID: in.ID, OutCategory: "account_transfer", InCategory: "account_transfer"}}); err != nil || len(pairs) != 1 {
		t.Fatalf("got %d pairs, %v", len(pairs), err)
	}
	peers, err := s.TransferPeerAccounts(ctx, u.ID, []string{out.ID, in.ID, "nosuch"})
	if err != nil || len(peers) != 2 || peers[out.ID] != (store.TransferPeer{ID: in.ID, AccountID: sav.ID, Out: true}) ||
		peers[in.ID] != (store.TransferPeer{ID: out.ID, AccountID: chk.ID}) {
		t.Fatalf("transfer peer accounts: got %+v, %v", peers, err)
	}
	stranger, _ := seedAccount(t, s, "stranger@example.com")
	if peers, err := s.TransferPeerAccounts(ctx, stranger.ID, []string{out.ID, in.ID}); err != nil || len(peers) != 0 {
		t.Fatalf("another user's transfer peers: got %+v, %v", peers, err)
	}
	if _, err := s.DeleteConnection(ctx, u.ID, chk.ConnectionID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Transaction(ctx, u.ID, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Category != "uncategorized" || got.CategorySource != tally.SourceDictionary {
		t.Fatalf("the surviving side: got %s/%s, want uncategorized/dictionary back", got.Category, got.CategorySource)
	}
	if paired, err := s.PairedTransactionIDs(ctx, u.ID); err != nil || len(paired) != 0 {
		t.Fatalf("pairs left: %v, %v", paired, err)
	}
	assertClean(t, s, u.ID)
}
