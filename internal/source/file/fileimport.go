// Package file reads statement files users download from their banks:
// OFX and QFX (through package ofx), QIF (Quicken and Microsoft Money
// dialects) and CSV (delimiter, header, date order and sign convention
// detected). It streams: Read makes a first pass that only learns the file's
// layout (and refuses a file it cannot read before anything is handed out),
// then a second pass that hands transactions to a callback in chunks, so a
// 100,000-row file is never held whole. Rows that cannot be read are
// reported with their line number and reason and do not stop the file.
package file

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
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
	// Account is the statement's account identity (OFX files only).
	Account *ofx.Account
	// Currency is the statement's currency when the file says (OFX only).
	Currency     string
	Transactions []Transaction
	Errors       []RowError
	// Ledger is the statement's closing balance, with the last chunk of an
	// OFX statement that has one.
	Ledger *int64
	// LedgerAsOf is when Ledger was the balance; Holdings are the
	// statement's investment positions (last chunk of an OFX statement).
	LedgerAsOf time.Time
	Holdings   []tally.Holding
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
// stops the read and is returned.
func Read(r io.ReadSeeker, chunkSize int, fn func(*Chunk) error) (Summary, error) {
	if chunkSize <= 0 {
		chunkSize = DefaultChunkSize
	}
	head := make([]byte, 8<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Summary{}, fmt.Errorf("fileimport: read: %w", err)
	}
	format, err := Sniff(head[:n])
	if err != nil {
		return Summary{Format: format}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{Format: format}, fmt.Errorf("fileimport: rewind: %w", err)
	}
	var sum Summary
	switch format {
	case FormatOFX:
		sum, err = readOFX(r, chunkSize, fn)
	case FormatQIF:
		sum, err = readQIF(r, chunkSize, fn)
	default:
		sum, err = readCSV(r, chunkSize, fn)
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
		return "", tally.Errorf(tally.EUNPROCESSABLE, "this file is %s, which Tally cannot import; export the statement as OFX, QFX, QIF or CSV", what)
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
	case bytes.HasPrefix(b, []byte("{1:")) || (bytes.HasPrefix(b, []byte(":20:")) || bytes.Contains(b, []byte("\n:20:"))) &&
		(bytes.Contains(b, []byte(":25:")) || bytes.Contains(b, []byte(":60F:"))):
		return refuse("a SWIFT MT940 statement")
	case bytes.HasPrefix(b, []byte("<?xml")) || b[0] == '<':
		if bytes.Contains(b, []byte("camt.05")) {
			return refuse("an ISO 20022 camt.05x XML statement")
		}
		if bytes.Contains(upper, []byte("<HTML")) {
			return refuse("an HTML page")
		}
		return refuse("an XML document that is not OFX")
	case b[0] == '{' || b[0] == '[':
		return refuse("JSON")
	case bytes.IndexByte(b, 0) >= 0:
		return refuse("a binary file")
	}
	return FormatCSV, nil
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// decodeLine returns a line as UTF-8: bytes that are not UTF-8 are read as
// Latin-1 (ISO 8859-1), which every byte is.
func decodeLine(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
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
		return fmt.Errorf("fileimport: read: %w", err)
	}
	return nil
}

// emitter batches transactions and errors for the callback.
type emitter struct {
	size  int
	fn    func(*Chunk) error
	chunk Chunk
	sum   Summary
}

func (e *emitter) add(t Transaction) error {
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

func (e *emitter) flush() error {
	if len(e.chunk.Transactions) == 0 && len(e.chunk.Errors) == 0 {
		return nil
	}
	c := e.chunk
	err := e.fn(&c)
	e.chunk = Chunk{Transactions: make([]Transaction, 0, min(e.size, 1024))}
	return err
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
// fails half-way), the second hands the transactions out in chunks.
func readOFX(r io.ReadSeeker, chunkSize int, fn func(*Chunk) error) (Summary, error) {
	var sum Summary
	total := 0
	_, err := ofx.ParseStream(r, chunkSize, func(_ *ofx.Statement, txs []ofx.Transaction, _ bool) error {
		total += len(txs)
		return nil
	})
	if err != nil {
		return sum, tally.Errorf(tally.EUNPROCESSABLE, "the OFX file cannot be read: %v", err)
	}
	if total == 0 {
		return sum, tally.Errorf(tally.EUNPROCESSABLE, "the OFX file holds no transactions")
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return sum, fmt.Errorf("fileimport: rewind: %w", err)
	}
	_, err = ofx.ParseStream(r, chunkSize, func(st *ofx.Statement, txs []ofx.Transaction, done bool) error {
		acct := st.Account
		c := &Chunk{Account: &acct, Currency: st.Currency, Transactions: make([]Transaction, 0, len(txs))}
		for i := range txs {
			c.Transactions = append(c.Transactions, source.FromOFX(&txs[i]))
		}
		if done && st.Ledger != nil {
			v := st.Ledger.Amount
			c.Ledger = &v
			c.LedgerAsOf = st.Ledger.AsOf
		}
		if done {
			c.Holdings = source.Holdings(st)
		}
		if len(c.Transactions) == 0 && c.Ledger == nil {
			return nil
		}
		sum.Parsed += len(c.Transactions)
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
