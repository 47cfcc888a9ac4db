package ofx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
)

// ParseError is a value or a structure Parse cannot accept. Its message
// names the line and the element: `ofx: line 57: STMTTRN 14: TRNAMT "abc" is
// not a number`.
type ParseError struct {
	Line    int    // 1-based line of the element, 0 if unknown
	Element string // e.g. "STMTTRN 14: TRNAMT", "SONRS: DTSERVER"
	Msg     string // e.g. `"abc" is not a number`
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("ofx: line %d: %s %s", e.Line, e.Element, e.Msg)
	}
	return fmt.Sprintf("ofx: %s %s", e.Element, e.Msg)
}

// Unwrap lets tally.ErrorCode classify a ParseError as invalid input.
func (e *ParseError) Unwrap() error {
	return &tally.Error{Code: tally.EINVALID, Message: e.Error()}
}

// Parse reads an OFX response: 1.x SGML or 2.x XML, with or without its
// header, with bank (STMTRS), credit-card (CCSTMTRS) and investment
// (INVSTMTRS) statements and account lists (ACCTINFORS).
//
// A sign-on status other than 0 is returned as a *StatusError whose Where
// is "SONRS"; a statement or account list whose transaction aggregate
// carries an error status is a *StatusError naming that aggregate
// ("STMTTRNRS", "CCSTMTTRNRS", "INVSTMTTRNRS", "ACCTINFOTRNRS"). A value
// that cannot be read is a *ParseError naming the element.
//
// A status whose SEVERITY is INFO or WARN is not an error, whatever its
// code: institutions send informational codes (15000, "must change
// password soon") with statements that are complete. Values the reading
// does not depend on never fail it: a DTSERVER, DTUSER, DTSTART, DTEND or
// DTASOF that is not a date is left zero, and LANGUAGE, FI/ORG and FI/FID
// are kept as sent, whatever their shape.
//
// Dates keep the zone the institution gave ("20240115233000[-5:EST]" is
// 23:30 in UTC-5, not 04:30 UTC the next day): take .Date() for the day it
// meant. Dates without a zone are UTC. Amounts are minor units of the
// statement's CURDEF (or of a transaction's CURRENCY); "120", "-1,5",
// "+3.10" and " 12.00 " are all read. An amount with more decimals than
// the currency has ("-12.345" in USD) is rounded half away from zero to
// the currency's minor unit (-12.35), as the institution's own statement
// shows it. Text is returned with entities decoded and bytes that are not
// UTF-8 read as Windows-1252 (whatever the CHARSET header says: files
// declare 1252, ISO-8859-1 or nothing and mean Windows-1252, whose
// 0x80-0x9F are € ‘ ’ “ ” – — …).
//
// Parse streams: it keeps the statements it has read, never the document.
// Bounding the size of r is the caller's job.
func Parse(r io.Reader) (*Response, error) {
	return newParser(r, false).response()
}

// ParseStream parses a response like Parse but does not keep transactions:
// it hands each statement's transactions to fn in chunks of up to chunk,
// with the statement read so far (account, currency). fn is called at least
// once per statement, the last time with done set and the whole statement
// (balances and positions included), possibly with no transactions. fn must
// not keep txs after it returns. An error from fn stops the parse and is
// returned. The Response returned holds statements without transactions.
// Memory stays bounded by the chunk, whatever the statement's size.
func ParseStream(r io.Reader, chunk int, fn func(st *Statement, txs []Transaction, done bool) error) (*Response, error) {
	return ParseStreamOptions(r, chunk, Options{}, fn)
}

// Options changes how ParseStreamOptions reads a response.
type Options struct {
	// Currency is the currency of a statement that names none (no CURDEF):
	// its amounts are read in Currency's minor units and its transactions
	// carry it. Empty: two decimals, and no currency.
	Currency string

	// SkipBadTransactions leaves out a transaction whose DTPOSTED or TRNAMT
	// is missing or cannot be read, and a balance whose BALAMT cannot be
	// read, and reports each in Statement.Rejected with its line, instead
	// of failing the whole document. A statement file then imports every
	// row it can; the rows it cannot are named.
	SkipBadTransactions bool
}

// ParseStreamOptions is ParseStream with options. With SkipBadTransactions
// set, each call of fn carries in st.Rejected the rows rejected since the
// previous call.
func ParseStreamOptions(r io.Reader, chunk int, opt Options, fn func(st *Statement, txs []Transaction, done bool) error) (*Response, error) {
	if chunk < 1 {
		chunk = 1
	}
	p := newParser(r, false)
	p.stream, p.streamN, p.opt = fn, chunk, opt
	return p.response()
}

// response runs the parser over a response document.
func (p *parser) response() (*Response, error) {
	if err := p.run(); err != nil {
		return nil, err
	}
	if !p.seenSONRS && len(p.resp.Statements) == 0 && p.resp.Accounts == nil {
		return nil, errors.New("ofx: no sign-on response (SONRS) or statement in the document")
	}
	p.resp.Version = p.version()
	return &p.resp, nil
}

