package ofx

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tallyhq/tally"
)

// encoder writes OFX elements into a buffer it flushes to w in large
// chunks. SGML leaves have no end tag; XML ones do.
type encoder struct {
	w     io.Writer
	buf   []byte
	xml   bool
	cp    bool // encode text as Windows-1252 (SGML requests)
	err   error
	nl    string
	zname string // last zone formatted
	zoff  int
	zstr  []byte // its bracketed suffix
}

const flushAt = 32 << 10

func newEncoder(w io.Writer, xml bool) *encoder {
	e := &encoder{w: w, buf: make([]byte, 0, flushAt+4096), xml: xml, nl: "\r\n"}
	if xml {
		e.nl = "\n"
	}
	return e
}

func (e *encoder) flush() error {
	if e.err == nil && len(e.buf) > 0 {
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
	return e.err
}

func (e *encoder) maybeFlush() {
	if len(e.buf) >= flushAt {
		e.flush()
	}
}

func (e *encoder) open(tag string) {
	e.buf = append(e.buf, '<')
	e.buf = append(e.buf, tag...)
	e.buf = append(e.buf, '>')
	e.buf = append(e.buf, e.nl...)
}

func (e *encoder) close(tag string) {
	e.buf = append(e.buf, "</"...)
	e.buf = append(e.buf, tag...)
	e.buf = append(e.buf, '>')
	e.buf = append(e.buf, e.nl...)
}

func (e *encoder) startLeaf(tag string) {
	e.buf = append(e.buf, '<')
	e.buf = append(e.buf, tag...)
	e.buf = append(e.buf, '>')
}

func (e *encoder) endLeaf(tag string) {
	if e.xml {
		e.buf = append(e.buf, "</"...)
		e.buf = append(e.buf, tag...)
		e.buf = append(e.buf, '>')
	}
	e.buf = append(e.buf, e.nl...)
}

// leaf writes a text element; an empty value is not written.
func (e *encoder) leaf(tag, v string) {
	if v == "" {
		return
	}
	e.startLeaf(tag)
	e.escape(v)
	e.endLeaf(tag)
}

func (e *encoder) escape(v string) {
	plain := true
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '&' || c == '<' || c == '>' || c >= utf8.RuneSelf && e.cp {
			plain = false
			break
		}
	}
	if plain {
		e.buf = append(e.buf, v...)
		return
	}
	for _, r := range v {
		switch {
		case r == '&':
			e.buf = append(e.buf, "&amp;"...)
		case r == '<':
			e.buf = append(e.buf, "&lt;"...)
		case r == '>':
			e.buf = append(e.buf, "&gt;"...)
		case r < utf8.RuneSelf || !e.cp:
			e.buf = utf8.AppendRune(e.buf, r)
		case r >= 0xA0 && r <= 0xFF:
			e.buf = append(e.buf, byte(r))
		default:
			if b, ok := toCP1252(r); ok {
				e.buf = append(e.buf, b)
				continue
			}
			e.buf = append(e.buf, "&#"...)
			e.buf = strconv.AppendInt(e.buf, int64(r), 10)
			e.buf = append(e.buf, ';')
		}
	}
}

