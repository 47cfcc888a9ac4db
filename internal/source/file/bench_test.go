package file_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/source/file"
)

// benchRows is how many transactions each benchmark file holds.
const benchRows = 100_000

var benchNames = []string{"SQ *BLUE BOTTLE COFFEE", "EXXONMOBIL 97452 HOUSTON TX", "AMAZON.COM*2K4LL1 AMZN.COM/BILL WA", "TRADER JOE'S #552", "ACME CORP PAYROLL"}

// benchFile builds a statement of benchRows transactions in format.
func benchFile(format string) []byte {
	var b bytes.Buffer
	day := func(i int) (int, int, int) { return 2020 + i/(365*4)%5, 1 + i/120%12, 1 + i/4%28 }
	switch format {
	case "ofx":
		b.WriteString("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n")
		b.WriteString("<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20240101<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n")
		b.WriteString("<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>000123456789<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20200101<DTEND>20241231\n")
		for i := range benchRows {
			y, m, d := day(i)
			fmt.Fprintf(&b, "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>%04d%02d%02d120000<TRNAMT>-%d.%02d<FITID>2020%08d<NAME>%s<MEMO>POS PURCHASE CARD 1234</STMTTRN>\n", y, m, d, 1+i%900, i%100, i, benchNames[i%len(benchNames)])
		}
		b.WriteString("</BANKTRANLIST><LEDGERBAL><BALAMT>1234.56<DTASOF>20241231</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n")
	case "csv":
		b.WriteString("Date,Description,Memo,Amount\n")
		for i := range benchRows {
			y, m, d := day(i)
			fmt.Fprintf(&b, "%04d-%02d-%02d,%s,POS PURCHASE CARD 1234,-%d.%02d\n", y, m, d, benchNames[i%len(benchNames)], 1+i%900, i%100)
		}
	case "camt053":
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId></GrpHdr><Stmt><Id>1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>` + "\n")
		for i := range benchRows {
			y, m, d := day(i)
			fmt.Fprintf(&b, "<Ntry><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>%04d-%02d-%02d</Dt></BookgDt><AcctSvcrRef>2020%08d</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Cdtr><Nm>%s</Nm></Cdtr></RltdPties><RmtInf><Ustrd>POS PURCHASE CARD 1234</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n",
				1+i%900, i%100, y, m, d, i, benchNames[i%len(benchNames)])
		}
		b.WriteString("</Stmt></BkToCstmrStmt></Document>\n")
	case "mt940":
		b.WriteString(":20:STARTUMSE\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C200101EUR1000,00\n")
		for i := range benchRows {
			y, m, d := day(i)
			fmt.Fprintf(&b, ":61:%02d%02d%02d%02d%02dD%d,%02dNTRFNONREF//2020%08d\n:86:166?00LASTSCHRIFT?20SVWZ+POS PURCHASE CARD 1234?32%s\n", y%100, m, d, m, d, 1+i%900, i%100, i, strings.ToUpper(benchNames[i%len(benchNames)]))
		}
		b.WriteString(":62F:C241231EUR1000,00\n-\n")
	}
	return b.Bytes()
}

// BenchmarkRead reads 100,000-transaction files of each format through
// Read, both passes, in chunks of 10,000.
func BenchmarkRead(b *testing.B) {
	for _, format := range []string{"ofx", "csv", "camt053", "mt940"} {
		b.Run(format, func(b *testing.B) {
			data := benchFile(format)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				n := 0
				sum, err := file.Read(bytes.NewReader(data), 10_000, func(c *file.Chunk) error {
					n += len(c.Transactions)
					return nil
				})
				if err != nil || n != benchRows || sum.Format != format {
					b.Fatalf("read %d rows as %q: %v", n, sum.Format, err)
				}
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "txn/s")
		})
	}
}
