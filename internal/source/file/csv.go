package file

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// headerScan is how many rows may stand above the header (bank name,
// account number, date range...).
const headerScan = 50

// csvLayout is what the first pass learns about a CSV file.
type csvLayout struct {
	comma      rune
	headerLine int // the header row's line
	width      int // the header's field count
	date, amount, debit, credit, typ,
	desc, memo, fitid, check,
	account int // column indexes, -1 when absent
	decimalComma bool
	dayFirst     bool
	exp          int // decimals of the amounts' currency
	// chargesPositive: a card export whose purchases are positive and
	// payments negative (detected from the file); amounts are negated.
	chargesPositive bool
}

func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '#' {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Header names by role, the preferred first.
var (
	hdrDate   = []string{"date", "posted date", "posting date", "post date", "transaction date", "trans date", "booking date", "value date", "buchungstag", "datum"}
	hdrAmount = []string{"amount", "transaction amount", "amount usd", "amt", "value"}
	hdrDebit  = []string{"debit", "debit amount", "debits", "withdrawal", "withdrawals", "withdrawal amount", "money out", "paid out", "outflow", "charge", "charges", "soll"}
	hdrCredit = []string{"credit", "credit amount", "credits", "deposit", "deposits", "deposit amount", "money in", "paid in", "inflow", "payment", "haben"}
	hdrType   = []string{"transaction type", "type", "dr cr", "cr dr", "debit credit", "credit debit", "debit or credit"}
	hdrDesc   = []string{"description", "payee", "name", "merchant", "transaction description", "details", "narrative", "particulars", "verwendungszweck", "buchungstext"}
	hdrMemo   = []string{"original description", "memo", "notes", "note", "extended description"}
	hdrFITID  = []string{"transaction id", "fitid", "id", "reference number", "transaction reference"}
	hdrCheck  = []string{"check number", "check", "check no", "check #", "cheque number", "cheque no", "cheque"}
	// The account a row belongs to, in exports of several accounts (Mint,
	// YNAB, Monarch). Only these names: a bank's "Kontonummer" or "IBAN"
	// column is the counterparty's.
	hdrAccount = []string{"account name", "account"}
)

func findColumn(cols []string, names []string, taken map[int]bool) int {
	for _, n := range names {
		for i, c := range cols {
			if c == n && !taken[i] {
				taken[i] = true
				return i
			}
		}
	}
	return -1
}

// header maps a row to columns; ok when it names a date and an amount (or
// debit and credit) column.
func (l *csvLayout) header(row []string) bool {
	cols := make([]string, len(row))
	for i, c := range row {
		cols[i] = normHeader(c)
	}
	taken := map[int]bool{}
	l.date = findColumn(cols, hdrDate, taken)
	if l.date < 0 {
		for i, c := range cols {
			if strings.HasSuffix(c, " date") || strings.HasPrefix(c, "date ") {
				l.date, taken[i] = i, true
				break
			}
		}
	}
	l.amount = findColumn(cols, hdrAmount, taken)
	l.debit = findColumn(cols, hdrDebit, taken)
	l.credit = findColumn(cols, hdrCredit, taken)
	if l.amount >= 0 && l.debit >= 0 && l.credit >= 0 {
		// A file with all three: the separate columns carry the sign.
		l.amount = -1
	}
	l.typ = findColumn(cols, hdrType, taken)
	l.desc = findColumn(cols, hdrDesc, taken)
	l.memo = findColumn(cols, hdrMemo, taken)
	l.fitid = findColumn(cols, hdrFITID, taken)
	l.check = findColumn(cols, hdrCheck, taken)
	l.account = findColumn(cols, hdrAccount, taken)
	l.width = len(row)
	return l.date >= 0 && (l.amount >= 0 || l.debit >= 0 || l.credit >= 0)
}

// detectComma picks the delimiter whose split of the file's first lines is
// the most consistent.
func detectComma(head []byte) rune {
	best, bestScore := ',', 0
	for _, c := range []rune{',', ';', '\t', '|'} {
		cr := csv.NewReader(bytes.NewReader(head))
		cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = c, true, -1
		counts := map[int]int{}
		for {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			if len(rec) > 1 {
				counts[len(rec)]++
			}
		}
		for width, n := range counts {
			if score := n*100 + width; n > 1 && score > bestScore {
				best, bestScore = c, score
			}
		}
	}
	return best
}

// csvReader returns a reader over r with the file's delimiter, decoding
// Windows-1252 lines and dropping a BOM.
func csvReader(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(&cp1252Reader{br: bufio.NewReaderSize(r, 64<<10), first: true})
	cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord, cr.ReuseRecord = comma, true, -1, true
	return cr
}

// cp1252Reader passes UTF-8 lines through and re-encodes other lines as if
// they were Windows-1252, line by line.
type cp1252Reader struct {
	br    *bufio.Reader
	buf   []byte
	first bool
}

func (l *cp1252Reader) Read(p []byte) (int, error) {
	for len(l.buf) == 0 {
		line, err := l.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil
		}
		if l.first {
			line = bytes.TrimPrefix(line, utf8BOM)
			l.first = false
		}
		if utf8.Valid(line) {
			l.buf = append(l.buf[:0], line...)
		} else {
			l.buf = append(l.buf[:0], decodeLine(line)...)
		}
		if err != nil {
			if len(l.buf) == 0 {
				return 0, err
			}
			break
		}
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

func csvLine(cr *csv.Reader) int {
	line, _ := cr.FieldPos(0)
	return line
}

func blankRow(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// readCSV reads a CSV file in two passes: the first finds the delimiter,
// the header, the date order and the decimal mark; the second hands out
// transactions.
func readCSV(r io.ReadSeeker, opt ReadOptions, fn func(*Chunk) error) (Summary, error) {
	head := make([]byte, 32<<10)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if i := bytes.LastIndexByte(head, '\n'); i > 0 && n == len(head) {
		head = head[:i+1]
	}
	l := csvLayout{comma: detectComma(head), exp: tally.CurrencyExponent(opt.Currency)}
	ids := newIDCheck()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{}, err
	}
	cr := csvReader(r, l.comma)
	var order dateOrder
	dotVotes, commaVotes := 0, 0
	positives, negatives, paymentsPos, paymentsNeg := 0, 0, 0, 0
	found := false
	for rows := 0; ; rows++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Summary{}, tally.Errorf(tally.EUNPROCESSABLE, "the CSV file cannot be read: %v", err)
		}
		if !found {
			if rows >= headerScan {
				break
			}
			if l.header(rec) {
				found = true
				l.headerLine = csvLine(cr)
			}
			continue
		}
		if d, ok := splitDate(field(rec, l.date)); ok {
			order.vote(d)
		}
		ids.seeRow(field(rec, l.account), field(rec, l.fitid), rec)
		if l.amount >= 0 && l.typ < 0 {
			v := field(rec, l.amount)
			neg := strings.HasPrefix(v, "-") || strings.HasPrefix(v, "(") || strings.HasSuffix(v, "-")
			if neg {
				negatives++
			} else if v != "" {
				positives++
			}
			if isPayment(field(rec, l.desc)) {
				if neg {
					paymentsNeg++
				} else {
					paymentsPos++
				}
			}
		}
		for _, i := range []int{l.amount, l.debit, l.credit} {
			v := field(rec, i)
			if c, d := strings.LastIndexByte(v, ','), strings.LastIndexByte(v, '.'); c > d && len(v)-c-1 == 2 {
				commaVotes++
			} else if d > c && len(v)-d-1 == 2 {
				dotVotes++
			}
		}
	}
	if !found {
		return Summary{}, tally.Errorf(tally.EUNPROCESSABLE, "no header row naming a date column and an amount (or debit and credit) column in the first %d rows of the CSV file", headerScan)
	}
	l.dayFirst = order.isDayFirst()
	l.decimalComma = commaVotes > dotVotes
	l.chargesPositive = positives > negatives && paymentsNeg > 0 && paymentsPos == 0

	ids.firstPassDone()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{}, err
	}
	e := &emitter{size: opt.ChunkSize, fn: fn, ids: ids, chunk: Chunk{Currency: opt.Currency}}
	split := &accountChunks{e: e, pending: map[string]*Chunk{}}
	cr = csvReader(r, l.comma)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return e.sum, tally.Errorf(tally.EUNPROCESSABLE, "the CSV file cannot be read: %v", err)
		}
		line := csvLine(cr)
		if line <= l.headerLine || blankRow(rec) {
			continue
		}
		t, reason := l.transaction(rec, line)
		if reason != "" {
			e.reject(line, "%s", reason)
			continue
		}
		if name := field(rec, l.account); name != "" {
			err = split.add(name, t)
		} else {
			err = e.add(t)
		}
		if err != nil {
			return e.sum, err
		}
	}
	if e.sum.Parsed == 0 {
		return e.sum, noTransactions(e.sum, "CSV")
	}
	if err := split.flushAll(); err != nil {
		return e.sum, err
	}
	return e.sum, e.flush()
}

