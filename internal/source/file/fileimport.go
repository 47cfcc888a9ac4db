// Package file reads statement files users download from their banks:
// OFX and QFX (through package ofx), QIF (Quicken and Microsoft Money
// dialects), CSV (delimiter, header, date order and sign convention
// detected), ISO 20022 CAMT.053 bank-to-customer statements (XML, versions
// .001.02 to .001.08) and SWIFT MT940 statements. It streams: Read makes a
// first pass that only learns the file's layout (and refuses a file it
// cannot read before anything is handed out), then a second pass that hands
// transactions to a callback in chunks, so a 100,000-row file is never held
// whole. Rows that cannot be read are reported with their line number and
// reason and do not stop the file.
//
// What real bank files do, and what Read makes of it:
//
//   - Amounts are minor units of the statement's currency (OFX CURDEF,
//     CAMT Ccy, MT940 :60F:), or of ReadOptions.Currency for QIF and CSV,
//     with the currency's own number of decimals (JPY 0, BHD 3, most 2; see
//     tally.CurrencyExponent). An amount with more decimals than that
//     ("-12.345" in USD) is rounded half away from zero (-12.35), as the
//     bank's own statement shows it.
//   - Text that is not UTF-8 is Windows-1252, decoded line by line (or
//     field by field in OFX): files that say ISO-8859-1, 1252 or nothing
//     all mean it, and its 0x80-0x9F are € ‘ ’ “ ” – — … rather than
//     control characters.
//   - A file with several accounts (OFX with several statements, QIF with
//     !Account blocks, CSV exports with an "Account Name" column as Mint
//     writes them, CAMT and MT940 with several statements) hands each
//     account's transactions out with that account's identity in
//     Chunk.Account; a chunk never mixes accounts or statements.
//   - An institution id (OFX FITID, CSV transaction id, CAMT AcctSvcrRef,
//     MT940 bank reference) that one account's rows in the file share
//     while they differ (date, amount or text) is not an id: those rows
//     have FITID cleared and RepeatedFITID set, so the importer falls back
//     to their content id. Rows that repeat the same id with the same
//     content are one transaction written twice (overlapping statement
//     pages) and keep their id, so the second is a duplicate.
//   - Sign-on and header values the import does not need never fail a
//     file; a transaction whose date or amount cannot be read is rejected
//     with its line, and the others are imported.
package file

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/source"
)

// Formats Read understands.
const (
	FormatOFX = "ofx" // OFX 1.x SGML, OFX 2.x XML, and Quicken's QFX
	FormatQIF = "qif"
	FormatCSV = "csv"
	// FormatCAMT053 is an ISO 20022 bank-to-customer statement
	// (BkToCstmrStmt), camt.053.001.02 to camt.053.001.08.
	FormatCAMT053 = "camt053"
	// FormatMT940 is a SWIFT MT940 customer statement, with or without its
	// SWIFT envelope, in the German banks' structured :86: or free text.
	FormatMT940 = "mt940"
)

// DefaultChunkSize is how many transactions Read hands out at once.
const DefaultChunkSize = 10_000

// Transaction is one row of a statement file: a source transaction (the
// row's Line is set; Pending and MCC are not).
type Transaction = source.Transaction

// RowError is a row that was rejected.
type RowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Chunk is a batch of a file's transactions, in file order, with the rows
// rejected since the previous chunk.
type Chunk struct {
	// Account is the identity of the account the chunk's transactions
	// belong to, when the file names it: an OFX statement's account; a QIF
	// !Account block (AccountID and Description are its name, Kind from its
	// type); a CAMT.053 statement's account (AccountID is the IBAN or other
	// id, BankID the servicer's BIC when there is no IBAN); an MT940 :25:
	// (BankID and AccountID from "BLZ/account", or AccountID the IBAN); a
	// CSV export's "Account Name" (AccountID and Description). Nil for a
	// CSV without that column and a QIF without !Account. A chunk never
	// mixes accounts.
	Account *ofx.Account
	// Currency is the currency of the chunk's amounts: the statement's when
	// the file says (OFX CURDEF, CAMT, MT940), else ReadOptions.Currency
	// (empty when none was given: amounts then have two decimals).
	Currency     string
	Transactions []Transaction
	Errors       []RowError
	// Opening is the statement's opening balance (CAMT OPBD or PRCD, MT940
	// :60F: or :60M:), with the first chunk of a statement that has one.
	Opening *int64
	// Ledger is the statement's closing balance (OFX LEDGERBAL, CAMT CLBD,
	// MT940 :62F: or :62M:), with the last chunk of a statement that has
	// one; that chunk may hold no transactions.
	Ledger *int64
	// LedgerAsOf is when Ledger was the balance; Holdings are the
	// statement's investment positions (last chunk of an OFX statement).
	LedgerAsOf time.Time
	Holdings   []tally.Holding
}

