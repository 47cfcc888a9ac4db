package sqldb_test

import (
	"testing"

	"github.com/tallyhq/tally/internal/sqldb"
)

func TestParseLSN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0/0", 0, true},
		{"0/16B3748", 0x16B3748, true},
		{"16/B374D848", 0x16<<32 | 0xB374D848, true},
		{"1/0", 1 << 32, true},
		{"", 0, false},
		{"16B3748", 0, false},
		{"0/xyz", 0, false},
	} {
		got, err := sqldb.ParseLSN(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseLSN(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	// Ordering is numeric, not textual.
	a, _ := sqldb.ParseLSN("0/9FFFFFF")
	b, _ := sqldb.ParseLSN("0/A000000")
	if a >= b {
		t.Error("0/9FFFFFF does not sort before 0/A000000")
	}
}