// ParseRequest reads an OFX request document (SGML or XML): the sign-on,
// an account-information request and statement requests. A DTACCTUP before
// 1991 (clients send 19900101 or 19700101 to ask for every account) is read
// as a zero AccountsSince.
func ParseRequest(r io.Reader) (*Request, error) {
	p := newParser(r, true)
	if err := p.run(); err != nil {
		return nil, err
	}
	if !p.seenSONRQ {
		return nil, errors.New("ofx: no sign-on request (SONRQ) in the document")
	}
	p.req.Version = p.version()
	return &p.req, nil
}

// frame is one open aggregate (or an element the parser could not tell
// from an aggregate).
type frame struct {
	name string
	id   elem
	ctx  elem // nearest known aggregate at or below this frame
}

type parser struct {
	s       scanner
	opt     Options
	textBuf []byte
	tagBuf  []byte
	request bool

	stack    []frame
	pending  []byte // name of the last start tag whose content is not known yet
	pendID   elem
	pendLine int
	hasPend  bool
	leafDone bool // pending holds the name of a leaf whose value was just read
	unknown  map[string]string
	zones    zoneCache
	lastDate []byte
	lastTime time.Time
	err      error

	hdrVersion Version
	sawXMLDecl bool

	resp      Response
	req       Request
	seenOFX   bool
	seenSONRS bool
	seenSONRQ bool
	status    Status
	codeText  []byte // STATUS/CODE as sent, when it is not a number
	codeLine  int
	trnUID    string
	trnStatus Status

	stmt     Statement
	inStmt   bool
	stmtKind elem
	stmtAsOf time.Time
	acct     *Account

	tx         Transaction
	inTx       bool
	txErr      *ParseError // the first value of the transaction that could not be read
	txLine     int
	txCount    int
	txAmount   []byte
	txHasAmt   bool
	txAmtLine  int
	txStr      []byte // the decoded text fields, one after the other
	txSpan     [numTxText]span
	txCur      string
	txOrigCur  string
	invBankIdx int           // txN when the current INVBANKTRAN opened
	txN        int           // transactions of the current statement
	chunk      []Transaction // the latest of them
	chunks     [][]Transaction

	// With stream set (ParseStream), transactions are handed out in chunks
	// of streamN instead of being kept in the statement.
	stream  func(st *Statement, txs []Transaction, done bool) error
	streamN int
	expCur  string // currency whose exponent is exp
	exp     int

	bal       []byte
	balHas    bool
	balLine   int
	availLine int
	mktLine   int
	balAsOf   time.Time
	availCash []byte
	availHas  bool

	pos     Position
	inPos   bool
	posType string
	mktVal  []byte

	ai   AccountInfo
	inAI bool

	sreq   StatementRequest
	inSReq bool
}

func newParser(r io.Reader, request bool) *parser {
	return &parser{
		s:       newScanner(r),
		request: request,
		stack:   make([]frame, 0, 16),
		unknown: make(map[string]string),
	}
}

func isNameStart(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
}

func (p *parser) run() error {
	s := &p.s
	first := true
	for {
		text, found := s.until('<')
		// A '<' that does not start a tag is text ("A < B").
		for found {
			if s.r == s.w && !s.eof {
				p.textBuf = append(p.textBuf[:0], text...)
				text = p.textBuf
			}
			c, ok := s.next()
			if !ok || isNameStart(c) || c == '/' || c == '?' || c == '!' {
				break
			}
			p.textBuf = append(append(p.textBuf[:0], text...), '<')
			var more []byte
			more, found = s.until('<')
			p.textBuf = append(p.textBuf, more...)
			text = p.textBuf
		}
		if first {
			p.header(text)
			first = false
		} else {
			p.onText(text)
		}
		if s.err != nil {
			return fmt.Errorf("ofx: read: %w", s.err)
		}
		if !found {
			break
		}
		line := s.line
		tag, found := s.until('>')
		if s.err != nil {
			return fmt.Errorf("ofx: read: %w", s.err)
		}
		if !found {
			break // a tag cut off by the end of the input
		}
		p.onTag(tag, line)
		if p.err != nil {
			return p.err
		}
	}
	if s.err != nil {
		return fmt.Errorf("ofx: read: %w", s.err)
	}
	return p.finish()
}

// header reads the text before the first tag: the 1.x header, if any
// ("OFXHEADER:100", "VERSION:102", ... one per line, in any order).
func (p *parser) header(b []byte) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		k, v, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		k = bytes.TrimPrefix(trimSpace(k), []byte("\xef\xbb\xbf"))
		switch {
		case bytes.EqualFold(k, []byte("VERSION")):
			p.setVersion(trimSpace(v))
		case bytes.EqualFold(k, []byte("NEWFILEUID")):
			p.setFileUID(trimSpace(v))
		}
	}
}

func (p *parser) setFileUID(v []byte) {
	if !bytes.EqualFold(v, []byte("NONE")) {
		p.req.FileUID = text(v)
	}
}

