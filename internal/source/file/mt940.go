package file

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// SWIFT MT940, as banks hand it to their customers: messages of fields
// ":TAG:value" whose values may run on over further lines, one statement
// per message, messages separated by a line "-" (and perhaps wrapped in a
// SWIFT envelope "{1:...}{2:...}{4:" ... "-}"), perhaps after a bank's own
// header lines. Tally reads:
//
//	:20:  the start of a message
//	:25:  the account: "BLZ/account" (German banks) or an IBAN, perhaps
//	      followed by the currency
//	:60F: :60M:  the opening balance: C or D, YYMMDD, currency, amount
//	:61:  a statement line: value date YYMMDD, booking date MMDD
//	      (optional), C D RC RD, an optional funds code, the amount with a
//	      decimal comma, the type (N, F or S and three characters), the
//	      customer's reference, "//" and the bank's reference, and on a
//	      second line supplementary details
//	:86:  the line's text: German banks' structured "GVC?00 booking text
//	      ?20..?29 remittance ?30 bank ?31 account ?32 ?33 counterparty
//	      ?60..?63 more remittance", the Dutch "/NAME/.../REMI/...", or
//	      free text
//	:62F: :62M:  the closing balance
//
// Other fields (:28C:, :64:, :65:, :NS:, ...) are skipped.

// mtField is one field of a message.
type mtField struct {
	tag   string // "20", "61", "62F", ...
	value string // its lines, joined by "\n"
	line  int    // where it starts
}

// scanMT940 hands each field of the file to fn, and a field with tag "-"
// at the end of each message.
func scanMT940(r io.Reader, fn func(f mtField) error) error {
	lr := newLineReader(r)
	var cur *mtField
	var b strings.Builder
	prevLen := 0 // characters of the field's last physical line
	emit := func() error {
		if cur == nil {
			return nil
		}
		cur.value = b.String()
		f := *cur
		cur = nil
		b.Reset()
		return fn(f)
	}
	for {
		l, ok := lr.next()
		if !ok {
			break
		}
		// A SWIFT envelope: "{1:F01...}{2:...}{4:" before the fields and
		// "-}" (perhaps with a trailer "{5:...}") after them.
		if strings.HasPrefix(l, "{") {
			if i := strings.Index(l, "{4:"); i >= 0 {
				l = l[i+3:]
			} else {
				continue
			}
		}
		trimmed := strings.TrimSpace(l)
		if trimmed == "-" || strings.HasPrefix(trimmed, "-}") {
			if err := emit(); err != nil {
				return err
			}
			if err := fn(mtField{tag: "-", line: lr.line}); err != nil {
				return err
			}
			continue
		}
		if tag, value, ok := mtTag(l); ok {
			if err := emit(); err != nil {
				return err
			}
			cur = &mtField{tag: tag, line: lr.line}
			b.WriteString(value)
			prevLen = utf8.RuneCountInString(l)
			continue
		}
		if cur == nil {
			continue // a bank's header line before the first field
		}
		// A bank wraps a field at 65 characters: a full line was cut in
		// the middle of a word; a shorter one ended where a space or a
		// line of its own did.
		if prevLen < 65 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		prevLen = utf8.RuneCountInString(l)
	}
	if err := lr.err(); err != nil {
		return err
	}
	return emit()
}

// mtTag splits a line that starts a field, ":61:..." or ":NS:...".
func mtTag(l string) (tag, value string, ok bool) {
	if len(l) < 4 || l[0] != ':' {
		return "", "", false
	}
	end := strings.IndexByte(l[1:], ':')
	if end < 2 || end > 3 {
		return "", "", false
	}
	tag = l[1 : 1+end]
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return "", "", false
		}
	}
	return tag, l[2+end:], true
}

// mtStatement is one message being read.
type mtStatement struct {
	line     int
	account  *ofx.Account
	currency string
	opening  *int64
	closing  *int64
	closedOn time.Time // the closing balance's date; zero when unreadable
}

// mtLine is a :61: with its :86:.
type mtLine struct {
	line   int
	field  string // the :61: value
	info   string // the :86: value
	hasInf bool
}

