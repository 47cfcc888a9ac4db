package file

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// ISO 20022 camt.053, the bank-to-customer statement:
//
//	Document/BkToCstmrStmt/Stmt        one per account and period
//	  Acct/Id/IBAN (or Othr/Id), Acct/Ccy, Acct/Svcr/FinInstnId/BIC
//	  Bal     Tp/CdOrPrtry/Cd (OPBD, PRCD, CLBD, ...), Amt Ccy=, CdtDbtInd
//	  Ntry    one booking: Amt Ccy=, CdtDbtInd (CRDT, DBIT), Sts (BOOK,
//	          PDNG, INFO; Sts/Cd from .001.08), BookgDt and ValDt (Dt or
//	          DtTm), AcctSvcrRef, NtryRef, AddtlNtryInf
//	    NtryDtls/TxDtls   the payments behind it: Refs/AcctSvcrRef, their
//	          own amount (AmtDtls/TxAmt/Amt, or Amt from .001.04),
//	          RltdPties/Dbtr|Cdtr (/Pty from .001.08)/Nm,
//	          RmtInf/Ustrd, RmtInf/Strd/CdtrRefInf/Ref, AddtlTxInf
//
// An entry is one transaction dated by its booking date (its value date
// when it has none), signed by CdtDbtInd (a reversal is reported in the
// direction of the reversing booking, so the sign needs nothing else). A
// batch entry whose TxDtls each carry an amount, adding up to the entry's,
// is one transaction per TxDtls; otherwise the entry stays whole, as the
// balance shows it. The description is the counterparty (the creditor of
// money out, the debtor of money in), else the remittance text, else the
// additional information; the memo the remittance text. The external id is
// the bank's AcctSvcrRef, else the NtryRef unless it is a short number (a
// position in the statement, not an id). Only booked entries are the
// account's transactions, as the statement's balances count them: INFO
// entries (information only) and PDNG entries (pending, listed again under
// another reference once booked) are skipped.

// camtAmount is an Amt element.
type camtAmount struct {
	value, ccy string
	set        bool
}

type camtTx struct {
	amt                          camtAmount
	cdi, ref                     string
	dbtr, cdtr, ultDbtr, ultCdtr string
	ustrd                        []string
	strdRef, addtlRmt, addtlTx   string
}

type camtEntry struct {
	line                        int
	amt                         camtAmount
	cdi, status, reversal       string
	booked, valued              string
	acctSvcrRef, ntryRef, addtl string
	txs                         []camtTx
	tooMany                     bool // more TxDtls than maxTxDtls: the entry stays whole
}

// maxTxDtls bounds the payments kept for one entry: a batch of more stays
// one transaction, as its booking is.
const maxTxDtls = 10_000

type camtBalance struct {
	typ string
	amt camtAmount
	cdi string
	day string // Dt/Dt or Dt/DtTm
}

type camtStatement struct {
	line                   int
	iban, other, bic       string
	currency               string
	opening, closing       *int64
	openingIsOPBD, started bool
	// closingOn is the day of the closing balance: its own Dt, else the
	// statement's FrToDt/ToDtTm; zero when the file gives neither.
	closingOn, to time.Time
}

func (st *camtStatement) account() *ofx.Account {
	switch {
	case st.iban != "":
		return &ofx.Account{Kind: ofx.KindBank, AccountID: st.iban}
	case st.other != "":
		return &ofx.Account{Kind: ofx.KindBank, BankID: st.bic, AccountID: st.other}
	}
	return nil
}

// camtReader is one pass over a camt.053 document.
type camtReader struct {
	d      *xml.Decoder
	opt    ReadOptions
	stack  []string
	text   strings.Builder
	amtCcy string

	stmtAt, ntryAt, txAt, balAt int // stack index of the open Stmt, Ntry, TxDtls, Bal; -1 when none
	st                          camtStatement
	ntry                        camtEntry
	bal                         camtBalance

	onStatement func(st *camtStatement) error
	onEntry     func(st *camtStatement, txs []Transaction, e *camtEntry, reason string) error
	onEnd       func(st *camtStatement) error
	statements  int
}

func newCAMTReader(r io.Reader, opt ReadOptions) *camtReader {
	// Lines that are not UTF-8 are read as Windows-1252 before the decoder
	// sees them, so a declared ISO-8859-1 or windows-1252 needs no further
	// conversion.
	d := xml.NewDecoder(&cp1252Reader{br: bufio.NewReaderSize(r, 64<<10), first: true})
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "iso-8859-1", "iso-8859-15", "latin1", "latin-1", "windows-1252", "cp1252", "us-ascii", "ascii":
			return input, nil
		}
		return nil, fmt.Errorf("encoding %q is not one Tally reads (UTF-8, ISO-8859-1 or Windows-1252)", label)
	}
	return &camtReader{d: d, opt: opt, stmtAt: -1, ntryAt: -1, txAt: -1, balAt: -1}
}