// accountChunks keeps a pending chunk per account for a CSV file whose rows
// name their account (Mint's "Account Name"), so that no chunk mixes
// accounts while the file's rows interleave them. At most a chunk's worth
// of rows wait, all accounts together: the largest pending chunk goes out
// when they reach it.
type accountChunks struct {
	e       *emitter // the callback, the counts and the id check
	pending map[string]*Chunk
	order   []string // accounts in the order the file names them
	waiting int
}

func (a *accountChunks) add(name string, t Transaction) error {
	c := a.pending[name]
	if c == nil {
		c = &Chunk{Account: &ofx.Account{Kind: ofx.KindBank, AccountID: name, Description: name}, Currency: a.e.chunk.Currency}
		a.pending[name] = c
		a.order = append(a.order, name)
	}
	if a.e.ids != nil {
		a.e.ids.mark(name, &t)
	}
	c.Transactions = append(c.Transactions, t)
	a.e.sum.Parsed++
	a.waiting++
	if a.waiting < a.e.size {
		return nil
	}
	largest := ""
	for _, n := range a.order {
		if largest == "" || len(a.pending[n].Transactions) > len(a.pending[largest].Transactions) {
			largest = n
		}
	}
	return a.send(largest)
}

func (a *accountChunks) send(name string) error {
	c := a.pending[name]
	if c == nil || len(c.Transactions) == 0 {
		return nil
	}
	a.waiting -= len(c.Transactions)
	out := *c
	c.Transactions = nil
	return a.e.fn(&out)
}

