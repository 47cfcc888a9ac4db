package categorize

import (
	"runtime"
	"testing"
)

// TestTradeTermsMemory measures the heap the schema's trade words take
// once built, on a fresh copy (the engine's may be built already): with
// them the engine stays within the design's 12 MB for 50,000 sellers
// (`go test -run TradeTermsMemory -v`). Not parallel: the measurement
// wants no other test allocating meanwhile.
func TestTradeTermsMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := buildTradeTerms()
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d trade words: %.2f MB", len(m.words), float64(used)/(1<<20))
	if used > 1<<20 {
		t.Errorf("trade words take %d bytes, want at most 1 MiB", used)
	}
	runtime.KeepAlive(m)
}
