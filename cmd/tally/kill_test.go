package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/store"
)

// serveProcess starts this test binary as `tally serve --demo` in its own
// process, so the test can kill it with SIGKILL.
func serveProcess(t *testing.T, dataDir, dbURL, addr string) *exec.Cmd {
	t.Helper()
	args := []string{"serve", "--demo", "--addr", addr, "--data-dir", dataDir,
		"--sync-chunk-size", "25", "--log-level", "warn"}
	if dbURL != "" {
		// On PostgreSQL a killed process's running job waits for River's
		// rescuer, which waits for the job timeout: keep both short.
		args = append(args, "--database-url", dbURL, "--job-timeout", "20s", "--rescue-after", "25s")
	} else {
		// On SQLite a restarted serve requeues the killed process's jobs at
		// once. The timeout only has to outlast a whole sync in 25-row
		// chunks on a loaded machine under -race; a sync cut off by it is
		// retried only after River's backoff.
		args = append(args, "--job-timeout", "2m")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TALLY_TEST_RUN_MAIN=1")
	cmd.Stdout, cmd.Stderr = nil, nil
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestKillDuringSync kills the server with SIGKILL while the demo sync is
// writing, starts it again, and checks that every transaction arrives
// exactly once and the monthly totals match them.
func TestKillDuringSync(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	t.Parallel()
	dataDir := t.TempDir()
	dbURL := testDatabaseURL(t, dataDir)
	openURL := dbURL
	if openURL == "" {
		openURL = sqldb.DefaultURL(dataDir)
	}
	want := bankCount("demo")
	addr := freeAddr(t)

	var db *sqldb.DB
	count := func() int {
		if db == nil {
			var err error
			if db, err = sqldb.Open(context.Background(), openURL); err != nil {
				return -1
			}
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM transactions`).Scan(&n); err != nil {
			return -1 // not migrated yet
		}
		return n
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()

	// On PostgreSQL a killed worker's job waits for River's rescuer (up to
	// a minute), so one mid-sync kill is enough there.
	kills := 2
	if dbURL != "" {
		kills = 1
	}
	killedMidSync := 0
	for round := 0; round < 6 && killedMidSync < kills; round++ {
		cmd := serveProcess(t, dataDir, dbURL, addr)
		before := max(count(), 0)
		deadline := time.Now().Add(90 * time.Second)
		// Kill as soon as this process has written something new.
		for n := count(); n <= before && n < want && time.Now().Before(deadline); n = count() {
			time.Sleep(2 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		n := count()
		t.Logf("round %d: killed with %d of %d transactions stored", round, n, want)
		if n > 0 && n < want {
			killedMidSync++
		}
		if n == want {
			break
		}
	}
	if killedMidSync == 0 {
		t.Fatal("never managed to kill the server in the middle of a sync")
	}

	// Start once more and let it finish.
	cmd := serveProcess(t, dataDir, dbURL, addr)
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	eventually(t, 2*jobWait, fmt.Sprintf("all %d transactions after the kills", want), func() bool { return count() >= want })
	// A duplicate would be written by a sync job still running: wait for
	// every sync job to end.
	eventually(t, 2*time.Minute, "the sync jobs to end", func() bool {
		var n int
		err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync' AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&n)
		return err == nil && n == 0
	})
	if n := count(); n != want {
		t.Fatalf("stored %d transactions, want exactly %d", n, want)
	}
	st := store.New(db, store.NoJobs{})
	ids, err := st.UserIDs(context.Background(), "", 10)
	if err != nil || len(ids) != 1 {
		t.Fatalf("users = %v, %v", ids, err)
	}
	drifts, err := st.ReconcileUser(context.Background(), ids[0], false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drifts) != 0 {
		t.Fatalf("monthly totals drifted after the kills: %+v", drifts[0])
	}
}