// ReadOptions tune Read.
type ReadOptions struct {
	// ChunkSize is how many transactions a chunk holds at most
	// (DefaultChunkSize when 0).
	ChunkSize int
	// Currency is the currency of the account the file goes into, for the
	// formats that do not say (QIF, CSV, and OFX without CURDEF): amounts
	// are read in its minor units (JPY "-1500" is -1500, not -150000).
	// Empty reads two decimals.
	Currency string
}

// Summary counts a whole file.
type Summary struct {
	Format   string
	Parsed   int // transactions handed out
	Rejected int // rows rejected
}

// Read detects the format of r and hands its transactions to fn in chunks of
// at most chunkSize (DefaultChunkSize when 0). When the file cannot be read
// at all (a format Tally does not read, no header, no transactions) Read
// returns an EUNPROCESSABLE error before calling fn once. An error from fn
// stops the read and is returned. fn must not keep c.Transactions after it
// returns: the next chunk reuses it.
func Read(r io.ReadSeeker, chunkSize int, fn func(*Chunk) error) (Summary, error) {
	return ReadWith(r, ReadOptions{ChunkSize: chunkSize}, fn)
}

// ReadWith is Read with options: the currency of amounts in files that do
// not name theirs.
func ReadWith(r io.ReadSeeker, opt ReadOptions, fn func(*Chunk) error) (Summary, error) {
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = DefaultChunkSize
	}
	opt.Currency = strings.ToUpper(strings.TrimSpace(opt.Currency))
	head := make([]byte, 8<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Summary{}, fmt.Errorf("file: read: %w", err)
	}
	format, err := Sniff(head[:n])
	if err != nil {
		return Summary{Format: format}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{Format: format}, fmt.Errorf("file: rewind: %w", err)
	}
	var sum Summary
	switch format {
	case FormatOFX:
		sum, err = readOFX(r, opt, fn)
	case FormatQIF:
		sum, err = readQIF(r, opt, fn)
	case FormatCAMT053:
		sum, err = readCAMT(r, opt, fn)
	case FormatMT940:
		sum, err = readMT940(r, opt, fn)
	default:
		sum, err = readCSV(r, opt, fn)
	}
	sum.Format = format
	return sum, err
}

// Sniff tells the format of a file from its first bytes. A file Tally does
// not read is an EUNPROCESSABLE error that names its format when it can tell.
func Sniff(head []byte) (string, error) {
	b := bytes.TrimPrefix(head, utf8BOM)
	b = bytes.TrimLeft(b, " \t\r\n")
	refuse := func(what string) (string, error) {
		return "", tally.Errorf(tally.EUNPROCESSABLE, "this file is %s, which Tally cannot import; export the statement as OFX, QFX, QIF, CSV, CAMT.053 or MT940", what)
	}
	switch {
	case len(b) == 0:
		return "", tally.Errorf(tally.EUNPROCESSABLE, "the file is empty")
	case bytes.HasPrefix(b, []byte("%PDF")):
		return refuse("a PDF document")
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		if bytes.Contains(head, []byte("xl/")) || bytes.Contains(head, []byte("[Content_Types].xml")) {
			return refuse("an Excel workbook (XLSX)")
		}
		return refuse("a zip archive")
	case bytes.HasPrefix(b, []byte("\xD0\xCF\x11\xE0")):
		return refuse("an Excel 97-2003 workbook (XLS)")
	}
	upper := bytes.ToUpper(b)
	if bytes.Contains(upper, []byte("OFXHEADER")) || bytes.Contains(upper, []byte("<OFX>")) {
		return FormatOFX, nil
	}
	if b[0] == '!' {
		for _, p := range []string{"!TYPE", "!ACCOUNT", "!OPTION", "!CLEAR"} {
			if bytes.HasPrefix(upper, []byte(p)) {
				return FormatQIF, nil
			}
		}
	}
	switch {
	case isMT940(b):
		return FormatMT940, nil
	case bytes.HasPrefix(b, []byte("<?xml")) || b[0] == '<':
		if msg, ok := iso20022Message(b); ok {
			if strings.HasPrefix(msg, "camt.053.") {
				if v, ok := camtVersion(msg); ok && v >= 2 && v <= 8 {
					return FormatCAMT053, nil
				}
				return refuse("an ISO 20022 " + msg + " statement, a version Tally does not read (it reads camt.053.001.02 to camt.053.001.08)")
			}
			return refuse("an ISO 20022 " + msg + " message (" + iso20022Name(msg) + "), not a camt.053 statement")
		}
		if bytes.Contains(b, []byte("<BkToCstmrStmt")) {
			return FormatCAMT053, nil
		}
		if bytes.Contains(upper, []byte("<HTML")) {
			return refuse("an HTML page")
		}
		return refuse("an XML document that is neither OFX nor CAMT.053")
	case b[0] == '{' || b[0] == '[':
		return refuse("JSON")
	case bytes.IndexByte(b, 0) >= 0:
		return refuse("a binary file")
	}
	return FormatCSV, nil
}

