package ofx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	est = time.FixedZone("EST", -5*3600)
	ist = time.FixedZone("IST", 5*3600+30*60)
)

func day(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// sampleResponse uses every field WriteResponse writes.
func sampleResponse(v Version) *Response {
	info := Status{Code: 0, Severity: "INFO"}
	return &Response{
		Version: v,
		SignOn: SignOnResponse{Status: Status{Severity: "INFO", Message: "OK"}, ServerTime: time.Date(2024, 1, 31, 8, 30, 15, 123e6, est),
			Language: "ENG", Org: "Demo & Sons <Bank>", FID: "10898"},
		Accounts: []AccountInfo{
			{Account: Account{Kind: KindBank, BankID: "121000248", AccountID: "1", AccountType: "CHECKING", Description: "Checking"}, Currency: "USD"},
			{Account: Account{Kind: KindCreditCard, AccountID: "4111", Description: "Visa"}, Currency: "USD"},
			{Account: Account{Kind: KindInvestment, BrokerID: "demo.com", AccountID: "Z1", Description: "Brokerage"}},
		},
		AccountsTrnUID: "acct-1",
		Statements: []Statement{
			{
				TrnUID: "b1", Status: info, Currency: "USD",
				Account: Account{Kind: KindBank, BankID: "121000248", AccountID: "1", AccountType: "CHECKING"},
				Start:   day(2024, 1, 1, est), End: time.Date(2024, 1, 31, 23, 59, 59, 999e6, est),
				Transactions: []Transaction{
					{Type: "POS", Posted: day(2024, 1, 2, est), User: day(2024, 1, 1, time.UTC), Amount: -475, Currency: "USD",
						FITID: "f1", Name: "SQ *BLUE BOTTLE COFFEE", Memo: "Café & \"crème\" <x>", SIC: "5814"},
					{Type: "CHECK", Posted: day(2024, 1, 3, time.UTC), Amount: -185000, Currency: "USD", FITID: "f2",
						Name: "RENT", CheckNum: "1042", RefNum: "R-9"},
					{Type: "DEBIT", Posted: day(2024, 1, 4, ist), Amount: -4500, Currency: "EUR", FITID: "f3", Name: "HOTEL PARIS"},
					{Type: "DEBIT", Posted: day(2024, 1, 5, ist), Amount: -3200, Currency: "JPY", FITID: "f4", Name: "SUSHI"},
					{Type: "DEBIT", Posted: day(2024, 1, 6, est), Amount: -2115, Currency: "USD", OrigCurrency: "GBP", FITID: "f5", Name: "TUBE"},
				},
				Ledger:    &Balance{Amount: 152342, AsOf: time.Date(2024, 1, 31, 8, 30, 15, 0, est)},
				Available: &Balance{Amount: -1, AsOf: day(2024, 1, 31, time.UTC)},
			},
			{
				TrnUID: "b2", Status: info, Currency: "KWD",
				Account: Account{Kind: KindBank, BankID: "9", AccountID: "2", AccountType: "SAVINGS"},
				Transactions: []Transaction{
					{Type: "INT", Posted: day(2024, 1, 31, time.UTC), Amount: 1234, Currency: "KWD", FITID: "k1"},
				},
			},
			{
				TrnUID: "c1", Status: Status{Severity: "INFO", Message: "fine"}, Currency: "USD",
				Account: Account{Kind: KindCreditCard, AccountID: "4111"},
				Start:   day(2024, 1, 1, time.UTC), End: day(2024, 1, 31, time.UTC),
				Transactions: []Transaction{
					{Type: "PAYMENT", Posted: day(2024, 1, 15, time.UTC), Amount: 50000, Currency: "USD", FITID: "p1", Name: "PAYMENT THANK YOU"},
				},
				Ledger: &Balance{Amount: -128955, AsOf: day(2024, 1, 31, time.UTC)},
			},
			{
				TrnUID: "i1", Status: info, Currency: "USD",
				Account: Account{Kind: KindInvestment, BrokerID: "demo.com", AccountID: "Z1"},
				Start:   day(2024, 6, 1, time.UTC), End: day(2024, 6, 28, time.UTC),
				Transactions: []Transaction{
					{Type: "DEP", Posted: day(2024, 6, 1, time.UTC), Amount: 300000, Currency: "USD", FITID: "c1", Name: "ACH", SubAcct: "CASH"},
					{Type: "DIV", Posted: day(2024, 6, 25, time.UTC), Amount: 1234, Currency: "USD", FITID: "c2", Name: "DIV", SubAcct: "MARGIN"},
				},
				Positions: []Position{
					{SecurityID: "922908769", SecurityIDType: "CUSIP", Type: "POSSTOCK", Units: "10", UnitPrice: "251.53", MarketValue: 251530, AsOf: day(2024, 6, 28, est)},
					{SecurityID: "US9229087286", SecurityIDType: "ISIN", Type: "POSMF", Units: "33.217", UnitPrice: "118.07", MarketValue: 392213, AsOf: day(2024, 6, 28, time.UTC)},
				},
				Ledger: &Balance{Amount: 48680, AsOf: time.Date(2024, 6, 28, 16, 0, 0, 0, est)},
			},
		},
	}
}

func sampleRequest(v Version) *Request {
	return &Request{
		Version: v,
		FileUID: "8f14e45f-ceea-467a-9af0-8a0b1c2d3e4f",
		SignOn: SignOnRequest{ClientTime: time.Date(2024, 1, 15, 12, 0, 0, 0, est), UserID: "jdoe", UserPass: "p&ss<wörd>",
			Language: "ENG", Org: "First Demo Bank", FID: "10898", AppID: "QWIN", AppVer: "2700", ClientUID: "uid-1"},
		AccountInfo:       true,
		AccountsSince:     day(2024, 1, 1, time.UTC),
		AccountInfoTrnUID: "a1",
		Statements: []StatementRequest{
			{TrnUID: "s1", Account: Account{Kind: KindBank, BankID: "1", AccountID: "2", AccountType: "SAVINGS"}, Start: day(2023, 12, 1, time.UTC), IncludeTransactions: true},
			{TrnUID: "s2", Account: Account{Kind: KindCreditCard, AccountID: "4111"}, Start: day(2023, 12, 1, est), End: day(2024, 1, 15, est), IncludeTransactions: true},
			{TrnUID: "s3", Account: Account{Kind: KindInvestment, BrokerID: "demo.com", AccountID: "Z1"}},
		},
	}
}

func diff(t *testing.T, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			t.Fatalf("round trip differs at JSON line %d: got %s, want %s", i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("round trip differs (time zones or lengths):\ngot  %+v\nwant %+v", got, want)
}

func TestResponseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range []Version{102, 103, 151, 160, 200, 211, 220} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			t.Parallel()
			want := sampleResponse(v)
			var buf bytes.Buffer
			if err := WriteResponse(&buf, want); err != nil {
				t.Fatal(err)
			}
			got, err := Parse(&buf)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, got, want)
		})
	}
}

func TestRequestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range []Version{102, 160, 200, 220} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			t.Parallel()
			want := sampleRequest(v)
			var buf bytes.Buffer
			if err := WriteRequest(&buf, want); err != nil {
				t.Fatal(err)
			}
			got, err := ParseRequest(&buf)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, got, want)
		})
	}
}

// TestRandomRoundTrip writes and reads back many generated transactions
// with awkward text and amounts.
func TestRandomRoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"AT&T", "<b>", "Café", "M&M's", "Ünïcødé", "日本", "&amp;", "a > b", "x;y", "&#38;", "€", "\"q\"", "'s", "plain"}
	word := func() string {
		n := r.IntN(4)
		var parts []string
		for range n {
			parts = append(parts, words[r.IntN(len(words))])
		}
		return strings.Join(parts, " ")
	}
	zones := []*time.Location{time.UTC, est, ist, time.FixedZone("", -3*3600-1800), time.FixedZone("NPT", 5*3600+45*60)}
	for _, v := range []Version{102, 220} {
		resp := &Response{Version: v, SignOn: SignOnResponse{Status: Status{Severity: "INFO"}, ServerTime: day(2024, 1, 1, time.UTC), Language: "ENG"}}
		for _, cur := range []string{"USD", "JPY", "BHD"} {
			st := Statement{TrnUID: cur, Status: Status{Severity: "INFO"}, Currency: cur, Account: Account{Kind: KindBank, BankID: "1", AccountID: cur, AccountType: "CHECKING"}}
			for i := range 500 {
				loc := zones[r.IntN(len(zones))]
				st.Transactions = append(st.Transactions, Transaction{
					Type:     "DEBIT",
					Posted:   time.Date(2000+r.IntN(30), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000)*1e6, loc),
					Amount:   r.Int64N(1e12) - 5e11,
					Currency: cur,
					FITID:    fmt.Sprint(i),
					Name:     word(),
					Memo:     word(),
				})
			}
			resp.Statements = append(resp.Statements, st)
		}
		var buf bytes.Buffer
		if err := WriteResponse(&buf, resp); err != nil {
			t.Fatal(err)
		}
		got, err := Parse(&buf)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, got, resp)
	}
}

