package ofx_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

func ExampleParse() {
	const statement = `OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20240131083000[-5:EST]<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>USD
<BANKACCTFROM><BANKID>121000248<ACCTID>000123456789<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20240101<DTEND>20240131
<STMTTRN><TRNTYPE>POS<DTPOSTED>20240115233000[-5:EST]<TRNAMT>-4.75<FITID>1<NAME>SQ *BLUE BOTTLE COFFEE</STMTTRN>
<STMTTRN><TRNTYPE>DIRECTDEP<DTPOSTED>20240115<TRNAMT>2500<FITID>2<NAME>ACME CORP PAYROLL</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>1523.42<DTASOF>20240131</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
`
	resp, err := ofx.Parse(strings.NewReader(statement))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range resp.Statements {
		fmt.Println(st.Account.Kind, st.Account.AccountID, st.Currency)
		for _, tx := range st.Transactions {
			// Posted is in the institution's zone: its date is the day it meant.
			fmt.Println(tx.Posted.Format(time.DateOnly), tally.FormatAmount(tx.Amount, tx.Currency), tx.Name)
		}
		fmt.Println("balance", tally.FormatAmount(st.Ledger.Amount, st.Currency))
	}
	// Output:
	// bank 000123456789 USD
	// 2024-01-15 -4.75 SQ *BLUE BOTTLE COFFEE
	// 2024-01-15 2500.00 ACME CORP PAYROLL
	// balance 1523.42
}

func ExampleParse_signOnError() {
	const reply = `<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR</STATUS>
<DTSERVER>20240131<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1></OFX>`
	_, err := ofx.Parse(strings.NewReader(reply))
	var se *ofx.StatusError
	if errors.As(err, &se) && se.Status.Code == ofx.StatusInvalidSignOn {
		fmt.Println("wrong login or password:", err)
	}
	// Output:
	// wrong login or password: ofx: SONRS status 15500: signon invalid: wrong login or password
}

func ExampleWriteRequest() {
	req := &ofx.Request{
		Version: 102,
		FileUID: "1",
		SignOn: ofx.SignOnRequest{
			ClientTime: time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC),
			UserID:     "jdoe", UserPass: "secret", Org: "DEMO", FID: "1234",
		},
		Statements: []ofx.StatementRequest{{
			TrnUID:              "2",
			Account:             ofx.Account{Kind: ofx.KindCreditCard, AccountID: "4111111111111111"},
			Start:               time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			IncludeTransactions: true,
		}},
	}
	var buf strings.Builder
	if err := ofx.WriteRequest(&buf, req); err != nil {
		fmt.Println(err)
	}
	// SGML documents end their lines with CRLF, as 1.x servers expect.
	fmt.Print(strings.ReplaceAll(buf.String(), "\r\n", "\n"))
	// Output:
	// OFXHEADER:100
	// DATA:OFXSGML
	// VERSION:102
	// SECURITY:NONE
	// ENCODING:USASCII
	// CHARSET:1252
	// COMPRESSION:NONE
	// OLDFILEUID:NONE
	// NEWFILEUID:1
	//
	// <OFX>
	// <SIGNONMSGSRQV1>
	// <SONRQ>
	// <DTCLIENT>20240131120000.000[0:GMT]
	// <USERID>jdoe
	// <USERPASS>secret
	// <LANGUAGE>ENG
	// <FI>
	// <ORG>DEMO
	// <FID>1234
	// </FI>
	// <APPID>QWIN
	// <APPVER>2700
	// </SONRQ>
	// </SIGNONMSGSRQV1>
	// <CREDITCARDMSGSRQV1>
	// <CCSTMTTRNRQ>
	// <TRNUID>2
	// <CCSTMTRQ>
	// <CCACCTFROM>
	// <ACCTID>4111111111111111
	// </CCACCTFROM>
	// <INCTRAN>
	// <DTSTART>20240101000000.000[0:GMT]
	// <INCLUDE>Y
	// </INCTRAN>
	// </CCSTMTRQ>
	// </CCSTMTTRNRQ>
	// </CREDITCARDMSGSRQV1>
	// </OFX>
}
