package ofx

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

// doc wraps a bank statement body (the STMTTRNs) in a complete SGML
// response.
func doc(trans string) string {
	return "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>" +
		"<DTSERVER>20240301<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1><BANKMSGSRSV1><STMTTRNRS><TRNUID>1" +
		"<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>2" +
		"<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20240201<DTEND>20240229\n" + trans +
		"</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
}

func stmttrn(fields string) string {
	return "<STMTTRN>" + fields + "</STMTTRN>\n"
}

const okTrn = "<TRNTYPE>DEBIT<DTPOSTED>20240201<TRNAMT>-1.00<FITID>1"

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // a substring of the error
	}{
		{"bad amount", doc(stmttrn(okTrn) + stmttrn("<TRNTYPE>DEBIT<DTPOSTED>20240201<TRNAMT>abc<FITID>2")),
			`line 7: STMTTRN 2: TRNAMT "abc" is not a number`},
		{"too large", doc(stmttrn("<DTPOSTED>20240201<TRNAMT>123456789012345678901")),
			`STMTTRN 1: TRNAMT "123456789012345678901" is too large`},
		{"missing amount", doc(stmttrn("<DTPOSTED>20240201<FITID>1")), `STMTTRN 1: TRNAMT missing`},
		{"empty amount", doc(stmttrn("<DTPOSTED>20240201<TRNAMT><FITID>1")), `STMTTRN 1: TRNAMT missing`},
		{"missing date", doc(stmttrn("<TRNAMT>1.00")), `STMTTRN 1: DTPOSTED missing`},
		{"bad date", doc(stmttrn("<DTPOSTED>2024-02-01<TRNAMT>1.00")), `STMTTRN 1: DTPOSTED "2024-02-01" is not a date`},
		{"bad balance", strings.Replace(doc(""), "</BANKTRANLIST>", "</BANKTRANLIST><LEDGERBAL><BALAMT>x<DTASOF>20240229</LEDGERBAL>", 1),
			`LEDGERBAL: BALAMT "x" is not a number`},
		{"missing balance", strings.Replace(doc(""), "</BANKTRANLIST>", "</BANKTRANLIST><AVAILBAL><DTASOF>20240229</AVAILBAL>", 1),
			`AVAILBAL: BALAMT missing`},
		{"bad status code", strings.Replace(doc(""), "<CODE>0<SEVERITY>INFO</STATUS><DTSERVER>", "<CODE>zero<SEVERITY>ERROR</STATUS><DTSERVER>", 1),
			`STATUS: CODE "zero" is not a number`},
		{"truncated", doc(stmttrn(okTrn))[:strings.Index(doc(stmttrn(okTrn)), "<TRNAMT>")+10],
			`document ends inside OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN (truncated?)`},
		{"not ofx", "<html><body>Service unavailable</body></html>", `no <OFX> element`},
		{"empty", "", `no <OFX> element`},
		{"header only", "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n", `no <OFX> element`},
		{"empty ofx", "<OFX></OFX>", `no sign-on response (SONRS) or statement`},
		{"too deep", "<OFX>" + strings.Repeat("<A>\n", 300), `nested more than 200 elements deep`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := Parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("got %+v, want error containing %q", resp, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %q, want one containing %q", err, tt.want)
			}
			if resp != nil {
				t.Errorf("got a response with the error %v", err)
			}
		})
	}
}