func (p *parser) setVersion(v []byte) {
	v = bytes.ReplaceAll(v, []byte{'.'}, nil) // "1.02"
	if n, err := strconv.Atoi(string(v)); err == nil && n >= 100 && n < 1000 {
		p.hdrVersion = Version(n)
	}
}

func (p *parser) version() Version {
	switch {
	case p.hdrVersion != 0:
		return p.hdrVersion
	case p.sawXMLDecl:
		return 200
	}
	return 102
}

// onTag handles a tag (the bytes between '<' and '>') that started on line.
func (p *parser) onTag(tag []byte, line int) {
	if len(tag) == 0 {
		return
	}
	switch tag[0] {
	case '?':
		p.onPI(tag)
		return
	case '!':
		switch {
		case bytes.HasPrefix(tag, []byte("!--")):
			p.readOn(tag, "--")
		case bytes.HasPrefix(tag, []byte("![CDATA[")):
			if p.readOn(tag, "]]") {
				p.onText(p.tagBuf[len("![CDATA[") : len(p.tagBuf)-2])
			}
		}
		return
	}
	// A tag missing its '>' runs into the next one: "<NAME<MEMO>" is <MEMO>.
	if i := bytes.LastIndexByte(tag, '<'); i >= 0 {
		tag = tag[i+1:]
		if len(tag) == 0 {
			return
		}
	}
	end := tag[0] == '/'
	if end {
		tag = tag[1:]
	}
	selfClosing := len(tag) > 0 && tag[len(tag)-1] == '/'
	n := 0
	for n < len(tag) && !isSpace(tag[n]) && tag[n] != '/' {
		n++
	}
	name := tag[:n]
	if len(name) == 0 {
		return
	}
	for _, c := range name {
		if c >= 'a' && c <= 'z' {
			upper(name)
			break
		}
	}
	if end {
		p.onEnd(name)
		return
	}
	p.onStart(name, line, selfClosing)
}

// readOn reads a comment or CDATA section on to the '>' that follows
// suffix, into p.tagBuf. It reports false if the input ends first.
func (p *parser) readOn(tag []byte, suffix string) bool {
	p.tagBuf = append(p.tagBuf[:0], tag...)
	for !bytes.HasSuffix(p.tagBuf, []byte(suffix)) {
		more, found := p.s.until('>')
		if !found {
			return false
		}
		p.tagBuf = append(append(p.tagBuf, '>'), more...)
	}
	return true
}

// upper upper-cases name in place.
func upper(name []byte) {
	for i, c := range name {
		if c >= 'a' && c <= 'z' {
			name[i] = c - 'a' + 'A'
		}
	}
}

// onPI reads the version and file id from <?OFX ... VERSION="220" ...?>.
func (p *parser) onPI(tag []byte) {
	if len(tag) >= 4 && bytes.EqualFold(tag[1:4], []byte("xml")) {
		p.sawXMLDecl = true
		return
	}
	if len(tag) < 4 || !bytes.EqualFold(tag[1:4], []byte("OFX")) {
		return
	}
	if v, ok := attr(tag[4:], "VERSION"); ok {
		p.setVersion(v)
	}
	if v, ok := attr(tag[4:], "NEWFILEUID"); ok {
		p.setFileUID(v)
	}
}

// attr finds the value of name="value" in a processing instruction.
func attr(b []byte, name string) ([]byte, bool) {
	for {
		i := bytes.Index(b, []byte(name))
		if i < 0 {
			return nil, false
		}
		before := byte(' ')
		if i > 0 {
			before = b[i-1]
		}
		b = b[i+len(name):]
		if !isSpace(before) {
			continue // VERSION inside OFXHEADER, ...
		}
		v := trimSpace(b)
		if len(v) == 0 || v[0] != '=' {
			continue
		}
		v = trimSpace(v[1:])
		if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
			q := v[0]
			v = v[1:]
			if j := bytes.IndexByte(v, q); j >= 0 {
				v = v[:j]
			}
		} else if j := bytes.IndexFunc(v, func(r rune) bool { return r == ' ' || r == '?' }); j >= 0 {
			v = v[:j]
		}
		return v, true
	}
}

func (p *parser) onStart(name []byte, line int, selfClosing bool) {
	if p.hasPend {
		p.promote()
	}
	p.leafDone = false
	id := lookup(name)
	if id.isAggregate() {
		// A known aggregate: open it now, whatever follows. None of them
		// nests in itself, so an open one of the same name was left
		// unclosed (<STMTTRN>...<STMTTRN>): close it first.
		if id != aOpaque {
			for i := len(p.stack) - 1; i >= 0; i-- {
				if p.stack[i].id == id {
					for len(p.stack) > i && p.err == nil {
						p.pop()
					}
					break
				}
			}
		}
		switch {
		case selfClosing:
		case id == aOpaque:
			p.push(p.intern(name), id)
		default:
			p.push(elemName[id], id)
		}
		return
	}
	if selfClosing {
		return // <MEMO/>: an empty element
	}
	p.pending = append(p.pending[:0], name...)
	p.pendID = id
	p.pendLine = line
	p.hasPend = true
}

