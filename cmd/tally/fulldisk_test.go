package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// setMaxPages sets SQLite's max_page_count on every connection of the
// writers' pool (River's too: it shares the pool), so a write that needs
// the file to grow beyond pages fails with SQLITE_FULL, as on a full disk.
// pages 0 lifts the limit again. It holds every connection while it sets
// them, so each gets the setting.
func setMaxPages(t *testing.T, db *sql.DB, pages int64) {
	t.Helper()
	ctx := context.Background()
	n := db.Stats().MaxOpenConnections
	conns := make([]*sql.Conn, 0, n)
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if pages == 0 {
		pages = 1<<32 - 2 // SQLite's default
	}
	for _, c := range conns {
		var got int64
		if err := c.QueryRowContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
}

// answer is an HTTP answer with its headers.
type answer struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, method, target, token, contentType string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

// fullDisk makes the database's disk full and gives the space back.
type fullDisk struct {
	name string
	// strict: every write needs space, so every one must be refused;
	// otherwise a write that fits in space the file already has may
	// succeed (as it would on a real disk).
	strict bool
	// inFlight: a sync is running when the disk fills.
	inFlight bool
	dataDir  func(t *testing.T) string
	fill     func(t *testing.T, m *Main)
	free     func(t *testing.T, m *Main)
}

// pageLimit is a full disk everywhere: the SQLite file may not grow.
var pageLimit = fullDisk{
	name:     "page limit",
	inFlight: true,
	dataDir:  func(t *testing.T) string { return t.TempDir() },
	fill: func(t *testing.T, m *Main) {
		var pages int64
		if err := m.DB.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		setMaxPages(t, m.DB.DB, pages)
	},
	free: func(t *testing.T, m *Main) { setMaxPages(t, m.DB.DB, 0) },
}

// smallTmpfs is a real full disk: the data dir on a small tmpfs, filled
// to the last byte by another file after the write-ahead log is emptied,
// so every write fails with ENOSPC. It needs root and mount.
func smallTmpfs() fullDisk {
	var dir string
	return fullDisk{
		name:   "tmpfs",
		strict: true,
		dataDir: func(t *testing.T) string {
			if os.Geteuid() != 0 {
				t.Skip("a real full disk mounts a tmpfs: run as root")
			}
			dir = t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96m,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
				t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
			}
			t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
			return dir
		},
		fill: func(t *testing.T, m *Main) {
			eventually(t, time.Minute, "a checkpoint that empties the write-ahead log", func() bool {
				var busy, log, done int
				if err := m.DB.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &done); err != nil {
					t.Fatal(err)
				}
				return busy == 0
			})
			f, err := os.Create(filepath.Join(dir, "filler"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, size := range []int{1 << 20, 4 << 10, 1} {
				buf := make([]byte, size)
				for {
					if _, err := f.Write(buf); err != nil {
						if !errors.Is(err, syscall.ENOSPC) {
							t.Fatal(err)
						}
						break
					}
				}
			}
		},
		free: func(t *testing.T, m *Main) {
			if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// With the database's disk full, every write that needs space answers 503
// with Retry-After and says the server is out of space, reads keep
// answering, a sync that was running stops at a chunk's edge, nothing is
// half-written, and once space is back the same writes succeed and every
// sync completes with each transaction once.
func TestFullDiskOnSQLite(t *testing.T) {
	if sqldbtest.Dialect() != "sqlite" {
		t.Skip("the full-disk scenario is SQLite's; unset TALLY_TEST_DATABASE_URL")
	}
	t.Parallel() // each disk is the test's own: a page limit on its database, a tmpfs on its data dir
	for _, disk := range []fullDisk{pageLimit, smallTmpfs()} {
		t.Run(disk.name, func(t *testing.T) {
			t.Parallel()
			testFullDisk(t, disk)
		})
	}
}

func testFullDisk(t *testing.T, disk fullDisk) {
	bank := httptest.NewServer(demobank.New())
	defer bank.Close()
	dataDir := disk.dataDir(t)
	m := startWith(t, func(c *config.Config) {
		c.DataDir = dataDir
		c.DatabaseURL = ""
		c.OutboundAllowCIDR = "127.0.0.1/32"
		if disk.inFlight {
			c.SyncChunkSize = 100 // many chunks, so the disk fills in the middle of a sync
		}
	})
	ctx := context.Background()
	alice, aliceID := signUp(t, m.URL(), "alice@example.com")
	link := func(login string) answer {
		b, _ := json.Marshal(map[string]string{"kind": "ofx", "url": bank.URL, "login": login, "password": "pw"})
		return send(t, "POST", m.URL()+"/api/v1/connections", alice.token, "application/json", strings.NewReader(string(b)))
	}
	connID := func(a answer) string {
		var c struct{ ID string }
		if err := json.Unmarshal([]byte(a.body), &c); err != nil || c.ID == "" {
			t.Fatalf("link: %d %s", a.status, a.body)
		}
		return c.ID
	}
	first := connID(link("alice"))
	eventually(t, jobWait, "the first sync", func() bool { return connectionStatus(alice, first) == tally.StatusActive })
	settleSyncJobs(t, m)
	upload(t, alice, "statement.qif")
	txn := alice.allTransactions("")[0]["id"].(string)
	count := func(conn string) int {
		t.Helper()
		var n int
		if err := m.DB.QueryRow(m.DB.Rebind(`SELECT COUNT(*) FROM transactions t JOIN accounts a ON a.user_id = t.user_id AND a.id = t.account_id
			WHERE t.user_id = ? AND a.connection_id = ?`), aliceID, conn).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A second bank's first sync is under way when the disk fills, or
	// done before (a strict disk is filled while nothing writes).
	second := connID(link("alice-two"))
	if disk.inFlight {
		eventually(t, jobWait, "the second sync's first chunks", func() bool { return count(second) > 0 })
	} else {
		eventually(t, jobWait, "the second sync", func() bool { return connectionStatus(alice, second) == tally.StatusActive })
		settleSyncJobs(t, m)
	}
	disk.fill(t, m)
	atFill := count(second)

	type write struct {
		name         string
		method, path string
		contentType  string
		body         func() io.Reader
		ok           int
	}
	jsonBody := func(v any) func() io.Reader {
		return func() io.Reader { b, _ := json.Marshal(v); return strings.NewReader(string(b)) }
	}
	writes := []write{
		{"register", "POST", "/api/v1/users", "application/json", jsonBody(map[string]string{"email": "carol@example.com", "password": "correct horse battery"}), 201},
		{"profile", "PUT", "/api/v1/profile", "application/json", jsonBody(map[string]string{"monthly_income": "5000.00", "time_zone": "Europe/Paris"}), 200},
		{"rule", "POST", "/api/v1/rules", "application/json", jsonBody(map[string]string{"merchant": "Zebra Kiosk", "category": "hobbies"}), 201},
		{"recategorize", "PATCH", "/api/v1/transactions/" + txn, "application/json", jsonBody(map[string]any{"category": "restaurants", "apply_to_merchant": true}), 200},
		{"budget", "PUT", "/api/v1/budgets/groceries", "application/json", jsonBody(map[string]string{"amount": "450.00"}), 200},
		{"link a bank", "POST", "/api/v1/connections", "application/json", jsonBody(map[string]string{"kind": "ofx", "url": bank.URL, "login": "alice-three", "password": "pw"}), 201},
		{"refresh", "POST", "/api/v1/connections/" + first + "/refresh", "", nil, 202},
		{"upload", "POST", "/api/v1/imports", "multipart", nil, 202},
		{"web sign-in", "POST", "/signin", "application/x-www-form-urlencoded",
			func() io.Reader {
				return strings.NewReader(url.Values{"email": {"alice@example.com"}, "password": {"correct horse battery"}}.Encode())
			}, 303},
	}
	do := func(w write) answer {
		t.Helper()
		ct, body := w.contentType, io.Reader(nil)
		if w.body != nil {
			body = w.body()
		}
		if ct == "multipart" {
			ct, body = multipartFile("cash.qif", "!Type:Bank\nD01/05/2026\nT-12.00\nPZEBRA KIOSK\n^\n")
		}
		return send(t, w.method, m.URL()+w.path, alice.token, ct, body)
	}
	var refused []string
	fit := map[string]bool{}
	for _, w := range writes {
		a := do(w)
		switch {
		case a.status == http.StatusServiceUnavailable && a.header.Get("Retry-After") != "" && strings.Contains(a.body, "out of storage space"):
			refused = append(refused, w.name)
		case a.status == w.ok && !disk.strict:
			fit[w.name] = true // it needed no new space
		default:
			t.Errorf("%s while the disk is full: %d (Retry-After %q) %.200s; want 503 with Retry-After saying the server is out of space",
				w.name, a.status, a.header.Get("Retry-After"), a.body)
		}
	}
	for _, path := range []string{"/api/v1/accounts", "/api/v1/transactions?limit=5", "/api/v1/spending"} {
		if a := send(t, "GET", m.URL()+path, alice.token, "", nil); a.status != 200 {
			t.Errorf("GET %s while the disk is full: %d, want reads to keep answering", path, a.status)
		}
	}
	// Nothing half-written: the totals still match the transactions and
	// the file is sound.
	checkConsistent := func(when string) {
		t.Helper()
		ids, err := m.Store.UserIDs(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if d, err := m.Store.ReconcileUser(ctx, id, false); err != nil || len(d) > 0 {
				t.Fatalf("reconcile %s: %v %v", when, d, err)
			}
		}
		var check string
		if err := m.DB.QueryRow(`PRAGMA quick_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("quick_check %s: %q %v", when, check, err)
		}
	}
	heldFull := count(second)
	if !disk.strict {
		checkConsistent("while the disk is full") // reconcile writes: only where some writes fit
	}

	disk.free(t, m)
	freed := time.Now()
	var firstWrite time.Duration
	for _, w := range writes {
		if fit[w.name] {
			continue
		}
		a := do(w)
		if a.status != w.ok {
			t.Errorf("%s once space is back: %d %.200s, want %d", w.name, a.status, a.body, w.ok)
		}
		if firstWrite == 0 {
			firstWrite = time.Since(freed)
		}
	}
	conns := map[string]string{"alice": first, "alice-two": second}
	for _, c := range alice.must(200, "GET", "/api/v1/connections", nil)["connections"].([]any) {
		c := c.(map[string]any)
		if c["login"] == "alice-three" {
			conns["alice-three"] = c["id"].(string)
		}
	}
	for login, id := range conns {
		eventually(t, jobWait, "the "+login+" sync to complete", func() bool { return connectionStatus(alice, id) == tally.StatusActive })
	}
	resumed := time.Since(freed)
	settleSyncJobs(t, m)
	for login, id := range conns {
		if got, want := count(id), bankCount(login); got != want {
			t.Errorf("%s: %d transactions stored, the bank has %d", login, got, want)
		}
	}
	var rows, distinct int
	if err := m.DB.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT account_id || '|' || external_id) FROM transactions`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != distinct {
		t.Errorf("%d transactions, %d distinct: duplicates", rows, distinct)
	}
	checkConsistent("after space is back")
	t.Logf("RESULT disk=%q refused=%d/%d %v sync_rows_at_fill=%d sync_rows_while_full=%d first_write_after=%s all_syncs_done_after=%s transactions=%d duplicates=%d",
		disk.name, len(refused), len(writes), refused, atFill, heldFull, firstWrite.Round(time.Millisecond), resumed.Round(10*time.Millisecond), rows, rows-distinct)
}
