package sync_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/tallyhq/tally/internal/blob"
	tsync "github.com/tallyhq/tally/internal/sync"
)

// downStore is an object store that refuses every write while down.
type downStore struct {
	blob.Store
	down bool
}

func (d *downStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if d.down {
		return errors.New("blob: put: connection refused")
	}
	return d.Store.Put(ctx, key, r, size)
}

// A sync whose raw response cannot be stored fails with a retryable error
// and inserts nothing; its retry, once the store is back, inserts it all.
func TestSyncFailsWhenTheRawResponseCannotBeStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, tsync.ConnectRequest{URL: f.url, Login: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	store := &downStore{Store: f.svc.Blobs, down: true}
	f.svc.Blobs = store
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err == nil {
		t.Fatal("sync succeeded with the object store down")
	} else if tsync.IsCredentialError(err) {
		t.Fatalf("an object store failure was taken for refused credentials: %v", err)
	}
	if n := f.storedCount(t); n != 0 {
		t.Fatalf("stored %d transactions without their raw response, want 0", n)
	}
	var docs int
	if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT COUNT(*) FROM raw_documents WHERE user_id = ?`), f.user.ID).Scan(&docs); err != nil {
		t.Fatal(err)
	}
	if docs != 0 {
		t.Fatalf("recorded %d raw documents that were never stored, want 0", docs)
	}

	store.down = false
	res, err := f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := f.bankCount("alice"); res.Inserted != want || f.storedCount(t) != want {
		t.Fatalf("retry inserted %d, stored %d, want %d", res.Inserted, f.storedCount(t), want)
	}
}