func (c *camtReader) line() int {
	l, _ := c.d.InputPos()
	return l
}

// run reads the document. Errors of the document's structure are
// EUNPROCESSABLE; errors from the callbacks are returned as they are.
func (c *camtReader) run() error {
	for {
		tok, err := c.d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return tally.Errorf(tally.EUNPROCESSABLE, "the camt.053 file cannot be read: line %d: %s", se.Line, se.Msg)
			}
			return tally.Errorf(tally.EUNPROCESSABLE, "the camt.053 file cannot be read: line %d: %v", c.line(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := c.start(t); err != nil {
				return err
			}
		case xml.EndElement:
			if err := c.end(); err != nil {
				return err
			}
		case xml.CharData:
			if c.text.Len() < 64<<10 {
				c.text.Write(t)
			}
		}
	}
	if c.statements == 0 {
		return tally.Errorf(tally.EUNPROCESSABLE, "the camt.053 file holds no statement (BkToCstmrStmt/Stmt)")
	}
	return nil
}

func (c *camtReader) start(t xml.StartElement) error {
	name := t.Name.Local
	depth := len(c.stack)
	if depth == 0 {
		if name != "Document" {
			return tally.Errorf(tally.EUNPROCESSABLE, "the camt.053 file's root element is %s, not Document", name)
		}
		if ns := t.Name.Space; ns != "" {
			msg := strings.TrimPrefix(ns, "urn:iso:std:iso:20022:tech:xsd:")
			if v, ok := camtVersion(msg); !strings.HasPrefix(msg, "camt.053.") || !ok || v < 2 || v > 8 {
				return tally.Errorf(tally.EUNPROCESSABLE, "the XML file is %s, not a camt.053.001.02 to camt.053.001.08 statement", ns)
			}
		}
	}
	if depth >= 64 {
		return tally.Errorf(tally.EUNPROCESSABLE, "the camt.053 file nests elements more than 64 deep (line %d)", c.line())
	}
	c.stack = append(c.stack, name)
	c.text.Reset()
	switch {
	case depth == 1 && name != "BkToCstmrStmt":
		return tally.Errorf(tally.EUNPROCESSABLE, "the ISO 20022 document holds %s, not a bank-to-customer statement (BkToCstmrStmt)", name)
	case depth == 2 && name == "Stmt":
		c.stmtAt = depth
		c.st = camtStatement{line: c.line(), currency: ""}
		c.statements++
	case c.stmtAt >= 0 && depth == c.stmtAt+1 && name == "Ntry":
		c.ntryAt = depth
		c.ntry = camtEntry{line: c.line()}
	case c.stmtAt >= 0 && depth == c.stmtAt+1 && name == "Bal":
		c.balAt = depth
		c.bal = camtBalance{}
	case c.ntryAt >= 0 && depth == c.ntryAt+2 && name == "TxDtls" && c.stack[depth-1] == "NtryDtls":
		if len(c.ntry.txs) >= maxTxDtls {
			c.ntry.tooMany = true
			break
		}
		c.txAt = depth
		c.ntry.txs = append(c.ntry.txs, camtTx{})
	case name == "Amt":
		c.amtCcy = ""
		for _, a := range t.Attr {
			if a.Name.Local == "Ccy" {
				c.amtCcy = strings.ToUpper(strings.TrimSpace(a.Value))
			}
		}
	}
	return nil
}

// rel is the path of the element that just ended below the element at
// index at: "RltdPties/Cdtr/Nm".
func (c *camtReader) rel(at int) string {
	return strings.Join(c.stack[at+1:], "/")
}

