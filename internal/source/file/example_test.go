package file_test

import (
	"fmt"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source/file"
)

func ExampleRead() {
	data := `Account: 12345678
Date;Description;Debit;Credit
31.01.2024;Rent;1.100,00;
02.02.2024;Salary;;2.750,00
03.02.2024;Coffee;3,20;
`
	sum, err := file.Read(strings.NewReader(data), 0, func(c *file.Chunk) error {
		for _, t := range c.Transactions {
			fmt.Println(t.Line, t.Date.Format(tally.DateLayout), tally.FormatAmount(t.Amount, "EUR"), t.Description)
		}
		return nil
	})
	fmt.Println(sum.Format, sum.Parsed, sum.Rejected, err)
	// Output:
	// 3 2024-01-31 -1100.00 Rent
	// 4 2024-02-02 2750.00 Salary
	// 5 2024-02-03 -3.20 Coffee
	// csv 3 0 <nil>
}

func ExampleReadWith_mt940() {
	statement := `:20:STARTUMSE
:25:DE89370400440532013000
:28C:00001/001
:60F:C240101EUR1500,00
:61:2401020102D45,NDDTNONREF//2024010200001
:86:105?00SEPA-BASISLASTSCHRIFT?20EREF+RG 4411?21SVWZ+Strom Januar?32STADTW
ERKE BEISPIELSTADT
:61:2401030103C2750,NTRFNONREF
:86:Salary January
:62F:C240103EUR4205,00
-
`
	_, err := file.ReadWith(strings.NewReader(statement), file.ReadOptions{}, func(c *file.Chunk) error {
		fmt.Println(c.Account.AccountID, c.Currency, "opening", tally.FormatAmount(*c.Opening, c.Currency), "closing", tally.FormatAmount(*c.Ledger, c.Currency))
		for _, t := range c.Transactions {
			fmt.Printf("%s %s %q %q id=%q\n", t.Date.Format(tally.DateLayout), tally.FormatAmount(t.Amount, c.Currency), t.Description, t.Memo, t.FITID)
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// DE89370400440532013000 EUR opening 1500.00 closing 4205.00
	// 2024-01-02 -45.00 "STADTWERKE BEISPIELSTADT" "Strom Januar" id="2024010200001"
	// 2024-01-03 2750.00 "Salary January" "" id=""
	// <nil>
}

func ExampleReadWith_camt053() {
	statement := `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt>
  <Stmt>
   <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry>
    <Amt Ccy="EUR">12.345</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2024-02-05</Dt></BookgDt><AcctSvcrRef>ABN-2024-0205-001</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <RltdPties><Cdtr><Pty><Nm>Albert Heijn 1403</Nm></Pty></Cdtr></RltdPties>
     <RmtInf><Ustrd>Betaalpas 05-02-2024</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>`
	_, err := file.ReadWith(strings.NewReader(statement), file.ReadOptions{}, func(c *file.Chunk) error {
		for _, t := range c.Transactions {
			fmt.Println(c.Account.AccountID, t.Date.Format(tally.DateLayout), tally.FormatAmount(t.Amount, c.Currency), c.Currency, t.Description, "/", t.Memo, "/", t.FITID)
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// NL91ABNA0417164300 2024-02-05 -12.35 EUR Albert Heijn 1403 / Betaalpas 05-02-2024 / ABN-2024-0205-001
	// <nil>
}

func ExampleParseAmount() {
	for _, c := range []struct{ s, currency string }{{"-1,500", "JPY"}, {"-12.345", "USD"}, {"12.345", "BHD"}, {"(1.234,56)", "EUR"}} {
		v, _ := file.ParseAmount(c.s, c.currency)
		fmt.Println(c.s, c.currency, v)
	}
	// Output:
	// -1,500 JPY -1500
	// -12.345 USD -1235
	// 12.345 BHD 12345
	// (1.234,56) EUR -123456
}

func ExampleSniff() {
	format, _ := file.Sniff([]byte(":20:STATEMENT\n:25:DE89370400440532013000\n:60F:C240101EUR1000,00\n"))
	fmt.Println(format)
	_, err := file.Sniff([]byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">`))
	fmt.Println(tally.ErrorMessage(err))
	// Output:
	// mt940
	// this file is an ISO 20022 camt.052.001.02 message (an intraday account report), not a camt.053 statement, which Tally cannot import; export the statement as OFX, QFX, QIF, CSV, CAMT.053 or MT940
}