func (a *accountChunks) flushAll() error {
	for _, n := range a.order {
		if err := a.send(n); err != nil {
			return err
		}
	}
	return nil
}

func (l *csvLayout) transaction(rec []string, line int) (Transaction, string) {
	t := Transaction{Line: line}
	need := max(l.date, l.amount, l.debit, l.credit)
	if need >= len(rec) {
		return t, fmt.Sprintf("row has %d fields, the header has %d", len(rec), l.width)
	}
	d, err := parseDate(field(rec, l.date), l.dayFirst)
	if err != nil {
		return t, err.Error()
	}
	t.Date = d
	if l.amount >= 0 {
		amt, err := parseAmount(field(rec, l.amount), l.decimalComma, l.exp)
		if err != nil {
			return t, err.Error()
		}
		if l.typ >= 0 {
			switch strings.ToLower(field(rec, l.typ)) {
			case "debit", "dr", "d", "withdrawal", "sale", "purchase":
				amt = -abs(amt)
				t.Type = "DEBIT"
			case "credit", "cr", "c", "deposit":
				amt = abs(amt)
				t.Type = "CREDIT"
			}
		}
		if l.chargesPositive {
			amt = -amt
		}
		t.Amount = amt
	} else {
		var debit, credit int64
		dv, cv := field(rec, l.debit), field(rec, l.credit)
		if dv == "" && cv == "" {
			return t, "row has neither a debit nor a credit amount"
		}
		if dv != "" {
			if debit, err = parseAmount(dv, l.decimalComma, l.exp); err != nil {
				return t, err.Error()
			}
		}
		if cv != "" {
			if credit, err = parseAmount(cv, l.decimalComma, l.exp); err != nil {
				return t, err.Error()
			}
		}
		t.Amount = abs(credit) - abs(debit)
	}
	t.Description = field(rec, l.desc)
	t.Memo = field(rec, l.memo)
	if t.Description == "" {
		t.Description = t.Memo
	}
	t.FITID = field(rec, l.fitid)
	if c := field(rec, l.check); isDigits(c) {
		t.CheckNum = c
	}
	return t, ""
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// isPayment reports whether a card line's description reads as a payment
// to the card, whose sign is the opposite of purchases.
func isPayment(desc string) bool {
	d := strings.ToUpper(desc)
	return strings.Contains(d, "PAYMENT") || strings.Contains(d, "THANK YOU")
}