func (c *camtReader) end() error {
	depth := len(c.stack) - 1
	v := strings.TrimSpace(c.text.String())
	c.text.Reset()
	defer func() { c.stack = c.stack[:depth] }()
	amt := func() camtAmount { return camtAmount{value: v, ccy: c.amtCcy, set: true} }
	switch {
	case depth == c.txAt:
		c.txAt = -1
	case c.txAt >= 0:
		tx := &c.ntry.txs[len(c.ntry.txs)-1]
		switch p := c.rel(c.txAt); p {
		case "Refs/AcctSvcrRef":
			tx.ref = v
		case "Amt", "AmtDtls/TxAmt/Amt":
			if !tx.amt.set {
				tx.amt = amt()
			}
		case "CdtDbtInd":
			tx.cdi = v
		case "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm":
			tx.dbtr = v
		case "RltdPties/Cdtr/Nm", "RltdPties/Cdtr/Pty/Nm":
			tx.cdtr = v
		case "RltdPties/UltmtDbtr/Nm", "RltdPties/UltmtDbtr/Pty/Nm":
			tx.ultDbtr = v
		case "RltdPties/UltmtCdtr/Nm", "RltdPties/UltmtCdtr/Pty/Nm":
			tx.ultCdtr = v
		case "RmtInf/Ustrd":
			if v != "" && len(tx.ustrd) < 100 {
				tx.ustrd = append(tx.ustrd, v)
			}
		case "RmtInf/Strd/CdtrRefInf/Ref":
			tx.strdRef = v
		case "RmtInf/Strd/AddtlRmtInf":
			tx.addtlRmt = v
		case "AddtlTxInf":
			tx.addtlTx = v
		}
	case depth == c.ntryAt:
		c.ntryAt = -1
		return c.entry()
	case c.ntryAt >= 0:
		e := &c.ntry
		switch c.rel(c.ntryAt) {
		case "Amt":
			e.amt = amt()
		case "CdtDbtInd":
			e.cdi = v
		case "RvslInd":
			e.reversal = v
		case "Sts", "Sts/Cd", "Sts/Prtry":
			if v != "" {
				e.status = v
			}
		case "BookgDt/Dt", "BookgDt/DtTm":
			e.booked = v
		case "ValDt/Dt", "ValDt/DtTm":
			e.valued = v
		case "AcctSvcrRef":
			e.acctSvcrRef = v
		case "NtryRef":
			e.ntryRef = v
		case "AddtlNtryInf":
			e.addtl = v
		}
	case depth == c.balAt:
		c.balAt = -1
		c.balance()
	case c.balAt >= 0:
		switch c.rel(c.balAt) {
		case "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry":
			c.bal.typ = strings.ToUpper(v)
		case "Amt":
			c.bal.amt = amt()
		case "CdtDbtInd":
			c.bal.cdi = v
		case "Dt/Dt", "Dt/DtTm":
			c.bal.day = v
		}
	case depth == c.stmtAt:
		c.stmtAt = -1
		if err := c.begin(); err != nil {
			return err
		}
		return c.onEnd(&c.st)
	case c.stmtAt >= 0:
		switch c.rel(c.stmtAt) {
		case "Acct/Id/IBAN":
			c.st.iban = strings.ReplaceAll(v, " ", "")
		case "Acct/Id/Othr/Id":
			c.st.other = v
		case "Acct/Ccy":
			c.st.currency = strings.ToUpper(v)
		case "Acct/Svcr/FinInstnId/BIC", "Acct/Svcr/FinInstnId/BICFI":
			c.st.bic = v
		case "FrToDt/ToDtTm":
			c.st.to, _ = camtDate(v)
		}
	}
	return nil
}

// begin announces the statement once its account, currency and opening
// balance are known: at its first entry, or at its end.
func (c *camtReader) begin() error {
	if c.st.started {
		return nil
	}
	c.st.started = true
	if c.st.currency == "" {
		c.st.currency = c.opt.Currency
	}
	return c.onStatement(&c.st)
}

func (c *camtReader) balance() {
	b := &c.bal
	if !b.amt.set {
		return
	}
	cur := b.amt.ccy
	if cur == "" {
		cur = c.st.currency
	}
	v, err := camtValue(b.amt.value, cur)
	if err != nil {
		return // a balance is not needed to import; one that cannot be read is left out
	}
	switch b.cdi {
	case "DBIT":
		v = -v
	case "CRDT":
	default:
		return
	}
	if c.st.currency == "" && b.amt.ccy != "" && !c.st.started {
		c.st.currency = b.amt.ccy
	}
	if b.amt.ccy != "" && b.amt.ccy != c.st.currency {
		return // a balance in another currency is not the account's
	}
	switch b.typ {
	case "OPBD":
		c.st.opening, c.st.openingIsOPBD = &v, true
	case "PRCD":
		if !c.st.openingIsOPBD {
			c.st.opening = &v
		}
	case "CLBD":
		c.st.closing = &v
		c.st.closingOn, _ = camtDate(b.day)
	}
}