func toCP1252(r rune) (byte, bool) {
	for i, c := range cp1252 {
		if c == r && c >= 0xA0 {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}

func (e *encoder) leafInt(tag string, v int) {
	e.startLeaf(tag)
	e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	e.endLeaf(tag)
}

func (e *encoder) leafAmount(tag string, minor int64, currency string) {
	e.startLeaf(tag)
	e.buf = appendAmount(e.buf, minor, tally.CurrencyExponent(currency))
	e.endLeaf(tag)
}

// leafDate writes a date; the zero time is not written.
func (e *encoder) leafDate(tag string, t time.Time) {
	if t.IsZero() {
		return
	}
	e.startLeaf(tag)
	e.buf = e.appendDate(e.buf, t)
	e.endLeaf(tag)
}

// appendAmount formats minor units with exp decimal places.
func appendAmount(b []byte, minor int64, exp int) []byte {
	u := uint64(minor)
	if minor < 0 {
		b = append(b, '-')
		u = -u
	}
	var d [24]byte
	i := len(d)
	for n := 0; u > 0 || n <= exp; n++ {
		if n == exp && exp > 0 {
			i--
			d[i] = '.'
		}
		i--
		d[i] = byte('0' + u%10)
		u /= 10
	}
	return append(b, d[i:]...)
}

// appendDate formats t as YYYYMMDDHHMMSS.XXX[offset:NAME] in t's own zone.
func (e *encoder) appendDate(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = append4(b, year)
	b = append2(b, int(month))
	b = append2(b, day)
	b = append2(b, hour)
	b = append2(b, minute)
	b = append2(b, sec)
	ms := t.Nanosecond() / 1e6
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	if name, off := t.Zone(); name != e.zname || off != e.zoff || len(e.zstr) == 0 {
		e.zname, e.zoff = name, off
		e.zstr = appendZone(e.zstr[:0], t)
	}
	return append(b, e.zstr...)
}

func appendZone(b []byte, t time.Time) []byte {
	name, off := t.Zone()
	if t.Location() == time.UTC {
		name = "GMT"
	}
	b = append(b, '[')
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else if off > 0 {
		b = append(b, '+')
	}
	b = strconv.AppendInt(b, int64(off/3600), 10)
	if m := off % 3600 / 60; m != 0 {
		b = append(b, '.')
		b = append2(b, m)
	}
	if zoneName(name) {
		b = append(b, ':')
		b = append(b, name...)
	}
	return append(b, ']')
}

// zoneName reports whether name can follow the offset in brackets: a name
// like EST, not a numeric one like "-0500".
func zoneName(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == '/' || i > 0 && isDigit(c)) {
			return false
		}
	}
	return true
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

func append4(b []byte, n int) []byte {
	if n < 0 || n > 9999 {
		n = 0
	}
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

func (e *encoder) status(s Status) {
	e.open("STATUS")
	e.leafInt("CODE", s.Code)
	sev := s.Severity
	if sev == "" {
		sev = "INFO"
		if s.Code != 0 {
			sev = "ERROR"
		}
	}
	e.leaf("SEVERITY", sev)
	e.leaf("MESSAGE", s.Message)
	e.close("STATUS")
}

func (e *encoder) header(v Version, fileUID string, request bool) {
	if fileUID == "" {
		fileUID = "NONE"
	}
	if e.xml {
		e.buf = append(e.buf, `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`...)
		e.buf = append(e.buf, e.nl...)
		e.buf = append(e.buf, `<?OFX OFXHEADER="200" VERSION="`...)
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
		e.buf = append(e.buf, `" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="`...)
		e.buf = append(e.buf, attrEscaper.Replace(fileUID)...)
		e.buf = append(e.buf, `"?>`...)
		e.buf = append(e.buf, e.nl...)
		return
	}
	e.buf = append(e.buf, "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:"...)
	e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	e.buf = append(e.buf, "\r\nSECURITY:NONE\r\n"...)
	if request {
		// What 1.x servers expect; text is written in Windows-1252.
		e.buf = append(e.buf, "ENCODING:USASCII\r\nCHARSET:1252\r\n"...)
	} else {
		e.buf = append(e.buf, "ENCODING:UTF-8\r\nCHARSET:NONE\r\n"...)
	}
	e.buf = append(e.buf, "COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:"...)
	e.buf = append(e.buf, fileUID...)
	e.buf = append(e.buf, "\r\n\r\n"...)
}

var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func version(v Version, xml bool) Version {
	switch {
	case xml:
		return v
	case v < 100:
		return 102
	}
	return v
}

// WriteRequest writes req as an OFX document: 1.x SGML when req.Version is
// below 200 (1.02 when it is 0), 2.x XML otherwise. Empty LANGUAGE, APPID
// and APPVER default to ENG, QWIN and 2700; a zero ClientTime is now; empty
// transaction ids and FileUID are random.
func WriteRequest(w io.Writer, req *Request) error {
	if req == nil {
		return errors.New("ofx: write request: nil request")
	}
	for i := range req.Statements {
		if err := checkKind(req.Statements[i].Account.Kind); err != nil {
			return fmt.Errorf("ofx: write request: statement %d: %w", i+1, err)
		}
	}
	xml := req.Version.IsXML()
	e := newEncoder(w, xml)
	e.cp = !xml
	fileUID := req.FileUID
	if fileUID == "" {
		fileUID = randomUID()
	}
	e.header(version(req.Version, xml), fileUID, true)
	e.open("OFX")

	so := &req.SignOn
	e.open("SIGNONMSGSRQV1")
	e.open("SONRQ")
	ct := so.ClientTime
	if ct.IsZero() {
		ct = time.Now().UTC()
	}
	e.leafDate("DTCLIENT", ct)
	e.leaf("USERID", so.UserID)
	e.leaf("USERPASS", so.UserPass)
	e.leaf("LANGUAGE", or(so.Language, "ENG"))
	if so.Org != "" || so.FID != "" {
		e.open("FI")
		e.leaf("ORG", so.Org)
		e.leaf("FID", so.FID)
		e.close("FI")
	}
	e.leaf("APPID", or(so.AppID, "QWIN"))
	e.leaf("APPVER", or(so.AppVer, "2700"))
	e.leaf("CLIENTUID", so.ClientUID)
	e.close("SONRQ")
	e.close("SIGNONMSGSRQV1")

	if req.AccountInfo {
		e.open("SIGNUPMSGSRQV1")
		e.open("ACCTINFOTRNRQ")
		e.leaf("TRNUID", or(req.AccountInfoTrnUID, randomUID()))
		e.open("ACCTINFORQ")
		since := req.AccountsSince
		if since.IsZero() {
			since = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC) // "all accounts"
		}
		e.leafDate("DTACCTUP", since)
		e.close("ACCTINFORQ")
		e.close("ACCTINFOTRNRQ")
		e.close("SIGNUPMSGSRQV1")
	}

	for _, kind := range []string{KindBank, KindCreditCard, KindInvestment} {
		opened := false
		for i := range req.Statements {
			sr := &req.Statements[i]
			if or(sr.Account.Kind, KindBank) != kind {
				continue
			}
			names := names[kind]
			if !opened {
				e.open(names.rqMsgs)
				opened = true
			}
			e.open(names.trnrq)
			e.leaf("TRNUID", or(sr.TrnUID, randomUID()))
			e.open(names.rq)
			e.account(&sr.Account, kind)
			e.open("INCTRAN")
			e.leafDate("DTSTART", sr.Start)
			e.leafDate("DTEND", sr.End)
			e.leaf("INCLUDE", yn(sr.IncludeTransactions))
			e.close("INCTRAN")
			if kind == KindInvestment {
				e.leaf("INCOO", "N")
				e.open("INCPOS")
				e.leaf("INCLUDE", "Y")
				e.close("INCPOS")
				e.leaf("INCBAL", "Y")
			}
			e.close(names.rq)
			e.close(names.trnrq)
			e.maybeFlush()
		}
		if opened {
			e.close(names[kind].rqMsgs)
		}
	}
	e.close("OFX")
	return e.flush()
}

// names are the aggregates of each kind of account.
var names = map[string]struct {
	rqMsgs, trnrq, rq, rsMsgs, trnrs, rs, from, info string
}{
	KindBank:       {"BANKMSGSRQV1", "STMTTRNRQ", "STMTRQ", "BANKMSGSRSV1", "STMTTRNRS", "STMTRS", "BANKACCTFROM", "BANKACCTINFO"},
	KindCreditCard: {"CREDITCARDMSGSRQV1", "CCSTMTTRNRQ", "CCSTMTRQ", "CREDITCARDMSGSRSV1", "CCSTMTTRNRS", "CCSTMTRS", "CCACCTFROM", "CCACCTINFO"},
	KindInvestment: {"INVSTMTMSGSRQV1", "INVSTMTTRNRQ", "INVSTMTRQ", "INVSTMTMSGSRSV1", "INVSTMTTRNRS", "INVSTMTRS", "INVACCTFROM", "INVACCTINFO"},
}

func (e *encoder) account(a *Account, kind string) {
	from := names[kind].from
	e.open(from)
	switch kind {
	case KindBank:
		e.leaf("BANKID", a.BankID)
		e.leaf("ACCTID", a.AccountID)
		e.leaf("ACCTTYPE", or(a.AccountType, "CHECKING"))
	case KindCreditCard:
		e.leaf("ACCTID", a.AccountID)
	case KindInvestment:
		e.leaf("BROKERID", a.BrokerID)
		e.leaf("ACCTID", a.AccountID)
	}
	e.close(from)
}

// checkKind accepts the account kinds, and "" for a bank account.
func checkKind(kind string) error {
	switch kind {
	case "", KindBank, KindCreditCard, KindInvestment:
		return nil
	}
	return fmt.Errorf("unknown account kind %q", kind)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func randomUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// WriteResponse writes resp as an OFX document, 1.x SGML or 2.x XML as
// resp.Version says: the sign-on, the account list when resp.Accounts is not
// nil, and the statements grouped by kind of account. When the sign-on
// status is not 0 only the sign-on is written. A statement whose Status code
// is not 0 is written as its status alone.
func WriteResponse(w io.Writer, resp *Response) error {
	if resp == nil {
		return errors.New("ofx: write response: nil response")
	}
	for i := range resp.Accounts {
		if err := checkKind(resp.Accounts[i].Account.Kind); err != nil {
			return fmt.Errorf("ofx: write response: account %d: %w", i+1, err)
		}
	}
	for i := range resp.Statements {
		if err := checkKind(resp.Statements[i].Account.Kind); err != nil {
			return fmt.Errorf("ofx: write response: statement %d: %w", i+1, err)
		}
	}
	xml := resp.Version.IsXML()
	e := newEncoder(w, xml)
	e.header(version(resp.Version, xml), "", false)
	e.open("OFX")

	so := &resp.SignOn
	e.open("SIGNONMSGSRSV1")
	e.open("SONRS")
	e.status(so.Status)
	st := so.ServerTime
	if st.IsZero() {
		st = time.Now().UTC()
	}
	e.leafDate("DTSERVER", st)
	e.leaf("LANGUAGE", or(so.Language, "ENG"))
	if so.Org != "" || so.FID != "" {
		e.open("FI")
		e.leaf("ORG", so.Org)
		e.leaf("FID", so.FID)
		e.close("FI")
	}
	e.close("SONRS")
	e.close("SIGNONMSGSRSV1")
	if so.Status.Failed() {
		e.close("OFX")
		return e.flush()
	}

	if resp.Accounts != nil {
		e.open("SIGNUPMSGSRSV1")
		e.open("ACCTINFOTRNRS")
		e.leaf("TRNUID", or(resp.AccountsTrnUID, "0"))
		e.status(Status{Severity: "INFO"})
		e.open("ACCTINFORS")
		e.leafDate("DTACCTUP", st)
		for i := range resp.Accounts {
			e.accountInfo(&resp.Accounts[i])
		}
		e.close("ACCTINFORS")
		e.close("ACCTINFOTRNRS")
		e.close("SIGNUPMSGSRSV1")
	}

	for _, kind := range []string{KindBank, KindCreditCard, KindInvestment} {
		opened := false
		for i := range resp.Statements {
			s := &resp.Statements[i]
			if or(s.Account.Kind, KindBank) != kind {
				continue
			}
			if !opened {
				e.open(names[kind].rsMsgs)
				opened = true
			}
			e.statement(s, kind)
			if e.err != nil {
				return e.err
			}
		}
		if opened {
			e.close(names[kind].rsMsgs)
		}
	}
	e.close("OFX")
	return e.flush()
}

func (e *encoder) accountInfo(ai *AccountInfo) {
	kind := or(ai.Account.Kind, KindBank)
	e.open("ACCTINFO")
	e.leaf("DESC", ai.Account.Description)
	e.leaf("CURDEF", ai.Currency)
	info := names[kind].info
	e.open(info)
	e.account(&ai.Account, kind)
	switch kind {
	case KindInvestment:
		e.leaf("SVCSTATUS", "ACTIVE")
	default:
		e.leaf("SUPTXDL", "Y")
		e.leaf("XFERSRC", "N")
		e.leaf("XFERDEST", "N")
		e.leaf("SVCSTATUS", "ACTIVE")
	}
	e.close(info)
	e.close("ACCTINFO")
}

func (e *encoder) statement(s *Statement, kind string) {
	n := names[kind]
	e.open(n.trnrs)
	e.leaf("TRNUID", or(s.TrnUID, "0"))
	e.status(s.Status)
	if s.Status.Failed() {
		e.close(n.trnrs)
		return
	}
	e.open(n.rs)
	cur := s.Currency
	if kind == KindInvestment {
		asOf := s.End
		if s.Ledger != nil {
			asOf = s.Ledger.AsOf
		}
		e.leafDate("DTASOF", asOf)
	}
	e.leaf("CURDEF", cur)
	e.account(&s.Account, kind)
	list := "BANKTRANLIST"
	if kind == KindInvestment {
		list = "INVTRANLIST"
	}
	e.open(list)
	e.leafDate("DTSTART", s.Start)
	e.leafDate("DTEND", s.End)
	for i := range s.Transactions {
		tx := &s.Transactions[i]
		if kind == KindInvestment {
			e.open("INVBANKTRAN")
		}
		e.transaction(tx, cur)
		if kind == KindInvestment {
			e.leaf("SUBACCTFUND", or(tx.SubAcct, "CASH"))
			e.close("INVBANKTRAN")
		}
		if len(e.buf) >= flushAt {
			if e.flush() != nil {
				return
			}
		}
	}
	e.close(list)
	if kind == KindInvestment {
		if s.Positions != nil {
			e.open("INVPOSLIST")
			for i := range s.Positions {
				e.position(&s.Positions[i], cur)
			}
			e.close("INVPOSLIST")
		}
		if s.Ledger != nil {
			e.open("INVBAL")
			e.leafAmount("AVAILCASH", s.Ledger.Amount, cur)
			e.leafAmount("MARGINBALANCE", 0, cur)
			e.leafAmount("SHORTBALANCE", 0, cur)
			e.close("INVBAL")
		}
	} else {
		e.balance("LEDGERBAL", s.Ledger, cur)
		e.balance("AVAILBAL", s.Available, cur)
	}
	e.close(n.rs)
	e.close(n.trnrs)
}

func (e *encoder) balance(tag string, b *Balance, cur string) {
	if b == nil {
		return
	}
	e.open(tag)
	e.leafAmount("BALAMT", b.Amount, cur)
	asOf := b.AsOf
	e.leafDate("DTASOF", asOf)
	e.close(tag)
}

func (e *encoder) transaction(tx *Transaction, cur string) {
	e.open("STMTTRN")
	e.leaf("TRNTYPE", or(tx.Type, "OTHER"))
	e.leafDate("DTPOSTED", tx.Posted)
	e.leafDate("DTUSER", tx.User)
	amtCur := cur
	if tx.Currency != "" {
		amtCur = tx.Currency
	}
	e.leafAmount("TRNAMT", tx.Amount, amtCur)
	e.leaf("FITID", tx.FITID)
	e.leaf("CHECKNUM", tx.CheckNum)
	e.leaf("REFNUM", tx.RefNum)
	e.leaf("SIC", tx.SIC)
	e.leaf("NAME", tx.Name)
	e.leaf("MEMO", tx.Memo)
	switch {
	case tx.OrigCurrency != "":
		e.open("ORIGCURRENCY")
		e.leaf("CURRATE", "1")
		e.leaf("CURSYM", tx.OrigCurrency)
		e.close("ORIGCURRENCY")
	case tx.Currency != "" && tx.Currency != cur:
		e.open("CURRENCY")
		e.leaf("CURRATE", "1")
		e.leaf("CURSYM", tx.Currency)
		e.close("CURRENCY")
	}
	e.close("STMTTRN")
}

func (e *encoder) position(p *Position, cur string) {
	typ := p.Type
	switch typ {
	case "POSSTOCK", "POSMF", "POSDEBT", "POSOPT", "POSOTHER":
	default:
		typ = "POSOTHER"
	}
	e.open(typ)
	e.open("INVPOS")
	e.open("SECID")
	e.leaf("UNIQUEID", p.SecurityID)
	e.leaf("UNIQUEIDTYPE", or(p.SecurityIDType, "CUSIP"))
	e.close("SECID")
	e.leaf("HELDINACCT", "CASH")
	e.leaf("POSTYPE", "LONG")
	e.leaf("UNITS", or(p.Units, "0"))
	e.leaf("UNITPRICE", or(p.UnitPrice, "0"))
	e.leafAmount("MKTVAL", p.MarketValue, cur)
	e.leafDate("DTPRICEASOF", p.AsOf)
	e.close("INVPOS")
	e.close(typ)
}