// TestParseLenient: values the reading does not depend on, in shapes the
// specification does not allow, never fail a document.
func TestParseLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		check    func(*Response) string
	}{
		{"bad server time", strings.Replace(doc(""), "<DTSERVER>20240301", "<DTSERVER>now", 1), func(r *Response) string {
			if !r.SignOn.ServerTime.IsZero() {
				return "ServerTime set"
			}
			return ""
		}},
		{"status code not a number, severity INFO", strings.Replace(doc(""), "<CODE>0<SEVERITY>INFO</STATUS><DTSERVER>", "<CODE>zero<SEVERITY>INFO</STATUS><DTSERVER>", 1), nil},
		{"informational sign-on code", strings.Replace(doc(""), "<CODE>0<SEVERITY>INFO</STATUS><DTSERVER>", "<CODE>15000<SEVERITY>INFO<MESSAGE>Change your password</STATUS><DTSERVER>", 1), func(r *Response) string {
			if r.SignOn.Status.Code != 15000 {
				return "code not kept"
			}
			return ""
		}},
		{"warning statement code", strings.Replace(doc(stmttrn(okTrn)), "<TRNUID>1<STATUS><CODE>0<SEVERITY>INFO", "<TRNUID>1<STATUS><CODE>2000<SEVERITY>warn", 1), func(r *Response) string {
			if len(r.Statements[0].Transactions) != 1 {
				return "transaction lost"
			}
			return ""
		}},
		{"bad user date", doc(stmttrn("<DTPOSTED>20240201<DTUSER>20241301<TRNAMT>1.00")), func(r *Response) string {
			if tx := r.Statements[0].Transactions[0]; !tx.User.IsZero() || tx.Amount != 100 {
				return "DTUSER set or amount wrong"
			}
			return ""
		}},
		{"bad start", strings.Replace(doc(""), "<DTSTART>20240201", "<DTSTART>yesterday", 1), nil},
		{"odd language and FI", strings.Replace(doc(""), "<LANGUAGE>ENG", "<LANGUAGE>en_US.UTF-8<FI><ORG><FID>???</FI>", 1), nil},
		{"more decimals than the currency", doc(stmttrn("<DTPOSTED>20240201<TRNAMT>-12.345") + stmttrn("<DTPOSTED>20240201<TRNAMT>1.004")), func(r *Response) string {
			txs := r.Statements[0].Transactions
			if txs[0].Amount != -1235 || txs[1].Amount != 100 {
				return fmt.Sprintf("amounts %d, %d; want -1235, 100 (half away from zero)", txs[0].Amount, txs[1].Amount)
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("got error %v, want the document read", err)
			}
			if tt.check != nil {
				if msg := tt.check(resp); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

// TestParseSkipBadTransactions: with SkipBadTransactions, a row whose date
// or amount cannot be read is reported with its line and the others are
// handed out.
func TestParseSkipBadTransactions(t *testing.T) {
	t.Parallel()
	in := doc(stmttrn(okTrn) + stmttrn("<DTPOSTED>20240201<TRNAMT>abc<FITID>2") + stmttrn("<DTPOSTED>2024-02-01<TRNAMT>1<FITID>3") +
		stmttrn("<TRNAMT>1<FITID>4") + stmttrn("<DTPOSTED>20240203<TRNAMT>2.50<FITID>5"))
	in = strings.Replace(in, "</BANKTRANLIST>", "</BANKTRANLIST><LEDGERBAL><BALAMT>n/a<DTASOF>20240229</LEDGERBAL>", 1)
	var got []string
	var fitids []string
	_, err := ParseStreamOptions(strings.NewReader(in), 2, Options{SkipBadTransactions: true}, func(st *Statement, txs []Transaction, done bool) error {
		for _, pe := range st.Rejected {
			got = append(got, pe.Error())
		}
		for _, tx := range txs {
			fitids = append(fitids, tx.FITID)
		}
		if done && st.Ledger != nil {
			t.Errorf("unreadable balance kept as %+v", st.Ledger)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`ofx: line 7: STMTTRN 2: TRNAMT "abc" is not a number`,
		`ofx: line 8: STMTTRN 3: DTPOSTED "2024-02-01" is not a date`,
		`ofx: line 9: STMTTRN 4: DTPOSTED missing`,
		`ofx: line 11: LEDGERBAL: BALAMT "n/a" is not a number`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rejected:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(fitids) != "[1 5]" {
		t.Errorf("handed out FITIDs %v, want [1 5]", fitids)
	}
}

func TestParseErrorIsInvalid(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader(doc(stmttrn("<DTPOSTED>20240201<TRNAMT>abc"))))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %T %v, want *ParseError", err, err)
	}
	if pe.Element != "STMTTRN 1: TRNAMT" || pe.Line != 6 {
		t.Errorf("got Element %q Line %d, want STMTTRN 1: TRNAMT, 6", pe.Element, pe.Line)
	}
	if got := tally.ErrorCode(err); got != tally.EINVALID {
		t.Errorf("got code %q, want %q", got, tally.EINVALID)
	}
}

func TestParseStatusErrors(t *testing.T) {
	t.Parallel()
	signon := strings.Replace(doc(stmttrn(okTrn)), "<CODE>0<SEVERITY>INFO</STATUS><DTSERVER>", "<CODE>15501<SEVERITY>ERROR</STATUS><DTSERVER>", 1)
	stmt := strings.Replace(doc(stmttrn(okTrn)), "<TRNUID>1<STATUS><CODE>0<SEVERITY>INFO", "<TRNUID>1<STATUS><CODE>2000<SEVERITY>ERROR", 1)
	cc := strings.NewReplacer("STMTTRNRS>", "CCSTMTTRNRS>", "STMTRS>", "CCSTMTRS>", "<CODE>0<SEVERITY>INFO</STATUS><STMTRS>", "<CODE>2003<SEVERITY>ERROR<MESSAGE>No such card</STATUS><STMTRS>").Replace(doc(""))
	acct := "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</STATUS></SONRS></SIGNONMSGSRSV1><SIGNUPMSGSRSV1><ACCTINFOTRNRS><TRNUID>1<STATUS><CODE>2000<SEVERITY>ERROR</STATUS></ACCTINFOTRNRS></SIGNUPMSGSRSV1></OFX>"
	tests := []struct {
		name, in, where string
		code            int
		msg             string
	}{
		{"signon", signon, "SONRS", StatusAccountLocked, "ofx: SONRS status 15501: customer account already in use or locked"},
		{"statement", stmt, "STMTTRNRS", StatusGeneralError, "ofx: STMTTRNRS status 2000: general error"},
		{"card", cc, "CCSTMTTRNRS", StatusAccountNotFound, "ofx: CCSTMTTRNRS status 2003: No such card"},
		{"accounts", acct, "ACCTINFOTRNRS", StatusGeneralError, "ofx: ACCTINFOTRNRS status 2000: general error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := Parse(strings.NewReader(tt.in))
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("got %+v, %v; want a *StatusError", resp, err)
			}
			if se.Where != tt.where || se.Status.Code != tt.code {
				t.Errorf("got Where %q Code %d, want %q %d", se.Where, se.Status.Code, tt.where, tt.code)
			}
			if err.Error() != tt.msg {
				t.Errorf("got message %q, want %q", err, tt.msg)
			}
			if resp != nil {
				t.Errorf("got a response %+v with the status error", resp)
			}
		})
	}
}

// TestParseRecovers feeds documents that are broken in ways real files are
// and checks what Parse makes of them.
func TestParseRecovers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		in           string
		n            int // transactions
		name0, memo0 string
	}{
		{"empty leaves sgml", doc(stmttrn(okTrn + "<NAME><EXTDNAME><MEMO>m")), 1, "", "m"},
		{"unknown empty element", doc(stmttrn(okTrn + "<FOO><NAME>n<MEMO>m")), 1, "n", "m"},
		{"unknown aggregate", doc(stmttrn(okTrn + "<FOO><BAR>1</BAR></FOO><NAME>n")), 1, "n", ""},
		{"lower case tags", strings.ToLower(doc(stmttrn(okTrn + "<NAME>N"))), 1, "n", ""},
		{"stray end tags", doc("</FOO>" + stmttrn(okTrn+"<NAME>n</NAME></NAME></MEMO>") + "</STMTTRN>"), 1, "n", ""},
		{"missing gt", doc(stmttrn(okTrn + "<NAME>n<MEMO m")), 1, "n", ""},
		{"lt in text", doc(stmttrn(okTrn + "<NAME>1 < 2 <= 3<MEMO>a<>b")), 1, "1 < 2 <= 3", "a<>b"},
		{"self closing", doc(stmttrn(okTrn + "<NAME/><MEMO>m</MEMO>")), 1, "", "m"},
		{"attributes", doc(stmttrn(okTrn + `<NAME x="1">n</NAME >`)), 1, "n", ""},
		{"comment", doc(stmttrn(okTrn + "<!-- <NAME>x</NAME> -> --><NAME>n")), 1, "n", ""},
		{"doctype", "<!DOCTYPE OFX>" + doc(stmttrn(okTrn)), 1, "", ""},
		{"bom", "\xef\xbb\xbf" + doc(stmttrn(okTrn)), 1, "", ""},
		{"trailing junk", doc(stmttrn(okTrn)) + "\x00\x00garbage<", 1, "", ""},
		{"unclosed transactions", doc(strings.Repeat("<STMTTRN>"+okTrn+"<NAME>n\n", 300)), 300, "n", ""},
		{"unclosed statement parts", strings.Replace(doc(stmttrn(okTrn+"<NAME>n")), "</BANKTRANLIST>", "", 1), 1, "n", ""},
		{"self-closing aggregates", "<BALLIST/><STMTTRN/>" + doc(stmttrn(okTrn+"<BANKACCTTO/><NAME>n")), 1, "n", ""},
		{"payee name", doc(stmttrn(okTrn + "<PAYEE><NAME>p<ADDR1>a</PAYEE>")), 1, "p", ""},
		{"name wins over payee", doc(stmttrn(okTrn + "<NAME>n<PAYEE><NAME>p</PAYEE>")), 1, "n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Statements) != 1 {
				t.Fatalf("got %d statements, want 1", len(resp.Statements))
			}
			txs := resp.Statements[0].Transactions
			if len(txs) != tt.n {
				t.Fatalf("got %d transactions, want %d", len(txs), tt.n)
			}
			if tt.n > 0 && (txs[0].Name != tt.name0 || txs[0].Memo != tt.memo0) {
				t.Errorf("got Name %q Memo %q, want %q %q", txs[0].Name, txs[0].Memo, tt.name0, tt.memo0)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	body := strings.TrimPrefix(doc(""), "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n")
	tests := []struct {
		in   string
		want Version
	}{
		{body, 102},
		{"VERSION:151\n" + body, 151},
		{"version : 1.60\r\n\r\n" + body, 160},
		{"<?xml version=\"1.0\"?>\n" + body, 200},
		{"<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\" VERSION=\"211\"?>" + body, 211},
		{"<?OFX OFXHEADER='200' VERSION='203' SECURITY='NONE'?>" + body, 203},
		{"<?OFX OFXHEADER=200 VERSION=220 SECURITY=NONE?>" + body, 220},
	}
	for _, tt := range tests {
		resp, err := Parse(strings.NewReader(tt.in))
		if err != nil {
			t.Fatalf("%q: %v", tt.in[:20], err)
		}
		if resp.Version != tt.want {
			t.Errorf("%q: got version %d, want %d", tt.in[:30], resp.Version, tt.want)
		}
	}
}

func TestParseRequestErrors(t *testing.T) {
	t.Parallel()
	if _, err := ParseRequest(strings.NewReader(doc(""))); err == nil || !strings.Contains(err.Error(), "no sign-on request") {
		t.Errorf("a response: got %v, want no sign-on request", err)
	}
	in := "<OFX><SIGNONMSGSRQV1><SONRQ><DTCLIENT>soon<USERID>u</SONRQ></SIGNONMSGSRQV1></OFX>"
	if _, err := ParseRequest(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), `SONRQ: DTCLIENT "soon" is not a date`) {
		t.Errorf("bad DTCLIENT: got %v", err)
	}
}

// errReader fails after its data.
type errReader struct {
	data string
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestParseReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	_, err := Parse(&errReader{data: doc(stmttrn(okTrn))[:200], err: boom})
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want it to wrap %v", err, boom)
	}
}