// camtValue reads an ISO 20022 amount ("8.85", "1000") in minor units of
// currency.
func camtValue(s, currency string) (int64, error) {
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || !isDigits(intPart) || !allDigits(frac) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	v, ok := minorUnits(intPart, frac, tally.CurrencyExponent(currency))
	if !ok {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return v, nil
}

// camtDate reads a Dt ("2024-01-31") or DtTm ("2024-01-31T10:00:00+01:00",
// whose calendar date is the one the bank wrote).
func camtDate(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || !isDigits(s[:4]) || !isDigits(s[5:7]) || !isDigits(s[8:10]) {
		return time.Time{}, false
	}
	if len(s) > 10 && s[10] != 'T' && s[10] != '+' && s[10] != '-' && s[10] != 'Z' {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:10])
	return calendarDate(y, m, d)
}

// usableRef is a reference fit to be an external id: not empty, not
// "NOTPROVIDED", and not a short number (a position in the statement,
// which the next statement uses again).
func usableRef(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "", strings.EqualFold(s, "NOTPROVIDED"), strings.EqualFold(s, "NONREF"):
		return ""
	case isDigits(s) && len(s) <= 6:
		return ""
	}
	return s
}

func (c *camtReader) entry() error {
	e := &c.ntry
	if strings.EqualFold(e.status, "INFO") || strings.EqualFold(e.status, "PDNG") {
		return nil
	}
	if c.st.currency == "" && !c.st.started {
		c.st.currency = e.amt.ccy
	}
	if err := c.begin(); err != nil {
		return err
	}
	txs, reason := camtTransactions(e, c.st.currency)
	return c.onEntry(&c.st, txs, e, reason)
}

func signOf(cdi string) int64 {
	switch strings.ToUpper(strings.TrimSpace(cdi)) {
	case "CRDT":
		return 1
	case "DBIT":
		return -1
	}
	return 0
}

// camtTransactions turns an entry into its transactions, or a reason it
// cannot be read.
func camtTransactions(e *camtEntry, currency string) ([]Transaction, string) {
	if !e.amt.set {
		return nil, "Ntry has no amount (Amt)"
	}
	if e.amt.ccy != "" && currency != "" && e.amt.ccy != currency {
		return nil, fmt.Sprintf("Ntry: Amt is in %s, the account's currency is %s", e.amt.ccy, currency)
	}
	amt, err := camtValue(e.amt.value, currency)
	if err != nil {
		return nil, "Ntry: Amt " + err.Error()
	}
	sign := signOf(e.cdi)
	if sign == 0 {
		return nil, fmt.Sprintf("Ntry: CdtDbtInd %q is not CRDT or DBIT", e.cdi)
	}
	var date time.Time
	switch {
	case e.booked != "":
		d, ok := camtDate(e.booked)
		if !ok {
			return nil, fmt.Sprintf("Ntry: BookgDt %q is not a date", e.booked)
		}
		date = d
	case e.valued != "":
		d, ok := camtDate(e.valued)
		if !ok {
			return nil, fmt.Sprintf("Ntry: ValDt %q is not a date", e.valued)
		}
		date = d
	default:
		return nil, "Ntry has no booking date (BookgDt) or value date (ValDt)"
	}
	reversal := strings.EqualFold(e.reversal, "true") || e.reversal == "1"
	entryRef := e.acctSvcrRef
	if entryRef == "" && len(e.txs) == 1 {
		entryRef = e.txs[0].ref
	}
	entryRef = usableRef(entryRef)
	if entryRef == "" {
		entryRef = usableRef(e.ntryRef)
	}
	base := Transaction{Line: e.line, Date: date}

	// A batch whose payments carry their own amounts, adding up to the
	// entry's: one transaction each.
	if parts, ok := camtSplit(e, currency, sign*amt); ok {
		txs := make([]Transaction, len(parts))
		for i, p := range parts {
			t := base
			t.Amount = p
			t.Description, t.Memo = camtText(&e.txs[i], e.addtl, p > 0, reversal)
			switch {
			case usableRef(e.txs[i].ref) != "" && e.txs[i].ref != e.acctSvcrRef:
				t.FITID = usableRef(e.txs[i].ref)
			case entryRef != "":
				t.FITID = entryRef + "/" + strconv.Itoa(i+1)
			}
			t.Type = txType(t.Amount)
			txs[i] = t
		}
		return txs, ""
	}
	t := base
	t.Amount = sign * amt
	t.FITID = entryRef
	t.Type = txType(t.Amount)
	if len(e.txs) > 0 {
		t.Description, t.Memo = camtText(&e.txs[0], e.addtl, t.Amount > 0, reversal)
		if len(e.txs) > 1 && e.addtl != "" {
			t.Description, t.Memo = e.addtl, ""
		}
	} else {
		t.Description = e.addtl
	}
	return []Transaction{t}, ""
}

