package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

func countRows(t *testing.T, url, table string) int {
	t.Helper()
	db, err := sqldb.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A backup taken while a first sync runs restores to a database that
// reconcile finds clean; one taken after it holds the same counts.
func TestBackupWhileSyncingRestoresClean(t *testing.T) {
	if sqldbtest.Dialect() != "sqlite" {
		t.Skip("tally backup covers the embedded SQLite database; PostgreSQL uses pg_dump")
	}
	t.Parallel()
	ctx := context.Background()
	m := startMain(t, true)
	alice, _ := signUp(t, m.URL(), "alice@example.com")
	got := alice.must(201, "POST", "/api/v1/account", map[string]string{"account_url": m.URL() + "/demobank/ofx", "account_login": "alice", "account_password": "pw"})
	connID := got["account_id"].(string)

	var out bytes.Buffer
	during := filepath.Join(t.TempDir(), "during.tar.gz")
	if err := run(ctx, []string{"backup", "--data-dir", m.Config.DataDir, "--to", during}, nil, &out, &out); err != nil {
		t.Fatalf("backup while syncing: %v: %s", err, out.String())
	}
	eventually(t, jobWait, "the first sync", func() bool { return connectionStatus(alice, connID) == tally.StatusActive })
	// The demo user's history arrives by its own sync; the backup "after"
	// must follow every sync, not only alice's.
	settleSyncJobs(t, m)
	after := filepath.Join(t.TempDir(), "after.tar.gz")
	if err := run(ctx, []string{"backup", "--data-dir", m.Config.DataDir, "--to", after}, nil, &out, &out); err != nil {
		t.Fatalf("backup: %v: %s", err, out.String())
	}
	if fi, err := os.Stat(after); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	live := countRows(t, sqldb.DefaultURL(m.Config.DataDir), "transactions")

	for _, file := range []string{during, after} {
		dir := t.TempDir()
		out.Reset()
		if err := run(ctx, []string{"restore", "--data-dir", dir, "--from", file}, nil, &out, &out); err != nil {
			t.Fatalf("restore %s: %v: %s", filepath.Base(file), err, out.String())
		}
		out.Reset()
		if err := run(ctx, []string{"reconcile", "--data-dir", dir}, nil, &out, &out); err != nil {
			t.Fatalf("reconcile after restoring %s: %v: %s", filepath.Base(file), err, out.String())
		}
		if file == after {
			if n := countRows(t, sqldb.DefaultURL(dir), "transactions"); n != live {
				t.Errorf("restored %d transactions, the live database has %d", n, live)
			}
			if raw, _ := filepath.Glob(filepath.Join(dir, "blobs", "raw", "*", "*", "*", "*")); len(raw) == 0 {
				t.Error("no raw documents restored")
			}
		}
	}
	// A restore never overwrites a database by accident.
	dir := t.TempDir()
	if err := run(ctx, []string{"restore", "--data-dir", dir, "--from", after}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"restore", "--data-dir", dir, "--from", after}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("a second restore into the same data dir: %v, want a refusal naming --force", err)
	}
}

// rotate-key re-seals every stored credential: afterwards the new key
// opens them and the old one does not.
func TestRotateKey(t *testing.T) {
	if sqldbtest.Dialect() != "sqlite" {
		t.Skip("the key file lives beside the embedded database")
	}
	t.Parallel()
	ctx := context.Background()
	m, bankURL := startWithBank(t)
	alice, _ := signUp(t, m.URL(), "alice@example.com")
	alice.must(201, "POST", "/api/v1/account", map[string]string{"account_url": bankURL, "account_login": "alice", "account_password": "pw"})
	// The webhook goes to the bank's test server, the one loopback address
	// the guard allows: any delivery stays on this machine.
	alice.must(200, "PUT", "/api/v1/profile", map[string]any{"webhook_url": strings.TrimSuffix(bankURL, "/ofx") + "/hook"})
	dir := m.Config.DataDir
	m.Close()
	oldKey, err := secret.LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"rotate-key", "--data-dir", dir}, nil, &out, &out); err != nil {
		t.Fatalf("rotate-key: %v: %s", err, out.String())
	}
	if !strings.Contains(out.String(), "re-sealed") {
		t.Errorf("rotate-key said %q", out.String())
	}
	newKey, err := secret.LoadKey("", dir)
	if err != nil || bytes.Equal(newKey, oldKey) {
		t.Fatalf("the key file did not change (%v)", err)
	}
	db, err := sqldb.Open(ctx, sqldb.DefaultURL(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	oldBox, _ := secret.New(oldKey)
	newBox, _ := secret.New(newKey)
	n, err := store.New(db, store.NoJobs{}).ResealAll(ctx, func(x store.Sealed) ([]byte, error) {
		if _, err := oldBox.Open(x.Value, x.Additional); err == nil {
			t.Errorf("%s %s still opens with the old key", x.Table, x.Key)
		}
		if _, err := newBox.Open(x.Value, x.Additional); err != nil {
			t.Errorf("%s %s: %v with the new key", x.Table, x.Key, err)
		}
		return x.Value, nil
	})
	if err != nil || n < 2 { // alice's connection and her webhook
		t.Fatalf("checked %d secrets (%v), want at least 2", n, err)
	}
}