// isMT940 tells an MT940 statement: a SWIFT envelope, or the :20: and :25:
// (or :60F:) fields at the start of lines, perhaps after a bank's own
// header lines.
func isMT940(b []byte) bool {
	if bytes.HasPrefix(b, []byte("{1:")) {
		return true
	}
	if !bytes.HasPrefix(b, []byte(":20:")) && !bytes.Contains(b, []byte("\n:20:")) {
		return false
	}
	return bytes.Contains(b, []byte(":25:")) || bytes.Contains(b, []byte(":60F:"))
}

// iso20022Message finds the message identifier of an ISO 20022 document in
// its namespace ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" is
// "camt.053.001.02").
func iso20022Message(b []byte) (string, bool) {
	const ns = "urn:iso:std:iso:20022:tech:xsd:"
	i := bytes.Index(b, []byte(ns))
	if i < 0 {
		return "", false
	}
	rest := b[i+len(ns):]
	n := 0
	for n < len(rest) && n < 40 && (rest[n] == '.' || rest[n] >= '0' && rest[n] <= '9' || rest[n] >= 'a' && rest[n] <= 'z') {
		n++
	}
	if n == 0 {
		return "", false
	}
	return string(rest[:n]), true
}

// camtVersion is the version of a message identifier: 2 for
// "camt.053.001.02".
func camtVersion(msg string) (int, bool) {
	parts := strings.Split(msg, ".")
	if len(parts) != 4 {
		return 0, false
	}
	v, err := strconv.Atoi(parts[3])
	return v, err == nil
}

func iso20022Name(msg string) string {
	switch {
	case strings.HasPrefix(msg, "camt.052."):
		return "an intraday account report"
	case strings.HasPrefix(msg, "camt.054."):
		return "a debit and credit notification"
	case strings.HasPrefix(msg, "pain."):
		return "a payment initiation"
	case strings.HasPrefix(msg, "pacs."):
		return "an interbank payment"
	}
	return "not a statement"
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// cp1252 maps the bytes 0x80-0x9F of Windows-1252 to runes (the five
// bytes it leaves undefined stay their C1 code points); 0xA0-0xFF are
// Latin-1 and equal to their code points.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// decodeLine returns a line as UTF-8: a line that is not UTF-8 is read as
// Windows-1252, the character set of files from Windows software, which
// every byte is (Latin-1 would turn ’ and € into control characters).
func decodeLine(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		if c >= 0x80 && c < 0xA0 {
			r[i] = cp1252[c-0x80]
		} else {
			r[i] = rune(c)
		}
	}
	return string(r)
}

// lineReader reads a file's lines with a BOM and line endings removed.
type lineReader struct {
	sc   *bufio.Scanner
	line int
}

const maxLine = 1 << 20

func newLineReader(r io.Reader) *lineReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	return &lineReader{sc: sc}
}

// next returns the next line, or false at the end.
func (l *lineReader) next() (string, bool) {
	if !l.sc.Scan() {
		return "", false
	}
	l.line++
	b := l.sc.Bytes()
	if l.line == 1 {
		b = bytes.TrimPrefix(b, utf8BOM)
	}
	b = bytes.TrimRight(b, "\r")
	return decodeLine(b), true
}