// mt940Reader is one pass over an MT940 file.
type mt940Reader struct {
	opt     ReadOptions
	st      *mtStatement
	pending *mtLine
	// onStatement is called when a message's account and opening balance
	// are known (at its first :61: or its end); onLine for each line;
	// onEnd at the end of each message.
	onStatement func(st *mtStatement) error
	onLine      func(st *mtStatement, l *mtLine) error
	onEnd       func(st *mtStatement) error
	started     bool
}

func (m *mt940Reader) field(f mtField) error {
	switch f.tag {
	case "20":
		if err := m.end(); err != nil {
			return err
		}
		m.st = &mtStatement{line: f.line, currency: m.opt.Currency}
		return nil
	case "-":
		return m.end()
	}
	if m.st == nil {
		// Fields before any :20: (a file cut at its start): a statement
		// all the same.
		m.st = &mtStatement{line: f.line, currency: m.opt.Currency}
	}
	st := m.st
	switch f.tag {
	case "25":
		st.account = mtAccount(f.value)
	case "60F", "60M", "60":
		if v, cur, ok := mtBalance(f.value); ok {
			st.opening = &v
			st.currency = cur
		}
	case "61":
		if err := m.flushLine(); err != nil {
			return err
		}
		if err := m.begin(); err != nil {
			return err
		}
		m.pending = &mtLine{line: f.line, field: f.value}
	case "86":
		if m.pending != nil && !m.pending.hasInf {
			m.pending.info, m.pending.hasInf = f.value, true
		}
	case "62F", "62M", "62":
		if err := m.flushLine(); err != nil {
			return err
		}
		if v, _, ok := mtBalance(f.value); ok {
			st.closing = &v
			st.closedOn, _ = mtDate(strings.TrimSpace(f.value)[1:7])
		}
	default:
		// :28C:, :64:, :65:, :NS: ... end a line's text but are not needed.
		if err := m.flushLine(); err != nil {
			return err
		}
	}
	return nil
}

// begin announces a statement once, before its first line.
func (m *mt940Reader) begin() error {
	if m.started {
		return nil
	}
	m.started = true
	// The opening balance's currency is the statement's; amounts are
	// scaled by it from here on.
	return m.onStatement(m.st)
}

func (m *mt940Reader) flushLine() error {
	if m.pending == nil {
		return nil
	}
	l := m.pending
	m.pending = nil
	return m.onLine(m.st, l)
}

func (m *mt940Reader) end() error {
	if m.st == nil {
		return nil
	}
	if err := m.flushLine(); err != nil {
		return err
	}
	if err := m.begin(); err != nil {
		return err
	}
	err := m.onEnd(m.st)
	m.st, m.started = nil, false
	return err
}

