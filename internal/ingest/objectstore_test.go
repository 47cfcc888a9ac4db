package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/ingest"
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
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	store := &downStore{Store: f.svc.Blobs, down: true}
	f.svc.Blobs = store
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err == nil {
		t.Fatal("sync succeeded with the object store down")
	} else if ingest.IsCredentialError(err) {
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

// breakingStore serves objects that fail after their first 10 KiB, as a
// dropped connection to the object store would, while broken.
type breakingStore struct {
	blob.Store
	broken bool
}

func (b *breakingStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := b.Store.Get(ctx, key)
	if err != nil || !b.broken {
		return rc, err
	}
	return &breakingFile{ReadSeekCloser: rc.(io.ReadSeekCloser), left: 10 << 10}, nil
}

// breakingFile is an object that can seek, like S3's, whose reads fail
// once left bytes have been read.
type breakingFile struct {
	io.ReadSeekCloser
	left int
}

func (f *breakingFile) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	n, err := f.ReadSeekCloser.Read(p[:min(len(p), f.left)])
	f.left -= n
	return n, err
}

// An import whose file cannot be read to its end from the object store
// returns an error for the job to retry instead of failing the import; the
// retry imports every row once.
func TestImportRetriesWhenTheObjectStoreDropsTheRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	var csv strings.Builder
	csv.WriteString("Date,Description,Amount\n")
	for i := range 2000 {
		fmt.Fprintf(&csv, "2026-%02d-%02d,COFFEE SHOP %d,-%d.25\n", 1+i%10, 1+i%28, i, 1+i%50)
	}
	store := &breakingStore{Store: f.svc.Blobs, broken: true}
	f.svc.Blobs = store
	f.svc.ChunkSize = 100
	imp, err := f.svc.NewImport(ctx, f.user.ID, "", "coffee.csv", strings.NewReader(csv.String()), false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.RunImport(ctx, f.user.ID, imp.ID, nil)
	if err == nil {
		t.Fatalf("import with a dropped read succeeded: %+v", got)
	}
	if stored, _ := f.st.Import(ctx, f.user.ID, imp.ID); stored.Status == tally.ImportFailed {
		t.Fatalf("a dropped read failed the import for good: %s", stored.Message)
	}
	store.broken = false
	got, err = f.svc.RunImport(ctx, f.user.ID, imp.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tally.ImportDone || got.Inserted != 2000 || f.storedCount(t) != 2000 {
		t.Fatalf("retry: %s, %d inserted, %d stored; want done with all 2000 once", got.Status, got.Inserted, f.storedCount(t))
	}
}
