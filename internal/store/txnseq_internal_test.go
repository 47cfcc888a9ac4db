package store

import (
	"context"
	"database/sql"
	"testing"

	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// Transaction ids take their numbers from one sequence shared by every
// process. Taken n at a time they come back as a range when consecutive,
// and as the numbers themselves when other sessions took some in between
// (forced here by a sequence that steps by 3): either way n distinct
// numbers, each above the ones taken before.
func TestTxnSeqsWhetherConsecutiveOrNot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqldbtest.Open(t)
	s := New(db, NoJobs{})
	take := func(n int) []int64 {
		t.Helper()
		var out []int64
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			out, err = s.takeTxnSeqs(ctx, tx, n)
			return err
		})
		if err != nil {
			t.Fatalf("take %d: %v", n, err)
		}
		if len(out) != n {
			t.Fatalf("take %d: got %d numbers", n, len(out))
		}
		return out
	}
	check := func(what string, got []int64, step, after int64) {
		t.Helper()
		for i, v := range got {
			if v <= after {
				t.Fatalf("%s: number %d is %d, not above %d", what, i, v, after)
			}
			if i > 0 && v-got[i-1] != step {
				t.Fatalf("%s: numbers %d and %d are %d and %d, want a step of %d", what, i-1, i, got[i-1], v, step)
			}
		}
	}
	first := take(1000)
	check("consecutive", first, 1, 0)
	if db.Dialect != sqldb.Postgres {
		return // SQLite's numbers come from a counter its single writer adds to
	}
	if _, err := db.ExecContext(ctx, `ALTER SEQUENCE transaction_seq INCREMENT BY 3`); err != nil {
		t.Fatal(err)
	}
	stepped := take(500)
	check("not consecutive", stepped, 3, first[len(first)-1])
}
