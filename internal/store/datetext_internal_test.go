package store

import (
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

// The insert writes each row's date itself; it must read as
// tally.DateLayout writes it, in the time's own location, for any year.
func TestDateTextMatchesDateLayout(t *testing.T) {
	t.Parallel()
	east := time.FixedZone("UTC+14", 14*3600)
	for _, tm := range []time.Time{
		time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 31, 12, 0, 0, 0, east),
		time.Date(7, 3, 9, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 2, 0, 0, 0, 0, time.UTC),
		{},
	} {
		if got, want := dateText(tm), tm.Format(tally.DateLayout); got != want {
			t.Errorf("dateText(%v) = %q, want %q", tm, got, want)
		}
	}
}