// promote decides that the pending element, followed by a start tag with
// nothing but white space in between, is not a leaf with a value: either an
// empty leaf in SGML style, which is dropped, or an aggregate the parser
// does not know, which is opened as a transparent frame.
func (p *parser) promote() {
	p.hasPend = false
	if p.pendID.isLeaf() {
		return
	}
	p.push(p.intern(p.pending), eNone)
}

func (p *parser) intern(name []byte) string {
	if s, ok := p.unknown[string(name)]; ok {
		return s
	}
	s := string(name)
	if len(p.unknown) < 1024 {
		p.unknown[s] = s
	}
	return s
}

func (p *parser) onText(t []byte) {
	if !p.hasPend {
		return
	}
	v := trimSpace(t)
	if len(v) == 0 {
		return
	}
	p.hasPend = false
	p.leafDone = true
	if p.pendID.isLeaf() {
		p.leaf(p.pendID, v, p.pendLine)
	}
}

func (p *parser) onEnd(name []byte) {
	if p.hasPend {
		p.hasPend = false
		if string(name) == string(p.pending) {
			return // <MEMO></MEMO>
		}
		// An empty SGML element followed by the end of its parent.
	} else if p.leafDone && string(name) == string(p.pending) {
		p.leafDone = false
		return // the end tag of the leaf just read (XML)
	}
	p.leafDone = false
	for i := len(p.stack) - 1; i >= 0; i-- {
		if p.stack[i].name == string(name) {
			for len(p.stack) > i && p.err == nil {
				p.pop()
			}
			return
		}
	}
	// The end of an aggregate that was never opened: ignored.
}

func (p *parser) ctx() elem {
	if len(p.stack) == 0 {
		return eNone
	}
	return p.stack[len(p.stack)-1].ctx
}

// maxDepth bounds nesting; real documents stay under 15.
const maxDepth = 200

func (p *parser) push(name string, id elem) {
	if len(p.stack) >= maxDepth {
		p.fail(p.s.line, name, "is nested more than %d elements deep", maxDepth)
		return
	}
	parent := p.ctx()
	ctx := parent
	if id != eNone {
		ctx = id
	}
	p.stack = append(p.stack, frame{name: name, id: id, ctx: ctx})
	if id != eNone && parent != aOpaque {
		p.open(id, parent)
	}
}

func (p *parser) pop() {
	f := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if f.id != eNone {
		if parent := p.ctx(); parent != aOpaque {
			p.close(f.id, parent)
		}
	}
}

func (p *parser) finish() error {
	for _, f := range p.stack {
		if f.id != eNone {
			path := ""
			for _, g := range p.stack {
				if path != "" {
					path += "/"
				}
				path += g.name
			}
			return fmt.Errorf("ofx: document ends inside %s (truncated?)", path)
		}
	}
	if !p.seenOFX {
		return errors.New("ofx: no <OFX> element in the document")
	}
	return nil
}

// fail records the first error. Inside a transaction with
// SkipBadTransactions, it marks the transaction as rejected instead.
func (p *parser) fail(line int, element, format string, args ...any) {
	if p.opt.SkipBadTransactions && p.inTx {
		if p.txErr == nil {
			p.txErr = &ParseError{Line: line, Element: element, Msg: fmt.Sprintf(format, args...)}
		}
		return
	}
	if p.err == nil {
		p.err = &ParseError{Line: line, Element: element, Msg: fmt.Sprintf(format, args...)}
	}
}

// where names the element a value belongs to in error messages:
// "STMTTRN 14: TRNAMT", "LEDGERBAL: BALAMT".
func (p *parser) where(id elem, ctx elem) string {
	if ctx == aSTMTTRN && p.inTx {
		return "STMTTRN " + strconv.Itoa(p.txCount) + ": " + elemName[id]
	}
	if ctx == eNone {
		return elemName[id]
	}
	return elemName[ctx] + ": " + elemName[id]
}

// reject reports a transaction or balance that cannot be read: with
// SkipBadTransactions in the statement's Rejected, else as the error.
func (p *parser) reject(pe *ParseError) {
	if p.opt.SkipBadTransactions && p.inStmt {
		p.stmt.Rejected = append(p.stmt.Rejected, pe)
		return
	}
	if p.err == nil {
		p.err = pe
	}
}

// optDate reads a date the reading does not depend on: one that cannot be
// read is zero, not an error.
func (p *parser) optDate(v []byte) time.Time {
	t, _, ok := parseDate(v, &p.zones)
	if !ok {
		return time.Time{}
	}
	return t
}

// currency is the statement's currency, or the default for a statement
// that names none.
func (p *parser) currency() string {
	if p.stmt.Currency != "" {
		return p.stmt.Currency
	}
	return p.opt.Currency
}

func (p *parser) date(id, ctx elem, v []byte, line int) time.Time {
	// Statements repeat dates: remember the last one.
	if len(v) > 0 && string(v) == string(p.lastDate) {
		return p.lastTime
	}
	t, _, ok := parseDate(v, &p.zones)
	if !ok {
		p.fail(line, p.where(id, ctx), "%q is not a date", v)
		return t
	}
	p.lastDate = append(p.lastDate[:0], v...)
	p.lastTime = t
	return t
}

