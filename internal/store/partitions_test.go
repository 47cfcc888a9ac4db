package store_test

import (
	"context"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// partitionNames lists the partitions of transaction_rows (PostgreSQL).
func partitionNames(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'transaction_rows'::regclass ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

// A database at migration 00014 whose rows sit in monthly partitions (on
// PostgreSQL) migrates to one partition a past year, and answers as
// before: the same transactions, in the same order, under the same ids,
// the same totals; re-importing the lines adds nothing, and a new line of
// a past year goes into its year's partition. The months of the current
// year keep their partitions.
func TestYearlyHistoryMigrationKeepsAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqldbtest.OpenAt(t, 14)
	s := store.New(db, store.NoJobs{})
	// The migration tells the current year by the database's clock, so the
	// store's is pinned within that year; 2019 and 2024 are past years.
	year := time.Now().UTC().Year()
	s.Now = func() time.Time { return time.Date(year, 6, 15, 12, 0, 0, 0, time.UTC) }
	u, acct := seedAccount(t, s, "history@example.com")
	y := strconv.Itoa(year)
	cur := func(md string) string { return y + "-" + md }
	if db.Dialect == sqldb.Postgres {
		// The layout before: one partition a month.
		for _, m := range [][2]string{{"y2019m03", "2019-03-01"}, {"y2019m07", "2019-07-01"}, {"y2024m12", "2024-12-01"}} {
			from, _ := time.Parse(tally.DateLayout, m[1])
			if _, err := db.ExecContext(ctx, `CREATE TABLE transaction_rows_`+m[0]+` PARTITION OF transaction_rows FOR VALUES FROM ('`+
				m[1]+`') TO ('`+from.AddDate(0, 1, 0).Format(tally.DateLayout)+`')`); err != nil {
				t.Fatal(err)
			}
		}
	}
	lines := func() []*tally.Transaction {
		p := txn(acct, "F6", cur("05-03"), -700, "groceries")
		p.Pending = true
		return []*tally.Transaction{
			txn(acct, "F1", "2019-03-05", -450, "coffee_shops"),
			txn(acct, "F2", "2019-03-05", -450, "coffee_shops"),
			txn(acct, "F3", "2019-07-20", 250000, "paycheck"),
			txn(acct, "F4", "2024-12-31", -1999, "groceries"),
			txn(acct, "F5", cur("05-02"), -3125, "gas_fuel"),
			p,
		}
	}
	if n, err := s.InsertTransactions(ctx, u.ID, lines()); err != nil || n != 6 {
		t.Fatalf("inserted %d (%v), want 6", n, err)
	}
	if db.Dialect == sqldb.Postgres {
		want := []string{"transaction_rows_y2019m03", "transaction_rows_y2019m07", "transaction_rows_y2024m12", "transaction_rows_y" + y + "m05"}
		if got := partitionNames(t, db); !reflect.DeepEqual(got, want) {
			t.Fatalf("partitions before the migration: %v, want %v", got, want)
		}
	}
	answers := func() ([]*tally.Transaction, []tally.MonthlyTotal) {
		t.Helper()
		page, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var sums []tally.MonthlyTotal
		for _, m := range []string{"2019-03", "2019-07", "2024-12", cur("05")} {
			list, err := s.MonthlyTotals(ctx, u.ID, m)
			if err != nil {
				t.Fatal(err)
			}
			sums = append(sums, list...)
		}
		for _, x := range page {
			x.CreatedAt = time.Time{}
		}
		return page, sums
	}
	pageBefore, sumsBefore := answers()
	if len(pageBefore) != 6 {
		t.Fatalf("%d transactions before the migration, want 6", len(pageBefore))
	}

	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pageAfter, sumsAfter := answers()
	if !reflect.DeepEqual(pageAfter, pageBefore) {
		for i := range pageAfter {
			t.Logf("after %+v", pageAfter[i])
		}
		for i := range pageBefore {
			t.Logf("before %+v", pageBefore[i])
		}
		t.Fatal("transactions differ after the migration")
	}
	if !reflect.DeepEqual(sumsAfter, sumsBefore) {
		t.Errorf("monthly totals after the migration: %+v, want %+v", sumsAfter, sumsBefore)
	}
	for _, x := range pageBefore {
		got, err := s.Transaction(ctx, u.ID, x.ID)
		if err != nil {
			t.Fatalf("transaction %s after the migration: %v", x.ID, err)
		}
		if got.ExternalID != x.ExternalID || got.Amount != x.Amount {
			t.Errorf("transaction %s: got %s %d, want %s %d", x.ID, got.ExternalID, got.Amount, x.ExternalID, x.Amount)
		}
	}
	wantParts := []string{"transaction_rows_y2019", "transaction_rows_y2024", "transaction_rows_y" + y + "m05"}
	if db.Dialect == sqldb.Postgres {
		if got := partitionNames(t, db); !reflect.DeepEqual(got, wantParts) {
			t.Fatalf("partitions after the migration: %v, want %v", got, wantParts)
		}
	}
	if n, err := s.InsertTransactions(ctx, u.ID, lines()); err != nil || n != 0 {
		t.Errorf("re-import after the migration: inserted %d (%v), want 0", n, err)
	}
	// A new line of 2019 goes into the year's partition; one of a month
	// of the current year gets the month's partition.
	more := []*tally.Transaction{txn(acct, "F7", "2019-05-01", -100, "groceries"), txn(acct, "F8", cur("06-01"), -100, "groceries")}
	if n, err := s.InsertTransactions(ctx, u.ID, more); err != nil || n != 2 {
		t.Fatalf("new lines: inserted %d (%v), want 2", n, err)
	}
	if db.Dialect == sqldb.Postgres {
		want := append(wantParts, "transaction_rows_y"+y+"m06")
		sort.Strings(want)
		if got := partitionNames(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("partitions after new lines: %v, want %v", got, want)
		}
	}
	if drifts, err := s.ReconcileUser(ctx, u.ID, false); err != nil || len(drifts) > 0 {
		t.Errorf("totals drifted: %+v (%v)", drifts, err)
	}
}

// A fresh store creates this month's partition and the next one's ahead
// of their first write, so a write on the first day of next month does not
// create a partition: it goes through while another session holds a lock
// on transaction_rows that creating a partition would wait for.
func TestPartitionsExistBeforeTheMonthsFirstWrite(t *testing.T) {
	if sqldbtest.Dialect() != sqldb.Postgres {
		t.Skip("partitions are PostgreSQL's")
	}
	t.Parallel()
	ctx := context.Background()
	db := sqldbtest.Open(t)
	setup := store.New(db, store.NoJobs{})
	u, acct := seedAccount(t, setup, "ahead@example.com")
	now := time.Date(2031, 1, 31, 23, 0, 0, 0, time.UTC)
	ahead := store.New(db, store.NoJobs{})
	ahead.Now = func() time.Time { return now }
	if err := ahead.EnsureCurrentPartitions(ctx); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"transaction_rows_y2031m01", "transaction_rows_y2031m02"} {
		var ok bool
		if err := db.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, want).Scan(&ok); err != nil || !ok {
			t.Fatalf("partition %s does not exist (%v)", want, err)
		}
	}

	// Another session holds SHARE UPDATE EXCLUSIVE on the table: inserts
	// go on beside it, creating a partition waits for it.
	lock, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.ExecContext(ctx, `LOCK TABLE transaction_rows IN SHARE UPDATE EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	// A store that has not written yet (a server just started, say).
	writer := store.New(db, store.NoJobs{})
	writer.Now = func() time.Time { return now.Add(2 * time.Hour) }
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	n, err := writer.InsertTransactions(wctx, u.ID, []*tally.Transaction{txn(acct, "F-FEB1", "2031-02-01", -100, "groceries")})
	if err != nil || n != 1 {
		t.Fatalf("first write of the month with the table locked: inserted %d (%v), want 1 without waiting", n, err)
	}
	// Without the partition made ahead the write waits: a month with no
	// partition does, until the lock is released.
	done := make(chan error, 1)
	go func() {
		_, err := writer.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(acct, "F-MAR1", "2031-03-01", -100, "groceries")})
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
			AND query LIKE 'CREATE TABLE IF NOT EXISTS transaction_rows_y2031m03 %'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("a write to a month without a partition did not wait for the lock (%v): the check above proves nothing", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the write to a month without a partition never waited on the lock")
		}
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the write after the lock was released: %v", err)
	}
}
