package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// benchCSV is benchDoc's 100,000 transactions as a bank's CSV export.
func benchCSV(b *testing.B) []byte {
	b.Helper()
	st := demobank.SyntheticStatement(benchRows, 1)
	var buf bytes.Buffer
	buf.WriteString("Posted Date,Description,Memo,Amount\n")
	for _, t := range st.Transactions {
		fmt.Fprintf(&buf, "%s,\"%s\",\"%s\",%s\n", t.Posted.Format("01/02/2006"), t.Name, t.Memo, tally.FormatAmount(t.Amount, "USD"))
	}
	return buf.Bytes()
}

// heapPeak samples the Go heap in use until stop is called and returns the
// highest value seen.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// benchImport measures an uploaded file's import from the object store to
// committed rows: sniff, parse in two passes, categorize, dedupe and insert
// in chunks of 10,000 with monthly totals, progress recorded per chunk. Each
// iteration imports into a new user, so every row is new.
func benchImport(b *testing.B, name string, data []byte) {
	st := store.New(sqldbtest.Open(b), store.NoJobs{})
	blobs, _ := blob.NewDir(b.TempDir())
	svc := &ingest.Service{Store: st, Blobs: blobs, Categorize: categorize.New(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	runtime.GC()
	stop := heapPeak()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		u, err := st.CreateUser(ctx, fmt.Sprintf("bench%d@example.com", i), "hash")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		imp, err := svc.NewImport(ctx, u.ID, "", name, bytes.NewReader(data), false)
		if err != nil {
			b.Fatal(err)
		}
		imp, err = svc.RunImport(ctx, u.ID, imp.ID, nil)
		if err != nil {
			b.Fatal(err)
		}
		if imp.Status != tally.ImportDone || imp.Inserted != benchRows {
			b.Fatalf("import %s: %s, %d inserted (%s), want %d", name, imp.Status, imp.Inserted, imp.Message, benchRows)
		}
	}
	b.StopTimer()
	peak := stop()
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "txn/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func BenchmarkImportOFX(b *testing.B) { benchImport(b, "statement.ofx", benchDoc(b)) }

func BenchmarkImportCSV(b *testing.B) { benchImport(b, "statement.csv", benchCSV(b)) }