func (l *lineReader) err() error {
	if err := l.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return tally.Errorf(tally.EUNPROCESSABLE, "line %d is longer than %d KiB", l.line+1, maxLine>>10)
		}
		return fmt.Errorf("file: read: %w", err)
	}
	return nil
}

// emitter batches transactions and errors for the callback.
type emitter struct {
	size  int
	fn    func(*Chunk) error
	chunk Chunk
	sum   Summary
	ids   *idCheck // marks repeated ids, when the format has ids
	acct  string   // the id check's key of the current account
}

func (e *emitter) add(t Transaction) error {
	if e.ids != nil {
		e.ids.mark(e.acct, &t)
	}
	e.chunk.Transactions = append(e.chunk.Transactions, t)
	e.sum.Parsed++
	if len(e.chunk.Transactions) >= e.size {
		return e.flush()
	}
	return nil
}

func (e *emitter) reject(line int, format string, args ...any) {
	e.chunk.Errors = append(e.chunk.Errors, RowError{Line: line, Reason: fmt.Sprintf(format, args...)})
	e.sum.Rejected++
}

// flush hands out the pending chunk; the next one keeps its account and
// currency.
func (e *emitter) flush() error {
	if len(e.chunk.Transactions) == 0 && len(e.chunk.Errors) == 0 && e.chunk.Ledger == nil && e.chunk.Opening == nil {
		return nil
	}
	c := e.chunk
	err := e.fn(&c)
	txs := c.Transactions[:0]
	if txs == nil {
		txs = make([]Transaction, 0, min(e.size, 1024))
	}
	e.chunk = Chunk{Account: c.Account, Currency: c.Currency, Transactions: txs}
	return err
}

// account starts a new account's (or statement's) transactions: what is
// pending goes out first, so that a chunk never mixes them.
func (e *emitter) account(a *ofx.Account, currency string) error {
	// Rejected rows alone wait for the next transactions: a file whose
	// rows are all rejected must hand nothing out.
	if len(e.chunk.Transactions) > 0 || e.chunk.Ledger != nil || e.chunk.Opening != nil {
		if err := e.flush(); err != nil {
			return err
		}
	}
	e.chunk.Account, e.chunk.Currency = a, currency
	e.acct = accountKey(a)
	return nil
}

func accountKey(a *ofx.Account) string {
	if a == nil {
		return ""
	}
	return a.Kind + "\x00" + a.BankID + "\x00" + a.BrokerID + "\x00" + a.AccountID
}

// idCheck finds the institution ids a file gives to different rows of one
// account. The first pass calls see for every row with an id; it keeps 16
// bytes per id, not the rows. The second pass calls mark.
type idCheck struct {
	h        maphash.Hash
	content  map[uint64]uint64 // hash of account and id -> hash of the row's content
	repeated map[uint64]bool
}

func newIDCheck() *idCheck {
	return &idCheck{content: map[uint64]uint64{}, repeated: map[uint64]bool{}}
}

func (c *idCheck) key(acct, id string) uint64 {
	c.h.Reset()
	c.h.WriteString(acct)
	c.h.WriteByte(0)
	c.h.WriteString(id)
	return c.h.Sum64()
}

// see records a row's id and the hash of its content.
func (c *idCheck) see(acct, id string, content uint64) {
	if id == "" {
		return
	}
	k := c.key(acct, id)
	if prev, ok := c.content[k]; ok {
		if prev != content {
			c.repeated[k] = true
		}
		return
	}
	c.content[k] = content
}

// seeRow records a row of text fields (a CSV record).
func (c *idCheck) seeRow(acct, id string, fields []string) {
	if id == "" {
		return
	}
	c.h.Reset()
	for _, f := range fields {
		c.h.WriteString(f)
		c.h.WriteByte(0x1f)
	}
	c.see(acct, id, c.h.Sum64())
}

// seeTxn records a parsed transaction: its date, amount, text and check
// number tell it from another.
func (c *idCheck) seeTxn(acct string, t *Transaction) {
	if t.FITID == "" {
		return
	}
	var b [16]byte
	y, m, d := t.Date.Date()
	binary.LittleEndian.PutUint64(b[:8], uint64(y*10000+int(m)*100+d))
	binary.LittleEndian.PutUint64(b[8:], uint64(t.Amount))
	c.h.Reset()
	c.h.Write(b[:])
	for _, s := range [...]string{t.Description, t.Memo, t.CheckNum} {
		c.h.WriteString(s)
		c.h.WriteByte(0)
	}
	c.see(acct, t.FITID, c.h.Sum64())
}

