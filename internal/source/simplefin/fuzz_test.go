package simplefin_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

// FuzzRead: whatever the bridge answers, Read does not panic, keeps to its
// chunk size, hands out nothing from an answer it refuses, and never takes
// an answer that encoding/json would refuse as an account set.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"errors":[],"accounts":[{"id":"A","name":"Checking","currency":"USD","balance":"1.00","balance-date":1763650800,` +
		`"transactions":[{"id":"T1","posted":1763650800,"amount":"-4.50","description":"COFFEE"},{"id":"T2","amount":"-1","pending":true}]}]}`))
	f.Add([]byte(`{"accounts":[{"transactions":[{"id":"T1","posted":1,"amount":"2"}],"id":"B","currency":"EUR"}],"x":{"y":[1,2]}}`))
	f.Add([]byte(`{"accounts":null}`))
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		calls, lines := 0, 0
		_, _, err := simplefin.Read(bytes.NewReader(data), 2, now, func(st *source.Statement, txs []source.Transaction, done bool) error {
			calls++
			lines += len(txs)
			if len(txs) > 2 {
				t.Fatalf("a chunk of %d lines, want at most 2", len(txs))
			}
			return nil
		})
		if err != nil {
			if calls > 0 {
				t.Fatalf("refused (%v) after %d calls, want none", err, calls)
			}
			return
		}
		if _, err := simplefin.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("Read took an answer Decode refuses: %v", err)
		}
	})
}