// amount reads an amount in minor units of currency, rounded half away
// from zero; ok is false when it cannot be read, and pe says why.
func amountOf(where string, v []byte, currency string, line int) (a int64, pe *ParseError) {
	a, aerr := parseAmount(v, tally.CurrencyExponent(currency), true)
	switch aerr {
	case amountNotNumber:
		return 0, &ParseError{Line: line, Element: where, Msg: fmt.Sprintf("%q is not a number", v)}
	case amountTooLarge:
		return 0, &ParseError{Line: line, Element: where, Msg: fmt.Sprintf("%q is too large", v)}
	}
	return a, nil
}

// open is called when a known aggregate starts; parent is the nearest known
// aggregate around it.
func (p *parser) open(id, parent elem) {
	switch id {
	case aOFX:
		p.seenOFX = true
	case aSONRS:
		p.seenSONRS = true
	case aSONRQ:
		p.seenSONRQ = true
	case aSTATUS:
		p.status = Status{}
		p.codeText = p.codeText[:0]
	case aSTMTTRNRS, aCCSTMTTRNRS, aINVSTMTTRNRS, aACCTINFOTRNRS,
		aSTMTTRNRQ, aCCSTMTTRNRQ, aINVSTMTTRNRQ, aACCTINFOTRNRQ:
		p.trnUID = ""
		p.trnStatus = Status{}
	case aSTMTRS, aCCSTMTRS, aINVSTMTRS:
		if p.inStmt {
			p.endStatement()
		}
		p.stmt = Statement{TrnUID: p.trnUID, Status: p.trnStatus, Account: Account{Kind: kindOf(id)}}
		p.txN, p.chunk, p.chunks = 0, nil, p.chunks[:0]
		p.stmtKind = id
		p.stmtAsOf = time.Time{}
		p.inStmt = true
	case aBANKACCTFROM, aCCACCTFROM, aINVACCTFROM:
		p.acct = nil
		switch parent {
		case aSTMTRS, aCCSTMTRS, aINVSTMTRS:
			if p.inStmt {
				p.acct = &p.stmt.Account
			}
		case aBANKACCTINFO, aCCACCTINFO, aINVACCTINFO:
			if p.inAI && p.ai.Account.Kind == kindOf(parent) {
				p.acct = &p.ai.Account
			}
		case aSTMTRQ, aCCSTMTRQ, aINVSTMTRQ:
			if p.inSReq {
				p.acct = &p.sreq.Account
			}
		}
	case aSTMTTRN:
		if !p.inStmt {
			return
		}
		p.inTx = true
		p.txCount++
		p.txLine = p.s.line
		p.tx = Transaction{}
		p.txErr = nil
		p.txHasAmt = false
		p.txAmount = p.txAmount[:0]
		p.txCur, p.txOrigCur = "", ""
		p.txStr = p.txStr[:0]
		p.txSpan = [numTxText]span{}
	case aINVBANKTRAN:
		p.invBankIdx = p.txN
	case aLEDGERBAL, aAVAILBAL:
		p.balHas = false
		p.balAsOf = time.Time{}
	case aINVBAL:
		p.availHas = false
	case aPOSSTOCK, aPOSMF, aPOSDEBT, aPOSOPT, aPOSOTHER:
		p.posType = elemName[id]
	case aINVPOS:
		if p.inStmt && p.stmtKind == aINVSTMTRS {
			p.inPos = true
			p.pos = Position{Type: or(p.posType, "POSOTHER")}
			p.mktVal = p.mktVal[:0]
		}
	case aACCTINFORS:
		if p.resp.Accounts == nil {
			p.resp.Accounts = []AccountInfo{}
		}
	case aACCTINFO:
		p.ai = AccountInfo{}
		p.inAI = true
	case aBANKACCTINFO, aCCACCTINFO, aINVACCTINFO:
		// The first one describes the account.
		if p.inAI && p.ai.Account.Kind == "" {
			p.ai.Account.Kind = kindOf(id)
		}
	case aACCTINFORQ:
		p.req.AccountInfo = true
		p.req.AccountInfoTrnUID = p.trnUID
	case aSTMTRQ, aCCSTMTRQ, aINVSTMTRQ:
		p.sreq = StatementRequest{TrnUID: p.trnUID, Account: Account{Kind: kindOf(id)}}
		p.inSReq = true
	}
}

func kindOf(id elem) string {
	switch id {
	case aCCSTMTRS, aCCACCTINFO, aCCSTMTRQ:
		return KindCreditCard
	case aINVSTMTRS, aINVACCTINFO, aINVSTMTRQ:
		return KindInvestment
	}
	return KindBank
}

