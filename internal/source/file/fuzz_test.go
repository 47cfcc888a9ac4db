package file_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tallyhq/tally/internal/source/file"
)

// fuzzRead checks what must hold for any input: no panic, chunks within
// their size, counts that add up, and nothing handed out on failure.
func fuzzRead(t *testing.T, data []byte) {
	parsed, rejected, chunks := 0, 0, 0
	sum, err := file.Read(bytes.NewReader(data), 3, func(c *file.Chunk) error {
		chunks++
		if len(c.Transactions) > 3 {
			t.Fatalf("chunk of %d, want at most 3", len(c.Transactions))
		}
		for _, x := range c.Transactions {
			if x.Date.IsZero() {
				t.Fatalf("transaction on line %d has no date", x.Line)
			}
			if x.FITID != "" && x.RepeatedFITID != "" {
				t.Fatalf("transaction on line %d has both an id and a repeated one", x.Line)
			}
		}
		parsed += len(c.Transactions)
		rejected += len(c.Errors)
		return nil
	})
	if err != nil && chunks > 0 && sum.Format != file.FormatOFX {
		t.Fatalf("Read failed (%v) after handing out %d chunks", err, chunks)
	}
	if err == nil && (parsed != sum.Parsed || rejected != sum.Rejected) {
		t.Fatalf("summary %d/%d, chunks held %d/%d", sum.Parsed, sum.Rejected, parsed, rejected)
	}
}

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzQIF(f *testing.F) {
	addSeeds(f, "testdata/*.qif")
	f.Fuzz(fuzzRead)
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "testdata/*.csv")
	f.Fuzz(fuzzRead)
}

// FuzzOFXFile runs OFX and QFX files through the import path.
func FuzzOFXFile(f *testing.F) {
	addSeeds(f, "testdata/*.qfx")
	addSeeds(f, "../ofx/testdata/*.ofx")
	f.Fuzz(fuzzRead)
}

// FuzzCAMT053 runs ISO 20022 statements through the import path.
func FuzzCAMT053(f *testing.F) {
	addSeeds(f, "testdata/*.xml")
	f.Fuzz(fuzzRead)
}

// FuzzMT940 runs SWIFT MT940 statements through the import path.
func FuzzMT940(f *testing.F) {
	addSeeds(f, "testdata/*.sta")
	addSeeds(f, "testdata/*.mt940")
	f.Fuzz(fuzzRead)
}
