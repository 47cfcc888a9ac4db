package ofx

import "testing"

func TestLookup(t *testing.T) {
	t.Parallel()
	for name, id := range elemNames {
		if got := lookup([]byte(name)); got != id {
			t.Errorf("lookup(%q) = %d, want %d", name, got, id)
		}
	}
	for _, name := range []string{"", "X", "STMTTRNX", "stmttrn", "INTU.BID", "OFXX"} {
		if got := lookup([]byte(name)); got != eNone {
			t.Errorf("lookup(%q) = %d, want eNone", name, got)
		}
	}
}