// close is called when a known aggregate ends.
func (p *parser) close(id, parent elem) {
	switch id {
	case aSTATUS:
		failed := p.statusFailed()
		switch parent {
		case aSONRS:
			p.resp.SignOn.Status = p.status
			if failed && !p.request && p.err == nil {
				p.err = &StatusError{Where: "SONRS", Status: p.status}
			}
		case aSTMTTRNRS, aCCSTMTTRNRS, aINVSTMTTRNRS, aACCTINFOTRNRS:
			p.trnStatus = p.status
			if failed && !p.request && p.err == nil {
				p.err = &StatusError{Where: elemName[parent], Status: p.status}
			}
		}
	case aSTMTRS, aCCSTMTRS, aINVSTMTRS:
		if p.inStmt && id == p.stmtKind {
			p.endStatement()
		}
	case aBANKACCTFROM, aCCACCTFROM, aINVACCTFROM:
		p.acct = nil
	case aSTMTTRN:
		if p.inTx {
			p.endTransaction()
		}
	case aLEDGERBAL, aAVAILBAL:
		if !p.inStmt || p.stmtKind == aINVSTMTRS {
			return
		}
		if !p.balHas {
			p.reject(&ParseError{Line: p.s.line, Element: elemName[id] + ": BALAMT", Msg: "missing"})
			return
		}
		b := &Balance{AsOf: p.balAsOf}
		a, pe := amountOf(elemName[id]+": BALAMT", p.bal, p.currency(), p.balLine)
		if pe != nil {
			p.reject(pe)
			return
		}
		b.Amount = a
		if id == aLEDGERBAL {
			p.stmt.Ledger = b
		} else {
			p.stmt.Available = b
		}
	case aINVBAL:
		if p.inStmt && p.availHas && p.stmtKind == aINVSTMTRS {
			a, pe := amountOf("INVBAL: AVAILCASH", p.availCash, p.currency(), p.availLine)
			if pe != nil {
				p.reject(pe)
				return
			}
			p.stmt.Ledger = &Balance{Amount: a}
		}
	case aINVPOS:
		if p.inPos {
			p.inPos = false
			if len(p.mktVal) > 0 {
				a, pe := amountOf("INVPOS: MKTVAL", p.mktVal, p.currency(), p.mktLine)
				if pe != nil && p.err == nil {
					p.err = pe
				}
				p.pos.MarketValue = a
			}
			p.stmt.Positions = append(p.stmt.Positions, p.pos)
		}
	case aPOSSTOCK, aPOSMF, aPOSDEBT, aPOSOPT, aPOSOTHER:
		p.posType = ""
	case aACCTINFO:
		if p.inAI {
			p.inAI = false
			p.resp.Accounts = append(p.resp.Accounts, p.ai)
		}
	case aSTMTRQ, aCCSTMTRQ, aINVSTMTRQ:
		if p.inSReq {
			p.inSReq = false
			p.req.Statements = append(p.req.Statements, p.sreq)
		}
	}
}

func (p *parser) endStatement() {
	p.inStmt = false
	p.inTx = false
	p.inPos = false
	if p.stmtKind == aINVSTMTRS && p.stmt.Ledger != nil {
		p.stmt.Ledger.AsOf = p.stmtAsOf
	}
	if p.stmt.TrnUID == "" {
		p.stmt.TrnUID = p.trnUID
	}
	if p.stream != nil {
		p.flushStream(true)
	} else {
		p.stmt.Transactions = p.takeTransactions()
	}
	p.resp.Statements = append(p.resp.Statements, p.stmt)
	p.stmt = Statement{}
}

func (p *parser) endTransaction() {
	p.inTx = false
	tx := &p.tx
	where := func() string { return "STMTTRN " + strconv.Itoa(p.txCount) }
	if p.txErr != nil {
		p.reject(p.txErr)
		return
	}
	if tx.Posted.IsZero() {
		p.reject(&ParseError{Line: p.txLine, Element: where() + ": DTPOSTED", Msg: "missing"})
		return
	}
	if !p.txHasAmt {
		p.reject(&ParseError{Line: p.txLine, Element: where() + ": TRNAMT", Msg: "missing"})
		return
	}
	switch {
	case p.txCur != "":
		tx.Currency = p.txCur
	case p.txOrigCur != "":
		// ORIGCURRENCY: the amount was converted to the statement's currency.
		tx.Currency = p.currency()
		tx.OrigCurrency = p.txOrigCur
	default:
		tx.Currency = p.currency()
	}
	if tx.Currency != p.expCur || p.expCur == "" {
		p.expCur, p.exp = tx.Currency, tally.CurrencyExponent(tx.Currency)
	}
	a, aerr := parseAmount(p.txAmount, p.exp, true)
	if aerr != amountOK {
		_, pe := amountOf(where()+": TRNAMT", p.txAmount, tx.Currency, p.txAmtLine)
		p.reject(pe)
		return
	}
	if a > tally.MaxAmount || a < -tally.MaxAmount {
		p.fail(p.txAmtLine, where()+": TRNAMT", "%q is beyond ±%s, more than any bank reports", p.txAmount, tally.FormatAmount(tally.MaxAmount, tx.Currency))
		return
	}
	tx.Amount = a
	// The transaction's strings share one allocation.
	if len(p.txStr) > 0 {
		all := string(p.txStr)
		for i, f := range [...]*string{&tx.FITID, &tx.Name, &tx.Memo, &tx.CheckNum, &tx.RefNum, &tx.SIC} {
			if sp := p.txSpan[i]; sp.set {
				*f = all[sp.start:sp.end]
			}
		}
	}
	if p.stream != nil {
		// The previous chunk goes out only when the next transaction
		// arrives: elements after a transaction (SUBACCTFUND) still edit it.
		if len(p.chunk) >= p.streamN {
			p.flushStream(false)
		}
		if p.chunk == nil {
			p.chunk = make([]Transaction, 0, p.streamN)
		}
		p.chunk = append(p.chunk, *tx)
		p.txN++
		return
	}
	// Transactions gather in chunks, copied once into the statement at its
	// end, rather than in a slice that doubles.
	if len(p.chunk) == cap(p.chunk) {
		if len(p.chunk) > 0 {
			p.chunks = append(p.chunks, p.chunk)
		}
		p.chunk = make([]Transaction, 0, min(max(64, 2*cap(p.chunk)), 4096))
	}
	p.chunk = append(p.chunk, *tx)
	p.txN++
}