func TestWriteRequestSGML(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	req := &Request{FileUID: "abc", SignOn: SignOnRequest{ClientTime: day(2024, 1, 15, time.UTC), UserID: "u", UserPass: "café&"},
		Statements: []StatementRequest{{TrnUID: "1", Account: Account{Kind: KindBank, BankID: "1", AccountID: "2", AccountType: "CHECKING"}, IncludeTransactions: true}}}
	if err := WriteRequest(&buf, req); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	header := "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\n" +
		"COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:abc\r\n\r\n<OFX>\r\n"
	if !strings.HasPrefix(out, header) {
		t.Errorf("got header %q, want %q", out[:min(len(out), len(header))], header)
	}
	for _, want := range []string{
		"<USERID>u\r\n", "<USERPASS>caf\xe9&amp;\r\n", "<LANGUAGE>ENG\r\n", "<APPID>QWIN\r\n", "<APPVER>2700\r\n",
		"<DTCLIENT>20240115000000.000[0:GMT]\r\n", "<STMTRQ>\r\n<BANKACCTFROM>\r\n<BANKID>1\r\n", "<INCLUDE>Y\r\n</INCTRAN>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("request lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "</USERID>") || strings.Contains(out, "SIGNUPMSGSRQV1") || strings.Contains(out, "<FI>") {
		t.Errorf("unexpected element in\n%s", out)
	}
	got, err := ParseRequest(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.SignOn.UserPass != "café&" || got.SignOn.Language != "ENG" || got.SignOn.AppID != "QWIN" || got.SignOn.AppVer != "2700" {
		t.Errorf("got sign-on %+v", got.SignOn)
	}
}

func TestWriteRequestFileUIDEscaped(t *testing.T) {
	t.Parallel()
	for _, v := range []Version{102, 220} {
		req := sampleRequest(v)
		req.FileUID = `a"b&c`
		var buf bytes.Buffer
		if err := WriteRequest(&buf, req); err != nil {
			t.Fatal(err)
		}
		got, err := ParseRequest(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got.FileUID != req.FileUID {
			t.Errorf("version %d: got FileUID %q, want %q", v, got.FileUID, req.FileUID)
		}
	}
}

func TestWriteRequestXML(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	req := sampleRequest(220)
	req.FileUID = ""
	req.SignOn.ClientTime = time.Time{}
	req.Statements[0].TrnUID = ""
	if err := WriteRequest(&buf, req); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`+"\n"+`<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="`) {
		t.Errorf("got header\n%s", out[:200])
	}
	wellFormed(t, out)
	got, err := ParseRequest(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.FileUID) != 36 || len(got.Statements[0].TrnUID) != 36 || got.SignOn.ClientTime.IsZero() {
		t.Errorf("defaults not filled in: FileUID %q TrnUID %q ClientTime %v", got.FileUID, got.Statements[0].TrnUID, got.SignOn.ClientTime)
	}
}

// wellFormed checks that an XML document is well formed and every element
// closed.
func wellFormed(t *testing.T, doc string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		t.Fatalf("XML ends at depth %d", depth)
	}
}

func TestWriteResponseXMLWellFormed(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteResponse(&buf, sampleResponse(220)); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.String())
}

func TestWriteResponseSignOnError(t *testing.T) {
	t.Parallel()
	for _, v := range []Version{102, 220} {
		resp := sampleResponse(v)
		resp.SignOn.Status = Status{Code: StatusInvalidSignOn, Severity: "ERROR"}
		var buf bytes.Buffer
		if err := WriteResponse(&buf, resp); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "STMTRS") || strings.Contains(out, "ACCTINFO") || !strings.Contains(out, "<CODE>15500") {
			t.Errorf("version %d: want only the sign-on, got\n%s", v, out)
		}
		_, err := Parse(&buf)
		var se *StatusError
		if !errors.As(err, &se) || se.Where != "SONRS" || se.Status.Code != StatusInvalidSignOn {
			t.Errorf("version %d: got %v, want SONRS status 15500", v, err)
		}
	}
}

func TestWriteResponseStatementError(t *testing.T) {
	t.Parallel()
	resp := sampleResponse(102)
	resp.Statements = resp.Statements[2:3]
	resp.Statements[0].Status = Status{Code: StatusAccountNotFound}
	var buf bytes.Buffer
	if err := WriteResponse(&buf, resp); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<CCSTMTRS>") || !strings.Contains(buf.String(), "<SEVERITY>ERROR") {
		t.Errorf("want only the status, got\n%s", buf.String())
	}
	_, err := Parse(&buf)
	var se *StatusError
	if !errors.As(err, &se) || se.Where != "CCSTMTTRNRS" || se.Status.Code != StatusAccountNotFound {
		t.Errorf("got %v, want CCSTMTTRNRS status 2003", err)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	if err := WriteResponse(&failWriter{}, sampleResponse(102)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteResponse: got %v, want disk full", err)
	}
	if err := WriteRequest(&failWriter{}, sampleRequest(102)); err == nil {
		t.Errorf("WriteRequest: got nil, want disk full")
	}
	big := benchResponse(20000)
	w := &failWriter{}
	if err := WriteResponse(w, big); err == nil || w.n != 1 {
		t.Errorf("big WriteResponse: got %v after %d writes, want one failed write", err, w.n)
	}
	if WriteResponse(io.Discard, nil) == nil || WriteRequest(io.Discard, nil) == nil {
		t.Error("nil documents: want errors")
	}
	resp := sampleResponse(102)
	resp.Statements[1].Account.Kind = "loan"
	if err := WriteResponse(io.Discard, resp); err == nil || err.Error() != `ofx: write response: statement 2: unknown account kind "loan"` {
		t.Errorf("unknown kind: got %v", err)
	}
	req := sampleRequest(102)
	req.Statements[0].Account.Kind = "Bank"
	if err := WriteRequest(io.Discard, req); err == nil || err.Error() != `ofx: write request: statement 1: unknown account kind "Bank"` {
		t.Errorf("unknown kind: got %v", err)
	}
}
