package ofx

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// ParseStream hands out exactly the transactions Parse keeps, in order, for
// every golden file and every chunk size, and never more than a chunk at a
// time.
func TestParseStreamMatchesParse(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.ofx")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	files = append(files, "") // plus a big generated statement
	for _, name := range files {
		var data []byte
		if name == "" {
			var buf bytes.Buffer
			if err := WriteResponse(&buf, benchResponse(2500)); err != nil {
				t.Fatal(err)
			}
			data, name = buf.Bytes(), "generated"
		} else if data, err = os.ReadFile(name); err != nil {
			t.Fatal(err)
		}
		want, wantErr := Parse(bytes.NewReader(data))
		for _, chunk := range []int{1, 7, 1000} {
			var got [][]Transaction
			var cur []Transaction
			resp, err := ParseStream(bytes.NewReader(data), chunk, func(st *Statement, txs []Transaction, done bool) error {
				if len(txs) > chunk {
					t.Errorf("%s: a chunk of %d, want at most %d", name, len(txs), chunk)
				}
				cur = append(cur, txs...)
				if done {
					got = append(got, cur)
					cur = nil
				}
				return nil
			})
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%s chunk %d: ParseStream error %v, Parse error %v", name, chunk, err, wantErr)
			}
			if err != nil {
				continue
			}
			if len(got) != len(want.Statements) || len(resp.Statements) != len(want.Statements) {
				t.Fatalf("%s chunk %d: %d statements streamed, want %d", name, chunk, len(got), len(want.Statements))
			}
			for i, st := range want.Statements {
				if len(st.Transactions) == 0 && len(got[i]) == 0 {
					continue
				}
				if !reflect.DeepEqual(got[i], st.Transactions) {
					t.Fatalf("%s chunk %d statement %d: streamed transactions differ from Parse's", name, chunk, i)
				}
				if resp.Statements[i].Transactions != nil {
					t.Fatalf("%s: streamed response kept transactions", name)
				}
				if !reflect.DeepEqual(resp.Statements[i].Ledger, st.Ledger) {
					t.Fatalf("%s: ledger %v, want %v", name, resp.Statements[i].Ledger, st.Ledger)
				}
			}
		}
	}
}