// flushStream hands the pending chunk of transactions to the stream
// callback; done marks the statement's last call.
func (p *parser) flushStream(done bool) {
	if p.err != nil {
		return
	}
	if err := p.stream(&p.stmt, p.chunk, done); err != nil {
		p.err = err
	}
	p.stmt.Rejected = nil
	p.chunk = p.chunk[:0]
	if done {
		p.chunk = nil
	}
}

// takeTransactions returns the statement's transactions in one slice.
func (p *parser) takeTransactions() []Transaction {
	if len(p.chunks) == 0 {
		txs := p.chunk
		p.chunk = nil
		return txs
	}
	txs := make([]Transaction, 0, p.txN)
	for _, c := range p.chunks {
		txs = append(txs, c...)
	}
	txs = append(txs, p.chunk...)
	p.chunks, p.chunk = p.chunks[:0], nil
	return txs
}

// Indexes of a transaction's text fields in parser.txSpan.
const (
	fFITID = iota
	fNAME
	fMEMO
	fCHECKNUM
	fREFNUM
	fSIC
	numTxText
)

type span struct {
	start, end int
	set        bool
}

// txText records the text of field f of the current transaction.
func (p *parser) txText(f int, v []byte) {
	start := len(p.txStr)
	p.txStr = appendText(p.txStr, v)
	p.txSpan[f] = span{start, len(p.txStr), true}
}

