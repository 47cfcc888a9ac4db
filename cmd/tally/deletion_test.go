package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/config"
)

// Deleting a connection, a file account or the whole user takes their
// raw documents and uploads out of the object store, on the data dir's
// store and on an S3-compatible one, and leaves every other user's.
func TestDeletionsLeaveNoDocuments(t *testing.T) {
	t.Parallel()
	t.Run("directory", func(t *testing.T) {
		t.Parallel()
		testDeletionsLeaveNoDocuments(t, "")
	})
	t.Run("s3", func(t *testing.T) {
		raw := os.Getenv("TALLY_TEST_S3_URL")
		if raw == "" {
			t.Skip("TALLY_TEST_S3_URL is not set; .ci/run starts an S3-compatible server and sets it")
		}
		t.Parallel()
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		var b [6]byte
		rand.Read(b[:])
		u.Path = strings.TrimSuffix(u.Path, "/") + "/deletion-" + hex.EncodeToString(b[:])
		testDeletionsLeaveNoDocuments(t, u.String())
	})
}

func testDeletionsLeaveNoDocuments(t *testing.T, blobURL string) {
	m := startWith(t, func(c *config.Config) { c.Demo, c.BlobURL = true, blobURL })
	ctx := context.Background()
	if blobURL == "" {
		blobURL = filepath.Join(m.Config.DataDir, "blobs")
	}
	store, err := blob.Open(ctx, blobURL)
	if err != nil {
		t.Fatal(err)
	}
	list := func(prefix string) []string {
		t.Helper()
		keys, err := store.List(ctx, prefix+"/")
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		return keys
	}
	rawKeys := func(userID, connID string) []string {
		t.Helper()
		rows, err := m.DB.Query(m.DB.Rebind(`SELECT DISTINCT blob_key FROM raw_documents WHERE user_id = ? AND connection_id = ?`), userID, connID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var keys []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys
	}

	alice, aliceID := signUp(t, m.URL(), "alice@example.com")
	bob, bobID := signUp(t, m.URL(), "bob@example.com")
	var conns []string
	for _, login := range []string{"alice", "alice-two"} {
		got := alice.must(201, "POST", "/api/v1/connections", map[string]string{"kind": "ofx", "url": m.URL() + "/demobank/ofx",
			"login": login, "password": "pw"})
		conns = append(conns, got["id"].(string))
	}
	for _, id := range conns {
		eventually(t, jobWait, "the first syncs", func() bool { return connectionStatus(alice, id) == tally.StatusActive })
	}
	settleSyncJobs(t, m)
	first, second := rawKeys(aliceID, conns[0]), rawKeys(aliceID, conns[1])
	if len(first) == 0 || len(second) == 0 {
		t.Fatalf("the syncs stored %d and %d raw documents, want some of each", len(first), len(second))
	}
	if got, want := list(blob.RawPrefix(aliceID)), sortedUnion(first, second); !slices.Equal(got, want) {
		t.Fatalf("alice's raw documents in the store: %q, want %q", got, want)
	}
	fileAccount := upload(t, alice, "statement.qif")
	upload(t, alice, "other.csv")
	upload(t, bob, "statement.qif") // the same bytes as alice's, under bob's prefix
	if n := len(list(blob.UploadPrefix(aliceID))); n != 2 {
		t.Fatalf("alice has %d uploads in the store, want 2", n)
	}

	// A connection: its raw documents go, the other connection's stay.
	alice.must(204, "DELETE", "/api/v1/connections/"+conns[0], nil)
	if got := list(blob.RawPrefix(aliceID)); !slices.Equal(got, second) {
		t.Fatalf("after deleting a connection alice's raw documents are %q, want the other connection's %q", got, second)
	}
	// A file account: its upload goes, the other upload stays.
	alice.must(204, "DELETE", "/api/v1/accounts/"+fileAccount, nil)
	if n := len(list(blob.UploadPrefix(aliceID))); n != 1 {
		t.Fatalf("after deleting a file account alice has %d uploads, want 1", n)
	}
	// The user: nothing of theirs is left.
	alice.must(204, "DELETE", "/api/v1/users/me", map[string]string{"password": "correct horse battery"})
	for _, prefix := range []string{blob.RawPrefix(aliceID), blob.UploadPrefix(aliceID)} {
		if got := list(prefix); len(got) != 0 {
			t.Fatalf("after deleting the user the store still holds %q", got)
		}
	}
	if n := len(list(blob.UploadPrefix(bobID))); n != 1 {
		t.Fatalf("another user has %d uploads after alice left, want 1", n)
	}
	bob.must(200, "GET", "/api/v1/accounts", nil)
}

func sortedUnion(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// upload imports a small statement file into a new account and returns
// that account's id once the import is done.
func upload(t *testing.T, c *client, name string) string {
	t.Helper()
	data := "!Type:Bank\nD01/02/2026\nT-4.50\nPBLUE BOTTLE COFFEE\n^\n"
	if strings.HasSuffix(name, ".csv") {
		data = "Date,Description,Amount\n2026-01-03,WHOLE FOODS MARKET,-84.12\n"
	}
	got := c.importFile(name, data)
	if got["status"] != "done" || got["inserted"] != 1.0 {
		t.Fatalf("import of %s = %v, want done with 1 inserted", name, got)
	}
	return got["account_id"].(string)
}
