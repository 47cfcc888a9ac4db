package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source"
)

// Stored transactions of lines without a FITID carry content ids: a change
// of their form would make every re-import of an old statement add its
// lines again.
func TestContentIDsKeepTheirStoredForm(t *testing.T) {
	ar := (&run{accounts: map[string]*accountRun{}}).account(&tally.Account{ID: "acct1"})
	l := source.Transaction{Date: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), Amount: -1234,
		Description: "CAFÉ 42", Memo: "card 1234", CheckNum: "17"}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%d|%s|%s|%s", "acct1", "2026-03-04", -1234, "CAFÉ 42", "card 1234", "17"))
	want := "h:" + hex.EncodeToString(sum[:12])
	for n := 1; n <= 3; n++ {
		if got := ar.externalID(&l); got != fmt.Sprintf("%s:%d", want, n) {
			t.Fatalf("occurrence %d: got %s, want %s:%d", n, got, want, n)
		}
	}
	other := l
	other.Amount = -1235
	if got := ar.externalID(&other); got[len(got)-2:] != ":1" || got[:len(want)] == want {
		t.Errorf("a different line got %s, want its own content id, first occurrence", got)
	}
}

// A FITID is the id of its first line; the same line again is the same
// transaction, and a different line with that FITID gets a content id.
func TestRepeatedFITIDsAreToldApartByContent(t *testing.T) {
	ar := (&run{accounts: map[string]*accountRun{}}).account(&tally.Account{ID: "acct1"})
	day := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	first := source.Transaction{Date: day, Amount: -500, Description: "COFFEE", FITID: "F1"}
	if got := ar.externalID(&first); got != "F1" {
		t.Fatalf("first line: got %s, want F1", got)
	}
	if got := ar.externalID(&first); got != "F1" {
		t.Errorf("the same line again: got %s, want F1", got)
	}
	for _, change := range []func(*source.Transaction){
		func(l *source.Transaction) { l.Date = day.AddDate(0, 0, 1) },
		func(l *source.Transaction) { l.Amount = -501 },
		func(l *source.Transaction) { l.Description = "TEA" },
	} {
		l := first
		change(&l)
		if got := ar.externalID(&l); got == "F1" || got[:2] != "h:" {
			t.Errorf("%+v: got %s, want a content id", l, got)
		}
	}
}