// leaf handles the value v (trimmed, not empty) of a known leaf.
func (p *parser) leaf(id elem, v []byte, line int) {
	ctx := p.ctx()
	switch ctx {
	case aSTMTTRN:
		if !p.inTx {
			return
		}
		tx := &p.tx
		switch id {
		case lTRNTYPE:
			tx.Type = intern(v)
		case lDTPOSTED:
			tx.Posted = p.date(id, ctx, v, line)
		case lDTUSER:
			tx.User = p.optDate(v)
		case lTRNAMT:
			p.txAmount = append(p.txAmount[:0], v...)
			p.txHasAmt = true
			p.txAmtLine = line
		case lFITID:
			p.txText(fFITID, v)
		case lNAME:
			p.txText(fNAME, v)
		case lMEMO:
			p.txText(fMEMO, v)
		case lCHECKNUM:
			p.txText(fCHECKNUM, v)
		case lREFNUM:
			p.txText(fREFNUM, v)
		case lSIC:
			p.txText(fSIC, v)
		}
	case aPAYEE:
		if p.inTx && id == lNAME && !p.txSpan[fNAME].set {
			p.txText(fNAME, v)
		}
	case aCURRENCY, aORIGCURRENCY:
		if p.inTx && id == lCURSYM {
			if ctx == aCURRENCY {
				p.txCur = intern(v)
			} else {
				p.txOrigCur = intern(v)
			}
		}
	case aINVBANKTRAN:
		if id == lSUBACCTFUND && p.inStmt && p.stmtKind == aINVSTMTRS && p.txN > p.invBankIdx {
			p.chunk[len(p.chunk)-1].SubAcct = intern(v)
		}
	case aBANKACCTFROM, aCCACCTFROM, aINVACCTFROM:
		if p.acct == nil {
			return
		}
		// Only the fields of the account's kind: a card has no bank id.
		switch kind := p.acct.Kind; {
		case id == lACCTID:
			p.acct.AccountID = text(v)
		case id == lBANKID && kind == KindBank:
			p.acct.BankID = text(v)
		case id == lACCTTYPE && kind == KindBank:
			p.acct.AccountType = intern(v)
		case id == lBROKERID && kind == KindInvestment:
			p.acct.BrokerID = text(v)
		}
	case aSTMTRS, aCCSTMTRS, aINVSTMTRS:
		if !p.inStmt {
			return
		}
		switch id {
		case lCURDEF:
			p.stmt.Currency = intern(v)
		case lDTASOF:
			p.stmtAsOf = p.optDate(v)
		}
	case aBANKTRANLIST, aINVTRANLIST:
		if !p.inStmt {
			return
		}
		switch id {
		case lDTSTART:
			p.stmt.Start = p.optDate(v)
		case lDTEND:
			p.stmt.End = p.optDate(v)
		}
	case aLEDGERBAL, aAVAILBAL:
		switch id {
		case lBALAMT:
			p.bal = append(p.bal[:0], v...)
			p.balHas = true
			p.balLine = line
		case lDTASOF:
			p.balAsOf = p.optDate(v)
		}
	case aINVBAL:
		if id == lAVAILCASH {
			p.availCash = append(p.availCash[:0], v...)
			p.availHas = true
			p.availLine = line
		}
	case aINVPOS:
		if !p.inPos {
			return
		}
		switch id {
		case lUNITS:
			p.pos.Units = text(v)
		case lUNITPRICE:
			p.pos.UnitPrice = text(v)
		case lMKTVAL:
			p.mktVal = append(p.mktVal[:0], v...)
			p.mktLine = line
		case lDTPRICEASOF:
			p.pos.AsOf = p.optDate(v)
		}
	case aSECID:
		if !p.inPos {
			return
		}
		switch id {
		case lUNIQUEID:
			p.pos.SecurityID = text(v)
		case lUNIQUEIDTYPE:
			p.pos.SecurityIDType = intern(v)
		}
	case aSTATUS:
		switch id {
		case lCODE:
			n, err := strconv.Atoi(string(v))
			if err != nil {
				p.codeText = append(p.codeText[:0], v...)
				p.codeLine = line
			}
			p.status.Code = n
		case lSEVERITY:
			p.status.Severity = intern(v)
		case lMESSAGE:
			p.status.Message = text(v)
		}
	case aSONRS:
		switch id {
		case lDTSERVER:
			p.resp.SignOn.ServerTime = p.optDate(v)
		case lLANGUAGE:
			p.resp.SignOn.Language = intern(v)
		}
	case aFI:
		var org, fid *string
		switch p.parentOf(aFI) {
		case aSONRS:
			org, fid = &p.resp.SignOn.Org, &p.resp.SignOn.FID
		case aSONRQ:
			org, fid = &p.req.SignOn.Org, &p.req.SignOn.FID
		default:
			return
		}
		switch id {
		case lORG:
			*org = text(v)
		case lFID:
			*fid = text(v)
		}
	case aSONRQ:
		so := &p.req.SignOn
		switch id {
		case lDTCLIENT:
			so.ClientTime = p.date(id, ctx, v, line)
		case lUSERID:
			so.UserID = text(v)
		case lUSERPASS:
			so.UserPass = text(v)
		case lLANGUAGE:
			so.Language = intern(v)
		case lAPPID:
			so.AppID = text(v)
		case lAPPVER:
			so.AppVer = text(v)
		case lCLIENTUID:
			so.ClientUID = text(v)
		}
	case aSTMTTRNRS, aCCSTMTTRNRS, aINVSTMTTRNRS, aSTMTTRNRQ, aCCSTMTTRNRQ, aINVSTMTTRNRQ:
		if id == lTRNUID {
			p.trnUID = text(v)
		}
	case aACCTINFOTRNRS:
		if id == lTRNUID {
			p.trnUID = text(v)
			p.resp.AccountsTrnUID = p.trnUID
		}
	case aACCTINFOTRNRQ:
		if id == lTRNUID {
			p.trnUID = text(v)
			p.req.AccountInfoTrnUID = p.trnUID
		}
	case aACCTINFO:
		if !p.inAI {
			return
		}
		switch id {
		case lDESC:
			p.ai.Account.Description = text(v)
		case lCURDEF:
			p.ai.Currency = intern(v)
		}
	case aACCTINFORQ:
		if id == lDTACCTUP {
			t := p.date(id, ctx, v, line)
			if t.Year() > 1990 {
				p.req.AccountsSince = t
			}
		}
	case aINCTRAN:
		if !p.inSReq {
			return
		}
		switch id {
		case lDTSTART:
			p.sreq.Start = p.date(id, ctx, v, line)
		case lDTEND:
			p.sreq.End = p.date(id, ctx, v, line)
		case lINCLUDE:
			p.sreq.IncludeTransactions = v[0] == 'Y' || v[0] == 'y'
		}
	}
}

// statusFailed tells whether the STATUS just read reports a failure: a
// non-zero code whose severity is not INFO or WARN. A code that is not a
// number is a failure unless the severity says otherwise.
func (p *parser) statusFailed() bool {
	sev := p.status.Severity
	if len(p.codeText) > 0 && !strings.EqualFold(sev, "INFO") && !strings.EqualFold(sev, "WARN") {
		p.fail(p.codeLine, "STATUS: CODE", "%q is not a number", p.codeText)
		return false
	}
	return p.status.Failed()
}

// parentOf returns the nearest known aggregate around the innermost open
// id.
func (p *parser) parentOf(id elem) elem {
	for i := len(p.stack) - 1; i > 0; i-- {
		if p.stack[i].id == id {
			return p.stack[i-1].ctx
		}
	}
	return eNone
}