func txType(amount int64) string {
	if amount < 0 {
		return "DEBIT"
	}
	return "CREDIT"
}

// camtSplit returns the signed amounts of a batch entry's payments when
// each has one and they add up to the entry's amount.
func camtSplit(e *camtEntry, currency string, total int64) ([]int64, bool) {
	if len(e.txs) < 2 || e.tooMany {
		return nil, false
	}
	parts := make([]int64, len(e.txs))
	var sum int64
	for i := range e.txs {
		tx := &e.txs[i]
		if !tx.amt.set || (tx.amt.ccy != "" && tx.amt.ccy != currency) {
			return nil, false
		}
		v, err := camtValue(tx.amt.value, currency)
		if err != nil {
			return nil, false
		}
		sign := signOf(tx.cdi)
		if tx.cdi == "" {
			sign = signOf(e.cdi)
		}
		if sign == 0 {
			return nil, false
		}
		parts[i] = sign * v
		sum += parts[i]
	}
	return parts, sum == total
}

// camtText is a payment's description and memo: the counterparty (the
// debtor of money in, the creditor of money out; the other way round for
// a reversal), else the remittance text, else the additional information.
func camtText(tx *camtTx, entryInfo string, in, reversal bool) (desc, memo string) {
	if reversal {
		in = !in
	}
	party := tx.cdtr
	if party == "" {
		party = tx.ultCdtr
	}
	if in {
		party = tx.dbtr
		if party == "" {
			party = tx.ultDbtr
		}
	}
	remittance := strings.Join(tx.ustrd, " ")
	if remittance == "" {
		remittance = strings.TrimSpace(tx.strdRef + " " + tx.addtlRmt)
	}
	if remittance == "" {
		remittance = tx.addtlTx
	}
	switch {
	case party != "":
		if remittance == "" {
			remittance = entryInfo
		}
		return party, remittance
	case remittance != "":
		if entryInfo == remittance {
			entryInfo = ""
		}
		return remittance, entryInfo
	}
	return entryInfo, ""
}

// readCAMT reads a camt.053 file in two passes: the first checks the whole
// document and notes repeated references, the second hands out each
// statement's transactions in chunks that carry its account, currency and
// balances.
func readCAMT(r io.ReadSeeker, opt ReadOptions, fn func(*Chunk) error) (Summary, error) {
	ids := newIDCheck()
	var first Summary
	p1 := newCAMTReader(r, opt)
	p1.onStatement = func(*camtStatement) error { return nil }
	p1.onEntry = func(st *camtStatement, txs []Transaction, _ *camtEntry, reason string) error {
		if reason != "" {
			first.Rejected++
			return nil
		}
		key := accountKey(st.account())
		for i := range txs {
			ids.seeTxn(key, &txs[i])
		}
		first.Parsed += len(txs)
		return nil
	}
	p1.onEnd = func(*camtStatement) error { return nil }
	if err := p1.run(); err != nil {
		return Summary{}, err
	}
	if first.Parsed == 0 {
		return Summary{Rejected: first.Rejected}, noTransactions(Summary{Rejected: first.Rejected}, "camt.053")
	}
	ids.firstPassDone()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{}, fmt.Errorf("file: rewind: %w", err)
	}
	e := &emitter{size: opt.ChunkSize, fn: fn, ids: ids}
	p2 := newCAMTReader(r, opt)
	p2.onStatement = func(st *camtStatement) error {
		if err := e.account(st.account(), st.currency); err != nil {
			return err
		}
		e.chunk.Opening = st.opening
		return nil
	}
	p2.onEntry = func(_ *camtStatement, txs []Transaction, en *camtEntry, reason string) error {
		if reason != "" {
			e.reject(en.line, "%s", reason)
			return nil
		}
		for _, t := range txs {
			if err := e.add(t); err != nil {
				return err
			}
		}
		return nil
	}
	p2.onEnd = func(st *camtStatement) error {
		e.chunk.Ledger = st.closing
		if st.closing != nil {
			e.chunk.LedgerAsOf = st.closingOn
			if e.chunk.LedgerAsOf.IsZero() {
				e.chunk.LedgerAsOf = st.to
			}
		}
		return e.flush()
	}
	if err := p2.run(); err != nil {
		return e.sum, err
	}
	return e.sum, e.flush()
}