// firstPassDone drops what only the first pass needed: the second keeps
// the repeated ids alone, not a hash per row.
func (c *idCheck) firstPassDone() {
	c.content = nil
}

// mark clears the id of a row whose id other, different rows share.
func (c *idCheck) mark(acct string, t *Transaction) {
	if t.FITID == "" || len(c.repeated) == 0 {
		return
	}
	if c.repeated[c.key(acct, t.FITID)] {
		t.RepeatedFITID, t.FITID = t.FITID, ""
	}
}

// noTransactions is the error of a file that held nothing to import.
func noTransactions(sum Summary, what string) error {
	if sum.Rejected > 0 {
		return tally.Errorf(tally.EUNPROCESSABLE, "no %s row could be read (%d rejected)", what, sum.Rejected)
	}
	return tally.Errorf(tally.EUNPROCESSABLE, "the %s file holds no transactions", what)
}

// readOFX reads an OFX or QFX file in two streaming passes, so memory stays
// bounded by the chunk size: the first only checks that the whole file
// parses and holds transactions (nothing is handed out from a file that
// fails half-way) and notes repeated FITIDs, the second hands the
// transactions out in chunks, one statement at a time. A transaction whose
// date or amount cannot be read is rejected with its line.
func readOFX(r io.ReadSeeker, opt ReadOptions, fn func(*Chunk) error) (Summary, error) {
	var sum Summary
	total, rejected := 0, 0
	ids := newIDCheck()
	ofxOpt := ofx.Options{Currency: opt.Currency, SkipBadTransactions: true}
	_, err := ofx.ParseStreamOptions(r, opt.ChunkSize, ofxOpt, func(st *ofx.Statement, txs []ofx.Transaction, _ bool) error {
		total += len(txs)
		rejected += len(st.Rejected)
		acct := accountKey(&st.Account)
		for i := range txs {
			t := source.FromOFX(&txs[i])
			ids.seeTxn(acct, &t)
		}
		return nil
	})
	if err != nil {
		return sum, tally.Errorf(tally.EUNPROCESSABLE, "the OFX file cannot be read: %v", err)
	}
	if total == 0 {
		sum.Rejected = rejected
		return sum, noTransactions(sum, "OFX")
	}
	ids.firstPassDone()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return sum, fmt.Errorf("file: rewind: %w", err)
	}
	var buf []Transaction // reused by every chunk
	_, err = ofx.ParseStreamOptions(r, opt.ChunkSize, ofxOpt, func(st *ofx.Statement, txs []ofx.Transaction, done bool) error {
		acct := st.Account
		cur := st.Currency
		if cur == "" {
			cur = opt.Currency
		}
		c := &Chunk{Account: &acct, Currency: cur, Transactions: buf[:0]}
		key := accountKey(&acct)
		for i := range txs {
			t := source.FromOFX(&txs[i])
			ids.mark(key, &t)
			c.Transactions = append(c.Transactions, t)
		}
		for _, pe := range st.Rejected {
			reason := pe.Element + " " + pe.Msg
			c.Errors = append(c.Errors, RowError{Line: pe.Line, Reason: reason})
		}
		if done {
			if b := statementBalance(st); b != nil {
				v := b.Amount
				c.Ledger = &v
				c.LedgerAsOf = b.AsOf
			}
		}
		if done {
			c.Holdings = source.Holdings(st)
		}
		if len(c.Transactions) == 0 && len(c.Errors) == 0 && c.Ledger == nil {
			return nil
		}
		buf = c.Transactions
		sum.Parsed += len(c.Transactions)
		sum.Rejected += len(c.Errors)
		return fn(c)
	})
	if err != nil {
		var pe *ofx.ParseError
		if errors.As(err, &pe) {
			return sum, tally.Errorf(tally.EUNPROCESSABLE, "the OFX file cannot be read: %v", err)
		}
		return sum, err
	}
	return sum, nil
}

// statementBalance is an OFX statement's closing balance: its LEDGERBAL,
// or, for a bank account whose file has none, its AVAILBAL (the same
// money less holds). A card's AVAILBAL is the credit left, not what is
// owed, so it never stands in for the balance.
func statementBalance(st *ofx.Statement) *ofx.Balance {
	if st.Ledger != nil {
		return st.Ledger
	}
	if st.Available != nil && st.Account.Kind == ofx.KindBank {
		return st.Available
	}
	return nil
}
