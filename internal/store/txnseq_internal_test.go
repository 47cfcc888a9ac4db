package store

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// Transaction ids take their numbers from one sequence shared by every
// process, on PostgreSQL a block of numbers a nextval. Writers taking
// numbers at once, in every count around a block's size, each get as many
// as they asked for, and no number twice.
func TestTxnSeqsAreDistinctAcrossWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqldbtest.Open(t)
	s := New(db, NoJobs{})
	if db.Dialect == sqldb.Postgres {
		var step int64
		if err := db.QueryRowContext(ctx, `SELECT increment_by FROM pg_sequences WHERE sequencename = 'transaction_seq' AND schemaname = current_schema()`).Scan(&step); err != nil {
			t.Fatal(err)
		}
		if step != txnSeqBlock {
			t.Fatalf("transaction_seq steps by %d, the store takes blocks of %d", step, txnSeqBlock)
		}
	}
	counts := []int{1, txnSeqBlock - 1, txnSeqBlock, txnSeqBlock + 1, 1000}
	const writers = 4
	got := make([][]int64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 5 {
				for _, n := range counts {
					var seqs []int64
					err := s.inTx(ctx, func(tx *sql.Tx) error {
						var err error
						seqs, err = s.takeTxnSeqs(ctx, tx, n)
						return err
					})
					if err != nil {
						t.Errorf("writer %d round %d: take %d: %v", w, round, n, err)
						return
					}
					if len(seqs) != n {
						t.Errorf("writer %d round %d: took %d numbers, want %d", w, round, len(seqs), n)
					}
					got[w] = append(got[w], seqs...)
				}
			}
		}()
	}
	wg.Wait()
	seen := map[int64]int{}
	for w, seqs := range got {
		for _, v := range seqs {
			if other, ok := seen[v]; ok {
				t.Fatalf("number %d was taken by writers %d and %d", v, other, w)
			}
			seen[v] = w
		}
	}
}
