package ofx

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// benchResponse is a bank statement of n transactions, in the shape the
// demo bank writes.
func benchResponse(n int) *Response {
	names := []string{"SQ *BLUE BOTTLE COFFEE", "EXXONMOBIL 97452 HOUSTON TX", "AMAZON.COM*2K4LL1 AMZN.COM/BILL WA", "TRADER JOE'S #552", "ACME CORP PAYROLL", "AT&T *PAYMENT"}
	loc := time.FixedZone("EST", -5*3600)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, loc)
	st := Statement{TrnUID: "1", Status: Status{Severity: "INFO"}, Currency: "USD",
		Account: Account{Kind: KindBank, BankID: "121000248", AccountID: "000123456789", AccountType: "CHECKING"},
		Start:   start, End: start.AddDate(0, 0, n/4)}
	st.Transactions = make([]Transaction, n)
	for i := range st.Transactions {
		st.Transactions[i] = Transaction{
			Type: "DEBIT", Posted: start.AddDate(0, 0, i/4).Add(12 * time.Hour), Amount: -int64(100 + i*37%90000), Currency: "USD",
			FITID: fmt.Sprintf("2020%08d", i), Name: names[i%len(names)], Memo: "POS PURCHASE CARD 1234",
		}
	}
	st.Ledger = &Balance{Amount: 123456, AsOf: st.End}
	return &Response{Version: 102, SignOn: SignOnResponse{Status: Status{Severity: "INFO"}, ServerTime: st.End, Language: "ENG"}, Statements: []Statement{st}}
}

func BenchmarkParse(b *testing.B) {
	const n = 10000
	for _, v := range []Version{102, 220} {
		b.Run(fmt.Sprintf("v%d", v), func(b *testing.B) {
			resp := benchResponse(n)
			resp.Version = v
			var buf bytes.Buffer
			if err := WriteResponse(&buf, resp); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				got, err := Parse(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				if len(got.Statements[0].Transactions) != n {
					b.Fatalf("got %d transactions", len(got.Statements[0].Transactions))
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "transactions/s")
		})
	}
}

func BenchmarkWriteResponse(b *testing.B) {
	const n = 10000
	for _, v := range []Version{102, 220} {
		b.Run(fmt.Sprintf("v%d", v), func(b *testing.B) {
			resp := benchResponse(n)
			resp.Version = v
			var buf bytes.Buffer
			if err := WriteResponse(&buf, resp); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				buf.Reset()
				if err := WriteResponse(&buf, resp); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "transactions/s")
		})
	}
}