// mtAccount reads :25:, "BLZ/account" or an IBAN (perhaps followed by the
// currency, as some banks write it).
func mtAccount(v string) *ofx.Account {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\n", ""))
	if v == "" {
		return nil
	}
	a := &ofx.Account{Kind: ofx.KindBank}
	if bank, acct, ok := strings.Cut(v, "/"); ok && bank != "" {
		a.BankID, a.AccountID = strings.TrimSpace(bank), strings.TrimSpace(acct)
		return a
	}
	v = strings.TrimPrefix(v, "/")
	// "NL12RABO0123456789EUR": a trailing currency is not the account's.
	if n := len(v); n > 18 && isUpper(v[n-3:]) && v[n-4] >= '0' && v[n-4] <= '9' {
		v = v[:n-3]
	}
	a.AccountID = strings.TrimSpace(v)
	return a
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// mtBalance reads a balance: "C240101EUR1000,00".
func mtBalance(v string) (amount int64, currency string, ok bool) {
	v = strings.TrimSpace(v)
	if len(v) < 11 || (v[0] != 'C' && v[0] != 'D') {
		return 0, "", false
	}
	currency = v[7:10]
	if !isUpper(currency) {
		return 0, "", false
	}
	a, err := mtAmount(v[10:], currency)
	if err != nil {
		return 0, "", false
	}
	if v[0] == 'D' {
		a = -a
	}
	return a, currency, true
}

// mtAmount reads an MT940 amount, digits with a decimal comma ("12,5",
// "300,"), in minor units of currency. A decimal point, which some banks'
// exports use, is read as well when there is no comma.
func mtAmount(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	sep := ","
	if !strings.Contains(s, ",") && strings.Count(s, ".") == 1 {
		sep = "."
	}
	intPart, frac, _ := strings.Cut(s, sep)
	if intPart == "" || !isDigits(intPart) || !allDigits(frac) {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	v, ok := minorUnits(intPart, frac, tally.CurrencyExponent(currency))
	if !ok {
		return 0, fmt.Errorf("amount %q is too large", s)
	}
	return v, nil
}

// mtDate reads YYMMDD; two-digit years are 1970-2069.
func mtDate(s string) (time.Time, bool) {
	if len(s) != 6 || !isDigits(s) {
		return time.Time{}, false
	}
	y := fullYear(s[:2])
	m, _ := strconv.Atoi(s[2:4])
	d, _ := strconv.Atoi(s[4:6])
	return calendarDate(y, m, d)
}

func calendarDate(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// mtTransaction reads a :61: and its :86: in the statement's currency; a
// reason is returned for a line that cannot be read.
func mtTransaction(l *mtLine, currency string) (Transaction, string) {
	t := Transaction{Line: l.line}
	first, supplementary, _ := strings.Cut(l.field, "\n")
	s := strings.TrimSpace(first)
	value, ok := mtDate(prefix(s, 6))
	if !ok {
		return t, fmt.Sprintf(":61: value date %q is not a date (YYMMDD)", prefix(s, 6))
	}
	s = s[6:]
	t.Date = value
	// The booking date, MMDD, when the bank gives one; its year is the
	// value date's, or the next or previous one across New Year.
	if len(s) >= 4 && isDigits(s[:4]) {
		m, _ := strconv.Atoi(s[:2])
		d, _ := strconv.Atoi(s[2:4])
		y := value.Year()
		switch {
		case m == 1 && value.Month() == 12:
			y++
		case m == 12 && value.Month() == 1:
			y--
		}
		if booked, ok := calendarDate(y, m, d); ok {
			t.Date = booked
		}
		s = s[4:]
	}
	sign := int64(0)
	switch {
	case strings.HasPrefix(s, "RC"): // reversal of a credit: money out
		sign, s = -1, s[2:]
	case strings.HasPrefix(s, "RD"): // reversal of a debit: money in
		sign, s = 1, s[2:]
	case strings.HasPrefix(s, "C"):
		sign, s = 1, s[1:]
	case strings.HasPrefix(s, "D"):
		sign, s = -1, s[1:]
	default:
		return t, fmt.Sprintf(":61: debit/credit mark %q is not C, D, RC or RD", prefix(s, 2))
	}
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		s = s[1:] // the funds code: the third letter of the currency
	}
	n := 0
	for n < len(s) && (s[n] >= '0' && s[n] <= '9' || s[n] == ',' || s[n] == '.') {
		n++
	}
	amt, err := mtAmount(s[:n], currency)
	if err != nil {
		return t, ":61: " + err.Error()
	}
	t.Amount = sign * amt
	s = s[n:]
	t.Type = "CREDIT"
	if t.Amount < 0 {
		t.Type = "DEBIT"
	}
	// The transaction type (N, F or S and three characters), the
	// customer's reference, and the bank's after "//".
	code := ""
	if len(s) >= 4 {
		code, s = s[:4], s[4:]
	}
	custRef, bankRef, _ := strings.Cut(s, "//")
	custRef, bankRef = strings.TrimSpace(custRef), strings.TrimSpace(bankRef)
	if bankRef != "" && !strings.EqualFold(bankRef, "NONREF") {
		t.FITID = bankRef
	}
	if code == "NCHK" && isDigits(custRef) {
		t.CheckNum = custRef
		t.Type = "CHECK"
	}
	desc, memo := mtDetails(l.info)
	if desc == "" {
		desc = strings.TrimSpace(strings.ReplaceAll(supplementary, "\n", " "))
	}
	t.Description, t.Memo = desc, memo
	return t, ""
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// mtDetails reads a :86: into a description (the counterparty, else the
// remittance text, else the booking text) and a memo (the remittance text
// when the description is the counterparty; else the booking text).
func mtDetails(info string) (desc, memo string) {
	info = strings.TrimSpace(info)
	if info == "" {
		return "", ""
	}
	if sub, ok := mtSubfields(info); ok {
		name := strings.TrimSpace(sub["32"] + sub["33"])
		var all, plain strings.Builder
		for _, k := range []string{"20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "60", "61", "62", "63"} {
			all.WriteString(sub[k])
			if !sepaIDTag(sub[k]) {
				plain.WriteString(sub[k])
			}
		}
		// The remittance text is what follows SVWZ+; without it, the
		// subfields that are not references (EREF+, KREF+, MREF+, ...).
		remittance := sepaRemittance(strings.TrimSpace(all.String()))
		if !strings.Contains(all.String(), "SVWZ+") {
			remittance = strings.TrimSpace(plain.String())
		}
		remittance = strings.Join(strings.Fields(remittance), " ")
		booking := strings.TrimSpace(sub["00"])
		switch {
		case name != "":
			return name, remittance
		case remittance != "":
			return remittance, booking
		}
		return booking, ""
	}
	if strings.HasPrefix(info, "/") {
		if kv := mtSlashCodes(strings.ReplaceAll(info, "\n", " ")); kv != nil {
			name := strings.TrimSpace(kv["NAME"])
			remi := strings.TrimSpace(kv["REMI"])
			// "/REMI/USTD//text" and "/REMI/STRD/CUR/reference".
			for _, p := range []string{"USTD//", "USTD/", "STRD/CUR/", "STRD/"} {
				if strings.HasPrefix(remi, p) {
					remi = strings.TrimSpace(remi[len(p):])
					break
				}
			}
			remi = strings.TrimSuffix(remi, "/")
			switch {
			case name != "":
				return name, remi
			case remi != "":
				return remi, strings.TrimSpace(kv["TRTP"])
			}
			return strings.TrimSpace(kv["TRTP"]), ""
		}
	}
	return joinWrapped(info), ""
}

// mtSubfields splits German banks' structured :86:, "166?00GUTSCHRIFT?20
// ...": a three-digit business code, then "?" and two digits before each
// subfield. Line breaks are where the bank wrapped the field and carry no
// meaning.
func mtSubfields(info string) (map[string]string, bool) {
	s := strings.ReplaceAll(info, "\n", " ")
	if len(s) < 4 || !isDigits(s[:3]) || s[3] != '?' {
		if len(s) < 3 || s[0] != '?' || !isDigits(s[1:3]) {
			return nil, false
		}
	} else {
		s = s[3:]
	}
	sub := map[string]string{}
	for s != "" {
		if len(s) < 3 || s[0] != '?' || !isDigits(s[1:3]) {
			return nil, false
		}
		key := s[1:3]
		s = s[3:]
		end := 0
		for end < len(s) && !(s[end] == '?' && end+2 < len(s) && isDigits(s[end+1:end+3])) {
			end++
		}
		sub[key] += s[:end]
		s = s[end:]
	}
	return sub, true
}

// sepaTags are the keywords German banks put before the parts of a SEPA
// remittance field.
var sepaTags = []string{"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "COAM+", "OAMT+", "SVWZ+", "ABWA+", "ABWE+", "IBAN+", "BIC+"}

// sepaIDTag tells a subfield that starts with a reference keyword.
func sepaIDTag(s string) bool {
	for _, tag := range []string{"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+"} {
		if strings.HasPrefix(s, tag) {
			return true
		}
	}
	return false
}

// sepaRemittance keeps the remittance text itself (after "SVWZ+") of a
// field tagged with SEPA keywords; a field without them is returned as is.
func sepaRemittance(s string) string {
	i := strings.Index(s, "SVWZ+")
	if i < 0 {
		return s
	}
	rest := s[i+len("SVWZ+"):]
	end := len(rest)
	for _, tag := range sepaTags {
		if j := strings.Index(rest, tag); j >= 0 && j < end {
			end = j
		}
	}
	return strings.TrimSpace(rest[:end])
}

// mtSlashCodes reads "/TRTP/SEPA OVERBOEKING/IBAN/NL.../NAME/.../REMI/..."
// into its codes; nil when the text has no NAME, REMI or TRTP.
func mtSlashCodes(s string) map[string]string {
	codes := []string{"TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "ORDP", "BENM", "ADDR", "ISDT", "CDTRREFTP", "CDTRREF", "PREF", "RTRN", "ULTC", "ULTD", "PURP", "TRCD", "SVCL", "BUSP", "FX", "CHGS", "ID", "CD"}
	isCode := func(c string) bool {
		for _, k := range codes {
			if c == k {
				return true
			}
		}
		return false
	}
	kv := map[string]string{}
	key := ""
	var val strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '/' {
			if j := strings.IndexByte(s[i+1:], '/'); j > 0 && isCode(s[i+1:i+1+j]) {
				if key != "" {
					kv[key] = val.String()
				}
				key = s[i+1 : i+1+j]
				val.Reset()
				i += j + 2
				continue
			}
		}
		val.WriteByte(s[i])
		i++
	}
	if key != "" {
		kv[key] = val.String()
	}
	if kv["NAME"] == "" && kv["REMI"] == "" && kv["TRTP"] == "" {
		return nil
	}
	return kv
}

// joinWrapped joins a field's lines (scanMT940 has already joined the
// ones wrapped in the middle of a word) with spaces.
func joinWrapped(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// readMT940 reads an MT940 file in two passes: the first checks that it
// holds statements with transactions and notes repeated bank references;
// the second hands out each statement's transactions, in chunks that carry
// its account, currency and balances.
func readMT940(r io.ReadSeeker, opt ReadOptions, fn func(*Chunk) error) (Summary, error) {
	ids := newIDCheck()
	var sum Summary
	statements := 0
	pass1 := &mt940Reader{opt: opt}
	pass1.onStatement = func(*mtStatement) error { statements++; return nil }
	pass1.onLine = func(st *mtStatement, l *mtLine) error {
		t, reason := mtTransaction(l, st.currency)
		if reason != "" {
			sum.Rejected++
			return nil
		}
		sum.Parsed++
		ids.seeTxn(accountKey(st.account), &t)
		return nil
	}
	pass1.onEnd = func(*mtStatement) error { return nil }
	if err := scanMT940(r, pass1.field); err != nil {
		return Summary{}, err
	}
	if err := pass1.end(); err != nil {
		return Summary{}, err
	}
	if statements == 0 {
		return Summary{}, tally.Errorf(tally.EUNPROCESSABLE, "the MT940 file holds no statement (no :20: field)")
	}
	if sum.Parsed == 0 {
		return Summary{Rejected: sum.Rejected}, noTransactions(Summary{Rejected: sum.Rejected}, "MT940")
	}
	ids.firstPassDone()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{}, fmt.Errorf("file: rewind: %w", err)
	}
	e := &emitter{size: opt.ChunkSize, fn: fn, ids: ids}
	pass2 := &mt940Reader{opt: opt}
	pass2.onStatement = func(st *mtStatement) error {
		if err := e.account(st.account, st.currency); err != nil {
			return err
		}
		e.chunk.Opening = st.opening
		return nil
	}
	pass2.onLine = func(st *mtStatement, l *mtLine) error {
		t, reason := mtTransaction(l, st.currency)
		if reason != "" {
			e.reject(l.line, "%s", reason)
			return nil
		}
		return e.add(t)
	}
	pass2.onEnd = func(st *mtStatement) error {
		e.chunk.Ledger = st.closing
		if st.closing != nil {
			e.chunk.LedgerAsOf = st.closedOn
		}
		return e.flush()
	}
	if err := scanMT940(r, pass2.field); err != nil {
		return e.sum, err
	}
	if err := pass2.end(); err != nil {
		return e.sum, err
	}
	return e.sum, e.flush()
}
