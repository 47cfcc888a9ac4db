package ingest_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/ofx"
)

// writeStatementFile writes an OFX statement of n synthetic transactions
// to a file and returns its path and size.
func writeStatementFile(t *testing.T, n int) (string, int64) {
	t.Helper()
	return writeStatement(t, demobank.SyntheticStatement(n, 1))
}

// uploadStatement stores an n-line statement file as the fixture user's
// upload, as the API does, and returns its import (queued, no job) and the
// file's size.
func (f *fixture) uploadStatement(t *testing.T, n int) (*tally.Import, int64) {
	t.Helper()
	path, size := writeStatementFile(t, n)
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	spool, err := blob.SpoolFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	imp, err := f.svc.NewImport(context.Background(), f.user.ID, "", "statement.ofx", spool, false)
	if err != nil {
		t.Fatal(err)
	}
	return imp, size
}

// writeStatement writes an OFX answer holding st to a file and returns its
// path and size.
func writeStatement(t *testing.T, st ofx.Statement) (string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "statement.ofx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	resp := &ofx.Response{Version: 102, SignOn: ofx.SignOnResponse{Org: demobank.Org, FID: demobank.FID},
		Statements: []ofx.Statement{st}}
	if err := ofx.WriteResponse(w, resp); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return path, fi.Size()
}

// liveHeap is the heap still reachable: what a GC leaves.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A large statement streams through the import: the heap reachable between
// chunks stays far below the file's size (the file is never held whole, nor
// its parsed lines), and grows with the lines read by only the few bytes per
// line deduplication keeps. Not parallel: it measures the whole process's
// heap.
func TestLargeImportStreamsInBoundedMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("a heap measurement needs a build without the race detector; go test ./... runs it")
	}
	if testing.Short() {
		t.Skip("imports 60,000 transactions")
	}
	const rows, chunk = 60_000, 2_000
	f := newFixture(t)
	f.svc.ChunkSize = chunk
	ctx := context.Background()
	imp, size := f.uploadStatement(t, rows)

	// The job reads the stored file in its two passes and no more.
	counted := &countingBlobs{Store: f.svc.Blobs}
	f.svc.Blobs = counted

	before := liveHeap()
	var live []uint64 // after each chunk
	done, err := f.svc.RunImport(ctx, f.user.ID, imp.ID, func(p *tally.Import) {
		if p.Status == tally.ImportRunning {
			live = append(live, liveHeap())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, done, tally.ImportDone, rows, rows, 0, 0)
	if len(live) != rows/chunk {
		t.Fatalf("got %d chunks, want %d", len(live), rows/chunk)
	}
	if read := counted.read.Load(); read > 2*size+8<<10 {
		t.Errorf("the job read %d bytes of a %d-byte file, want at most two passes and the format's sniff", read, size)
	}
	peak := live[0]
	for _, v := range live {
		peak = max(peak, v)
	}
	t.Logf("file %d bytes (%d per line); heap before %d, after the first chunk +%d, peak +%d, after the last +%d",
		size, size/rows, before, int64(live[0]-before), int64(peak-before), int64(live[len(live)-1]-before))
	// Holding the file would add its size; holding its parsed lines more
	// than that (a parsed line is larger than its OFX text).
	if grew := int64(peak) - int64(before); grew > size/2 {
		t.Errorf("the heap grew by %d bytes during the import, want under half the file's %d bytes", grew, size)
	}
	// What stays from one chunk to the next is per-line hashes, not lines.
	perLine := (int64(live[len(live)-1]) - int64(live[0])) / (rows - chunk)
	if perLine > size/rows/3 {
		t.Errorf("the heap grew by %d bytes per line read, want under a third of a line's %d bytes of OFX", perLine, size/rows)
	}
}

// A bank's large answer streams through a sync the same way: to a
// temporary file, then through the pipeline a chunk at a time.
func TestLargeSyncStreamsInBoundedMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("a heap measurement needs a build without the race detector; go test ./... runs it")
	}
	if testing.Short() {
		t.Skip("syncs 60,000 transactions")
	}
	const rows, chunk = 60_000, 2_000
	f := newFixture(t)
	f.svc.ChunkSize = chunk
	ctx := context.Background()
	path, size := writeStatementFile(t, rows)
	conn := f.connectTo(t, statementServer(t, f, path))
	// The store reads its clock when a chunk's transaction starts: the
	// live heap is sampled there.
	before := liveHeap()
	peak := before
	f.st.Now = func() time.Time {
		peak = max(peak, liveHeap())
		return f.now
	}
	res, err := f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Seen != rows || res.Inserted != rows {
		t.Fatalf("sync saw %d and inserted %d, want %d", res.Seen, res.Inserted, rows)
	}
	t.Logf("answer %d bytes; heap before %d, peak +%d", size, before, int64(peak-before))
	if grew := int64(peak) - int64(before); grew > size/2 {
		t.Errorf("the heap grew by %d bytes during the sync, want under half the answer's %d bytes", grew, size)
	}
}

// countingBlobs counts the bytes read from the objects it hands out.
type countingBlobs struct {
	blob.Store
	read atomic.Int64
}

func (c *countingBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := c.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	rs, ok := obj.(io.ReadSeekCloser)
	if !ok {
		obj.Close()
		return nil, errors.New("the directory store's objects can seek")
	}
	return &countedObject{ReadSeekCloser: rs, n: &c.read}, nil
}

type countedObject struct {
	io.ReadSeekCloser
	n *atomic.Int64
}

func (o *countedObject) Read(p []byte) (int, error) {
	n, err := o.ReadSeekCloser.Read(p)
	o.n.Add(int64(n))
	return n, err
}

// statementServer is the demo bank for sign-on and the account list, and
// answers every statement request with the OFX file at path.
func statementServer(t *testing.T, f *fixture, path string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !bytes.Contains(body, []byte("<STMTRQ>")) {
			r.Body = io.NopCloser(bytes.NewReader(body))
			f.bank.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-ofx")
		http.ServeFile(w, r, path)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/ofx"
}

// connectTo links the demo bank's alice at url.
func (f *fixture) connectTo(t *testing.T, url string) *tally.Connection {
	t.Helper()
	conn, _, err := f.svc.Connect(context.Background(), f.user.ID, ingest.ConnectRequest{URL: url, Login: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// A statement whose balance no bank could report fails its sync before any
// of its lines is stored, though the balance comes after them.
func TestSyncRefusesAnImpossibleBalanceBeforeStoringLines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.svc.ChunkSize = 10
	st := demobank.SyntheticStatement(50, 1)
	st.Ledger = &ofx.Balance{Amount: tally.MaxAmount + 1, AsOf: f.now}
	path, _ := writeStatement(t, st)
	conn := f.connectTo(t, statementServer(t, f, path))
	before := f.storedCount(t)
	if _, err := f.svc.Sync(context.Background(), f.user.ID, conn.ID); err == nil || !strings.Contains(err.Error(), "balance") {
		t.Fatalf("got %v, want the balance refused", err)
	}
	if n := f.storedCount(t); n != before {
		t.Errorf("%d lines stored, want none", n-before)
	}
}
